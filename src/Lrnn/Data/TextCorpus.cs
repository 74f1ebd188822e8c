using System.Text.RegularExpressions;

namespace Lrnn.Data;

/// <summary>
/// A plain-text corpus as a list of documents: one <c>.txt</c> file, or every <c>.txt</c> file of a folder (sorted by
/// name, recursively), where documents are separated by one or more blank lines (the format
/// <c>scripts/install-corpus.sh</c> writes: one Bible chapter per document).
/// </summary>
public sealed partial class TextCorpus
{
    public TextCorpus(IReadOnlyList<string> documents)
    {
        if (documents.Count == 0) throw new ArgumentException("a corpus needs at least one document", nameof(documents));
        Documents = documents;
    }

    public IReadOnlyList<string> Documents { get; }

    public long CharacterCount => Documents.Sum(d => (long)d.Length);

    public static TextCorpus Load(string path)
    {
        var files = Directory.Exists(path)
            ? Directory.GetFiles(path, "*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray()
            : File.Exists(path) ? [path] : throw new FileNotFoundException($"no corpus file or folder at '{path}' (run scripts/install-corpus.sh)", path);
        if (files.Length == 0) throw new FileNotFoundException($"the folder '{path}' has no .txt files", path);
        var documents = files.SelectMany(f => SplitDocuments(File.ReadAllText(f))).ToList();
        if (documents.Count == 0) throw new InvalidDataException($"the corpus at '{path}' is empty");
        return new TextCorpus(documents);
    }

    /// <summary>The non-empty blocks of <paramref name="text"/> between blank lines, with their line breaks normalised to \n.</summary>
    public static IEnumerable<string> SplitDocuments(string text) =>
        BlankLines().Split(text.Replace("\r\n", "\n")).Select(d => d.Trim('\n')).Where(d => d.Length > 0);

    /// <summary>
    /// A reproducible split by whole documents: a fraction of the documents, drawn with <paramref name="seed"/>, is held
    /// out for validation (at least one, and at least one left for training).
    /// </summary>
    public (TextCorpus Train, TextCorpus Validation) Split(double validationFraction, int seed = 0)
    {
        if (Documents.Count < 2) throw new InvalidOperationException("splitting needs at least two documents");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(validationFraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(validationFraction, 1.0);
        var order = Enumerable.Range(0, Documents.Count).ToArray();
        new Random(seed).Shuffle(order);
        var held = Math.Clamp((int)Math.Round(validationFraction * Documents.Count), 1, Documents.Count - 1);
        var validation = order.Take(held).Order().Select(i => Documents[i]).ToList();
        var train = order.Skip(held).Order().Select(i => Documents[i]).ToList();
        return (new TextCorpus(train), new TextCorpus(validation));
    }

    [GeneratedRegex(@"\n[ \t]*\n(?:[ \t]*\n)*")]
    private static partial Regex BlankLines();
}
