using Attend.Data;
using Attend.IO;
using Attend.Models;
using Attend.Tests.Tokenization;
using Attend.Training;

namespace Attend.Tests.Training;

public class ImageTrainingTests
{
    /// <summary>Three classes of 8 x 8 grey images: a bright top half, a bright left half, a bright main diagonal, with noise.</summary>
    internal static ImageSet Shapes(int count, int seed)
    {
        var rng = new Random(seed);
        byte[] pixels = new byte[count * 64];
        int[] labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            int label = labels[n] = n % 3;
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 8; x++)
                {
                    bool on = label switch { 0 => y < 4, 1 => x < 4, _ => Math.Abs(x - y) <= 1 };
                    pixels[n * 64 + y * 8 + x] = (byte)Math.Clamp((on ? 200 : 40) + rng.Next(-30, 31), 0, 255);
                }
        }
        return new ImageSet(pixels, labels, 1, 8, 8, ["top", "left", "diagonal"]);
    }

    internal static ModelConfig TinyVit(float dropout = 0f) => new()
    {
        ModelType = "vit", DModel = 16, Heads = 2, DFF = 32, EncoderLayers = 2, DecoderLayers = 0, Dropout = dropout,
        Activation = "gelu", NormFirst = true, LayerNormEps = 1e-6f, Positional = "learned", NumClasses = 3,
        ImageSize = 8, PatchSize = 4, NumChannels = 1,
    };

    private static readonly TrainerOptions Options = new()
    {
        Steps = 12, Schedule = "cosine", LearningRate = 3e-3f, MinLearningRate = 1e-4f, Warmup = 3, ValidateEvery = 1000,
        Adam = new AdamOptions { WeightDecay = 0.05f, Decoupled = true, Beta2 = 0.999f, Eps = 1e-8f },
        Step = new StepOptions { LabelSmoothing = 0.1f },
    };

    [Fact]
    public void VisionTransformer_LearnsThreeShapes()
    {
        ImageSet train = Shapes(120, 1), valid = Shapes(30, 2);
        var model = VisionTransformer.Create(TinyVit(), 1);
        var task = new ImageClassificationTask(model, train, valid, ImageNormalization.FromImages(train), 16, new ImageAugmentation(1, false), 7);
        new Trainer(model, task, Options with { Steps = 300 }).Run();
        task.ValidationLoss();
        Assert.True(task.ValidationAccuracy >= 0.9, $"validation accuracy {task.ValidationAccuracy}");
    }

    [Fact]
    public void Resume_WithAugmentationAndDropout_IsBitIdenticalToAnUninterruptedRun()
    {
        ImageSet train = Shapes(40, 3);
        var normalization = ImageNormalization.FromImages(train);
        var augmentation = new ImageAugmentation(2, true);
        VisionTransformer straight = VisionTransformer.Create(TinyVit(0.1f), 5);
        new Trainer(straight, new ImageClassificationTask(straight, train, null, normalization, 16, augmentation, 9), Options).Run();

        VisionTransformer first = VisionTransformer.Create(TinyVit(0.1f), 5);
        var trainer = new Trainer(first, new ImageClassificationTask(first, train, null, normalization, 16, augmentation, 9), Options);
        using var stop = new CancellationTokenSource();
        trainer.OnStep = r =>
        {
            if (r.Step == 5)
                stop.Cancel();
        };
        trainer.Run(stop.Token);
        Assert.Equal(5, trainer.State.Step);
        using var dir = new TempDirectory();
        TrainingCheckpoint.Save(dir, first, null, trainer.Optimizer, trainer.State);

        VisionTransformer resumed = Checkpoint.LoadModel<VisionTransformer>(dir);
        var adam = new Adam(resumed.Parameters, Options.Adam);
        TrainerState state = TrainingCheckpoint.Load(dir, adam);
        new Trainer(resumed, new ImageClassificationTask(resumed, train, null, normalization, 16, augmentation, 9), Options, state, adam).Run();
        Assert.Equal(straight.Parameters.Values, resumed.Parameters.Values);
    }

    [Fact]
    public void AdamW_DecaysTheWeightsButNotTheClassTokenAndPositions()
    {
        var model = VisionTransformer.Create(TinyVit(), 1);
        float[] before = model.Parameters.Values.ToArray();
        var adam = new Adam(model.Parameters, new AdamOptions { WeightDecay = 0.5f, Decoupled = true });
        model.Parameters.ZeroGrad();
        adam.Step(0.1f);   // zero gradients: only the decay moves anything
        Assert.Equal(before.AsSpan(Offset(model, model.Positions), model.Positions.Length).ToArray(), model.Positions.ToArray());
        Assert.Equal(before.AsSpan(Offset(model, model.ClassToken), model.ClassToken.Length).ToArray(), model.ClassToken.ToArray());
        Assert.NotEqual(before.AsSpan(Offset(model, model.Head.Weight), model.Head.Weight.Length).ToArray(), model.Head.Weight.ToArray());
    }

    private static int Offset(VisionTransformer model, Attend.Tensors.Tensor parameter)
    {
        int at = 0;
        foreach (var p in model.Parameters.Parameters)
        {
            if (ReferenceEquals(p, parameter))
                return at;
            at += p.Length;
        }
        throw new ArgumentException("not a parameter of the model");
    }

    [Fact]
    public void Task_ImagesOfAnotherSize_AreAnError()
    {
        var model = VisionTransformer.Create(TinyVit(), 1);
        var big = new ImageSet(new byte[12 * 12], [0], 1, 12, 12, ["a", "b", "c"]);
        var e = Assert.Throws<ArgumentException>(() => new ImageClassificationTask(model, big, null, ImageNormalization.FromImages(big), 4, ImageAugmentation.None, 1));
        Assert.Contains("1 x 12 x 12", e.Message, StringComparison.Ordinal);
    }
}
