using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

/// <summary>Turns the shim's thread-local error record into a typed .NET exception.</summary>
internal static class NativeErrors
{
    internal static Exception Last(string? context = null)
    {
        var message = Marshal.PtrToStringUTF8(NativeMethods.lrnn_last_error_message()) ?? "";
        var code = PlainErrorKinds.Refine((ErrorCode)NativeMethods.lrnn_last_error_code(), message);
        if (code == ErrorCode.Ok) message = "native call returned no result and reported no error";
        if (context is not null) message = context + ": " + message;
        return code switch
        {
            ErrorCode.OutOfMemory => new TorchOutOfMemoryException(message),
            ErrorCode.Index => new TorchIndexException(message),
            ErrorCode.Type => new TorchTypeException(message),
            ErrorCode.NotImplemented => new TorchNotImplementedException(message),
            ErrorCode.Argument => new ArgumentException(message),
            _ => new TorchException(message),
        };
    }

    /// <summary>Throws the pending native error when <paramref name="status"/> is negative.</summary>
    internal static void Check(int status)
    {
        if (status < 0) throw Last();
    }

    internal static long Check(long value)
    {
        if (value < 0 && NativeMethods.lrnn_last_error_code() != 0) throw Last();
        return value;
    }
}
