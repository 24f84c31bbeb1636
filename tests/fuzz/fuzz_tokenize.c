/* libFuzzer target: any byte string given to encode must give LE_OK with
 * ids inside the vocabulary (valid UTF-8) or LE_ERR_UTF8 naming an offset
 * (invalid UTF-8), never a crash or an out-of-bounds read. The first byte
 * picks one of a few small minilm-like tokenizers that together exercise
 * every normalizer, pre-tokenizer and added-token option, or a small BPE
 * (byte level with the GPT-2, Llama-3, Qwen2 and SmolLM pre-tokenizers, and
 * char level with unk, fuse_unk and byte_fallback). */
#include "text/tokenizer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VOCAB                                                                                      \
    "\"vocab\":{\"[PAD]\":0,\"[UNK]\":1,\"[CLS]\":2,\"[SEP]\":3,\"[MASK]\":4,\"the\":5,"           \
    "\"##s\":6,\"a\":7,\"##a\":8,\"b\":9,\"##b\":10,\"un\":11,\"##aff\":12,\"##able\":13,"         \
    "\"e\":14,\"##e\":15,\"\xc3\xa9\":16,\"##\xc3\xa9\":17,\"\xe6\x9d\xb1\":18,\".\":19,"          \
    "\",\":20,\"!\":21,\"i\":22,\"##\xcc\x87\":23,\"fi\":24,\"1\":25,\"##1\":26,\"x\":27,"         \
    "\"##x\":28,\"\xe2\x96\x81\":29,\"\xe2\x96\x81x\":30,\"'\":31,\"-\":32}"

#define ADDED(content, special, normalized, lstrip, rstrip, single)                                \
    "{\"id\":99,\"content\":\"" content "\",\"special\":" special ",\"normalized\":" normalized    \
    ",\"lstrip\":" lstrip ",\"rstrip\":" rstrip ",\"single_word\":" single "}"

/* clang-format off */
#define ADDED_TOKENS                                                                               \
    "\"added_tokens\":["                                                                           \
        ADDED("[CLS]", "true", "false", "false", "false", "false") ","                             \
        ADDED("[MASK]", "true", "false", "true", "true", "false") ","                              \
        ADDED("<x>", "false", "false", "false", "false", "true") ","                               \
        ADDED("Hello World", "false", "true", "false", "false", "false") ","                       \
        ADDED("\xc3\x89t\xc3\xa9", "false", "true", "true", "false", "true") ","                   \
        ADDED("ab", "false", "false", "false", "true", "false") "]"
/* clang-format on */

#define MODEL(max_chars)                                                                           \
    "\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\","                                   \
    "\"continuing_subword_prefix\":\"##\",\"max_input_chars_per_word\":" max_chars "," VOCAB "}"

#define POST                                                                                       \
    "\"post_processor\":{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",3],\"cls\":[\"[CLS]\",2]}"

/* A BPE vocabulary in GPT-2's byte alphabet (\xc4\xa0 = space, \xc4\x8a = newline);
 * bytes without a token are dropped. */
#define BPE_VOCAB                                                                                  \
    "\"vocab\":{\"a\":0,\"b\":1,\"\xc4\xa0\":2,\"ab\":3,\"\xc4\xa0" "a\":4,\"\xc4\xa0" "ab\":5,\"1\":6,"      \
    "\"<unk>\":7,\"<0x41>\":8,\"'\":9,\"s\":10,\"'s\":11,\"\xc4\x8a\":12,\"\xc3\xa9\":13,\"11\":14}"
#define BPE_MERGES "\"merges\":[\"a b\",[\"\xc4\xa0\",\"a\"],\"\xc4\xa0" "a b\",\"' s\",\"1 1\"]"
#define BPE_ADDED                                                                                  \
    "\"added_tokens\":[{\"id\":15,\"content\":\"<|im_start|>\",\"special\":true,"                    \
    "\"normalized\":false}]"
#define BPE_SPLIT(re)                                                                              \
    "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"" re "\"},\"behavior\":\"Isolated\"}"
#define BPE_LLAMA3_RE                                                                              \
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}{1,3}| "                 \
    "?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+"
#define BPE_QWEN2_RE                                                                               \
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}| "                       \
    "?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+"
#define BPE_BYTELEVEL(prefix, regex)                                                               \
    "{\"type\":\"ByteLevel\",\"add_prefix_space\":" prefix ",\"use_regex\":" regex "}"
#define BPE_JSON(pre, model_extra)                                                                 \
    "{" BPE_ADDED ",\"pre_tokenizer\":" pre ",\"model\":{\"type\":\"BPE\"," model_extra BPE_VOCAB   \
    "," BPE_MERGES "}}"

