#include "text/normalizer.h"

#include "base/array.h"
#include "base/json.h"
#include "text/unicode.h"
#include "text/utf8.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ------------------------------------------------------------------ steps */

static le_norm_step *normalizer_push(le_normalizer *nz, le_norm_kind kind) {
    if (le_array_reserve(nz->steps, nz->cap, nz->n + 1)) return NULL;
    le_norm_step *s = &nz->steps[nz->n++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    for (int b = 0; b < 128; b++)
        s->ascii_map[b] = (uint8_t)(kind == LE_NORM_LOWERCASE && b >= 'A' && b <= 'Z' ? b + 32 : b);
    return s;
}

le_status le_normalizer_add_bert(le_normalizer *nz, int clean_text, int handle_chinese_chars,
                                 int strip_accents, int lowercase) {
    le_norm_step *s = normalizer_push(nz, LE_NORM_BERT);
    if (!s) return LE_ERR_NOMEM;
    s->clean_text = clean_text != 0;
    s->handle_chinese_chars = handle_chinese_chars != 0;
    s->strip_accents = strip_accents != 0;
    s->lowercase = lowercase != 0;
    /* ASCII has no decompositions, marks or ideographs: only cleaning and case apply. */
    for (uint32_t b = 0; b < 128; b++) {
        uint32_t m = b;
        if (s->clean_text && le_uc_is_other(b))
            m = 0xFF;
        else if (s->clean_text && le_uc_is_whitespace(b))
            m = ' ';
        if (s->lowercase && m >= 'A' && m <= 'Z') m += 32;
        s->ascii_map[b] = (uint8_t)m;
    }
    return LE_OK;
}

void le_normalizer_free(le_normalizer *nz) {
    if (!nz) return;
    for (size_t i = 0; i < nz->n; i++) {
        free(nz->steps[i].pattern);
        free(nz->steps[i].content);
        le_charsmap_free(nz->steps[i].charsmap);
        free(nz->steps[i].charsmap);
    }
    free(nz->steps);
    memset(nz, 0, sizeof *nz);
}

int le_normalizer_lowercases(const le_normalizer *nz) {
    for (size_t i = 0; i < nz->n; i++) {
        const le_norm_step *s = &nz->steps[i];
        if (s->kind == LE_NORM_LOWERCASE || (s->kind == LE_NORM_BERT && s->lowercase)) return 1;
    }
    return 0;
}

void le_norm_scratch_free(le_norm_scratch *sc) {
    le_strbuf_free(&sc->buf[0]);
    le_strbuf_free(&sc->buf[1]);
    le_cpbuf_free(&sc->run);
    le_cpbuf_free(&sc->cps);
}

/* ----------------------------------------------------- code-point stream */

/* Code points flow through decomposition, canonical ordering of combining
 * marks, mark removal and lowercasing, in the order tokenizers applies
 * them, into UTF-8 (out) or code points (collect, for composition). */
typedef struct cp_stream {
    le_strbuf *out;
    le_cpbuf *collect;
    le_cpbuf *run; /* non-starters waiting for canonical ordering: ccc << 24 | cp */
    int decompose; /* 0: none, 1: canonical, 2: compatibility */
    int drop;      /* which marks are removed: DROP_NONE, DROP_MARK, DROP_MN */
    int lower;
} cp_stream;

enum { DROP_NONE, DROP_MARK, DROP_MN };

static le_status stream_emit(cp_stream *st, uint32_t c) {
    if (st->drop == DROP_MARK ? le_uc_is_mark(c) : st->drop == DROP_MN && le_uc_is_mn(c))
        return LE_OK;
    uint32_t l[2] = {c, 0};
    int k = st->lower ? le_uc_lower(c, l) : 1;
    if (st->collect) {
        if (le_cpbuf_reserve(st->collect, 2)) return LE_ERR_NOMEM;
        for (int j = 0; j < k; j++) st->collect->p[st->collect->n++] = l[j];
        return LE_OK;
    }
    if (le_strbuf_reserve(st->out, 8)) return LE_ERR_NOMEM;
    for (int j = 0; j < k; j++) st->out->n += le_utf8_put(st->out->p + st->out->n, l[j]);
    return LE_OK;
}

/* Stable sort of the pending run by combining class, then emit it. Long runs
 * use a counting sort so that hostile input stays linear. */
static le_status stream_flush(cp_stream *st) {
    le_cpbuf *r = st->run;
    size_t n = r->n;
    if (n == 0) return LE_OK;
    if (n <= 32) {
        for (size_t i = 1; i < n; i++) {
            uint32_t k = r->p[i];
            size_t j = i;
            while (j > 0 && (r->p[j - 1] >> 24) > (k >> 24)) {
                r->p[j] = r->p[j - 1];
                j--;
            }
            r->p[j] = k;
        }
    } else {
        if (le_cpbuf_reserve(r, n)) return LE_ERR_NOMEM;
        uint32_t *src = r->p, *tmp = r->p + n;
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++) count[(src[i] >> 24) + 1]++;
        for (size_t c = 1; c < 257; c++) count[c] += count[c - 1];
        for (size_t i = 0; i < n; i++) tmp[count[src[i] >> 24]++] = src[i];
        memcpy(src, tmp, n * sizeof *src);
    }
    r->n = 0;
    for (size_t i = 0; i < n; i++) {
        le_status s = stream_emit(st, r->p[i] & 0xFFFFFF);
        if (s) return s;
    }
    return LE_OK;
}

