#include "text/pretokenizer.h"

#include "base/array.h"
#include "base/json.h"
#include "text/bpe_pretok.h"
#include "text/bpe_unicode.h"
#include "text/unicode.h"
#include "text/utf8.h"

#include <stdlib.h>
#include <string.h>

/* ASCII classes for the splitting loops. */
enum { CLS_OTHER = 0, CLS_SPACE = 1, CLS_PUNCT = 2, CLS_WORD = 4 };

/* The class bits in need of the character at s[*i]; advances *i. Only the
 * needed tables are searched for non-ASCII characters. */
static uint8_t char_class(const char *s, size_t n, size_t *i, const uint8_t *ascii, uint8_t need) {
    unsigned char b = (unsigned char)s[*i];
    if (b < 0x80) {
        (*i)++;
        return ascii[b];
    }
    uint32_t c = le_utf8_next(s, n, i);
    if ((need & CLS_SPACE) && le_uc_is_whitespace(c)) return CLS_SPACE;
    uint8_t cls = 0;
    if ((need & CLS_PUNCT) && le_uc_is_punct(c)) cls |= CLS_PUNCT;
    if ((need & CLS_WORD) && le_uc_is_word(c)) cls |= CLS_WORD;
    return cls;
}

static const uint8_t *ascii_classes(void) {
    static const uint8_t table[128] = {
#define S CLS_SPACE
#define P CLS_PUNCT
#define W CLS_WORD
        0, 0, 0, 0, 0, 0, 0, 0, 0, S, S, S, S, S, 0, 0,     /* 0x00 */
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,     /* 0x10 */
        S, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,     /* 0x20 */
        W, W, W, W, W, W, W, W, W, W, P, P, P, P, P, P,     /* 0x30 */
        P, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,     /* 0x40 */
        W, W, W, W, W, W, W, W, W, W, W, P, P, P, P, P | W, /* 0x50: '_' is both */
        P, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,     /* 0x60 */
        W, W, W, W, W, W, W, W, W, W, W, P, P, P, P, 0,     /* 0x70 */
#undef S
#undef P
#undef W
    };
    return table;
}

/* ------------------------------------------------------------- splitting */

typedef struct pre_run {
    const le_pretokenizer *p;
    le_word_fn fn;
    void *ctx;
    const char *origin; /* where the text's offset 0 is, NULL when not in this piece */
} pre_run;

static le_status run_from(const pre_run *r, size_t step, const char *s, size_t n);

/* Pieces of a split by a one-character delimiter class arrive as segments
 * (a run of non-delimiters, or one delimiter); the behavior decides which
 * are kept and which are glued together, exactly as tokenizers folds them. */
typedef struct splitter {
    const pre_run *r;
    size_t next_step;
    const char *s;
    le_split_behavior behavior;
    size_t a, b; /* the pending piece */
    int has, prev_match;
} splitter;

static le_status split_flush(splitter *sp) {
    if (!sp->has) return LE_OK;
    sp->has = 0;
    return run_from(sp->r, sp->next_step, sp->s + sp->a, sp->b - sp->a);
}

static le_status split_segment(splitter *sp, size_t a, size_t b, int is_match) {
    int merge = 0;
    switch (sp->behavior) {
    case LE_SPLIT_REMOVED:
        if (is_match) return LE_OK;
        return run_from(sp->r, sp->next_step, sp->s + a, b - a);
    case LE_SPLIT_ISOLATED: return run_from(sp->r, sp->next_step, sp->s + a, b - a);
    case LE_SPLIT_CONTIGUOUS: merge = sp->has && is_match == sp->prev_match; break;
    case LE_SPLIT_MERGED_WITH_PREVIOUS: merge = sp->has && is_match && !sp->prev_match; break;
    case LE_SPLIT_MERGED_WITH_NEXT: merge = sp->has && sp->prev_match && !is_match; break;
    }
    sp->prev_match = is_match;
    if (merge) {
        sp->b = b;
        return LE_OK;
    }
    le_status st = split_flush(sp);
    sp->a = a;
    sp->b = b;
    sp->has = 1;
    return st;
}

