namespace Attend.Data;

/// <summary>
/// Labelled images in memory as bytes: pixels [N, C, H, W] (0..255), one class id per image, and the class names
/// in id order. MNIST-style IDX pairs load here; the attend command also fills one from a folder of PNG/JPEG files.
/// </summary>
public sealed class ImageSet
{
    /// <summary>An image set over <paramref name="pixels"/> [N, C, H, W] and <paramref name="labels"/> [N].</summary>
    public ImageSet(byte[] pixels, int[] labels, int channels, int height, int width, IReadOnlyList<string> classes)
    {
        if (channels <= 0 || height <= 0 || width <= 0 || pixels.Length != (long)labels.Length * channels * height * width)
            throw new ArgumentException($"ImageSet: {pixels.Length} pixels do not fill {labels.Length} images of {channels} x {height} x {width}");
        foreach (int label in labels)
            if ((uint)label >= (uint)classes.Count)
                throw new ArgumentException($"ImageSet: label {label} is outside the {classes.Count} classes");
        (Pixels, Labels, Channels, Height, Width, Classes) = (pixels, labels, channels, height, width, classes);
    }

    /// <summary>The pixels [N, C, H, W], row-major.</summary>
    public byte[] Pixels { get; }

    /// <summary>The class id of each image.</summary>
    public int[] Labels { get; }

    /// <summary>The number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Channels per image (1 grey, 3 RGB).</summary>
    public int Channels { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>The class names in class-id order.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Pixels per image, C H W.</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>The pixels of image <paramref name="i"/> [C, H, W].</summary>
    public ReadOnlySpan<byte> Image(int i) => Pixels.AsSpan(i * ImageSize, ImageSize);

    /// <summary>
    /// An IDX image file [N, H, W] (grey) and an IDX label file [N], as MNIST and Fashion-MNIST ship them (gzipped or
    /// not). The counts must agree and every label must be a class; classes are named by <paramref name="classes"/>,
    /// else "0", "1", ... up to the largest label.
    /// </summary>
    public static ImageSet FromIdx(string imagesPath, string labelsPath, IReadOnlyList<string>? classes = null)
    {
        (int[] imageDims, byte[] pixels) = IdxFile.Read(imagesPath);
        if (imageDims.Length != 3)
            throw new InvalidDataException($"{imagesPath}: an image file has 3 dimensions [N, H, W], this one has {imageDims.Length}");
        (int[] labelDims, byte[] labelBytes) = IdxFile.Read(labelsPath);
        if (labelDims.Length != 1)
            throw new InvalidDataException($"{labelsPath}: a label file has 1 dimension [N], this one has {labelDims.Length}");
        if (labelDims[0] != imageDims[0])
            throw new InvalidDataException($"{imagesPath} holds {imageDims[0]:N0} images but {labelsPath} holds {labelDims[0]:N0} labels");
        if (imageDims[0] == 0)
            throw new InvalidDataException($"{imagesPath}: no images");
        int[] labels = labelBytes.Select(b => (int)b).ToArray();
        int top = labels.Max();
        classes ??= Enumerable.Range(0, top + 1).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        if (top >= classes.Count)
            throw new InvalidDataException($"{labelsPath}: label {top} has no class name (there are {classes.Count})");
        return new ImageSet(pixels, labels, 1, imageDims[1], imageDims[2], classes);
    }

    /// <summary>The images at <paramref name="indices"/>, in that order.</summary>
    public ImageSet Subset(IReadOnlyList<int> indices)
    {
        byte[] pixels = new byte[indices.Count * ImageSize];
        for (int i = 0; i < indices.Count; i++)
            Image(indices[i]).CopyTo(pixels.AsSpan(i * ImageSize));
        return new ImageSet(pixels, indices.Select(i => Labels[i]).ToArray(), Channels, Height, Width, Classes);
    }
}
