using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>
/// A tokenizer.json post-processor: frames the encoded sequence (or pair) with special tokens and sets type ids,
/// as the model was trained (BERT's <c>[CLS] A [SEP] B [SEP]</c>, a translation model's <c>&lt;bos&gt; A &lt;eos&gt;</c>).
/// Works as Hugging Face's does: on the list of encodings (A, or A and B), returning a list that is then joined.
/// </summary>
internal abstract class PostProcessor
{
    /// <summary>How many tokens are added to a single sequence or a pair.</summary>
    public abstract int AddedTokens(bool pair);

    /// <summary>True when a single sequence comes out with the same ids it went in with (nothing added).</summary>
    public virtual bool KeepsSingleIds => AddedTokens(pair: false) == 0;

    /// <summary>The encodings after processing (with <paramref name="addSpecialTokens"/> false only type ids may change).</summary>
    public abstract List<EncodingParts> ProcessEncodings(List<EncodingParts> encodings, bool addSpecialTokens);

    /// <summary>Writes the component as tokenizer.json holds it.</summary>
    public abstract void Write(Utf8JsonWriter writer);

    /// <summary>Hugging Face's <c>PostProcessor::process</c>: type ids 0 for A and 1 for B, process, then join.</summary>
    public void Process(EncodingParts a, EncodingParts? b, bool addSpecialTokens, EncodingParts output)
    {
        SetTypeIds(a, 0);
        List<EncodingParts> list = [a];
        if (b is not null)
        {
            SetTypeIds(b, 1);
            list.Add(b);
        }
        foreach (EncodingParts part in ProcessEncodings(list, addSpecialTokens))
            output.AddSequence(part, null);
    }

    /// <summary>A sequence with every type id set to <paramref name="typeId"/>.</summary>
    protected static void SetTypeIds(EncodingParts part, int typeId)
    {
        if (!part.Detailed)
            return;
        part.TypeIds.Clear();
        part.TypeIds.AddRange(Enumerable.Repeat(typeId, part.Count));
    }
}

/// <summary>Post-processors applied in turn to the list of encodings (Hugging Face's <c>Sequence</c>).</summary>
internal sealed class SequencePostProcessor(IReadOnlyList<PostProcessor> processors) : PostProcessor
{
    public IReadOnlyList<PostProcessor> Processors { get; } = processors;

    public override int AddedTokens(bool pair) => Processors.Sum(p => p.AddedTokens(pair));

    public override bool KeepsSingleIds => Processors.All(p => p.KeepsSingleIds);

    public override List<EncodingParts> ProcessEncodings(List<EncodingParts> encodings, bool addSpecialTokens)
    {
        foreach (PostProcessor p in Processors)
            encodings = p.ProcessEncodings(encodings, addSpecialTokens);
        return encodings;
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Sequence");
        writer.WriteStartArray("processors");
        foreach (PostProcessor p in Processors)
            p.Write(writer);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