/* Split where a character's class has any bit of delim. */
static le_status split_by_class(const pre_run *r, size_t step, const char *s, size_t n,
                                uint8_t delim, le_split_behavior behavior) {
    const uint8_t *ascii = ascii_classes();
    splitter sp = {r, step + 1, s, behavior, 0, 0, 0, 0};
    size_t start = 0, i = 0;
    le_status st;
    while (i < n) {
        size_t at = i;
        if (!(char_class(s, n, &i, ascii, delim) & delim)) continue;
        if (start < at && (st = split_segment(&sp, start, at, 0))) return st;
        if ((st = split_segment(&sp, at, i, 1))) return st;
        start = i;
    }
    if (start < n && (st = split_segment(&sp, start, n, 0))) return st;
    return split_flush(&sp);
}

/* BertPreTokenizer: whitespace removed, punctuation isolated, in one pass. */
static le_status split_bert(const pre_run *r, size_t step, const char *s, size_t n) {
    const uint8_t *ascii = ascii_classes();
    const unsigned char *u = (const unsigned char *)s;
    size_t start = 0, i = 0;
    le_status st;
    while (i < n) {
        /* the common case: a run of ASCII word bytes */
        while (i < n && u[i] < 0x80 && !(ascii[u[i]] & (CLS_SPACE | CLS_PUNCT))) i++;
        if (i == n) break;
        size_t at = i;
        uint8_t cls = char_class(s, n, &i, ascii, CLS_SPACE | CLS_PUNCT);
        if (!(cls & (CLS_SPACE | CLS_PUNCT))) continue;
        if (start < at && (st = run_from(r, step + 1, s + start, at - start))) return st;
        if ((cls & CLS_PUNCT) && (st = run_from(r, step + 1, s + at, i - at))) return st;
        start = i;
    }
    return start < n ? run_from(r, step + 1, s + start, n - start) : LE_OK;
}

/* Whitespace: the matches of \w+|[^\w\s]+ are the words, the rest is dropped. */
static le_status split_whitespace(const pre_run *r, size_t step, const char *s, size_t n) {
    const uint8_t *ascii = ascii_classes();
    size_t start = 0, i = 0;
    int cur = -1; /* class of the open run: CLS_WORD, CLS_OTHER, or -1 for none */
    le_status st;
    while (i < n) {
        size_t at = i;
        uint8_t cls = char_class(s, n, &i, ascii, CLS_SPACE | CLS_WORD);
        int k = (cls & CLS_WORD) ? CLS_WORD : (cls & CLS_SPACE) ? -1 : CLS_OTHER;
        if (k == cur) continue;
        if (cur != -1 && (st = run_from(r, step + 1, s + start, at - start))) return st;
        cur = k;
        start = at;
    }
    return cur != -1 ? run_from(r, step + 1, s + start, n - start) : LE_OK;
}

/* Metaspace (tokenizers' pre_tokenizers/metaspace.rs): every ' ' becomes
 * the replacement, which is prepended unless the piece starts with it (only
 * at offset 0 of the text for "first"); with split, a word starts at each
 * replacement. */
static le_status split_metaspace(const pre_run *r, size_t step, const char *s, size_t n) {
    const le_pre_step *ps = &r->p->steps[step];
    size_t rl = ps->replacement_len, spaces = 0;
    for (size_t i = 0; i < n; i++) spaces += s[i] == ' ';
    if (spaces > (SIZE_MAX - n - rl) / rl) return LE_ERR_NOMEM;
    char *buf = malloc(n + spaces * (rl - 1) + rl), *o = buf;
    if (!buf) return LE_ERR_NOMEM;
    int starts = s[0] == ' ' || (n >= rl && !memcmp(s, ps->replacement, rl));
    int prepend = ps->prepend == LE_PREPEND_ALWAYS ||
                  (ps->prepend == LE_PREPEND_FIRST && s == r->origin);
    if (prepend && !starts) o += (memcpy(o, ps->replacement, rl), rl);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ')
            o += (memcpy(o, ps->replacement, rl), rl);
        else
            *o++ = s[i];
    }
    size_t m = (size_t)(o - buf), start = 0;
    le_status st = LE_OK;
    for (size_t i = 1; ps->split && !st && i + rl <= m; i++) {
        if (memcmp(buf + i, ps->replacement, rl)) continue;
        st = run_from(r, step + 1, buf + start, i - start);
        start = i;
    }
    if (!st) st = run_from(r, step + 1, buf + start, m - start);
    free(buf);
    return st;
}

