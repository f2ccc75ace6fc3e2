using System.Diagnostics;
using System.Runtime.InteropServices;
using Attend.Distributed;
using Attend.Tensors;

namespace Attend.Training;

/// <summary>The settings of data-parallel training.</summary>
public sealed record DataParallelOptions
{
    /// <summary>The size of a gradient bucket reduced at once while the backward pass goes on.</summary>
    public int BucketBytes { get; init; } = 4 << 20;

    /// <summary>Reduce buckets during the backward pass (true) or all after it (false, for comparison).</summary>
    public bool Overlap { get; init; } = true;

    /// <summary>The longest a rank waits for the others in one collective before the job is ended.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// Exact data parallelism over the ranks of a <see cref="Communicator"/>: every rank holds the whole model and takes
/// a contiguous share of each global batch (<see cref="Shard"/>); each computes the gradient of its share's summed loss
/// divided by the global batch's token count; the gradients are summed in place across ranks (in buckets, while the
/// backward pass goes on), and every rank takes the identical clipped Adam step. The global batch, the data order and
/// the dropout masks (keyed by a sequence's global position) do not depend on the number of ranks, so N ranks compute
/// what one process computes, up to the order of floating-point sums.
/// </summary>
public sealed class DataParallel : IDisposable
{
    private readonly GradientBuckets _buckets;
    private readonly Action<Tensor> _gradientReady;
    private long _lossWaitTicks;
    private bool _stopAgreed;

    /// <summary>Data parallelism for the model whose parameters are <paramref name="parameters"/>.</summary>
    public DataParallel(Communicator communicator, ParameterStore parameters, DataParallelOptions options)
    {
        Communicator = communicator;
        Options = options;
        _buckets = new GradientBuckets(communicator, parameters, options.BucketBytes, options.Overlap);
        _gradientReady = _buckets.GradientReady;
    }

    /// <summary>The ranks.</summary>
    public Communicator Communicator { get; }

    /// <summary>The settings.</summary>
    public DataParallelOptions Options { get; }

    /// <summary>This process's rank.</summary>
    public int Rank => Communicator.Rank;

    /// <summary>The number of ranks.</summary>
    public int Size => Communicator.Size;

    /// <summary>Set on a rank that wants the run to stop (Ctrl+C); all ranks stop after the same step (<see cref="StopAgreed"/>).</summary>
    public bool StopRequested { get; set; }

    /// <summary>True once some rank asked to stop; every rank learns it in the same step.</summary>
    public bool StopAgreed => _stopAgreed;

    /// <summary>Time spent waiting for collectives in training steps (the loss and the gradients that the backward pass did not hide).</summary>
    public TimeSpan Waited => _buckets.Waited + Stopwatch.GetElapsedTime(0, _lossWaitTicks);

    /// <summary>The gradient buckets.</summary>
    public GradientBuckets Buckets => _buckets;

    /// <summary>
    /// The sequences [Start, Start + Count) of a global batch of <paramref name="count"/> that this rank takes:
    /// contiguous, in rank order, their sizes differing by at most one (a rank may get none).
    /// </summary>
    public (int Start, int Count) Shard(int count)
    {
        int start = (int)((long)count * Rank / Size), end = (int)((long)count * (Rank + 1) / Size);
        return (start, end - start);
    }

    /// <summary>True when the validation batch <paramref name="index"/> is this rank's (round robin).</summary>
    public bool Owns(int index) => index % Size == Rank;

    /// <summary>The sum over ranks of <paramref name="local"/> (a shard's loss divided by the global count); also agrees on stopping.</summary>
    internal float SumLoss(float local)
    {
        long start = Stopwatch.GetTimestamp();
        Span<double> values = [local, StopRequested ? 1 : 0];
        Communicator.AllReduceSum(values, "allreduce of the loss");
        _stopAgreed |= values[1] > 0;
        _lossWaitTicks += Stopwatch.GetTimestamp() - start;
        return (float)values[0];
    }

