/* Long inputs through a RoPE encoder: time and peak memory of one document
 * of 4k, 8k and 32k tokens with SelfExtend (or another method) through the
 * E5-RoPE-Base shape (12 layers, hidden 768, 12 heads, FFN 3072).
 *
 *   bench_long_rope [-m MODEL_DIR] [--extend selfextend] [--lengths 4096,8192,32768]
 *                   [--threads N] [--isa ISA] [--keep DIR]
 *
 * Without -m it writes a random-weight E5-RoPE-Base-shaped checkpoint
 * (config.json, model.safetensors, the tiny cased tokenizer of
 * tests/fixtures/bert-cased-tiny) to a temporary directory, removed at the
 * end unless --keep names where to put it. Every length runs in a fresh
 * child process, so the peak RSS printed (getrusage) is that length's alone:
 * the mapped checkpoint, the packed weights and the activations. Run from the
 * repository root. */
#include "bench_long.h"
#include "longembed.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define H 768
#define LAYERS 12
#define HEADS 12
#define INTER 3072
#define VOCAB 30522

#define now bench_now

static uint64_t rng = 0x853c49e6748fea9bull;
static double uniform01(void) { return (bench_xorshift(&rng) >> 11) * (1.0 / 9007199254740992.0); }

/* one tensor of the checkpoint: name, shape, and how to fill it */
typedef struct tensor {
    char name[96];
    int rows, cols; /* cols 0: a vector */
    float fill;     /* < 0: normal(0, -fill); else the constant */
} tensor;

static int n_tensors;
static tensor tensors[16 * LAYERS + 8];

