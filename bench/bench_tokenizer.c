/* Tokenizer throughput: MB/s and tokens/s for one call on the whole text,
 * one call per essay and one call per paragraph of the haystack essays
 * (concatenated in file-name order), and one call per line of the
 * 2,200 mixed-script lines of tests/fixtures/xlmr-unigram/tokens.jsonl (16
 * scripts, emoji, the normalizer's edge cases), plus the time to load
 * tokenizer.json. Each tokenizer given runs in turn: by default MiniLM's
 * WordPiece and the Unigram (SentencePiece) tokenizer of that fixture, a
 * 3,000-piece model trained here (XLM-R's has 250,002 pieces), and the
 * byte-level BPE of the SmolLM2 GGUF (49,152 tokens, 48,900 merges) when
 * it is there ($LE_SMOLLM2_GGUF or the cache), else the small Llama-3-style
 * BPE of tests/fixtures/bpe/tiny-llama3.
 *
 * usage: bench_tokenizer [tokenizer.json|model.gguf[,...] [haystack_dir]]
 * defaults: the minilm model in the cache ($XDG_CACHE_HOME/longembed or
 * ~/.cache/longembed), the fixture's Unigram and the BPE above;
 * /work/shared/data/haystack ($LE_HAYSTACK_DIR). */
#include "base/json.h"
#include "base/mapfile.h"
#include "generate/llm_tokenizer.h"
#include "text/tokenizer.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int name_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The essays: every *.txt except the licence, concatenated; offsets[i] is
 * where essay i starts (offsets[n] = total length). */
static char *read_essays(const char *dir, size_t **offsets, size_t *n_essays) {
    DIR *d = opendir(dir);
    if (!d) return NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".txt") || !strncmp(e->d_name, "SOURCE-", 7))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof *names);
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    char *all = NULL;
    size_t total = 0;
    *offsets = malloc((n + 1) * sizeof **offsets);
    for (size_t i = 0; i < n; i++) {
        char *path = le_path_join(dir, names[i]), *buf;
        size_t len;
        (*offsets)[i] = total;
        if (le_read_file(path, 0, &buf, &len, NULL) == LE_OK) {
            all = realloc(all, total + len + 1);
            memcpy(all + total, buf, len);
            total += len;
            free(buf);
        }
        free(path);
        free(names[i]);
    }
    free(names);
    (*offsets)[n] = total;
    *n_essays = n;
    if (all) all[total] = 0;
    return all;
}

typedef struct span {
    size_t off, len;
} span;

/* Encodes every span once; returns the token count. */
static size_t encode_spans(const le_tokenizer *t, const char *text, const span *s, size_t n,
                           le_ids *ids) {
    size_t tokens = 0;
    le_error err;
    for (size_t i = 0; i < n; i++) {
        ids->n = 0;
        if (le_tokenizer_encode(t, text + s[i].off, s[i].len, ids, &err)) {
            fprintf(stderr, "encode failed: %s\n", err.message);
            exit(1);
        }
        tokens += ids->n;
    }
    return tokens;
}

/* Best of several passes, each pass timed over at least 0.3 s of work. */
static void bench_case(const char *name, const le_tokenizer *t, const char *text, const span *s,
                       size_t n) {
    le_ids ids = {0};
    size_t bytes = 0, tokens = encode_spans(t, text, s, n, &ids); /* warm-up */
    for (size_t i = 0; i < n; i++) bytes += s[i].len;
    double best = 1e30;
    for (int pass = 0; pass < 5; pass++) {
        int reps = 0;
        double t0 = now_seconds(), el;
        do {
            encode_spans(t, text, s, n, &ids);
            reps++;
            el = now_seconds() - t0;
        } while (el < 0.3);
        if (el / reps < best) best = el / reps;
    }
    printf("| %-22s | %7zu | %8.2f | %9.1f | %9.2f | %8.2f |\n", name, n, best * 1e3,
           (double)bytes / best / 1e6, (double)tokens / best / 1e6, (double)bytes / tokens);
    le_ids_free(&ids);
}

/* The "text" of every line of a JSONL file, back to back into *text, one
 * span each; 0 when the file cannot be read. */
static size_t read_lines(const char *path, char **text, span **spans) {
    char *buf;
    size_t len, n = 0, cap = 0, total = 0;
    *text = NULL;
    *spans = NULL;
    if (le_read_file(path, 0, &buf, &len, NULL) != LE_OK) return 0;
    *text = malloc(len + 1);
    for (size_t a = 0; a < len;) {
        size_t b = a;
        while (b < len && buf[b] != '\n') b++;
        cJSON *j = NULL;
        if (b > a && le_json_parse(buf + a, b - a, path, &j, NULL) == LE_OK) {
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "text");
            if (cJSON_IsString(t)) {
                size_t l = strlen(t->valuestring);
                if (n == cap) *spans = realloc(*spans, (cap = cap ? cap * 2 : 1024) * sizeof **spans);
                memcpy(*text + total, t->valuestring, l);
                (*spans)[n++] = (span){total, l};
                total += l;
            }
            cJSON_Delete(j);
        }
        a = b + 1;
    }
    free(buf);
    return n;
}

/* The haystack essays and their paragraphs (cut at blank lines). */
typedef struct corpus {
    char *text;
    size_t total, n_essays, n_par, n_lines;
    span *essays, *pars;
    char *lines_text; /* the mixed-script lines */
    span *lines;
} corpus;

