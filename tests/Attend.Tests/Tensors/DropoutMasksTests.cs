using Attend.Tensors;

namespace Attend.Tests.Tensors;

public class DropoutMasksTests
{
    [Fact]
    public void MaskOfASequence_DependsOnItsGlobalPosition_NotOnHowTheBatchIsSplit()
    {
        const int sequences = 5, size = 24;
        var whole = new DropoutMasks(7);
        whole.BeginStep(0, sequences);
        float[] first = new float[sequences * size], second = new float[sequences * 3];
        whole.Fill(first, 0.3f);
        whole.Fill(second, 0.3f);

        // three ranks holding sequences [0, 2), [2, 3) and [3, 5) of the same step
        foreach ((int start, int count) in new[] { (0, 2), (2, 1), (3, 2) })
        {
            var shard = new DropoutMasks(7);
            shard.BeginStep(start, count);
            float[] a = new float[count * size], b = new float[count * 3];
            shard.Fill(a, 0.3f);
            shard.Fill(b, 0.3f);
            Assert.Equal(first.AsSpan(start * size, count * size).ToArray(), a);
            Assert.Equal(second.AsSpan(start * 3, count * 3).ToArray(), b);
        }
    }

    [Fact]
    public void NextStep_DrawsOtherMasks_AndAStepWithoutSequencesStillAdvancesTheStream()
    {
        var a = new DropoutMasks(11);
        var b = new DropoutMasks(11);
        float[] m1 = new float[64], m2 = new float[64], m3 = new float[64];
        a.BeginStep(0, 1);
        a.Fill(m1, 0.5f);
        a.BeginStep(0, 1);
        a.Fill(m2, 0.5f);
        b.BeginStep(0, 0);          // a rank whose shard of step 1 was empty
        b.BeginStep(0, 1);
        b.Fill(m3, 0.5f);
        Assert.NotEqual(m1, m2);
        Assert.Equal(m2, m3);
        Assert.Equal(a.Stream.GetState(), b.Stream.GetState());
    }

    [Fact]
    public void Fill_RejectsAMaskThatDoesNotSplitIntoTheStepsSequences()
    {
        var masks = new DropoutMasks(1);
        masks.BeginStep(0, 3);
        Assert.Throws<ArgumentException>(() => masks.Fill(new float[10], 0.1f));
    }
}
