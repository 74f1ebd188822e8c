#!/usr/bin/env python3
"""Splits a folder's pytorch_model.bin into two shards plus pytorch_model.bin.index.json, as transformers'
save_pretrained(max_shard_size=..., safe_serialization=False) lays them out (run with PyTorch >= 1.6, in this folder):

  python3 make_sharded_bin.py torchref/hf-tied-bin hf-tied-bin-sharded
"""
import json
import os
import shutil
import sys

import torch


def main(src, dst):
    state = torch.load(os.path.join(src, "pytorch_model.bin"), map_location="cpu")
    keys = list(state)
    os.makedirs(dst, exist_ok=True)
    weight_map = {}
    for i, part in enumerate((keys[: len(keys) // 2], keys[len(keys) // 2:])):
        name = f"pytorch_model-{i + 1:05d}-of-00002.bin"
        torch.save({k: state[k] for k in part}, os.path.join(dst, name))
        weight_map.update({k: name for k in part})
    with open(os.path.join(dst, "pytorch_model.bin.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": sum(v.numel() * v.element_size() for v in state.values())}, "weight_map": weight_map}, f, indent=1)
    for extra in ("config.json", "expected.json"):
        shutil.copy(os.path.join(src, extra), os.path.join(dst, extra))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