static int load_corpus(const char *dir, const char *lines_path, corpus *c) {
    size_t *offsets;
    c->text = read_essays(dir, &offsets, &c->n_essays);
    if (!c->text || c->n_essays == 0) {
        fprintf(stderr, "%s: no essays (*.txt) found\n", dir);
        return -1;
    }
    c->total = offsets[c->n_essays];
    c->essays = malloc(c->n_essays * sizeof *c->essays);
    for (size_t i = 0; i < c->n_essays; i++)
        c->essays[i] = (span){offsets[i], offsets[i + 1] - offsets[i]};
    free(offsets);
    size_t cap_par = 1024, start = 0;
    c->pars = malloc(cap_par * sizeof *c->pars);
    for (size_t i = 0; i + 1 <= c->total; i++) {
        int cut = i + 1 == c->total || (c->text[i] == '\n' && c->text[i + 1] == '\n');
        if (!cut) continue;
        size_t end = i + 1 == c->total ? c->total : i;
        if (end > start) {
            if (c->n_par == cap_par) c->pars = realloc(c->pars, (cap_par *= 2) * sizeof *c->pars);
            c->pars[c->n_par++] = (span){start, end - start};
        }
        start = i + 2;
    }
    c->n_lines = read_lines(lines_path, &c->lines_text, &c->lines);
    return 0;
}

/* tokenizer.json, or a GGUF's tokenizer (a path ending in .gguf). */
static le_status load_any(const char *path, le_tokenizer **t, le_error *err) {
    size_t n = strlen(path);
    if (n < 5 || strcmp(path + n - 5, ".gguf")) return le_tokenizer_load(path, t, err);
    le_gguf *g;
    le_status st = le_gguf_open(path, &g, err);
    if (st) return st;
    st = le_llm_tokenizer_from_gguf(g, t, err);
    le_gguf_close(g);
    return st;
}

/* The default BPE: the SmolLM2 GGUF if there, else the fixture's. */
static void default_bpe(char *list, size_t cap, const char *cache) {
    const char *env = getenv("LE_SMOLLM2_GGUF");
    char path[4200];
    snprintf(path, sizeof path, "%.4096s/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", cache);
    const char *pick = env && *env ? env : le_file_exists(path) ? path : NULL;
    strncat(list, ",", cap - strlen(list) - 1);
    strncat(list, pick ? pick : LE_SOURCE_DIR "/tests/fixtures/bpe/tiny-llama3/tokenizer.json",
            cap - strlen(list) - 1);
}

/* One tokenizer: its load time and every case. */
static int bench_tokenizer(const char *path, const corpus *c, const char *dir) {
    le_tokenizer *t = NULL;
    le_error err;
    double t0 = now_seconds();
    if (load_any(path, &t, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    double load_ms = (now_seconds() - t0) * 1e3;
    printf("tokenizer: %s (%s, %d ids), loaded in %.1f ms\n", path, le_tokenizer_kind(t),
           le_tokenizer_vocab_size(t), load_ms);
    printf("text: %zu essays from %s, %.2f MB; %zu mixed-script lines\n\n", c->n_essays, dir,
           (double)c->total / 1e6, c->n_lines);
    printf("| %-22s | %7s | %8s | %9s | %9s | %8s |\n", "case", "calls", "ms/pass", "MB/s",
           "Mtokens/s", "bytes/tok");
    printf("|%s|%s|%s|%s|%s|%s|\n", "------------------------", "---------", "----------",
           "-----------", "-----------", "----------");
    span whole = {0, c->total};
    bench_case("whole text, one call", t, c->text, &whole, 1);
    bench_case("one call per essay", t, c->text, c->essays, c->n_essays);
    bench_case("one call per paragraph", t, c->text, c->pars, c->n_par);
    if (c->n_lines) bench_case("mixed scripts per line", t, c->lines_text, c->lines, c->n_lines);
    printf("\n");
    le_tokenizer_free(t);
    return 0;
}

int main(int argc, char **argv) {
    char list[16384], cache[4096];
    if (argc > 1) {
        snprintf(list, sizeof list, "%s", argv[1]);
    } else {
        const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
        if (xdg && *xdg)
            snprintf(cache, sizeof cache, "%s/longembed", xdg);
        else
            snprintf(cache, sizeof cache, "%s/.cache/longembed", home ? home : ".");
        snprintf(list, sizeof list, "%s/models/minilm/tokenizer.json,", cache);
        strncat(list, LE_SOURCE_DIR "/tests/fixtures/xlmr-unigram/tokenizer.json",
                sizeof list - strlen(list) - 1);
        default_bpe(list, sizeof list, cache);
    }
    const char *dir = argc > 2 ? argv[2] : getenv("LE_HAYSTACK_DIR");
    if (!dir) dir = "/work/shared/data/haystack";
    corpus c = {0};
    if (load_corpus(dir, LE_SOURCE_DIR "/tests/fixtures/xlmr-unigram/tokens.jsonl", &c)) return 1;
    int rc = 0;
    char *save = NULL;
    for (char *p = strtok_r(list, ",", &save); p && !rc; p = strtok_r(NULL, ",", &save))
        rc = bench_tokenizer(p, &c, dir);
    free(c.pars);
    free(c.essays);
    free(c.text);
    free(c.lines_text);
    free(c.lines);
    return rc;
}
