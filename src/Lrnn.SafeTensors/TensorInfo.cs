namespace Lrnn.SafeTensors;

/// <summary>One header entry: <c>{"dtype", "shape", "data_offsets": [Begin, End)}</c>, offsets relative to the data buffer.</summary>
internal readonly record struct TensorInfo(string Name, SafeTensorsDtype Dtype, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;
}
