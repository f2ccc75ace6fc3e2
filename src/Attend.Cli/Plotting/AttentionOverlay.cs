using SkiaSharp;

namespace Attend.Cli.Plotting;

/// <summary>
/// An image and, beside it, the same image with a heat map of per-patch weights (0..1, black-red-yellow-white) laid over
/// it, scaled up by whole pixels so patches stay sharp; written as a PNG through a temporary file.
/// </summary>
internal static class AttentionOverlay
{
    public static void Save(string path, byte[] pixels, int channels, int height, int width, float[] grid, int rows, int cols)
    {
        if (grid.Length != rows * cols || height % rows != 0 || width % cols != 0)
            throw new ArgumentException($"AttentionOverlay: a {rows} x {cols} grid does not tile a {height} x {width} image");
        int scale = Math.Max(1, 280 / Math.Max(height, width)), gap = 8;
        int h = height * scale, w = width * scale, plane = height * width;
        using var bitmap = new SKBitmap(new SKImageInfo(2 * w + gap, h, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(SKColors.White);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int sy = y / scale, sx = x / scale, at = sy * width + sx;
                (float r, float g, float b) = channels == 1
                    ? (pixels[at], pixels[at], pixels[at])
                    : (pixels[at], pixels[plane + at], pixels[2 * plane + at]);
                bitmap.SetPixel(x, y, new SKColor((byte)r, (byte)g, (byte)b));
                float weight = grid[sy / (height / rows) * cols + sx / (width / cols)];
                (float hr, float hg, float hb) = Heat(weight);
                float alpha = 0.25f + 0.5f * weight;   // the image shows through everywhere, least where attention is high
                bitmap.SetPixel(w + gap + x, y, new SKColor(Blend(r, hr, alpha), Blend(g, hg, alpha), Blend(b, hb, alpha)));
            }
        PngFile.Save(path, temp =>
        {
            using SKData png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            using var file = File.Create(temp);
            png.SaveTo(file);
        });
    }

    // black (0) to red to yellow to white (1), as matplotlib's "hot"
    private static (float R, float G, float B) Heat(float t) =>
        (255 * Math.Clamp(3 * t, 0, 1), 255 * Math.Clamp(3 * t - 1, 0, 1), 255 * Math.Clamp(3 * t - 2, 0, 1));

    private static byte Blend(float under, float over, float alpha) => (byte)Math.Round(under * (1 - alpha) + over * alpha);
}
