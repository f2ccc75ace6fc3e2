using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Attend.IO;

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">The tensor's name.</param>
/// <param name="DType">"F32", "F16", "BF16", "F64", "I64", "I32", ...</param>
/// <param name="Shape">The dimensions.</param>
/// <param name="Begin">Start of its bytes, relative to the data section.</param>
/// <param name="End">End (exclusive) of its bytes.</param>
public sealed record SafeTensorInfo(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>The number of elements.</summary>
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// The Hugging Face safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}, then the data section.
/// Opening a file validates the whole header against the file's size before any tensor is read, and reading never
/// allocates more than the file holds.
/// </summary>
public sealed class SafeTensorsFile
{
    private const long MaxHeader = 100L * 1024 * 1024;
    private readonly long _dataStart;

    private SafeTensorsFile(string path, long dataStart, Dictionary<string, SafeTensorInfo> tensors, Dictionary<string, string> metadata)
    {
        Path = path;
        _dataStart = dataStart;
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The tensors by name.</summary>
    public IReadOnlyDictionary<string, SafeTensorInfo> Tensors { get; }

    /// <summary>The string-to-string "__metadata__" of the header.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Reads and validates the header of <paramref name="path"/>.</summary>
    public static SafeTensorsFile Open(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: file not found", path);
        using var handle = File.OpenHandle(path);
        long size = RandomAccess.GetLength(handle);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (size < 8 || RandomAccess.Read(handle, lengthBytes, 0) != 8)
            throw Bad(path, "truncated: shorter than the 8-byte header length");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (n > (ulong)MaxHeader || (long)n > size - 8)
            throw Bad(path, $"header length {n} does not fit in a file of {size} bytes");
        byte[] header = new byte[(int)n];
        if (RandomAccess.Read(handle, header, 8) != header.Length)
            throw Bad(path, "truncated header");
        long dataStart = 8 + (long)n;
        (Dictionary<string, SafeTensorInfo> tensors, Dictionary<string, string> metadata) = ParseHeader(path, header, size - dataStart);
        return new SafeTensorsFile(path, dataStart, tensors, metadata);
    }

    /// <summary>
    /// Copies tensor <paramref name="name"/> into <paramref name="destination"/> as float32 (F32 as is; F16, BF16 and F64
    /// converted). Its element count must equal the destination's length.
    /// </summary>
    public void ReadFloat32(string name, Span<float> destination)
    {
        if (!Tensors.TryGetValue(name, out SafeTensorInfo? info))
            throw Bad(Path, $"tensor '{name}' is missing");
        if (info.Count != destination.Length)
            throw Bad(Path, $"tensor '{name}' has {info.Count} elements, {destination.Length} expected");
        using var handle = File.OpenHandle(Path);
        long at = _dataStart + info.Begin;
        switch (info.DType)
        {
            case "F32":
                Read(handle, MemoryMarshal.AsBytes(destination), at, name);
                if (!BitConverter.IsLittleEndian)
                    throw new PlatformNotSupportedException("safetensors: big-endian hosts are not supported");
                break;
            case "F64":
                Convert(handle, at, destination, 8, name, b => (float)BinaryPrimitives.ReadDoubleLittleEndian(b));
                break;
            case "F16":
                Convert(handle, at, destination, 2, name, b => (float)BinaryPrimitives.ReadHalfLittleEndian(b));
                break;
            case "BF16":
                Convert(handle, at, destination, 2, name, b => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b) << 16));
                break;
            default:
                throw Bad(Path, $"tensor '{name}' has dtype {info.DType}, which cannot be read as floating point");
        }
    }

    /// <summary>Copies tensor <paramref name="name"/> (I64 or I32) into <paramref name="destination"/> as 32-bit integers.</summary>
    public void ReadInt32(string name, Span<int> destination)
    {
        if (!Tensors.TryGetValue(name, out SafeTensorInfo? info))
            throw Bad(Path, $"tensor '{name}' is missing");
        if (info.Count != destination.Length)
            throw Bad(Path, $"tensor '{name}' has {info.Count} elements, {destination.Length} expected");
        using var handle = File.OpenHandle(Path);
        int width = info.DType switch { "I64" => 8, "I32" => 4, _ => throw Bad(Path, $"tensor '{name}' has dtype {info.DType}, not an integer type") };
        byte[] bytes = new byte[destination.Length * width];
        Read(handle, bytes, _dataStart + info.Begin, name);
        for (int i = 0; i < destination.Length; i++)
        {
            long v = width == 8 ? BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * 8)) : BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i * 4));
            destination[i] = v is >= int.MinValue and <= int.MaxValue ? (int)v : throw Bad(Path, $"tensor '{name}' holds {v}, outside 32 bits");
        }
    }

    /// <summary>
    /// Writes float32 tensors (sorted by name, contiguous) and optional metadata to <paramref name="path"/>,
    /// atomically: a temporary file in the same folder is renamed over the target only when complete.
    /// </summary>
    public static void Write(string path, IEnumerable<(string Name, int[] Shape, ReadOnlyMemory<float> Data)> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var headerStream = new MemoryStream();
        using (var w = new Utf8JsonWriter(headerStream))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach ((string name, int[] shape, ReadOnlyMemory<float> data) in list)
            {
                if (!names.Add(name) || name == "__metadata__")
                    throw new ArgumentException($"safetensors: tensor name '{name}' is used twice or reserved");
                if (shape.Aggregate(1L, (a, b) => a * b) != data.Length)
                    throw new ArgumentException($"safetensors: tensor '{name}' has {data.Length} values for shape [{string.Join(", ", shape)}]");
                w.WriteStartObject(name);
                w.WriteString("dtype", "F32");
                w.WriteStartArray("shape");
                foreach (int d in shape)
                    w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + 4L * data.Length);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += 4L * data.Length;
            }
            w.WriteEndObject();
        }
        int pad = (int)((8 - headerStream.Length % 8) % 8);
        for (int i = 0; i < pad; i++)
            headerStream.WriteByte((byte)' ');
        AtomicFile.Write(path, s =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)headerStream.Length);
            s.Write(len);
            headerStream.Position = 0;
            headerStream.CopyTo(s);
            foreach ((_, _, ReadOnlyMemory<float> data) in list)
                s.Write(MemoryMarshal.AsBytes(data.Span));
        });
    }

    private static (Dictionary<string, SafeTensorInfo>, Dictionary<string, string>) ParseHeader(string path, byte[] header, long dataSize)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header.AsMemory().TrimEnd((byte)' '));
        }
        catch (JsonException e)
        {
            throw Bad(path, $"the header is not valid JSON ({e.Message})");
        }
        var tensors = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw Bad(path, "the header is not a JSON object");
            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__")
                {
                    if (p.Value.ValueKind != JsonValueKind.Object)
                        throw Bad(path, "__metadata__ is not an object");
                    foreach (JsonProperty m in p.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : throw Bad(path, $"metadata '{m.Name}' is not a string");
                    continue;
                }
                if (tensors.ContainsKey(p.Name))
                    throw Bad(path, $"tensor '{p.Name}' appears twice");
                tensors[p.Name] = ParseEntry(path, p);
            }
        }
        var ordered = tensors.Values.OrderBy(t => t.Begin).ThenBy(t => t.End).ToList();
        long expected = 0;
        foreach (SafeTensorInfo t in ordered)
        {
            if (t.Begin != expected)
                throw Bad(path, $"tensor '{t.Name}' starts at {t.Begin}, expected {expected} (overlapping or holes in the data)");
            expected = t.End;
        }
        if (expected != dataSize)
            throw Bad(path, expected > dataSize
                ? $"truncated: the header describes {expected} data bytes but the file holds {dataSize}"
                : $"the header describes {expected} data bytes but the file holds {dataSize}");
        return (tensors, metadata);
    }

    private static SafeTensorInfo ParseEntry(string path, JsonProperty p)
    {
        JsonElement e = p.Value;
        if (e.ValueKind != JsonValueKind.Object
            || !e.TryGetProperty("dtype", out JsonElement dtype) || dtype.ValueKind != JsonValueKind.String
            || !e.TryGetProperty("shape", out JsonElement shape) || shape.ValueKind != JsonValueKind.Array
            || !e.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw Bad(path, $"tensor '{p.Name}' needs dtype, shape and data_offsets [begin, end]");
        int width = dtype.GetString() switch
        {
            "F64" or "I64" or "U64" => 8,
            "F32" or "I32" or "U32" => 4,
            "F16" or "BF16" or "I16" or "U16" => 2,
            "I8" or "U8" or "BOOL" => 1,
            var other => throw Bad(path, $"tensor '{p.Name}' has unknown dtype '{other}'"),
        };
        long[] dims = shape.EnumerateArray().Select(d =>
            d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out long v) && v >= 0 ? v : throw Bad(path, $"tensor '{p.Name}' has an invalid dimension {d}")).ToArray();
        long[] range = offsets.EnumerateArray().Select(d =>
            d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out long v) && v >= 0 ? v : throw Bad(path, $"tensor '{p.Name}' has an invalid data offset {d}")).ToArray();
        long count = 1;
        foreach (long d in dims)
            count = d == 0 ? 0 : count > long.MaxValue / Math.Max(1, d) ? throw Bad(path, $"tensor '{p.Name}' is impossibly large") : count * d;
        if (range[1] < range[0] || range[1] - range[0] != count * width)
            throw Bad(path, $"tensor '{p.Name}': data_offsets [{range[0]}, {range[1]}] do not fit {dtype.GetString()} [{string.Join(", ", dims)}] ({count * width} bytes)");
        return new SafeTensorInfo(p.Name, dtype.GetString()!, dims, range[0], range[1]);
    }

    private static void Read(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> destination, long at, string name)
    {
        int done = 0;
        while (done < destination.Length)
        {
            int n = RandomAccess.Read(handle, destination[done..], at + done);
            if (n <= 0)
                throw new InvalidDataException($"safetensors: tensor '{name}' is truncated");
            done += n;
        }
    }

    private static void Convert(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long at, Span<float> destination, int width, string name, ReadElement read)
    {
        byte[] bytes = new byte[Math.Min(1 << 20, destination.Length * width)];
        int per = bytes.Length / width, done = 0;
        while (done < destination.Length)
        {
            int n = Math.Min(per, destination.Length - done);
            Read(handle, bytes.AsSpan(0, n * width), at + (long)done * width, name);
            for (int i = 0; i < n; i++)
                destination[done + i] = read(bytes.AsSpan(i * width, width));
            done += n;
        }
    }

    private delegate float ReadElement(ReadOnlySpan<byte> bytes);

    private static InvalidDataException Bad(string path, string problem) => new($"{path}: {problem}");
}
