namespace Lrnn.Data;

/// <summary>
/// Draws batches of sequence indices: every epoch is a fresh permutation of all sequences, drawn from
/// (<paramref name="seed"/>, epoch), and cut into batches (a last partial batch is dropped). The state is one number,
/// <see cref="BatchesDrawn"/>: setting it resumes the exact stream an uninterrupted run would have drawn.
/// </summary>
public sealed class SequenceSampler(int sequenceCount, int batchSize, int seed)
{
    private int[]? _order;
    private long _orderEpoch = -1;

    public int BatchesPerEpoch { get; } = sequenceCount / batchSize > 0
        ? sequenceCount / batchSize
        : throw new ArgumentException($"{sequenceCount} sequences cannot fill one batch of {batchSize}");

    /// <summary>Batches drawn so far (over all epochs).</summary>
    public long BatchesDrawn { get; set; }

    public long Epoch => BatchesDrawn / BatchesPerEpoch;

    public int[] Next()
    {
        var epoch = Epoch;
        if (epoch != _orderEpoch)
        {
            _order = Enumerable.Range(0, sequenceCount).ToArray();
            // Not HashCode.Combine: it is randomised per process, and the stream must be the same in every run.
            new Random(unchecked(seed * 1_000_003 + (int)epoch)).Shuffle(_order);
            _orderEpoch = epoch;
        }
        var first = (int)(BatchesDrawn % BatchesPerEpoch) * batchSize;
        BatchesDrawn++;
        return _order.AsSpan(first, batchSize).ToArray();
    }
}
