using Attend.Inference;

namespace Attend.Tests.Inference;

public class TextStreamTests
{
    private static int[] Ids(string text) => TinyModels.Bytes.EncodeToIds(text);

    private static List<string> PushAll(TextStream stream, string text) =>
        Ids(text).Select(stream.Push).Where(p => p.Length > 0).ToList();

    [Fact]
    public void WithoutStops_ThePiecesJoinToTheDecodedText()
    {
        var stream = new TextStream(TinyModels.Bytes);
        var pieces = PushAll(stream, "the lazy dog");
        Assert.Equal("the lazy dog", string.Concat(pieces) + stream.Flush());
    }

    [Fact]
    public void AMultiByteCharacterSplitAcrossTokens_IsReleasedWhole()
    {
        var stream = new TextStream(TinyModels.Bytes);
        int[] ids = Ids("é");   // two byte tokens
        Assert.Equal(2, ids.Length);
        Assert.Equal("", stream.Push(ids[0]));
        Assert.Equal("é", stream.Push(ids[1]));
    }

    [Fact]
    public void AStopSequenceSpreadOverTokens_EndsTheTextBeforeIt()
    {
        var stream = new TextStream(TinyModels.Bytes, ["\nuser:"]);
        var pieces = PushAll(stream, "hello there\nuser: more");
        Assert.True(stream.Stopped);
        Assert.Equal("hello there", string.Concat(pieces));
        Assert.DoesNotContain(pieces, p => p.Contains('\n', StringComparison.Ordinal));
        Assert.Equal("", stream.Flush());
    }

    [Fact]
    public void TextThatOnlyLooksLikeTheStartOfAStop_IsReleasedOnceItDiverges()
    {
        var stream = new TextStream(TinyModels.Bytes, ["END"]);
        Assert.Equal("a", string.Concat(PushAll(stream, "a")));
        Assert.Equal("", string.Concat(PushAll(stream, "EN")));   // held back: it may become END
        Assert.Equal("ENx", string.Concat(PushAll(stream, "x")));
        Assert.False(stream.Stopped);
    }
}
