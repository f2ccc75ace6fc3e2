namespace Attend.Data;

/// <summary>
/// Sentence pairs from two aligned text files, one sentence a line. Line counts must agree and no line may be empty:
/// either would silently misalign the pairs, so both are errors naming the file and the line.
/// </summary>
public static class ParallelCorpus
{
    /// <summary>The (source, target) pairs of two aligned files.</summary>
    public static List<(string Source, string Target)> Read(string sourcePath, string targetPath)
    {
        List<string> source = TextFiles.ReadLines(sourcePath);
        List<string> target = TextFiles.ReadLines(targetPath);
        if (source.Count == 0)
            throw new InvalidDataException($"{sourcePath}: the file is empty");
        if (source.Count != target.Count)
            throw new InvalidDataException($"{sourcePath} has {source.Count} lines but {targetPath} has {target.Count}: the files must be aligned line by line");
        for (int i = 0; i < source.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(source[i]))
                throw new InvalidDataException($"{sourcePath}: line {i + 1} is empty; remove the pair from both files");
            if (string.IsNullOrWhiteSpace(target[i]))
                throw new InvalidDataException($"{targetPath}: line {i + 1} is empty; remove the pair from both files");
        }
        return source.Zip(target).ToList();
    }
}
