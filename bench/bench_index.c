/* Index benchmark: build rates and search latencies.
 *
 *   bench_index [--sizes 10000,100000] [--queries 200] [-m MODEL] [--no-model]
 *               [--samples DIR] [--haystack DIR] [--haystack-docs N] [--threads N]
 *
 * Prints one markdown table:
 *  - build with the real model (default minilm, --extend pi, --max-tokens
 *    8192): the sample documents and haystack essays, documents/s and
 *    tokens/s of embedding + committing;
 *  - dense search over random 384-d unit vectors (uniform on the sphere, the
 *    hardest case for a graph) at each size: exact (blocked GEMM, top-k) and
 *    HNSW with default settings (calibrated beam), latency p50/p99 of single
 *    queries, HNSW recall@10 against exact, and the build rate (graph and
 *    calibration included);
 *  - BM25 over generated text (Zipf-distributed words, ~300 per document)
 *    at each size: build rate and latency p50/p99 of 3-word queries. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "longembed.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

static uint64_t g_rng = 0x1234567;
static uint64_t rnd(void) {
    uint64_t z = (g_rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static double unif(void) { return ((double)(rnd() >> 11) + 0.5) / 9007199254740992.0; }

static float *unit_vectors(size_t n, int dim) {
    float *v = malloc(n * (size_t)dim * sizeof *v);
    if (!v) return NULL;
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (int d = 0; d < dim; d++) {
            double g = sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif());
            v[i * dim + d] = (float)g;
            s += g * g;
        }
        for (int d = 0; d < dim; d++) v[i * dim + d] = (float)(v[i * dim + d] / sqrt(s));
    }
    return v;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *ms, int n, double p) {
    qsort(ms, (size_t)n, sizeof *ms, cmp_double);
    int i = (int)ceil(p / 100.0 * n) - 1;
    return ms[i < 0 ? 0 : i >= n ? n - 1 : i];
}

static char g_dir[256];

static void row(const char *what, const char *n, const char *build, const char *p50,
                const char *p99, const char *note) {
    printf("| %s | %s | %s | %s | %s | %s |\n", what, n, build, p50, p99, note);
    fflush(stdout);
}

/* ------------------------------------------------------------- real model */

static char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) b[n] = 0;
    *len = (size_t)n;
    return b;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the .txt files of dir, sorted, at most max */
static int list_txt(const char *dir, int max, char ***out) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    char **names = NULL;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".txt")) continue;
        names = realloc(names, (size_t)(n + 1) * sizeof *names);
        names[n] = malloc(strlen(dir) + l + 2);
        sprintf(names[n], "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    for (int i = max; i < n; i++) free(names[i]);
    *out = names;
    return n < max ? n : max;
}

static void bench_model(le_model *m, const char *label, const char *dir, int max_docs) {
    char **files = NULL;
    int n = list_txt(dir, max_docs, &files);
    if (n == 0) {
        row(label, "0", "(no .txt files in the directory)", "", "", dir);
        return;
    }
    char path[512];
    snprintf(path, sizeof path, "%s/model-%s.lei", g_dir, label);
    le_embed_options eo;
    le_embed_options_init(&eo);
    eo.extend = LE_EXTEND_PI;
    eo.max_tokens = 8192;
    eo.truncate = 1;
    le_index_model im;
    le_error err;
    le_index_writer *w = NULL;
    if (le_index_model_describe(m, NULL, &eo, &im, &err) ||
        le_index_writer_open(path, &im, NULL, &w, &err)) {
        fprintf(stderr, "bench_index: %s\n", err.message);
        return;
    }
    double tokens = 0, t0 = now();
    for (int i = 0; i < n; i++) {
        size_t len;
        char *text = read_all(files[i], &len);
        if (!text) continue;
        le_index_doc d = {0};
        d.id = files[i];
        d.text = text;
        d.text_len = len;
        le_text_result r;
        if (le_index_writer_add_texts(w, m, &eo, 1, &d, &r, &err)) fprintf(stderr, "bench_index: %s\n", err.message);
        else tokens += r.tokens;
        free(text);
    }
    if (le_index_writer_commit(w, &err)) fprintf(stderr, "bench_index: %s\n", err.message);
    double el = now() - t0;
    le_index_writer_close(w);
    char nb[32], build[96], note[256];
    snprintf(nb, sizeof nb, "%d", n);
    snprintf(build, sizeof build, "%.2f docs/s, %.0f tokens/s", n / el, tokens / el);
    snprintf(note, sizeof note, "%s, pi to 8192 tokens, %.0f tokens/doc", im.name, tokens / n);
    row(label, nb, build, "", "", note);
    for (int i = 0; i < n; i++) free(files[i]);
    free(files);
}

/* ------------------------------------------------------------ dense */

