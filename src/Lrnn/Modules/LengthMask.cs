using Lrnn.Torch;

namespace Lrnn.Modules;

/// <summary>
/// The one <c>lengths</c> rule of every mixer: <c>lengths[b]</c> counts the valid tokens of sequence b (whole sequences:
/// a prefill that continues a cache passes the tokens the cache holds as the offset), and right padding after them
/// never reaches the state, the convolution state nor the key/value cache. Outputs at valid positions are those of the
/// sequence alone; the state a prefill leaves in a cache is the state after the sequence's last valid token, so the
/// steps that follow continue each sequence as if it had been run alone. Outputs at padded positions are unspecified.
/// The mixers get there with the helpers below: LTV scans turn padding into identity updates (decay 1, input 0); LTI
/// mixers zero padded inputs (lrnnx's S4 forward) and read the final state at each sequence's end
/// (<see cref="LastValid"/>, <see cref="RightAlign"/>); attention keeps a key/value cache position per row.
/// </summary>
public static class LengthMask
{
    /// <summary>
    /// x (B, L, D), <paramref name="lengths"/> (B) or (1) integer → x with x[b, t] = 0 where the absolute position
    /// <paramref name="offset"/> + t ≥ lengths[b]; x itself (a new handle) when <paramref name="lengths"/> is null.
    /// </summary>
    public static Tensor Apply(Tensor x, Tensor? lengths, long offset = 0)
    {
        if (lengths is null) return x.alias();
        using var valid = Valid(lengths, x.size(0), x.size(1), offset, x.device).unsqueeze(-1);   // (B, L, 1)
        using var invalid = valid.logical_not();
        return x.masked_fill(invalid, 0.0);
    }

    /// <summary>
    /// (B, L) bool, true where the absolute position <paramref name="offset"/> + t &lt; lengths[b].
    /// <paramref name="lengths"/> (B) or (1) integer counts whole sequences.
    /// </summary>
    public static Tensor Valid(Tensor lengths, long batch, long length, long offset, Device device)
    {
        CheckShape(lengths, batch);
        using var positions = torch.arange(offset, offset + length, 1, ScalarType.Int64, device);   // (L)
        using var column = lengths.to(ScalarType.Int64, device).unsqueeze(-1);                      // (B|1, 1)
        using var valid = positions.lt(column);                                                     // (B|1, L)
        return valid.expand(batch, length).contiguous();
    }

    /// <summary>(B) int64: the valid tokens of each row in this call, lengths[b] − offset clamped to [0, L]; L for every row without lengths.</summary>
    public static Tensor Counts(Tensor? lengths, long batch, long length, long offset, Device device)
    {
        if (lengths is null) return torch.full([batch], length, ScalarType.Int64, device);
        CheckShape(lengths, batch);
        using var counts = lengths.to(ScalarType.Int64, device).sub(offset).clamp(0, length).to(ScalarType.Int64);
        return counts.expand(batch).contiguous();
    }

    /// <summary>
    /// states (B, L, ...) → (B, ...): states[b, counts[b] − 1], or <paramref name="before"/>[b] (the state before this
    /// call) where a row has no valid token here. Reads no scalar from the device.
    /// </summary>
    public static Tensor LastValid(Tensor states, Tensor counts, Tensor before)
    {
        using var scope = torch.NewDisposeScope();
        var index = counts.sub(1L).clamp(0, states.size(1) - 1).to(ScalarType.Int64);               // (B)
        var shape = states.shape.ToArray();
        shape[1] = 1;
        var gathered = states.gather(1, index.view([shape[0], 1, .. Enumerable.Repeat(1L, shape.Length - 2)]).expand(shape)).squeeze(1);
        var some = counts.gt(0).view([shape[0], .. Enumerable.Repeat(1L, shape.Length - 2)]);
        return torch.where(some, gathered, before.to(gathered.dtype)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// x (B, L, ...) → x with each row's first counts[b] entries moved to the end and zeros before them, so that a
    /// final-state computation that runs to position L − 1 ends at the row's last valid entry.
    /// </summary>
    public static Tensor RightAlign(Tensor x, Tensor counts)
    {
        using var scope = torch.NewDisposeScope();
        var (batch, length) = (x.size(0), x.size(1));
        var t = torch.arange(length, ScalarType.Int64, x.device).unsqueeze(0);                      // (1, L)
        var source = t.sub(counts.neg().add(length).unsqueeze(-1));                                 // (B, L): t − (L − n_b)
        var keep = source.ge(0);
        var trailing = Enumerable.Repeat(1L, (int)x.dim() - 2).ToArray();
        var index = source.clamp(0, length - 1).to(ScalarType.Int64).view([batch, length, .. trailing]).expand(x.shape);
        var aligned = x.gather(1, index);
        return aligned.masked_fill(keep.logical_not().view([batch, length, .. trailing]), 0.0).MoveToOuterDisposeScope();
    }

    private static void CheckShape(Tensor lengths, long batch)
    {
        if (lengths.dim() != 1 || (lengths.size(0) != 1 && lengths.size(0) != batch))
            throw new ArgumentException($"lengths must be (B) or (1) for a batch of {batch}; got [{string.Join(", ", lengths.shape)}]", nameof(lengths));
    }
}
