#include "index/hnsw.h"

#include "base/array.h"
#include "base/hash.h"
#include "index/vecdot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_MAX 256

void le_hnsw_params_init(le_hnsw_params *p) {
    p->m = 16;
    p->ef_construction = 200;
    p->seed = 0x686e7377ULL;
}

void le_hnsw_free(le_hnsw *g) {
    if (g->owned) {
        free((void *)g->levels);
        free((void *)g->links0);
        free((void *)g->upper_off);
        free((void *)g->upper);
    }
    memset(g, 0, sizeof *g);
}

void le_hnsw_scratch_free(le_hnsw_scratch *s) {
    free(s->visited);
    free(s->cand);
    free(s->res);
    free(s->qbuf);
    memset(s, 0, sizeof *s);
}

size_t le_hnsw_bytes(const le_hnsw *g) {
    return (size_t)g->n * (1 + ((size_t)g->m0 + 1) * 4 + 8) + 8 + (size_t)g->n_upper * 4;
}

static inline const uint32_t *links_at(const le_hnsw *g, uint32_t x, int l) {
    if (l == 0) return g->links0 + (size_t)x * (size_t)(g->m0 + 1);
    return g->upper + g->upper_off[x] + (size_t)(l - 1) * (size_t)(g->m + 1);
}

static inline float sim_q(const le_vecs *v, const le_vdot_kernels *K, const float *q, uint32_t i) {
    if (v->f32) return K->f32(q, v->f32 + (size_t)i * (size_t)v->dim, v->dim);
    return K->i8(q, v->i8 + (size_t)i * (size_t)v->dim, v->dim) * v->scale[i];
}

/* Prefetches a whole row (the hardware prefetcher does not cross into a
 * random next row early enough). */
static inline void prefetch_row(const le_vecs *v, uint32_t i) {
    size_t bytes = (size_t)v->dim * (v->f32 ? 4 : 1);
    const char *p = v->f32 ? (const char *)(v->f32 + (size_t)i * (size_t)v->dim)
                           : (const char *)(v->i8 + (size_t)i * (size_t)v->dim);
    for (size_t o = 0; o < bytes; o += 64) __builtin_prefetch(p + o);
}

/* the row of node i as floats: the row itself, or dequantised into buf */
static const float *row_f32(const le_vecs *v, uint32_t i, float *buf) {
    if (v->f32) return v->f32 + (size_t)i * (size_t)v->dim;
    const int8_t *r = v->i8 + (size_t)i * (size_t)v->dim;
    float s = v->scale[i];
    for (int d = 0; d < v->dim; d++) buf[d] = (float)r[d] * s;
    return buf;
}

/* ------------------------------------------------------------------ heaps */

