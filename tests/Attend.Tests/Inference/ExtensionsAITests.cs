using Attend.Inference;
using Attend.Models;
using Attend.Tensors;
using Microsoft.Extensions.AI;

namespace Attend.Tests.Inference;

public class ExtensionsAITests
{
    [Fact]
    public async Task EmbeddingGenerator_GivesEachTextItsMeanPooledEncoding_WhateverElseIsInTheBatch()
    {
        EncoderClassifier model = TinyModels.Encoder();
        string[] texts = ["the quick fox", "a dog", "over the lazy dog and far away"];
        using IEmbeddingGenerator<string, Embedding<float>> generator = new AttendEmbeddingGenerator(model, TinyModels.Bytes, "enc");
        GeneratedEmbeddings<Embedding<float>> result = await generator.GenerateAsync(texts);
        Assert.Equal(3, result.Count);
        Assert.Equal(texts.Sum(t => TinyModels.Bytes.EncodeToIds(t).Length), result.Usage!.InputTokenCount);
        for (int i = 0; i < texts.Length; i++)
        {
            int[] ids = TinyModels.Bytes.EncodeToIds(texts[i]);
            float[] alone;
            using (Autograd.NoGrad())
                alone = model.Embed(ids, 1, ids.Length, null).ToArray();
            float[] got = result[i].Vector.ToArray();
            Assert.Equal(32, got.Length);
            for (int j = 0; j < alone.Length; j++)
                Assert.Equal(alone[j], got[j], 1e-4f);
        }
        Assert.Equal(32, generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelDimensions);
    }

    [Fact]
    public async Task EmbeddingGenerator_RefusesTooLongTexts_UnlessAskedToTruncate()
    {
        using var generator = new AttendEmbeddingGenerator(TinyModels.Encoder(), TinyModels.Bytes, "enc");
        string longText = new('x', 40);   // 40 byte tokens, max_len 32
        await Assert.ThrowsAsync<InputTooLongException>(() => generator.GenerateAsync([longText]));
        var options = new EmbeddingGenerationOptions { AdditionalProperties = new() { ["truncate"] = true } };
        var cut = await generator.GenerateAsync([longText], options);
        Assert.Equal(32, cut.Usage!.InputTokenCount);
    }

    [Fact]
    public async Task ChatClient_StreamsTheReplyAndEndsWithFinishReasonAndUsage()
    {
        using IChatClient client = AttendChatClient.Create(TinyModels.LanguageModel(maxLen: 64), TinyModels.Bytes, "lm");
        var options = new ChatOptions { Temperature = 0.7f, Seed = 3, MaxOutputTokens = 12 };
        ChatMessage[] messages = [new(ChatRole.System, "be brief"), new(ChatRole.User, "hi")];
        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate u in client.GetStreamingResponseAsync(messages, options))
            updates.Add(u);
        ChatResponse response = await client.GetResponseAsync(messages, options);
        Assert.Equal(string.Concat(updates.Select(u => u.Text)), response.Text);   // same seed, same reply
        UsageDetails usage = response.Usage!;
        Assert.Equal(TinyModels.Bytes.EncodeToIds("system: be brief\nuser: hi\nassistant:").Length, usage.InputTokenCount);
        Assert.NotNull(updates[^1].FinishReason);
        if (response.FinishReason == ChatFinishReason.Length)
            Assert.Equal(12, usage.OutputTokenCount);
        Assert.Equal("lm", response.ModelId);
    }
}