static void bench_dense(size_t n, int nq) {
    const int dim = 384;
    char path[512];
    snprintf(path, sizeof path, "%s/dense-%zu.lei", g_dir, n);
    le_index_model im;
    le_index_model_init(&im);
    snprintf(im.name, sizeof im.name, "random");
    im.dim = dim;
    le_error err;
    le_index_writer *w = NULL;
    if (le_index_writer_open(path, &im, NULL, &w, &err)) {
        fprintf(stderr, "bench_index: %s\n", err.message);
        return;
    }
    float *v = unit_vectors(n, dim);
    le_index_doc *d = calloc(n, sizeof *d);
    char (*ids)[24] = malloc(n * sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        snprintf(ids[i], sizeof ids[i], "%zu", i);
        d[i].id = ids[i];
        d[i].dense = v + i * dim;
    }
    double t0 = now();
    le_index_writer_add(w, n, d, &err);
    if (le_index_writer_commit(w, &err)) fprintf(stderr, "bench_index: %s\n", err.message);
    double build = now() - t0;
    le_index_writer_close(w);
    free(d);
    free(ids);
    free(v);
    le_index *ix;
    if (le_index_open(path, NULL, &ix, &err)) {
        fprintf(stderr, "bench_index: %s\n", err.message);
        return;
    }
    le_index_info info;
    le_index_get_info(ix, &info);
    float *q = unit_vectors((size_t)nq + 1, dim);
    double *te = malloc((size_t)nq * sizeof *te), *th = malloc((size_t)nq * sizeof *th);
    le_search_options ex, ap;
    le_search_options_init(&ex);
    le_search_options_init(&ap);
    ex.exact = 1;
    ap.exact = -1; /* the graph with its calibrated beam */
    le_index_hit he[10], ha[10];
    int ne, na;
    le_index_query qq = {0};
    qq.dense = q + (size_t)nq * dim; /* warm-up: packs the vectors for the GEMM */
    le_index_search(ix, &qq, &ex, he, &ne, &err);
    le_index_search(ix, &qq, &ap, ha, &na, &err);
    long hits = 0;
    for (int i = 0; i < nq; i++) {
        qq.dense = q + (size_t)i * dim;
        double t1 = now();
        le_index_search(ix, &qq, &ex, he, &ne, &err);
        double t2 = now();
        le_index_search(ix, &qq, &ap, ha, &na, &err);
        double t3 = now();
        te[i] = (t2 - t1) * 1e3;
        th[i] = (t3 - t2) * 1e3;
        for (int a = 0; a < na; a++)
            for (int b = 0; b < ne; b++) hits += ha[a].doc == he[b].doc;
    }
    char nb[32], b50[32], b99[32], brate[96], note[192];
    snprintf(nb, sizeof nb, "%zu", n);
    snprintf(b50, sizeof b50, "%.2f ms", pct(te, nq, 50));
    snprintf(b99, sizeof b99, "%.2f ms", pct(te, nq, 99));
    row("dense exact", nb, "", b50, b99, "384-d random unit vectors, GEMM over all, 2 threads");
    snprintf(b50, sizeof b50, "%.2f ms", pct(th, nq, 50));
    snprintf(b99, sizeof b99, "%.2f ms", pct(th, nq, 99));
    snprintf(brate, sizeof brate, "%.0f docs/s (%.0f s)", n / build, build);
    snprintf(note, sizeof note, "recall@10 %.4f vs exact; M %d, ef_construction %d, calibrated ef %d; 1 thread",
             hits / (double)(nq * 10), info.hnsw_m, info.hnsw_ef_construction,
             info.hnsw_ef_calibrated);
    row("dense HNSW", nb, info.segments_with_graph ? brate : "(no graph)", b50, b99, note);
    le_index_close(ix);
    free(q);
    free(te);
    free(th);
    unlink(path);
}

/* ------------------------------------------------------------ BM25 */

#define VOCAB 50000

static double *g_cdf;
static char g_words[VOCAB][12];

static void make_vocab(void) {
    static const char *syl[] = {"ka", "lo", "mi", "ne", "tu", "ra", "si", "po", "da", "fe",
                                "gu", "ho", "ji", "ve", "zo", "be", "cu", "wa", "ye", "xi"};
    g_cdf = malloc(VOCAB * sizeof *g_cdf);
    double s = 0;
    for (int r = 0; r < VOCAB; r++) {
        s += 1.0 / pow(r + 1, 1.07);
        g_cdf[r] = s;
        int x = r + 20, k = 0;
        char *w = g_words[r];
        while (x > 0 && k < 10) {
            memcpy(w + k, syl[x % 20], 2);
            k += 2;
            x /= 20;
        }
        w[k] = 0;
    }
    for (int r = 0; r < VOCAB; r++) g_cdf[r] /= s;
}

static const char *zipf_word(int lo, int hi) {
    double u = g_cdf[lo] + unif() * (g_cdf[hi - 1] - g_cdf[lo]);
    int a = lo, b = hi - 1;
    while (a < b) {
        int mid = (a + b) / 2;
        if (g_cdf[mid] < u) a = mid + 1;
        else b = mid;
    }
    return g_words[a];
}

static char *gen_text(int words) {
    size_t cap = (size_t)words * 12, n = 0;
    char *t = malloc(cap);
    for (int i = 0; i < words; i++) {
        const char *w = zipf_word(0, VOCAB);
        size_t l = strlen(w);
        if (i) t[n++] = ' ';
        memcpy(t + n, w, l);
        n += l;
    }
    t[n] = 0;
    return t;
}

