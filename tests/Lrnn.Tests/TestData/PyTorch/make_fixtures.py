#!/usr/bin/env python3
"""Writes the small torch.save fixtures of the PyTorch-checkpoint reader tests (run with PyTorch >= 1.6; these were
written by Debian's python3-torch 1.13): python3 make_fixtures.py  (in this folder).

  dtypes.bin      one tensor of every storage dtype, a 0-dim scalar and an empty tensor
  views-protocol4.bin   the same, pickled with protocol 4 (torch.save(..., pickle_protocol=4))
  views.bin       views of one storage: a tied pair, a transpose, an offset slice, a strided slice, a row, an
                  expansion (stride 0) and an unrelated tensor
  expected.json   every tensor's dtype, shape and row-major values (complex as [re, im] pairs)
  legacy.pt       the pre-1.6 format (_use_new_zipfile_serialization=False), which the reader refuses
  evil-os-system.bin, evil-eval.bin   torch.save archives whose data.pkl calls os.system / builtins.eval
                  through __reduce__ (pickle's code-execution route); the payload only echoes
"""
import collections
import io
import json
import pickle
import zipfile

import torch


def values(t):
    t = t.contiguous()
    if t.is_complex():
        return [[float(z.real), float(z.imag)] for z in t.reshape(-1).tolist()]
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.float()
    return t.reshape(-1).tolist()


def record(tensors):
    return {k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape), "values": values(v)} for k, v in tensors.items()}


def main():
    expected = {}
    g = torch.Generator().manual_seed(7)
    dt = collections.OrderedDict()
    dt["f32"] = torch.randn(2, 3, generator=g)
    dt["f64"] = torch.randn(3, generator=g, dtype=torch.float64)
    dt["f16"] = torch.tensor([1.5, -2.25, 65504.0], dtype=torch.float16)
    dt["bf16"] = torch.tensor([[1.0, -3.5], [0.15625, 1e10]], dtype=torch.bfloat16)
    dt["i64"] = torch.tensor([-(2**62), 2**40, -1], dtype=torch.int64)
    dt["i32"] = torch.tensor([-(2**31), 2**31 - 1], dtype=torch.int32)
    dt["i16"] = torch.tensor([-32768, 7], dtype=torch.int16)
    dt["i8"] = torch.tensor([-128, 127, 0], dtype=torch.int8)
    dt["u8"] = torch.tensor([0, 255, 3], dtype=torch.uint8)
    dt["bool"] = torch.tensor([True, False, True])
    dt["c64"] = torch.tensor([1 + 2j, -0.5j], dtype=torch.complex64)
    dt["c128"] = torch.tensor([[3 - 1j]], dtype=torch.complex128)
    dt["scalar"] = torch.tensor(2.5)
    dt["empty"] = torch.zeros(0, 4)
    torch.save(dt, "dtypes.bin")
    expected["dtypes.bin"] = record(dt)

    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    vw = collections.OrderedDict()
    vw["base"] = base
    vw["tied"] = base                      # the same tensor under two names (tied weights)
    vw["transposed"] = base.t()            # (6, 4), strides (1, 6)
    vw["slice"] = base[1:3, 2:5]           # offset 8, strides (6, 1)
    vw["strided"] = base[:, ::2]           # strides (6, 2)
    vw["row"] = base[2]                    # offset 12, contiguous
    vw["expanded"] = torch.arange(3, dtype=torch.float32).expand(4, 3)   # strides (0, 1)
    vw["other"] = torch.full((2,), 7.0)
    torch.save(vw, "views.bin")
    expected["views.bin"] = record(vw)
    torch.save(vw, "views-protocol4.bin", pickle_protocol=4)     # FRAME, MEMOIZE, SHORT_BINUNICODE, STACK_GLOBAL
    expected["views-protocol4.bin"] = record(vw)

    with open("expected.json", "w") as f:
        json.dump(expected, f, indent=1)

    torch.save(collections.OrderedDict(w=torch.ones(2)), "legacy.pt", _use_new_zipfile_serialization=False)

    class OsSystem:
        def __reduce__(self):
            import os
            return (os.system, ("echo pwned-by-pickle",))

    class Eval:
        def __reduce__(self):
            return (eval, ("print('pwned-by-pickle')",))

    for name, payload in (("evil-os-system.bin", OsSystem()), ("evil-eval.bin", Eval())):
        data = pickle.dumps(collections.OrderedDict(w=payload), protocol=2)
        with zipfile.ZipFile(name, "w", zipfile.ZIP_STORED) as z:
            z.writestr("archive/data.pkl", data)
            z.writestr("archive/version", "3\n")
            z.writestr("archive/byteorder", "little")


if __name__ == "__main__":
    main()
