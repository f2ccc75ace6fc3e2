using Attend.Decoding;

namespace Attend.Tests.Training;

public class LearningTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TinyEncoderDecoder_LearnsCopyAndReverse_ToFullExactMatch(bool reverse)
    {
        var model = ToyTasks.Train(reverse, steps: 500);
        var test = ToyTasks.Pairs(50, 999_999, reverse);
        int[][] outputs = Greedy.Translate(model, test.Select(p => p.Source).ToList(), 10);
        int exact = test.Zip(outputs).Count(x => x.First.Target.SequenceEqual(x.Second));
        Assert.Equal(test.Count, exact);
    }
}
