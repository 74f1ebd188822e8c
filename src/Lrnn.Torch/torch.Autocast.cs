using Lrnn.Torch.Native;

namespace Lrnn.Torch;

// Automatic mixed precision.
public static partial class torch
{
    /// <summary>
    /// <c>using (torch.autocast(ScalarType.BFloat16)) { ... }</c>: inside the block, eligible ops on tensors of
    /// <paramref name="device_type"/> run in <paramref name="dtype"/> (matmuls, linear layers) or float32
    /// (reductions, losses), as libtorch's autocast lists decide. The state is per thread; the block restores
    /// the previous one and, when it is the outermost, clears the cache of casted weights.
    /// CUDA autocast has no effect in a build without CUDA (there are no CUDA tensors); CPU autocast works in
    /// every build (bfloat16).
    /// </summary>
    public static AutocastGuard autocast(ScalarType dtype, DeviceType device_type = DeviceType.CUDA, bool enabled = true) =>
        new(device_type, dtype, enabled);

    public static bool is_autocast_enabled(DeviceType device_type = DeviceType.CUDA) =>
        NativeErrors.Check((long)NativeMethods.lrnn_autocast_is_enabled((int)device_type)) == 1;

    /// <summary>The dtype autocast casts to on <paramref name="device_type"/> (float16 for CUDA, bfloat16 for CPU by default).</summary>
    public static ScalarType get_autocast_dtype(DeviceType device_type = DeviceType.CUDA) =>
        (ScalarType)NativeErrors.Check((long)NativeMethods.lrnn_autocast_get_dtype((int)device_type));
}

/// <summary>An autocast block (see <see cref="torch.autocast"/>). Dispose it on the thread that created it.</summary>
public sealed class AutocastGuard : IDisposable
{
    private readonly int _threadId = Environment.CurrentManagedThreadId;
    private readonly DeviceType _deviceType;
    private readonly bool _previousEnabled;
    private readonly ScalarType _previousDtype;
    private bool _disposed;

    internal AutocastGuard(DeviceType deviceType, ScalarType dtype, bool enabled)
    {
        if (dtype is not (ScalarType.BFloat16 or ScalarType.Float16))
            throw new ArgumentException($"autocast casts to BFloat16 or Float16, not {dtype}.", nameof(dtype));
        _deviceType = deviceType;
        _previousEnabled = torch.is_autocast_enabled(deviceType);
        _previousDtype = torch.get_autocast_dtype(deviceType);
        NativeErrors.Check(NativeMethods.lrnn_autocast_set_dtype((int)deviceType, (int)dtype));
        NativeErrors.Check(NativeMethods.lrnn_autocast_set_enabled((int)deviceType, enabled ? 1 : 0));
        NativeErrors.Check((long)NativeMethods.lrnn_autocast_enter());
    }

    public void Dispose()
    {
        if (_disposed) return;
        if (Environment.CurrentManagedThreadId != _threadId)
            throw new InvalidOperationException("An autocast block must be disposed on the thread that created it.");
        _disposed = true;
        NativeErrors.Check((long)NativeMethods.lrnn_autocast_exit());
        NativeErrors.Check(NativeMethods.lrnn_autocast_set_enabled((int)_deviceType, _previousEnabled ? 1 : 0));
        NativeErrors.Check(NativeMethods.lrnn_autocast_set_dtype((int)_deviceType, (int)_previousDtype));
    }
}
