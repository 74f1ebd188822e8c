using System.Globalization;

namespace Lrnn.Torch.Native;

/// <summary>
/// The number of intra-op threads libtorch runs its CPU kernels with, set once when the shim is loaded
/// (<see cref="NativeLibraryLoader"/>), before any tensor exists: <c>LRNN_NUM_THREADS</c> when set, otherwise the
/// physical cores this process may run on. libtorch's own default is half the logical CPUs (it assumes two
/// hardware threads per core), which is one thread on a two-core machine without SMT.
/// <see cref="torch.set_num_threads"/> changes it later.
/// </summary>
/// <remarks>
/// libtorch keeps the count per thread (OpenMP's setting) and copies a value set before a thread's first parallel
/// op into that thread; setting it at load time therefore reaches every thread that later calls into libtorch.
/// </remarks>
internal static class IntraOpThreads
{
    internal const string EnvironmentVariable = "LRNN_NUM_THREADS";

    /// <summary>The count the loader applies: the environment's override, else the physical cores.</summary>
    internal static int Default()
    {
        var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(value))
        {
            if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 1)
                throw new ArgumentException($"{EnvironmentVariable}='{value}' is not a positive whole number of threads.");
            return n;
        }
        return PhysicalCores();
    }

    /// <summary>
    /// Distinct (package, core) pairs of /proc/cpuinfo, capped by the CPUs this process may use (affinity and
    /// cgroup quota, as <see cref="Environment.ProcessorCount"/> reports them); the logical count where
    /// /proc/cpuinfo does not say (other platforms, some containers).
    /// </summary>
    internal static int PhysicalCores()
    {
        var usable = Environment.ProcessorCount;
        try
        {
            return Math.Clamp(CountCores(File.ReadLines("/proc/cpuinfo")) ?? usable, 1, usable);
        }
        catch (IOException)
        {
            return usable;
        }
        catch (UnauthorizedAccessException)
        {
            return usable;
        }
    }

    /// <summary>Cores in a /proc/cpuinfo text, or null when it lacks the "physical id"/"core id" fields.</summary>
    internal static int? CountCores(IEnumerable<string> cpuinfo)
    {
        var cores = new HashSet<(string Package, string Core)>();
        string? package = null, core = null;
        foreach (var line in cpuinfo.Append(""))
        {
            if (line.Trim().Length == 0)
            {
                if (package is not null && core is not null) cores.Add((package, core));
                package = core = null;
                continue;
            }
            var colon = line.IndexOf(':');
            if (colon < 0) continue;
            var key = line[..colon].Trim();
            if (key == "physical id") package = line[(colon + 1)..].Trim();
            else if (key == "core id") core = line[(colon + 1)..].Trim();
        }
        return cores.Count > 0 ? cores.Count : null;
    }
}
