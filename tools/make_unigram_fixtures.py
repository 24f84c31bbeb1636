#!/usr/bin/env python3
"""Unigram (SentencePiece) tokenizer fixtures for the XLM-R tokenizer tests.

Writes tests/fixtures/xlmr-unigram/:
  train.txt is not kept; the text is made here, deterministically:
  - tokenizer.json  a Unigram model trained with sentencepiece on multilingual
                    text (Latin, Cyrillic, Greek, Han, kana, Hangul, Arabic,
                    Hebrew, Devanagari, Bengali, Tamil, Thai, Georgian,
                    Armenian, Ethiopic, emoji), converted with transformers'
                    XLMRobertaConverter (the fairseq id layout <s>=0, <pad>=1,
                    </s>=2, <unk>=3, <mask> last; Precompiled nmt_nfkc charsmap,
                    Strip(right), Replace(" {2,}" -> "▁"), Metaspace, the
                    RoBERTa template), plus the special added tokens of a real
                    XLM-R tokenizer.json;
  - tokens.jsonl    {"text", "ids"} for >= 2,000 lines, ids from HF tokenizers
                    with the template's special tokens.

Needs: sentencepiece, transformers, tokenizers (pip). Deterministic: fixed
seeds, one training thread; two runs give identical files.

    python3 tools/make_unigram_fixtures.py [--out tests/fixtures/xlmr-unigram]

For a real XLM-R / BGE-M3 tokenizer.json (tests/text/test_unigram_parity.c checks it
when LE_XLMR_TOKENIZER and LE_XLMR_TOKENS are set), the ids of the same 2,200 lines:

    python3 tools/make_unigram_fixtures.py --reference path/to/tokenizer.json \
        --ids-out /tmp/xlmr_tokens.jsonl
    LE_XLMR_TOKENIZER=path/to/tokenizer.json LE_XLMR_TOKENS=/tmp/xlmr_tokens.jsonl \
        build/tests/text_test_unigram_parity
"""
import argparse
import json
import os
import random
import tempfile
import unicodedata

# Hand-written sentences, one or more per script.
SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "Long documents need embeddings that keep their meaning across thousands of tokens.",
    "Le cœur a ses raisons que la raison ne connaît point, déjà été à l'école.",
    "Über die Brücke gehen fünf Mädchen und ein Junge, heißt es.",
    "El niño comió una manzana y después se durmió en la hamaca.",
    "Tiếng Việt có nhiều dấu thanh: à, á, ả, ã, ạ, ầ, ấ, ẩ, ẫ, ậ.",
    "Język polski ma litery ą, ć, ę, ł, ń, ó, ś, ź, ż.",
    "Türkçe'de İstanbul ve ılık kelimeleri ı ile yazılır.",
    "Москва — столица России, а Киев — столица Украины.",
    "Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "Η γρήγορη καφέ αλεπού πηδά πάνω από τον τεμπέλη σκύλο.",
    "我们今天在北京的图书馆里读了很多关于历史的书。",
    "長い文章を埋め込むためには、特別な方法が必要です。",
    "東京は日本の首都で、人口がとても多いです。カタカナもひらがなも使います。",
    "한국어는 한글로 쓰며 세종대왕이 만들었습니다.",
    "اللغة العربية جميلة جدا وتكتب من اليمين إلى اليسار.",
    "مرحبا بالعالم، كيف حالك اليوم؟",
    "עברית נכתבת מימין לשמאל ויש בה אותיות סופיות.",
    "हिन्दी भारत की एक प्रमुख भाषा है और देवनागरी लिपि में लिखी जाती है।",
    "संस्कृतम् जगतः एकतमा अतिप्राचीना समृद्धा शास्त्रीया च भाषा अस्ति।",
    "বাংলা ভাষা বাংলাদেশ ও ভারতের পশ্চিমবঙ্গে প্রচলিত।",
    "தமிழ் மொழி உலகின் மிகப் பழமையான மொழிகளில் ஒன்று.",
    "ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ และมีวรรณยุกต์ห้าเสียง",
    "ქართული ენა ძალიან ლამაზია.",
    "Հայերենը հնդեվրոպական լեզու է։",
    "አማርኛ በኢትዮጵያ የሚነገር ቋንቋ ነው።",
    "Emoji: 😀 😂 👍🏽 👨‍👩‍👧‍👦 🇫🇷 🇯🇵 ❤️ 🔥 ✨ 🎉",
    "Numbers 12345, 3.14159, 1,000,000 and dates 2026-12-05.",
    "Code: for (int i = 0; i < n; i++) { sum += a[i]; } // done",
    "https://example.com/path?query=value&other=1 user@example.org",
]

