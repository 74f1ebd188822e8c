using Lrnn.Torch;

namespace Lrnn.Modules;

/// <summary>
/// The documents of packed rows as sequences of their own, so that every mixer starts each document from a fresh
/// state: the rows' documents are gathered into one right-padded batch of S segments, (B, L, …) → (S, L_max, …), the
/// mixer runs on it with the segment lengths as <see cref="MixerContext.Lengths"/>, and the outputs are gathered back,
/// (S, L_max, …) → (B, L, …). Every mixer already makes right padding invisible to the valid positions (the scans turn
/// it into identity updates, the LTI mixers zero it, causal ones cannot see it), so a token's output depends only on
/// its own document's earlier tokens, exactly as if that document were run alone. One generic mechanism: no mixer
/// knows about documents. Both gathers are <c>index_select</c>s, so gradients flow back to the packed rows.
/// <para>
/// The index maps are built once per model forward (on the host, from one copy of the (B, L) ids: a single
/// synchronisation) and reused by every layer. The cost is the padding: each layer mixes S × L_max positions
/// instead of B × L, where L_max is the longest document of the batch.
/// </para>
/// </summary>
public sealed class DocumentSegments : IDisposable
{
    private readonly Tensor _gather;    // (S·L_max): the flat (B·L) position each segment position reads (padding: its segment's last token)
    private readonly Tensor _scatter;   // (B·L): the flat (S·L_max) position that holds each token

    private DocumentSegments(long batch, long length, long[] segmentLengths, long[] gather, long[] scatter, Device device)
    {
        (Batch, Length) = (batch, length);
        (SegmentCount, MaxSegmentLength) = (segmentLengths.Length, segmentLengths.Max());
        Lengths = torch.tensor(segmentLengths, [SegmentCount], device).DetachFromDisposeScope();
        _gather = torch.tensor(gather, [gather.Length], device).DetachFromDisposeScope();
        _scatter = torch.tensor(scatter, [scatter.Length], device).DetachFromDisposeScope();
    }

    public long Batch { get; }
    public long Length { get; }

    /// <summary>S: the documents of all rows.</summary>
    public long SegmentCount { get; }

    /// <summary>L_max: the longest document, the padded length of the segments.</summary>
    public long MaxSegmentLength { get; }

    /// <summary>(S) int64: each segment's tokens, in row order (row 0's documents first).</summary>
    public Tensor Lengths { get; }

    /// <summary>
    /// The segments of <paramref name="documentIds"/> (B, L) int64, non-decreasing along each row (a token belongs to
    /// the document of its id; a change of id starts the next one), on the device of the (B, L) tokens they label;
    /// null when every row is one document, where there is nothing to reset.
    /// </summary>
    public static DocumentSegments? Create(Tensor documentIds, Tensor inputIds)
    {
        if (documentIds.dim() != 2 || !documentIds.shape.SequenceEqual(inputIds.shape))
            throw new ArgumentException($"document_ids must have the shape of input_ids [{string.Join(", ", inputIds.shape)}], one id per token; " +
                                        $"got [{string.Join(", ", documentIds.shape)}]", nameof(documentIds));
        if (documentIds.dtype != ScalarType.Int64)
            throw new ArgumentException($"document_ids must be int64; got {documentIds.dtype}", nameof(documentIds));
        if (documentIds.device != inputIds.device)
            throw new ArgumentException($"document_ids are on {documentIds.device}, input_ids on {inputIds.device}", nameof(documentIds));

        var (batch, length) = (documentIds.size(0), documentIds.size(1));
        long[] ids;
        using (var host = documentIds.cpu()) ids = host.ToArray<long>();
        var starts = new List<long>();                                        // flat (B·L) position of each segment's first token
        var segmentLengths = new List<long>();
        for (var row = 0L; row < batch; row++)
        for (var t = 0L; t < length; t++)
        {
            var at = row * length + t;
            if (t > 0 && ids[at] < ids[at - 1])
                throw new ArgumentException($"document_ids must be non-decreasing along each row; row {row} goes from {ids[at - 1]} to {ids[at]} at position {t}",
                    nameof(documentIds));
            if (t == 0 || ids[at] != ids[at - 1])
            {
                starts.Add(at);
                segmentLengths.Add(0);
            }
            segmentLengths[^1]++;
        }
        if (length == 0 || starts.Count == batch) return null;

        var maxLength = segmentLengths.Max();
        var gather = new long[starts.Count * maxLength];
        var scatter = new long[batch * length];
        for (var s = 0; s < starts.Count; s++)
        for (var t = 0L; t < maxLength; t++)
        {
            var source = starts[s] + Math.Min(t, segmentLengths[s] - 1);
            gather[s * maxLength + t] = source;
            if (t < segmentLengths[s]) scatter[source] = s * maxLength + t;
        }
        return new DocumentSegments(batch, length, [.. segmentLengths], gather, scatter, documentIds.device);
    }

    /// <summary>
    /// Runs <paramref name="mixer"/> on every document alone: x (B, L, D) → (B, L, D). Per-token inputs of the context
    /// (<see cref="MixerContext.IntegrationTimesteps"/>) are segmented with x; the segment lengths become its lengths.
    /// </summary>
    public Tensor Forward(Mixer mixer, Tensor x, MixerContext context)
    {
        if (context.Lengths is not null || context.Cache is not null)
            throw new ArgumentException("documents are sequences of their own: lengths and a cache do not apply to them", nameof(context));
        using var segments = ToSegments(x);                                                   // (S, L_max, D)
        using var timesteps = context.IntegrationTimesteps is { } t ? ToSegments(t) : null;   // (S, L_max)
        using var mixed = mixer.Forward(segments, context with { Lengths = Lengths, IntegrationTimesteps = timesteps });
        return ToRows(mixed);
    }

    /// <summary>(B, L, …) → (S, L_max, …); padding positions repeat their segment's last token.</summary>
    public Tensor ToSegments(Tensor rows)
    {
        if (rows.dim() < 2 || rows.size(0) != Batch || rows.size(1) != Length)
            throw new ArgumentException($"expected a tensor of shape ({Batch}, {Length}, …), one entry per token; got [{string.Join(", ", rows.shape)}]", nameof(rows));
        return Regroup(rows, _gather, [SegmentCount, MaxSegmentLength]);
    }

    /// <summary>(S, L_max, …) → (B, L, …); padding positions are dropped.</summary>
    public Tensor ToRows(Tensor segments)
    {
        if (segments.dim() < 2 || segments.size(0) != SegmentCount || segments.size(1) != MaxSegmentLength)
            throw new ArgumentException($"expected a tensor of shape ({SegmentCount}, {MaxSegmentLength}, …), one entry per segment position; " +
                                        $"got [{string.Join(", ", segments.shape)}]", nameof(segments));
        return Regroup(segments, _scatter, [Batch, Length]);
    }

    /// <summary>Selects the flat positions <paramref name="index"/> of x's first two dimensions and lays them out as <paramref name="leading"/>.</summary>
    private static Tensor Regroup(Tensor x, Tensor index, long[] leading)
    {
        using var flat = x.flatten(0, 1);                                                     // (N, …)
        using var picked = flat.index_select(0, index);                                       // (M, …)
        return picked.view([.. leading, .. x.shape.Skip(2)]);
    }

    public void Dispose()
    {
        Lengths.Dispose();
        _gather.Dispose();
        _scatter.Dispose();
    }
}
