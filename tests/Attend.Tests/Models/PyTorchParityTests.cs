using System.Globalization;
using Attend.Models;
using Attend.Tensors;

namespace Attend.Tests.Models;

/// <summary>
/// Our models against PyTorch 1.13 on the fixtures of tests/pytorch/make_fixtures.py: the same weights (copied by their
/// PyTorch names) and inputs must give the logits, the loss and every parameter's gradient that PyTorch computed in
/// float64, to a relative error of 1e-4.
/// </summary>
public class PyTorchParityTests
{
    private const double Relative = 1e-4;
    private const double LogitFloor = 1e-6;
    private const double GradientFloor = 1e-7;

    public static TheoryData<string> Families => new() { "seq2seq_postnorm", "seq2seq_prenorm", "decoder_only", "encoder_classifier" };

    [Theory]
    [MemberData(nameof(Families))]
    public void Parameters_HaveThePyTorchNamesAndShapes(string family)
    {
        ITransformerModel model = Build(family, out FixtureTensors weights);
        var ours = model.Parameters.Parameters.Select(p => p.Name!).Concat(model.Parameters.Aliases.Select(a => a.Alias)).Order(StringComparer.Ordinal);
        Assert.Equal(weights.Names.Order(StringComparer.Ordinal), ours);
        string[] wrongShape = weights.Names
            .Where(n => !model.Parameters.Find(n)!.Shape.ToArray().SequenceEqual(weights.Shape(n)))
            .Select(n => $"{n}: ours {model.Parameters.Find(n)!.Shape}, PyTorch [{string.Join(", ", weights.Shape(n))}]")
            .ToArray();
        Assert.Empty(wrongShape);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Logits_MatchPyTorch(string family)
    {
        ParityRun run = ParityRun.Execute(family);
        Assert.Equal(run.Io.Shape("logits"), run.Logits.Shape.ToArray());
        string? error = Compare("logits", run.Logits.Data, run.Io.Floats("logits"), LogitFloor);
        Assert.True(error is null, error);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Loss_MatchesPyTorch(string family)
    {
        ParityRun run = ParityRun.Execute(family);
        float expected = run.Io.Floats("loss")[0], actual = run.Loss.Item();
        Assert.True(Math.Abs(actual - expected) <= Relative * Math.Abs(expected),
            $"{family}: loss {actual:R}, PyTorch {expected:R} (relative error {Math.Abs(actual - expected) / Math.Abs(expected):E2})");
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Gradients_MatchPyTorch(string family)
    {
        ParityRun run = ParityRun.Execute(family);
        string[] errors = run.Weights.Names
            .Select(n => Compare($"grad.{n}", run.Model.Parameters.Find(n)!.Grad, run.Io.Floats($"grad.{n}"), GradientFloor))
            .OfType<string>()
            .ToArray();
        Assert.True(errors.Length == 0, $"{family}: {errors.Length} gradients differ from PyTorch:\n{string.Join("\n", errors)}");
    }

    /// <summary>Null when max |actual - expected| &lt;= 1e-4 max |expected| + floor, else a message naming the worst element.</summary>
    internal static string? Compare(string what, ReadOnlySpan<float> actual, float[] expected, double floor)
    {
        if (actual.Length != expected.Length)
            return $"{what}: {actual.Length} values, PyTorch has {expected.Length}";
        double scale = expected.Length == 0 ? 0 : expected.Max(v => Math.Abs((double)v));
        double worst = 0;
        int at = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            if (double.IsNaN(error) || error > worst)
                (worst, at) = (double.IsNaN(error) ? double.PositiveInfinity : error, i);
        }
        double tolerance = Relative * scale + floor;
        return worst <= tolerance
            ? null
            : $"{what}: max |ours - PyTorch| = {worst:E3} at [{at}] (ours {actual[at]:R}, PyTorch {expected[at]:R}) exceeds {tolerance:E3} (max |PyTorch| = {scale:E3})";
    }

    private static string Folder(string family) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "parity", family);

    /// <summary>Our model for the fixture's config.json, with the fixture's weights copied in by name.</summary>
    private static ITransformerModel Build(string family, out FixtureTensors weights)
    {
        string folder = Folder(family);
        ModelConfig config = ModelConfig.FromJson(File.ReadAllText(Path.Combine(folder, "config.json")), Path.Combine(folder, "config.json"));
        ITransformerModel model = config.ModelType switch
        {
            "seq2seq" => Seq2SeqTransformer.Create(config),
            "decoder_only" => DecoderOnlyTransformer.Create(config),
            _ => EncoderClassifier.Create(config),
        };
        model.Dropout.Training = false;
        weights = FixtureTensors.Read(Path.Combine(folder, "model.safetensors"));
        foreach (string name in weights.Names)
        {
            Tensor? parameter = model.Parameters.Find(name);
            if (parameter is not null && parameter.Length == weights.Shape(name).Aggregate(1, (a, d) => a * d))
                weights.Floats(name).CopyTo(parameter.Data);
        }
        return model;
    }

    /// <summary>One forward and backward pass of our model on a fixture's inputs.</summary>
    private sealed record ParityRun(ITransformerModel Model, FixtureTensors Weights, FixtureTensors Io, Tensor Logits, Tensor Loss)
    {
        public static ParityRun Execute(string family)
        {
            ITransformerModel model = Build(family, out FixtureTensors weights);
            FixtureTensors io = FixtureTensors.Read(Path.Combine(Folder(family), "io.safetensors"));
            int ignore = int.Parse(io.Metadata["ignore_index"], CultureInfo.InvariantCulture);
            float smoothing = float.Parse(io.Metadata["label_smoothing"], CultureInfo.InvariantCulture);
            (Tensor logits, int[] targets) = model switch
            {
                Seq2SeqTransformer s => (s.Forward(io.Ints("src"), io.Shape("src")[1], io.Mask("src_padding"),
                    io.Ints("tgt_in"), io.Shape("tgt_in")[1], io.Mask("tgt_padding"), io.Shape("src")[0]), io.Ints("tgt_out")),
                DecoderOnlyTransformer g => (g.Forward(io.Ints("idx"), io.Shape("idx")[0], io.Shape("idx")[1]), io.Ints("targets")),
                EncoderClassifier c => (c.Forward(io.Ints("ids"), io.Shape("ids")[0], io.Shape("ids")[1], io.Mask("padding")), io.Ints("labels")),
                _ => throw new InvalidOperationException($"no parity run for {model.GetType().Name}"),
            };
            Tensor loss = Ops.CrossEntropy(logits, targets, ignore, smoothing);
            loss.Backward();
            return new ParityRun(model, weights, io, logits, loss);
        }
    }
}