    /// <summary>Runs the backward pass of <paramref name="loss"/> (null on a rank with an empty shard) while its gradients are summed across ranks.</summary>
    internal void Backward(Tensor? loss)
    {
        _buckets.BeginBackward();
        loss?.Backward(_gradientReady);
        _buckets.FinishBackward();
    }

    /// <summary>The mean over all ranks' validation batches: the sums of (loss x count) and of counts, reduced.</summary>
    internal double MeanOverRanks(double sum, double count)
    {
        Span<double> values = [sum, count];
        SumOverRanks(values, "allreduce of the validation loss");
        return values[0] / Math.Max(1, values[1]);
    }

    /// <summary>Replaces each of <paramref name="values"/> by its sum over the ranks.</summary>
    internal void SumOverRanks(Span<double> values, string what) => Communicator.AllReduceSum(values, what);

    /// <summary>
    /// Makes every rank start from rank 0's parameters, optimizer moments and position in the run (at the start of a
    /// run and after a resume), and returns the state to continue from.
    /// </summary>
    public TrainerState Synchronize(ParameterStore parameters, Adam adam, TrainerState state)
    {
        Communicator.Broadcast<float>(parameters.Values, 0, "broadcast of the parameters");
        Communicator.Broadcast<float>(adam.M, 0, "broadcast of the optimizer state");
        Communicator.Broadcast<float>(adam.V, 0, "broadcast of the optimizer state");
        ulong[] rng = state.DropoutRng.Length == 4 ? state.DropoutRng : [0, 0, 0, 0];
        long[] position = [adam.StepCount, state.Step, state.Epoch, state.BatchIndex, (long)rng[0], (long)rng[1], (long)rng[2], (long)rng[3]];
        Communicator.Broadcast<long>(position, 0, "broadcast of the run's position");
        adam.StepCount = position[0];
        ulong[] dropout = [(ulong)position[4], (ulong)position[5], (ulong)position[6], (ulong)position[7]];
        return state with
        {
            Step = position[1],
            Epoch = position[2],
            BatchIndex = (int)position[3],
            DropoutRng = dropout.All(w => w == 0) ? [] : dropout,
        };
    }

    /// <summary>
    /// Compares a hash of every rank's parameters: replicas that drifted apart would train a wrong model, so a difference
    /// stops all ranks with an <see cref="AllRanksException"/> naming the ranks that differ from rank 0.
    /// </summary>
    public void CheckReplicas(ParameterStore parameters, long step)
    {
        ulong[] hashes = Communicator.AllGather(Hash(parameters.Values), "allgather of the parameter hashes");
        int[] differ = Enumerable.Range(1, hashes.Length - 1).Where(r => hashes[r] != hashes[0]).ToArray();
        if (differ.Length > 0)
            throw new AllRanksException($"at step {step} the parameters of rank{(differ.Length > 1 ? "s" : "")} {string.Join(", ", differ)} differ from rank 0's: the replicas diverged (a nondeterministic reduction or a hardware fault); stopping");
    }

    /// <summary>A 64-bit hash of the bits of <paramref name="values"/> (any change of any bit changes it, with overwhelming probability).</summary>
    public static ulong Hash(ReadOnlySpan<float> values)
    {
        ulong h = 0x243F6A8885A308D3UL ^ (ulong)values.Length;
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<float, ulong>(values);
        foreach (ulong w in words)
            h = ulong.RotateLeft(h ^ (w * 0x9E3779B97F4A7C15UL), 29) * 0xBF58476D1CE4E5B9UL;
        if ((values.Length & 1) != 0)
            h = ulong.RotateLeft(h ^ (BitConverter.SingleToUInt32Bits(values[^1]) * 0x9E3779B97F4A7C15UL), 29) * 0xBF58476D1CE4E5B9UL;
        return h ^ (h >> 32);
    }

    /// <summary>Stops the communication thread.</summary>
    public void Dispose() => _buckets.Dispose();
}
