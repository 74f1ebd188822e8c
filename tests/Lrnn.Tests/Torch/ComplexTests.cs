using System.Numerics;
using Lrnn.Tests.Support;
using Lrnn.Torch;
using Xunit;

namespace Lrnn.Tests.Torch;

public class ComplexTests
{
    private static readonly double[] Re = { 1.5, -2, 0, 0.25 };
    private static readonly double[] Im = { -0.5, 3, -1, 0 };

    private static Complex[] Expected(Func<Complex, Complex> f) => Re.Zip(Im, (r, i) => f(new Complex(r, i))).ToArray();

    private static void AssertClose(Complex[] expected, Complex[] actual, double atol)
    {
        Numerics.AssertClose(expected.Select(c => c.Real).ToArray(), actual.Select(c => c.Real).ToArray(), atol, what: "real parts");
        Numerics.AssertClose(expected.Select(c => c.Imaginary).ToArray(), actual.Select(c => c.Imaginary).ToArray(), atol, what: "imaginary parts");
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ComplexBuildsFromPartsAndRealImagAreViews(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var z = torch.complex(torch.tensor(Re, device: dev), torch.tensor(Im, device: dev));
        Assert.Equal(ScalarType.ComplexFloat64, z.dtype);
        Assert.Equal(Expected(c => c), z.ToArray<Complex>());
        Assert.Equal(Re, z.real.ToArray<double>());
        Assert.Equal(Im, torch.imag(z).ToArray<double>());

        z.imag.copy_(torch.tensor(new double[] { 9, 8, 7, 6 }, device: dev));
        z.real.narrow(0, 0, 1).zero_();
        Assert.Equal(new[] { new Complex(0, 9), new Complex(-2, 8), new Complex(0, 7), new Complex(0.25, 6) }, z.ToArray<Complex>());

        var z32 = torch.complex(torch.ones(new long[] { 2 }, device: dev), torch.zeros(new long[] { 2 }, device: dev));
        Assert.Equal(ScalarType.ComplexFloat32, z32.dtype);
        Assert.Equal(new[] { new ComplexFloat(1, 0), new ComplexFloat(1, 0) }, z32.ToArray<ComplexFloat>());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void PolarAndAngleAreInverse(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var magnitudes = new[] { 1.0, 2.5, 0.5 };
        var angles = new[] { 0.3, -2.0, 3.0 };
        var z = torch.polar(torch.tensor(magnitudes, device: dev), torch.tensor(angles, device: dev));
        AssertClose(magnitudes.Zip(angles, Complex.FromPolarCoordinates).ToArray(), z.ToArray<Complex>(), 1e-12);
        Numerics.AssertClose(angles, z.angle().ToArray<double>(), 1e-12);

        var w = torch.tensor(Expected(c => c), device: dev);
        Numerics.AssertClose(Expected(c => c).Select(c => Math.Atan2(c.Imaginary, c.Real)).ToArray(), torch.angle(w).ToArray<double>(), 1e-12);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ConjIsMaterialised(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var z = torch.tensor(Expected(c => c), device: dev);
        var c = z.conj();
        Assert.Equal(Expected(Complex.Conjugate), c.ToArray<Complex>());
        // A lazily conjugated tensor would refuse view_as_real; this one shows the negated imaginary parts.
        var pairs = torch.view_as_real(c).ToArray<double>();
        Assert.Equal(Im.Select(v => -v).ToArray(), Enumerable.Range(0, 4).Select(k => pairs[2 * k + 1]).ToArray());
        Assert.Equal(Expected(x => x), z.ToArray<Complex>());   // the input is unchanged
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ViewAsRealAndViewAsComplexShareStorage(string dev)
    {
        using var scope = torch.NewDisposeScope();
        var pairs = torch.tensor(new double[] { 1, 2, 3, 4, 5, 6 }, new long[] { 3, 2 }, dev);
        var z = torch.view_as_complex(pairs);
        Assert.Equal(new long[] { 3 }, z.shape);
        Assert.True(z.is_alias_of(pairs));
        Assert.Equal(new[] { new Complex(1, 2), new Complex(3, 4), new Complex(5, 6) }, z.ToArray<Complex>());

        var back = torch.view_as_real(z);
        Assert.Equal(new long[] { 3, 2 }, back.shape);
        back.select(1, 1).zero_();                    // zero the imaginary parts through the real view
        Assert.Equal(new double[] { 1, 0, 3, 0, 5, 0 }, pairs.ToArray<double>());

        var e = Assert.Throws<ArgumentException>(() => torch.view_as_complex(torch.zeros(3, 3)));
        Assert.Contains("[3, 3]", e.Message);
    }
}
