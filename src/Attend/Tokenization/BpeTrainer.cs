using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Attend.Tokenization;

/// <summary>
/// Learns byte-pair merges incrementally. Each distinct pre-token is counted once with its frequency (in parallel);
/// pair counts are kept in a table and, after a merge, updated only where the merge lands (each pair remembers the
/// words it occurs in; the counts always equal a full recount); the best pair comes from a priority queue with lazy
/// invalidation (a stale entry is re-queued with its current count when popped).
/// </summary>
internal sealed class BpeTrainer
{
    private readonly BpeTrainerOptions _options;
    private readonly IProgress<BpeTrainingProgress>? _progress;
    private readonly List<byte[]> _tokens = [];
    private readonly List<BpeMerge> _merges = [];
    private readonly PairCountTable _pairCounts = new(1 << 16);
    private readonly Dictionary<long, List<int>> _pairWords = [];
    private readonly PairHeap _queue = new();
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
                _pairCounts.Add(pair, c);
                ref List<int>? list = ref CollectionsMarshal.GetValueRefOrAddDefault(_pairWords, pair, out _);
                list ??= [];
                if (list.Count == 0 || list[^1] != w)
                    list.Add(w);
            }
        }
        foreach ((long pair, int count) in _pairCounts.Positive())
            _queue.Push(count, pair);
    }

    // Runs once per training: compiled fully optimized at once instead of starting in the unoptimized tier.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void LearnMerges(int specials)
    {
        int target = _options.VocabularySize - specials - 256;
        int[] visited = new int[_words.Length];
        var touched = new HashSet<long>();
        int step = 0;
        while (_merges.Count < target && _queue.TryPop(out int queued, out long pair))
        {
            int current = _pairCounts.Get(pair);
            if (current != queued)
            {
                if (current > 0 && current < queued)
                    _queue.Push(current, pair);
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
                if (_pairCounts.Get(p) is int c and > 0)
                    _queue.Push(c, p);
            if (_progress is not null && (_merges.Count % 1000 == 0 || _merges.Count == target))
                _progress.Report(new BpeTrainingProgress("merge", _merges.Count, target));
        }
    }

    // Replacing (left, right) at one place by newId removes the pairs (prev, left), (left, right), (right, next) and
    // adds (prev, newId), (newId, next); applied occurrence by occurrence, left to right on the current symbols,
    // these local changes add up to exactly the difference of a full recount.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void MergeWord(int w, int left, int right, int newId, HashSet<long> touched)
    {
        int[] s = _words[w];
        int n = _wordLengths[w];
        int c = _wordCounts[w];
        int m = 0;
        bool merged = false;
        for (int i = 0; i < n; i++)
        {
            if (i + 1 < n && s[i] == left && s[i + 1] == right)
            {
                merged = true;
                _pairCounts.Add(Pair(left, right), -c);
                if (m > 0)
                {
                    _pairCounts.Add(Pair(s[m - 1], left), -c);
                    NewPair(Pair(s[m - 1], newId), c, w, touched);
                }
                if (i + 2 < n)
                {
                    _pairCounts.Add(Pair(right, s[i + 2]), -c);
                    NewPair(Pair(newId, s[i + 2]), c, w, touched);
                }
                s[m++] = newId;
                i++;
            }
            else
            {
                s[m++] = s[i];
            }
        }
        if (merged)
            _wordLengths[w] = m;
    }

    private void NewPair(long pair, int count, int word, HashSet<long> touched)
    {
        _pairCounts.Add(pair, count);
        touched.Add(pair);
        ref List<int>? list = ref CollectionsMarshal.GetValueRefOrAddDefault(_pairWords, pair, out _);
        list ??= [];
        if (list.Count == 0 || list[^1] != word)
            list.Add(word);
    }

    private static long Pair(int left, int right) => ((long)left << 32) | (uint)right;
}
