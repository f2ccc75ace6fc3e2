using Attend.Decoding;
using Attend.Models;

namespace Attend.Server;

/// <summary>One sentence to translate with its decoding settings.</summary>
internal sealed record TranslationJob(int[] Source, int Beam, int MaxTokens, float LengthPenalty);

/// <summary>
/// A batch of translations: the greedy ones decode together in one padded batch (each row stops at its own limit, so
/// batching changes nothing), the beam-search ones one by one.
/// </summary>
internal static class Translation
{
    public static int[][] Run(Seq2SeqTransformer model, IReadOnlyList<TranslationJob> jobs, object modelLock)
    {
        var results = new int[jobs.Count][];
        lock (modelLock)
        {
            var greedy = Enumerable.Range(0, jobs.Count).Where(i => jobs[i].Beam == 1).ToList();
            if (greedy.Count > 0)
            {
                int limit = greedy.Max(i => jobs[i].MaxTokens);
                int[][] outputs = Greedy.Translate(model, greedy.Select(i => jobs[i].Source).ToList(), limit);
                for (int k = 0; k < greedy.Count; k++)
                    results[greedy[k]] = outputs[k].Take(jobs[greedy[k]].MaxTokens).ToArray();
            }
            for (int i = 0; i < jobs.Count; i++)
                if (jobs[i].Beam > 1)
                    results[i] = BeamSearch.Translate(model, [jobs[i].Source], jobs[i].Beam, jobs[i].MaxTokens, jobs[i].LengthPenalty)[0];
        }
        return results;
    }
}