# (first, last) code point ranges of letters per script, for random words.
SCRIPTS = {
    "latin": [(0x61, 0x7A), (0xE0, 0xFF)],
    "cyrillic": [(0x430, 0x44F)],
    "greek": [(0x3B1, 0x3C9)],
    "han": [(0x4E00, 0x4FFF)],
    "hiragana": [(0x3041, 0x3093)],
    "katakana": [(0x30A1, 0x30F3)],
    "hangul": [(0xAC00, 0xAD00)],
    "arabic": [(0x621, 0x64A)],
    "hebrew": [(0x5D0, 0x5EA)],
    "devanagari": [(0x915, 0x939), (0x93E, 0x94C)],
    "bengali": [(0x995, 0x9B9)],
    "tamil": [(0xB95, 0xBB9)],
    "thai": [(0xE01, 0xE2E), (0xE30, 0xE39)],
    "georgian": [(0x10D0, 0x10F0)],
    "armenian": [(0x561, 0x586)],
    "ethiopic": [(0x1200, 0x1250)],
}
EMOJI = [chr(c) for c in range(0x1F600, 0x1F640)] + ["👍🏽", "👨‍👩‍👧", "🇩🇪", "❤️", "1️⃣"]

# Edge cases of the normalizer and pre-tokenizer.
EDGES = [
    "ＦＵＬＬ－ＷＩＤＴＨ　ｆｏｒｍｓ　１２３！",
    "ﾊﾝｶｸｶﾀｶﾅ ｶﾞｷﾞ",
    "e\u0301 a\u0300 o\u0302\u0323 n\u0303 combining marks a\u0301\u0302\u0303\u0304\u0305",
    "Ǆ ǅ ǆ ﬁ ﬂ ﬀ ﬃ ligatures ㎏ ㎞ ℃ ™ ½ ¼ ² ³ ① ⑳ Ⅻ ⅳ",
    "control\x01chars\x02and\x7fdel\x1b[0m bell\x07",
    "zero\u200bwidth\u200cjoiner\u200dmark\ufeffbom\u00adsoft\u2060wj",
    "tabs\tand\nnewlines\r\nand\u000bvertical\u000cfeed",
    "many     spaces    between       words",
    "   leading and trailing spaces   ",
    "\u3000ideographic\u3000space\u00a0nbsp\u2002en\u2003em\u2009thin\u202fnarrow",
    "\u2028line sep\u2029para sep\u0085nel",
    "replacement \ufffd char and private use \ue000\uf8ff",
    "한글 자모 \u1100\u1161\u11a8 \u1112\u1161\u11ab",
    "Ａｒａｂｉｃ ﻻ ﷺ ﷽ presentation forms ﺍﻟﻌﺮﺑﻴﺔ",
    "▁ already metaspace ▁▁ twice",
    "<s> special </s> <pad> <unk> <mask> tokens in text",
    "x<mask>y  <mask>z",
    "Ａ\u0301 ｅ\u0308 full width with marks",
    "क्षत्रिय द्वार श्री ज्ञान conjuncts",
    "น้ำ กี่ ปี่ สระ Thai marks",
    "👩🏽‍💻👨‍🚀🏳️‍🌈🏴‍☠️ ZWJ sequences",
    "",
    " ",
    "\n",
    "a",
    "𝐁𝐨𝐥𝐝 𝔉𝔯𝔞𝔨𝔱𝔲𝔯 𝟙𝟚𝟛 mathematical",
    "\U00020000\U0002a6d6 CJK extension B",
]


def random_word(rng, script):
    ranges = SCRIPTS[script]
    n = rng.randint(1, 8)
    out = []
    while len(out) < n:
        lo, hi = rng.choice(ranges)
        c = chr(rng.randint(lo, hi))
        if unicodedata.category(c).startswith(("L", "M")):
            out.append(c)
    return "".join(out)


