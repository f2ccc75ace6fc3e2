namespace Attend.Tests.Training;

public class DeterminismTests
{
    [Fact]
    public void TwoRunsOfTraining_GiveBitIdenticalParameters()
    {
        float[] first = ToyTasks.Train(reverse: false, steps: 15, seed: 3).Parameters.Values;
        float[] second = ToyTasks.Train(reverse: false, steps: 15, seed: 3).Parameters.Values;
        Assert.Equal(first, second);
    }
}
