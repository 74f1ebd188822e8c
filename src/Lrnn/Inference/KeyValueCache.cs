using Lrnn.Torch;

namespace Lrnn.Inference;

/// <summary>
/// An attention layer's keys and values, preallocated for maxSeqLen tokens in lrnnx's (mamba_ssm's) layout
/// (B, maxSeqLen, 2, H_kv, head_dim): index 0 of dim 2 holds keys, 1 values. Keys are stored after the rotary
/// embedding, so a step only rotates its own query and key.
/// </summary>
public sealed class KeyValueCache : MixerCache
{
    public KeyValueCache(long batch, long maxSeqLen, long numHeadsKv, long headDim, ScalarType dtype, Device device)
        : base(batch, maxSeqLen)
    {
        KeyValues = torch.zeros([batch, maxSeqLen, 2, numHeadsKv, headDim], dtype, device).DetachFromDisposeScope();
    }

    /// <summary>(B, maxSeqLen, 2, H_kv, head_dim); positions ≥ <see cref="MixerCache.Position"/> are unused.</summary>
    public Tensor KeyValues { get; }

    /// <summary>Writes kv (B, T, 2, H_kv, head_dim) at the current position and returns the filled prefix (B, Position + T, 2, H_kv, head_dim).</summary>
    internal Tensor Append(Tensor kv)
    {
        var tokens = kv.size(1);
        EnsureRoom(tokens);
        using (torch.no_grad())
        using (var slot = KeyValues.narrow(1, Position, tokens))
            slot.copy_(kv);
        Advance(tokens);
        return KeyValues.narrow(1, 0, Position);
    }

    public override void Dispose() => KeyValues.Dispose();
}
