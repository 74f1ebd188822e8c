#!/usr/bin/python3
"""One Mamba mixer's forward+backward in eager PyTorch: the reference side of scripts/bench-mamba.sh.

The same layer as tests/Lrnn.Benchmarks/MambaLayerBenchmarks.cs (lrnnx's defaults: d_model 768, expand 2, d_state 16,
d_conv 4, dt_rank ceil(768/16) = 48), written as plain eager ops, with the selective scan as a Python loop over L
with one einsum per step (the way the reference scans of the Mamba paper's code are written):
    x, z = in_proj(u);  x = SiLU(causal depthwise conv1d(x));  [dt | B | C] = x_proj(x)
    delta = softplus(dt_proj(dt));  h_t = exp(delta_t A) h_{t-1} + delta_t B_t x_t;  y_t = C_t . h_t + D x_t
    out = out_proj(y * SiLU(z))
Backward computes the gradients of the input and of every parameter. Prints `pytorch_mamba_fwd_bwd_ms=<median>`.

Usage: bench_mamba_eager.py [--batch B] [--length L] [--device cpu|cuda] [--warmup N] [--repeats N]
Defaults from env LRNN_MAMBA_B (2), LRNN_MAMBA_L (256), LRNN_BENCH_DEVICE (cpu), as the C# benchmark.
"""
import argparse
import math
import os
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

D_MODEL, EXPAND, D_STATE, D_CONV = 768, 2, 16, 4


class EagerMamba(nn.Module):
    def __init__(self, d_model, d_state, d_conv, expand, dt_min=0.001, dt_max=0.1):
        super().__init__()
        self.d_inner = expand * d_model
        self.d_state = d_state
        self.dt_rank = math.ceil(d_model / 16)
        self.in_proj = nn.Linear(d_model, 2 * self.d_inner, bias=False)
        self.conv1d = nn.Conv1d(self.d_inner, self.d_inner, d_conv, groups=self.d_inner, padding=d_conv - 1)
        self.x_proj = nn.Linear(self.d_inner, self.dt_rank + 2 * d_state, bias=False)
        self.dt_proj = nn.Linear(self.dt_rank, self.d_inner)
        with torch.no_grad():
            # Initial timesteps log-uniform in [dt_min, dt_max]; the bias is their inverse softplus.
            dt = torch.exp(torch.rand(self.d_inner) * (math.log(dt_max) - math.log(dt_min)) + math.log(dt_min))
            self.dt_proj.bias.copy_(dt + torch.log(-torch.expm1(-dt)))
        self.A_log = nn.Parameter(torch.log(torch.arange(1, d_state + 1, dtype=torch.float32)).repeat(self.d_inner, 1))
        self.D = nn.Parameter(torch.ones(self.d_inner))
        self.out_proj = nn.Linear(self.d_inner, d_model, bias=False)

    def forward(self, u):                                                 # (B, L, H)
        length = u.shape[1]
        x, z = self.in_proj(u).chunk(2, dim=-1)                           # (B, L, E) each
        x = F.silu(self.conv1d(x.transpose(1, 2))[..., :length])          # (B, E, L): causal, the right overhang dropped
        dt, b, c = self.x_proj(x.transpose(1, 2)).split([self.dt_rank, self.d_state, self.d_state], dim=-1)
        delta = F.softplus(self.dt_proj(dt)).transpose(1, 2)              # (B, E, L)
        a = -torch.exp(self.A_log)                                        # (E, N)
        y = selective_scan_loop(x, delta, a, b.transpose(1, 2), c.transpose(1, 2), self.D)   # (B, E, L)
        y = y * F.silu(z.transpose(1, 2))
        return self.out_proj(y.transpose(1, 2))                           # (B, L, H)


def selective_scan_loop(x, delta, a, b, c, d):
    """h_t = exp(delta_t a) h_{t-1} + delta_t b_t x_t, y_t = c_t . h_t + d x_t, one Python step per token.
    x, delta (B, E, L); a (E, N); b, c (B, N, L); d (E)."""
    decay = torch.exp(torch.einsum("bel,en->beln", delta, a))           # (B, E, L, N)
    drive = torch.einsum("bel,bnl,bel->beln", delta, b, x)              # (B, E, L, N)
    h = x.new_zeros(x.shape[0], x.shape[1], a.shape[1])                 # (B, E, N)
    ys = []
    for t in range(x.shape[2]):
        h = decay[:, :, t] * h + drive[:, :, t]
        ys.append(torch.einsum("ben,bn->be", h, c[:, :, t]))
    return torch.stack(ys, dim=2) + x * d.unsqueeze(-1)                 # (B, E, L)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=int(os.environ.get("LRNN_MAMBA_B") or 2))
    parser.add_argument("--length", type=int, default=int(os.environ.get("LRNN_MAMBA_L") or 256))
    parser.add_argument("--device", default=os.environ.get("LRNN_BENCH_DEVICE") or "cpu")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    torch.manual_seed(0)
    device = torch.device(args.device)
    mamba = EagerMamba(D_MODEL, D_STATE, D_CONV, EXPAND).to(device)
    x = torch.randn(args.batch, args.length, D_MODEL, device=device, requires_grad=True)
    grad_output = torch.randn(args.batch, args.length, D_MODEL, device=device)

    def synchronize():
        if device.type == "cuda":
            torch.cuda.synchronize()

    def forward_backward():
        mamba.zero_grad(set_to_none=True)
        x.grad = None
        synchronize()
        start = time.perf_counter()
        mamba(x).backward(grad_output)
        synchronize()
        return (time.perf_counter() - start) * 1e3

    for _ in range(args.warmup):
        forward_backward()
    milliseconds = [forward_backward() for _ in range(args.repeats)]
    print(f"# torch {torch.__version__}, {device}, B={args.batch} L={args.length} d_model={D_MODEL}, "
          f"runs (ms): {', '.join(f'{m:.1f}' for m in milliseconds)}")
    print(f"pytorch_mamba_fwd_bwd_ms={statistics.median(milliseconds):.3f}")


if __name__ == "__main__":
    main()