static le_status stream_put(cp_stream *st, uint32_t c) {
    if (!st->decompose) return stream_emit(st, c);
    uint32_t d[LE_UC_DECOMPOSE_MAX];
    int k = le_uc_decompose(c, st->decompose == 2, d);
    for (int j = 0; j < k; j++) {
        int ccc = le_uc_ccc(d[j]);
        le_status s;
        if (ccc == 0) {
            if ((s = stream_flush(st)) || (s = stream_emit(st, d[j]))) return s;
        } else {
            if (le_cpbuf_reserve(st->run, 1)) return LE_ERR_NOMEM;
            st->run->p[st->run->n++] = ((uint32_t)ccc << 24) | d[j];
        }
    }
    return LE_OK;
}

/* Runs every code point of s through the stream; ASCII bytes (starters with
 * no decomposition) are mapped through ascii_map in bulk. */
static le_status stream_text(cp_stream *st, const le_norm_step *bert, const uint8_t *ascii_map,
                             const char *s, size_t n) {
    size_t i = 0;
    le_status r;
    while (i < n) {
        if ((unsigned char)s[i] < 0x80) {
            if ((r = stream_flush(st))) return r;
            size_t j = i;
            while (j < n && (unsigned char)s[j] < 0x80) j++;
            if (st->collect) {
                if (le_cpbuf_reserve(st->collect, j - i)) return LE_ERR_NOMEM;
                for (; i < j; i++) {
                    uint8_t m = ascii_map[(unsigned char)s[i]];
                    if (m != 0xFF) st->collect->p[st->collect->n++] = m;
                }
            } else {
                if (le_strbuf_reserve(st->out, j - i)) return LE_ERR_NOMEM;
                char *o = st->out->p + st->out->n;
                for (; i < j; i++) {
                    uint8_t m = ascii_map[(unsigned char)s[i]];
                    if (m != 0xFF) *o++ = (char)m;
                }
                st->out->n = (size_t)(o - st->out->p);
            }
            continue;
        }
        uint32_t c = le_utf8_next(s, n, &i);
        if (bert && bert->clean_text) {
            if (c == 0xFFFD || le_uc_is_other(c)) continue;
            if (le_uc_is_whitespace(c)) c = ' ';
        }
        if (bert && bert->handle_chinese_chars && le_uc_is_cjk(c)) {
            if ((r = stream_put(st, ' ')) || (r = stream_put(st, c)) || (r = stream_put(st, ' ')))
                return r;
        } else if ((r = stream_put(st, c))) {
            return r;
        }
    }
    return stream_flush(st);
}

/* ------------------------------------------------------------- the steps */

