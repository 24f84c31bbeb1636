#!/usr/bin/env python3
"""Writes a NaN (or +inf) over one element of one tensor of a safetensors
file, in place, leaving its structure valid: the damaged-model fixture of
the non-finite tests (tests/regress/test_nan_weights_*). Only F32 tensors.

    tools/poke_nan.py MODEL_DIR/model.safetensors TENSOR_SUFFIX [inf]
"""
import json
import struct
import sys


def main():
    path, suffix = sys.argv[1], sys.argv[2]
    value = float("inf") if len(sys.argv) > 3 and sys.argv[3] == "inf" else float("nan")
    with open(path, "r+b") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        names = [k for k in header if k != "__metadata__" and k.endswith(suffix)]
        if not names:
            sys.exit(f"{path}: no tensor ending in {suffix}")
        t = header[sorted(names)[0]]
        if t["dtype"] != "F32":
            sys.exit(f"{path}: {names[0]} is {t['dtype']}, not F32")
        f.seek(8 + n + t["data_offsets"][0])
        f.write(struct.pack("<f", value))


if __name__ == "__main__":
    main()
