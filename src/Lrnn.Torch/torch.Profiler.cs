using Lrnn.Torch.Native;

namespace Lrnn.Torch;

public static partial class torch
{
    /// <summary>libtorch's Kineto profiler, as PyTorch's <c>torch.profiler</c>.</summary>
    public static class profiler
    {
        /// <summary>
        /// Starts recording the ops this thread dispatches and, with <paramref name="cuda"/>, the kernels and copies the
        /// GPU runs (CUPTI activity tracing). Stop it on the same thread (<see cref="Profile.stop"/> or Dispose), then
        /// <see cref="Profile.export_chrome_trace"/>. One profile at a time per process.
        /// </summary>
        /// <exception cref="TorchNotImplementedException">this libtorch has no Kineto (<see cref="is_available"/> is false).</exception>
        /// <exception cref="InvalidOperationException">a profile is already running.</exception>
        public static Profile profile(bool cuda = false) => Profile.Start(cuda);

        /// <summary>Whether this libtorch has Kineto, the trace profiler: PyTorch's own libtorch does, Debian's libtorch-dev does not.</summary>
        public static bool is_available() => NativeMethods.lrnn_profiler_available() == 1;
    }
}

/// <summary>
/// One profiler session (<see cref="torch.profiler.profile"/>): running until <see cref="stop"/>, then holding what it
/// recorded until disposed.
/// <code>
/// using (var prof = torch.profiler.profile(cuda: true))
/// {
///     model.Forward(x);
///     torch.cuda.synchronize();
///     prof.stop();
///     prof.export_chrome_trace("trace.json");
/// }
/// </code>
/// </summary>
public sealed class Profile : IDisposable
{
    private readonly int _thread = Environment.CurrentManagedThreadId;
    private ProfilerResultHandle? _result;
    private bool _disposed;

    private Profile() { }

    // 1 while a profile records. libtorch 2.x lets a second start through and then mixes the two sessions; 1.13 refuses it.
    private static int s_running;

    internal static Profile Start(bool cuda)
    {
        if (Interlocked.CompareExchange(ref s_running, 1, 0) != 0)
            throw new InvalidOperationException("profiler: a profile is already running; stop it first (one at a time per process)");
        try
        {
            NativeErrors.Check(NativeMethods.lrnn_profiler_start(cuda ? 1 : 0));
        }
        catch
        {
            Volatile.Write(ref s_running, 0);
            throw;
        }
        return new Profile();
    }

    private void StopNative()
    {
        try
        {
            _result = NativeMethods.lrnn_profiler_stop();
        }
        finally
        {
            Volatile.Write(ref s_running, 0);
        }
    }

    /// <summary>Whether the profiler is still recording.</summary>
    public bool IsRunning => _result is null && !_disposed;

    /// <summary>Stops recording; a second call does nothing. Call it on the thread that started the profile.</summary>
    public void stop()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_result is not null) return;
        if (Environment.CurrentManagedThreadId != _thread)
            throw new InvalidOperationException("profiler: stop it on the thread that started it (libtorch's profiler state is per thread)");
        StopNative();
        if (_result!.IsInvalid)
        {
            _result.Dispose();
            _result = null;
            _disposed = true;   // nothing recorded is left; the profiler itself is stopped
            throw NativeErrors.Last("profiler");
        }
    }

    /// <summary>
    /// Writes the recorded events as a Chrome trace (JSON; chrome://tracing or ui.perfetto.dev). The file is written
    /// beside <paramref name="path"/> and moved over it once libtorch has returned, so an existing trace at
    /// <paramref name="path"/> is replaced whole or not at all.
    /// </summary>
    public void export_chrome_trace(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_result is null) throw new InvalidOperationException("profiler: stop() the profile before exporting it");
        var full = Path.GetFullPath(path);
        var partial = full + ".partial";
        try
        {
            NativeErrors.Check(NativeMethods.lrnn_profiler_result_save(_result, partial));
            // Kineto logs a file it cannot open or write instead of failing the call: check that the trace is there.
            var written = new FileInfo(partial);
            if (!written.Exists || written.Length == 0)
                throw new IOException($"profiler: libtorch wrote no trace to {partial} (is the folder writable?)");
            File.Move(partial, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(partial)) File.Delete(partial);
        }
    }

    /// <summary>
    /// Stops the profiler if it still runs and frees what it recorded. A running profile must be disposed on the thread
    /// that started it (libtorch's profiler state is per thread); elsewhere this throws and the profile keeps running.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        // On another thread libtorch's per-thread state cannot be reached: the session keeps recording on its thread,
        // so the process-wide guard stays set (a second session would mix with it) until that thread stops it.
        if (_result is null && Environment.CurrentManagedThreadId != _thread)
            throw new InvalidOperationException("profiler: dispose (or stop) the profile on the thread that started it");
        if (_result is null) StopNative();
        _disposed = true;
        _result?.Dispose();
    }
}
