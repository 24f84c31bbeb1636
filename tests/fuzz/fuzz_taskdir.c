/* libFuzzer target: any task directory must either load, with every
 * judgement pointing inside its split and every split query judged, or fail
 * with a status and a message; a loaded corpus then goes through the BM25
 * analyzer, index and search. The input is split at its first two NUL bytes
 * into corpus.jsonl, queries.jsonl and the qrels; the last byte of the input
 * picks qrels.jsonl or qrels/test.tsv. */
#include "eval/task.h"
#include "index/bm25.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_dir[64];

static void put(const char *name, const uint8_t *p, size_t n) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (n) fwrite(p, 1, n, f);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!g_dir[0]) {
        snprintf(g_dir, sizeof g_dir, "/tmp/le-fuzz-taskdir-%d", (int)getpid());
        mkdir(g_dir, 0755);
        char q[96];
        snprintf(q, sizeof q, "%s/qrels", g_dir);
        mkdir(q, 0755);
    }
    const uint8_t *end = data + size, *a = data;
    const uint8_t *z1 = memchr(a, 0, size);
    const uint8_t *b = z1 ? z1 + 1 : end;
    const uint8_t *z2 = z1 ? memchr(b, 0, (size_t)(end - b)) : NULL;
    const uint8_t *c = z2 ? z2 + 1 : end;
    int tsv = size && (data[size - 1] & 1);
    char path[128];
    snprintf(path, sizeof path, "%s/qrels.jsonl", g_dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/qrels/test.tsv", g_dir);
    unlink(path);
    put("corpus.jsonl", a, (size_t)((z1 ? z1 : end) - a));
    put("queries.jsonl", b, (size_t)((z2 ? z2 : end) - b));
    put(tsv ? "qrels/test.tsv" : "qrels.jsonl", c, (size_t)(end - c));
    le_task t;
    le_error err;
    if (le_task_load_dir(g_dir, &t, &err) != LE_OK) {
        if (!err.message[0]) abort();
        return 0;
    }
    for (size_t i = 0; i < t.n_splits; i++) {
        const le_split *s = &t.splits[i];
        for (size_t j = 0; j < s->n_qrels; j++)
            if (s->qrels[j].query >= s->queries.n || s->qrels[j].doc >= s->docs->n) abort();
        for (size_t q = 0; q < s->queries.n; q++) {
            size_t nj;
            le_split_qrels_of(s, (uint32_t)q, &nj);
            if (nj == 0) abort();
        }
        le_bm25 ix;
        le_analyzer_options ao = {(int)(i & 1)};
        if (le_bm25_build(&ix, s->docs->n, s->docs->texts, s->docs->lens, &ao, &err) != LE_OK)
            abort();
        le_hit hits[8];
        int n;
        for (size_t q = 0; q < s->queries.n; q++) {
            if (le_bm25_search(&ix, NULL, s->queries.texts[q], s->queries.lens[q], 8, NULL, hits,
                               &n, &err) != LE_OK)
                abort();
            for (int h = 0; h < n; h++)
                if (hits[h].doc >= s->docs->n || (h && le_hit_before(&hits[h], &hits[h - 1])))
                    abort();
        }
        le_bm25_free(&ix);
    }
    le_task_free(&t);
    return 0;
}