def random_line(rng):
    words = []
    for _ in range(rng.randint(1, 14)):
        r = rng.random()
        if r < 0.08:
            words.append(rng.choice(EMOJI))
        elif r < 0.12:
            words.append(str(rng.randint(0, 100000)))
        elif r < 0.18:
            words.append(rng.choice(rng.choice(SENTENCES).split(" ")))
        else:
            words.append(random_word(rng, rng.choice(list(SCRIPTS))))
    seps = [" ", " ", " ", "  ", "\t", "\n", "\u3000", "", ",", ". "]
    line = words[0]
    for w in words[1:]:
        line += rng.choice(seps) + w
    return line


def mutate(rng, line):
    """Sprinkle edge-case characters into a line."""
    extras = ["\u0301", "\u200b", "\u200d", "\x03", "  ", "\t", "\ufeff", "Ａ", "ｱ", "ﬁ", "①", "\u00a0"]
    chars = list(line)
    for _ in range(rng.randint(1, 4)):
        chars.insert(rng.randint(0, len(chars)), rng.choice(extras))
    return "".join(chars)


def training_text(rng):
    lines = []
    for s in SENTENCES:
        lines += [s] * 20
    for _ in range(6000):
        lines.append(random_line(rng))
    return lines


def test_lines(rng):
    lines = list(SENTENCES) + list(EDGES)
    while len(lines) < 1500:
        lines.append(random_line(rng))
    while len(lines) < 2200:
        lines.append(mutate(rng, random_line(rng)))
    return lines


def train(lines, tmp):
    import sentencepiece as spm

    path = os.path.join(tmp, "train.txt")
    with open(path, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(line.replace("\n", " ") + "\n")
    prefix = os.path.join(tmp, "spm")
    spm.SentencePieceTrainer.train(
        input=path,
        model_prefix=prefix,
        model_type="unigram",
        vocab_size=3000,
        character_coverage=0.995,
        normalization_rule_name="nmt_nfkc",
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        num_threads=1,
        seed_sentencepiece_size=200000,
        shuffle_input_sentence=False,
        minloglevel=2,
    )
    return prefix + ".model"


class _Original:
    """What XLMRobertaConverter asks of a slow tokenizer."""

    def __init__(self, model_file):
        self.vocab_file = model_file
        self.add_prefix_space = True
        self.legacy = True

    def convert_tokens_to_ids(self, tok):
        return {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}[tok]


def convert(model_file):
    from tokenizers import AddedToken
    from transformers.convert_slow_tokenizer import XLMRobertaConverter

    tok = XLMRobertaConverter(_Original(model_file)).converted()
    # the special tokens of a real XLM-R tokenizer.json (<mask> strips left)
    tok.add_special_tokens(
        [
            AddedToken("<s>", special=True, normalized=False),
            AddedToken("<pad>", special=True, normalized=False),
            AddedToken("</s>", special=True, normalized=False),
            AddedToken("<unk>", special=True, normalized=False),
            AddedToken("<mask>", special=True, normalized=False, lstrip=True),
        ]
    )
    return tok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="tests/fixtures/xlmr-unigram")
    ap.add_argument("--reference", help="only write the ids of this tokenizer.json (--ids-out)")
    ap.add_argument("--ids-out")
    args = ap.parse_args()
    if args.reference:
        write_ids(args.reference, args.ids_out or "xlmr_tokens.jsonl")
        return
    rng = random.Random(16)
    lines = training_text(rng)
    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tok = convert(train(lines, tmp))
    tok_path = os.path.join(args.out, "tokenizer.json")
    tok.save(tok_path, pretty=False)
    write_ids(tok_path, os.path.join(args.out, "tokens.jsonl"))


def write_ids(tok_path, out_path):
    """{"text", "ids"} of the test lines, ids from HF tokenizers with the template."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(tok_path)  # exactly what the test reads
    with open(out_path, "w", encoding="utf-8", newline="\n") as f:
        for text in test_lines(random.Random(1616)):
            ids = tok.encode(text).ids
            f.write(json.dumps({"text": text, "ids": ids}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
