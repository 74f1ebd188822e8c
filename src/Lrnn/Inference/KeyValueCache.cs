using Lrnn.Torch;

namespace Lrnn.Inference;

/// <summary>
/// An attention layer's keys and values, preallocated for maxSeqLen tokens in lrnnx's (mamba_ssm's) layout
/// (B, maxSeqLen, 2, H_kv, head_dim): index 0 of dim 2 holds keys, 1 values. Keys are stored after the rotary
/// embedding, so a step only rotates its own query and key.
/// <para>
/// Each row has its own position (<see cref="RowPositions"/>): the tokens of that sequence, written at slots
/// 0..RowPositions[b] − 1. Without lengths every row is at <see cref="MixerCache.Position"/>; after a right-padded
/// prefill a row is at its own length, and its next tokens overwrite the padding's slots (see <see cref="Modules.LengthMask"/>).
/// </para>
/// </summary>
public sealed class KeyValueCache : MixerCache
{
    public KeyValueCache(long batch, long maxSeqLen, long numHeadsKv, long headDim, ScalarType dtype, Device device)
        : base(batch, maxSeqLen)
    {
        KeyValues = torch.zeros([batch, maxSeqLen, 2, numHeadsKv, headDim], dtype, device).DetachFromDisposeScope();
        RowPositions = torch.zeros([batch], ScalarType.Int64, device).DetachFromDisposeScope();
    }

    /// <summary>(B, maxSeqLen, 2, H_kv, head_dim); each row's slots ≥ its <see cref="RowPositions"/> entry are unused.</summary>
    public Tensor KeyValues { get; }

    /// <summary>(B) int64: the tokens each row holds; valid while <see cref="Ragged"/> (otherwise every row is at <see cref="MixerCache.Position"/>).</summary>
    public Tensor RowPositions { get; }

    /// <summary>(B) int64: where each row's next token goes (a new handle).</summary>
    internal Tensor RowStarts() => Ragged ? RowPositions.alias() : torch.full([Batch], Position, ScalarType.Int64, RowPositions.device);

    /// <summary>
    /// Whether rows may stand at different positions (a prefill had lengths): attention then masks per row. Kept on the
    /// host, so the uniform case reads nothing from the device.
    /// </summary>
    public bool Ragged { get; private set; }

    /// <summary>
    /// Writes kv (B, T, 2, H_kv, head_dim) at the current position and returns the filled prefix (B, Position + T, 2, H_kv, head_dim).
    /// The mixer's caller advances the position afterwards.
    /// </summary>
    internal Tensor Append(Tensor kv)
    {
        var tokens = kv.size(1);
        EnsureRoom(tokens);
        using (torch.no_grad())
        using (var slot = KeyValues.narrow(1, Position, tokens))
            slot.copy_(kv);
        return KeyValues.narrow(1, 0, Position + tokens);
    }

    /// <summary>
    /// Writes kv (B, T, 2, H_kv, head_dim) of row b at slots <paramref name="positions"/>[b, t] (B, T), then moves each
    /// row on by <paramref name="counts"/>[b] valid tokens; returns the slots any row may read (B, Position + T, ...).
    /// </summary>
    internal Tensor Scatter(Tensor kv, Tensor positions, Tensor counts)
    {
        var tokens = kv.size(1);
        EnsureRoom(tokens);
        if (!Ragged) RowPositions.fill_(Position);
        Ragged = true;
        using (torch.no_grad())
        using (var index = positions.view(kv.size(0), tokens, 1, 1, 1).expand(kv.shape))
        {
            KeyValues.scatter_(1, index, kv);
            RowPositions.add_(counts);
        }
        return KeyValues.narrow(1, 0, Position + tokens);
    }

    public override void Reset()
    {
        base.Reset();
        RowPositions.zero_();
        Ragged = false;
    }

    public override void Dispose()
    {
        KeyValues.Dispose();
        RowPositions.Dispose();
    }
}
