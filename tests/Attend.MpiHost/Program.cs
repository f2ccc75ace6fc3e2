using System.Globalization;
using Attend.Distributed;
using Attend.Models;
using Attend.Tensors;
using Attend.Training;

// Started by the tests as `mpirun -np N Attend.MpiHost MODE`; each mode checks one behaviour and prints what it saw.
// bench/mpi/bench_mpi.sh starts its allreduce-bench mode.
string mode = args.Length > 0 ? args[0] : "";
using Communicator world = Communicator.World();
return mode switch
{
    "collectives" => Collectives(world),
    "abort" => Abort(world),
    "timeout" => Timeout(world),
    "diverge" => Diverge(world),
    "overlap" => Overlap(world),
    "allreduce-bench" => AllReduceBench(world, args.Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Attend.MpiHost collectives|abort|timeout|diverge|overlap|allreduce-bench [MB BUCKET_MB ROUNDS]");
    return 2;
}

// Each rank prints one line: the results of an allreduce (small and 1M floats, doubles), broadcasts and an allgather,
// then its host's name.
static int Collectives(Communicator world)
{
    int r = world.Rank;
    float[] small = [r + 1, 2 * (r + 1), 0.5f, -r];
    world.AllReduceSum(small.AsSpan());
    float[] large = new float[1 << 20];
    for (int i = 0; i < large.Length; i++)
        large[i] = i % 7 + r;
    world.AllReduceSum(large.AsSpan());
    double[] doubles = [r + 0.25, 1e300 / world.Size];
    world.AllReduceSum(doubles.AsSpan());
    float[] fromLast = world.Rank == world.Size - 1 ? [3.5f, -1f, r] : new float[3];
    world.Broadcast<float>(fromLast, world.Size - 1);
    byte[] text = world.Broadcast(world.Rank == 0 ? "hello from rank 0"u8.ToArray() : null, 0);
    ulong[] gathered = world.AllGather((ulong)(10 * r + 1));
    long largeSum = 0;
    foreach (float v in large)
        largeSum += (long)v;
    string F(IEnumerable<float> v) => string.Join(",", v.Select(x => x.ToString("R", CultureInfo.InvariantCulture)));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"rank={r} size={world.Size} small={F(small)} largeSum={largeSum} doubles={doubles[0]:R},{doubles[1]:R} broadcast={F(fromLast)} text={System.Text.Encoding.UTF8.GetString(text)} gathered={string.Join(",", gathered)} host={world.Host}"));
    return 0;
}

// Rank 1 fails and ends the job; rank 0 would otherwise wait in the barrier for ever.
static int Abort(Communicator world)
{
    if (world.Rank == 1)
    {
        Console.Error.WriteLine($"error: {world.Name}: injected failure; ending the job");
        world.Abort(3);
    }
    world.Barrier();
    Console.WriteLine("the barrier returned: the abort did not end the job");
    return 0;
}

// Rank 1 stops answering; rank 0's watchdog ends the job after 2 s.
static int Timeout(Communicator world)
{
    if (world.Rank == 1)
    {
        Thread.Sleep(TimeSpan.FromMinutes(2));
        return 0;
    }
    world.Timeout = TimeSpan.FromSeconds(2);
    world.Barrier("the barrier of the timeout test");
    Console.WriteLine("the barrier returned: the watchdog did not end the job");
    return 0;
}

