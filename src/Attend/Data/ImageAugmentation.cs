using Attend.Tensors;

namespace Attend.Data;

/// <summary>
/// Training-time augmentation as torchvision's RandomCrop(size, padding) and RandomHorizontalFlip(): the image padded
/// with black (byte 0) by <see cref="CropPadding"/> pixels on every side, a window of the original size cut at a random
/// offset, then mirrored left to right with probability 1/2. Every draw comes from a generator the caller seeds, so a
/// resumed run sees the same augmented batches.
/// </summary>
/// <param name="CropPadding">Padding of the random crop; 0 turns cropping off.</param>
/// <param name="HorizontalFlip">Mirror half of the images.</param>
public sealed record ImageAugmentation(int CropPadding = 0, bool HorizontalFlip = false)
{
    /// <summary>No augmentation.</summary>
    public static ImageAugmentation None { get; } = new();

    /// <summary>True when the augmentation changes images.</summary>
    public bool IsActive => CropPadding > 0 || HorizontalFlip;

    /// <summary>
    /// Writes image [C, H, W] (bytes) into <paramref name="output"/> as normalised floats through <paramref name="table"/>
    /// ([C, 256], <see cref="ImageNormalization.Table"/>), cropped and flipped as drawn from <paramref name="rng"/> (which
    /// is left untouched when nothing is active).
    /// </summary>
    public void Apply(ReadOnlySpan<byte> image, int channels, int height, int width, ReadOnlySpan<float> table, Rng? rng, Span<float> output)
    {
        int dy = 0, dx = 0;
        bool flip = false;
        if (IsActive && rng is not null)
        {
            if (CropPadding > 0)
            {
                dy = rng.NextInt(2 * CropPadding + 1) - CropPadding;   // the window's offset from the original position
                dx = rng.NextInt(2 * CropPadding + 1) - CropPadding;
            }
            flip = HorizontalFlip && (rng.NextUInt64() >> 63) == 1;
        }
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<float> lut = table.Slice(c * 256, 256);
            float black = lut[0];
            for (int y = 0; y < height; y++)
            {
                int sy = y + dy;
                Span<float> row = output.Slice((c * height + y) * width, width);
                if ((uint)sy >= (uint)height)
                {
                    row.Fill(black);
                    continue;
                }
                ReadOnlySpan<byte> source = image.Slice((c * height + sy) * width, width);
                for (int x = 0; x < width; x++)
                {
                    int sx = (flip ? width - 1 - x : x) + dx;
                    row[x] = (uint)sx < (uint)width ? lut[source[sx]] : black;
                }
            }
        }
    }
}
