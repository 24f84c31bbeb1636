"""Deterministic texts that try to break tokenizers and embedders.

Used by tools/make_fixtures.py.  Everything here is pure Python with no
randomness, so the list is identical on every run and machine.

    texts()          -> list[str]   the tokenizer fixture texts (>= 220)
    essay_text()     -> str         all haystack essays, concatenated in
                                    file-name order (for cutting long texts)
    EMBED_SHORT      list[str]      short/medium texts for embedding fixtures
    EMBED_HARD       list[str]      hard Unicode texts for embedding fixtures

Long texts are cut from the Paul Graham essays in /work/shared/data/haystack
(override with LE_HAYSTACK_DIR).  They are read at generation time and only
end up in the repository as substrings inside generated fixture files.

Invisible / ambiguous characters are written as escapes so this file can be
read and reviewed; visible scripts are written literally.  The source file is
UTF-8 and every text is valid UTF-8 (no lone surrogates).
"""

import os

HAYSTACK_DIR = os.environ.get("LE_HAYSTACK_DIR", "/work/shared/data/haystack")


def _essay_files():
    names = sorted(n for n in os.listdir(HAYSTACK_DIR) if n.endswith(".txt") and n != "SOURCE-LICENSE.txt")
    if len(names) < 10:
        raise SystemExit(f"haystack essays not found in {HAYSTACK_DIR}")
    return [os.path.join(HAYSTACK_DIR, n) for n in names]


def essay_text():
    """All essays concatenated in file-name order (separated by a blank line)."""
    parts = []
    for p in _essay_files():
        with open(p, encoding="utf-8") as f:
            parts.append(f.read())
    return "\n\n".join(parts)


def essay_words():
    """The essay text split on whitespace (for building texts of a given token length)."""
    return essay_text().split()


# ---------------------------------------------------------------------------
# Hand-written categories
# ---------------------------------------------------------------------------

BASIC = [
    "Hello world",
    "hello world.",
    "The quick brown fox jumps over the lazy dog.",
    "a",
    "A",
    "I",
    "x",
    "Hi!",
    "OK",
    "HELLO World, hello WORLD",
    "McDonald's iPhone and eBay sold NASA's GPS data",
    "It's a dog's life, isn't it?",
    "unbelievably unaffordable antidisestablishmentarianism",
    "Tokenization of embeddings: subword units like ##ing are learned.",
]

ACCENTS_PRECOMPOSED = [
    "café",
    "naïve résumé",
    "Crème brûlée à la française",
    "Ångström",
    "Dvořák composed the New World Symphony",
    "Łódź and Gdańsk",
    "Ærøskøbing Øresund",
    "señor niño año",
    "Straße ẞ",
    "Þingvellir Ðe",
    "Tiếng Việt có dấu: Nguyễn Trãi",
    "ÀÁÂÃÄÅ àáâãäå ÈÉÊË ÌÍÎÏ ÒÓÔÕÖ ÙÚÛÜ Ýÿ Ç ç Ñ",
    "Ğ ğ Ş ş Ç ç Ö ö Ü ü",
    "Čeština: příliš žluťoučký kůň úpěl ďábelské ódy",
]

ACCENTS_DECOMPOSED = [
    "cafe\u0301",
    "re\u0301sume\u0301 and nai\u0308ve",
    "n\u0303 N\u0303",
    "A\u030angstro\u0308m",
    "a\u0301\u0302\u0323 stacked marks",
    "\u0301abc",  # combining mark at start
    "abc \u0301 def",  # combining mark after a space
    "Z\u0351\u0300\u0301a\u0315\u0358l\u0360\u0361g\u0327\u0328o\u0336\u0337",  # zalgo
    "Tie\u0302\u0301ng Vie\u0323\u0302t",
    "cafe\u0301 vs café",  # NFD next to NFC
    "i\u0307 dotted i",  # i + combining dot above
    "\u0301",  # lone combining mark
    "\u0345 ypogegrammeni \u03b1\u0345",
]

