namespace Lrnn.PyTorchCheckpoints;

/// <summary>Limits that keep a malicious or corrupt checkpoint from exhausting memory; the defaults fit any real model.</summary>
public sealed record PyTorchReadOptions
{
    /// <summary>Largest <c>data.pkl</c> accepted (it holds names and shapes only; GPT-scale state dicts need a few MB).</summary>
    public long MaxPickleBytes { get; init; } = 256L << 20;

    /// <summary>Most entries in the zip archive (one per storage plus a handful).</summary>
    public int MaxArchiveEntries { get; init; } = 1 << 20;

    /// <summary>
    /// Largest materialised tensor whose view covers more bytes than its storage holds (a stride-0 expansion): such
    /// a view costs memory out of proportion to the file, so it is bounded separately.
    /// </summary>
    public long MaxExpandedTensorBytes { get; init; } = 256L << 20;

    public static PyTorchReadOptions Default { get; } = new();
}
