using Attend.Tensors;

namespace Attend.Tests.Tensors;

public class AutogradTests
{
    [Fact]
    public void Backward_TensorUsedTwice_AccumulatesBothPaths()
    {
        Tensor x = Tensor.From([3f], 1).RequireGrad();
        Ops.Sum(Ops.Multiply(x, x)).Backward();
        Assert.Equal(6f, x.Grad[0]);
    }

    [Fact]
    public void Backward_CalledTwice_AccumulatesGradients()
    {
        Tensor x = Tensor.From([1f, 2f], 2).RequireGrad();
        Ops.Sum(Ops.Scale(x, 3f)).Backward();
        Ops.Sum(Ops.Scale(x, 3f)).Backward();
        Assert.Equal([6f, 6f], x.Grad.ToArray());
        x.ZeroGrad();
        Assert.Equal([0f, 0f], x.Grad.ToArray());
    }

    [Fact]
    public void Reshape_IsAViewAndRoutesGradientsBack()
    {
        Tensor x = Tensor.From([1f, 2f, 3f, 4f, 5f, 6f], 2, 3).RequireGrad();
        Tensor v = x.Reshape(3, -1);
        Assert.Equal(new Shape(3, 2), v.Shape);
        v.Data[0] = 10f;
        Assert.Equal(10f, x.Data[0]);
        Ops.Sum(Ops.Multiply(v, v)).Backward();
        Assert.Equal(new[] { 20f, 4f, 6f, 8f, 10f, 12f }, x.Grad.ToArray());
    }

    [Fact]
    public void NoGrad_RecordsNothing()
    {
        Tensor x = Tensor.From([1f], 1).RequireGrad();
        Tensor y;
        using (Autograd.NoGrad())
            y = Ops.Scale(x, 2f);
        Assert.False(y.RequiresGrad);
        Assert.Throws<InvalidOperationException>(() => y.Backward());
    }

    [Fact]
    public void Backward_OnNonScalar_Throws() =>
        Assert.Throws<InvalidOperationException>(() => Ops.Scale(Tensor.From([1f, 2f], 2).RequireGrad(), 1f).Backward());
}
