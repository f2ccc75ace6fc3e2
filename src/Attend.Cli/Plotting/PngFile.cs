namespace Attend.Cli.Plotting;

/// <summary>Renders a PNG to a temporary file in the target's folder, then renames it, so no half-written picture is left.</summary>
internal static class PngFile
{
    public static void Save(string path, Action<string> render)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileNameWithoutExtension(full)}.{Environment.ProcessId}.tmp.png");
        try
        {
            render(temp);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
