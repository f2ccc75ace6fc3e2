using Attend.Tensors;

namespace Attend.Training;

/// <summary>
/// Batches built by token count with length bucketing: examples sorted by length are cut into batches whose padded
/// size (rows x longest) stays within a token budget, and the order of the batches is shuffled per epoch from a seed,
/// so epoch e of a run always sees the same batches in the same order (what makes resuming exact).
/// </summary>
public static class BatchPlan
{
    /// <summary>The batches (lists of example indices) for epoch <paramref name="epoch"/>.</summary>
    public static List<int[]> ForEpoch(IReadOnlyList<int> lengths, int maxTokens, ulong seed, long epoch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        var rng = new Rng(seed * 0x9E3779B97F4A7C15UL + (ulong)epoch);
        int[] order = Enumerable.Range(0, lengths.Count).ToArray();
        rng.Shuffle(order.AsSpan());
        // stable sort by length after the shuffle: equal lengths are mixed differently in every epoch
        int[] byLength = order.OrderBy(i => lengths[i]).ToArray();
        var batches = new List<int[]>();
        var current = new List<int>();
        int longest = 0;
        foreach (int i in byLength)
        {
            int l = Math.Max(1, lengths[i]);
            if (current.Count > 0 && Math.Max(longest, l) * (current.Count + 1) > maxTokens)
            {
                batches.Add([.. current]);
                current.Clear();
                longest = 0;
            }
            current.Add(i);
            longest = Math.Max(longest, l);
        }
        if (current.Count > 0)
            batches.Add([.. current]);
        int[][] shuffled = [.. batches];
        rng.Shuffle(shuffled.AsSpan());
        return [.. shuffled];
    }
}
