namespace Lrnn.PyTorchCheckpoints;

/// <summary>Gathers a strided view of a storage into row-major bytes; the view was checked to stay inside the storage.</summary>
internal static class StridedCopy
{
    public static void ToContiguous(byte[] storage, long offset, IReadOnlyList<long> shape, IReadOnlyList<long> stride, int elementSize, byte[] destination)
    {
        var dims = shape.Count;
        // The innermost run that is contiguous in the storage is copied in one block.
        var run = 1L;
        var inner = dims;
        while (inner > 0 && stride[inner - 1] == run)
        {
            run *= shape[inner - 1];
            inner--;
        }
        var runBytes = checked((int)(run * elementSize));
        var index = new long[inner];
        var written = 0L;
        while (written < destination.LongLength)
        {
            var element = offset;
            for (var d = 0; d < inner; d++) element += index[d] * stride[d];
            Buffer.BlockCopy(storage, checked((int)(element * elementSize)), destination, checked((int)written), runBytes);
            written += runBytes;
            for (var d = inner - 1; d >= 0; d--)
            {
                if (++index[d] < shape[d]) break;
                index[d] = 0;
            }
        }
    }
}
