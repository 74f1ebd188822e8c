using System.Buffers.Binary;
using System.Text.Unicode;

namespace Lrnn.SafeTensors;

/// <summary>
/// The parsed and validated header of a file: <c>[u64 little-endian N][N bytes of UTF-8 JSON][data buffer]</c>.
/// <see cref="Parse"/> applies every rule of the reference reader (<c>read_metadata</c> and
/// <c>Metadata::validate</c> in safetensors' tensor.rs) in the same order, so a file is accepted here exactly
/// when it is accepted there (up to the dtypes this library supports, and duplicate keys, which are refused).
/// </summary>
internal sealed class SafeTensorsHeader
{
    public const int LengthPrefixSize = 8;
    public const long MaxHeaderSize = 100_000_000;

    /// <summary>
    /// The most tensors one file may list. Real checkpoints hold hundreds to a few thousand tensors per file (the
    /// largest mixture-of-experts models spread tens of thousands over many shards); a header of more is either a
    /// mistake or an attack on the reader's time and memory (400,000 tiny tensors take seconds to index), and a
    /// model that truly has more shards them.
    /// </summary>
    public const int MaxTensorCount = 100_000;

    private SafeTensorsHeader(long dataStart, Dictionary<string, string> metadata, TensorInfo[] tensors)
    {
        DataStart = dataStart;
        Metadata = metadata;
        Tensors = tensors;
    }

    /// <summary>File offset of the data buffer: 8 + N.</summary>
    public long DataStart { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors in data-buffer order.</summary>
    public IReadOnlyList<TensorInfo> Tensors { get; }

    /// <param name="fileStart">The file's first bytes: all of them, or at least 8 + <see cref="MaxHeaderSize"/>.</param>
    /// <param name="fileLength">The length of the whole file.</param>
    /// <param name="path">Names the file in errors.</param>
    public static SafeTensorsHeader Parse(ReadOnlySpan<byte> fileStart, long fileLength, string path)
    {
        if (fileLength < LengthPrefixSize)
            throw Fail(SafeTensorsRule.HeaderTooSmall, path, $"the file has {fileLength} bytes; the header length alone takes {LengthPrefixSize}");
        var n = BinaryPrimitives.ReadUInt64LittleEndian(fileStart);
        if (n > MaxHeaderSize)
            throw Fail(SafeTensorsRule.HeaderTooLarge, path, $"the header length is {n} bytes; the limit is {MaxHeaderSize}");
        var dataStart = LengthPrefixSize + (long)n;
        if (dataStart > fileLength)
            throw Fail(SafeTensorsRule.InvalidHeaderLength, path, $"the header claims {n} bytes but the file has only {fileLength - LengthPrefixSize} after the length");

        var json = fileStart.Slice(LengthPrefixSize, (int)n);
        if (!Utf8.IsValid(json)) throw Fail(SafeTensorsRule.InvalidHeader, path, "the header is not valid UTF-8");
        var (metadata, entries) = HeaderJsonReader.Read(json, path);

        var tensors = Validate(entries, path);
        var dataLength = tensors.Length == 0 ? 0 : tensors[^1].End;
        if (dataStart + dataLength != fileLength)
            throw Fail(SafeTensorsRule.MetadataIncompleteBuffer, path,
                $"the tensors take {dataLength} bytes after the {dataStart}-byte header, so the file should have {dataStart + dataLength} bytes, but it has {fileLength}");
        return new SafeTensorsHeader(dataStart, metadata, tensors);
    }

    /// <summary>Checks that the entries, sorted by offsets, tile [0, END) and that each one's size matches its dtype and shape.</summary>
    private static TensorInfo[] Validate(List<HeaderEntry> entries, string path)
    {
        var sorted = SortedByOffsets(entries);
        var tensors = new TensorInfo[sorted.Length];
        ulong expectedBegin = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            var (name, dtype, shape, begin, end) = sorted[i];
            if (begin != expectedBegin || end < begin)
                throw Fail(SafeTensorsRule.InvalidOffset, path,
                    $"tensor '{name}' has data_offsets [{begin}, {end}) but must begin at {expectedBegin}, where the previous tensor ends (offsets must tile the buffer without gap or overlap)");
            expectedBegin = end;

            var byteSize = ByteSize(name, dtype, shape, path);
            if (end - begin != byteSize)
                throw Fail(SafeTensorsRule.TensorInvalidInfo, path,
                    $"tensor '{name}' ({dtype}, shape [{string.Join(", ", shape)}]) needs {byteSize} bytes but its data_offsets [{begin}, {end}) span {end - begin}");
            // Any real file proves END fits in a long, but that buffer-length check comes last (as in the
            // reference), so guard the conversion here.
            if (end > long.MaxValue)
                throw Fail(SafeTensorsRule.MetadataIncompleteBuffer, path, $"tensor '{name}' ends at byte {end}, beyond any file");
            var signedShape = new long[shape.Length];
            for (var d = 0; d < shape.Length; d++) signedShape[d] = (long)shape[d]; // ByteSize proved each fits
            tensors[i] = new TensorInfo(name, dtype, signedShape, (long)begin, (long)end);
        }
        return tensors;
    }

    /// <summary>
    /// The entries ordered by (BEGIN, END), ties in header order (a stable sort, as the reference's). Writers emit
    /// them in that order already, so an O(n) check usually replaces the sort.
    /// </summary>
    private static HeaderEntry[] SortedByOffsets(List<HeaderEntry> entries)
    {
        var array = entries.ToArray();
        var ordered = true;
        for (var i = 1; i < array.Length && ordered; i++)
            ordered = (array[i - 1].Begin, array[i - 1].End).CompareTo((array[i].Begin, array[i].End)) <= 0;
        if (ordered) return array;
        var keys = new (ulong Begin, ulong End, int Index)[array.Length];
        for (var i = 0; i < array.Length; i++) keys[i] = (array[i].Begin, array[i].End, i);
        Array.Sort(keys, array);
        return array;
    }

    /// <summary>
    /// The byte size of the shape, or ValidationOverflow. Beyond the reference's rule (element and byte counts fit in
    /// u64), the dimensions become libtorch sizes, which are int64: every dimension, and the product of the non-zero
    /// ones (a contiguous stride), must fit in int64. Without that a zero-element shape such as [2^62, 2, 0] passed
    /// here and overflowed later, in the conversion to a tensor.
    /// </summary>
    private static ulong ByteSize(string name, SafeTensorsDtype dtype, ulong[] shape, string path)
    {
        ulong count = 1, nonZero = 1;
        var overflow = false;
        foreach (var d in shape)
        {
            overflow |= Math.BigMul(count, d, out count) != 0;
            if (d != 0) overflow |= Math.BigMul(nonZero, d, out nonZero) != 0 || nonZero > long.MaxValue;
        }
        overflow |= Math.BigMul(count, (ulong)dtype.ElementSize(), out var bytes) != 0;
        if (!overflow) return bytes;
        throw Fail(SafeTensorsRule.ValidationOverflow, path,
            $"tensor '{name}' has shape [{string.Join(", ", shape)}] of {dtype}, whose size overflows 64 bits, or whose dimensions " +
            "(each, and the product of the non-zero ones) do not fit in int64, as libtorch's sizes must");
    }

    private static SafeTensorsFormatException Fail(SafeTensorsRule rule, string path, string detail) => new(rule, path, detail);
}
