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

    [Fact]
    public void Read_FileWrittenFromPyTorch_ConvertsEveryFloatDType()
    {
        // tests/Attend.Tests/IO/make_safetensors_fixture.py wrote it from torch tensors; the values are the ones torch printed
        var file = SafeTensorsFile.Open(Path.Combine(AppContext.BaseDirectory, "Fixtures", "safetensors", "torch_fixture.safetensors"));
        Assert.Equal(["bf16.bias", "double.scale", "embed.weight", "half.weight", "positions", "scalar"], file.Tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(new long[] { 4, 3 }, file.Tensors["embed.weight"].Shape);
        Assert.Empty(file.Tensors["scalar"].Shape);
        float[] Read(string name)
        {
            float[] data = new float[file.Tensors[name].Count];
            file.ReadFloat32(name, data);
            return data;
        }
        Assert.Equal(
            [1.5409960746765137f, -0.293428897857666f, -2.1787893772125244f, 0.5684312582015991f, -1.0845223665237427f,
             -1.3985954523086548f, 0.40334683656692505f, 0.8380263447761536f, -0.7192575931549072f, -0.40334352850914f,
             -0.5966353416442871f, 0.18203648924827576f],
            Read("embed.weight"));
        Assert.Equal([-2.0f, -1.2001953125f, -0.39990234375f, 0.39990234375f, 1.2001953125f, 2.0f], Read("half.weight"));
        Assert.Equal([1.5f, -0.25f, 3.0f], Read("bf16.bias"));
        Assert.Equal([0.1f, 0.2f, 0.3f, 0.4f], Read("double.scale"));
        Assert.Equal([7f], Read("scalar"));
        Assert.Equal("I64", file.Tensors["positions"].DType);
        Assert.Throws<InvalidDataException>(() => Read("positions"));
    }
}
