using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Torch;

public class AutogradTests
{
    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void NonScalarBackwardTakesAnExplicitGradient(string dev)
    {
        using var scope = torch.NewDisposeScope();
        Device device = dev;
        var x = torch.tensor(new double[] { 1, -2, 3 }, null, device, requires_grad: true);
        var y = x * x;                                                  // dy_k/dx_k = 2x_k
        Assert.ThrowsAny<Exception>(() => y.backward(retainGraph: true)); // non-scalar: needs a gradient
        y.backward(torch.tensor(new double[] { 0.5, 1, -2 }, null, device));
        Assert.Equal(new double[] { 1, -4, -12 }, x.grad!.ToArray<double>());
    }

    [Fact]
    public void RetainGradKeepsTheGradientOfAnIntermediate()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2 }, requires_grad: true);
        var h = (x * 3.0).retain_grad();
        var u = x * 5.0;                                                 // not retained
        Assert.True(h.retains_grad);
        Assert.False(u.retains_grad);
        (h * h + u).sum().backward();                                    // dL/dh = 2h = 6x
        Assert.Equal(new double[] { 6, 12 }, h.grad!.ToArray<double>());
        Assert.Equal(new double[] { 18 + 5, 36 + 5 }, x.grad!.ToArray<double>()); // 6x·3 + 5
    }

    [Fact]
    public void SettingGradToNullDropsItAndSettingATensorReplacesIt()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2 }, requires_grad: true);
        (x * 2.0).sum().backward();
        (x * 2.0).sum().backward();                                      // accumulates
        Assert.Equal(new double[] { 4, 4 }, x.grad!.ToArray<double>());
        x.grad = null;
        Assert.Null(x.grad);
        (x * 2.0).sum().backward();                                      // starts afresh
        Assert.Equal(new double[] { 2, 2 }, x.grad!.ToArray<double>());
        x.grad = torch.tensor(new double[] { 7, 8 });
        Assert.Equal(new double[] { 7, 8 }, x.grad!.ToArray<double>());
        Assert.Throws<ArgumentException>(() => x.grad = torch.tensor(new double[] { 1, 2, 3 }));
        Assert.Throws<ArgumentException>(() => x.grad = torch.tensor(new float[] { 1, 2 }));
    }

    [Fact]
    public void AutogradGradReturnsGradientsWithoutTouchingDotGrad()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2, 3 }, requires_grad: true);
        var w = torch.tensor(new double[] { 4, 5, 6 }, requires_grad: true);
        var unused = torch.tensor(new double[] { 1 }, requires_grad: true);
        var y = x * w;                                                   // non-scalar output
        var g = torch.tensor(new double[] { 1, 10, 100 });
        var grads = torch.autograd.grad(new[] { y }, new[] { x, w, unused }, new[] { g }, allow_unused: true);
        Assert.Equal(new double[] { 4, 50, 600 }, grads[0]!.ToArray<double>());
        Assert.Equal(new double[] { 1, 20, 300 }, grads[1]!.ToArray<double>());
        Assert.Null(grads[2]);
        Assert.Null(x.grad);
        Assert.Null(w.grad);
        Assert.Throws<TorchException>(() => torch.autograd.grad(new[] { (x * w).sum() }, new[] { unused }));
    }

    [Fact]
    public void CreateGraphGivesDifferentiableGradients()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 2, -1 }, requires_grad: true);
        var y = (x * x * x).sum();                                      // dy/dx = 3x², d²y/dx² = 6x
        var dy = torch.autograd.grad(y, x, create_graph: true);
        Assert.Equal(new double[] { 12, 3 }, dy.ToArray<double>());
        Assert.True(dy.requires_grad);
        var d2y = torch.autograd.grad(dy.sum(), x);
        Assert.Equal(new double[] { 12, -6 }, d2y.ToArray<double>());
    }

    [Fact]
    public void InferenceModeRecordsNothingAndRestoresTheState()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.tensor(new double[] { 1, 2 }, requires_grad: true);
        Assert.False(torch.is_inference_mode_enabled());
        Tensor y;
        using (torch.inference_mode())
        {
            Assert.True(torch.is_inference_mode_enabled());
            Assert.False(torch.is_grad_enabled());
            y = w * 3.0;
            Assert.False(y.requires_grad);
            Assert.True(y.is_inference());
            using (torch.inference_mode(false))
                Assert.False(torch.is_inference_mode_enabled());
            Assert.True(torch.is_inference_mode_enabled());
        }
        Assert.False(torch.is_inference_mode_enabled());
        Assert.True(torch.is_grad_enabled());
        Assert.Equal(new double[] { 3, 6 }, y.ToArray<double>());
        var z = w * 3.0;
        Assert.True(z.requires_grad);
        Assert.False(z.is_inference());
    }

    [Fact]
    public void NoGradNestsAndRestores()
    {
        using (torch.no_grad())
        {
            Assert.False(torch.is_grad_enabled());
            using (torch.enable_grad()) Assert.True(torch.is_grad_enabled());
            Assert.False(torch.is_grad_enabled());
        }
        Assert.True(torch.is_grad_enabled());
    }
}
