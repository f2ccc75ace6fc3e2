using Attend.Cli.Hosting;
using Attend.Data;

namespace Attend.Cli.Images;

/// <summary>The labelled images a verb's options name: an IDX pair (--images, --labels) or an image folder.</summary>
internal static class ImageData
{
    /// <summary>
    /// The set named by --{prefix}images and --{prefix}labels, or by --{folderOption}; null when none is given.
    /// <paramref name="classes"/> names the classes (a model's, or --class-names), else IDX labels are "0", "1", ... and
    /// folders name their own.
    /// </summary>
    public static ImageSet? Read(ParsedArgs args, string prefix, string folderOption, int channels, IReadOnlyList<string>? classes)
    {
        string? images = args.Get(prefix + "images"), labels = args.Get(prefix + "labels"), folder = args.Get(folderOption);
        if (images is not null && folder is not null)
            throw new UsageException($"give either '--{prefix}images' with '--{prefix}labels' or '--{folderOption}', not both");
        if (folder is not null)
            return ImageFolder.Read(folder, channels, classes);
        if (images is null && labels is null)
            return null;
        if (images is null || labels is null)
            throw new UsageException($"options '--{prefix}images' and '--{prefix}labels' go together (an IDX image file and its label file)");
        if (channels != 1)
            throw new UsageException($"IDX image files are grey (one channel); the model takes {channels}");
        return ImageSet.FromIdx(images, labels, classes);
    }
}
