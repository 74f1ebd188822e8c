using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Torch;

public sealed class MatmulPrecisionTests
{
    [Fact]
    public void PrecisionAndAllowTf32AreOneFlagDefaultingToHighest()
    {
        Assert.Equal("highest", torch.get_float32_matmul_precision());
        Assert.False(torch.backends.cuda.matmul.allow_tf32);
        try
        {
            torch.set_float32_matmul_precision("high");
            Assert.Equal("high", torch.get_float32_matmul_precision());
            Assert.True(torch.backends.cuda.matmul.allow_tf32);

            torch.set_float32_matmul_precision("medium");
            Assert.Equal("medium", torch.get_float32_matmul_precision());
            Assert.True(torch.backends.cuda.matmul.allow_tf32);

            torch.backends.cuda.matmul.allow_tf32 = false;
            Assert.Equal("highest", torch.get_float32_matmul_precision());
            torch.backends.cuda.matmul.allow_tf32 = true;
            Assert.Equal("high", torch.get_float32_matmul_precision());

            Assert.Throws<ArgumentException>(() => torch.set_float32_matmul_precision("tf32"));
            Assert.Equal("high", torch.get_float32_matmul_precision());
        }
        finally
        {
            torch.set_float32_matmul_precision("highest");
        }
        Assert.False(torch.backends.cuda.matmul.allow_tf32);
    }

    /// <summary>TF32 rounds the inputs to 10 mantissa bits: a float32 matmul on CUDA moves away from float64 with it on.</summary>
    [CudaFact]
    public void AllowTf32ChangesCudaFloat32Matmuls()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        var a = torch.randn([512, 512], dtype: ScalarType.Float64);
        var b = torch.randn([512, 512], dtype: ScalarType.Float64);
        var exact = a.matmul(b);
        double MaxError()
        {
            var product = a.to(ScalarType.Float32, Device.CUDA()).matmul(b.to(ScalarType.Float32, Device.CUDA()));
            return product.to(ScalarType.Float64, Device.CPU).sub(exact).abs().max().item<double>();
        }
        var strict = MaxError();
        try
        {
            torch.backends.cuda.matmul.allow_tf32 = true;
            var tf32 = MaxError();
            Assert.True(strict < 1e-3, $"float32 matmul error {strict}");
            Assert.True(tf32 > 10 * strict, $"TF32 error {tf32} vs float32 {strict}");
        }
        finally
        {
            torch.backends.cuda.matmul.allow_tf32 = false;
        }
    }
}