/* The matches of a byte-level regex, each a word (they tile the text, so
 * Split's Isolated keeps them all). */
static le_status split_regex(const pre_run *r, size_t step, const char *s, size_t n,
                             le_bpe_regex re) {
    le_status st = LE_OK;
    for (size_t i = 0; i < n && !st;) {
        size_t j = le_bpe_regex_match(re, s, n, i);
        st = run_from(r, step + 1, s + i, j - i);
        i = j;
    }
    return st;
}

/* Digits: numeric characters (Rust's is_numeric) each alone (individual)
 * or in runs; the text between them one piece. */
static le_status split_digits(const pre_run *r, size_t step, const char *s, size_t n) {
    int individual = r->p->steps[step].individual;
    size_t start = 0, i = 0;
    int prev = -1; /* class of the pending piece: 1 numeric, 0 not */
    le_status st;
    while (i < n) {
        size_t at = i;
        int num = le_bpe_is_numeric(le_utf8_next(s, n, &i));
        if (prev == num && !(num && individual)) continue;
        if (at > start && (st = run_from(r, step + 1, s + start, at - start))) return st;
        start = at;
        prev = num;
    }
    return run_from(r, step + 1, s + start, n - start);
}

/* ByteLevel: a space in front unless the piece starts with one, then
 * GPT-2's regex (use_regex). */
static le_status split_bytelevel(const pre_run *r, size_t step, const char *s, size_t n) {
    const le_pre_step *ps = &r->p->steps[step];
    le_bpe_regex re = (le_bpe_regex)ps->regex;
    if (!ps->prefix_space || s[0] == ' ')
        return re ? split_regex(r, step, s, n, re) : run_from(r, step + 1, s, n);
    char *buf = malloc(n + 1);
    if (!buf) return LE_ERR_NOMEM;
    buf[0] = ' ';
    memcpy(buf + 1, s, n);
    le_status st = re ? split_regex(r, step, buf, n + 1, re) : run_from(r, step + 1, buf, n + 1);
    free(buf);
    return st;
}


static le_status run_from(const pre_run *r, size_t step, const char *s, size_t n) {
    if (n == 0) return LE_OK;
    if (step == r->p->n) return r->fn(r->ctx, s, n);
    const le_pre_step *ps = &r->p->steps[step];
    switch (ps->kind) {
    case LE_PRE_BERT: return split_bert(r, step, s, n);
    case LE_PRE_WHITESPACE: return split_whitespace(r, step, s, n);
    case LE_PRE_WHITESPACE_SPLIT: return split_by_class(r, step, s, n, CLS_SPACE, LE_SPLIT_REMOVED);
    case LE_PRE_PUNCTUATION: return split_by_class(r, step, s, n, CLS_PUNCT, ps->behavior);
    case LE_PRE_METASPACE: return split_metaspace(r, step, s, n);
    case LE_PRE_SPLIT_REGEX: return split_regex(r, step, s, n, (le_bpe_regex)ps->regex);
    case LE_PRE_DIGITS: return split_digits(r, step, s, n);
    case LE_PRE_BYTELEVEL: return split_bytelevel(r, step, s, n);
    }
    return LE_ERR_INTERNAL;
}

le_status le_pretokenizer_run(const le_pretokenizer *p, const char *s, size_t n, int at_start,
                              le_word_fn fn, void *ctx) {
    pre_run r = {p, fn, ctx, at_start ? s : NULL};
    return run_from(&r, 0, s, n);
}

