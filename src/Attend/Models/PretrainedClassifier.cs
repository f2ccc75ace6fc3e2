using Attend.Tensors;

namespace Attend.Models;

/// <summary>A classifier started from a pretrained encoder: the same family and weights, a new classification head.</summary>
public static class PretrainedClassifier
{
    /// <summary>
    /// A copy of <paramref name="encoder"/> (a <see cref="BertModel"/> or an <see cref="EncoderClassifier"/>) with a
    /// head for <paramref name="classes"/> classes initialised from <paramref name="seed"/>; every other parameter is
    /// copied by name.
    /// </summary>
    public static ISequenceClassifier FromEncoder(ITransformerModel encoder, int classes, ulong seed)
    {
        ModelConfig config = encoder.Config with { NumClasses = classes };
        ISequenceClassifier model = encoder switch
        {
            BertModel => BertModel.Create(config, seed),
            EncoderClassifier => EncoderClassifier.Create(config, seed),
            _ => throw new ArgumentException($"a {encoder.Config.ModelType} model is not an encoder to classify with (bert or encoder_classifier)"),
        };
        foreach (Tensor p in model.Parameters.Parameters)
            if (!p.Name!.StartsWith("classifier.", StringComparison.Ordinal))
                encoder.Parameters.Find(p.Name)!.ReadOnlyData.CopyTo(p.Data);
        return model;
    }
}
