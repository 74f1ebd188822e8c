// Native tests share process-wide state (live-handle counts, RNG seeds, grad mode is per thread but the
// live count is global), and the CI machine has 2 cores: run tests one at a time.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
[assembly: Lrnn.Tests.Support.SeedTorch]
