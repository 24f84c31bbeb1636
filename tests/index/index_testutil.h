/* Synthetic collections for the index tests: random unit vectors, texts
 * from a small vocabulary, learned-sparse weights and multi-vectors, all
 * from a seed. */
#ifndef LE_TESTS_INDEX_TESTUTIL_H
#define LE_TESTS_INDEX_TESTUTIL_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "longembed.h"

static inline uint64_t tu_next(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline double tu_uniform(uint64_t *s) { return ((double)(tu_next(s) >> 11) + 0.5) / 9007199254740992.0; }

static inline float tu_gauss(uint64_t *s) {
    double u1 = tu_uniform(s), u2 = tu_uniform(s);
    return (float)(sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2));
}

/* n unit vectors of dim, row-major */
static inline float *tu_vectors(size_t n, int dim, uint64_t seed) {
    float *v = malloc(n * (size_t)dim * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (int d = 0; d < dim; d++) {
            float x = tu_gauss(&seed);
            v[i * dim + d] = x;
            s += (double)x * x;
        }
        float inv = (float)(1 / sqrt(s));
        for (int d = 0; d < dim; d++) v[i * dim + d] *= inv;
    }
    return v;
}

static const char *const tu_words[] = {
    "river", "bread", "lease", "tenant", "wheel", "torque", "licence", "notice", "board",
    "warehouse", "mussel", "survey", "starter", "oven", "lighthouse", "letter", "trial",
    "sleep", "the", "and", "of", "bearing", "vacuum", "salt", "keeper", "damages", "freight",
    "roof", "bees", "hiring", "freeze", "site", "flour", "yeast", "clause", "party"};
#define TU_N_WORDS (sizeof tu_words / sizeof *tu_words)

/* a text of about `words` words (malloc'd) */
static inline char *tu_text(int words, uint64_t *s) {
    size_t cap = (size_t)words * 12 + 16, n = 0;
    char *t = malloc(cap);
    for (int w = 0; w < words; w++) {
        /* a skewed choice so terms have different frequencies */
        double u = tu_uniform(s);
        size_t i = (size_t)(u * u * TU_N_WORDS);
        n += (size_t)snprintf(t + n, cap - n, w ? " %s" : "%s", tu_words[i]);
    }
    t[n] = 0;
    return t;
}

static inline char *tu_tmpdir(void) {
    char tmpl[] = "/tmp/le_index_test_XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

static inline void tu_rmdir(const char *dir) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

#endif
