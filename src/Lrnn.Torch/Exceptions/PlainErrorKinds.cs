using System.Text.RegularExpressions;
using Lrnn.Torch.Native;

namespace Lrnn.Torch;

/// <summary>
/// libtorch raises some errors as a plain <c>c10::Error</c> (TORCH_CHECK) whose kind only the message tells, so the
/// shim's catch ladder reports them as generic. This is the one place they are given their kind, so every export
/// types them alike:
/// <list type="bullet">
/// <item>the CPU allocator's failure, "DefaultCPUAllocator: can't allocate memory" (c10/core/impl/alloc_cpu.cpp, an
/// <c>enforce</c> on posix_memalign, libtorch 1.13 and 2.x) is out of memory, as a CUDA allocation failure
/// (c10::OutOfMemoryError) and std::bad_alloc already are;</item>
/// <item>"index I is out of bounds for dimension D with size S", the check of gather, scatter and scatter_add
/// (aten/src/ATen/native/cpu/ScatterGatherKernel.cpp), is an index error, as index_select's, select's and
/// embedding's (TORCH_CHECK_INDEX, c10::IndexError) already are.</item>
/// </list>
/// </summary>
internal static partial class PlainErrorKinds
{
    public static ErrorCode Refine(ErrorCode code, string message)
    {
        if (code != ErrorCode.Torch) return code;
        if (message.Contains("DefaultCPUAllocator: can't allocate memory", StringComparison.Ordinal) ||
            message.Contains("DefaultCPUAllocator: not enough memory", StringComparison.Ordinal))
            return ErrorCode.OutOfMemory;
        if (IndexOutOfBounds().IsMatch(message)) return ErrorCode.Index;
        return code;
    }

    [GeneratedRegex(@"\bindex -?\d+ is out of bounds for dimension -?\d+ with size \d+")]
    private static partial Regex IndexOutOfBounds();
}
