using System.ClientModel;
using Attend.Inference;
using Attend.IO;
using Attend.Models;
using Attend.Tensors;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;
using OpenAI.Models;
using ChatMessage = OpenAI.Chat.ChatMessage;

namespace Attend.Server.Tests;

/// <summary>The official OpenAI .NET client and Microsoft.Extensions.AI.OpenAI, unchanged, against the server.</summary>
[Collection("server")]
public class OpenAIClientTests(ServerFixture fixture)
{
    private OpenAIClient Client => new(new ApiKeyCredential("not-needed"), new OpenAIClientOptions { Endpoint = new Uri(fixture.Server.BaseUrl + "/v1") });

    private static ChatMessage[] Messages => [new SystemChatMessage("answer briefly"), new UserChatMessage("the quick brown fox")];

    [Fact]
    public async Task EmbeddingClient_GetsTheEncodersMeanPooledEmbeddings()
    {
        string[] texts = ["the quick brown fox", "a dog runs in the snow"];
        OpenAIEmbeddingCollection result = (await Client.GetEmbeddingClient("enc").GenerateEmbeddingsAsync(texts)).Value;   // base64 on the wire
        var (model, tokenizer) = (Checkpoint.LoadModel<EncoderClassifier>(TestModels.Enc), Checkpoint.LoadTokenizer(TestModels.Enc, Checkpoint.ReadConfig(TestModels.Enc)));
        Assert.Equal(2, result.Count);
        for (int i = 0; i < texts.Length; i++)
        {
            int[] ids = tokenizer.EncodeToIds(texts[i]);
            float[] expected;
            using (Autograd.NoGrad())
                expected = model.Embed(ids, 1, ids.Length, null).ToArray();
            float[] got = result[i].ToFloats().ToArray();
            Assert.Equal(32, got.Length);
            for (int j = 0; j < got.Length; j++)
                Assert.Equal(expected[j], got[j], 1e-4f);
        }
        Assert.Equal(texts.Sum(t => tokenizer.EncodeToIds(t).Length), result.Usage.InputTokenCount);
    }

    [Fact]
    public async Task ChatClient_CompletesAndStreamsTheSameReplyForTheSameSeed()
    {
        ChatClient chat = Client.GetChatClient("lm");
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 20, Temperature = 0.8f, Seed = 42 };
        ChatCompletion completion = (await chat.CompleteChatAsync(Messages, options)).Value;
        var streamed = new System.Text.StringBuilder();
        OpenAI.Chat.ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        int updates = 0;
        await foreach (StreamingChatCompletionUpdate update in chat.CompleteChatStreamingAsync(Messages, options))
        {
            updates++;
            foreach (ChatMessageContentPart part in update.ContentUpdate)
                streamed.Append(part.Text);
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }
        Assert.Equal(completion.Content[0].Text, streamed.ToString());
        Assert.Equal(completion.FinishReason, finish);
        Assert.True(updates > 2, $"{updates} updates: the reply was not streamed");
        Assert.Equal(completion.Usage.InputTokenCount, usage!.InputTokenCount);
        Assert.Equal(completion.Usage.OutputTokenCount, usage.OutputTokenCount);
        if (completion.FinishReason == OpenAI.Chat.ChatFinishReason.Length)
            Assert.Equal(20, completion.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task ModelClient_ListsTheServedModels()
    {
        OpenAIModelCollection models = (await Client.GetOpenAIModelClient().GetModelsAsync()).Value;
        Assert.Equal(["enc", "lm", "mt"], models.Select(m => m.Id).Order());
    }

    [Fact]
    public async Task ExtensionsAIOpenAI_OverHttp_GivesWhatTheInProcessClientsGive()
    {
        IChatClient remote = Client.GetChatClient("lm").AsIChatClient();
        var options = new ChatOptions { MaxOutputTokens = 15, Temperature = 0.7f, Seed = 5 };
        Microsoft.Extensions.AI.ChatMessage[] messages = [new(ChatRole.User, "a dog runs")];
        ChatResponse overHttp = await remote.GetResponseAsync(messages, options);
        var streamed = new System.Text.StringBuilder();
        await foreach (ChatResponseUpdate u in remote.GetStreamingResponseAsync(messages, options))
            streamed.Append(u.Text);
        using IChatClient local = AttendChatClient.Create(Checkpoint.LoadModel<DecoderOnlyTransformer>(TestModels.Lm),
            Checkpoint.LoadTokenizer(TestModels.Lm, Checkpoint.ReadConfig(TestModels.Lm)), "lm");
        ChatResponse inProcess = await local.GetResponseAsync(messages, options);
        Assert.Equal(inProcess.Text, overHttp.Text);
        Assert.Equal(inProcess.Text, streamed.ToString());
        Assert.Equal(inProcess.FinishReason, overHttp.FinishReason);
        Assert.Equal(inProcess.Usage!.InputTokenCount, overHttp.Usage!.InputTokenCount);

        IEmbeddingGenerator<string, Embedding<float>> embedder = Client.GetEmbeddingClient("enc").AsIEmbeddingGenerator();
        GeneratedEmbeddings<Embedding<float>> remoteVectors = await embedder.GenerateAsync(["good great", "bad"]);
        using var inProcessEmbedder = new AttendEmbeddingGenerator(Checkpoint.LoadModel<EncoderClassifier>(TestModels.Enc),
            Checkpoint.LoadTokenizer(TestModels.Enc, Checkpoint.ReadConfig(TestModels.Enc)), "enc");
        GeneratedEmbeddings<Embedding<float>> localVectors = await inProcessEmbedder.GenerateAsync(["good great", "bad"]);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 32; j++)
                Assert.Equal(localVectors[i].Vector.Span[j], remoteVectors[i].Vector.Span[j], 1e-5f);
    }
}