CJK = [
    "中文测试",
    "我爱北京天安门。",
    "漢字とひらがなとカタカナ",
    "汉语abc混合123",
    "㐀㐁㐂 extension A",
    "𠀀𠀁𪚥 extension B",
    "\U0002A700\U0002A701 extension C",
    "\U0002B740\U0002B741 extension D",
    "a\U0002B81Fb a\U0002B820b a\U0002B8FFb a\U0002B920b",  # Ext E boundary (2B820 vs 2B920)
    "a\U0002CEAFb a\U0002CEB0b",  # end of Ext E / start of Ext F
    "a\U00030000b extension G",
    "a\U00031350b extension H",
    "豈 更 車 compatibility ideographs",
    "\U0002F800\U0002F801 compatibility supplement",
    "、。「」『』【】〈〉《》",
    "⺀⺁ radicals ⼀⼁ kangxi",
    "〇一二三四五六七八九十",
    "ㄅㄆㄇㄈ bopomofo",
    "北京市朝阳区建国路88号",
    "這是一個繁體中文的句子，包含標點符號！",
    "中" * 120,
]

JAPANESE_KOREAN = [
    "東京は日本の首都です。",
    "ひらがな カタカナ",
    "ｶﾀｶﾅ ﾊﾝｶｸ halfwidth",
    "ラーメン ー 長音",
    "か\u3099き\u3099 (NFD が ぎ)",
    "今日はいい天気ですね！",
    "안녕하세요 세계",
    "한국어 문장입니다. 잘 부탁드립니다!",
    "\u1100\u1161\u11a8 conjoining jamo",
    "ㄱㄴㄷ compatibility jamo",
    "日本語と한국어と中文",
]

EMOJI = [
    "😀",
    "I ❤️ NY",
    "👨\u200d👩\u200d👧\u200d👦 family",
    "👍🏽 👋🏿 🙏🏻",
    "🇺🇸🇯🇵🇫🇷",
    "1️⃣ keycap",
    "🏳️\u200d🌈 flag",
    "🧑🏾\u200d💻 coder",
    "Great job!!! 🎉🎉🎉",
    "☃ ★ ☺ ✓",
    "🥰 🫠 newer emoji",
    "text🙂text",
    "♀️♂️ \ufe0e\ufe0f variation selectors",
    "a\U000E0100b VS17",
    "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F tag sequence",
]

CONTROL = [
    "\x01hello",
    "a\x7fb",
    "tab\tseparated\tvalues",
    "line1\r\nline2\r\n",
    "a\x00b",
    "\x1b[31mred\x1b[0m",
    "a\x0bb\x0cc",
    "a\x1cb\x1dc\x1ed\x1fe",
    "a\x85b NEL",
    "back\x08space",
    "bell\x07",
    "".join(chr(c) for c in range(1, 32)) + "\x7f",
    "x\x9fy C1 control",
    "\x00",
]

ZERO_WIDTH_FORMAT = [
    "zero\u200bwidth space",
    "join\u200der",
    "\ufeffBOM at start",
    "non\u200cjoiner",
    "word\u2060joiner",
    "soft\u00adhyphen",
    "\u200eLRM\u200f RLM",
    "\u202eRLO override\u202c",
    "\u2066isolate\u2069",
    "private\ue000use \U000F0000",
    "unassigned\u0378here",
    "nonchar\uffff \ufdd0",
    "max\U0010FFFFcp",
    "a\u180eb mongolian vowel separator",
    "\u200b",
    "\ufeff",
    "\u200b" * 5,
    "a\u2061b\u2062c\u2063d",
]

REPLACEMENT = [
    "bad\ufffdbyte",
    "\ufffd\ufffd",
    "\ufffd",
    "\ufffdstart and end\ufffd",
]

# Every Unicode space (and a few near-spaces) between two words.
SPACE_CHARS = [
    "\u00a0", "\u1680", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005",
    "\u2006", "\u2007", "\u2008", "\u2009", "\u200a", "\u2028", "\u2029", "\u202f",
    "\u205f", "\u3000", "\x0b", "\x0c",
]
SPACES = ["word" + s + "word" for s in SPACE_CHARS] + [
    "\u00a0",
    "\u00a0\u2003\t\n",
    "\u3000全角スペース\u3000",
]

