using System.Text;
using Lrnn.SafeTensors;

namespace Lrnn.Config;

/// <summary>
/// Writes config.json atomically: <c>File.WriteAllText</c> truncates the file first, so a kill during it left an
/// empty config.json and a checkpoint folder that no longer loaded (issue 21: 25 of 50 kills).
/// </summary>
internal static class ConfigFile
{
    public static void Write(string path, string json) =>
        AtomicFile.Replace(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true);
            writer.Write(json);
        });
}
