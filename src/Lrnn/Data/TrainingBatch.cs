using Lrnn.Torch;

namespace Lrnn.Data;

/// <summary>A batch of packed sequences; owns its tensors.</summary>
/// <param name="InputIds">(B, L) int64 token ids.</param>
/// <param name="Labels">(B, L) int64: the next token, or <see cref="PackedSequences.IgnoreIndex"/> across a document boundary.</param>
/// <param name="DocumentIds">(B, L) int64: which document each input token belongs to, numbered from 0 in each row.</param>
/// <param name="TargetCount">Labels that carry a loss (not ignored), counted on the host: no device synchronisation.</param>
/// <param name="TargetBytes">UTF-8 bytes of the text those labels stand for (special tokens: none), for losses per byte.</param>
public sealed record TrainingBatch(Tensor InputIds, Tensor Labels, Tensor DocumentIds, long TargetCount, long TargetBytes = 0) : IDisposable
{
    public void Dispose()
    {
        InputIds.Dispose();
        Labels.Dispose();
        DocumentIds.Dispose();
    }
}