/* ------------------------------------------------------------------ JSON */

le_status le_pretokenizer_add(le_pretokenizer *p, le_pre_kind kind, le_split_behavior behavior) {
    if (le_array_reserve(p->steps, p->cap, p->n + 1)) return LE_ERR_NOMEM;
    memset(&p->steps[p->n], 0, sizeof p->steps[p->n]);
    p->steps[p->n].kind = kind;
    p->steps[p->n].behavior = behavior;
    p->n++;
    return LE_OK;
}

void le_pretokenizer_free(le_pretokenizer *p) {
    if (!p) return;
    free(p->steps);
    memset(p, 0, sizeof *p);
}

/* Metaspace: replacement (one character), prepend_scheme, or the older
 * add_prefix_space (false: never), split (default true). */
static le_status metaspace_parse(const cJSON *j, le_pretokenizer *p, const char *what,
                                 le_error *err) {
    const char *rep = le_json_str(j, "replacement");
    size_t n = rep ? strlen(rep) : 0, i = 0;
    if (n) le_utf8_next(rep, n, &i);
    if (!n || n > 4 || le_utf8_check(rep, n) != n || i != n)
        return le_fail(err, LE_ERR_FORMAT, "%s: Metaspace needs a one-character \"replacement\"",
                       what);
    const char *scheme = le_json_str(j, "prepend_scheme");
    int add = 1, split = 1, k = LE_PREPEND_ALWAYS;
    static const char *names[] = {"always", "first", "never"};
    if (scheme) {
        for (k = 0; k < 3 && strcmp(scheme, names[k]); k++) {
        }
        if (k == 3)
            return le_fail(err, LE_ERR_FORMAT, "%s: Metaspace prepend_scheme \"%s\" is unknown",
                           what, scheme);
    }
    if (le_json_bool(j, "add_prefix_space", &add) && !add) {
        if (scheme && k != LE_PREPEND_NEVER)
            return le_fail(err, LE_ERR_FORMAT,
                           "%s: Metaspace add_prefix_space false contradicts prepend_scheme", what);
        k = LE_PREPEND_NEVER;
    }
    le_json_bool(j, "split", &split);
    if (le_pretokenizer_add(p, LE_PRE_METASPACE, LE_SPLIT_MERGED_WITH_NEXT))
        return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    le_pre_step *ps = &p->steps[p->n - 1];
    memcpy(ps->replacement, rep, n + 1);
    ps->replacement_len = (uint8_t)n;
    ps->prepend = (uint8_t)k;
    ps->split = (uint8_t)(split != 0);
    return LE_OK;
}

/* Split (a known byte-level regex, Isolated, not inverted), Digits and
 * ByteLevel (add_prefix_space defaults to true, use_regex to true, as in
 * tokenizers). */
static le_status bpe_step_parse(const cJSON *j, const char *type, le_pretokenizer *p,
                                const char *what, le_error *err) {
    le_pre_kind kind = !strcmp(type, "Split")    ? LE_PRE_SPLIT_REGEX
                       : !strcmp(type, "Digits") ? LE_PRE_DIGITS
                                                 : LE_PRE_BYTELEVEL;
    int regex = 0, individual = 0, prefix = 1, use_regex = 1, invert = 0;
    if (kind == LE_PRE_SPLIT_REGEX) {
        const cJSON *pat = cJSON_GetObjectItemCaseSensitive(j, "pattern");
        const char *re = cJSON_IsObject(pat) ? le_json_str(pat, "Regex") : NULL;
        const char *b = le_json_str(j, "behavior");
        le_json_bool(j, "invert", &invert);
        regex = re ? (int)le_bpe_regex_find(re) : 0;
        if (!regex || (b && strcmp(b, "Isolated")) || invert)
            return le_fail(err, LE_ERR_UNSUPPORTED,
                           "%s: Split pre_tokenizer \"%.60s\" (%s%s) is not supported: only the "
                           "GPT-2, Llama-3 and Qwen2 regexes, Isolated, not inverted",
                           what, re ? re : "not a Regex", b ? b : "no behavior",
                           invert ? ", inverted" : "");
    } else if (kind == LE_PRE_DIGITS) {
        le_json_bool(j, "individual_digits", &individual);
    } else {
        le_json_bool(j, "add_prefix_space", &prefix);
        le_json_bool(j, "use_regex", &use_regex);
        regex = use_regex ? LE_BPE_REGEX_GPT2 : 0;
        p->byte_level = 1;
    }
    if (le_pretokenizer_add(p, kind, LE_SPLIT_ISOLATED))
        return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    le_pre_step *ps = &p->steps[p->n - 1];
    ps->regex = (uint8_t)regex;
    ps->individual = (uint8_t)(individual != 0);
    ps->prefix_space = (uint8_t)(prefix != 0);
    return LE_OK;
}

