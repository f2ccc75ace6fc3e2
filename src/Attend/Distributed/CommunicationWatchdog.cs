using System.Diagnostics;
using System.Globalization;

namespace Attend.Distributed;

/// <summary>
/// A thread that looks at a communicator's blocking call four times a second and ends the whole job (MPI_Abort) with
/// one line when the call has waited longer than the timeout: the other ranks stopped answering (a hung process, a lost
/// machine or network). mpirun notices a rank that dies by itself; only a rank that stays alive but silent needs this.
/// </summary>
internal sealed class CommunicationWatchdog : IDisposable
{
    private readonly Communicator _communicator;
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();
    private long _timeoutTicks = long.MaxValue;

    public CommunicationWatchdog(Communicator communicator)
    {
        _communicator = communicator;
        _thread = new Thread(Watch) { IsBackground = true, Name = "attend MPI watchdog" };
        _thread.Start();
    }

    /// <summary>The longest a blocking call may last.</summary>
    public TimeSpan Timeout
    {
        get => Volatile.Read(ref _timeoutTicks) == long.MaxValue ? System.Threading.Timeout.InfiniteTimeSpan
            : TimeSpan.FromSeconds(Volatile.Read(ref _timeoutTicks) / (double)Stopwatch.Frequency);
        set => Volatile.Write(ref _timeoutTicks, value == System.Threading.Timeout.InfiniteTimeSpan ? long.MaxValue
            : (long)(value.TotalSeconds * Stopwatch.Frequency));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }

    private void Watch()
    {
        while (!_stop.Token.WaitHandle.WaitOne(250))
        {
            (long started, string name) = _communicator.CurrentCall;
            long limit = Volatile.Read(ref _timeoutTicks);
            if (started == 0 || limit == long.MaxValue || Stopwatch.GetTimestamp() - started <= limit)
                continue;
            double waited = Stopwatch.GetElapsedTime(started).TotalSeconds;
            _communicator.Report(string.Create(CultureInfo.InvariantCulture,
                $"error: {_communicator.Name}: waited {waited:F0} s in {name} for the other ranks (timeout {Timeout.TotalSeconds:F0} s): a rank stopped answering (hung, or its machine or network was lost); ending the job"));
            _communicator.Abort(1);
        }
    }
}
