using BenchmarkDotNet.Attributes;
using Lrnn.Torch;
using Lrnn.Torch.Native;

namespace Lrnn.Benchmarks;

/// <summary>
/// The pieces of one binding call, measured apart so that a change in the per-op overhead of
/// <see cref="OverheadBenchmarks"/> can be traced to its cause: the bare P/Invoke transition, the SafeHandle
/// reference counting of tensor arguments, and the life cycle of a result handle (native holder, managed
/// Tensor + TensorHandle, dispose, free) without any libtorch work.
/// </summary>
[MemoryDiagnoser]
public class BindingCostBenchmarks
{
    private Tensor _a = null!;
    private Tensor _b = null!;

    [GlobalSetup]
    public void Setup() => (_a, _b) = BenchWorkloads.Inputs(BenchWorkload.Add16);

    /// <summary>A P/Invoke with no arguments to an export that only returns a constant.</summary>
    [Benchmark]
    public int PInvokeTransition() => NativeMethods.lrnn_abi_version();

    /// <summary>Two tensor arguments through TensorHandleMarshaller (a raw handle read, no AddRef/Release) to an export that barely works.</summary>
    [Benchmark]
    public int TwoTensorArguments() => NativeMethods.lrnn_tensor_same_storage(_a.Handle, _b.Handle);

    /// <summary>The managed half of a result: a TensorHandle (a finalizable SafeHandle) made and disposed.</summary>
    [Benchmark]
    public bool ManagedHandleLifeCycle()
    {
        using var handle = new TensorHandle();
        return handle.IsInvalid;
    }

    /// <summary>The native half of a result: a new at::Tensor holder (refcount +1) and its free, as raw pointers.</summary>
    [Benchmark]
    public IntPtr NativeHandleLifeCycle()
    {
        var alias = NativeMethods.lrnn_tensor_alias(_a.Handle);
        NativeMethods.lrnn_tensor_free(alias);
        return alias;
    }

    /// <summary>Both halves as the binding does them: lrnn_tensor_alias + Tensor + Dispose + free.</summary>
    [Benchmark]
    public bool ResultHandleLifeCycle()
    {
        using var alias = _a.alias();
        return alias.IsDisposed;
    }

    /// <summary>The same life cycle with the result registered in a dispose scope.</summary>
    [Benchmark]
    public bool ResultHandleLifeCycleInScope()
    {
        using var scope = torch.NewDisposeScope();
        return _a.alias().IsDisposed;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _a.Dispose();
        _b.Dispose();
    }
}
