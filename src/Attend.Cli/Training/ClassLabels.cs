using Attend.IO;

namespace Attend.Cli.Training;

/// <summary>labels.txt beside a classifier checkpoint: the class names, one a line, in class-id order.</summary>
internal static class ClassLabels
{
    public static void Write(string directory, IReadOnlyList<string> labels) =>
        AtomicFile.Write(System.IO.Path.Combine(directory, "labels.txt"),
            s => s.Write(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", labels) + "\n")));

    public static List<string> Read(string directory)
    {
        string path = System.IO.Path.Combine(directory, "labels.txt");
        return File.Exists(path) ? Attend.Data.TextFiles.ReadLines(path).Where(l => l.Length > 0).ToList()
            : throw new FileNotFoundException($"{path}: missing (a classifier checkpoint names its classes there)", path);
    }
}