static const char *const configs[] = {
    /* byte-level BPE: GPT-2, Llama-3 (ignore_merges), Qwen2, SmolLM (Digits) */
    BPE_JSON(BPE_BYTELEVEL("true", "true"), ""),
    BPE_JSON("{\"type\":\"Sequence\",\"pretokenizers\":[" BPE_SPLIT(BPE_LLAMA3_RE) ","
             BPE_BYTELEVEL("false", "false") "]}", "\"ignore_merges\":true,"),
    BPE_JSON("{\"type\":\"Sequence\",\"pretokenizers\":[" BPE_SPLIT(BPE_QWEN2_RE) ","
             BPE_BYTELEVEL("false", "false") "]}", ""),
    BPE_JSON("{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Digits\","
             "\"individual_digits\":true}," BPE_BYTELEVEL("false", "true") "]}", ""),
    /* char-level BPE: unknown characters as <0xXX>, else one fused <unk> */
    BPE_JSON("{\"type\":\"WhitespaceSplit\"}",
             "\"unk_token\":\"<unk>\",\"fuse_unk\":true,\"byte_fallback\":true,"),
    /* minilm: uncased BERT */
    "{" ADDED_TOKENS ",\"normalizer\":{\"type\":\"BertNormalizer\",\"clean_text\":true,"
    "\"handle_chinese_chars\":true,\"strip_accents\":null,\"lowercase\":true},"
    "\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"}," POST "," MODEL("100") "}",
    /* cased BERT, strip accents without lowercasing */
    "{" ADDED_TOKENS ",\"normalizer\":{\"type\":\"BertNormalizer\",\"clean_text\":false,"
    "\"handle_chinese_chars\":false,\"strip_accents\":true,\"lowercase\":false},"
    "\"pre_tokenizer\":{\"type\":\"Whitespace\"}," POST "," MODEL("5") "}",
    /* generic normalizers and split behaviors */
    "{" ADDED_TOKENS ",\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFKC\"},"
    "{\"type\":\"Replace\",\"pattern\":{\"String\":\"a\"},\"content\":\"\xe2\x96\x81\"},"
    "{\"type\":\"Strip\",\"strip_left\":true,\"strip_right\":true},{\"type\":\"Lowercase\"},"
    "{\"type\":\"Prepend\",\"prepend\":\"\xe2\x96\x81\"}]},\"pre_tokenizer\":{\"type\":"
    "\"Sequence\","
    "\"pretokenizers\":[{\"type\":\"WhitespaceSplit\"},{\"type\":\"Punctuation\",\"behavior\":"
    "\"MergedWithNext\"},{\"type\":\"Punctuation\",\"behavior\":\"Contiguous\"}]}," POST
    "," MODEL("100") "}",
    "{" ADDED_TOKENS ",\"normalizer\":{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFKD\"},"
    "{\"type\":\"StripAccents\"},{\"type\":\"NFD\"},{\"type\":\"NFC\"}]},\"pre_tokenizer\":"
    "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Punctuation\",\"behavior\":"
    "\"MergedWithPrevious\"},{\"type\":\"Punctuation\",\"behavior\":\"Removed\"}]}," POST
    "," MODEL("1000000") "}",
};
#define N_CONFIGS (sizeof configs / sizeof configs[0])

static le_tokenizer *tokenizers[N_CONFIGS];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    size_t k = data[0] % N_CONFIGS;
    le_error err;
    if (!tokenizers[k] &&
        le_tokenizer_load_mem(configs[k], strlen(configs[k]), "fuzz.json", &tokenizers[k], &err)) {
        fprintf(stderr, "config %zu: %s\n", k, err.message);
        abort();
    }
    const le_tokenizer *t = tokenizers[k];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    /* a copy of exactly len bytes, so ASan catches any read past the end */
    char *copy = malloc(len ? len : 1);
    if (!copy) return 0;
    memcpy(copy, text, len);
    le_ids ids = {0};
    le_status s = le_tokenizer_encode(t, copy, len, &ids, &err);
    if (s == LE_ERR_UTF8) {
        if (!strstr(err.message, "at byte") || ids.n) abort();
    } else if (s != LE_OK) {
        abort();
    }
    int vocab = le_tokenizer_vocab_size(t);
    for (size_t i = 0; i < ids.n; i++)
        if (ids.ids[i] < 0 || ids.ids[i] >= vocab) abort();
    le_ids_free(&ids);
    free(copy);
    return 0;
}
