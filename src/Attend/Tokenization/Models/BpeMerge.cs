namespace Attend.Tokenization;

/// <summary>One merge rule: the adjacent pair (<paramref name="Left"/>, <paramref name="Right"/>) becomes <paramref name="Result"/>; lower <paramref name="Rank"/> applies first.</summary>
internal readonly record struct BpeMerge(int Left, int Right, int Rank, int Result);
