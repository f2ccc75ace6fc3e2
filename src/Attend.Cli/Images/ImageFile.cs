using Attend.Cli.Hosting;
using SkiaSharp;

namespace Attend.Cli.Images;

/// <summary>
/// Decodes PNG and JPEG files (and whatever else Skia reads) with SkiaSharp into bytes [C, H, W]: one grey channel
/// (luma, ITU-R 601 as PIL's convert("L")) or three RGB channels; alpha is dropped. An unreadable file is an error naming it.
/// </summary>
internal static class ImageFile
{
    /// <summary>The extensions an image folder's files may have.</summary>
    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    /// <summary>The pixels of <paramref name="path"/> as [channels, H, W] bytes, with its height and width.</summary>
    public static (byte[] Pixels, int Height, int Width) Read(string path, int channels)
    {
        if (channels is not (1 or 3))
            throw new CliException($"{path}: images have 1 (grey) or 3 (RGB) channels, not {channels}");
        if (!File.Exists(path))
            throw new CliException($"{path}: image file not found");
        using var data = SKData.Create(path);
        using SKCodec? codec = data is null ? null : SKCodec.Create(data);
        if (codec is null)
            throw new CliException($"{path}: not a readable image (PNG or JPEG expected)");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        SKCodecResult result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
            throw new CliException($"{path}: the image data cannot be decoded ({result})");
        ReadOnlySpan<byte> rgba = bitmap.GetPixelSpan();
        int h = info.Height, w = info.Width, plane = h * w;
        byte[] pixels = new byte[channels * plane];
        for (int i = 0; i < plane; i++)
        {
            byte r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2];
            if (channels == 1)
            {
                pixels[i] = (byte)((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
            }
            else
            {
                pixels[i] = r;
                pixels[plane + i] = g;
                pixels[2 * plane + i] = b;
            }
        }
        return (pixels, h, w);
    }

    /// <summary>Reads <paramref name="path"/> and checks that it is <paramref name="height"/> x <paramref name="width"/>.</summary>
    public static byte[] Read(string path, int channels, int height, int width)
    {
        (byte[] pixels, int h, int w) = Read(path, channels);
        if (h != height || w != width)
            throw new CliException($"{path}: the image is {w} x {h} pixels; the model takes {width} x {height}");
        return pixels;
    }
}
