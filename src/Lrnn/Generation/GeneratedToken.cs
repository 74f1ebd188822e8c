namespace Lrnn.Generation;

/// <summary>A token generated for prompt number <paramref name="Sequence"/> of a batch, as it is streamed.</summary>
public readonly record struct GeneratedToken(int Sequence, long Token);
