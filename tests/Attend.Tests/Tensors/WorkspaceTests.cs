using Attend.Tensors;

namespace Attend.Tests.Tensors;

[CollectionDefinition(nameof(WorkspaceTests), DisableParallelization = true)]
public sealed class WorkspaceCollection;

/// <summary>The pool is process-wide, so these run alone: no other test's scopes may end in between.</summary>
[Collection(nameof(WorkspaceTests))]
public class WorkspaceTests
{
    // Sizes no other test uses, so nothing else takes these buffers from the pool.
    private const int Size = 777_777;
    private const int OtherSize = 333_331;

    [Fact]
    public void Rent_AfterTheScopeEnded_ReusesTheReturnedBuffer()
    {
        float[] first = RentInScope(Size);
        Assert.Same(first, RentInScope(Size));
    }

    [Fact]
    public void Release_InsideTheScope_LetsTheNextRentReuseTheBuffer()
    {
        using Workspace.Scope scope = Workspace.Begin();
        float[] first = Workspace.Rent(Size, clear: false);
        Assert.True(Workspace.Release(first));
        Assert.Same(first, Workspace.Rent(Size, clear: false));
    }

    [Fact]
    public void Rent_WithOnlyALargerClassFree_TakesThatBuffer()
    {
        Workspace.Trim();   // nothing free from earlier tests: the larger buffer is the only candidate
        float[] larger = RentInScope(OtherSize + 40_000);
        Assert.Same(larger, RentInScope(OtherSize));
    }

    [Fact]
    public void Release_OfABufferNotRentedInTheScope_LeavesItAlone()
    {
        using Workspace.Scope scope = Workspace.Begin();
        Assert.False(Workspace.Release(new float[Size]));
    }

    [Fact]
    public void Rent_OutsideAScope_GivesAFreshZeroedArray()
    {
        float[] pooled = RentInScope(Size);
        float[] plain = Workspace.Rent(Size, clear: true);
        Assert.NotSame(pooled, plain);
        Assert.All(plain, x => Assert.Equal(0f, x));
    }

    [Theory]
    [InlineData(3, true)]
    [InlineData(4, false)]
    public void PooledBuffer_IdleForFourOutermostScopes_IsDropped(int idleScopes, bool kept)
    {
        float[] first = RentInScope(Size);
        for (int i = 0; i < idleScopes; i++)
            RentInScope(OtherSize);
        float[] again = RentInScope(Size);
        Assert.Equal(kept, ReferenceEquals(first, again));
    }

    [Fact]
    public void OperationResult_AfterItsScopeEnded_ServesAsTheNextScopesResult()
    {
        Tensor x = Tensor.From([1f, -2f, 3f], 3);
        Tensor first, second;
        using (Workspace.Begin())
            first = Ops.Relu(x);
        using (Workspace.Begin())
            second = Ops.Relu(x);
        Assert.Same(first, second);
    }

    [Fact]
    public void OperationResult_AfterItsScopeEnded_HasNoStorage()
    {
        Tensor y;
        using (Workspace.Begin())
            y = Ops.Relu(Tensor.From([1f, -2f, 3f], 3));
        Assert.Throws<InvalidOperationException>(() => y.Data[0]);
    }

    [Fact]
    public void OperationResult_OutsideAScope_IsANewTensorThatStaysValid()
    {
        Tensor x = Tensor.From([1f, -2f, 3f], 3);
        Tensor first = Ops.Relu(x), second = Ops.Relu(x);
        Assert.NotSame(first, second);
        Assert.Equal([1f, 0f, 3f], first.ToArray());
    }

    private static float[] RentInScope(int size)
    {
        using Workspace.Scope scope = Workspace.Begin();
        return Workspace.Rent(size, clear: false);
    }
}
