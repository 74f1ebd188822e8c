namespace Lrnn.Checkpoints;

/// <summary>How far a checkpoint load has come: tensors read so far out of the checkpoint's total.</summary>
public readonly record struct CheckpointLoadProgress(int TensorsLoaded, int TensorCount);