WHITESPACE = [
    "",
    " ",
    "   ",
    "\n",
    "\t",
    "\r\n",
    "\t\t \n \r\n ",
    "  leading spaces",
    "trailing spaces   ",
    "  both sides  ",
    "multiple     spaces   between    words",
    "\n\nnewlines around\n\n",
    "tabs\t\tand\n\nnewlines\r\rmixed",
    "a b  c   d    e     f",
]

LONG_WORDS = [
    "a" * 99,
    "a" * 100,
    "a" * 101,
    "x" * 150,
    ("supercalifragilisticexpialidocious" * 3)[:100],
    ("supercalifragilisticexpialidocious" * 3)[:100] + "!",
    ("supercalifragilisticexpialidocious" * 4)[:101],
    "short " + "b" * 100 + " word " + "c" * 101 + " end",
    "é" * 100,
    "e\u0301" * 100,  # 200 code points before accent stripping
    "É" * 101,
    "ﬁ" * 60,
    "😀" * 101,
    "1234567890" * 12,
    "A" * 50 + "b" * 50,
    "ab" * 60,
    "ha" * 50,
    "Pneumonoultramicroscopicsilicovolcanoconiosis",
]

PUNCTUATION = [
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    "¡¿«»‹›„“”‘’‚—–…·•†‡‰′″※‽⁂",
    "¶§©®™°±€£¥¢",
    "¿Qué? ¡Olé!",
    "a—b–c-d",
    "don't can't won't",
    "rock'n'roll",
    "e.g. i.e. U.S.A.",
    "$100.00 is 50% off",
    "@user #hashtag",
    "a€b£c©d",
    "!!!!!!!!!!",
    "........",
    "...?!?!...",
    "“Smart quotes” and ‘single’ ones",
    "Dash—em, dash–en, minus−sign",
    "(parens) [brackets] {braces} <angles>",
    "a/b\\c|d",
    "⸘inter⸮robang",
    "\u00b7middle\u00b7dot\u0387",
    "«Guillemets» et « espaces »",
]

SPECIAL_TOKENS_IN_TEXT = [
    "[CLS]",
    "[SEP]",
    "[MASK]",
    "[PAD]",
    "[UNK]",
    "hello [MASK] world",
    "[CLS] text [SEP]",
    "[cls] lowercase",
    "[MASK][MASK]",
    "x[MASK]y",
    "[ MASK ]",
    "[MASK",
    "[[MASK]]",
    "[Mask] [mask]",
    "<s> </s> <mask> <pad> <unk>",
    "##ing ## #",
    "[unused1] [unused99]",
    "The capital of France is [MASK].",
    "  [SEP]  ",
    "[SEP][CLS][PAD][UNK][MASK]",
]

SCRIPTS = [
    "Η γρήγορη καφέ αλεπού",
    "ΟΔΟΣ ΣΟΦΟΣ",
    "Ελληνικά με τόνους: ά έ ή ί ό ύ ώ ΐ ΰ",
    "α\u0301 decomposed tonos",
    "Привет, мир!",
    "Ёлка й Й",
    "Съешь же ещё этих мягких французских булок",
    "مرحبا بالعالم",
    "مَرْحَبًا with harakat",
    "٠١٢٣٤٥٦٧٨٩",
    "שלום עולם",
    "שָׁלוֹם with niqqud",
    "नमस्ते दुनिया",
    "हिन्दी में एक वाक्य।",
    "สวัสดีครับ",
    "ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ",
    "Բարեւ աշխարհ",
    "გამარჯობა",
    "வணக்கம்",
    "নমস্কার",
    "ሰላም ዓለም",
    "བཀྲ་ཤིས་བདེ་ལེགས།",
    "សួស្តី",
    "ᠮᠣᠩᠭᠣᠯ",
    "ᏣᎳᎩ",
    "ܫܠܡܐ",
    "ພາສາລາວ",
]