static le_status norm_compose(const le_norm_step *stp, const char *s, size_t n, le_strbuf *out,
                              le_norm_scratch *sc) {
    int compat = stp->kind == LE_NORM_NFKC;
    sc->cps.n = 0;
    cp_stream st = {NULL, &sc->cps, &sc->run, compat ? 2 : 1, 0, 0};
    le_status r = stream_text(&st, NULL, stp->ascii_map, s, n);
    if (r) return r;
    if (sc->cps.n == 0) return LE_OK;
    utf8proc_ssize_t m = utf8proc_normalize_utf32((utf8proc_int32_t *)sc->cps.p,
                                                  (utf8proc_ssize_t)sc->cps.n, UTF8PROC_COMPOSE);
    if (m < 0) return LE_ERR_INTERNAL;
    if (le_strbuf_reserve(out, (size_t)m * 4)) return LE_ERR_NOMEM;
    for (utf8proc_ssize_t i = 0; i < m; i++) out->n += le_utf8_put(out->p + out->n, sc->cps.p[i]);
    return LE_OK;
}

static le_status norm_strip(const le_norm_step *stp, const char *s, size_t n, le_strbuf *out) {
    size_t a = 0, b = n;
    while (stp->strip_left && a < b) {
        size_t j = a;
        if (!le_uc_is_whitespace(le_utf8_next(s, n, &j))) break;
        a = j;
    }
    while (stp->strip_right && b > a) {
        size_t j = le_utf8_prev(s, b), k = j;
        if (!le_uc_is_whitespace(le_utf8_next(s, n, &k))) break;
        b = j;
    }
    return le_strbuf_append(out, s + a, b - a);
}

/* Replace with a regex c{min,}: every maximal run of at least run_min
 * run_char (leftmost, greedy, as the regex engine matches it). */
static le_status norm_replace_runs(const le_norm_step *stp, const char *s, size_t n,
                                   le_strbuf *out) {
    size_t i = 0, copied = 0;
    while (i < n) {
        size_t a = i, run = 0, j = i;
        while (j < n) {
            size_t k = j;
            if (le_utf8_next(s, n, &k) != stp->run_char) break;
            j = k;
            run++;
        }
        if (run == 0) {
            le_utf8_next(s, n, &i);
            continue;
        }
        i = j;
        if (run < stp->run_min) continue;
        le_status r;
        if ((r = le_strbuf_append(out, s + copied, a - copied)) ||
            (r = le_strbuf_append(out, stp->content, stp->content_len)))
            return r;
        copied = j;
    }
    return le_strbuf_append(out, s + copied, n - copied);
}

static le_status norm_replace(const le_norm_step *stp, const char *s, size_t n, le_strbuf *out) {
    if (stp->run_min) return norm_replace_runs(stp, s, n, out);
    const char *p = stp->pattern;
    size_t pn = stp->pattern_len, i = 0, copied = 0;
    while (i + pn <= n) {
        const char *hit = memchr(s + i, p[0], n - i - pn + 1);
        if (!hit) break;
        i = (size_t)(hit - s);
        if (memcmp(hit, p, pn) != 0) {
            i++;
            continue;
        }
        le_status r;
        if ((r = le_strbuf_append(out, s + copied, i - copied)) ||
            (r = le_strbuf_append(out, stp->content, stp->content_len)))
            return r;
        i += pn;
        copied = i;
    }
    return le_strbuf_append(out, s + copied, n - copied);
}

