using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Attend.Benchmarks.GemmBenchmarks).Assembly).Run(args);
