namespace Attend.Tests.Cli;

/// <summary>Finds ../shared/data beside the repository (present on the project's machines and in CI, absent from a user's clone).</summary>
internal static class SharedData
{
    public static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(Path.Combine(candidate, "multi30k")))
                return candidate;
        }
        return null;
    }

    public static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Attend.slnx")))
                return dir.FullName;
        return null;
    }
}
