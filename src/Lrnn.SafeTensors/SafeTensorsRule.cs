namespace Lrnn.SafeTensors;

/// <summary>
/// The rule a file broke. The first names are the error variants of the reference reader
/// (<c>SafeTensorError</c> in safetensors' tensor.rs), so a failure can be matched against its tests.
/// </summary>
public enum SafeTensorsRule
{
    /// <summary>The file is shorter than the 8-byte header length.</summary>
    HeaderTooSmall,
    /// <summary>The header length is over 100,000,000 bytes.</summary>
    HeaderTooLarge,
    /// <summary>8 + header length is past the end of the file.</summary>
    InvalidHeaderLength,
    /// <summary>The header is not UTF-8.</summary>
    InvalidHeader,
    /// <summary>The header is not JSON of the expected schema: syntax, a missing, duplicate, negative or
    /// mistyped field, an unsupported dtype, or a metadata value that is not a string.</summary>
    InvalidHeaderDeserialization,
    /// <summary>Sorted by offset, the tensors do not tile the data buffer from 0 without gap or overlap.</summary>
    InvalidOffset,
    /// <summary>The element count or byte size of a shape overflows 64 bits.</summary>
    ValidationOverflow,
    /// <summary>A tensor's END − BEGIN differs from the byte size of its dtype and shape.</summary>
    TensorInvalidInfo,
    /// <summary>The data buffer is not exactly as long as the tensors (missing or trailing bytes).</summary>
    MetadataIncompleteBuffer,
    /// <summary>A sharded checkpoint's index is not valid JSON of the expected schema, or names a tensor its
    /// shard does not hold.</summary>
    InvalidIndex,
    /// <summary>A shard named by the index lies outside the index's folder (absolute path, "..", a folder
    /// part, or a symbolic link that leads out).</summary>
    ShardPathEscapesFolder,
    /// <summary>The header lists more than <see cref="SafeTensorsFile.MaxTensorCount"/> tensors (a limit of this
    /// reader, not of the format: it bounds the time and memory one header can cost).</summary>
    TooManyTensors,
}