TURKISH_CASE = [
    "İstanbul",
    "ISTANBUL ıstanbul",
    "İ",
    "ı",
    "DİYARBAKIR",
    "Iı İi",
    "ǅ ǈ ǋ titlecase digraphs",
    "K Kelvin Ω Ohm Å Angstrom",
    "ß ẞ ﬀ ﬃ",
    "ϴ ϑ ς σ Σ",
]

FULL_WIDTH = [
    "ＡＢＣ１２３ｘｙｚ",
    "Ｈｅｌｌｏ，ｗｏｒｌｄ！",
    "！？（）＂＃＄％＆＇",
    "＄１００",
    "ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｃｏｍ",
]

LIGATURES = [
    "ﬁnance ﬂow",
    "ﬀ ﬃ ﬄ ﬅ ﬆ",
    "Æsop œuvre",
    "Ĳssel ǆ",
    "ŉ ǰ",
]

MATH = [
    "∑_{i=1}^n x_i² ≤ ∞",
    "∀x∈ℝ: x²≥0",
    "α+β=γ",
    "√2 ≈ 1.414",
    "∫₀¹ f(x)dx",
    "𝔸𝕓𝒞𝓓 𝐀𝐁𝐂 𝟏𝟐𝟑",
    "½ ¾ ⅓",
    "x⁻¹ H₂O",
    "①②③ ⅫⅣ",
    "×÷±∓∘∙",
    "E = mc²",
    "f(x) = 3x^2 + 2x - 1",
]

CODE_URLS = [
    "https://example.com/path?query=1&b=2#frag",
    "user.name+tag@example.co.uk",
    "C:\\Users\\name\\file.txt",
    "def f(x):\n    return x**2\n",
    "int main(void) { return 0; }",
    "<html><body>Hi</body></html>",
    '{"key": [1, 2.5, null, true], "s": "v"}',
    "SELECT * FROM t WHERE id = 1;",
    'git commit -m "fix: handle edge cases"',
    "^[a-z]+(\\d{2,3})?$",
    "# Title\n\n- item *bold* `code`\n",
    "getHTTPResponseCode parseJSONString",
    "__init__ __main__ snake_case_name",
    "0x1F600 0b1010 0o777",
    "a->b i++ x != y && z >= 0 || !w",
    "\\frac{a}{b} + \\sqrt{x}",
    "http://127.0.0.1:8080/api/v1/embed",
    "ftp://ftp.example.org/pub/file.tar.gz",
    "www.example.com",
]

NUMBERS = [
    "1234567890",
    "3.14159",
    "1,000,000",
    "1e-10",
    "-42",
    "12:30",
    "2024-01-01",
    "+1 (555) 123-4567",
    "١٢٣ ١٢٣",
    "१२३ ४५६",
    "0.000001",
    "99.99%",
    "The year 1999 and 2000 and 2024.",
    "3rd 21st 100th",
]

SENTENCES = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "A woman is playing violin.",
    "Two men pushed carts through the woods.",
    "A man is riding a white horse on an enclosed ground.",
    "A monkey is playing drums.",
    "Someone in a gorilla costume is playing a set of drums.",
    "What is the capital of France?",
    "Paris is the capital and most populous city of France.",
    "How do I reset my password?",
    "Click on 'Forgot password' on the login page to receive a reset link.",
    "Embeddings map text to dense vectors for semantic search.",
    "Long-context retrieval requires models that can read thousands of tokens.",
    "The best thing to do in San Francisco is eat a sandwich and sit in Dolores Park on a sunny day.",
]

REPETITION = [
    "the " * 100,
    "a a a a a a a a",
    "ab" * 200,
    "hello\n" * 30,
    "🙂 " * 40,
]

ONLY_EMPTY_AFTER_NORMALIZATION = [
    "\x00\x01\x02",
    "\u200b\u200c\u200d\ufeff",
    "\ufffd\ufffd\ufffd",
    "\u00ad",
]

