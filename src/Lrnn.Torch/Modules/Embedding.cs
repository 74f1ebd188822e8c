namespace Lrnn.Torch.Modules;

/// <summary>
/// A lookup table of <c>num_embeddings</c> vectors of size <c>embedding_dim</c>: integer ids (...) → (..., dim).
/// Initialised N(0, 1); the padding row, if any, starts at zero and receives no gradient.
/// </summary>
public sealed class Embedding : Module<Tensor, Tensor>
{
    public Embedding(long num, long dim, long? paddingIdx = null, ScalarType? dtype = null, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(num);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        num_embeddings = num;
        embedding_dim = dim;
        padding_idx = paddingIdx is { } p ? torch.nn.functional.NormalizePaddingIdx(p, num) : null;
        var w = torch.nn.init.normal_(RegisterParameter("weight", torch.empty([num, dim], dtype, device)));
        if (padding_idx is { } row) Native.NativeErrors.Check(Native.NativeMethods.lrnn_embedding_zero_padding_row_(w.Handle, row));
    }

    public long num_embeddings { get; }
    public long embedding_dim { get; }

    /// <summary>The row that receives no gradient (normalised to be non-negative), or null.</summary>
    public long? padding_idx { get; }

    /// <summary>(num_embeddings, embedding_dim).</summary>
    public Tensor weight
    {
        get => GetParameter("weight")!;
        set => SetParameter("weight", value);
    }

    /// <summary>Int64 or Int32 ids (...) → (..., embedding_dim).</summary>
    public override Tensor forward(Tensor input) => torch.nn.functional.embedding(input, weight, padding_idx);

    public override string ToString() =>
        $"Embedding({num_embeddings}, {embedding_dim}{(padding_idx is { } p ? $", padding_idx={p}" : "")})";
}
