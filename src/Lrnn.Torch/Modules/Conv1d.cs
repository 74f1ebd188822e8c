namespace Lrnn.Torch.Modules;

/// <summary>
/// 1-D convolution, (B, C_in, L) → (B, C_out, L_out). With groups = C_in = C_out it is the depthwise causal
/// convolution of Mamba-style mixers (padding K−1, then keep the first L outputs). PyTorch's initialisation:
/// weight and bias ~ U(±1/√fan_in), fan_in = C_in/groups·K.
/// </summary>
public sealed class Conv1d : Module<Tensor, Tensor>
{
    public Conv1d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long dilation = 1,
        long groups = 1, bool bias = true, ScalarType? dtype = null, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dilation);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groups);
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv1d: in_channels ({inChannels}) and out_channels ({outChannels}) must both be divisible by groups ({groups}).", nameof(groups));
        in_channels = inChannels;
        out_channels = outChannels;
        kernel_size = kernelSize;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;

        var w = torch.nn.init.kaiming_uniform_(RegisterParameter("weight", torch.empty([outChannels, inChannels / groups, kernelSize], dtype, device)), Math.Sqrt(5));
        if (bias)
        {
            var bound = 1 / Math.Sqrt(torch.nn.init.FanIn(w));
            torch.nn.init.uniform_(RegisterParameter("bias", torch.empty([outChannels], dtype, device)), -bound, bound);
        }
    }

    public long in_channels { get; }
    public long out_channels { get; }
    public long kernel_size { get; }
    public long stride { get; }
    public long padding { get; }
    public long dilation { get; }
    public long groups { get; }

    /// <summary>(out_channels, in_channels/groups, kernel_size).</summary>
    public Tensor weight => GetParameter("weight")!;

    /// <summary>(out_channels), or null when built with bias: false.</summary>
    public Tensor? bias => GetParameter("bias");

    /// <summary>(B, C_in, L) or (C_in, L) → (B, C_out, L_out) or (C_out, L_out).</summary>
    public override Tensor forward(Tensor input) =>
        torch.nn.functional.conv1d(input, weight, bias, stride, padding, dilation, groups);

    public override string ToString() =>
        $"Conv1d({in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}, padding={padding}, dilation={dilation}, groups={groups}, bias={bias is not null})";
}
