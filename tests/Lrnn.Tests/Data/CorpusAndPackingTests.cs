using Lrnn.Data;
using Lrnn.Tests.SafeTensors;
using Lrnn.Tokenization;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Data;

public sealed class CorpusAndPackingTests
{
    private static readonly ByteTokenizer Tokenizer = new();

    [Fact]
    public void LoadsDocumentsSeparatedByBlankLinesFromAFileOrFolder()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("b.txt"), "Genesis 2\r\n1 Thus\r\n\r\n \r\nGenesis 3\n1 Now\n\n");
        File.WriteAllText(folder.File("a.txt"), "Genesis 1\n1 In the beginning\n2 And the earth");
        var corpus = TextCorpus.Load(folder.Path);
        Assert.Equal(["Genesis 1\n1 In the beginning\n2 And the earth", "Genesis 2\n1 Thus", "Genesis 3\n1 Now"], corpus.Documents);
        Assert.Equal(2, TextCorpus.Load(folder.File("b.txt")).Documents.Count);
        Assert.Throws<FileNotFoundException>(() => TextCorpus.Load(folder.File("missing.txt")));
    }

    [Fact]
    public void SplitHoldsOutWholeDocumentsReproducibly()
    {
        var corpus = new TextCorpus(Enumerable.Range(0, 20).Select(i => $"doc {i}").ToList());
        var (train, validation) = corpus.Split(0.1, seed: 3);
        Assert.Equal(2, validation.Documents.Count);
        Assert.Equal(18, train.Documents.Count);
        Assert.Empty(train.Documents.Intersect(validation.Documents));
        Assert.Equal(validation.Documents, corpus.Split(0.1, seed: 3).Validation.Documents);
        Assert.NotEqual(validation.Documents, corpus.Split(0.1, seed: 4).Validation.Documents);
    }

    [Fact]
    public void PacksDocumentsAndMasksLabelsAcrossBoundaries()
    {
        // Stream: BOS a b EOS BOS c d e EOS BOS f EOS  (12 tokens) → 2 sequences of 5 (+1 label token).
        var packed = new PackedSequences(["ab", "cde", "f"], Tokenizer, sequenceLength: 5);
        Assert.Equal(2, packed.Count);
        using var batch = packed.GetBatch([1, 0]);
        long B = 256, E = 257, X = PackedSequences.IgnoreIndex;
        long a = 'a', b = 'b', c = 'c', d = 'd', e = 'e', f = 'f';
        Assert.Equal([[c, d, e, E, B], [B, a, b, E, B]], Rows(batch.InputIds));
        Assert.Equal([[d, e, E, X, f], [a, b, E, X, c]], Rows(batch.Labels));
        Assert.Equal([[0L, 0, 0, 0, 1], [0L, 0, 0, 0, 1]], Rows(batch.DocumentIds));
        Assert.Equal(8, batch.TargetCount);
    }

    [Fact]
    public void SamplerCoversEveryEpochAndResumesFromItsPosition()
    {
        var sampler = new SequenceSampler(sequenceCount: 10, batchSize: 3, seed: 7);
        Assert.Equal(3, sampler.BatchesPerEpoch);
        var epoch0 = Enumerable.Range(0, 3).SelectMany(_ => sampler.Next()).ToList();
        Assert.Equal(9, epoch0.Distinct().Count());
        var rest = Enumerable.Range(0, 4).Select(_ => sampler.Next()).ToList();
        Assert.NotEqual(epoch0.Take(3), rest[0]);                       // a fresh permutation per epoch

        var resumed = new SequenceSampler(10, 3, seed: 7) { BatchesDrawn = 3 };
        Assert.Equal(rest, Enumerable.Range(0, 4).Select(_ => resumed.Next()).ToList());
    }

    private static long[][] Rows(Tensor t)
    {
        var values = t.ToArray<long>();
        var width = (int)t.size(1);
        return values.Chunk(width).ToArray();
    }
}