MIXED = [
    "Hello 世界! Привет мир! مرحبا 🌍",
    "naïve café 中文 😀 [MASK] \u200b end",
    "Ｆｕｌｌ ｗｉｄｔｈ and ﬁ ligature and İ dotted",
    "Price: €1.234,56 (≈ $1,300)",
    "日本語のテキストwith English mixed in",
    "emoji👨\u200d💻inside\u200bword",
    "\ttabbed\u00a0nbsp\u3000ideographic\u2003em",
]

HANDWRITTEN = (
    BASIC + ACCENTS_PRECOMPOSED + ACCENTS_DECOMPOSED + CJK + JAPANESE_KOREAN + EMOJI
    + CONTROL + ZERO_WIDTH_FORMAT + REPLACEMENT + SPACES + WHITESPACE + LONG_WORDS
    + PUNCTUATION + SPECIAL_TOKENS_IN_TEXT + SCRIPTS + TURKISH_CASE + FULL_WIDTH
    + LIGATURES + MATH + CODE_URLS + NUMBERS + SENTENCES + REPETITION
    + ONLY_EMPTY_AFTER_NORMALIZATION + MIXED
)


def _long_texts():
    """Cuts from the essays: word windows of increasing length (well over 512
    tokens), starting at fixed offsets, plus one raw character cut that keeps
    the essays' original newlines and blank lines."""
    words = essay_words()
    out = []
    for start, n in ((0, 450), (5000, 700), (12000, 1000), (20000, 1600), (30000, 3000), (45000, 6500)):
        out.append(" ".join(words[start:start + n]))
    raw = essay_text()
    out.append(raw[100000:104000])  # raw cut: newlines, double spaces, mid-word boundaries
    return out


def texts():
    """The full tokenizer fixture list (deterministic order)."""
    out = list(HANDWRITTEN) + _long_texts()
    for t in out:
        t.encode("utf-8")  # raises on lone surrogates
    return out


# Texts for the embedding fixtures (no empty string; every text has at least
# one real token for both tokenizers).  make_fixtures.py adds essay cuts with
# exact token counts (medium, 300-510 tokens) on top of these.
EMBED_SHORT = [
    "Hello world",
    "The quick brown fox jumps over the lazy dog.",
    "a",
    "HELLO World, hello WORLD",
    "McDonald's iPhone and eBay sold NASA's GPS data",
    "  leading and trailing spaces  ",
    "hello [MASK] world",
    "[CLS] text [SEP]",
    "The capital of France is [MASK].",
    "https://example.com/path?query=1&b=2#frag",
    "def f(x):\n    return x**2\n",
    "$100.00 is 50% off",
    "2024-01-01",
    "a" * 101,
    "ha" * 50,
] + SENTENCES

EMBED_HARD = [
    "naïve résumé",
    "re\u0301sume\u0301 and nai\u0308ve",
    "Crème brûlée à la française",
    "中文测试",
    "我爱北京天安门。",
    "東京は日本の首都です。",
    "안녕하세요 세계",
    "👨\u200d👩\u200d👧\u200d👦 family",
    "👍🏽 👋🏿 🙏🏻",
    "zero\u200bwidth space",
    "bad\ufffdbyte",
    "word\u00a0word",
    "tab\tseparated\tvalues",
    "a\x00b",
    "İstanbul",
    "Ｈｅｌｌｏ，ｗｏｒｌｄ！",
    "ﬁnance ﬂow",
    "∑_{i=1}^n x_i² ≤ ∞",
    "Привет, мир!",
    "مرحبا بالعالم",
    "नमस्ते दुनिया",
    "สวัสดีครับ",
    "Hello 世界! Привет мир! مرحبا 🌍",
    "a\U0002B820b a\U0002B920b",
    "\u200b\u200c\u200d\ufeff",  # normalizes to nothing: [CLS] [SEP] only
]


if __name__ == "__main__":
    ts = texts()
    print(len(ts), "texts;", len(HANDWRITTEN), "hand-written,", len(ts) - len(HANDWRITTEN), "essay cuts")
