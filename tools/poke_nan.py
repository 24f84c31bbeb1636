#!/usr/bin/env python3
"""Writes a NaN (or +inf) over the first element of one tensor, in place,
leaving the file's structure valid: the damaged-model fixture of the
non-finite tests (tests/regress/test_nan_*). A safetensors file (an F32
tensor whose name ends in NAME), or a torch.save zip such as BGE-M3's
sparse_linear.pt (the stored entry whose name ends in NAME, e.g. data/0;
its CRC-32 in both headers is fixed).

    tools/poke_nan.py MODEL_DIR/model.safetensors TENSOR_SUFFIX [inf]
    tools/poke_nan.py MODEL_DIR/sparse_linear.pt data/0 [inf]
"""
import json
import struct
import sys
import zlib


def poke_zip(path, suffix, value):
    """The first 4 bytes of the stored entry ending in suffix, CRCs fixed."""
    b = bytearray(open(path, "rb").read())
    at = b.find(b"PK\x01\x02")  # the first central directory entry
    while at >= 0:
        n, m, k = struct.unpack_from("<HHH", b, at + 28)
        name = bytes(b[at + 46:at + 46 + n]).decode()
        local = struct.unpack_from("<I", b, at + 42)[0]
        if name.endswith(suffix):
            ln, lm = struct.unpack_from("<HH", b, local + 26)
            data = local + 30 + ln + lm
            size = struct.unpack_from("<I", b, at + 24)[0]  # the local one may be 0 (data descriptor)
            struct.pack_into("<f", b, data, value)
            crc = zlib.crc32(bytes(b[data:data + size])) & 0xFFFFFFFF
            struct.pack_into("<I", b, local + 14, crc)
            struct.pack_into("<I", b, at + 16, crc)
            open(path, "wb").write(b)
            return
        at = b.find(b"PK\x01\x02", at + 46 + n + m + k)
    sys.exit(f"{path}: no entry ending in {suffix}")


def main():
    path, suffix = sys.argv[1], sys.argv[2]
    value = float("inf") if len(sys.argv) > 3 and sys.argv[3] == "inf" else float("nan")
    if path.endswith(".pt"):
        return poke_zip(path, suffix, value)
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
