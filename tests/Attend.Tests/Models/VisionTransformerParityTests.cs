using System.Globalization;
using Attend.Models;
using Attend.Tensors;

namespace Attend.Tests.Models;

/// <summary>
/// The Vision Transformer against a minimal faithful copy of timm's VisionTransformer in PyTorch 1.13
/// (tests/pytorch/make_fixtures.py, family "vit": 8 x 12 RGB images, 4 x 4 patches, two blocks): the same weights under
/// timm's names give the logits, the loss and every gradient to a relative 1e-4, as the text families do.
/// </summary>
public class VisionTransformerParityTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "parity", "vit");

    [Fact]
    public void Parameters_HaveTimmNamesAndShapes()
    {
        VisionTransformer model = Build(out FixtureTensors weights);
        Assert.Equal(weights.Names.Order(StringComparer.Ordinal), model.Parameters.Parameters.Select(p => p.Name!).Order(StringComparer.Ordinal));
        foreach (string name in weights.Names)
            Assert.Equal(weights.Shape(name), model.Parameters.Find(name)!.Shape.ToArray());
        Assert.Contains("patch_embed.proj.weight", weights.Names);
        Assert.Contains("blocks.1.attn.qkv.weight", weights.Names);
    }

    [Fact]
    public void LogitsLossAndEveryGradient_MatchPyTorch()
    {
        VisionTransformer model = Build(out FixtureTensors weights);
        FixtureTensors io = FixtureTensors.Read(Path.Combine(Folder, "io.safetensors"));
        Tensor images = Tensor.From(io.Floats("images"), io.Shape("images"));
        Tensor logits = model.Forward(images);
        Assert.Equal(io.Shape("logits"), logits.Shape.ToArray());
        string? logitError = PyTorchParityTests.Compare("logits", logits.Data, io.Floats("logits"), 1e-6);
        Assert.True(logitError is null, logitError);

        float smoothing = float.Parse(io.Metadata["label_smoothing"], CultureInfo.InvariantCulture);
        Tensor loss = Ops.CrossEntropy(logits, io.Ints("labels"), -100, smoothing);
        float expected = io.Floats("loss")[0];
        Assert.True(Math.Abs(loss.Item() - expected) <= 1e-4 * Math.Abs(expected), $"loss {loss.Item():R}, PyTorch {expected:R}");

        loss.Backward();
        string[] errors = weights.Names
            .Select(n => PyTorchParityTests.Compare($"grad.{n}", model.Parameters.Find(n)!.Grad, io.Floats($"grad.{n}"), 1e-7))
            .OfType<string>().ToArray();
        Assert.True(errors.Length == 0, string.Join("\n", errors));
    }

    [Fact]
    public void Checkpoint_SavedAndLoaded_GivesTheSameLogits()
    {
        VisionTransformer model = Build(out _);
        FixtureTensors io = FixtureTensors.Read(Path.Combine(Folder, "io.safetensors"));
        string dir = Path.Combine(Path.GetTempPath(), "attend-vit-ckpt-" + Guid.NewGuid().ToString("N"));
        try
        {
            Attend.IO.Checkpoint.Save(dir, model, null);
            var loaded = Attend.IO.Checkpoint.LoadModel<VisionTransformer>(dir);
            Assert.Equal(model.Config, loaded.Config);
            using var noGrad = Autograd.NoGrad();
            Assert.Equal(model.Forward(Tensor.From(io.Floats("images"), io.Shape("images"))).ToArray(),
                loaded.Forward(Tensor.From(io.Floats("images"), io.Shape("images"))).ToArray());
        }
        finally
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Checkpoint_LoadsTheTimmNamedWeightFileAsItIs()
    {
        // the fixture's model.safetensors is what PyTorch's state_dict of the timm model holds: a folder with it and
        // config.json is a checkpoint
        string dir = Path.Combine(Path.GetTempPath(), "attend-vit-timm-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            File.Copy(Path.Combine(Folder, "config.json"), Path.Combine(dir, "config.json"));
            File.Copy(Path.Combine(Folder, "model.safetensors"), Path.Combine(dir, "model.safetensors"));
            var model = Attend.IO.Checkpoint.LoadModel<VisionTransformer>(dir);
            FixtureTensors io = FixtureTensors.Read(Path.Combine(Folder, "io.safetensors"));
            using var noGrad = Autograd.NoGrad();
            Tensor logits = model.Forward(Tensor.From(io.Floats("images"), io.Shape("images")));
            string? error = PyTorchParityTests.Compare("logits", logits.Data, io.Floats("logits"), 1e-6);
            Assert.True(error is null, error);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static VisionTransformer Build(out FixtureTensors weights)
    {
        string config = Path.Combine(Folder, "config.json");
        VisionTransformer model = VisionTransformer.Create(ModelConfig.FromJson(File.ReadAllText(config), config));
        weights = FixtureTensors.Read(Path.Combine(Folder, "model.safetensors"));
        foreach (string name in weights.Names)
            weights.Floats(name).CopyTo((model.Parameters.Find(name) ?? throw new InvalidDataException($"no parameter {name}")).Data);
        return model;
    }
}
