namespace Lrnn.Checkpoints;

/// <summary>The folder layouts <see cref="Models.LrnnLMHeadModel.FromPretrained"/> reads (and, for two of them, writes).</summary>
public enum CheckpointLayout
{
    /// <summary>Lrnn's and lrnnx's: config.json with <c>mixer_types</c>; model.safetensors (Lrnn) or pytorch_model.bin (lrnnx).</summary>
    Lrnn,

    /// <summary>mamba_ssm's <c>MambaLMHeadModel</c>: config.json with <c>d_model, n_layer, ssm_cfg, attn_layer_idx, ...</c>; pytorch_model.bin.</summary>
    MambaSsm,

    /// <summary>Hugging Face transformers' <c>MambaForCausalLM</c>: config.json with <c>hidden_size, state_size, ...</c>; model.safetensors or pytorch_model.bin.</summary>
    HuggingFaceMamba,
}
