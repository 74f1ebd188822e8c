namespace Lrnn.Torch.Native;

/// <summary>
/// Which BLAS libtorch's CPU matrix products run on in this process. Debian's libtorch calls BLAS through
/// <c>libblas.so.3</c>, which Debian's alternatives point at the reference implementation unless an optimised one
/// (OpenBLAS, BLIS, MKL) is installed; the mapped file shows which one the loader chose. PyTorch's own builds link
/// their BLAS statically, which libtorch's build record (<c>BLAS_INFO</c>) names instead.
/// </summary>
internal static class BlasLibrary
{
    /// <summary>The fix named whenever the reference BLAS is found.</summary>
    internal const string Fix = "install OpenBLAS: scripts/setup.sh, or `apt-get install libopenblas0-pthread`";

    internal static string Describe()
    {
        var mapped = MappedBlasFiles();
        foreach (var path in mapped)
        {
            var kind = Classify(path);
            if (kind is not null) return $"{kind} ({path})";
        }
        var info = BuildInfo("BLAS_INFO");
        return info is null ? "unknown" : $"built into libtorch (BLAS_INFO={info})";
    }

    /// <summary>Whether <see cref="Describe"/>'s answer is the slow reference BLAS.</summary>
    internal static bool IsReference(string description) => description.StartsWith("reference BLAS", StringComparison.Ordinal);

    /// <summary>The kind of BLAS a library path is, or null when it is no BLAS.</summary>
    internal static string? Classify(string path)
    {
        var name = Path.GetFileName(path);
        if (path.Contains("openblas", StringComparison.OrdinalIgnoreCase)) return "OpenBLAS";
        if (name.StartsWith("libmkl", StringComparison.Ordinal)) return "MKL";
        if (path.Contains("blis", StringComparison.OrdinalIgnoreCase)) return "BLIS";
        if (path.Contains("atlas", StringComparison.OrdinalIgnoreCase)) return "ATLAS";
        if (name.StartsWith("libblas.so", StringComparison.Ordinal)) return "reference BLAS";
        return null;
    }

    // /proc/self/maps names each mapped file by its resolved path, so the alternatives' symbolic links are followed.
    private static List<string> MappedBlasFiles()
    {
        var files = new List<string>();
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                var slash = line.IndexOf('/');
                if (slash < 0) continue;
                var path = line[slash..].Trim();
                if (Classify(path) is not null && !files.Contains(path)) files.Add(path);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        // An optimised library first: a process can map the reference libblas and OpenBLAS both.
        return [.. files.OrderBy(p => Classify(p) == "reference BLAS" ? 1 : 0)];
    }

    private static string? BuildInfo(string key)
    {
        var config = System.Runtime.InteropServices.Marshal.PtrToStringUTF8(NativeMethods.lrnn_build_config()) ?? "";
        // PyTorch 2.x writes "  - Build settings: BLAS_INFO=mkl, BUILD_TYPE=Release, ...": the key can follow a label.
        foreach (var part in config.Split([',', '\n'], StringSplitOptions.TrimEntries))
        {
            var at = part.IndexOf(key + "=", StringComparison.Ordinal);
            if (at >= 0 && (at == 0 || part[at - 1] == ' ')) return part[(at + key.Length + 1)..];
        }
        return null;
    }
}
