using System.Buffers.Binary;
using System.Text.Json;

namespace Attend.Tests.Models;

/// <summary>
/// A minimal reader of the safetensors files written by tests/pytorch/make_fixtures.py: an 8-byte little-endian header
/// length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {...}}, then the raw data.
/// Only the two dtypes the generator writes are read: F32 (values) and I64 (ids, labels, 0/1 masks).
/// </summary>
internal sealed class FixtureTensors
{
    private readonly byte[] _bytes;
    private readonly long _dataStart;
    private readonly Dictionary<string, (string Dtype, int[] Shape, long Begin, long End)> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _metadata = new(StringComparer.Ordinal);

    private FixtureTensors(string path)
    {
        Path = path;
        _bytes = File.ReadAllBytes(path);
        if (_bytes.Length < 8)
            throw new InvalidDataException($"{path}: shorter than the 8-byte header length");
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(_bytes);
        if (headerLength > _bytes.Length - 8)
            throw new InvalidDataException($"{path}: header length {headerLength} runs past the end of the file");
        _dataStart = 8 + headerLength;
        using JsonDocument header = JsonDocument.Parse(_bytes.AsMemory(8, (int)headerLength));
        foreach (JsonProperty p in header.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__")
            {
                foreach (JsonProperty m in p.Value.EnumerateObject())
                    _metadata[m.Name] = m.Value.GetString()!;
                continue;
            }
            int[] shape = p.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            JsonElement offsets = p.Value.GetProperty("data_offsets");
            long begin = offsets[0].GetInt64(), end = offsets[1].GetInt64();
            if (begin < 0 || end < begin || _dataStart + end > _bytes.Length)
                throw new InvalidDataException($"{path}: tensor '{p.Name}' has data offsets [{begin}, {end}) outside the file");
            _entries[p.Name] = (p.Value.GetProperty("dtype").GetString()!, shape, begin, end);
        }
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The tensor names, in header order.</summary>
    public IEnumerable<string> Names => _entries.Keys;

    /// <summary>The string metadata of the header.</summary>
    public IReadOnlyDictionary<string, string> Metadata => _metadata;

    /// <summary>Reads the header of <paramref name="path"/> and keeps the data in memory.</summary>
    public static FixtureTensors Read(string path) => new(path);

    /// <summary>The dimensions of <paramref name="name"/>.</summary>
    public int[] Shape(string name) => Entry(name).Shape;

    /// <summary>The values of the F32 tensor <paramref name="name"/>, row-major.</summary>
    public float[] Floats(string name)
    {
        ReadOnlySpan<byte> raw = Raw(name, "F32", 4);
        float[] values = new float[raw.Length / 4];
        for (int i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]);
        return values;
    }

    /// <summary>The values of the I64 tensor <paramref name="name"/> as ints, row-major.</summary>
    public int[] Ints(string name)
    {
        ReadOnlySpan<byte> raw = Raw(name, "I64", 8);
        int[] values = new int[raw.Length / 8];
        for (int i = 0; i < values.Length; i++)
            values[i] = checked((int)BinaryPrimitives.ReadInt64LittleEndian(raw[(8 * i)..]));
        return values;
    }

    /// <summary>A 0/1 I64 tensor as booleans (true = 1).</summary>
    public bool[] Mask(string name) => Ints(name).Select(v => v != 0).ToArray();

    private (string Dtype, int[] Shape, long Begin, long End) Entry(string name) =>
        _entries.TryGetValue(name, out var entry) ? entry : throw new KeyNotFoundException($"{Path}: no tensor '{name}'");

    private ReadOnlySpan<byte> Raw(string name, string dtype, int size)
    {
        var (actual, shape, begin, end) = Entry(name);
        if (actual != dtype)
            throw new InvalidDataException($"{Path}: tensor '{name}' is {actual}, expected {dtype}");
        long count = shape.Aggregate(1L, (a, d) => a * d);
        if (end - begin != count * size)
            throw new InvalidDataException($"{Path}: tensor '{name}' of shape [{string.Join(", ", shape)}] has {end - begin} bytes");
        return _bytes.AsSpan((int)(_dataStart + begin), (int)(end - begin));
    }
}
