using System.Buffers.Binary;
using System.Text;
using Attend.IO;

namespace Attend.Tests.IO;

public sealed class SafeTensorsFileTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "attend-st-" + Guid.NewGuid().ToString("N") + ".safetensors");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void Write_ProducesTheSpecifiedBytes()
    {
        SafeTensorsFile.Write(_path, [("b", [2], new float[] { 1f, 2f }), ("a", [1], new float[] { 3f })]);
        byte[] bytes = File.ReadAllBytes(_path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.Equal("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", header.TrimEnd(' '));
        Assert.Equal(0UL, n % 8);
        Assert.Equal(new[] { 3f, 1f, 2f }, Enumerable.Range(0, 3).Select(i => BitConverter.ToSingle(bytes, 8 + (int)n + 4 * i)));
    }

    [Fact]
    public void RoundTrip_KeepsValuesAndMetadata()
    {
        float[] data = Enumerable.Range(0, 24).Select(i => i * 0.5f - 3f).ToArray();
        SafeTensorsFile.Write(_path, [("w", [2, 3, 4], data)], new Dictionary<string, string> { ["format"] = "pt" });
        var file = SafeTensorsFile.Open(_path);
        float[] back = new float[24];
        file.ReadFloat32("w", back);
        Assert.Equal(data, back);
        Assert.Equal(new long[] { 2, 3, 4 }, file.Tensors["w"].Shape);
        Assert.Equal("pt", file.Metadata["format"]);
    }

    public static TheoryData<string, string> BadHeaders => new()
    {
        { """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}""", "do not fit" },
        { """{"w":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}""", "unknown dtype" },
        { """{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", "invalid dimension" },
        { """{"w":{"dtype":"F32","shape":[1]}}""", "needs dtype, shape and data_offsets" },
        { """[1,2]""", "not a JSON object" },
        { """{"w":""", "not valid JSON" },
        { """{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", "starts at 4" },
        { """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", "truncated" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void Open_MalformedHeader_NamesFileAndProblem(string header, string problem)
    {
        byte[] h = Encoding.UTF8.GetBytes(header);
        byte[] file = new byte[8 + h.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)h.Length);
        h.CopyTo(file, 8);
        File.WriteAllBytes(_path, file);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(_path));
        Assert.Contains(_path, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_HeaderLengthBeyondFile_IsRejectedBeforeAllocating()
    {
        byte[] file = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(file, ulong.MaxValue / 2);
        File.WriteAllBytes(_path, file);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(_path));
        Assert.Contains("does not fit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_TooShortFile_IsTruncated()
    {
        File.WriteAllBytes(_path, [1, 2, 3]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(_path)).Message, StringComparison.Ordinal);
    }
}
