using Attend.Cli.Hosting;
using Attend.Data;
using Attend.Decoding;
using Attend.IO;
using Attend.Models;
using Attend.Tensors;

namespace Attend.Cli.Images;

/// <summary>A Vision Transformer checkpoint folder: the model, its class names (labels.txt) and its pixel normalisation.</summary>
internal sealed class VitCheckpoint
{
    private readonly float[] _table;

    private VitCheckpoint(VisionTransformer model, List<string> labels, ImageNormalization normalization)
    {
        (Model, Labels, Normalization) = (model, labels, normalization);
        _table = normalization.Table();
    }

    public VisionTransformer Model { get; }

    public List<string> Labels { get; }

    public ImageNormalization Normalization { get; }

    public int Channels => Model.Config.NumChannels;

    /// <summary>Loads the checkpoint in <paramref name="directory"/>; another model family is an error.</summary>
    public static VitCheckpoint Load(string directory)
    {
        VisionTransformer model = Checkpoint.LoadModel<VisionTransformer>(directory);
        List<string> labels = Training.ClassLabels.Read(directory);
        if (labels.Count != model.Config.NumClasses)
            throw new CliException($"{Path.Combine(directory, "labels.txt")}: {labels.Count} class names for a model of {model.Config.NumClasses} classes");
        return new VitCheckpoint(model, labels, ImageNormalization.Load(directory, model.Config.NumChannels));
    }

    /// <summary>The image files as bytes [C, H, W] of the model's size; an unreadable file or one of another size is an error naming it.</summary>
    public List<byte[]> ReadImages(IReadOnlyList<string> files) =>
        files.Select(f => ImageFile.Read(f, Channels, Model.ImageHeight, Model.ImageWidth)).ToList();

    /// <summary>The images of <paramref name="set"/>, which must have the model's size.</summary>
    public List<byte[]> FromSet(ImageSet set, string source)
    {
        if (set.Channels != Channels || set.Height != Model.ImageHeight || set.Width != Model.ImageWidth)
            throw new CliException($"{source}: the images are {set.Width} x {set.Height} x {set.Channels}; the model takes {Model.ImageWidth} x {Model.ImageHeight} x {Channels}");
        return Enumerable.Range(0, set.Count).Select(i => set.Image(i).ToArray()).ToList();
    }

    /// <summary>Runs <paramref name="use"/> on the normalised images in batches of <paramref name="batch"/>: [B, C, H, W], no gradients.</summary>
    public void ForBatches(List<byte[]> images, Action<Tensor, int> use, int batch = 256)
    {
        using var noGrad = Autograd.NoGrad();
        int size = images.Count == 0 ? 0 : images[0].Length;
        for (int start = 0; start < images.Count; start += batch)
        {
            int count = Math.Min(batch, images.Count - start);
            using Workspace.Scope scope = Workspace.Begin();
            float[] pixels = new float[count * size];
            for (int b = 0; b < count; b++)
                ImageAugmentation.None.Apply(images[start + b], Channels, Model.ImageHeight, Model.ImageWidth, _table, null, pixels.AsSpan(b * size, size));
            use(Tensor.Wrap(pixels, count, Channels, Model.ImageHeight, Model.ImageWidth), start);
        }
    }

    /// <summary>The most probable class and its probability for each image.</summary>
    public List<(int Class, float Probability)> Predict(List<byte[]> images)
    {
        var result = new List<(int, float)>(images.Count);
        ForBatches(images, (x, _) =>
        {
            Tensor p = Ops.Softmax(Model.Forward(x));
            int c = p.Shape.Last;
            for (int i = 0; i < x.Shape[0]; i++)
            {
                int best = Greedy.ArgMax(p.Data.Slice(i * c, c));
                result.Add((best, p.Data[i * c + best]));
            }
        });
        return result;
    }
}
