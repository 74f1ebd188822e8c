using System.Buffers.Binary;
using System.Text;

namespace Lrnn.PyTorchCheckpoints;

/// <summary>
/// A restricted unpickler for the <c>data.pkl</c> of a <c>torch.save</c> archive. It implements the opcodes that
/// Python's pickler emits for a state dict (protocol 2, as torch.save writes, and the protocol 4/5 framing opcodes)
/// and builds only plain values: a global is never imported or called. The globals it knows are the ones
/// torch.save writes for a state dict (<see cref="AllowedCallables"/>, the storage classes, the dtypes); any other
/// global is refused with a <see cref="PickleGlobalRefusedException"/> naming it. Every opcode consumes input, so a
/// pickle runs in time linear in its length, and no value is copied, so memory is linear too.
/// </summary>
internal sealed class PickleUnpickler
{
    /// <summary>The callables REDUCE may apply; everything else is refused.</summary>
    public static readonly IReadOnlyList<string> AllowedCallables =
    [
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_parameter_with_state",
    ];

    private static readonly HashSet<string> s_dtypeNames = new(StringComparer.Ordinal)
    {
        "float32", "float", "float64", "double", "float16", "half", "bfloat16", "int64", "long", "int32", "int",
        "int16", "short", "int8", "uint8", "bool", "complex64", "cfloat", "complex128", "cdouble",
    };

    private readonly byte[] _data;
    private readonly string _path;
    private readonly Dictionary<string, StorageReference> _storages = new(StringComparer.Ordinal);
    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<long, object?> _memo = new();
    private int _pos;

    private PickleUnpickler(byte[] data, string path)
    {
        _data = data;
        _path = path;
    }

    /// <summary>Unpickles <paramref name="data"/> (the bytes of data.pkl); <paramref name="path"/> names it in errors.</summary>
    public static object? Load(byte[] data, string path) => new PickleUnpickler(data, path).Run();

