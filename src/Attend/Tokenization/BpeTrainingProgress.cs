namespace Attend.Tokenization;

/// <summary>Where training stands: <paramref name="Phase"/> is "count" (texts read) or "merge" (merges learned of <paramref name="Total"/>).</summary>
public readonly record struct BpeTrainingProgress(string Phase, long Done, long Total);
