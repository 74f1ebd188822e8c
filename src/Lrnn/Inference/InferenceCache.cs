namespace Lrnn.Inference;

/// <summary>
/// The caches of every layer of a model for one batch of sequences (lrnnx's <c>{layer_idx: cache}</c>), plus the
/// number of tokens consumed. Made by <see cref="Models.LrnnLMHeadModel.AllocateInferenceCache"/>, filled by
/// <see cref="Models.LrnnLMHeadModel.Prefill"/> and advanced by <see cref="Models.LrnnLMHeadModel.Step"/>.
/// </summary>
public sealed class InferenceCache : IDisposable
{
    private readonly MixerCache[] _layers;

    public InferenceCache(long batch, long maxSeqLen, IEnumerable<MixerCache> layers)
    {
        Batch = batch;
        MaxSeqLen = maxSeqLen;
        _layers = layers.ToArray();
    }

    public long Batch { get; }
    public long MaxSeqLen { get; }

    /// <summary>Tokens consumed so far.</summary>
    public long Position => _layers.Length == 0 ? 0 : _layers[0].Position;

    public int LayerCount => _layers.Length;

    public MixerCache this[int layerIdx] => _layers[layerIdx];

    /// <summary>Forgets every token, keeping the allocations.</summary>
    public void Reset()
    {
        foreach (var layer in _layers) layer.Reset();
    }

    public void Dispose()
    {
        foreach (var layer in _layers) layer.Dispose();
    }
}
