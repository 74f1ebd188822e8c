using Lrnn.Ops;
using Lrnn.Inference;
using Lrnn.Torch;

namespace Lrnn.Modules.Ltv;

/// <summary>
/// The recurrence the diagonal LTV mixers share (RG-LRU, S7, S5LTV; Mamba's selective scan is its own op):
/// <code>h_t = decay_t ⊙ h_{t−1} + input_t     (B, L, N)</code>
/// one <see cref="ops.linear_scan"/> over L, continuing a cache's state and leaving in it the state after each
/// row's last valid token: padded positions (<see cref="LengthMask"/>) are identity updates (decay 1, input 0).
/// </summary>
public static class LtvScan
{
    /// <summary>decay and input (B, L, N) → every state h (B, L, N), in their dtype. Call inside a dispose scope.</summary>
    public static Tensor States(Tensor decay, Tensor input, MixerContext context, LtvCache? cache)
    {
        if (context.Lengths is { } lengths)
        {
            var valid = LengthMask.Valid(lengths, input.size(0), input.size(1), cache?.Position ?? 0, input.device).unsqueeze(-1);   // (B, L, 1)
            decay = torch.where(valid, decay, 1.0);
            input = torch.where(valid, input, 0.0);
        }
        var (h, last) = ops.linear_scan(decay, input, cache?.State);                   // (B, L, N), (B, N)
        cache?.Keep(last);
        return h;
    }
}
