#!/usr/bin/env python3
"""Writes mamba-ssm-hybrid/: a hybrid (Mamba, attention, Mamba; GatedMLP; LayerNorm; tied head) in mamba_ssm's layout,
as torch.save of its state dict, from a random Lrnn model (run with PyTorch >= 1.6, in this folder):

  dotnet examples/Convert/bin/Release/net10.0/Convert.dll tests/Lrnn.Tests/TestData/PyTorch/lrnn-random-hybrid /tmp/hybrid \
      --random-init 11 --record-logits 3,17,5,29,8,1,22,11,26,2,14,7
  python3 make_mamba_ssm_hybrid.py /tmp/hybrid mamba-ssm-hybrid

The keys are Lrnn's (= lrnnx's = mamba_ssm's) minus lrnnx's event-mode dtA_proj, which mamba_ssm does not have;
lm_head.weight is stored as the embedding's storage, as MambaLMHeadModel.state_dict() holds it.
"""
import collections
import json
import os
import struct
import sys

import torch

DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = collections.OrderedDict()
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[base + start:base + end]), dtype=DTYPES[info["dtype"]])
        out[name] = t.reshape(info["shape"]).clone()
    return out, header.get("__metadata__", {})


def main(src, dst):
    state, _ = read_safetensors(os.path.join(src, "model.safetensors"))
    with open(os.path.join(src, "config.json")) as f:
        lrnn = json.load(f)
    ssm = collections.OrderedDict((k, v) for k, v in state.items() if ".dtA_proj." not in k and k != "lm_head.weight")
    ssm["lm_head.weight"] = ssm["backbone.embedding.weight"]
    kw = lrnn["mixer_kwargs"]
    config = {
        "d_model": lrnn["d_model"], "d_intermediate": lrnn["d_intermediate"], "n_layer": lrnn["n_layer"],
        "vocab_size": lrnn["vocab_size"], "ssm_cfg": dict(kw["Mamba"], layer="Mamba1", d_state=lrnn["d_state"]),
        "attn_layer_idx": [i for i, t in enumerate(lrnn["mixer_types"]) if t == "attn"], "attn_cfg": kw["attn"],
        "rms_norm": lrnn["rms_norm"], "residual_in_fp32": lrnn["residual_in_fp32"], "fused_add_norm": lrnn["fused_add_norm"],
        "pad_vocab_size_multiple": lrnn["pad_vocab_size_multiple"], "tie_embeddings": lrnn["tie_embeddings"],
    }
    os.makedirs(dst, exist_ok=True)
    with open(os.path.join(dst, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
    torch.save(ssm, os.path.join(dst, "pytorch_model.bin"))
    with open(os.path.join(src, "lrnn-expected.json")) as f, open(os.path.join(dst, "expected.json"), "w") as g:
        g.write(f.read())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