static void bench_bm25(size_t n, int nq) {
    char path[512];
    snprintf(path, sizeof path, "%s/bm25-%zu.lei", g_dir, n);
    le_error err;
    le_index_writer *w = NULL;
    if (le_index_writer_open(path, NULL, NULL, &w, &err)) {
        fprintf(stderr, "bench_index: %s\n", err.message);
        return;
    }
    char **texts = malloc(n * sizeof *texts);
    le_index_doc *d = calloc(n, sizeof *d);
    char (*ids)[24] = malloc(n * sizeof *ids);
    double words = 0;
    for (size_t i = 0; i < n; i++) {
        int nw = 150 + (int)(unif() * 300);
        texts[i] = gen_text(nw);
        words += nw;
        snprintf(ids[i], sizeof ids[i], "%zu", i);
        d[i].id = ids[i];
        d[i].text = texts[i];
    }
    double t0 = now();
    le_index_writer_add(w, n, d, &err);
    if (le_index_writer_commit(w, &err)) fprintf(stderr, "bench_index: %s\n", err.message);
    double build = now() - t0;
    le_index_writer_close(w);
    for (size_t i = 0; i < n; i++) free(texts[i]);
    free(texts);
    free(d);
    free(ids);
    le_index *ix;
    if (le_index_open(path, NULL, &ix, &err)) {
        fprintf(stderr, "bench_index: %s\n", err.message);
        return;
    }
    le_search_options so;
    le_search_options_init(&so);
    so.mode = LE_SEARCH_BM25;
    double *t = malloc((size_t)nq * sizeof *t);
    le_index_hit h[10];
    int nh;
    for (int i = -1; i < nq; i++) {
        char q[64];
        snprintf(q, sizeof q, "%s %s %s", zipf_word(50, 5000), zipf_word(50, 5000), zipf_word(50, 5000));
        le_index_query qq = {0};
        qq.text = q;
        double t1 = now();
        le_index_search(ix, &qq, &so, h, &nh, &err);
        if (i >= 0) t[i] = (now() - t1) * 1e3;
    }
    le_index_info info;
    le_index_get_info(ix, &info);
    char nb[32], b50[32], b99[32], brate[96], note[160];
    snprintf(nb, sizeof nb, "%zu", n);
    snprintf(b50, sizeof b50, "%.2f ms", pct(t, nq, 50));
    snprintf(b99, sizeof b99, "%.2f ms", pct(t, nq, 99));
    snprintf(brate, sizeof brate, "%.0f docs/s, %.0f words/s", n / build, words / build);
    snprintf(note, sizeof note, "generated text, %.0f words/doc, %llu terms, 3-word queries", words / n,
             (unsigned long long)info.terms);
    row("BM25", nb, brate, b50, b99, note);
    le_index_close(ix);
    free(t);
    unlink(path);
}

int main(int argc, char **argv) {
    const char *sizes = "10000,100000", *model = "minilm", *samples = "samples",
               *haystack = "../shared/data/haystack";
    int nq = 200, use_model = 1, hay_docs = 16, threads = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--sizes") && v) sizes = v, i++;
        else if (!strcmp(a, "--queries") && v) nq = atoi(v), i++;
        else if (!strcmp(a, "-m") && v) model = v, i++;
        else if (!strcmp(a, "--no-model")) use_model = 0;
        else if (!strcmp(a, "--samples") && v) samples = v, i++;
        else if (!strcmp(a, "--haystack") && v) haystack = v, i++;
        else if (!strcmp(a, "--haystack-docs") && v) hay_docs = atoi(v), i++;
        else if (!strcmp(a, "--threads") && v) threads = atoi(v), i++;
        else {
            fprintf(stderr, "usage: bench_index [--sizes N,N] [--queries N] [-m MODEL] [--no-model] "
                            "[--samples DIR] [--haystack DIR] [--haystack-docs N] [--threads N]\n");
            return 2;
        }
    }
    if (nq < 1) nq = 1;
    snprintf(g_dir, sizeof g_dir, "/tmp/le-bench-index-XXXXXX");
    if (!mkdtemp(g_dir)) return 1;
    printf("| what | documents | build | p50 | p99 | notes |\n|---|---|---|---|---|---|\n");
    if (use_model) {
        le_model_options mo;
        le_model_options_init(&mo);
        mo.threads = threads;
        le_model *m = NULL;
        le_error err;
        if (le_model_open(model, &mo, &m, &err)) {
            fprintf(stderr, "bench_index: %s (skipping the model rows)\n", err.message);
        } else {
            bench_model(m, "build: samples", samples, 1000);
            bench_model(m, "build: haystack", haystack, hay_docs);
            le_model_close(m);
        }
    }
    make_vocab();
    for (const char *p = sizes; *p;) {
        size_t n = (size_t)strtoull(p, NULL, 10);
        if (n) {
            bench_dense(n, nq);
            bench_bm25(n, nq);
        }
        p = strchr(p, ',');
        if (!p) break;
        p++;
    }
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "bench_index: cannot remove %s\n", g_dir);
    free(g_cdf);
    return 0;
}
