using System.Text;

namespace Attend.Data;

/// <summary>
/// Reads UTF-8 text files line by line with a clear error naming the file for a missing file or invalid UTF-8.
/// Windows line endings are normalised: a trailing carriage return is removed from every line (documented behaviour).
/// </summary>
public static class TextFiles
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The lines of <paramref name="path"/> without their line endings (a leading byte-order mark is dropped).</summary>
    public static List<string> ReadLines(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: file not found", path);
        var lines = new List<string>();
        try
        {
            using var reader = new StreamReader(path, StrictUtf8, detectEncodingFromByteOrderMarks: true);
            while (reader.ReadLine() is { } line)
                lines.Add(line.EndsWith('\r') ? line[..^1] : line);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{path}: not valid UTF-8 text (line {lines.Count + 1}); convert the file to UTF-8", e);
        }
        return lines;
    }
}
