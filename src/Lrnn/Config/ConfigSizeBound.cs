namespace Lrnn.Config;

/// <summary>
/// Refuses a configuration whose parameters cannot fit in this machine's memory before anything is allocated, so
/// that <c>"vocab_size": 1000000000000</c> is reported as that field, not as an allocator failure deep in a
/// constructor. The estimate is a lower bound (the embedding, an untied head and the blocks' MLPs, at 2 bytes a
/// parameter, the narrowest floating dtype); mixers add more, so no model that fits is refused. The memory is the
/// total the runtime may use (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>: physical memory, or a container's
/// limit). A GPU model is built on its device, but its weights pass through host memory when loaded, so the same
/// bound applies.
/// </summary>
internal static class ConfigSizeBound
{
    private const double BytesPerParameter = 2;

    /// <summary>Throws <see cref="LrnnConfigException"/> naming the field(s) when the model cannot fit.</summary>
    public static void Check(LrnnConfig config, string source) => Check(config, source, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);

    internal static void Check(LrnnConfig config, string source, long memoryBytes)
    {
        // double: the products of absurd sizes must not overflow while they are being judged.
        double vocab = config.PaddedVocabSize, dModel = config.DModel;
        var embedding = vocab * dModel;
        var head = config.TieEmbeddings ? 0 : embedding;
        double hidden = config.DIntermediate;
        var mlp = config.NLayer * 3.0 * dModel * hidden;
        var total = embedding + head + mlp;
        if (total * BytesPerParameter <= memoryBytes) return;

        var culprit = mlp > embedding + head
            ? $"n_layer ({config.NLayer}) × 3 × d_model ({config.DModel}) × d_intermediate ({config.DIntermediate}): the MLPs alone hold {mlp:G3} parameters"
            : $"vocab_size ({config.VocabSize}) × d_model ({config.DModel}): the embedding{(head > 0 ? " and the untied head" : "")} alone hold{(head > 0 ? "" : "s")} {embedding + head:G3} parameters";
        throw new LrnnConfigException(
            $"{source}: the model is too large for this machine: {culprit}, at least {Bytes(total * BytesPerParameter)} even in 16-bit, " +
            $"and this machine has {Bytes(memoryBytes)} of memory");
    }

    private static string Bytes(double bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB", "PB", "EB"];
        var unit = 0;
        while (bytes >= 1000 && unit < units.Length - 1) { bytes /= 1000; unit++; }
        return $"{bytes:G3} {units[unit]}";
    }
}