static void add(const char *name, int rows, int cols, float fill) {
    tensor *t = &tensors[n_tensors++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->rows = rows, t->cols = cols, t->fill = fill;
}

/* prefix.weight [rows][cols] filled with w and prefix.bias [rows] with b;
 * cols 0: a LayerNorm (weight and bias are vectors) */
static void add_pair(int layer, const char *what, int rows, int cols, float w, float b) {
    char n[96];
    snprintf(n, sizeof n, "encoder.layer.%d.%s.weight", layer, what);
    add(n, rows, cols, w);
    snprintf(n, sizeof n, "encoder.layer.%d.%s.bias", layer, what);
    add(n, rows, 0, b);
}

static int copy_file(const char *from, const char *to) {
    FILE *a = fopen(from, "rb"), *b = a ? fopen(to, "wb") : NULL;
    char buf[65536];
    size_t n;
    int ok = a && b;
    while (ok && (n = fread(buf, 1, sizeof buf, a)) > 0) ok = fwrite(buf, 1, n, b) == n;
    if (a) fclose(a);
    if (b && fclose(b)) ok = 0;
    return ok ? 0 : -1;
}

/* The random E5-RoPE-Base-shaped checkpoint in dir. */
static int write_model(const char *dir) {
    char path[4096];
    if (mkdir(dir, 0755) && errno != EEXIST) return -1;
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(
        f,
        "{\"architectures\": [\"E5RopeModel\"], \"model_type\": \"e5rope\",\n"
        " \"_name_or_path\": \"dwzhu/e5rope-base (random, bench)\",\n"
        " \"vocab_size\": %d, \"hidden_size\": %d, \"num_hidden_layers\": %d,\n"
        " \"num_attention_heads\": %d, \"intermediate_size\": %d, \"hidden_act\": \"gelu\",\n"
        " \"max_position_embeddings\": 512, \"type_vocab_size\": 2, \"layer_norm_eps\": 1e-12,\n"
        " \"rope_theta\": 10000, \"rotary_value\": false}\n",
        VOCAB, H, LAYERS, HEADS, INTER);
    fclose(f);
    snprintf(path, sizeof path, "%s/tokenizer.json", dir);
    if (copy_file("tests/fixtures/bert-cased-tiny/tokenizer.json", path)) {
        fprintf(stderr, "bench_long_rope: run from the repository root (needs tests/fixtures)\n");
        return -1;
    }
    n_tensors = 0;
    add("embeddings.word_embeddings.weight", VOCAB, H, -0.02f);
    add("embeddings.token_type_embeddings.weight", 2, H, -0.02f);
    add("embeddings.LayerNorm.weight", H, 0, 1.0f);
    add("embeddings.LayerNorm.bias", H, 0, 0.0f);
    for (int l = 0; l < LAYERS; l++) {
        add_pair(l, "attention.self.query", H, H, -0.05f, 0.0f);
        add_pair(l, "attention.self.key", H, H, -0.05f, 0.0f);
        add_pair(l, "attention.self.value", H, H, -0.05f, 0.0f);
        add_pair(l, "attention.output.dense", H, H, -0.02f, 0.0f);
        add_pair(l, "attention.output.LayerNorm", H, 0, 1.0f, 0.0f);
        add_pair(l, "intermediate.dense", INTER, H, -0.02f, 0.0f);
        add_pair(l, "output.dense", H, INTER, -0.02f, 0.0f);
        add_pair(l, "output.LayerNorm", H, 0, 1.0f, 0.0f);
    }
    /* header: {"name": {"dtype": "F32", "shape": [...], "data_offsets": [a, b]}, ...} */
    size_t cap = 64 + (size_t)n_tensors * 192, len = 0, off = 0;
    char *hdr = malloc(cap);
    if (!hdr) return -1;
    len += (size_t)snprintf(hdr + len, cap - len, "{");
    for (int i = 0; i < n_tensors; i++) {
        const tensor *t = &tensors[i];
        size_t bytes = (size_t)t->rows * (t->cols ? t->cols : 1) * 4;
        if (t->cols)
            len +=
                (size_t)snprintf(hdr + len, cap - len,
                                 "%s\"%s\":{\"dtype\":\"F32\",\"shape\":[%d,%d],\"data_offsets\":"
                                 "[%zu,%zu]}",
                                 i ? "," : "", t->name, t->rows, t->cols, off, off + bytes);
        else
            len += (size_t)snprintf(hdr + len, cap - len,
                                    "%s\"%s\":{\"dtype\":\"F32\",\"shape\":[%d],\"data_offsets\":"
                                    "[%zu,%zu]}",
                                    i ? "," : "", t->name, t->rows, off, off + bytes);
        off += bytes;
    }
    len += (size_t)snprintf(hdr + len, cap - len, "}");
    while (len % 8) hdr[len++] = ' ';
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    f = fopen(path, "wb");
    if (!f) {
        free(hdr);
        return -1;
    }
    uint64_t hl = len;
    int ok = fwrite(&hl, 8, 1, f) == 1 && fwrite(hdr, 1, len, f) == len;
    free(hdr);
    float *buf = malloc(sizeof(float) * (size_t)INTER * H);
    for (int i = 0; i < n_tensors && ok && buf; i++) {
        const tensor *t = &tensors[i];
        size_t count = (size_t)t->rows * (t->cols ? t->cols : 1);
        for (size_t k = 0; k < count;) {
            size_t chunk = count - k < (size_t)INTER * H ? count - k : (size_t)INTER * H;
            for (size_t j = 0; j < chunk; j += 2) { /* Box-Muller pairs */
                double u = uniform01(), v = uniform01();
                double r = sqrt(-2.0 * log(u > 1e-300 ? u : 1e-300));
                buf[j] = t->fill < 0 ? (float)(-t->fill * r * cos(2 * M_PI * v)) : t->fill;
                if (j + 1 < chunk)
                    buf[j + 1] = t->fill < 0 ? (float)(-t->fill * r * sin(2 * M_PI * v)) : t->fill;
            }
            ok = fwrite(buf, sizeof(float), chunk, f) == chunk;
            k += chunk;
        }
    }
    free(buf);
    if (fclose(f)) ok = 0;
    return ok ? 0 : -1;
}

/* One length in this (child) process: prints one table row. */
static int run_length(const char *dir, int len, le_extend ext, const bench_long_args *a) {
    le_error err;
    double t0 = now();
    le_model *m = bench_open_model(dir, a, "bench_long_rope");
    if (!m) return 1;
    double t_open = now() - t0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    long rss_open = ru.ru_maxrss;
    int32_t *ids = malloc(sizeof(int32_t) * (size_t)len);
    for (int i = 0; i < len; i++)
        ids[i] = 1000 + (int32_t)(uniform01() * 1900); /* in the tokenizer's range */
    size_t n = (size_t)len - 2;
    const int32_t *one = ids;
    le_embed_options eo;
    le_embed_options_init(&eo);
    eo.extend = ext;
    eo.max_tokens = len;
    float *v = malloc(sizeof(float) * H);
    le_text_result res;
    t0 = now();
    le_status s = le_embed_tokens(m, 1, &one, &n, &eo, v, &res, &err);
    double t = now() - t0;
    getrusage(RUSAGE_SELF, &ru);
    if (s) {
        fprintf(stderr, "bench_long_rope: %d tokens: %s\n", len, err.message);
        return 1;
    }
    le_model_info info;
    le_model_get_info(m, &info);
    printf("| %6d | %-10s | %7.2f | %8.0f | %9.0f | %10.0f | %5.2f | %s, %d threads |\n",
           res.tokens, le_extend_name(ext), t, res.tokens / t, rss_open / 1024.0,
           ru.ru_maxrss / 1024.0, t_open, info.isa, info.threads);
    fflush(stdout);
    free(ids);
    free(v);
    le_model_close(m);
    return 0;
}

/* What every child needs: the checkpoint and the run's options. */
typedef struct rope_run {
    const char *dir;
    le_extend ext;
    const bench_long_args *a;
} rope_run;

static int run_one(int len, void *user) {
    const rope_run *r = user;
    return run_length(r->dir, len, r->ext, r->a);
}

/* bench_long_rope's own options: --extend M, --keep DIR. */
static int rope_option(const char *opt, const char *value, void *user) {
    const char **own = user; /* [0] method, [1] keep */
    if (!strcmp(opt, "--extend")) own[0] = value;
    else if (!strcmp(opt, "--keep")) own[1] = value;
    else return 0;
    return 1;
}

int main(int argc, char **argv) {
    bench_long_args a = {NULL, NULL, "4096,8192,32768", 0};
    const char *own[2] = {"selfextend", NULL};
    if (bench_long_parse(argc, argv, &a, "usage: bench_long_rope [-m DIR] [--extend M] "
                         "[--lengths L,...] [--threads N] [--isa ISA] [--keep DIR]\n",
                         rope_option, own))
        return 2;
    const char *keep = own[1];
    le_extend ext;
    le_error err;
    if (le_extend_parse(own[0], &ext, &err)) {
        fprintf(stderr, "bench_long_rope: %s\n", err.message);
        return 2;
    }
    char tmp[] = "/tmp/bench-long-rope-XXXXXX";
    const char *dir = a.model;
    if (!dir) {
        if (keep)
            dir = keep;
        else if (!(dir = mkdtemp(tmp)))
            return 1;
        fprintf(stderr, "writing a random E5-RoPE-Base-shaped checkpoint to %s ...\n", dir);
        if (write_model(dir)) {
            fprintf(stderr, "bench_long_rope: cannot write the checkpoint in %s\n", dir);
            return 1;
        }
    }
    printf("| tokens | method     | seconds | tokens/s | RSS open MiB | peak RSS MiB | open s | "
           "kernels |\n|---|---|---|---|---|---|---|---|\n");
    rope_run r = {dir, ext, &a};
    int rc = bench_long_each(a.lengths, run_one, &r);
    if (!a.model && !keep) {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd)) rc = 1;
    }
    return rc;
}
