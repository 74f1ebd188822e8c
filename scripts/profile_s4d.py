"""Where S4D's forward spends its time on a GPU without the hand-written kernels: the op sequence of Lrnn's ATen
path (LRNN_CUDA_KERNELS=0: Vandermonde.cs, fft_causal_conv.cpp's convolve_aten, S4Block's post-processing)
replayed in PyTorch on the same libtorch, under
torch.profiler, at issue 4's size (B=8, L=2048, d_model=1536, d_state=64), plus the copy floor and the strided
FFT layout PerFeature had before. A diagnostic for docs/lti-mixers.md, not a benchmark of Lrnn itself (that is
LtiMixerBenchmarks); run: python3 scripts/profile_s4d.py [--tf32]."""
import math
import sys

import torch
import torch.nn.functional as F

B, L, H, N2 = 8, 2048, 1536, 32
dev = "cuda"
torch.backends.cuda.matmul.allow_tf32 = "--tf32" in sys.argv
torch.manual_seed(0)
x = torch.randn(B, L, H, device=dev)
log_a = torch.complex(-torch.rand(H, N2, device=dev) * 0.1, torch.randn(H, N2, device=dev))
cb = torch.randn(1, H, N2, dtype=torch.complex64, device=dev)
d = torch.randn(1, H, device=dev)
lin = torch.nn.Linear(H, H, device=dev)


def kernel_gen(length):  # Vandermonde.RealModesToTime
    t = math.ceil(math.sqrt(length))
    i = (length + t - 1) // t
    outer = (torch.arange(0, i * t, t, device=dev, dtype=torch.float32).unsqueeze(-1) * log_a.unsqueeze(-2)).exp()
    inner = (log_a.unsqueeze(-1) * torch.arange(t, device=dev, dtype=torch.float32)).exp()
    scaled = (2 * cb).unsqueeze(-2) * outer
    left = torch.cat([scaled.real, scaled.imag], -1)
    right = torch.cat([inner.real, -inner.imag], -2)
    return (left @ right).flatten(-2)[..., :length]  # (1, H, L)


def conv_per_feature(u, k):  # FftConvolution.PerFeature: one transpose to (B, H, L), transforms along the last dim
    n = 2 * L
    spec = torch.fft.rfft(u.transpose(1, 2).contiguous(), n, dim=-1)
    ks = torch.fft.rfft(k, n, dim=-1, norm="forward")
    return torch.fft.irfft(spec.unsqueeze(1) * ks, n, dim=-1, norm="forward")[..., :L]  # (B, 1, H, L)


def conv_strided(u, k):  # the layout PerFeature had before: transforms along dim 0 of the (L, B, H) view, no copy
    n = 2 * L
    spec = torch.fft.rfft(u.transpose(0, 1), n, dim=0).permute(1, 2, 0)
    ks = torch.fft.rfft(k, n, dim=-1, norm="forward")
    return torch.fft.irfft(spec.unsqueeze(1) * ks, n, dim=-1, norm="forward")[..., :L]


def forward(conv):
    k = kernel_gen(L)
    k = k + F.pad(d.unsqueeze(-1), (0, L - 1))
    y = conv(x, k)
    rows = y.permute(0, 3, 1, 2).contiguous().flatten(-2)
    z = F.gelu(F.gelu(rows))
    return F.gelu(lin(z))


def timed(fn, reps=20):
    for _ in range(3):
        fn()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    torch.cuda.synchronize()
    start.record()
    for _ in range(reps):
        fn()
    end.record()
    torch.cuda.synchronize()
    return start.elapsed_time(end) / reps


src = torch.empty(B * L * H, device=dev)
dst = torch.empty_like(src)
with torch.no_grad():
    floor = timed(lambda: dst.copy_(src))
    print(f"tf32={torch.backends.cuda.matmul.allow_tf32} copy floor {floor * 1000:.1f} us")
    for name, conv in (("PerFeature (Lrnn)", conv_per_feature), ("strided layout (before)", conv_strided)):
        ms = timed(lambda: forward(conv))
        print(f"forward, {name}: {ms:.3f} ms = {ms / floor:.1f}x floor")
    for name, fn in (("kernel generation", lambda: kernel_gen(L)),
                     ("fft conv only", lambda: conv_per_feature(x, kernel_gen(L))),
                     ("linear only", lambda: lin(x)),
                     ("gelu only", lambda: F.gelu(x))):
        print(f"  {name}: {timed(fn):.3f} ms")
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CUDA]) as prof:
        for _ in range(5):
            forward(conv_per_feature)
        torch.cuda.synchronize()
    print(prof.key_averages().table(sort_by="cuda_time_total", row_limit=14, max_name_column_width=60))