    private object? Run()
    {
        while (true)
        {
            var at = _pos;
            var op = ReadByte();
            switch (op)
            {
                case 0x80: // PROTO
                    var proto = ReadByte();
                    if (proto > 5) throw Error(at, $"pickle protocol {proto} is newer than any Python writes (5)");
                    break;
                case 0x95: // FRAME: an 8-byte length; frames only group opcodes
                    ReadBytes(8);
                    break;
                case (byte)'.': // STOP
                    if (_stack.Count != 1) throw Error(at, $"STOP with {_stack.Count} values on the stack (expected 1)");
                    return _stack[0];
                case (byte)'(': _marks.Add(_stack.Count); break;                       // MARK
                case (byte)'0': Pop(at); break;                                         // POP
                case (byte)'1': PopToMark(at); break;                                   // POP_MARK
                case (byte)'2': Push(Peek(at)); break;                                  // DUP
                case (byte)'N': Push(null); break;                                      // NONE
                case 0x88: Push(true); break;                                           // NEWTRUE
                case 0x89: Push(false); break;                                          // NEWFALSE
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break;   // BININT
                case (byte)'K': Push((long)ReadByte()); break;                                             // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break;  // BININT2
                case 0x8a: Push(ReadLong(at, ReadByte())); break;                                          // LONG1
                case 0x8b: Push(ReadLong(at, ReadLength(4, at))); break;                                   // LONG4
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break;           // BINFLOAT
                case (byte)'X': Push(ReadUtf8(ReadLength(4, at), at)); break;                              // BINUNICODE
                case 0x8c: Push(ReadUtf8(ReadByte(), at)); break;                                          // SHORT_BINUNICODE
                case 0x8d: Push(ReadUtf8(ReadLength(8, at), at)); break;                                   // BINUNICODE8
                case (byte)'C': Push(ReadBytes(ReadByte()).ToArray()); break;                              // SHORT_BINBYTES
                case (byte)'B': Push(ReadBytes(ReadLength(4, at)).ToArray()); break;                       // BINBYTES
                case (byte)')': Push(new PickleTuple([])); break;                                          // EMPTY_TUPLE
                case 0x85: Push(new PickleTuple([Pop(at)])); break;                                        // TUPLE1
                case 0x86: { var b = Pop(at); var a = Pop(at); Push(new PickleTuple([a, b])); break; }     // TUPLE2
                case 0x87: { var c = Pop(at); var b = Pop(at); var a = Pop(at); Push(new PickleTuple([a, b, c])); break; } // TUPLE3
                case (byte)'t': Push(new PickleTuple(PopToMark(at))); break;                               // TUPLE
                case (byte)']': Push(new PickleList()); break;                                             // EMPTY_LIST
                case (byte)'l': { var list = new PickleList(); list.Items.AddRange(PopToMark(at)); Push(list); break; } // LIST
                case (byte)'a': { var v = Pop(at); ListAt(at).Items.Add(v); break; }                       // APPEND
                case (byte)'e': { var items = PopToMark(at); ListAt(at).Items.AddRange(items); break; }    // APPENDS
                case (byte)'}': Push(new PickleDict()); break;                                             // EMPTY_DICT
                case (byte)'d': { var d = new PickleDict(); SetItems(d, PopToMark(at), at); Push(d); break; } // DICT
                case (byte)'s': { var v = Pop(at); var k = Pop(at); DictAt(at).Set(k, v, m => Error(at, m)); break; } // SETITEM
                case (byte)'u': { var items = PopToMark(at); SetItems(DictAt(at), items, at); break; }     // SETITEMS
                case (byte)'c': Push(Global(ReadLine(at), ReadLine(at), at)); break;                       // GLOBAL
                case 0x93: { var name = Pop(at); var module = Pop(at); Push(Global(AsString(module, at), AsString(name, at), at)); break; } // STACK_GLOBAL
                case (byte)'R': { var args = Pop(at); var f = Pop(at); Push(Reduce(f, args, at)); break; } // REDUCE
                case (byte)'b': Build(Pop(at), at); break;                                                 // BUILD
                case (byte)'Q': Push(PersistentLoad(Pop(at), at)); break;                                  // BINPERSID
                case (byte)'q': _memo[ReadByte()] = Peek(at); break;                                       // BINPUT
                case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek(at); break; // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Peek(at); break;                                           // MEMOIZE
                case (byte)'h': Push(MemoGet(ReadByte(), at)); break;                                      // BINGET
                case (byte)'j': Push(MemoGet(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)), at)); break; // LONG_BINGET
                default:
                    throw Error(at, $"opcode 0x{op:x2} ({OpcodeName(op)}) is not one that torch.save writes for a state dict");
            }
        }
    }

    // ---- globals and the calls torch.save records -----------------------------------------------------------------

    private PickleGlobal Global(string module, string name, int at)
    {
        var full = $"{module}.{name}";
        var known = AllowedCallables.Contains(full)
                    || (module == "torch" && (PyTorchDtypes.TryFromStorageName(name, out _) || s_dtypeNames.Contains(name)));
        if (!known)
            throw new PickleGlobalRefusedException(_path, full,
                $"data.pkl (byte {at}) references the global '{full}', which torch.save never writes for a state dict; " +
                "refused (Python's unpickler would import and call it, which can run arbitrary code). " +
                $"Known globals: {string.Join(", ", AllowedCallables)}, the torch.*Storage classes and the torch dtypes.");
        return new PickleGlobal(module, name);
    }

    private object? Reduce(object? callable, object? args, int at)
    {
        if (callable is not PickleGlobal g) throw Error(at, $"REDUCE applies {Describe(callable)}, which is not a callable");
        if (args is not PickleTuple t) throw Error(at, $"REDUCE of {g.FullName} takes a tuple of arguments, got {Describe(args)}");
        switch (g.FullName)
        {
            case "collections.OrderedDict":
                if (t.Items.Length != 0) throw Error(at, "OrderedDict(...) with arguments (torch.save writes OrderedDict() then its items)");
                return new PickleDict();
            case "torch._utils._rebuild_tensor_v2":
                return RebuildTensor(t, at);
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                if (t.Items.Length is < 3 or > 4 || t.Items[0] is not TensorReference data)
                    throw Error(at, $"{g.FullName} takes (tensor, requires_grad, backward_hooks[, state]), got {Describe(args)}");
                return data;
            default:
                throw new PickleGlobalRefusedException(_path, g.FullName,
                    $"data.pkl (byte {at}) calls '{g.FullName}', which is not a function torch.save uses to rebuild a state dict; refused");
        }
    }

    /// <summary>
    /// <c>_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])</c>:
    /// validates the view against the storage, so a tensor can never read past its storage.
    /// </summary>
    private TensorReference RebuildTensor(PickleTuple t, int at)
    {
        if (t.Items.Length is < 6 or > 7 || t.Items[0] is not StorageReference storage || t.Items[1] is not long offset
            || t.Items[2] is not PickleTuple size || t.Items[3] is not PickleTuple stride)
            throw Error(at, $"_rebuild_tensor_v2 takes (storage, offset, size, stride, requires_grad, hooks[, metadata]), got {Describe(t)}");
        if (size.Items.Length != stride.Items.Length)
            throw Error(at, $"a tensor with {size.Items.Length} sizes but {stride.Items.Length} strides");
        if (size.Items.Length > 64) throw Error(at, $"a tensor with {size.Items.Length} dimensions (at most 64)");
        var shape = size.Items.Select(v => v is long n && n >= 0 ? n : throw Error(at, $"tensor size {Describe(v)} is not a non-negative integer")).ToArray();
        var strides = stride.Items.Select(v => v is long n && n >= 0 ? n : throw Error(at, $"tensor stride {Describe(v)} is not a non-negative integer")).ToArray();
        if (offset < 0) throw Error(at, $"negative storage offset {offset}");
        try
        {
            long numel = 1, last = offset;
            for (var i = 0; i < shape.Length; i++)
            {
                numel = checked(numel * shape[i]);
                if (shape[i] > 0) last = checked(last + (shape[i] - 1) * strides[i]);
            }
            if (numel > 0 && last >= storage.Numel)
                throw Error(at, $"a view (offset {offset}, size [{string.Join(", ", shape)}], stride [{string.Join(", ", strides)}]) " +
                                $"reaches element {last} of storage '{storage.Key}', which has {storage.Numel}");
        }
        catch (OverflowException)
        {
            throw Error(at, $"a view (size [{string.Join(", ", shape)}], stride [{string.Join(", ", strides)}]) overflows 64-bit offsets");
        }
        return new TensorReference(storage, offset, shape, strides);
    }

    /// <summary><c>('storage', torch.FloatStorage, key, location, numel)</c> → the storage (one object per key).</summary>
    private StorageReference PersistentLoad(object? pid, int at)
    {
        if (pid is not PickleTuple { Items: ["storage", PickleGlobal type, string key, string location, long numel] })
            throw Error(at, $"a persistent id {Describe(pid)} that is not ('storage', torch.<Type>Storage, key, location, numel)");
        if (type.Module != "torch" || !PyTorchDtypes.TryFromStorageName(type.Name, out var dtype))
            throw Error(at, $"persistent id names {type.FullName}, which is not a torch storage class");
        if (numel < 0) throw Error(at, $"storage '{key}' has a negative size {numel}");
        if (key.Length == 0 || key.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '_'))
            throw Error(at, $"storage key '{key}' is not a record name (letters, digits, '_')");
        var storage = new StorageReference(key, dtype, numel, location);
        if (_storages.TryGetValue(key, out var seen))
        {
            if (seen != storage) throw Error(at, $"storage '{key}' is described twice, differently ({seen} and {storage})");
            return seen;
        }
        _storages.Add(key, storage);
        return storage;
    }

    /// <summary>BUILD: torch.save's OrderedDict carries its <c>_metadata</c> attribute as state; a dict's attributes do not matter here.</summary>
    private void Build(object? state, int at)
    {
        var target = Peek(at);
        if (target is not PickleDict) throw Error(at, $"BUILD on {Describe(target)} (only an OrderedDict's attributes are accepted)");
        if (state is not (PickleDict or null or PickleTuple)) throw Error(at, $"BUILD with state {Describe(state)}");
    }

    // ---- the machine ------------------------------------------------------------------------------------------------

    private void SetItems(PickleDict dict, object?[] items, int at)
    {
        if (items.Length % 2 != 0) throw Error(at, $"SETITEMS with an odd number ({items.Length}) of keys and values");
        for (var i = 0; i < items.Length; i += 2) dict.Set(items[i], items[i + 1], m => Error(at, m));
    }

    private PickleList ListAt(int at) => Peek(at) as PickleList ?? throw Error(at, $"APPEND to {Describe(Peek(at))}, which is not a list");

    private PickleDict DictAt(int at) => Peek(at) as PickleDict ?? throw Error(at, $"SETITEM on {Describe(Peek(at))}, which is not a dict");

    private object? MemoGet(long index, int at) =>
        _memo.TryGetValue(index, out var v) ? v : throw Error(at, $"memo entry {index} is read before it is written");

    private void Push(object? value) => _stack.Add(value);

    private object? Peek(int at)
    {
        var floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count <= floor) throw Error(at, "the opcode needs a value but the stack (above the mark) is empty");
        return _stack[^1];
    }

    private object? Pop(int at)
    {
        var v = Peek(at);
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private object?[] PopToMark(int at)
    {
        if (_marks.Count == 0) throw Error(at, "the opcode needs a MARK but there is none");
        var mark = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(mark, _stack.Count - mark).ToArray();
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private byte ReadByte()
    {
        if (_pos >= _data.Length) throw Error(_pos, "the pickle ends without a STOP opcode");
        return _data[_pos++];
    }

    private ReadOnlySpan<byte> ReadBytes(long count)
    {
        if (count < 0 || count > _data.Length - _pos)
            throw Error(_pos, $"a value of {count} bytes runs past the end of the pickle ({_data.Length - _pos} bytes left)");
        var span = _data.AsSpan(_pos, (int)count);
        _pos += (int)count;
        return span;
    }

    private long ReadLength(int width, int at)
    {
        var bytes = ReadBytes(width);
        var n = width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return n > (ulong)(_data.Length - _pos) ? throw Error(at, $"a length of {n} bytes runs past the end of the pickle") : (long)n;
    }

    private long ReadLong(int at, long length)
    {
        if (length > 8) throw Error(at, $"an integer of {length} bytes (a state dict's integers fit in 8)");
        var bytes = ReadBytes(length);
        long v = 0;
        for (var i = (int)length - 1; i >= 0; i--) v = (v << 8) | bytes[i];
        if (length is > 0 and < 8 && (bytes[(int)length - 1] & 0x80) != 0) v -= 1L << (int)(8 * length);   // two's complement sign
        return v;
    }

    private string ReadUtf8(long length, int at)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(ReadBytes(length));
        }
        catch (DecoderFallbackException)
        {
            throw Error(at, "a string that is not valid UTF-8");
        }
    }

    /// <summary>A GLOBAL argument: printable ASCII up to a newline, at most 256 characters.</summary>
    private string ReadLine(int at)
    {
        var start = _pos;
        while (true)
        {
            var b = ReadByte();
            if (b == (byte)'\n') return Encoding.ASCII.GetString(_data, start, _pos - 1 - start);
            if (b is < 0x20 or > 0x7e || _pos - start > 256) throw Error(at, "a GLOBAL whose module or name is not a short line of printable ASCII");
        }
    }

    private string AsString(object? v, int at) => v as string ?? throw Error(at, $"STACK_GLOBAL with {Describe(v)} instead of a string");

    private PyTorchCheckpointException Error(int at, string detail) => new(_path, $"data.pkl is not a state dict pickle this reader accepts (byte {at}): {detail}");

    internal static string Describe(object? v) => v switch
    {
        null => "None",
        string s => $"str '{(s.Length > 40 ? s[..40] + "…" : s)}'",
        long n => $"int {n}",
        double d => $"float {d}",
        bool b => b ? "True" : "False",
        byte[] bytes => $"bytes of length {bytes.Length}",
        PickleTuple t => $"a tuple of {t.Items.Length}",
        PickleList l => $"a list of {l.Items.Count}",
        PickleDict d => $"a dict of {d.Items.Count}",
        PickleGlobal g => $"the global {g.FullName}",
        StorageReference s => $"storage '{s.Key}'",
        TensorReference => "a tensor",
        _ => v.GetType().Name,
    };

    private static string OpcodeName(byte op) => op switch
    {
        (byte)'i' => "INST", (byte)'o' => "OBJ", 0x81 => "NEWOBJ", 0x92 => "NEWOBJ_EX", (byte)'P' => "PERSID",
        (byte)'I' => "INT", (byte)'L' => "LONG", (byte)'F' => "FLOAT", (byte)'S' => "STRING", (byte)'V' => "UNICODE",
        (byte)'T' => "BINSTRING", (byte)'U' => "SHORT_BINSTRING", (byte)'p' => "PUT", (byte)'g' => "GET",
        0x82 => "EXT1", 0x83 => "EXT2", 0x84 => "EXT4", 0x8f => "EMPTY_SET", 0x90 => "ADDITEMS", 0x91 => "FROZENSET",
        0x96 => "BYTEARRAY8", 0x97 => "NEXT_BUFFER", 0x98 => "READONLY_BUFFER", 0x8e => "BINBYTES8",
        _ => "unknown",
    };
}
