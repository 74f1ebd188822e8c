namespace Lrnn.Torch.Native;

/// <summary>Error codes of the shim (<c>lrnn_error_code</c> in common.h).</summary>
internal enum ErrorCode
{
    Ok = 0,
    Torch = 1,
    OutOfMemory = 2,
    Index = 3,
    Value = 4,
    Type = 5,
    NotImplemented = 6,
    Std = 7,
    Unknown = 8,
    Argument = 9,
}
