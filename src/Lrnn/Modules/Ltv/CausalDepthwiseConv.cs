using Lrnn.Torch;
using Lrnn.Torch.Modules;

namespace Lrnn.Modules.Ltv;

/// <summary>
/// The short causal depthwise convolution in front of Mamba's and RG-LRU's scans (lrnnx's <c>conv1d</c>, K = d_conv taps
/// per channel), with the conv-state cache of mamba_ssm: the last K inputs of each channel, (B, C, K), oldest first.
/// <code>y_t[c] = bias[c] + Σ_{k&lt;K} w[c, k] · x_{t−K+1+k}[c]      (x before the first token: the cache, or 0)</code>
/// The full-sequence path prepends the cached history (zeros for a fresh sequence) instead of zero padding, so a
/// prefill continues a cache exactly as steps do; the step path shifts the window by one token. No activation.
/// </summary>
internal static class CausalDepthwiseConv
{
    /// <summary>
    /// x (B, C, L) → y (B, C, L). With <paramref name="state"/> (B, C, K), the history comes from it and it is left holding
    /// the last K inputs up to each sequence's end: absolute token <c>lengths[b] − 1</c> when <paramref name="lengths"/>
    /// (B) or (1) is given, counting the <paramref name="offset"/> tokens the cache already holds (as
    /// <see cref="LengthMask"/>).
    /// </summary>
    public static Tensor Forward(Tensor x, Conv1d conv, Tensor? state, Tensor? lengths, long offset = 0)
    {
        var (batch, channels, length) = (x.size(0), x.size(1), x.size(2));
        var taps = conv.kernel_size;
        using var scope = torch.NewDisposeScope();
        var history = state is null
            ? torch.zeros([batch, channels, taps - 1], x.dtype, x.device)
            : state.narrow(2, 1, taps - 1).to(x.dtype);
        var y = torch.nn.functional.conv1d(torch.cat([history, x], 2), conv.weight, conv.bias, groups: channels);   // (B, C, L)
        if (state is not null)
        {
            var window = torch.cat([state.to(x.dtype), x], 2);                                // (B, C, K + L)
            var tail = lengths is null ? window.narrow(2, length, taps) : TailsEndingAt(window, lengths, offset, taps);
            using (torch.no_grad()) state.copy_(tail);
        }
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// window (B, C, K + L) → (B, C, K): for each sequence the K entries ending at its own length within this call
    /// (lengths[b] − offset, clamped to [0, L]; lengths are few: read on the host).
    /// </summary>
    private static Tensor TailsEndingAt(Tensor window, Tensor lengths, long offset, long taps)
    {
        var (batch, length) = (window.size(0), window.size(2) - taps);
        using var ends = lengths.to(ScalarType.Int64, Device.CPU);
        var host = ends.ToArray<long>();
        return torch.stack(Enumerable.Range(0, (int)batch)
            .Select(b => window.select(0, b).narrow(1, Math.Clamp(host[host.Length == 1 ? 0 : b] - offset, 0, length), taps)).ToList());
    }

    /// <summary>One token x (B, C) → y (B, C); shifts <paramref name="state"/> (B, C, K) by one and appends x.</summary>
    public static Tensor Step(Tensor x, Conv1d conv, Tensor state)
    {
        using var scope = torch.NewDisposeScope();
        var window = torch.cat([state.narrow(2, 1, conv.kernel_size - 1).to(x.dtype), x.unsqueeze(-1)], 2);   // (B, C, K)
        var y = window.mul(conv.weight.squeeze(1)).sum(-1);                                   // (B, C)
        if (conv.bias is { } bias) y = y.add(bias);
        using (torch.no_grad()) state.copy_(window);
        return y.MoveToOuterDisposeScope();
    }
}
