using Attend.IO;
using Attend.Models;
using Attend.Tensors;
using Attend.Training;
using Attend.Tests.Training;

namespace Attend.Tests.IO;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "attend-ckpt-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    private static ModelConfig WithDropout => ToyTasks.TinyConfig with { Dropout = 0.1f, TieEmbeddings = true };

    [Fact]
    public void SavedAndLoadedModel_GivesIdenticalLogits()
    {
        var model = ToyTasks.Train(reverse: false, steps: 5);
        Checkpoint.Save(_dir, model, null);
        var loaded = Checkpoint.LoadModel<Seq2SeqTransformer>(_dir);
        var batch = TranslationBatch.Create(ToyTasks.Pairs(4, 77, false), 0, 1, 2);
        Assert.Equal(Logits(model, batch), Logits(loaded, batch));
    }

    [Fact]
    public void ResumedRun_ReachesBitIdenticalWeights()
    {
        var train = ToyTasks.Pairs(300, 5, reverse: true);
        var options = new TrainerOptions { Steps = 24, MaxTokens = 128, Warmup = 4, ValidateEvery = 1000, LearningRate = 2e-3f, Seed = 9 };

        var straight = Seq2SeqTransformer.Create(WithDropout, 4);
        new Trainer(straight, new TranslationTask(straight, train, [], options.MaxTokens, options.Seed), options).Run();

        var first = Seq2SeqTransformer.Create(WithDropout, 4);
        using var stop = new CancellationTokenSource();
        var interrupted = new Trainer(first, new TranslationTask(first, train, [], options.MaxTokens, options.Seed), options) { OnStep = r => { if (r.Step == 11) stop.Cancel(); } };
        interrupted.Run(stop.Token);
        Assert.Equal(11, interrupted.State.Step);
        TrainingCheckpoint.Save(_dir, first, null, interrupted.Optimizer, interrupted.State);

        var second = Checkpoint.LoadModel<Seq2SeqTransformer>(_dir);
        var adam = new Adam(second.Parameters, options.Adam);
        TrainerState state = TrainingCheckpoint.Load(_dir, adam);
        new Trainer(second, new TranslationTask(second, train, [], options.MaxTokens, options.Seed), options, state, adam).Run();

        Assert.Equal(straight.Parameters.Values, second.Parameters.Values);
    }

    [Fact]
    public void Checkpoint_MissingTensor_NamesFileAndTensor()
    {
        var model = Seq2SeqTransformer.Create(ToyTasks.TinyConfig, 1);
        Checkpoint.Save(_dir, model, null);
        string weights = Path.Combine(_dir, "model.safetensors");
        var file = SafeTensorsFile.Open(weights);
        var kept = file.Tensors.Keys.Where(k => k != "generator.bias").Select(k =>
        {
            float[] data = new float[file.Tensors[k].Count];
            file.ReadFloat32(k, data);
            return (k, file.Tensors[k].Shape.Select(d => (int)d).ToArray(), (ReadOnlyMemory<float>)data);
        }).ToList();
        SafeTensorsFile.Write(weights, kept);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadModel(_dir));
        Assert.Contains("model.safetensors", e.Message, StringComparison.Ordinal);
        Assert.Contains("'generator.bias' is missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FailedCheckpointWrite_LeavesThePreviousCheckpointIntact()
    {
        var model = ToyTasks.Train(reverse: false, steps: 3);
        Checkpoint.Save(_dir, model, null);
        byte[] before = File.ReadAllBytes(Path.Combine(_dir, "model.safetensors"));
        model.Parameters.Values.AsSpan().Fill(0.5f);
        Assert.Throws<IOException>(() => Checkpoint.Save(_dir, model, null, _ => throw new IOException("No space left on device")));
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(_dir, "model.safetensors")));
        Assert.Empty(Directory.GetDirectories(Path.GetDirectoryName(_dir)!, Path.GetFileName(_dir) + ".tmp-*"));
    }

    [Fact]
    public void Checkpoint_TokenizerLargerThanTheVocabulary_IsAClearError()
    {
        var tokenizer = Attend.Tokenization.Tokenizer.Train(["some text to learn from"], new Attend.Tokenization.BpeTrainerOptions { VocabularySize = 270, MinFrequency = 1 });
        Checkpoint.Save(_dir, Seq2SeqTransformer.Create(ToyTasks.TinyConfig, 1), tokenizer);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadTokenizer(_dir, Checkpoint.ReadConfig(_dir)));
        Assert.Contains("does not fit the model", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Checkpoint_WrongFamily_IsAClearError()
    {
        Checkpoint.Save(_dir, Seq2SeqTransformer.Create(ToyTasks.TinyConfig, 1), null);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadModel<DecoderOnlyTransformer>(_dir));
        Assert.Contains("seq2seq", e.Message, StringComparison.Ordinal);
    }

    private static float[] Logits(Seq2SeqTransformer m, TranslationBatch b)
    {
        using var noGrad = Autograd.NoGrad();
        return m.Forward(b.Source, b.SourceLength, b.SourcePadding, b.TargetIn, b.TargetLength, b.TargetPadding, b.Batch).ToArray();
    }
}
