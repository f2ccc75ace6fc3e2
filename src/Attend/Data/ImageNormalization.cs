using System.Globalization;
using System.Text.Json;

namespace Attend.Data;

/// <summary>
/// Pixel normalisation x = (p / 255 - mean_c) / std_c per channel c, with the training set's mean and standard deviation.
/// Stored beside a Vision Transformer's checkpoint as preprocessor_config.json with the keys of Hugging Face's
/// ViTImageProcessor (image_mean, image_std, rescale_factor, size), so the checkpoint carries its own preprocessing.
/// </summary>
public sealed record ImageNormalization(float[] Mean, float[] Std)
{
    /// <summary>The file name inside a checkpoint folder.</summary>
    public const string FileName = "preprocessor_config.json";

    /// <summary>The mean and (population) standard deviation of each channel over every pixel of <paramref name="images"/>.</summary>
    public static ImageNormalization FromImages(ImageSet images)
    {
        int c = images.Channels, plane = images.Height * images.Width;
        var sums = new double[c];
        var squares = new double[c];
        for (int i = 0; i < images.Count; i++)
        {
            ReadOnlySpan<byte> image = images.Image(i);
            for (int ch = 0; ch < c; ch++)
            {
                long s = 0, q = 0;
                foreach (byte p in image.Slice(ch * plane, plane))
                {
                    s += p;
                    q += p * p;
                }
                sums[ch] += s;
                squares[ch] += q;
            }
        }
        double n = (double)images.Count * plane;
        float[] mean = new float[c], std = new float[c];
        for (int ch = 0; ch < c; ch++)
        {
            double m = sums[ch] / n, variance = Math.Max(0, squares[ch] / n - m * m);
            mean[ch] = (float)(m / 255);
            std[ch] = (float)Math.Max(1e-6, Math.Sqrt(variance) / 255);
        }
        return new ImageNormalization(mean, std);
    }

    /// <summary>For each channel, the normalised value of each byte 0..255: [C, 256].</summary>
    public float[] Table()
    {
        float[] table = new float[Mean.Length * 256];
        for (int c = 0; c < Mean.Length; c++)
            for (int v = 0; v < 256; v++)
                table[c * 256 + v] = (v / 255f - Mean[c]) / Std[c];
        return table;
    }

    /// <summary>Writes preprocessor_config.json for images of <paramref name="height"/> x <paramref name="width"/> into <paramref name="directory"/>.</summary>
    public void Save(string directory, int height, int width)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("image_processor_type", "ViTImageProcessor");
            w.WriteBoolean("do_resize", false);
            w.WriteStartObject("size");
            w.WriteNumber("height", height);
            w.WriteNumber("width", width);
            w.WriteEndObject();
            w.WriteBoolean("do_rescale", true);
            w.WriteNumber("rescale_factor", 1.0 / 255);
            w.WriteBoolean("do_normalize", true);
            w.WriteStartArray("image_mean");
            foreach (float m in Mean)
                w.WriteNumberValue(m);
            w.WriteEndArray();
            w.WriteStartArray("image_std");
            foreach (float s in Std)
                w.WriteNumberValue(s);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        IO.AtomicFile.Write(Path.Combine(directory, FileName), s => s.Write(stream.ToArray()));
    }

    /// <summary>Reads preprocessor_config.json from <paramref name="directory"/>; it must give one mean and one positive deviation per channel.</summary>
    public static ImageNormalization Load(string directory, int channels)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: missing (a Vision Transformer checkpoint keeps its pixel normalisation there)", path);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            float[] mean = doc.RootElement.GetProperty("image_mean").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            float[] std = doc.RootElement.GetProperty("image_std").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            if (mean.Length != channels || std.Length != channels || std.Any(s => !(s > 0)) || mean.Any(m => !float.IsFinite(m)))
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{path}: image_mean and image_std need {channels} values each (std positive), got {mean.Length} and {std.Length}"));
            return new ImageNormalization(mean, std);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: malformed ({e.Message})", e);
        }
    }
}
