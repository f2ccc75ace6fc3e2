using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Attend.Tokenization;

/// <summary>
/// Learns byte-pair merges incrementally. Each distinct pre-token is counted once with its frequency (in parallel);
/// pair counts are kept in a table and, after a merge, updated only in the words where the merge lands (the word's
/// old pairs are subtracted and its new pairs added, so counts always equal a full recount); the best pair comes from
/// a priority queue with lazy invalidation (a stale entry is re-queued with its current count when popped).
/// </summary>
internal sealed class BpeTrainer
{
    private readonly BpeTrainerOptions _options;
    private readonly IProgress<BpeTrainingProgress>? _progress;
    private readonly List<byte[]> _tokens = [];
    private readonly List<BpeMerge> _merges = [];
    private readonly Dictionary<long, int> _pairCounts = [];
    private readonly Dictionary<long, List<int>> _pairWords = [];
    private readonly PriorityQueue<long, (int Count, long Pair)> _queue = new(BestFirst.Instance);
    private int[][] _words = [];
    private int[] _wordCounts = [];
    private int[] _wordLengths = [];

    public BpeTrainer(BpeTrainerOptions options, IProgress<BpeTrainingProgress>? progress)
    {
        _options = options;
        _progress = progress;
    }

    /// <summary>The learned tokens (index = id - number of specials) and merges after <see cref="Train"/>.</summary>
    public (IReadOnlyList<byte[]> Tokens, IReadOnlyList<BpeMerge> Merges) Train(IEnumerable<string> texts)
    {
        int specials = _options.SpecialTokens.Count;
        if (_options.VocabularySize < 256 + specials)
            throw new ArgumentException(
                $"vocabulary size {_options.VocabularySize} is below 256 bytes + {specials} special tokens = {256 + specials}");
        if (_options.MinFrequency < 1)
            throw new ArgumentException($"minimum frequency must be at least 1, got {_options.MinFrequency}");
        Dictionary<string, int> counts = CountPreTokens(texts);
        if (counts.Count == 0)
            throw new ArgumentException("the training corpus is empty (no text to learn from)");
        for (int b = 0; b < 256; b++)
            _tokens.Add([(byte)b]);
        BuildWords(counts, specials);
        CountPairs();
        LearnMerges(specials);
        return (_tokens, _merges);
    }