static le_status norm_step_run(const le_norm_step *stp, const char *s, size_t n, le_strbuf *out,
                               le_norm_scratch *sc) {
    cp_stream st = {out, NULL, &sc->run, 0, 0, 0};
    switch (stp->kind) {
    case LE_NORM_BERT:
        st.decompose = stp->strip_accents;
        st.drop = stp->strip_accents ? DROP_MN : DROP_NONE;
        st.lower = stp->lowercase;
        return stream_text(&st, stp, stp->ascii_map, s, n);
    case LE_NORM_LOWERCASE: st.lower = 1; return stream_text(&st, NULL, stp->ascii_map, s, n);
    case LE_NORM_NFD:
    case LE_NORM_NFKD:
        st.decompose = stp->kind == LE_NORM_NFKD ? 2 : 1;
        return stream_text(&st, NULL, stp->ascii_map, s, n);
    case LE_NORM_STRIP_ACCENTS:
        st.drop = DROP_MARK;
        return stream_text(&st, NULL, stp->ascii_map, s, n);
    case LE_NORM_NFC:
    case LE_NORM_NFKC: return norm_compose(stp, s, n, out, sc);
    case LE_NORM_STRIP: return norm_strip(stp, s, n, out);
    case LE_NORM_REPLACE: return norm_replace(stp, s, n, out);
    case LE_NORM_PRECOMPILED: return le_charsmap_apply(stp->charsmap, s, n, out);
    case LE_NORM_PREPEND: {
        if (n == 0) return LE_OK;
        le_status r = le_strbuf_append(out, stp->content, stp->content_len);
        return r ? r : le_strbuf_append(out, s, n);
    }
    }
    return LE_ERR_INTERNAL;
}

le_status le_normalizer_run(const le_normalizer *nz, const char *s, size_t n, le_norm_scratch *sc,
                            const char **out, size_t *out_n) {
    const char *cur = s;
    size_t cur_n = n;
    for (size_t i = 0; i < nz->n; i++) {
        le_strbuf *dst = &sc->buf[i & 1];
        dst->n = 0;
        le_status r = norm_step_run(&nz->steps[i], cur, cur_n, dst, sc);
        if (r) return r;
        cur = dst->p;
        cur_n = dst->n;
    }
    *out = cur ? cur : "";
    *out_n = cur_n;
    return LE_OK;
}

/* ------------------------------------------------------------------ JSON */

/* A string field as a malloc'd copy; it must be valid UTF-8. */
static le_status json_text(const cJSON *obj, const char *key, const char *type, char **out,
                           size_t *len, const char *what, le_error *err) {
    const char *v = le_json_str(obj, key);
    if (!v)
        return le_fail(err, LE_ERR_FORMAT, "%s: normalizer %s needs a string \"%s\"", what, type,
                       key);
    size_t n = strlen(v);
    if (le_utf8_check(v, n) != n)
        return le_fail(err, LE_ERR_FORMAT, "%s: normalizer %s: \"%s\" is not valid UTF-8", what,
                       type, key);
    *out = malloc(n + 1);
    if (!*out) return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    memcpy(*out, v, n + 1);
    *len = n;
    return LE_OK;
}

static int json_flag(const cJSON *obj, const char *key, int dflt) {
    int v;
    return le_json_bool(obj, key, &v) ? v : dflt;
}

/* The one regex form SentencePiece conversions use: one literal character
 * repeated, "c{n,}" or "c+" (" {2,}" collapses runs of spaces). */
static int regex_run(const char *re, uint32_t *c, size_t *min) {
    size_t n = strlen(re), i = 0;
    if (n == 0 || le_utf8_check(re, n) != n) return 0;
    *c = le_utf8_next(re, n, &i);
    if (*c < 0x80 && strchr("\\.^$|?*+()[]{}", (int)*c)) return 0;
    if (!strcmp(re + i, "+")) {
        *min = 1;
        return 1;
    }
    if (re[i] != '{') return 0;
    char *end;
    unsigned long v = strtoul(re + i + 1, &end, 10);
    if (end == re + i + 1 || strcmp(end, ",}") || v == 0 || v > 1000000) return 0;
    *min = (size_t)v;
    return 1;
}

static le_status replace_parse(const cJSON *j, le_norm_step *s, const char *what, le_error *err) {
    const cJSON *pat = cJSON_GetObjectItemCaseSensitive(j, "pattern");
    const char *re = cJSON_IsObject(pat) ? le_json_str(pat, "Regex") : NULL;
    le_status r;
    if (re) {
        if (!regex_run(re, &s->run_char, &s->run_min))
            return le_fail(err, LE_ERR_UNSUPPORTED,
                           "%s: normalizer Replace with the regex \"%s\" is not supported (only "
                           "one character repeated, such as \" {2,}\")",
                           what, re);
    } else {
        if ((r = json_text(pat, "String", "Replace", &s->pattern, &s->pattern_len, what, err)))
            return r;
        if (s->pattern_len == 0)
            return le_fail(err, LE_ERR_FORMAT, "%s: normalizer Replace has an empty pattern", what);
    }
    return json_text(j, "content", "Replace", &s->content, &s->content_len, what, err);
}

