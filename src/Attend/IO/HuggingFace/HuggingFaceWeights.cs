using Attend.Models;
using Attend.Tensors;

namespace Attend.IO.HuggingFace;

/// <summary>
/// Copies a model.safetensors saved by Hugging Face into an Attend model, whose parameters carry Hugging Face's names
/// already: the prefixes that task heads add (bert., transformer.) may be present or not; GPT-2's Conv1D weights are
/// stored [in, out] and transposed into the [out, in] of a linear layer (as nanoGPT's from_pretrained does); buffers
/// that hold no weight (embeddings.position_ids, GPT-2's causal masks h.N.attn.bias) and pre-training heads (cls.*)
/// are skipped. Every expected tensor's presence and shape is checked before any value is copied.
/// </summary>
internal static class HuggingFaceWeights
{
    private static readonly string[] Conv1DSuffixes = [".attn.c_attn.weight", ".attn.c_proj.weight", ".mlp.c_fc.weight", ".mlp.c_proj.weight"];

    public static void Load(string path, ITransformerModel model)
    {
        SafeTensorsFile file = SafeTensorsFile.Open(path);
        bool gpt2 = model is DecoderOnlyTransformer;
        var plan = new List<(Tensor Parameter, string Stored, bool Transposed)>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (Tensor p in model.Parameters.Parameters)
        {
            string ours = p.Name!;
            string stored = StoredName(file, ours, gpt2) ?? throw new InvalidDataException($"{path}: tensor '{ours}' is missing");
            bool transposed = gpt2 && Conv1DSuffixes.Any(s => ours.EndsWith(s, StringComparison.Ordinal));
            long[] expected = p.Shape.ToArray().Select(d => (long)d).ToArray();
            if (transposed)
                Array.Reverse(expected);
            long[] actual = file.Tensors[stored].Shape;
            if (!actual.SequenceEqual(expected))
                throw new InvalidDataException($"{path}: tensor '{stored}' has shape [{string.Join(", ", actual)}], config.json needs [{string.Join(", ", expected)}]{(transposed ? " (a Conv1D weight, stored [in, out])" : "")}");
            plan.Add((p, stored, transposed));
            used.Add(stored);
        }
        foreach ((string alias, _) in model.Parameters.Aliases)
            if (StoredName(file, alias, gpt2) is { } stored)
            {
                Tensor p = model.Parameters.Find(alias)!;
                if (!file.Tensors[stored].Shape.SequenceEqual(p.Shape.ToArray().Select(d => (long)d)))
                    throw new InvalidDataException($"{path}: tensor '{stored}' has shape [{string.Join(", ", file.Tensors[stored].Shape)}], config.json needs {p.Shape}");
                used.Add(stored);
            }
        foreach (string name in file.Tensors.Keys)
            if (!used.Contains(name) && !IsSkipped(name))
                throw new InvalidDataException($"{path}: tensor '{name}' is not part of a {(gpt2 ? "gpt2" : "bert")} model as config.json describes it");
        foreach ((Tensor p, string stored, bool transposed) in plan)
        {
            if (!transposed)
            {
                file.ReadFloat32(stored, p.Data);
                continue;
            }
            float[] raw = new float[p.Length];                 // stored [in, out]; ours [out, in]
            file.ReadFloat32(stored, raw);
            MatrixLayout.Transpose(raw, p.Shape[1], p.Shape[0], p.Data);
        }
    }

    /// <summary>The name under which <paramref name="ours"/> is stored: as is, or with the task head's prefix added or removed.</summary>
    private static string? StoredName(SafeTensorsFile file, string ours, bool gpt2)
    {
        string[] candidates = gpt2
            ? ours.StartsWith("transformer.", StringComparison.Ordinal) ? [ours, ours["transformer.".Length..]] : [ours]
            : [ours, "bert." + ours];
        return candidates.FirstOrDefault(file.Tensors.ContainsKey);
    }

    private static bool IsSkipped(string name)
    {
        string bare = name.StartsWith("bert.", StringComparison.Ordinal) ? name[5..]
            : name.StartsWith("transformer.", StringComparison.Ordinal) ? name["transformer.".Length..] : name;
        return bare == "embeddings.position_ids" || bare.StartsWith("cls.", StringComparison.Ordinal)
            || (bare.StartsWith("h.", StringComparison.Ordinal) && (bare.EndsWith(".attn.bias", StringComparison.Ordinal) || bare.EndsWith(".attn.masked_bias", StringComparison.Ordinal)));
    }
}
