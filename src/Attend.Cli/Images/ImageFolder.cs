using Attend.Cli.Hosting;
using Attend.Data;

namespace Attend.Cli.Images;

/// <summary>
/// torchvision's ImageFolder convention: DIR/&lt;class&gt;/&lt;image&gt;.png|.jpg|.jpeg, classes named by their
/// sub-folders in ordinal order (their class ids), every image of one size. A folder without classes, a class without
/// images, an unreadable image or one of another size is an error naming the folder or file.
/// </summary>
internal static class ImageFolder
{
    /// <summary>The images under <paramref name="root"/> with <paramref name="channels"/> channels; the first image sets the size.</summary>
    public static ImageSet Read(string root, int channels, IReadOnlyList<string>? classes = null)
    {
        if (!Directory.Exists(root))
            throw new CliException($"{root}: image folder not found");
        List<string> found = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>()
            .Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal).ToList();
        if (found.Count == 0)
            throw new CliException($"{root}: no class sub-folders (an image folder holds one sub-folder of images per class)");
        classes ??= found;
        var pixels = new List<byte[]>();
        var labels = new List<int>();
        int height = 0, width = 0;
        foreach (string name in found)
        {
            int label = IndexOf(classes, name);
            if (label < 0)
                throw new CliException($"{Path.Combine(root, name)}: class '{name}' is not one of the model's classes ({string.Join(", ", classes)})");
            string folder = Path.Combine(root, name);
            string[] files = Directory.GetFiles(folder)
                .Where(f => ImageFile.Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal).ToArray();
            if (files.Length == 0)
                throw new CliException($"{folder}: no images (.png, .jpg or .jpeg) in class '{name}'");
            foreach (string file in files)
            {
                if (pixels.Count == 0)
                {
                    (byte[] first, height, width) = ImageFile.Read(file, channels);
                    pixels.Add(first);
                }
                else
                {
                    (byte[] image, int h, int w) = ImageFile.Read(file, channels);
                    if (h != height || w != width)
                        throw new CliException($"{file}: the image is {w} x {h} pixels, the folder's first image {width} x {height}; every image must have one size");
                    pixels.Add(image);
                }
                labels.Add(label);
            }
        }
        int size = channels * height * width;
        byte[] all = new byte[pixels.Count * size];
        for (int i = 0; i < pixels.Count; i++)
            pixels[i].CopyTo(all, i * size);
        return new ImageSet(all, [.. labels], channels, height, width, classes);
    }

    private static int IndexOf(IReadOnlyList<string> classes, string name)
    {
        for (int i = 0; i < classes.Count; i++)
            if (classes[i] == name)
                return i;
        return -1;
    }
}
