namespace Lrnn.Torch;

/// <summary>
/// A libtorch operation failed. The message is libtorch's own, without the C++ backtrace. The process and
/// every other tensor are unaffected: the shim catches every C++ exception at the ABI boundary.
/// </summary>
public class TorchException : Exception
{
    public TorchException(string message) : base(message) { }
    public TorchException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The allocator ran out of memory: c10::OutOfMemoryError (CUDA), std::bad_alloc, or the CPU allocator's
/// "can't allocate memory" (see <see cref="PlainErrorKinds"/>).</summary>
public sealed class TorchOutOfMemoryException : TorchException
{
    public TorchOutOfMemoryException(string message) : base(message) { }
}

/// <summary>An index or dimension was out of range: c10::IndexError, or gather's and scatter's bounds check
/// (see <see cref="PlainErrorKinds"/>).</summary>
public sealed class TorchIndexException : TorchException
{
    public TorchIndexException(string message) : base(message) { }
}

/// <summary>An operation was given a tensor of the wrong dtype or kind (c10::TypeError).</summary>
public sealed class TorchTypeException : TorchException
{
    public TorchTypeException(string message) : base(message) { }
}

/// <summary>libtorch has no implementation for this operation, dtype or device (c10::NotImplementedError).</summary>
public sealed class TorchNotImplementedException : TorchException
{
    public TorchNotImplementedException(string message) : base(message) { }
}

/// <summary>The native shim or libtorch could not be loaded; the message lists every path tried.</summary>
public sealed class TorchNativeLoadException : Exception
{
    public TorchNativeLoadException(string message) : base(message) { }
}
