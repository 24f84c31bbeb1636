#!/usr/bin/env python3
"""Writes src/text/unicode_tables.c: the character classes that the Hugging
Face `tokenizers` library (Rust) uses, measured by running that library on
every code point.

Why measure instead of reading the Unicode database: tokenizers mixes tables
of several Unicode versions (the `unicode_categories` crate is Unicode 8-ish
and its "non-spacing mark" table also holds Mc/Me marks; its normalization
fork is Unicode 12-ish; Rust's std is Unicode 16), while utf8proc 2.8 is
Unicode 15. Token ids only match when every class matches, so the C side
uses these tables and utf8proc only for what agrees (decompositions,
composition, combining classes), with the exceptions listed here.

Run from the repository root:  python3 tools/gen_unicode_tables.py
Needs the tokenizers wheel and libutf8proc (read through ctypes, to list
only where the two disagree).
"""
import ctypes
import ctypes.util
import sys

from tokenizers import normalizers as N
from tokenizers import pre_tokenizers as P

OUT = "src/text/unicode_tables.c"
CPS = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]


def ranges(cps):
    out = []
    for c in sorted(cps):
        if out and out[-1][1] == c - 1:
            out[-1][1] = c
        else:
            out.append([c, c])
    return out


def write_table(f, name, cps, why):
    """One le_uc_range table of the code points cps, with its count."""
    rs = ranges(cps)
    f.write("/* %s */\n" % why)
    f.write("const le_uc_range %s[] = {\n" % name)
    for i in range(0, len(rs), 4):
        f.write("    " + " ".join("{0x%04X, 0x%04X}," % (a, b) for a, b in rs[i:i + 4]) + "\n")
    f.write("};\nconst size_t %s_count = %d;\n\n" % (name, len(rs)))


def utf8proc():
    lib = ctypes.CDLL(ctypes.util.find_library("utf8proc") or "libutf8proc.so.2")
    lib.utf8proc_tolower.restype = ctypes.c_int32
    lib.utf8proc_tolower.argtypes = [ctypes.c_int32]
    lib.utf8proc_decompose_char.restype = ctypes.c_ssize_t
    lib.utf8proc_decompose_char.argtypes = [
        ctypes.c_int32, ctypes.POINTER(ctypes.c_int32), ctypes.c_ssize_t, ctypes.c_int,
        ctypes.POINTER(ctypes.c_int)]

    class Prop(ctypes.Structure):
        _fields_ = [("category", ctypes.c_int16), ("combining_class", ctypes.c_int16)]

    lib.utf8proc_get_property.restype = ctypes.POINTER(Prop)
    lib.utf8proc_get_property.argtypes = [ctypes.c_int32]
    return lib


def decompose(lib, c, compat):
    buf = (ctypes.c_int32 * 64)()
    last = ctypes.c_int(0)
    opts = (1 << 3) | ((1 << 2) if compat else 0)  # UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT
    n = lib.utf8proc_decompose_char(c, buf, 64, opts, ctypes.byref(last))
    return [buf[i] for i in range(n)]


def main():
    lib = utf8proc()
    bert_clean = N.BertNormalizer(clean_text=True, handle_chinese_chars=False,
                                  strip_accents=False, lowercase=False)
    bert_strip = N.BertNormalizer(clean_text=False, handle_chinese_chars=False,
                                  strip_accents=True, lowercase=False)
    bert_lower = N.BertNormalizer(clean_text=False, handle_chinese_chars=False,
                                  strip_accents=False, lowercase=True)
    strip = N.StripAccents()
    nfd, nfkd = N.NFD(), N.NFKD()
    bert_pre, ws_pre = P.BertPreTokenizer(), P.Whitespace()

    other, punct, mark, mn, word = [], [], [], [], []
    lower_exc, nfd_keep, nfkd_keep, ccc_zero = [], [], [], []
    for c in CPS:
        ch = chr(c)
        if bert_clean.normalize_str(ch) == "" and c != 0xFFFD:
            other.append(c)
        if strip.normalize_str(ch) == "":
            mark.append(c)
        # BertNormalizer drops its own (narrower) mark class after NFD; probe
        # only characters that NFD leaves alone
        if nfd.normalize_str(ch) == ch and bert_strip.normalize_str(ch) == "":
            mn.append(c)
        if [p for p, _ in bert_pre.pre_tokenize_str("a" + ch + "a")] == ["a", ch, "a"]:
            punct.append(c)
        if [p for p, _ in ws_pre.pre_tokenize_str("a" + ch + "a")] == ["a" + ch + "a"]:
            word.append(c)
        low = [ord(x) for x in bert_lower.normalize_str(ch)]
        if low != [lib.utf8proc_tolower(c)]:
            lower_exc.append((c, low))
        for norm, compat, keep in ((nfd, False, nfd_keep), (nfkd, True, nfkd_keep)):
            hf = [ord(x) for x in norm.normalize_str(ch)]
            if hf != decompose(lib, c, compat):
                if hf != [c]:
                    sys.exit("U+%04X: unexpected %s decomposition" % (c, "NFKD" if compat else "NFD"))
                keep.append(c)
        if lib.utf8proc_get_property(c).contents.combining_class > 0:
            d = nfd.normalize_str(ch)
            if (nfd.normalize_str("a" + ch + "\u0334") == "a" + d + "\u0334"
                    and nfd.normalize_str("a\u0301" + ch) == "a\u0301" + d):
                ccc_zero.append(c)

    for c, low in lower_exc:
        if len(low) > 2:
            sys.exit("U+%04X: lowercase longer than 2" % c)

    with open(OUT, "w") as f:
        f.write("/* Generated by tools/gen_unicode_tables.py from the behaviour of the\n"
                " * Hugging Face tokenizers library (%s); do not edit. */\n"
                % __import__("tokenizers").__version__)
        f.write('#include "text/unicode.h"\n\n/* clang-format off */\n\n')

        write_table(f, "le_uc_other_table", other, "BertNormalizer clean_text drops these (Cc, Cf, Co of its tables)")
        write_table(f, "le_uc_punct_table", punct, "BertPreTokenizer / Punctuation isolate these")
        write_table(f, "le_uc_mark_table", mark, "StripAccents drops these (combining marks)")
        write_table(f, "le_uc_mn_table", mn, "BertNormalizer strip_accents drops these after NFD (its Mn table)")
        write_table(f, "le_uc_word_table", word, "regex \\w (Whitespace pre-tokenizer, single_word added tokens)")
        write_table(f, "le_uc_nfd_keep_table", nfd_keep, "utf8proc decomposes these canonically, tokenizers does not")
        write_table(f, "le_uc_nfkd_keep_table", nfkd_keep, "utf8proc decomposes these (compat), tokenizers does not")
        write_table(f, "le_uc_ccc_zero_table", ccc_zero, "utf8proc gives a combining class, tokenizers treats as 0")
        f.write("/* lowercase mappings where tokenizers (Rust std) differs from utf8proc_tolower */\n")
        f.write("const le_uc_lower_exception le_uc_lower_table[] = {\n")
        for c, low in lower_exc:
            low = low + [0] * (2 - len(low))
            f.write("    {0x%04X, {0x%04X, 0x%04X}},\n" % (c, low[0], low[1]))
        f.write("};\nconst size_t le_uc_lower_table_count = %d;\n" % len(lower_exc))
        f.write("/* clang-format on */\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
