using System.Text;
using Attend.Tokenization;

namespace Attend.Tests.Tokenization;

/// <summary>
/// The textbook trainer, for reference: recount every adjacent pair in every word at each step, merge the pair with
/// the highest count (ties: smallest (left, right) ids) left to right, stop at the target size or below the minimum
/// frequency. Ids: specials, then bytes in byte order, then merges in order.
/// </summary>
internal static class NaiveBpeTrainer
{
    public static List<(int Left, int Right)> Train(IEnumerable<string> texts, int vocabularySize, int minFrequency,
        int specials, PreTokenizer pre)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string text in texts)
        {
            foreach ((int start, int length) in pre.Split(text))
            {
                string piece = text.Substring(start, length);
                counts[piece] = counts.GetValueOrDefault(piece) + 1;
            }
        }
        var words = counts.Select(p => (Symbols: Encoding.UTF8.GetBytes(p.Key).Select(b => specials + b).ToList(), Count: p.Value)).ToList();
        var merges = new List<(int, int)>();
        int next = specials + 256;
        while (next < vocabularySize)
        {
            var pairs = new Dictionary<(int, int), int>();
            foreach ((List<int> s, int c) in words)
                for (int i = 0; i + 1 < s.Count; i++)
                    pairs[(s[i], s[i + 1])] = pairs.GetValueOrDefault((s[i], s[i + 1])) + c;
            if (pairs.Count == 0)
                break;
            KeyValuePair<(int, int), int> best = pairs.OrderByDescending(p => p.Value).ThenBy(p => p.Key.Item1).ThenBy(p => p.Key.Item2).First();
            if (best.Value < minFrequency)
                break;
            (int left, int right) = best.Key;
            foreach ((List<int> s, int _) in words)
            {
                for (int i = 0; i + 1 < s.Count; i++)
                {
                    if (s[i] == left && s[i + 1] == right)
                    {
                        s[i] = next;
                        s.RemoveAt(i + 1);
                    }
                }
            }
            merges.Add((left, right));
            next++;
        }
        return merges;
    }
}
