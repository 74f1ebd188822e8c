namespace Lrnn.Torch;

/// <summary>
/// Explains a failed native call with an <see cref="ArgumentException"/> that names the shapes, when the cause is
/// one of the common caller mistakes (mismatched inner dimensions, wrong ranks, a target that does not fit the
/// logits). The checks run only after libtorch has rejected the call, so the hot path pays for no shape queries.
/// Callers capture <c>NativeErrors.Last()</c> first: the shape queries here reset the native error record.
/// Anything not recognised is returned unchanged.
/// </summary>
internal static class ShapeDiagnostics
{
    internal static Exception Matmul(Tensor a, Tensor b, Exception native)
    {
        long[] sa = a.shape, sb = b.shape;
        if (sa.Length == 0 || sb.Length == 0)
            return new ArgumentException($"matmul needs tensors of rank >= 1, got {D(sa)} @ {D(sb)}.", native);
        long ka = sa[^1], kb = sb.Length == 1 ? sb[0] : sb[^2];
        if (ka != kb)
            return new ArgumentException($"matmul: inner dimensions differ: {D(sa)} @ {D(sb)} contracts {ka} with {kb}.", native);
        return native;
    }

    internal static Exception Bmm(Tensor a, Tensor b, Exception native)
    {
        long[] sa = a.shape, sb = b.shape;
        if (sa.Length != 3 || sb.Length != 3)
            return new ArgumentException($"bmm needs two rank-3 tensors (B, n, k) and (B, k, m), got {D(sa)} and {D(sb)}; use matmul to broadcast.", native);
        if (sa[0] != sb[0])
            return new ArgumentException($"bmm: batch sizes differ: {D(sa)} and {D(sb)}.", native);
        if (sa[2] != sb[1])
            return new ArgumentException($"bmm: inner dimensions differ: {D(sa)} @ {D(sb)} contracts {sa[2]} with {sb[1]}.", native);
        return native;
    }

    /// <summary>cross_entropy / nll_loss: input (N, C, d1, ...) or (C); class indices (N, d1, ...) or probabilities like the input.</summary>
    internal static Exception ClassTarget(string op, Tensor input, Tensor target, Exception native)
    {
        long[] si = input.shape, st = target.shape;
        if (si.Length == 0)
            return new ArgumentException($"{op}: the input needs a class dimension, got a scalar.", native);
        var type = target.dtype;
        if (type.IsFloatingPoint())
        {
            if (!si.SequenceEqual(st))
                return new ArgumentException($"{op}: a floating target is read as class probabilities and must have the input's shape {D(si)}, got {D(st)}; class indices must be Int64.", native);
            return native;
        }
        if (type != ScalarType.Int64)
            return new ArgumentException($"{op}: class-index targets must be Int64, got {type}; convert with .to(torch.int64).", native);
        var expected = si.Length == 1 ? Array.Empty<long>() : si.Where((_, k) => k != 1).ToArray();
        if (!expected.SequenceEqual(st))
        {
            var hint = si.Length >= 3 && st.SequenceEqual(si[..^1])
                ? $" Dimension 1 is the class dimension: flatten (B, L, C) logits with view(-1, {si[^1]}) and the target with view(-1)."
                : "";
            return new ArgumentException($"{op}: a target of shape {D(st)} does not fit an input of shape {D(si)}: class indices need shape {D(expected)}.{hint}", native);
        }
        return native;
    }

    /// <summary>The shape mistake of an attention call (null when q, k and v fit together).</summary>
    internal static ArgumentException? AttentionMismatch(Tensor q, Tensor k, Tensor v)
    {
        long[] sq = q.shape, sk = k.shape, sv = v.shape;
        if (sq.Length < 2 || sk.Length < 2 || sv.Length < 2)
            return new ArgumentException($"scaled_dot_product_attention needs (..., L, E) tensors, got query {D(sq)}, key {D(sk)}, value {D(sv)}.");
        if (sq[^1] != sk[^1])
            return new ArgumentException($"scaled_dot_product_attention: query {D(sq)} and key {D(sk)} differ in the embedding size.");
        if (sk[^2] != sv[^2])
            return new ArgumentException($"scaled_dot_product_attention: key {D(sk)} and value {D(sv)} differ in the sequence length.");
        return null;
    }

    private static string D(long[] shape) => Tensor.Dims(shape);
}