static le_status pretokenizer_parse(const cJSON *j, le_pretokenizer *p, const char *what,
                                    le_error *err) {
    if (!cJSON_IsObject(j))
        return le_fail(err, LE_ERR_FORMAT, "%s: a pre_tokenizer must be an object", what);
    const char *type = le_json_str(j, "type");
    if (!type) return le_fail(err, LE_ERR_FORMAT, "%s: pre_tokenizer without a \"type\"", what);
    le_status st = LE_OK;
    if (!strcmp(type, "Sequence")) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(j, "pretokenizers");
        if (!cJSON_IsArray(list))
            return le_fail(err, LE_ERR_FORMAT,
                           "%s: Sequence pre_tokenizer needs a \"pretokenizers\" array", what);
        const cJSON *it;
        cJSON_ArrayForEach(it, list) {
            if ((st = pretokenizer_parse(it, p, what, err))) return st;
        }
        return LE_OK;
    } else if (!strcmp(type, "BertPreTokenizer")) {
        st = le_pretokenizer_add(p, LE_PRE_BERT, LE_SPLIT_REMOVED);
    } else if (!strcmp(type, "Whitespace")) {
        st = le_pretokenizer_add(p, LE_PRE_WHITESPACE, LE_SPLIT_REMOVED);
    } else if (!strcmp(type, "WhitespaceSplit")) {
        st = le_pretokenizer_add(p, LE_PRE_WHITESPACE_SPLIT, LE_SPLIT_REMOVED);
    } else if (!strcmp(type, "Punctuation")) {
        static const char *names[] = {"Removed", "Isolated", "MergedWithPrevious", "MergedWithNext",
                                      "Contiguous"};
        const char *b = le_json_str(j, "behavior");
        int k = 1; /* tokenizers' default: Isolated */
        if (b) {
            for (k = 0; k < 5 && strcmp(b, names[k]); k++) {
            }
            if (k == 5)
                return le_fail(err, LE_ERR_FORMAT, "%s: Punctuation behavior \"%s\" is unknown",
                               what, b);
        }
        st = le_pretokenizer_add(p, LE_PRE_PUNCTUATION, (le_split_behavior)k);
    } else if (!strcmp(type, "Metaspace")) {
        return metaspace_parse(j, p, what, err);
    } else if (!strcmp(type, "Split") || !strcmp(type, "Digits") || !strcmp(type, "ByteLevel")) {
        return bpe_step_parse(j, type, p, what, err);
    } else {
        return le_fail(err, LE_ERR_UNSUPPORTED, "%s: pre_tokenizer \"%s\" is not supported yet",
                       what, type);
    }
    return st ? le_fail(err, st, "%s: out of memory", what) : LE_OK;
}

le_status le_pretokenizer_from_json(const cJSON *j, le_pretokenizer *out, const char *what,
                                    le_error *err) {
    memset(out, 0, sizeof *out);
    if (!j || cJSON_IsNull(j)) return LE_OK;
    le_status r = pretokenizer_parse(j, out, what, err);
    if (r) le_pretokenizer_free(out);
    return r;
}
