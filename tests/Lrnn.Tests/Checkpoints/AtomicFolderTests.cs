using Lrnn.SafeTensors;
using Lrnn.Tests.SafeTensors;
using Xunit;

namespace Lrnn.Tests.Checkpoints;

/// <summary>The folder swap behind every checkpoint save, and the clean-up of what killed saves leave (issue 21 #3, #4).</summary>
public sealed class AtomicFolderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Target => _folder.File("ckpt");

    private static void Write(string folder, params string[] files)
    {
        foreach (var file in files) File.WriteAllText(Path.Combine(folder, file), "new " + file);
    }

    [Fact]
    public void ReplacesTheSupersededFilesAndKeepsTheRest()
    {
        Directory.CreateDirectory(Path.Combine(Target, "notes"));
        File.WriteAllText(Path.Combine(Target, "notes", "a.txt"), "kept");
        File.WriteAllText(Path.Combine(Target, "README.md"), "kept");
        File.WriteAllText(Path.Combine(Target, "model.safetensors.index.json"), "old layout");
        File.WriteAllText(Path.Combine(Target, "model-00001-of-00002.safetensors"), "old layout");
        File.WriteAllText(Path.Combine(Target, "config.json"), "old");

        AtomicFolder.Replace(Target, staging => Write(staging, "config.json", "model.safetensors"), name => ShardPaths.IsWeightsFile(name));

        Assert.Equal(["README.md", "config.json", "model.safetensors"], Directory.GetFiles(Target).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("new config.json", File.ReadAllText(Path.Combine(Target, "config.json")));
        Assert.Equal("kept", File.ReadAllText(Path.Combine(Target, "notes", "a.txt")));
        Assert.Equal(["ckpt"], Directory.EnumerateFileSystemEntries(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AFailedWriteLeavesTheOldFolderAndNoTemporary()
    {
        AtomicFolder.Replace(Target, staging => Write(staging, "config.json"));
        Assert.Throws<InvalidOperationException>(() => AtomicFolder.Replace(Target, staging =>
        {
            Write(staging, "config.json");
            throw new InvalidOperationException("disk full");
        }));
        Assert.Equal("new config.json", File.ReadAllText(Path.Combine(Target, "config.json")));
        Assert.Equal(["ckpt"], Directory.EnumerateFileSystemEntries(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void StaleTemporariesOfOursAreRemovedAndNothingElse()
    {
        Directory.CreateDirectory(Target);
        // A process id that runs nowhere (above Linux's pid_max of 2^22), a live one (1), and ours.
        var dead = Path.Combine(_folder.Path, $".ckpt.lrnn-staging-99999999-{Guid.NewGuid():N}");
        var alive = Path.Combine(_folder.Path, $".ckpt.lrnn-staging-1-{Guid.NewGuid():N}");
        var oldLive = Path.Combine(_folder.Path, $".ckpt.lrnn-staging-1-{Guid.NewGuid():N}");
        foreach (var d in new[] { dead, alive, oldLive }) Directory.CreateDirectory(d);
        Directory.SetLastWriteTimeUtc(oldLive, DateTime.UtcNow - TimeSpan.FromHours(2));
        // Inside the folder: AtomicFile temporaries, new and old (no process id) format, young and old.
        var deadFile = Path.Combine(Target, $".model.safetensors.lrnn-99999999-{Guid.NewGuid():N}.tmp");
        var legacyYoung = Path.Combine(Target, $".model.safetensors.{Guid.NewGuid():N}.tmp");
        var legacyOld = Path.Combine(Target, $".model.safetensors.{Guid.NewGuid():N}.tmp");
        var notOurs = Path.Combine(Target, ".model.safetensors.backup.tmp");
        foreach (var f in new[] { deadFile, legacyYoung, legacyOld, notOurs }) File.WriteAllText(f, "x");
        File.SetLastWriteTimeUtc(legacyOld, DateTime.UtcNow - TimeSpan.FromHours(2));
        var lookalike = _folder.File(".ckpt.lrnn-staging-notapid");
        Directory.CreateDirectory(lookalike);

        Assert.Equal(2, TemporaryNames.RemoveStale(_folder.Path, "ckpt"));
        Assert.Equal(2, TemporaryNames.RemoveStale(Target, "model.safetensors"));

        Assert.False(Directory.Exists(dead));
        Assert.True(Directory.Exists(alive)); // another live process may be saving right now
        Assert.False(Directory.Exists(oldLive)); // ids are reused: an hour old is stale whatever the id
        Assert.False(File.Exists(deadFile));
        Assert.True(File.Exists(legacyYoung));
        Assert.False(File.Exists(legacyOld));
        Assert.True(File.Exists(notOurs));
        Assert.True(Directory.Exists(lookalike));
    }

    [Fact]
    public void TheNextSaveRemovesWhatAKilledSaveLeft()
    {
        AtomicFolder.Replace(Target, staging => Write(staging, "config.json"));
        var leftover = Path.Combine(_folder.Path, $".ckpt.lrnn-staging-99999999-{Guid.NewGuid():N}");
        Directory.CreateDirectory(leftover);
        Write(leftover, "config.json", "model.safetensors");
        AtomicFolder.Replace(Target, staging => Write(staging, "config.json"));
        Assert.Equal(["ckpt"], Directory.EnumerateFileSystemEntries(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AnInterruptedTwoRenameSwapIsUndoneByTheNextSave()
    {
        // Killed between "old away" and "new in" of the fallback swap: no folder, the old content under ".old".
        var retired = Path.Combine(_folder.Path, $".ckpt.lrnn-staging-99999999-{Guid.NewGuid():N}.old");
        Directory.CreateDirectory(retired);
        File.WriteAllText(Path.Combine(retired, "README.md"), "kept");
        AtomicFolder.Replace(Target, staging => Write(staging, "config.json"));
        Assert.Equal("kept", File.ReadAllText(Path.Combine(Target, "README.md")));
        Assert.Equal(["ckpt"], Directory.EnumerateFileSystemEntries(_folder.Path).Select(Path.GetFileName));
    }
}
