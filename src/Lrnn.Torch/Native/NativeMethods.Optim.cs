using System.Runtime.InteropServices;

namespace Lrnn.Torch.Native;

// optim.cpp
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_adamw_new(double lr, double beta1, double beta2, double eps, double weightDecay, int amsgrad);
    [LibraryImport(Lib)]
    internal static partial int lrnn_adamw_add_param_group(OptimizerHandle opt, IntPtr* parameters, long n, double lr,
        double beta1, double beta2, double eps, double weightDecay, int amsgrad);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_sgd_new(double lr, double momentum, double dampening, double weightDecay, int nesterov);
    [LibraryImport(Lib)]
    internal static partial int lrnn_sgd_add_param_group(OptimizerHandle opt, IntPtr* parameters, long n, double lr,
        double momentum, double dampening, double weightDecay, int nesterov);
    [LibraryImport(Lib)] internal static partial void lrnn_optimizer_free(IntPtr opt);
    [LibraryImport(Lib)] internal static partial int lrnn_optimizer_step(OptimizerHandle opt);
    [LibraryImport(Lib)] internal static partial int lrnn_optimizer_zero_grad(OptimizerHandle opt, int setToNone);
    [LibraryImport(Lib)] internal static partial int lrnn_optimizer_get_lr(OptimizerHandle opt, int group, out double lr);
    [LibraryImport(Lib)] internal static partial int lrnn_optimizer_set_lr(OptimizerHandle opt, int group, double lr);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_optimizer_save(OptimizerHandle opt);
    [LibraryImport(Lib)] internal static partial int lrnn_optimizer_load(OptimizerHandle opt, byte* data, long nbytes);
    [LibraryImport(Lib)] internal static partial IntPtr lrnn_clip_grad_norm_(IntPtr* parameters, long n, double maxNorm, double normType);
}
