#!/usr/bin/env python3
"""Encodes a corpus with Hugging Face `tokenizers` and compares the ids with Lrnn's.

Lrnn's side (a machine with .NET):
    Tokenize train  --corpus artifacts/corpus/kjv.txt --vocab 4096 --out artifacts/tokenizer-check
    Tokenize encode --tokenizer artifacts/tokenizer-check --corpus artifacts/corpus/kjv.txt \
                    --summary artifacts/tokenizer-check/lrnn-ids.json --ids artifacts/tokenizer-check/lrnn.ids
This side (any machine with python3 and `tokenizers`):
    python3 scripts/verify-tokenizer.py artifacts/tokenizer-check/tokenizer.json artifacts/corpus/kjv.txt \
            --expect artifacts/tokenizer-check/lrnn-ids.json [--ids artifacts/tokenizer-check/lrnn.ids]

The corpus is split into documents as Lrnn.Data.TextCorpus splits it (blank lines; CRLF as LF; leading and trailing
newlines trimmed), and each document is encoded without special tokens. The summary is the document and token counts
and the SHA-256 of all ids as little-endian int32. With --ids, the first differing token is located. Exit status 0 when
the summaries match (or no --expect was given), 1 otherwise.
"""
import argparse
import hashlib
import json
import re
import struct
import sys

from tokenizers import Tokenizer, __version__ as tokenizers_version


def documents(path):
    with open(path, encoding="utf-8") as f:
        text = f.read().replace("\r\n", "\n")
    blocks = re.split(r"\n[ \t]*\n(?:[ \t]*\n)*", text)
    return [b.strip("\n") for b in blocks if b.strip("\n")]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tokenizer_json")
    parser.add_argument("corpus")
    parser.add_argument("--expect", help="Lrnn's summary (Tokenize encode --summary)")
    parser.add_argument("--ids", help="Lrnn's ids (Tokenize encode --ids): locate the first difference")
    parser.add_argument("--out", help="write this side's summary here")
    args = parser.parse_args()

    tokenizer = Tokenizer.from_file(args.tokenizer_json)
    docs = documents(args.corpus)
    encodings = tokenizer.encode_batch(docs, add_special_tokens=False)
    digest = hashlib.sha256()
    ids = []
    for encoding in encodings:
        digest.update(struct.pack(f"<{len(encoding.ids)}i", *encoding.ids))
        ids.extend(encoding.ids)
    total_bytes = sum(len(d.encode("utf-8")) for d in docs)
    summary = {"documents": len(docs), "tokens": len(ids), "bytes": total_bytes, "sha256": digest.hexdigest()}
    print(f"tokenizers {tokenizers_version}: {json.dumps(summary)} ({total_bytes / max(1, len(ids)):.3f} bytes/token)")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(summary, f, indent=2)

    if args.ids:
        with open(args.ids, "rb") as f:
            data = f.read()
        ours = struct.unpack(f"<{len(data) // 4}i", data)
        for i, (a, b) in enumerate(zip(ours, ids)):
            if a != b:
                print(f"first difference at token {i}: Lrnn {a}, tokenizers {b}; "
                      f"context {tokenizer.decode(list(ids[max(0, i - 8):i + 8]))!r}")
                break
        else:
            if len(ours) != len(ids):
                print(f"same prefix, but Lrnn has {len(ours)} ids and tokenizers {len(ids)}")
    if args.expect:
        with open(args.expect) as f:
            expected = json.load(f)
        same = all(expected.get(k) == summary[k] for k in ("documents", "tokens", "sha256"))
        print("MATCH: the same ids as Lrnn" if same else f"MISMATCH: Lrnn {json.dumps(expected)}")
        return 0 if same else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
