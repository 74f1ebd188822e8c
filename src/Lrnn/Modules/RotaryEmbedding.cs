using Lrnn.Torch;

namespace Lrnn.Modules;

/// <summary>
/// Rotary position embedding (Su et al., RoFormer) as flash-attn's <c>RotaryEmbedding</c>, which lrnnx's MHA uses:
/// the first <c>rotaryDim</c> features of each head are rotated by angles pos·θ_j, θ_j = base^(−2j/rotaryDim).
/// Non-interleaved (GPT-NeoX) pairs feature j with j + rotaryDim/2; interleaved (GPT-J) pairs 2j with 2j+1.
/// It has no parameters (flash-attn's inv_freq buffer is not persistent), so it is not a module.
/// </summary>
public sealed class RotaryEmbedding
{
    private readonly long _rotaryDim;
    private readonly double _base;
    private readonly bool _interleaved;

    public RotaryEmbedding(long rotaryDim, double @base = 10000.0, bool interleaved = false)
    {
        if (rotaryDim <= 0 || rotaryDim % 2 != 0) throw new ArgumentException($"rotary_emb_dim must be positive and even, got {rotaryDim}");
        _rotaryDim = rotaryDim;
        _base = @base;
        _interleaved = interleaved;
    }

    /// <summary>
    /// q (B, L, H, head_dim) and k (B, L, H_kv, head_dim) at <paramref name="positions"/>, (L) or (B, L) for rows at
    /// different positions → rotated copies, same shapes and dtype. The cos/sin tables are built once for both.
    /// </summary>
    public (Tensor Q, Tensor K) Apply(Tensor q, Tensor k, Tensor positions)
    {
        var length = q.size(1);
        var half = _rotaryDim / 2;
        using var scope = torch.NewDisposeScope();
        // Angles in float64 (positions can be large), then cos/sin in the input's precision.
        var invFreq = torch.arange(0, half, 1, ScalarType.Float64, q.device).mul(-2.0 * Math.Log(_base) / _rotaryDim).exp(); // (R/2)
        var angles = positions.to(ScalarType.Float64).unsqueeze(-1).mul(invFreq);                                          // (B|1, L, R/2)
        var rows = positions.dim() == 2 ? positions.size(0) : 1;
        var cos = angles.cos().to(q.dtype).view(rows, length, 1, half);
        var sin = angles.sin().to(q.dtype).view(rows, length, 1, half);
        return (Rotate(q, cos, sin).MoveToOuterDisposeScope(), Rotate(k, cos, sin).MoveToOuterDisposeScope());
    }

    /// <summary>x (B, L, heads, head_dim) rotated by the (1|B, L, 1, R/2) tables. Call inside a dispose scope.</summary>
    private Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        var half = _rotaryDim / 2;
        var rotary = x.narrow(-1, 0, _rotaryDim);
        Tensor x1, x2;
        if (_interleaved)
        {
            var pairs = rotary.unflatten(-1, [half, 2]);                                                                   // (B, L, H, R/2, 2)
            x1 = pairs.select(-1, 0);
            x2 = pairs.select(-1, 1);
        }
        else
        {
            x1 = rotary.narrow(-1, 0, half);
            x2 = rotary.narrow(-1, half, half);
        }
        var r1 = x1.mul(cos).sub(x2.mul(sin));
        var r2 = x1.mul(sin).add(x2.mul(cos));
        var rotated = _interleaved ? torch.stack([r1, r2], -1).flatten(-2) : torch.cat([r1, r2], -1);
        var pass = x.size(-1) - _rotaryDim;
        return pass == 0 ? rotated : torch.cat([rotated, x.narrow(-1, _rotaryDim, pass)], -1);
    }
}
