using Lrnn.Config;
using Lrnn.Inference;
using Lrnn.Torch;
using Lrnn.Torch.Modules;
using static Lrnn.Torch.torch.nn.functional;

namespace Lrnn.Modules.Mixers;

/// <summary>
/// Multi-head attention with grouped-query heads and optional rotary embeddings: lrnnx's <c>MHA</c>
/// (<c>lrnnx/layers/mha.py</c>, mamba_ssm's), registered as "attn", with the same kwargs and state-dict keys
/// (<c>in_proj</c> producing q then kv laid out as (two, H_kv, head_dim); <c>out_proj</c>).
/// Differences from lrnnx, all deliberate: inside a language model it is always causal (lrnnx defaults to
/// causal=False, which silently lets every token see the future; we reject it); the model's step path runs it
/// (lrnnx's step skips attention layers); a prefill writes the prompt's keys and values into the cache.
/// lrnnx's optional <c>mlp_dim</c> and <c>d_conv</c> branches are not implemented and are rejected when non-zero.
/// </summary>
public sealed class MultiHeadAttention : Mixer<KeyValueCache>
{
    public static readonly MixerSchema Schema = new(
        new MixerKwarg("num_heads", KwargKind.Int) { Required = true },
        new MixerKwarg("num_heads_kv", KwargKind.Int) { Nullable = true },
        new MixerKwarg("head_dim", KwargKind.Int) { Nullable = true },
        new MixerKwarg("mlp_dim", KwargKind.Int, 0),
        new MixerKwarg("qkv_proj_bias", KwargKind.Bool, true),
        new MixerKwarg("out_proj_bias", KwargKind.Bool, true),
        new MixerKwarg("softmax_scale", KwargKind.Float) { Nullable = true },
        new MixerKwarg("causal", KwargKind.Bool, true),
        new MixerKwarg("d_conv", KwargKind.Int, 0),
        new MixerKwarg("rotary_emb_dim", KwargKind.Int, 0),
        new MixerKwarg("rotary_emb_base", KwargKind.Float, 10000.0),
        new MixerKwarg("rotary_emb_interleaved", KwargKind.Bool, false));

    /// <summary>Checks of the attn kwargs against the model (registered with the schema).</summary>
    public static IEnumerable<string> ModelProblems(LrnnConfig config, MixerArguments args)
    {
        var heads = args.GetInt("num_heads");
        var headsKv = args.GetIntOrNull("num_heads_kv") ?? heads;
        if (heads <= 0) { yield return $"attn: num_heads must be positive, got {heads}"; yield break; }
        if (headsKv <= 0 || heads % headsKv != 0)
            yield return $"attn: num_heads ({heads}) must be a positive multiple of num_heads_kv ({headsKv})";
        var headDim = args.GetIntOrNull("head_dim");
        if (headDim is null && config.DModel % heads != 0)
            yield return $"attn: d_model ({config.DModel}) must be divisible by num_heads ({heads}) unless head_dim is given";
        if (headDim is <= 0) yield return $"attn: head_dim must be positive, got {headDim}";
        var rotary = args.GetInt("rotary_emb_dim");
        var dim = headDim ?? config.DModel / heads;
        if (rotary < 0 || rotary % 2 != 0 || rotary > dim)
            yield return $"attn: rotary_emb_dim must be even and between 0 and head_dim ({dim}), got {rotary}";
        if (!args.GetBool("causal"))
            yield return "attn: causal=false inside a language model lets every position attend to later tokens " +
                         "(lrnnx's default, a trap); a language model's attention must be causal: set \"causal\": true or leave it out";
        if (args.GetInt("mlp_dim") != 0) yield return "attn: mlp_dim > 0 (lrnnx's fused MLP branch) is not supported; use d_intermediate";
        if (args.GetInt("d_conv") != 0) yield return "attn: d_conv > 0 (lrnnx's convolution branch) is not supported";
    }

    private readonly long _dModel;
    private readonly long _numHeads;
    private readonly long _numHeadsKv;
    private readonly long _headDim;
    private readonly double _softmaxScale;
    private readonly RotaryEmbedding? _rotary;

    public override long DModel => _dModel;

    public MultiHeadAttention(MixerSpec spec)
        : this(spec.Config.DModel, spec.Arguments.GetInt("num_heads"), spec.Arguments.GetIntOrNull("num_heads_kv"),
               spec.Arguments.GetIntOrNull("head_dim"), spec.Arguments.GetBool("qkv_proj_bias"), spec.Arguments.GetBool("out_proj_bias"),
               spec.Arguments.GetDoubleOrNull("softmax_scale"), spec.Arguments.GetInt("rotary_emb_dim"),
               spec.Arguments.GetDouble("rotary_emb_base"), spec.Arguments.GetBool("rotary_emb_interleaved"), spec.Dtype, spec.Device)
    {
    }

