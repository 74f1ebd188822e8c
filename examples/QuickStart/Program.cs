// The binding demo: fits a two-layer MLP to
// y = x·sin(3x) on [−1, 1] with AdamW, on the GPU when CUDA is usable, else on the CPU.
// Usage: dotnet run --project examples/QuickStart -c Release -- [--device cpu|cuda] [--steps N]   (--help for more)
using System.CommandLine;
using System.Diagnostics;
using Lrnn.Examples;
using Lrnn.Torch;
using Lrnn.Torch.Modules;
using Lrnn.Torch.Optim;
using F = Lrnn.Torch.torch.nn.functional;

var deviceOption = CommandLineOptions.Device("Where to train (default: cuda when usable, else cpu)");
var stepsOption = new Option<int>("--steps") { Description = "AdamW steps", DefaultValueFactory = _ => 1000 }.Must(v => v >= 10, "must be at least 10");
var command = new RootCommand("The Lrnn.Torch binding demo: fit a small MLP to x·sin(3x)") { deviceOption, stepsOption };
command.SetAction(parse => Run(parse.GetValue(deviceOption) ?? (torch.cuda.is_available() ? Device.CUDA() : Device.CPU), parse.GetValue(stepsOption)));
return command.Parse(args).Invoke();

static int Run(Device device, int steps)
{
    Console.WriteLine(torch.Info);
    Console.WriteLine($"training a 1→64→64→1 MLP on {device} for {steps} steps");
    torch.manual_seed(0);

    using var model = new Mlp(hidden: 64);
    model.to(device);
    using var optimizer = new AdamW(model.parameters(), lr: 3e-3, weight_decay: 0.0);

    // (N, 1) inputs on a grid and their targets.
    using var x = torch.linspace(-1, 1, 256, device: device).unsqueeze(1);
    using var y = x * (x * 3.0).sin();

    var clock = Stopwatch.StartNew();
    var firstLoss = double.NaN;
    var lastLoss = double.NaN;
    var liveAtStart = torch.LiveTensorCount;
    for (var step = 1; step <= steps; step++)
    {
        using var scope = torch.NewDisposeScope();   // frees every temporary of this step
        optimizer.zero_grad();
        var loss = F.mse_loss(model.forward(x), y);
        loss.backward();
        optimizer.step();
        if (step == 1 || step % (steps / 10) == 0 || step == steps)
        {
            lastLoss = loss.item<double>();
            if (step == 1) firstLoss = lastLoss;
            Console.WriteLine($"step {step,5}  loss {lastLoss:E3}");
        }
    }
    Console.WriteLine($"loss {firstLoss:E3} → {lastLoss:E3} in {clock.Elapsed.TotalSeconds:F1} s; " +
                      $"live native tensors: {liveAtStart} before the loop, {torch.LiveTensorCount} after");
    return lastLoss < firstLoss / 10 ? 0 : 1;
}

/// <summary>Two hidden layers with tanh.</summary>
internal sealed class Mlp : Module<Tensor, Tensor>
{
    private readonly Linear _fc1, _fc2, _out;

    public Mlp(long hidden)
    {
        _fc1 = RegisterModule("fc1", new Linear(1, hidden));
        _fc2 = RegisterModule("fc2", new Linear(hidden, hidden));
        _out = RegisterModule("out", new Linear(hidden, 1));
    }

    public override Tensor forward(Tensor input)   // (N, 1) → (N, 1)
    {
        using var h1 = _fc1.forward(input).tanh();
        using var h2 = _fc2.forward(h1).tanh();
        return _out.forward(h2);
    }
}
