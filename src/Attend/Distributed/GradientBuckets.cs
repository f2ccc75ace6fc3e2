using System.Diagnostics;
using Attend.Tensors;

namespace Attend.Distributed;

/// <summary>
/// Sums a model's gradients across ranks while the backward pass is still running, as PyTorch DDP does: the gradient
/// slab is cut into buckets of about <c>bucketBytes</c> (contiguous ranges, whole parameters, in reverse declaration
/// order, roughly the order the backward pass finishes them), and a bucket whose parameters all have final gradients
/// is reduced in place (MPI_Allreduce with MPI_IN_PLACE) on a dedicated communication thread. Buckets are launched in
/// their fixed order on every rank, so the ranks' collectives always match. The slab is the same memory every step: no
/// buffer is allocated per step.
/// </summary>
public sealed class GradientBuckets : IDisposable
{
    private readonly Communicator _communicator;
    private readonly float[] _gradients;
    private readonly (int Start, int Length)[] _buckets;
    private readonly int[] _parameterCount;
    private readonly int[] _pending;
    private readonly Dictionary<Tensor, int> _bucketOf = new(ReferenceEqualityComparer.Instance);
    private readonly object _gate = new();
    private readonly bool _overlap;
    private Thread? _thread;
    private int _launched;
    private int _done;
    private bool _stop;
    private Exception? _failure;

    /// <summary>Buckets over the gradients of <paramref name="parameters"/>; <paramref name="overlap"/> false reduces them all after the pass instead.</summary>
    public GradientBuckets(Communicator communicator, ParameterStore parameters, int bucketBytes, bool overlap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketBytes, sizeof(float));
        if (!parameters.IsBuilt)
            throw new ArgumentException("GradientBuckets: the parameter store is not built");
        (_communicator, _gradients, _overlap) = (communicator, parameters.Gradients, overlap);
        IReadOnlyList<Tensor> list = parameters.Parameters;
        int[] offsets = new int[list.Count + 1];
        for (int i = 0; i < list.Count; i++)
            offsets[i + 1] = offsets[i] + list[i].Length;
        var buckets = new List<(int Start, int Length)>();
        var counts = new List<int>();
        int end = offsets[^1], members = 0;
        for (int i = list.Count - 1; i >= 0; i--)
        {
            _bucketOf[list[i]] = buckets.Count;
            members++;
            if ((long)(end - offsets[i]) * sizeof(float) >= bucketBytes || i == 0)
            {
                buckets.Add((offsets[i], end - offsets[i]));
                counts.Add(members);
                (end, members) = (offsets[i], 0);
            }
        }
        _buckets = [.. buckets];
        _parameterCount = [.. counts];
        _pending = new int[_buckets.Length];
    }

    /// <summary>The buckets (start and length in the gradient slab), in the order they are reduced.</summary>
    public IReadOnlyList<(int Start, int Length)> Buckets => _buckets;

    /// <summary>Time the caller spent in <see cref="FinishBackward"/> waiting for reductions, summed over all steps.</summary>
    public TimeSpan Waited { get; private set; }

    /// <summary>How many buckets the last pass launched while it was still running (0 without overlap).</summary>
    public int LaunchedDuringPass { get; private set; }

    /// <summary>Prepares a backward pass: no gradient is final yet.</summary>
    public void BeginBackward()
    {
        lock (_gate)
        {
            if (_launched != _done)
                throw new InvalidOperationException("GradientBuckets: the previous pass's reductions are still running");
            _parameterCount.CopyTo(_pending, 0);
            (_launched, _done) = (0, 0);
        }
    }

    /// <summary>The hook for <see cref="Tensor.Backward"/>: <paramref name="leaf"/>'s gradient is final.</summary>
    public void GradientReady(Tensor leaf)
    {
        if (!_bucketOf.TryGetValue(leaf, out int bucket))
            return;
        _pending[bucket]--;
        if (!_overlap || bucket != _launched || _pending[bucket] > 0)
            return;
        int ready = _launched;
        while (ready < _pending.Length && _pending[ready] == 0)
            ready++;
        Launch(ready);
    }

    /// <summary>Launches the buckets still waiting (parameters the pass did not reach have zero gradients) and waits until all are reduced.</summary>
    public void FinishBackward()
    {
        long start = Stopwatch.GetTimestamp();
        LaunchedDuringPass = _launched;
        Launch(_buckets.Length);
        lock (_gate)
        {
            while (_done < _buckets.Length && _failure is null)
                Monitor.Wait(_gate);
        }
        Waited += Stopwatch.GetElapsedTime(start);
        if (_failure is { } failure)
            throw new MpiException($"reducing gradients failed: {failure.Message}", failure);
    }

    /// <summary>Stops the communication thread.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stop = true;
            Monitor.PulseAll(_gate);
        }
        _thread?.Join();
        _thread = null;
    }

    private void Launch(int upTo)
    {
        lock (_gate)
        {
            if (upTo <= _launched)
                return;
            _launched = upTo;
            _thread ??= StartThread();
            Monitor.PulseAll(_gate);
        }
    }

    private Thread StartThread()
    {
        var thread = new Thread(Communicate) { IsBackground = true, Name = "attend gradient allreduce" };
        thread.Start();
        return thread;
    }

    // The communication thread: reduces launched buckets in order, one MPI call at a time.
    private void Communicate()
    {
        while (true)
        {
            int bucket;
            lock (_gate)
            {
                while (_done == _launched && !_stop)
                    Monitor.Wait(_gate);
                if (_stop)
                    return;
                bucket = _done;
            }
            try
            {
                (int start, int length) = _buckets[bucket];
                _communicator.AllReduceSum(_gradients.AsSpan(start, length), "allreduce of gradients");
            }
            catch (Exception e) when (e is MpiException or InvalidOperationException)
            {
                lock (_gate)
                {
                    _failure = e;
                    Monitor.PulseAll(_gate);
                }
                return;
            }
            lock (_gate)
            {
                _done++;
                Monitor.PulseAll(_gate);
            }
        }
    }
}
