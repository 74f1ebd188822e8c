using System.Reflection;
using Lrnn.Torch;
using Xunit.v3;

namespace Lrnn.Tests.Support;

/// <summary>
/// Seeds libtorch's global generator before every test (applied to the whole assembly), so a test that draws
/// random weights sees the same numbers whatever ran before it: tolerances are checked on fixed data, and a
/// failure reproduces.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method)]
public sealed class SeedTorchAttribute(ulong seed = 20261122) : BeforeAfterTestAttribute
{
    public override void Before(MethodInfo methodUnderTest, IXunitTest test) => torch.manual_seed(seed);
}