// Rank 1 changes one weight after step 2; the replica check at step 3 must stop every rank with the same error.
static int Diverge(Communicator world)
{
    var config = new ModelConfig
    {
        ModelType = "seq2seq", DModel = 16, Heads = 2, DFF = 32, EncoderLayers = 1, DecoderLayers = 1,
        SrcVocabSize = 11, TgtVocabSize = 11, MaxLen = 16, Dropout = 0.1f,
    };
    var model = Seq2SeqTransformer.Create(config, seed: 3);
    var rng = new Rng(5);
    var pairs = Enumerable.Range(0, 64).Select(_ =>
    {
        int[] x = Enumerable.Range(0, 2 + rng.NextInt(4)).Select(_ => 3 + rng.NextInt(8)).ToArray();
        return (x, x.Reverse().ToArray());
    }).ToList();
    var options = new TrainerOptions { Steps = 6, ValidateEvery = 3, MaxTokens = 64, Schedule = "constant", Warmup = 0 };
    using var trainer = new Trainer(model, new TranslationTask(model, pairs, [], options.MaxTokens, options.Seed), options, communicator: world);
    trainer.OnStep = report =>
    {
        if (report.Step == 2 && world.Rank == 1)
            model.Parameters.Values[0] += 1e-3f;
    };
    try
    {
        trainer.Run();
    }
    catch (AllRanksException e)
    {
        if (world.Rank == 0)
            Console.Error.WriteLine($"error: {e.Message}");
        return 1;
    }
    Console.WriteLine($"rank {world.Rank}: the run ended without noticing the divergence");
    return 0;
}

// One step of a small language model with 64 KB buckets, with and without overlap: rank 0 prints how many of the
// buckets were launched while the backward pass was still running.
static int Overlap(Communicator world)
{
    var config = new ModelConfig
    {
        ModelType = "decoder_only", DModel = 64, Heads = 2, DFF = 128, EncoderLayers = 0, DecoderLayers = 3,
        SrcVocabSize = 50, TgtVocabSize = 50, MaxLen = 16, Dropout = 0f, NormFirst = true,
    };
    var rng = new Rng(9);
    int[] stream = Enumerable.Range(0, 4000).Select(_ => rng.NextInt(50)).ToArray();
    foreach (bool overlap in new[] { true, false })
    {
        var model = DecoderOnlyTransformer.Create(config, seed: 1);
        var task = new LanguageModelTask(model, stream, [], batch: 4, block: 16, seed: 1);
        var options = new TrainerOptions { Steps = 1, Schedule = "constant", Warmup = 0, DataParallel = new DataParallelOptions { BucketBytes = 64 << 10, Overlap = overlap } };
        using var trainer = new Trainer(model, task, options, communicator: world);
        trainer.Run();
        if (world.Rank == 0)
            Console.WriteLine($"overlap={overlap} buckets={trainer.Parallel!.Buckets.Buckets.Count} launched_during_pass={trainer.Parallel.Buckets.LaunchedDuringPass}");
    }
    return 0;
}

// Milliseconds to sum MB megabytes of floats across the ranks: in one call or in buckets of BUCKET_MB, into the same
// buffer every round or into a freshly allocated one (median of ROUNDS after one warm-up round); rank 0 prints JSON.
static int AllReduceBench(Communicator world, int[] sizes)
{
    int megabytes = sizes.Length > 0 ? sizes[0] : 32, bucketMegabytes = sizes.Length > 1 ? sizes[1] : 4, rounds = sizes.Length > 2 ? sizes[2] : 10;
    int count = megabytes << 18, bucket = bucketMegabytes << 18;
    float[] reused = new float[count];
    double Time(bool fresh, int chunk)
    {
        var times = new List<double>();
        for (int round = 0; round <= rounds; round++)
        {
            float[] data = fresh ? new float[count] : reused;
            data.AsSpan().Fill(1f);
            world.Barrier();
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            for (int at = 0; at < count; at += chunk)
                world.AllReduceSum(data.AsSpan(at, Math.Min(chunk, count - at)));
            if (round > 0)
                times.Add(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return times.Order().ElementAt(times.Count / 2);
    }
    double whole = Time(false, count), bucketed = Time(false, bucket), wholeFresh = Time(true, count), bucketedFresh = Time(true, bucket);
    if (world.Rank == 0)
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"ranks\":{world.Size},\"megabytes\":{megabytes},\"bucket_megabytes\":{bucketMegabytes},\"one_call_ms\":{whole:F2},\"buckets_ms\":{bucketed:F2},\"one_call_fresh_buffer_ms\":{wholeFresh:F2},\"buckets_fresh_buffer_ms\":{bucketedFresh:F2}}}"));
    return 0;
}
