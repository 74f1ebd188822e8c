using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Torch;

/// <summary>
/// libtorch raises some errors as a plain c10::Error whose kind only its message tells (issue 21): the CPU
/// allocator's failure, and gather's and scatter's index checks. They must arrive typed as the README promises,
/// the same as the errors libtorch already types.
/// </summary>
public sealed class ErrorClassificationTests
{
    [Fact]
    public void CpuAllocationFailureIsOutOfMemory()
    {
        // 2^50 floats: 4 PiB, past any address space, so the allocator fails at once without touching memory.
        var e = Assert.Throws<TorchOutOfMemoryException>(() => torch.empty(1L << 50).Dispose());
        Assert.Contains("allocate", e.Message);
        using var still = torch.ones(2); // the process goes on
        Assert.Equal(2, still.numel());
    }

    public static TheoryData<string> IndexOperations => ["gather", "scatter", "index_select", "select", "embedding"];

    [Theory]
    [MemberData(nameof(IndexOperations))]
    public void EveryOutOfRangeIndexIsAnIndexError(string operation)
    {
        using var weight = torch.ones(3, 4);
        using var ids = torch.tensor(new long[] { 0, 5 }, [2]);
        using var index = torch.tensor(new long[] { 0, 7, 1, 2 }, [1, 4]);
        Action act = operation switch
        {
            "gather" => () => weight.gather(0, index).Dispose(),
            "scatter" => () => weight.scatter(0, index, weight).Dispose(),
            "index_select" => () => weight.index_select(0, ids).Dispose(),
            "select" => () => weight.select(0, 5).Dispose(),
            "embedding" => () => torch.nn.functional.embedding(ids, weight).Dispose(),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };
        var e = Assert.Throws<TorchIndexException>(act);
        Assert.Contains("out of", e.Message);
    }

    [Fact]
    public void OtherErrorsStayPlain()
    {
        using var a = torch.ones(2, 3);
        using var b = torch.ones(4, 5);
        var e = Assert.Throws<TorchException>(() => a.add(b).Dispose());
        Assert.Equal(typeof(TorchException), e.GetType());
    }
}