static le_status precompiled_parse(const cJSON *j, le_norm_step *s, const char *what,
                                   le_error *err) {
    const char *b64 = le_json_str(j, "precompiled_charsmap");
    if (!b64)
        return le_fail(err, LE_ERR_FORMAT,
                       "%s: normalizer Precompiled needs a string \"precompiled_charsmap\"", what);
    s->charsmap = calloc(1, sizeof *s->charsmap);
    if (!s->charsmap) return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    return le_charsmap_parse_base64(b64, strlen(b64), s->charsmap, what, err);
}

static le_status normalizer_parse(const cJSON *j, le_normalizer *nz, const char *what,
                                  le_error *err) {
    if (!cJSON_IsObject(j))
        return le_fail(err, LE_ERR_FORMAT, "%s: a normalizer must be an object", what);
    const char *type = le_json_str(j, "type");
    if (!type) return le_fail(err, LE_ERR_FORMAT, "%s: normalizer without a \"type\"", what);
    if (!strcmp(type, "Sequence")) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(j, "normalizers");
        if (!cJSON_IsArray(list))
            return le_fail(err, LE_ERR_FORMAT,
                           "%s: Sequence normalizer needs a \"normalizers\" array", what);
        const cJSON *it;
        cJSON_ArrayForEach(it, list) {
            le_status r = normalizer_parse(it, nz, what, err);
            if (r) return r;
        }
        return LE_OK;
    }
    if (!strcmp(type, "BertNormalizer")) {
        int lower = json_flag(j, "lowercase", 1);
        /* strip_accents: null means "whatever lowercase is" (as in the Rust crate) */
        if (le_normalizer_add_bert(nz, json_flag(j, "clean_text", 1),
                                   json_flag(j, "handle_chinese_chars", 1),
                                   json_flag(j, "strip_accents", lower), lower))
            return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
        return LE_OK;
    }
    static const struct {
        const char *name;
        le_norm_kind kind;
    } plain[] = {{"Lowercase", LE_NORM_LOWERCASE}, {"NFD", LE_NORM_NFD},
                 {"NFKD", LE_NORM_NFKD},           {"NFC", LE_NORM_NFC},
                 {"NFKC", LE_NORM_NFKC},           {"StripAccents", LE_NORM_STRIP_ACCENTS},
                 {"Strip", LE_NORM_STRIP},         {"Replace", LE_NORM_REPLACE},
                 {"Prepend", LE_NORM_PREPEND},     {"Precompiled", LE_NORM_PRECOMPILED}};
    for (size_t k = 0; k < sizeof plain / sizeof plain[0]; k++) {
        if (strcmp(type, plain[k].name)) continue;
        le_norm_step *s = normalizer_push(nz, plain[k].kind);
        if (!s) return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
        if (s->kind == LE_NORM_STRIP) {
            s->strip_left = (uint8_t)json_flag(j, "strip_left", 1);
            s->strip_right = (uint8_t)json_flag(j, "strip_right", 1);
        } else if (s->kind == LE_NORM_PREPEND) {
            return json_text(j, "prepend", type, &s->content, &s->content_len, what, err);
        } else if (s->kind == LE_NORM_REPLACE) {
            return replace_parse(j, s, what, err);
        } else if (s->kind == LE_NORM_PRECOMPILED) {
            return precompiled_parse(j, s, what, err);
        }
        return LE_OK;
    }
    return le_fail(err, LE_ERR_UNSUPPORTED, "%s: normalizer \"%s\" is not supported yet", what,
                   type);
}

le_status le_normalizer_from_json(const cJSON *j, le_normalizer *out, const char *what,
                                  le_error *err) {
    memset(out, 0, sizeof *out);
    if (!j || cJSON_IsNull(j)) return LE_OK;
    le_status r = normalizer_parse(j, out, what, err);
    if (r) le_normalizer_free(out);
    return r;
}
