using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Support;

/// <summary>Device parameterisation: every device-aware test runs on the CPU and, when present, on CUDA.</summary>
public static class TestDevices
{
    private static readonly Lazy<bool> s_cuda = new(() => torch.cuda.is_available());

    public static bool CudaAvailable => s_cuda.Value;

    public const string NoCudaReason = "CUDA is not available on this machine (run scripts/gpu.sh on a GPU machine).";

    /// <summary>The skip reason of a theory row on <paramref name="device"/> ("cpu", "cuda", "cuda:N"), or null to run it.</summary>
    public static string? SkipReason(string device) =>
        device.StartsWith("cuda", StringComparison.Ordinal) && !CudaAvailable ? NoCudaReason : null;

    /// <summary>Theory data: "cpu" always, "cuda" skipped with a reason when no GPU is usable.</summary>
    public static TheoryData<string> All
    {
        get
        {
            var data = new TheoryData<string>();
            data.Add("cpu");
            data.Add(new TheoryDataRow<string>("cuda") { Skip = SkipReason("cuda") });
            return data;
        }
    }
}

/// <summary>A fact that runs only where CUDA is usable, and is reported as skipped (with the reason) elsewhere.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute(
        [System.Runtime.CompilerServices.CallerFilePath] string? sourceFilePath = null,
        [System.Runtime.CompilerServices.CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (!TestDevices.CudaAvailable) Skip = TestDevices.NoCudaReason;
    }
}
