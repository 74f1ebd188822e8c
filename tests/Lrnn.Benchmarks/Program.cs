using BenchmarkDotNet.Running;
using Lrnn.Benchmarks.Lti;

// `timeline MIXER [TRACE]`: one mixer's forward timeline and Kineto trace (Lti/ForwardTimeline.cs); anything else
// goes to BenchmarkDotNet. `soak [DECODE_STEPS] [TRAIN_STEPS]`: the memory soak run (Soak.cs).
if (args.Length > 0 && args[0] == "timeline") return ForwardTimeline.Run(args[1..]);
if (args.Length > 0 && args[0] == "soak") return Lrnn.Benchmarks.Soak.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
