using Lrnn.Tokenization;
using Lrnn.Torch;

namespace Lrnn.Data;

/// <summary>
/// Documents tokenised as <c>BOS text EOS</c>, concatenated into one stream and cut into training sequences of
/// <see cref="SequenceLength"/> tokens (no padding is wasted). Sequence i holds stream tokens
/// [i·L, (i+1)·L) as inputs and the next token of each as its label. A label that belongs to another document than
/// its input token (the EOS → next BOS transition) is <see cref="IgnoreIndex"/>, so nothing is learned across a
/// boundary; per-token document ids (numbered from 0 within each sequence) let a model reset state where they change.
/// </summary>
public sealed class PackedSequences
{
    /// <summary>The label of positions that carry no loss (F.cross_entropy's default ignore_index).</summary>
    public const long IgnoreIndex = -100;

    private readonly long[] _tokens;       // the stream, one more token than the sequences cover
    private readonly int[] _documents;     // the document index of every stream token
    private readonly int[] _bytes;         // the UTF-8 bytes every stream token stands for

    public PackedSequences(IEnumerable<string> documents, LrnnTokenizer tokenizer, int sequenceLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 2);
        var tokens = new List<long>();
        var owners = new List<int>();
        var index = 0;
        foreach (var document in documents)
        {
            var ids = tokenizer.Encode(document, addBos: true, addEos: true);
            tokens.AddRange(ids);
            owners.AddRange(Enumerable.Repeat(index++, ids.Length));
        }
        SequenceLength = sequenceLength;
        Count = (tokens.Count - 1) / sequenceLength;
        if (Count == 0)
            throw new ArgumentException($"the documents hold {tokens.Count} tokens: too few for one sequence of {sequenceLength} + 1", nameof(documents));
        _tokens = tokens.ToArray();
        _documents = owners.ToArray();
        _bytes = Array.ConvertAll(_tokens, tokenizer.ByteLength);
    }

    public int SequenceLength { get; }

    /// <summary>Number of sequences (the tail of the stream shorter than a sequence is dropped).</summary>
    public int Count { get; }

    /// <summary>Tokens covered by the sequences.</summary>
    public long TokenCount => (long)Count * SequenceLength;

    /// <summary>Sequences <paramref name="indices"/> as one batch on <paramref name="device"/>.</summary>
    public TrainingBatch GetBatch(IReadOnlyList<int> indices, Device? device = null)
    {
        var length = SequenceLength;
        var inputs = new long[indices.Count * length];
        var labels = new long[inputs.Length];
        var documentIds = new long[inputs.Length];
        var targets = 0L;
        var targetBytes = 0L;
        for (var row = 0; row < indices.Count; row++)
        {
            var sequence = indices[row];
            if ((uint)sequence >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), $"sequence {sequence} of {Count}");
            var start = sequence * length;
            var firstDocument = _documents[start];
            for (var t = 0; t < length; t++)
            {
                var at = row * length + t;
                inputs[at] = _tokens[start + t];
                var sameDocument = _documents[start + t + 1] == _documents[start + t];
                labels[at] = sameDocument ? _tokens[start + t + 1] : IgnoreIndex;
                if (sameDocument)
                {
                    targets++;
                    targetBytes += _bytes[start + t + 1];
                }
                documentIds[at] = _documents[start + t] - firstDocument;
            }
        }
        long[] shape = [indices.Count, length];
        return new TrainingBatch(torch.tensor(inputs, shape, device), torch.tensor(labels, shape, device), torch.tensor(documentIds, shape, device), targets, targetBytes);
    }
}
