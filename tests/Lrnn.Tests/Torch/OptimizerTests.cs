using Lrnn.Tests.Support;
using Lrnn.Torch;
using Lrnn.Torch.Optim;
using Xunit;

namespace Lrnn.Tests.Torch;

public class OptimizerTests
{
    /// <summary>loss = Σ a·p², so dloss/dp = 2·a·p: a gradient the managed references can recompute.</summary>
    private static void Backward(Tensor p, double[] a, Device device)
    {
        using var scope = torch.NewDisposeScope();
        var coefficient = torch.tensor(a, p.shape, device).to(p.dtype);
        (coefficient * p * p).sum().backward();
    }

    private static double[] Gradient(double[] p, double[] a) => p.Select((v, k) => 2 * a[k] * v).ToArray();

    /// <summary>One AdamW step (decoupled weight decay, bias correction) in float64, as in the paper.</summary>
    private sealed class AdamWReference(double lr, double beta1, double beta2, double eps, double weightDecay, int n)
    {
        private readonly double[] _m = new double[n], _v = new double[n];
        private int _t;

        public void Step(double[] p, double[] g)
        {
            _t++;
            for (var k = 0; k < p.Length; k++)
            {
                p[k] *= 1 - lr * weightDecay;
                _m[k] = beta1 * _m[k] + (1 - beta1) * g[k];
                _v[k] = beta2 * _v[k] + (1 - beta2) * g[k] * g[k];
                var mHat = _m[k] / (1 - Math.Pow(beta1, _t));
                var vHat = _v[k] / (1 - Math.Pow(beta2, _t));
                p[k] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        }
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AdamWFollowsTheFormulaPerParameterGroup(string dev)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        double[] w0 = { 0.5, -1.5, 2.0, 0.1 }, b0 = { 0.3, -0.7 };
        double[] aw = { 1, 0.5, 2, -1 }, ab = { 3, 0.25 };
        var w = torch.tensor(w0, null, device, requires_grad: true);
        var b = torch.tensor(b0, null, device, requires_grad: true);
        using var opt = new AdamW(new[]
        {
            new AdamW.ParamGroup(new[] { w }),
            new AdamW.ParamGroup(new[] { b }) { weight_decay = 0, lr = 0.05, betas = (0.8, 0.99) },
        }, lr: 0.01, weight_decay: 0.1, eps: 1e-8);
        var wRef = new AdamWReference(0.01, 0.9, 0.999, 1e-8, 0.1, w0.Length);
        var bRef = new AdamWReference(0.05, 0.8, 0.99, 1e-8, 0, b0.Length);
        double[] we = (double[])w0.Clone(), be = (double[])b0.Clone();

        for (var step = 0; step < 5; step++)
        {
            Backward(w, aw, device);
            Backward(b, ab, device);
            wRef.Step(we, Gradient(we, aw));
            bRef.Step(be, Gradient(be, ab));
            opt.step();
            opt.zero_grad();
            Numerics.AssertClose(we, w.ToArray<double>(), atol: 1e-14, rtol: 1e-13, what: $"w after step {step + 1}");
            Numerics.AssertClose(be, b.ToArray<double>(), atol: 1e-14, rtol: 1e-13, what: $"b after step {step + 1}");
        }
        Assert.Equal(0.01, opt.param_groups[0].lr);
        Assert.Equal(0.05, opt.param_groups[1].lr);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SgdWithMomentumAndWeightDecayFollowsTheFormula(bool nesterov)
    {
        using var scope = torch.NewDisposeScope();
        const double lr = 0.1, mu = 0.9, wd = 0.01;
        double[] p0 = { 1, -2, 0.5 }, a = { 0.5, 1, -0.25 };
        var p = torch.tensor(p0, requires_grad: true);
        using var opt = new SGD(new[] { p }, lr, momentum: mu, weight_decay: wd, nesterov: nesterov);
        var expected = (double[])p0.Clone();
        double[]? buffer = null;
        for (var step = 0; step < 4; step++)
        {
            Backward(p, a, Device.CPU);
            var d = Gradient(expected, a).Select((g, k) => g + wd * expected[k]).ToArray();
            buffer = buffer is null ? d : buffer.Select((v, k) => mu * v + d[k]).ToArray();
            var update = nesterov ? d.Select((v, k) => v + mu * buffer[k]).ToArray() : buffer;
            for (var k = 0; k < expected.Length; k++) expected[k] -= lr * update[k];
            opt.step();
            opt.zero_grad();
            Numerics.AssertClose(expected, p.ToArray<double>(), atol: 1e-14, what: $"p after step {step + 1}");
        }
    }

    [Fact]
    public void LearningRatesCanBeChangedPerGroup()
    {
        using var scope = torch.NewDisposeScope();
        var p = torch.tensor(new double[] { 1 }, requires_grad: true);
        var q = torch.tensor(new double[] { 1 }, requires_grad: true);
        using var opt = new SGD(new[] { new SGD.ParamGroup(new[] { p }), new SGD.ParamGroup(new[] { q }) { lr = 0.5 } }, lr: 0.1);
        Assert.Equal(new[] { 0.1, 0.5 }, opt.param_groups.Select(g => g.lr));
        opt.param_groups[0].lr = 0.25;
        (p + q).sum().backward();                                        // both gradients are 1
        opt.step();
        Assert.Equal(0.75, p.ToArray<double>()[0]);
        Assert.Equal(0.5, q.ToArray<double>()[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => opt.param_groups[1].lr = -1);
    }

    [Fact]
    public void ZeroGradDropsOrZeroesTheGradients()
    {
        using var scope = torch.NewDisposeScope();
        var p = torch.tensor(new double[] { 1, 2 }, requires_grad: true);
        using var opt = new SGD(new[] { p }, lr: 0.1);
        (p * 3.0).sum().backward();
        opt.zero_grad(setToNone: false);
        Assert.Equal(new double[] { 0, 0 }, p.grad!.ToArray<double>());
        opt.zero_grad();
        Assert.Null(p.grad);
    }

    [Fact]
    public void RejectsParametersThatDoNotRequireGrad()
    {
        using var scope = torch.NewDisposeScope();
        var frozen = torch.zeros(2, 3);
        var e = Assert.Throws<ArgumentException>(() => new AdamW(new[] { frozen }));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Throws<ArgumentException>(() => new SGD(Array.Empty<Tensor>(), lr: 0.1));
        var p = torch.zeros(new long[] { 1 }, requires_grad: true);
        Assert.Throws<ArgumentException>(() => new SGD(new[] { p }, lr: 0.1, nesterov: true));   // nesterov needs momentum
    }

    /// <summary>
    /// Two identical runs, one of which is interrupted after 3 steps: its state goes through bytes (or a file)
    /// into a fresh optimizer over fresh parameters, and the next steps must agree bit for bit.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RestoredStateResumesBitIdentically(bool throughFile)
    {
        using var scope = torch.NewDisposeScope();
        float[] w0 = { 0.3f, -1.2f, 2.5f, 0.01f, -0.4f, 1.1f };
        float[] b0 = { 0.5f, -0.5f };
        double[] aw = { 1, 0.3, -2, 4, 0.7, -0.1 }, ab = { 2, 0.5 };
        AdamW Make(Tensor w, Tensor b) =>
            new(new[] { new AdamW.ParamGroup(new[] { w }), new AdamW.ParamGroup(new[] { b }) { weight_decay = 0 } }, lr: 0.02);
        void Step(AdamW opt, Tensor w, Tensor b)
        {
            Backward(w, aw, Device.CPU);
            Backward(b, ab, Device.CPU);
            opt.step();
            opt.zero_grad();
        }

        var w = torch.tensor(w0, new long[] { 2, 3 }, requires_grad: true);
        var b = torch.tensor(b0, requires_grad: true);
        using var original = Make(w, b);
        for (var k = 0; k < 3; k++) Step(original, w, b);
        var state = original.state_dict();
        var w2 = torch.tensor(w.ToArray<float>(), new long[] { 2, 3 }, requires_grad: true);
        var b2 = torch.tensor(b.ToArray<float>(), requires_grad: true);
        using var resumed = Make(w2, b2);
        resumed.param_groups[0].lr = 1;                                  // the state restores the lr too
        if (throughFile)
        {
            var path = Path.Combine(Path.GetTempPath(), $"lrnn-optim-{Guid.NewGuid():N}.bin");
            try
            {
                original.save_state_dict(path);
                resumed.load_state_dict(path);
            }
            finally
            {
                File.Delete(path);
            }
        }
        else
        {
            resumed.load_state_dict(state);
        }
        Assert.Equal(0.02, resumed.param_groups[0].lr);

        for (var k = 0; k < 3; k++)
        {
            Step(original, w, b);
            Step(resumed, w2, b2);
            Assert.Equal(w.ToArray<float>(), w2.ToArray<float>());
            Assert.Equal(b.ToArray<float>(), b2.ToArray<float>());
        }

        // Without the state the fresh optimizer would restart its moments and step count: a real difference.
        var w3 = torch.tensor(w.ToArray<float>(), new long[] { 2, 3 }, requires_grad: true);
        var b3 = torch.tensor(b.ToArray<float>(), requires_grad: true);
        using var cold = Make(w3, b3);
        Step(original, w, b);
        Step(cold, w3, b3);
        Assert.NotEqual(w.ToArray<float>(), w3.ToArray<float>());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ClipGradNormScalesToTheMaximumNorm(string dev)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        var p = torch.zeros(new long[] { 2 }, ScalarType.Float64, device, requires_grad: true);
        var q = torch.zeros(new long[] { 1 }, ScalarType.Float64, device, requires_grad: true);
        var none = torch.zeros(new long[] { 1 }, ScalarType.Float64, device, requires_grad: true);   // no gradient
        p.grad = torch.tensor(new double[] { 3, 4 }, null, device);
        q.grad = torch.tensor(new double[] { 12 }, null, device);        // joint L2 norm 13, L∞ norm 12

        var total = torch.nn.utils.clip_grad_norm_(new[] { p, q, none }, max_norm: 100);
        Assert.Equal(13, total.item<double>(), 12);
        Assert.Equal(new double[] { 3, 4 }, p.grad!.ToArray<double>());  // below the maximum: untouched

        total = torch.nn.utils.clip_grad_norm_(new[] { p, q, none }, max_norm: 6.5);
        Assert.Equal(13, total.item<double>(), 12);
        var scale = 6.5 / (13 + 1e-6);
        Numerics.AssertClose(new[] { 3 * scale, 4 * scale }, p.grad!.ToArray<double>(), atol: 1e-12);
        Numerics.AssertClose(new[] { 12 * scale }, q.grad!.ToArray<double>(), atol: 1e-12);
        Assert.Null(none.grad);

        total = torch.nn.utils.clip_grad_norm_(new[] { p, q }, max_norm: 1, norm_type: double.PositiveInfinity);
        Assert.Equal(12 * scale, total.item<double>(), 12);
    }
}