    private Dictionary<string, int> CountPreTokens(IEnumerable<string> texts)
    {
        var total = new Dictionary<string, int>(StringComparer.Ordinal);
        var specials = new SpecialTokenMatcher(
            _options.SpecialTokens.Select((t, i) => KeyValuePair.Create(t, i)).ToDictionary(p => p.Key, p => p.Value));
        PreTokenizer pre = _options.PreTokenizer;
        long seen = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.MaxDegreeOfParallelism) };
        Parallel.ForEach(texts, parallel,
            () => new Dictionary<string, int>(StringComparer.Ordinal),
            (text, _, local) =>
            {
                CountText(text, pre, specials, local);
                long n = Interlocked.Increment(ref seen);
                if (_progress is not null && n % 10_000 == 0)
                    _progress.Report(new BpeTrainingProgress("count", n, -1));
                return local;
            },
            local =>
            {
                lock (total)
                {
                    foreach ((string key, int c) in local)
                        CollectionsMarshal.GetValueRefOrAddDefault(total, key, out _) += c;
                }
            });
        _progress?.Report(new BpeTrainingProgress("count", seen, seen));
        return total;
    }

    // Runs once per training: compiled fully optimized at once instead of starting in the unoptimized tier.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CountText(string text, PreTokenizer pre, SpecialTokenMatcher specials, Dictionary<string, int> counts)
    {
        Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        ReadOnlySpan<char> rest = text;
        while (!rest.IsEmpty)
        {
            int at = specials.Find(rest, out int length, out _);
            ReadOnlySpan<char> segment = at < 0 ? rest : rest[..at];
            foreach ((int start, int len) in pre.Split(segment))
                CollectionsMarshal.GetValueRefOrAddDefault(lookup, segment.Slice(start, len), out _)++;
            rest = at < 0 ? default : rest[(at + length)..];
        }
    }

    // Runs once per training: compiled fully optimized at once instead of starting in the unoptimized tier.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BuildWords(Dictionary<string, int> counts, int specials)
    {
        // Sorted so the word order, and with it every tie, does not depend on thread scheduling.
        string[] keys = counts.Keys.ToArray();
        Array.Sort(keys, StringComparer.Ordinal);
        _words = new int[keys.Length][];
        _wordCounts = new int[keys.Length];
        _wordLengths = new int[keys.Length];
        for (int w = 0; w < keys.Length; w++)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(keys[w]);
            var symbols = new int[bytes.Length];
            for (int i = 0; i < bytes.Length; i++)
                symbols[i] = specials + bytes[i];
            _words[w] = symbols;
            _wordLengths[w] = symbols.Length;
            _wordCounts[w] = counts[keys[w]];
        }
    }

    // Runs once per training: compiled fully optimized at once instead of starting in the unoptimized tier.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CountPairs()
    {
        for (int w = 0; w < _words.Length; w++)
        {
            int[] s = _words[w];
            int c = _wordCounts[w];
            for (int i = 0; i + 1 < s.Length; i++)
            {
                long pair = Pair(s[i], s[i + 1]);
                ref int count = ref CollectionsMarshal.GetValueRefOrAddDefault(_pairCounts, pair, out bool exists);
                count += c;
                ref List<int>? list = ref CollectionsMarshal.GetValueRefOrAddDefault(_pairWords, pair, out _);
                list ??= [];
                if (list.Count == 0 || list[^1] != w)
                    list.Add(w);
            }
        }
        foreach ((long pair, int count) in _pairCounts)
            _queue.Enqueue(pair, (count, pair));
    }

    // Runs once per training: compiled fully optimized at once instead of starting in the unoptimized tier.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void LearnMerges(int specials)
    {
        int target = _options.VocabularySize - specials - 256;
        int[] visited = new int[_words.Length];
        var touched = new HashSet<long>();
        int step = 0;
        while (_merges.Count < target && _queue.TryDequeue(out long pair, out (int Count, long Pair) entry))
        {
            int current = _pairCounts.GetValueOrDefault(pair);
            if (current != entry.Count)
            {
                if (current > 0 && current < entry.Count)
                    _queue.Enqueue(pair, (current, pair));
                continue;
            }
            if (current < _options.MinFrequency)
                break;
            int left = (int)(pair >> 32), right = (int)pair;
            int newId = specials + _tokens.Count;
            _tokens.Add([.. _tokens[left - specials], .. _tokens[right - specials]]);
            _merges.Add(new BpeMerge(left, right, _merges.Count, newId));
            step++;
            touched.Clear();
            foreach (int w in _pairWords[pair])
            {
                if (visited[w] == step)
                    continue;
                visited[w] = step;
                MergeWord(w, left, right, newId, touched);
            }
            _pairWords.Remove(pair);
            foreach (long p in touched)
                if (_pairCounts.TryGetValue(p, out int c) && c > 0)
                    _queue.Enqueue(p, (c, p));
            if (_progress is not null && (_merges.Count % 1000 == 0 || _merges.Count == target))
                _progress.Report(new BpeTrainingProgress("merge", _merges.Count, target));
        }
    }

    // Runs once per training: compiled fully optimized at once instead of starting in the unoptimized tier.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void MergeWord(int w, int left, int right, int newId, HashSet<long> touched)
    {
        int[] s = _words[w];
        int n = _wordLengths[w];
        bool found = false;
        for (int i = 0; i + 1 < n; i++)
        {
            if (s[i] == left && s[i + 1] == right)
            {
                found = true;
                break;
            }
        }
        if (!found)
            return;
        int c = _wordCounts[w];
        for (int i = 0; i + 1 < n; i++)
            AddPair(Pair(s[i], s[i + 1]), -c);
        int m = 0;
        for (int i = 0; i < n; i++)
        {
            if (i + 1 < n && s[i] == left && s[i + 1] == right)
            {
                s[m++] = newId;
                i++;
            }
            else
            {
                s[m++] = s[i];
            }
        }
        _wordLengths[w] = m;
        for (int i = 0; i + 1 < m; i++)
        {
            long p = Pair(s[i], s[i + 1]);
            AddPair(p, c);
            if (s[i] == newId || s[i + 1] == newId)
            {
                touched.Add(p);
                ref List<int>? list = ref CollectionsMarshal.GetValueRefOrAddDefault(_pairWords, p, out _);
                list ??= [];
                if (list.Count == 0 || list[^1] != w)
                    list.Add(w);
            }
        }
    }

    // Runs once per training: compiled fully optimized at once instead of starting in the unoptimized tier.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddPair(long pair, int delta)
    {
        ref int count = ref CollectionsMarshal.GetValueRefOrAddDefault(_pairCounts, pair, out _);
        count += delta;
        if (count == 0)
            _pairCounts.Remove(pair);
    }

    private static long Pair(int left, int right) => ((long)left << 32) | (uint)right;

    /// <summary>Highest count first; among equal counts the smallest (left, right) pair.</summary>
    private sealed class BestFirst : IComparer<(int Count, long Pair)>
    {
        public static readonly BestFirst Instance = new();

        public int Compare((int Count, long Pair) x, (int Count, long Pair) y) =>
            x.Count != y.Count ? y.Count.CompareTo(x.Count) : x.Pair.CompareTo(y.Pair);
    }
}
