#!/usr/bin/env python3
"""Writes src/text/bpe_unicode_tables.c: the character classes the byte-level
BPE pre-tokenizers use, measured by running the Hugging Face `tokenizers`
library on every code point (as tools/gen_unicode_tables.py does for the
BERT classes, and for the same reason: its regex engine, Oniguruma, and Rust's
std carry their own Unicode versions, and ids only match when every class does).

  \\p{L}, \\p{N}, \\s   as the Split / ByteLevel regexes (Oniguruma) see them
  numeric            Rust's char::is_numeric, which the Digits pre-tokenizer uses
                     (a superset of \\p{N}: only the code points beyond it are stored)

Run from the repository root:  python3 tools/gen_bpe_unicode_tables.py
"""
import os
import sys

from tokenizers import Regex
from tokenizers import pre_tokenizers as P

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_unicode_tables import write_header, write_table  # noqa: E402

OUT = "src/text/bpe_unicode_tables.c"
CPS = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]


def regex_class(text, negated):
    """The code points of text that the class matches: split on runs of its
    complement (removed), so what is left is the class."""
    split = P.Split(Regex(negated + "+"), behavior="removed")
    return {ord(ch) for piece, _ in split.pre_tokenize_str(text) for ch in piece}


def numeric(cps):
    """Digits(individual_digits) isolates each numeric character; between two
    'a's a non-numeric character joins them, so numeric ones stand alone."""
    text = "a" + "a".join(chr(c) for c in cps if c != ord("a")) + "a"
    digits = P.Digits(individual_digits=True)
    return {ord(p) for p, _ in digits.pre_tokenize_str(text) if len(p) == 1 and p != "a"}


def main():
    text = "".join(chr(c) for c in CPS)
    letter = regex_class(text, r"\P{L}")
    number = regex_class(text, r"\P{N}")
    space = regex_class(text, r"\S")
    nums = numeric(CPS)
    if not number <= nums:
        sys.exit("regex \\p{N} is not within char::is_numeric: le_bpe_is_numeric needs another table")
    with open(OUT, "w") as f:
        write_header(f, "tools/gen_bpe_unicode_tables.py", "text/bpe_unicode.h")
        write_table(f, "le_uc_letter_table", letter, "regex \\p{L} (Oniguruma, as tokenizers' Split and ByteLevel)")
        write_table(f, "le_uc_number_table", number, "regex \\p{N}")
        write_table(f, "le_uc_space_table", space, "regex \\s")
        write_table(f, "le_uc_numeric_extra_table", nums - number,
                    "Rust char::is_numeric (the Digits pre-tokenizer) beyond regex \\p{N}")
        f.write("/* clang-format on */\n")
    print("wrote", OUT, len(letter), len(number), len(space), len(nums))


if __name__ == "__main__":
    main()
