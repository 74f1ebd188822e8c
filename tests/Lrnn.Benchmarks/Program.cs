using BenchmarkDotNet.Running;
using Lrnn.Benchmarks.Lti;

// `timeline MIXER [TRACE]`: one mixer's forward timeline and Kineto trace (Lti/ForwardTimeline.cs); anything else
// (but `peer` and `soak`) goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "timeline") return ForwardTimeline.Run(args[1..]);
// `peer [parts] [--quick]`: the grid measured side by side with lrnnx (PeerGrid.cs, scripts/bench-peer.sh).
if (args.Length > 0 && args[0] == "peer") return Lrnn.Benchmarks.PeerGrid.Run(args[1..]);
// `soak [DECODE_STEPS] [TRAIN_STEPS]`: the memory soak run (Soak.cs).
if (args.Length > 0 && args[0] == "soak") return Lrnn.Benchmarks.Soak.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