    public MultiHeadAttention(long dModel, long numHeads, long? numHeadsKv = null, long? headDim = null, bool qkvProjBias = true,
        bool outProjBias = true, double? softmaxScale = null, long rotaryEmbDim = 0, double rotaryEmbBase = 10000.0,
        bool rotaryEmbInterleaved = false, ScalarType? dtype = null, Device? device = null)
    {
        _dModel = dModel;
        _numHeads = numHeads;
        _numHeadsKv = numHeadsKv ?? numHeads;
        _headDim = headDim ?? dModel / numHeads;
        if (numHeads <= 0 || _numHeadsKv <= 0 || numHeads % _numHeadsKv != 0 || _headDim <= 0)
            throw new ArgumentException($"attention needs num_heads ({numHeads}) a positive multiple of num_heads_kv ({_numHeadsKv}) and head_dim > 0 ({_headDim})");
        _softmaxScale = softmaxScale ?? 1 / Math.Sqrt(_headDim);
        _rotary = rotaryEmbDim > 0 ? new RotaryEmbedding(rotaryEmbDim, rotaryEmbBase, rotaryEmbInterleaved) : null;

        in_proj = RegisterModule("in_proj", new Linear(dModel, _headDim * (numHeads + 2 * _numHeadsKv), qkvProjBias, dtype, device));
        out_proj = RegisterModule("out_proj", new Linear(_headDim * numHeads, dModel, outProjBias, dtype, device));
    }

    // Named as lrnnx's attributes: these are the state-dict keys.
    public Linear in_proj { get; }
    public Linear out_proj { get; }

    public long NumHeads => _numHeads;
    public long NumHeadsKv => _numHeadsKv;
    public long HeadDim => _headDim;

    public override MixerCache AllocateCache(long batch, long maxSeqLen, ScalarType dtype, Device device) =>
        new KeyValueCache(batch, maxSeqLen, _numHeadsKv, _headDim, dtype, device);

    protected override Tensor Forward(Tensor x, MixerContext context, KeyValueCache? cache) => Attend(x, cache, context.Lengths);

    protected override Tensor StepToken(Tensor x, KeyValueCache cache, StepContext context) =>
        Attend(x.unsqueeze(1), cache, lengths: null).squeeze(1);                   // as a (B, 1, D) sequence

    /// <summary>
    /// x (B, T, D) → (B, T, D). With a cache, the T new tokens follow the cached ones and are appended to it; with
    /// <paramref name="lengths"/> too, each row's keys past its length are never read and the row's cache position
    /// stops at its length (<see cref="LengthMask"/>). Without a cache, lengths change nothing at valid positions (causal).
    /// </summary>
    private Tensor Attend(Tensor x, KeyValueCache? cache, Tensor? lengths)
    {
        var (batch, length) = (x.size(0), x.size(1));
        var offset = cache?.Position ?? 0;

        var qkv = in_proj.call(x);                                                  // (B, T, hd·(H + 2H_kv))
        var q = qkv.narrow(-1, 0, _numHeads * _headDim).view(batch, length, _numHeads, _headDim);              // (B, T, H, hd)
        var kv = qkv.narrow(-1, _numHeads * _headDim, 2 * _numHeadsKv * _headDim)
            .view(batch, length, 2, _numHeadsKv, _headDim);                                                  // (B, T, 2, H_kv, hd)
        Tensor? mask = null;
        if (cache is not null && (lengths is not null || cache.Ragged))
        {
            // Rows at their own positions: token t of row b is at start[b] + t; it sees the row's slots up to itself.
            var positions = cache.RowStarts().unsqueeze(1).add(torch.arange(length, ScalarType.Int64, x.device));   // (B, T)
            (q, kv) = Rotate(q, kv, positions);
            kv = cache.Scatter(kv, positions, LengthMask.Counts(lengths, batch, length, offset, x.device));         // (B, S, 2, H_kv, hd)
            mask = torch.arange(kv.size(1), ScalarType.Int64, x.device).le(positions.unsqueeze(-1)).unsqueeze(1);  // (B, 1, T, S)
        }
        else
        {
            if (_rotary is not null) (q, kv) = Rotate(q, kv, torch.arange(offset, offset + length, 1, ScalarType.Int64, x.device));
            if (cache is not null) kv = cache.Append(kv);                           // (B, S, 2, H_kv, hd), S = offset + T
        }

        var keys = ExpandKvHeads(kv.select(2, 0));                                  // (B, S, H, hd)
        var values = ExpandKvHeads(kv.select(2, 1));
        // Causal with the queries aligned to the END of the keys (bottom-right): new token t (absolute offset + t)
        // sees keys 0..offset+t. PyTorch's is_causal aligns top-left, which would hide cached keys from a chunk.
        var attended = scaled_dot_product_attention(q.transpose(1, 2), keys.transpose(1, 2), values.transpose(1, 2), attn_mask: mask,
            is_causal: mask is null && length > 1, scale: _softmaxScale, causal_alignment: CausalAlignment.BottomRight);   // (B, H, T, hd)
        var merged = attended.transpose(1, 2).reshape(batch, length, _numHeads * _headDim);                 // (B, T, H·hd)
        return out_proj.call(merged);
    }

    /// <summary>q and the keys of kv rotated at <paramref name="positions"/> ((T) or (B, T)); unchanged without rotary embeddings.</summary>
    private (Tensor Q, Tensor Kv) Rotate(Tensor q, Tensor kv, Tensor positions)
    {
        if (_rotary is null) return (q, kv);
        var (rotatedQ, k) = _rotary.Apply(q, kv.select(2, 0), positions);
        return (rotatedQ, torch.stack([k, kv.select(2, 1)], 2));
    }

    /// <summary>(B, S, H_kv, hd) → (B, S, H, hd): query head h uses key/value head h / (H / H_kv), as mamba_ssm's repeat_interleave.</summary>
    private Tensor ExpandKvHeads(Tensor kv) =>
        _numHeadsKv == _numHeads ? kv : kv.repeat_interleave(_numHeads / _numHeadsKv, 2);
}