/* best-at-root heap (candidates to expand) */
static void best_push(le_hit *h, int *n, le_hit x) {
    int i = (*n)++;
    h[i] = x;
    while (i > 0) {
        int p = (i - 1) / 2;
        if (!le_hit_before(&h[i], &h[p])) break;
        le_hit t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

static le_hit best_pop(le_hit *h, int *n) {
    le_hit top = h[0];
    h[0] = h[--(*n)];
    for (int i = 0;;) {
        int l = 2 * i + 1, r = l + 1, b = i;
        if (l < *n && le_hit_before(&h[l], &h[b])) b = l;
        if (r < *n && le_hit_before(&h[r], &h[b])) b = r;
        if (b == i) break;
        le_hit t = h[i];
        h[i] = h[b];
        h[b] = t;
        i = b;
    }
    return top;
}

/* worst-at-root heap (results kept) */
static void worst_push(le_hit *h, int *n, le_hit x) {
    int i = (*n)++;
    h[i] = x;
    while (i > 0) {
        int p = (i - 1) / 2;
        if (!le_hit_before(&h[p], &h[i])) break;
        le_hit t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

static void worst_pop(le_hit *h, int *n) {
    h[0] = h[--(*n)];
    for (int i = 0;;) {
        int l = 2 * i + 1, r = l + 1, w = i;
        if (l < *n && le_hit_before(&h[w], &h[l])) w = l;
        if (r < *n && le_hit_before(&h[w], &h[r])) w = r;
        if (w == i) break;
        le_hit t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

/* Room for n hits in both heaps; -1 when out of memory. */
static int heap_reserve(le_hnsw_scratch *s, size_t n) {
    if (le_array_reserve(s->cand, s->cand_cap, n)) return -1;
    return le_array_reserve(s->res, s->res_cap, n) ? -1 : 0;
}

static int scratch_reserve(le_hnsw_scratch *s, size_t n, int heap, int dim) {
    if (s->cap < n) {
        free(s->visited);
        s->visited = calloc(n, sizeof *s->visited);
        s->cap = s->visited ? n : 0;
        s->stamp = 0;
        if (!s->visited) return -1;
    }
    if (heap_reserve(s, (size_t)heap)) return -1;
    if (dim && !s->qbuf) {
        s->qbuf = malloc((size_t)dim * sizeof *s->qbuf);
        if (!s->qbuf) return -1;
    }
    return 0;
}

static void next_stamp(le_hnsw_scratch *s) {
    if (++s->stamp == 0) {
        memset(s->visited, 0, s->cap * sizeof *s->visited);
        s->stamp = 1;
    }
}

/* Greedy descent on layer l from *ep (similarity *eps). */
static void greedy(const le_hnsw *g, const le_vecs *v, const le_vdot_kernels *K, const float *q,
                   int l, uint32_t ban, uint32_t *ep, float *eps) {
    for (int changed = 1; changed;) {
        changed = 0;
        const uint32_t *ln = links_at(g, *ep, l);
        for (uint32_t j = 1; j <= ln[0]; j++) {
            if (ln[j] == ban) continue;
            float s = sim_q(v, K, q, ln[j]);
            le_hit a = {ln[j], s}, b = {*ep, *eps};
            if (le_hit_before(&a, &b)) {
                *ep = ln[j];
                *eps = s;
                changed = 1;
            }
        }
    }
}

/* Beam search on layer l from one entry point: the best ef nodes (not in
 * skip) in s->res[0..*nres) as a worst-at-root heap. The candidate heap has
 * room for every node (cand_cap >= n + 1 is not required: it grows). */
static int search_layer(const le_hnsw *g, const le_vecs *v, const le_vdot_kernels *K,
                        const float *q, uint32_t ep, float eps, int ef, int l,
                        const uint8_t *skip, uint32_t ban, le_hnsw_scratch *s, int *nres) {
    next_stamp(s);
    if (ban < g->n) s->visited[ban] = s->stamp; /* as if the node were not in the graph */
    int nc = 0, nr = 0;
    s->visited[ep] = s->stamp;
    best_push(s->cand, &nc, (le_hit){ep, eps});
    if (!skip || !(skip[ep >> 3] >> (ep & 7) & 1)) worst_push(s->res, &nr, (le_hit){ep, eps});
    while (nc > 0) {
        le_hit c = best_pop(s->cand, &nc);
        if (nr == ef && le_hit_before(&s->res[0], &c)) break;
        const uint32_t *ln = links_at(g, c.doc, l);
        /* the unvisited neighbours first, their rows prefetched, then their scores */
        uint32_t todo[LE_HNSW_MAX_M * 2], nt = 0;
        for (uint32_t j = 1; j <= ln[0]; j++) {
            uint32_t x = ln[j];
            if (s->visited[x] == s->stamp) continue;
            s->visited[x] = s->stamp;
            todo[nt++] = x;
        }
        if (nt) prefetch_row(v, todo[0]);
        for (uint32_t j = 0; j < nt; j++) {
            uint32_t x = todo[j];
            /* the next row streams in while this one is scored */
            if (j + 1 < nt) prefetch_row(v, todo[j + 1]);
            le_hit h = {x, sim_q(v, K, q, x)};
            if (nr < ef || le_hit_before(&h, &s->res[0])) {
                if (heap_reserve(s, (size_t)nc + 1)) return -1;
                best_push(s->cand, &nc, h);
                if (!skip || !(skip[x >> 3] >> (x & 7) & 1)) {
                    worst_push(s->res, &nr, h);
                    if (nr > ef) worst_pop(s->res, &nr);
                }
            }
        }
    }
    *nres = nr;
    return 0;
}

/* le_hnsw_search with node ban left out entirely (never entered, never
 * returned; it must not be the entry point): a query from the collection
 * that behaves like one from outside it, for calibration. */
static int search_banned(const le_hnsw *g, const le_vecs *v, const float *q, int k, int ef,
                         const uint8_t *skip, uint32_t ban, le_hnsw_scratch *s, le_hit *out) {
    if (g->n == 0 || k <= 0) return 0;
    if (ef < k) ef = k;
    if (scratch_reserve(s, g->n, ef + 64, 0)) return -1;
    const le_vdot_kernels *K = le_vdot();
    uint32_t ep = g->entry;
    float eps = sim_q(v, K, q, ep);
    for (int l = g->max_level; l > 0; l--) greedy(g, v, K, q, l, ban, &ep, &eps);
    int nr = 0;
    if (search_layer(g, v, K, q, ep, eps, ef, 0, skip, ban, s, &nr)) return -1;
    /* the best k of the kept ones, best first */
    le_hits_sort(s->res, (size_t)nr);
    int n = nr < k ? nr : k;
    memcpy(out, s->res, (size_t)n * sizeof *out);
    return n;
}

int le_hnsw_search(const le_hnsw *g, const le_vecs *v, const float *q, int k, int ef,
                   const uint8_t *skip, le_hnsw_scratch *s, le_hit *out) {
    return search_banned(g, v, q, k, ef, skip, UINT32_MAX, s, out);
}

/* ---------------------------------------------------------------- building */

typedef struct build {
    le_hnsw *g;
    const le_vecs *v;
    const le_vdot_kernels *K;
    int ef_c;
    uint32_t *links0; /* mutable views of g's arrays */
    uint32_t *upper;
    int threads;
    le_hnsw_scratch *scr; /* [threads] */
    float **tmp;          /* [threads][dim] */
    le_hit **cands;       /* [threads][ef_c + BATCH_MAX + 2m0] */
    /* the batch */
    uint32_t b0, b1;
    int top_before;    /* max_level before the batch */
    uint32_t entry_before;
    float *sim0, *simu; /* similarities parallel to links0 / upper; slot 0: 1 when the list is
                           the heuristic's output (consistent), else 0 */
    uint32_t *sel;     /* per node of the batch: selected neighbours per layer */
    float *sel_sim;    /* their similarities, laid out as sel */
    size_t *sel_off;   /* [batch + 1] into sel; node i's layer l at sel_off + l·(m0+1) */
    /* reverse links of the batch: (target, layer, source) */
    uint64_t *rev; /* packed keys */
    size_t n_rev;
    size_t *grp; /* group starts */
    size_t n_grp;
    int failed;
} build;

static inline uint32_t *mlinks(build *b, uint32_t x, int l) {
    return (uint32_t *)links_at(b->g, x, l);
}

static inline float *msims(build *b, uint32_t x, int l) {
    if (l == 0) return b->sim0 + (size_t)x * (size_t)(b->g->m0 + 1);
    return b->simu + b->g->upper_off[x] + (size_t)(l - 1) * (size_t)(b->g->m + 1);
}

static int hit_cmp(const void *pa, const void *pb) {
    const le_hit *a = pa, *b = pb;
    return le_hit_before(a, b) ? -1 : le_hit_before(b, a) ? 1 : 0;
}

/* The diversity heuristic: walk the candidates best first and keep one when
 * it is closer to the query than to every neighbour kept so far. c is
 * sorted best first; writes at most mmax ids to out and returns the count. */
static int select_neighbours(build *b, const le_hit *c, int nc, int mmax, uint32_t *out,
                             float *tmp) {
    int ns = 0;
    for (int i = 0; i < nc && ns < mmax; i++) {
        const float *cv = row_f32(b->v, c[i].doc, tmp);
        int good = 1;
        for (int j = 0; j < ns && good; j++)
            if (sim_q(b->v, b->K, cv, out[j]) > c[i].score) good = 0;
        if (good) out[ns++] = c[i].doc;
    }
    return ns;
}

static void phase_select(void *ctx, size_t index, int thread) {
    build *b = ctx;
    le_hnsw *g = b->g;
    uint32_t i = b->b0 + (uint32_t)index;
    le_hnsw_scratch *s = &b->scr[thread];
    float *tmp = b->tmp[thread];
    le_hit *cands = b->cands[thread];
    const float *q = row_f32(b->v, i, s->qbuf);
    int L = g->levels[i];
    uint32_t *sel = b->sel + b->sel_off[index];
    uint32_t ep = b->entry_before;
    float eps = sim_q(b->v, b->K, q, ep);
    for (int l = b->top_before; l > L; l--) greedy(g, b->v, b->K, q, l, UINT32_MAX, &ep, &eps);
    for (int l = L; l >= 0; l--) {
        int nc = 0;
        if (l <= b->top_before) {
            int nr = 0;
            if (search_layer(g, b->v, b->K, q, ep, eps, b->ef_c, l, NULL, UINT32_MAX, s, &nr)) {
                b->failed = 1;
                return;
            }
            memcpy(cands, s->res, (size_t)nr * sizeof *cands);
            nc = nr;
            /* the next layer down starts from the best one found here */
            for (int j = 0; j < nr; j++)
                if (le_hit_before(&s->res[j], &(le_hit){ep, eps})) {
                    ep = s->res[j].doc;
                    eps = s->res[j].score;
                }
        }
        for (uint32_t j = b->b0; j < i; j++)
            if (g->levels[j] >= l) cands[nc++] = (le_hit){j, sim_q(b->v, b->K, q, j)};
        qsort(cands, (size_t)nc, sizeof *cands, hit_cmp);
        /* a new node keeps up to m0 neighbours on the base layer (the paper
         * and hnswlib keep m there; on high-dimensional data the denser
         * start gives more recall for the same beam) and m above */
        uint32_t *out = sel + (size_t)l * (size_t)(g->m0 + 1);
        float *osim = b->sel_sim + b->sel_off[index] + (size_t)l * (size_t)(g->m0 + 1);
        int ns = select_neighbours(b, cands, nc, l ? g->m : g->m0, out + 1, tmp);
        out[0] = (uint32_t)ns;
        /* the kept ones' similarities, for the consistent-list bookkeeping */
        for (int a = 0, c = 0; a < ns; a++) {
            while (cands[c].doc != out[1 + a]) c++;
            osim[1 + a] = cands[c].score;
        }
        osim[0] = 1; /* the list is the heuristic's output */
    }
}

static void phase_set_links(void *ctx, size_t index, int thread) {
    build *b = ctx;
    uint32_t i = b->b0 + (uint32_t)index;
    const uint32_t *sel = b->sel + b->sel_off[index];
    for (int l = 0; l <= b->g->levels[i]; l++) {
        const uint32_t *src = sel + (size_t)l * (size_t)(b->g->m0 + 1);
        uint32_t *dst = mlinks(b, i, l);
        memcpy(dst, src, ((size_t)src[0] + 1) * sizeof *dst);
        const float *ssim = b->sel_sim + b->sel_off[index] + (size_t)l * (size_t)(b->g->m0 + 1);
        memcpy(msims(b, i, l), ssim, ((size_t)src[0] + 1) * sizeof(float));
    }
}

/* key: target (32 bits) | layer (5 bits) | source offset in batch (27 bits) */
static inline uint64_t rev_key(uint32_t target, int l, uint32_t src_off) {
    return (uint64_t)target << 32 | (uint64_t)l << 27 | src_off;
}

static int cmp_u64(const void *pa, const void *pb) {
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return a < b ? -1 : a > b;
}

/* Adds src (similarity ss to the target) to a full, consistent list: the
 * heuristic over list ∪ {src} changes only around src, so only src's
 * similarities to the members are needed. */
static void add_consistent(build *b, uint32_t *ln, float *sm, int mmax, uint32_t src, float ss,
                           float *tmp, le_hit *keep) {
    const float *cv = row_f32(b->v, src, tmp);
    le_hit c = {src, ss};
    uint32_t n = ln[0];
    /* members ranked before src must not be closer to it than the target is */
    for (uint32_t j = 1; j <= n; j++) {
        le_hit w = {ln[j], sm[j]};
        if (le_hit_before(&w, &c) && sim_q(b->v, b->K, cv, ln[j]) > ss) return;
    }
    /* src is kept; members after it that are closer to src than to the target go */
    int out = 0;
    for (uint32_t j = 1; j <= n; j++) {
        le_hit w = {ln[j], sm[j]};
        if (le_hit_before(&c, &w) && sim_q(b->v, b->K, cv, ln[j]) > sm[j]) continue;
        keep[out++] = w;
    }
    keep[out++] = c;
    /* over capacity: the heuristic would stop after mmax, dropping the worst */
    while (out > mmax) {
        int worst = 0;
        for (int j = 1; j < out; j++)
            if (le_hit_before(&keep[worst], &keep[j])) worst = j;
        keep[worst] = keep[--out];
    }
    for (int j = 0; j < out; j++) {
        ln[1 + j] = keep[j].doc;
        sm[1 + j] = keep[j].score;
    }
    ln[0] = (uint32_t)out;
}

static void phase_reverse(void *ctx, size_t index, int thread) {
    build *b = ctx;
    le_hnsw *g = b->g;
    float *tmp = b->tmp[thread];
    le_hit *cands = b->cands[thread];
    size_t a = b->grp[index], e = b->grp[index + 1];
    uint32_t t = (uint32_t)(b->rev[a] >> 32);
    int l = (int)(b->rev[a] >> 27 & 31);
    int mmax = l ? g->m : g->m0;
    uint32_t *ln = mlinks(b, t, l);
    float *sm = msims(b, t, l);
    for (size_t r = a; r < e; r++) {
        uint32_t off = (uint32_t)(b->rev[r] & ((1u << 27) - 1));
        uint32_t src = b->b0 + off;
        /* the similarity src found for t while selecting (the same pair) */
        const uint32_t *sel = b->sel + b->sel_off[off] + (size_t)l * (size_t)(g->m0 + 1);
        const float *ssim = b->sel_sim + b->sel_off[off] + (size_t)l * (size_t)(g->m0 + 1);
        float ss = 0;
        for (uint32_t j = 1; j <= sel[0]; j++)
            if (sel[j] == t) ss = ssim[j];
        int dup = 0;
        for (uint32_t j = 1; j <= ln[0] && !dup; j++) dup = ln[j] == src;
        if (dup) continue;
        if ((int)ln[0] < mmax) {
            ln[++ln[0]] = src;
            sm[ln[0]] = ss;
            sm[0] = 0;
            continue;
        }
        if (sm[0] == 1) {
            add_consistent(b, ln, sm, mmax, src, ss, tmp, cands);
            continue;
        }
        int nc = 0;
        for (uint32_t j = 1; j <= ln[0]; j++) cands[nc++] = (le_hit){ln[j], sm[j]};
        cands[nc++] = (le_hit){src, ss};
        qsort(cands, (size_t)nc, sizeof *cands, hit_cmp);
        int ns = select_neighbours(b, cands, nc, mmax, ln + 1, tmp);
        ln[0] = (uint32_t)ns;
        for (int x = 0, c = 0; x < ns; x++) {
            while (cands[c].doc != ln[1 + x]) c++;
            sm[1 + x] = cands[c].score;
        }
        sm[0] = 1;
    }
}

static uint32_t node_level(uint64_t seed, uint32_t i, double ml) {
    uint64_t r = le_mix64(seed ^ le_mix64((uint64_t)i + 1));
    double u = ((double)(r >> 11) + 1.0) * (1.0 / 9007199254740992.0); /* (0, 1] */
    double lv = floor(-log(u) * ml);
    return lv > LE_HNSW_MAX_LEVEL ? LE_HNSW_MAX_LEVEL : (uint32_t)lv;
}

/* Checks the parameters p of a graph over v. */
static le_status check_build(const le_vecs *v, const le_hnsw_params *p, le_error *err) {
    if (p->m < 2 || p->m > LE_HNSW_MAX_M)
        return le_fail(err, LE_ERR_ARG, "hnsw: M must be in [2, %d] (got %d)", LE_HNSW_MAX_M, p->m);
    if (p->ef_construction < 1 || p->ef_construction > 1 << 16)
        return le_fail(err, LE_ERR_ARG, "hnsw: ef_construction must be in [1, 65536] (got %d)",
                       p->ef_construction);
    if (v->n == 0 || v->n >= (1u << 27) || v->dim <= 0)
        return le_fail(err, LE_ERR_ARG, "hnsw: cannot build over %zu vectors of %d", v->n, v->dim);
    return LE_OK;
}

/* Draws every node's level (from p's seed) and allocates the graph's
 * arrays with every list empty; g owns them from here on. -1 when out of
 * memory. */
static int alloc_graph(le_hnsw *g, build *b, const le_hnsw_params *p) {
    uint8_t *levels = malloc(g->n);
    uint64_t *upper_off = malloc(((size_t)g->n + 1) * sizeof *upper_off);
    g->levels = levels;
    g->upper_off = upper_off;
    if (!levels || !upper_off) return -1;
    double ml = 1.0 / log((double)p->m);
    upper_off[0] = 0;
    for (uint32_t i = 0; i < g->n; i++) {
        levels[i] = (uint8_t)node_level(p->seed, i, ml);
        upper_off[i + 1] = upper_off[i] + (uint64_t)levels[i] * (uint64_t)(g->m + 1);
    }
    g->n_upper = upper_off[g->n];
    g->links0 = b->links0 = calloc((size_t)g->n * (size_t)(g->m0 + 1), sizeof *b->links0);
    g->upper = b->upper = calloc(g->n_upper ? g->n_upper : 1, sizeof *b->upper);
    return b->links0 && b->upper ? 0 : -1;
}

/* Allocates b's similarity arrays, batch buffers and per-thread scratch;
 * -1 when out of memory. */
static int alloc_build(build *b, int dim) {
    const le_hnsw *g = b->g;
    b->sim0 = malloc((size_t)g->n * (size_t)(g->m0 + 1) * sizeof *b->sim0);
    b->simu = malloc((g->n_upper ? g->n_upper : 1) * sizeof *b->simu);
    if (!b->sim0 || !b->simu) return -1;
    int heap = b->ef_c + BATCH_MAX + 2 * g->m0 + 8;
    b->scr = calloc((size_t)b->threads, sizeof *b->scr);
    b->tmp = calloc((size_t)b->threads, sizeof *b->tmp);
    b->cands = calloc((size_t)b->threads, sizeof *b->cands);
    size_t sel_slots = (size_t)BATCH_MAX * (LE_HNSW_MAX_LEVEL + 1) * (size_t)(g->m0 + 1);
    b->sel = malloc(sel_slots * sizeof *b->sel);
    b->sel_sim = malloc(sel_slots * sizeof *b->sel_sim);
    b->sel_off = malloc((BATCH_MAX + 1) * sizeof *b->sel_off);
    size_t rev_cap = (size_t)BATCH_MAX * (LE_HNSW_MAX_LEVEL + 1) * (size_t)g->m0;
    b->rev = malloc(rev_cap * sizeof *b->rev);
    b->grp = malloc((rev_cap + 1) * sizeof *b->grp);
    if (!b->scr || !b->tmp || !b->cands || !b->sel || !b->sel_sim || !b->sel_off || !b->rev ||
        !b->grp)
        return -1;
    for (int t = 0; t < b->threads; t++) {
        b->tmp[t] = malloc((size_t)dim * sizeof(float));
        b->cands[t] = malloc((size_t)heap * sizeof(le_hit));
        if (!b->tmp[t] || !b->cands[t] || scratch_reserve(&b->scr[t], g->n, heap, dim)) return -1;
    }
    return 0;
}

static void build_free(build *b) {
    for (int t = 0; b->scr && t < b->threads; t++) le_hnsw_scratch_free(&b->scr[t]);
    for (int t = 0; b->tmp && t < b->threads; t++) free(b->tmp[t]);
    for (int t = 0; b->cands && t < b->threads; t++) free(b->cands[t]);
    free(b->scr);
    free(b->tmp);
    free(b->cands);
    free(b->sel);
    free(b->sel_sim);
    free(b->sel_off);
    free(b->sim0);
    free(b->simu);
    free(b->rev);
    free(b->grp);
}

/* Collects the reverse links the batch's selections ask for, sorted and
 * grouped by (target, layer) so that one task owns each target list. */
static void group_reverse_links(build *b, uint32_t bs) {
    const le_hnsw *g = b->g;
    b->n_rev = 0;
    for (uint32_t j = 0; j < bs; j++) {
        const uint32_t *sel = b->sel + b->sel_off[j];
        for (int l = 0; l <= g->levels[b->b0 + j]; l++) {
            const uint32_t *s = sel + (size_t)l * (size_t)(g->m0 + 1);
            for (uint32_t x = 1; x <= s[0]; x++) b->rev[b->n_rev++] = rev_key(s[x], l, j);
        }
    }
    qsort(b->rev, b->n_rev, sizeof *b->rev, cmp_u64);
    b->n_grp = 0;
    for (size_t r = 0; r < b->n_rev; r++)
        if (r == 0 || b->rev[r] >> 27 != b->rev[r - 1] >> 27) b->grp[b->n_grp++] = r;
    b->grp[b->n_grp] = b->n_rev;
}

/* Inserts nodes [next, next + bs): each selects its neighbours in the graph
 * as it was before the batch (and among the batch's earlier nodes), links
 * to them, and they link back; a node above the top becomes the entry.
 * -1 when out of memory. */
static int insert_batch(build *b, le_pool *pool, uint32_t next, uint32_t bs) {
    le_hnsw *g = b->g;
    b->b0 = next;
    b->b1 = next + bs;
    b->top_before = g->max_level;
    b->entry_before = g->entry;
    b->sel_off[0] = 0;
    for (uint32_t j = 0; j < bs; j++)
        b->sel_off[j + 1] = b->sel_off[j] + ((size_t)g->levels[next + j] + 1) * (size_t)(g->m0 + 1);
    le_pool_run(pool, bs, phase_select, b);
    if (b->failed) return -1;
    le_pool_run(pool, bs, phase_set_links, b);
    group_reverse_links(b, bs);
    le_pool_run(pool, b->n_grp, phase_reverse, b);
    for (uint32_t j = 0; j < bs; j++)
        if (g->levels[next + j] > g->max_level) {
            g->max_level = g->levels[next + j];
            g->entry = next + j;
        }
    return 0;
}

le_status le_hnsw_build(le_hnsw *g, const le_vecs *v, const le_hnsw_params *p, le_pool *pool,
                        le_error *err) {
    memset(g, 0, sizeof *g);
    le_hnsw_params def;
    if (!p) {
        le_hnsw_params_init(&def);
        p = &def;
    }
    le_status st = check_build(v, p, err);
    if (st) return st;
    g->n = (uint32_t)v->n;
    g->m = p->m;
    g->m0 = 2 * p->m;
    g->owned = 1;
    build b = {0};
    b.g = g;
    b.v = v;
    b.K = le_vdot();
    b.ef_c = p->ef_construction;
    b.threads = pool ? le_pool_threads(pool) : 1;
    int oom = alloc_graph(g, &b, p) || alloc_build(&b, v->dim);
    if (!oom) {
        g->entry = 0;
        g->max_level = g->levels[0];
    }
    /* batches grow with the graph: a node selects among those inserted before its batch */
    for (uint32_t next = 1; !oom && next < g->n;) {
        uint32_t bs = next < BATCH_MAX ? next : BATCH_MAX;
        if (bs > g->n - next) bs = g->n - next;
        oom = insert_batch(&b, pool, next, bs);
        next += bs;
    }
    if (oom) {
        st = le_fail(err, LE_ERR_NOMEM, "hnsw: out of memory building a graph over %zu vectors",
                     v->n);
        le_hnsw_free(g);
    }
    build_free(&b);
    return st;
}

/* -------------------------------------------------------------- validating */

le_status le_hnsw_validate(const le_hnsw *g, le_error *err) {
    if (g->n == 0) return le_fail(err, LE_ERR_FORMAT, "hnsw: empty graph");
    if (g->m < 2 || g->m > LE_HNSW_MAX_M || g->m0 != 2 * g->m)
        return le_fail(err, LE_ERR_FORMAT, "hnsw: bad M %d / M0 %d", g->m, g->m0);
    if (g->max_level < 0 || g->max_level > LE_HNSW_MAX_LEVEL)
        return le_fail(err, LE_ERR_FORMAT, "hnsw: bad top layer %d", g->max_level);
    if (g->entry >= g->n || g->levels[g->entry] != g->max_level)
        return le_fail(err, LE_ERR_FORMAT, "hnsw: bad entry point %u", g->entry);
    if (g->upper_off[0] != 0)
        return le_fail(err, LE_ERR_FORMAT, "hnsw: upper-layer offsets do not start at 0");
    for (uint32_t i = 0; i < g->n; i++) {
        if (g->levels[i] > g->max_level)
            return le_fail(err, LE_ERR_FORMAT, "hnsw: node %u is above the top layer", i);
        if (g->upper_off[i + 1] != g->upper_off[i] + (uint64_t)g->levels[i] * (uint64_t)(g->m + 1))
            return le_fail(err, LE_ERR_FORMAT, "hnsw: upper-layer offset of node %u is wrong", i);
    }
    if (g->upper_off[g->n] != g->n_upper)
        return le_fail(err, LE_ERR_FORMAT, "hnsw: upper-layer links have the wrong size");
    for (uint32_t i = 0; i < g->n; i++)
        for (int l = 0; l <= g->levels[i]; l++) {
            const uint32_t *ln = links_at(g, i, l);
            if (ln[0] > (uint32_t)(l ? g->m : g->m0))
                return le_fail(err, LE_ERR_FORMAT, "hnsw: node %u has too many links on layer %d",
                               i, l);
            for (uint32_t j = 1; j <= ln[0]; j++)
                if (ln[j] >= g->n || g->levels[ln[j]] < l)
                    return le_fail(err, LE_ERR_FORMAT,
                                   "hnsw: node %u links to a bad node on layer %d", i, l);
        }
    return LE_OK;
}

/* -------------------------------------------------------------- calibrating */

#define CAL_QUERIES 200
#define CAL_K 10

typedef struct calib {
    const le_hnsw *g;
    const le_vecs *v;
    const le_vdot_kernels *K;
    uint32_t *qnode;  /* [nq] */
    uint32_t *truth;  /* [nq][CAL_K] */
    int nq, ef;
    int *hits;        /* [nq] */
    le_hnsw_scratch *scr;
    float **qbuf;
    int failed;
} calib;

static void calib_exact(void *ctx, size_t i, int thread) {
    calib *c = ctx;
    uint32_t self = c->qnode[i];
    const float *q = row_f32(c->v, self, c->qbuf[thread]);
    le_hit best[CAL_K];
    le_topk t;
    le_topk_init(&t, best, CAL_K);
    for (uint32_t j = 0; j < c->g->n; j++)
        if (j != self) le_topk_push(&t, j, sim_q(c->v, c->K, q, j));
    int n = le_topk_finish(&t);
    for (int a = 0; a < CAL_K; a++) c->truth[i * CAL_K + (size_t)a] = a < n ? best[a].doc : UINT32_MAX;
}

static void calib_search(void *ctx, size_t i, int thread) {
    calib *c = ctx;
    uint32_t self = c->qnode[i];
    const float *q = row_f32(c->v, self, c->qbuf[thread]);
    le_hit out[CAL_K + 1];
    int n = search_banned(c->g, c->v, q, CAL_K, c->ef, NULL, self, &c->scr[thread], out);
    if (n < 0) {
        c->failed = 1;
        return;
    }
    int hits = 0, kept = 0;
    for (int a = 0; a < n && kept < CAL_K; a++) {
        if (out[a].doc == self) continue;
        kept++;
        for (int b = 0; b < CAL_K; b++) hits += out[a].doc == c->truth[i * CAL_K + (size_t)b];
    }
    c->hits[i] = hits;
}

int le_hnsw_calibrate(const le_hnsw *g, const le_vecs *v, double target, le_pool *pool,
                      double *recall_out) {
    static const int ladder[] = {16,  24,   32,   48,   64,   96,   128,  192,   256,  384,  512,
                                 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192, 12288, 16384};
    const int n_ladder = (int)(sizeof ladder / sizeof *ladder);
    if (recall_out) *recall_out = 1;
    if (g->n <= CAL_K + 1) return ladder[0];
    calib c = {0};
    c.g = g;
    c.v = v;
    c.K = le_vdot();
    c.nq = g->n - 1 < CAL_QUERIES ? (int)g->n - 1 : CAL_QUERIES;
    int threads = pool ? le_pool_threads(pool) : 1;
    c.qnode = malloc((size_t)c.nq * sizeof *c.qnode);
    c.truth = malloc((size_t)c.nq * CAL_K * sizeof *c.truth);
    c.hits = malloc((size_t)c.nq * sizeof *c.hits);
    c.scr = calloc((size_t)threads, sizeof *c.scr);
    c.qbuf = calloc((size_t)threads, sizeof *c.qbuf);
    int result = -1;
    if (!c.qnode || !c.truth || !c.hits || !c.scr || !c.qbuf) goto done;
    for (int t = 0; t < threads; t++)
        if (!(c.qbuf[t] = malloc((size_t)v->dim * sizeof(float)))) goto done;
    /* sample nodes spread over the collection, deterministically; each is
     * searched for as if it were not in the graph (so its own links, which
     * lead straight to its neighbours, do not flatter the recall) */
    for (int i = 0; i < c.nq; i++) {
        uint32_t x = (uint32_t)(((uint64_t)i * g->n + g->n / 2) / (uint64_t)c.nq) % g->n;
        if (x == g->entry) x = (x + 1) % g->n;
        c.qnode[i] = x;
    }
    le_pool_run(pool, (size_t)c.nq, calib_exact, &c);
    /* the smallest rung reaching the target (recall grows with ef) */
    int lo = 0, hi = n_ladder - 1, best = -1;
    double best_recall = 0;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        c.ef = ladder[mid] < (int)g->n ? ladder[mid] : (int)g->n;
        le_pool_run(pool, (size_t)c.nq, calib_search, &c);
        if (c.failed) goto done;
        long hits = 0;
        for (int i = 0; i < c.nq; i++) hits += c.hits[i];
        double r = hits / (double)(c.nq * CAL_K);
        if (r >= target) {
            best = mid;
            best_recall = r;
            hi = mid - 1;
        } else {
            lo = mid + 1;
            if (best < 0) best_recall = r;
        }
    }
    if (best < 0) best = n_ladder - 1;
    result = ladder[best] < (int)g->n ? ladder[best] : (int)g->n;
    if (recall_out) *recall_out = best_recall;
done:
    for (int t = 0; c.scr && t < threads; t++) le_hnsw_scratch_free(&c.scr[t]);
    for (int t = 0; c.qbuf && t < threads; t++) free(c.qbuf[t]);
    free(c.scr);
    free(c.qbuf);
    free(c.qnode);
    free(c.truth);
    free(c.hits);
    return result;
}
