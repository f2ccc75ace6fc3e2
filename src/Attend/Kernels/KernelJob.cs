namespace Attend.Kernels;

/// <summary>Work split into numbered parts that <see cref="KernelWorkers"/> runs side by side.</summary>
internal abstract class KernelJob
{
    /// <summary>Runs part <paramref name="part"/> of the work; parts must touch disjoint outputs.</summary>
    public abstract void Execute(int part);
}
