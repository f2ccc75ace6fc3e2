using System.Globalization;
using System.Text;
using System.Text.Json;
using Attend.Models;
using Attend.Tokenization;
using Attend.Training;

namespace Attend.IO;

/// <summary>
/// What resuming needs beside the model folder: optimizer.safetensors (Adam's moments) and trainer_state.json (step,
/// epoch, batch position, dropout generator, best validation loss, loss history). Written after the model files, so a
/// folder whose trainer_state.json is present is complete.
/// </summary>
public static class TrainingCheckpoint
{
    /// <summary>Writes the model folder and the training state into <paramref name="directory"/>, replacing it only once complete.</summary>
    public static void Save(string directory, ITransformerModel model, Tokenizer? tokenizer, Adam adam, TrainerState state, Action<string>? extraFiles = null) =>
        Checkpoint.Save(directory, model, tokenizer, temp =>
        {
            SafeTensorsFile.Write(Path.Combine(temp, "optimizer.safetensors"),
                [("exp_avg", [adam.M.Length], adam.M), ("exp_avg_sq", [adam.V.Length], adam.V)]);
            AtomicFile.Write(Path.Combine(temp, "trainer_state.json"), s => s.Write(StateJson(state, adam.StepCount)));
            extraFiles?.Invoke(temp);
        });

    /// <summary>Restores Adam's moments and returns the trainer state saved in <paramref name="directory"/>.</summary>
    public static TrainerState Load(string directory, Adam adam)
    {
        string statePath = Path.Combine(directory, "trainer_state.json");
        if (!File.Exists(statePath))
            throw new FileNotFoundException($"{statePath}: missing; the folder holds no resumable training state", statePath);
        SafeTensorsFile opt = SafeTensorsFile.Open(Path.Combine(directory, "optimizer.safetensors"));
        opt.ReadFloat32("exp_avg", adam.M);
        opt.ReadFloat32("exp_avg_sq", adam.V);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(statePath));
            JsonElement r = doc.RootElement;
            adam.StepCount = r.GetProperty("optimizer_steps").GetInt64();
            return new TrainerState
            {
                Step = r.GetProperty("step").GetInt64(),
                Epoch = r.GetProperty("epoch").GetInt64(),
                BatchIndex = r.GetProperty("batch_index").GetInt32(),
                DropoutRng = r.GetProperty("dropout_rng").EnumerateArray().Select(e => ulong.Parse(e.GetString()!, CultureInfo.InvariantCulture)).ToArray(),
                BestValidationLoss = r.GetProperty("best_validation_loss").ValueKind == JsonValueKind.Null ? double.PositiveInfinity : r.GetProperty("best_validation_loss").GetDouble(),
                TrainLosses = Pairs(r.GetProperty("train_losses")),
                ValidationLosses = Pairs(r.GetProperty("validation_losses")),
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{statePath}: malformed training state ({e.Message})", e);
        }
    }

    private static List<(long Step, double Loss)> Pairs(JsonElement array) =>
        array.EnumerateArray().Select(e => (e[0].GetInt64(), e[1].GetDouble())).ToList();

    private static byte[] StateJson(TrainerState state, long optimizerSteps)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("step", state.Step);
            w.WriteNumber("epoch", state.Epoch);
            w.WriteNumber("batch_index", state.BatchIndex);
            w.WriteNumber("optimizer_steps", optimizerSteps);
            w.WriteStartArray("dropout_rng");
            foreach (ulong s in state.DropoutRng)
                w.WriteStringValue(s.ToString(CultureInfo.InvariantCulture));
            w.WriteEndArray();
            if (double.IsFinite(state.BestValidationLoss))
                w.WriteNumber("best_validation_loss", state.BestValidationLoss);
            else
                w.WriteNull("best_validation_loss");
            WritePairs(w, "train_losses", state.TrainLosses);
            WritePairs(w, "validation_losses", state.ValidationLosses);
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    private static void WritePairs(Utf8JsonWriter w, string name, List<(long Step, double Loss)> pairs)
    {
        w.WriteStartArray(name);
        foreach ((long step, double loss) in pairs)
        {
            w.WriteStartArray();
            w.WriteNumberValue(step);
            w.WriteNumberValue(double.IsFinite(loss) ? loss : -1);
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }
}
