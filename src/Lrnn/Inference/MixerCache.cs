namespace Lrnn.Inference;

/// <summary>
/// The recurrent state of one mixer for a batch of sequences: whatever the mixer needs to continue after the
/// tokens it has seen (an LRU's complex state, an attention layer's keys and values). Owns its tensors.
/// </summary>
public abstract class MixerCache : IDisposable
{
    protected MixerCache(long batch, long maxSeqLen)
    {
        Batch = batch;
        MaxSeqLen = maxSeqLen;
    }

    public long Batch { get; }
    public long MaxSeqLen { get; }

    /// <summary>Tokens consumed so far (by a prefill and steps).</summary>
    public long Position { get; private set; }

    /// <summary>Throws unless <paramref name="tokens"/> more tokens fit (checked before any work is done).</summary>
    public void EnsureRoom(long tokens)
    {
        if (Position + tokens > MaxSeqLen)
            throw new InvalidOperationException($"the cache holds at most {MaxSeqLen} tokens (maxSeqLen); {Position} are used and {tokens} more were given");
    }

    /// <summary>Called by the mixer after it consumed <paramref name="tokens"/> tokens.</summary>
    protected internal void Advance(long tokens)
    {
        EnsureRoom(tokens);
        Position += tokens;
    }

    /// <summary>Forgets every token (the tensors are kept for reuse).</summary>
    public virtual void Reset() => Position = 0;

    public abstract void Dispose();
}
