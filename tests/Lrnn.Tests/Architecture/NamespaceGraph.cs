using System.Reflection;
using System.Reflection.Emit;

namespace Lrnn.Tests.Architecture;

/// <summary>
/// Which <c>Lrnn.*</c> namespace uses which, read from the compiled assemblies: base types, interfaces, signatures of
/// fields, properties and methods, and every type, method and field a method body names (its IL tokens). Doc comments
/// and unused <c>using</c>s are not dependencies and are not seen. Namespaces are grouped by their first two parts
/// (Lrnn.Torch.Modules counts as Lrnn.Torch, Lrnn.Modules.Lti as Lrnn.Modules): a layer with sub-folders is one node.
/// </summary>
internal static class NamespaceGraph
{
    private static readonly OpCode[] s_oneByte = new OpCode[0x100];
    private static readonly OpCode[] s_twoByte = new OpCode[0x100];

    static NamespaceGraph()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var op = (OpCode)field.GetValue(null)!;
            var value = (ushort)op.Value;
            if (value < 0x100) s_oneByte[value] = op;
            else if ((value & 0xff00) == 0xfe00) s_twoByte[value & 0xff] = op;
        }
    }

    /// <summary>The layer a namespace belongs to (its first two parts), or null outside Lrnn.</summary>
    public static string? Layer(string? ns)
    {
        if (ns is null || !ns.StartsWith("Lrnn.", StringComparison.Ordinal)) return null;
        var parts = ns.Split('.');
        return parts[0] + "." + parts[1];
    }

    /// <summary>Every edge between two layers, with one example of a use that makes it (type → type).</summary>
    public static Dictionary<(string From, string To), string> Edges(IEnumerable<Assembly> assemblies)
    {
        var edges = new Dictionary<(string, string), string>();
        foreach (var assembly in assemblies)
        foreach (var type in assembly.GetTypes())
        {
            var from = Layer(type.Namespace);
            if (from is null) continue;
            foreach (var used in Uses(type))
            {
                var to = Layer(used.Namespace);
                if (to is not null && to != from) edges.TryAdd((from, to), $"{type.FullName} uses {used.FullName}");
            }
        }
        return edges;
    }

    /// <summary>The groups of layers that reach each other (strongly connected components with more than one layer).</summary>
    public static List<List<string>> Cycles(IEnumerable<(string From, string To)> edges)
    {
        var next = new Dictionary<string, List<string>>();
        foreach (var (from, to) in edges)
        {
            if (!next.TryGetValue(from, out var list)) next[from] = list = [];
            list.Add(to);
            next.TryAdd(to, []);
        }
        // Tarjan's algorithm.
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var components = new List<List<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in next[v])
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do
            {
                x = stack.Pop();
                onStack.Remove(x);
                component.Add(x);
            } while (x != v);
            if (component.Count > 1) components.Add(component.Order(StringComparer.Ordinal).ToList());
        }
        foreach (var v in next.Keys.Order(StringComparer.Ordinal).ToList())
            if (!index.ContainsKey(v)) Visit(v);
        return components;
    }

    private static IEnumerable<Type> Uses(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var used = new List<Type>();
        if (type.BaseType is { } baseType) used.Add(baseType);
        used.AddRange(type.GetInterfaces());
        foreach (var field in type.GetFields(all)) used.Add(field.FieldType);
        foreach (var property in type.GetProperties(all)) used.Add(property.PropertyType);
        foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (method is MethodInfo info) used.Add(info.ReturnType);
            used.AddRange(method.GetParameters().Select(p => p.ParameterType));
            used.AddRange(BodyUses(method));
        }
        return used.SelectMany(Expand);
    }

    // A constructed type's parts: element types and generic arguments.
    private static IEnumerable<Type> Expand(Type type)
    {
        if (type.HasElementType) return Expand(type.GetElementType()!);
        if (!type.IsGenericType || type.IsGenericTypeDefinition) return [type];
        return type.GetGenericArguments().SelectMany(Expand).Prepend(type.GetGenericTypeDefinition());
    }

    private static IEnumerable<Type> BodyUses(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException)
        {
            il = null;
        }
        if (il is null) yield break;
        var typeArguments = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var i = 0; i < il.Length;)
        {
            var op = il[i] == 0xfe ? s_twoByte[il[i + 1]] : s_oneByte[il[i]];
            i += op.Size;
            switch (op.OperandType)
            {
                case OperandType.InlineField:
                case OperandType.InlineMethod:
                case OperandType.InlineTok:
                case OperandType.InlineType:
                    var member = Resolve(method.Module, BitConverter.ToInt32(il, i), typeArguments, methodArguments);
                    if (member is Type t) yield return t;
                    else if (member?.DeclaringType is { } declaring) yield return declaring;
                    if (member is MethodInfo { IsGenericMethod: true } generic)
                        foreach (var argument in generic.GetGenericArguments()) yield return argument;
                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + 4 * BitConverter.ToInt32(il, i);
                    break;
                default:
                    i += OperandSize(op.OperandType);
                    break;
            }
        }
    }

    private static MemberInfo? Resolve(Module module, int token, Type[]? typeArguments, Type[]? methodArguments)
    {
        try
        {
            return module.ResolveMember(token, typeArguments, methodArguments);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static int OperandSize(OperandType type) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };
}
