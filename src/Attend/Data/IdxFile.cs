using System.Buffers.Binary;
using System.IO.Compression;

namespace Attend.Data;

/// <summary>
/// The IDX format of MNIST and Fashion-MNIST (LeCun's): two zero bytes, a type byte (0x08 = unsigned byte), the number
/// of dimensions, each dimension as a big-endian 32-bit integer, then the data row-major. Files ending in ".gz" (or
/// starting with the gzip signature) are decompressed first. Any deviation is an error naming the file.
/// </summary>
public static class IdxFile
{
    /// <summary>The dimensions and the unsigned bytes of the IDX file at <paramref name="path"/>.</summary>
    public static (int[] Dims, byte[] Data) Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: file not found", path);
        byte[] bytes = Decompress(path, File.ReadAllBytes(path));
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException($"{path}: not an IDX file (wrong magic number{(bytes.Length >= 4 ? $" 0x{BinaryPrimitives.ReadUInt32BigEndian(bytes):X8}" : "")}; expected 0x00000801 for labels or 0x00000803 for images)");
        if (bytes[2] != 0x08)
            throw new InvalidDataException($"{path}: IDX data type 0x{bytes[2]:X2} is not supported (only 0x08, unsigned bytes)");
        int rank = bytes[3];
        if (rank == 0 || bytes.Length < 4 + 4 * rank)
            throw new InvalidDataException($"{path}: truncated IDX header ({rank} dimensions, {bytes.Length} bytes)");
        int[] dims = new int[rank];
        long size = 1;
        for (int i = 0; i < rank; i++)
        {
            uint d = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (d > int.MaxValue)
                throw new InvalidDataException($"{path}: dimension {i} of {d} is too large");
            dims[i] = (int)d;
            size *= d;
        }
        long have = bytes.Length - 4 - 4L * rank;
        if (have != size)
            throw new InvalidDataException($"{path}: {(have < size ? "truncated" : "trailing data")}: the header [{string.Join(" x ", dims)}] needs {size:N0} data bytes, the file has {have:N0}");
        return (dims, bytes.AsSpan(4 + 4 * rank).ToArray());
    }

    /// <summary>Writes an IDX file of unsigned bytes (gzipped when the name ends in ".gz"); for tests and exports.</summary>
    public static void Write(string path, ReadOnlySpan<int> dims, ReadOnlySpan<byte> data)
    {
        long size = 1;
        foreach (int d in dims)
            size *= d;
        if (dims.Length is 0 or > 255 || size != data.Length)
            throw new ArgumentException($"IdxFile.Write: {data.Length} bytes do not fill [{string.Join(" x ", dims.ToArray())}]");
        using var raw = new MemoryStream();
        raw.Write([0, 0, 0x08, (byte)dims.Length]);
        Span<byte> word = stackalloc byte[4];
        foreach (int d in dims)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, d);
            raw.Write(word);
        }
        raw.Write(data);
        byte[] content = raw.ToArray();
        IO.AtomicFile.Write(path, s =>
        {
            if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            {
                using var gz = new GZipStream(s, CompressionLevel.Fastest, leaveOpen: true);
                gz.Write(content);
            }
            else
            {
                s.Write(content);
            }
        });
    }

    private static byte[] Decompress(string path, byte[] bytes)
    {
        if (bytes.Length < 2 || bytes[0] != 0x1F || bytes[1] != 0x8B)
            return bytes;
        try
        {
            using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var output = new MemoryStream();
            gz.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: corrupt or truncated gzip data ({e.Message})", e);
        }
    }
}
