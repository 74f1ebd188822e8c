using Xunit;

namespace Lrnn.Tests.Model;

/// <summary>
/// Approval files (ML.NET GenAI's shape tests): the expected text lives in Approvals/NAME.approved.txt; on a
/// mismatch the actual text is written next to it, in the source tree, as NAME.received.txt, to review and rename.
/// </summary>
internal static class Approvals
{
    public static void Verify(string name, string received)
    {
        // The source tree when it is present (so a received file lands next to the approved one), else the copy in
        // the test output (a test binary run on another machine). Found from this file, so callers in any folder agree.
        var folder = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(ThisFile()))!, "Approvals");
        if (!Directory.Exists(folder)) folder = Path.Combine(AppContext.BaseDirectory, "Approvals");
        var approvedPath = Path.Combine(folder, name + ".approved.txt");
        var receivedPath = Path.Combine(folder, name + ".received.txt");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : null;
        if (approved == received)
        {
            File.Delete(receivedPath);
            return;
        }
        File.WriteAllText(receivedPath, received);
        Assert.Fail(approved is null
            ? $"no approved file {approvedPath}; the received text was written to {receivedPath}"
            : $"{name} differs from {approvedPath}; the received text was written to {receivedPath} (diff them, and rename it if the change is intended)");
    }

    private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}
