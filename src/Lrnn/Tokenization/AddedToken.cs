namespace Lrnn.Tokenization;

/// <summary>
/// A token matched in the text as a whole before pre-tokenization (an entry of tokenizer.json's <c>added_tokens</c>):
/// a special token (BOS, EOS, PAD: no text when decoded) or a plain added token (GPT-NeoX's runs of spaces).
/// <paramref name="Normalized"/>: matched in the normalized text rather than the raw text.
/// </summary>
public sealed record AddedToken(string Content, int Id, bool Special, bool Normalized = false);
