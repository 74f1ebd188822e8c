#!/usr/bin/python3
"""PyTorch's own per-op cost for the workloads of tests/Lrnn.Benchmarks (see BenchWorkload.cs).

Run with Debian's /usr/bin/python3, whose python3-torch 1.13 wraps the same libtorch build our shim links, so
"PyTorch − native floor" is the cost of Python's binding alone. Prints one JSON object:
  {"torch": "1.13.0a0", "threads": 1, "repeats": 7, "ns_per_op": {"Add16": ..., "Matmul64": ..., "Chain16": ...}}
Each figure is the best of `repeats` timeit runs of about `--repeat-seconds` each, divided by the run's count.
"""
import argparse
import json
import os
import subprocess
import sys
import timeit


DEBIAN_PYTHON = "/usr/bin/python3"


def import_torch():
    """Imports torch; where it is missing, installs Debian's python3-torch and re-runs this script with the
    Python that package serves."""
    try:
        import torch
        return torch
    except ImportError:
        if os.environ.get("LRNN_BENCH_APT_TRIED"):
            sys.exit("bench_pytorch_overhead.py: torch is still missing after installing python3-torch")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print("bench_pytorch_overhead.py: installing python3-torch with apt", file=sys.stderr)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "python3-torch"], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    os.environ["LRNN_BENCH_APT_TRIED"] = "1"
    os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON] + sys.argv)


torch = import_torch()


def inputs(n_rows, n_cols):
    """a[k] = 0.1·(k mod 7), b[k] = 1 + 0.1·(k mod 5), float32: the values BenchWorkloads.Inputs uses."""
    k = torch.arange(n_rows * n_cols)
    a = (0.1 * (k % 7)).to(torch.float32)
    b = (1.0 + 0.1 * (k % 5)).to(torch.float32)
    shape = (n_rows, n_cols) if n_rows > 1 else (n_cols,)
    return a.reshape(shape), b.reshape(shape)


def chain(a, b):
    """The ten elementwise ops of BenchWorkloads.Chain (C#) and chain() in tests/Lrnn.Benchmarks/Native/native_floor.cpp, in the same order."""
    t = a + b
    t = t * b
    t = t - a
    t = t / b
    t = t + 1.0
    t = t * 0.5
    t = t - 0.25
    t = t / 2.0
    t = -t
    return t.exp()


# name -> (statement, input shape as (rows, cols)); rows == 1 means a vector of `cols` elements.
WORKLOADS = {
    "Add16": ("a + b", (1, 16)),
    "Matmul64": ("a @ b", (64, 64)),
    "Chain16": ("chain(a, b)", (1, 16)),
}


def best_ns_per_op(statement, a, b, repeats, repeat_seconds):
    timer = timeit.Timer(statement, globals={"a": a, "b": b, "chain": chain})
    number, elapsed = timer.autorange()  # also the warm-up
    number = max(1, int(number * repeat_seconds / max(elapsed, 1e-9)))
    return min(timer.repeat(repeat=repeats, number=number)) / number * 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--repeat-seconds", type=float, default=0.25)
    args = parser.parse_args()

    torch.set_num_threads(1)
    results = {}
    for name, (statement, (rows, cols)) in WORKLOADS.items():
        a, b = inputs(rows, cols)
        results[name] = round(best_ns_per_op(statement, a, b, args.repeats, args.repeat_seconds), 1)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "repeats": args.repeats,
                      "ns_per_op": results}))


if __name__ == "__main__":
    main()
