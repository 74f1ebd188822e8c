using Lrnn.Torch;

namespace Lrnn.Modules.Lti;

/// <summary>
/// lrnnx's padding mask of the LTI mixers (its S4/S4D forward): inputs at positions t ≥ lengths[b] are zeroed
/// before anything else, so that right padding feeds nothing into the state.
/// </summary>
public static class LengthMask
{
    /// <summary>
    /// x (B, L, D), <paramref name="lengths"/> (B) or (1) integer → x with x[b, t] = 0 where the absolute position
    /// <paramref name="offset"/> + t ≥ lengths[b] (offset: tokens a cache already holds, so lengths count whole
    /// sequences); x itself (a new handle) when <paramref name="lengths"/> is null.
    /// </summary>
    public static Tensor Apply(Tensor x, Tensor? lengths, long offset = 0)
    {
        if (lengths is null) return x.alias();
        using var valid = Valid(lengths, x.size(0), x.size(1), offset, x.device).unsqueeze(-1);   // (B, L, 1)
        using var invalid = valid.logical_not();
        return x.masked_fill(invalid, 0.0);
    }

    /// <summary>
    /// The mask every mixer reads <c>lengths</c> through: (B, L) bool, true where the absolute position
    /// <paramref name="offset"/> + t &lt; lengths[b]. <paramref name="lengths"/> (B) or (1) integer counts whole sequences,
    /// so a prefill that continues a cache passes the tokens the cache holds as <paramref name="offset"/>.
    /// </summary>
    public static Tensor Valid(Tensor lengths, long batch, long length, long offset, Device device)
    {
        if (lengths.dim() != 1 || (lengths.size(0) != 1 && lengths.size(0) != batch))
            throw new ArgumentException($"lengths must be (B) or (1) for a batch of {batch}; got [{string.Join(", ", lengths.shape)}]", nameof(lengths));
        using var positions = torch.arange(offset, offset + length, 1, ScalarType.Int64, device);   // (L)
        using var column = lengths.to(ScalarType.Int64, device).unsqueeze(-1);                      // (B|1, 1)
        using var valid = positions.lt(column);                                                     // (B|1, L)
        return valid.expand(batch, length).contiguous();
    }
}
