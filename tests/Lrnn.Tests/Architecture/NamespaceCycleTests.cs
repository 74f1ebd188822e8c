using System.Reflection;
using Xunit;

namespace Lrnn.Tests.Architecture;

/// <summary>
/// The layers are one-way: binding (Lrnn.Torch) → ops (Lrnn.Ops) → modules → models → training and generation, with
/// no cycle between any two Lrnn.* namespaces, read from the compiled assemblies (<see cref="NamespaceGraph"/>).
/// </summary>
public sealed class NamespaceCycleTests
{
    /// <summary>
    /// Edges tolerated for now, each with the reason and when it goes; both belong to issue 13's mixer work, which
    /// removes them (<see cref="EveryToleratedEdgeStillExists"/> then fails until the entry is deleted here).
    /// Config → Modules: LrnnConfig validates mixer kwargs through the mixer registry (config becomes plain data, the
    /// registry resolves kwargs). Inference → Modules: ComplexStateCache uses Modules.Precision (the caches and the
    /// mixer template move together).
    /// </summary>
    private static readonly HashSet<(string From, string To)> s_allowed =
    [
        ("Lrnn.Config", "Lrnn.Modules"),
        ("Lrnn.Inference", "Lrnn.Modules"),
    ];

    private static IEnumerable<Assembly> LrnnAssemblies() =>
        Directory.GetFiles(AppContext.BaseDirectory, "Lrnn*.dll")
            .Where(path => !Path.GetFileName(path).StartsWith("Lrnn.Tests", StringComparison.Ordinal))
            .Select(path => Assembly.LoadFrom(path));

    [Fact]
    public void NoTwoLrnnNamespacesDependOnEachOther()
    {
        var edges = NamespaceGraph.Edges(LrnnAssemblies());
        Assert.Contains(("Lrnn.Ops", "Lrnn.Torch"), edges.Keys);                     // the graph is really read
        var cycles = NamespaceGraph.Cycles(edges.Keys.Where(e => !s_allowed.Contains(e)));
        Assert.True(cycles.Count == 0, "namespace cycles:" + string.Concat(cycles.Select(cycle =>
            Environment.NewLine + "  " + string.Join(" ⇄ ", cycle) + ":" + string.Concat(edges
                .Where(e => cycle.Contains(e.Key.From) && cycle.Contains(e.Key.To) && !s_allowed.Contains(e.Key))
                .Select(e => $"{Environment.NewLine}    {e.Key.From} → {e.Key.To} ({e.Value})")))));
    }

    [Fact]
    public void EveryToleratedEdgeStillExists()
    {
        var edges = NamespaceGraph.Edges(LrnnAssemblies());
        foreach (var edge in s_allowed)
            Assert.True(edges.ContainsKey(edge), $"{edge.From} → {edge.To} is gone: delete its entry from the tolerated edges");
    }

    [Fact]
    public void TheGenericBindingKnowsNoOtherLrnnNamespace()
    {
        var edges = NamespaceGraph.Edges([typeof(Lrnn.Torch.torch).Assembly]);
        Assert.Empty(edges.Keys.Where(e => e.To != "Lrnn.Torch"));
    }

    [Fact]
    public void CyclesFindsEveryMutualGroupAndNothingElse()
    {
        (string, string)[] edges = [("A", "B"), ("B", "C"), ("C", "A"), ("C", "D"), ("D", "E"), ("F", "G"), ("G", "F")];
        var cycles = NamespaceGraph.Cycles(edges);
        Assert.Equal(2, cycles.Count);
        Assert.Contains(cycles, c => c.SequenceEqual(["A", "B", "C"]));
        Assert.Contains(cycles, c => c.SequenceEqual(["F", "G"]));
        Assert.Empty(NamespaceGraph.Cycles([("A", "B"), ("B", "C"), ("A", "C")]));
    }
}
