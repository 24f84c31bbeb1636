/* Bug (issue 13): docs/index-format.md described the manifest's numbers in
 * prose that had drifted from src/index/manifest.c (the segment table's
 * offset was given wrongly before) and left the method parameters stored
 * there (attention scaling, position stride, NTK lambda, RoPE factor,
 * SelfExtend group and window, rotary scaling) without their meaning. Fixed:
 * the page has a table per field kind; this test reads those tables and
 * checks them against the bytes le_manifest_write produces: every row's
 * offset, every int32 and float64 slot, and that no field is left out. */
#include "base/mapfile.h"
#include "check.h"
#include "index/index_format.h"
#include "index/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOC "docs/index-format.md"

static le_index_model M;
static le_index_options S;

/* The int32 fields by the name the page gives them. */
static const struct {
    const char *name;
    void *field; /* an int or an int-sized enum */
} g_ints[] = {
    {"hidden size", &M.hidden_size},
    {"layers", &M.num_layers},
    {"vocabulary size", &M.vocab_size},
    {"trained window", &M.window},
    {"dense dimensions", &M.dim},
    {"normalize", &M.normalize},
    {"extension method", &M.extend},
    {"max tokens", &M.max_tokens},
    {"attention scaling", &M.attn_scale},
    {"position stride", &M.position_stride},
    {"sparse vocabulary", &M.sparse_vocab},
    {"multi-vector dimensions", &M.multi_dim},
    {"encoding", &S.encoding},
    {"stop words", &S.stopwords},
    {"store text", &S.store_text},
    {"HNSW M", &S.hnsw_m},
    {"HNSW ef_construction", &S.hnsw_ef_construction},
    {"HNSW ef_search", &S.hnsw_ef_search},
    {"HNSW min docs", &S.hnsw_min_docs},
    {"SelfExtend group", &M.se_group},
    {"SelfExtend window", &M.se_window},
    {"passage tokens", &M.passage_tokens},
    {"passage overlap", &M.passage_overlap},
    {"passage mode", &M.passage_mode},
};
#define N_INTS (sizeof g_ints / sizeof *g_ints)

static const struct {
    const char *name;
    double *field;
} g_dbls[] = {
    {"NTK lambda", &M.ntk_lambda},
    {"RoPE factor", &M.rope_factor},
    {"rotary scaling factor", &M.rotary_scaling_factor},
};
#define N_DBLS (sizeof g_dbls / sizeof *g_dbls)

/* The fixed rows of the manifest table: a word of the field, its offset. */
static const struct {
    const char *word;
    long off;
} g_rows[] = {
    {"magic", 0},
    {"number of segments", 8},
    {"flags", 12},
    {"model spec", 16},
    {"model name", 16 + LE_ID_MODEL},
    {"architecture", 16 + LE_ID_MODEL + LE_ID_NAME},
    {"pooling", 16 + LE_ID_MODEL + LE_ID_NAME + LE_ID_ARCH},
    {"passage prefix", 16 + LE_ID_MODEL + LE_ID_NAME + LE_ID_ARCH + LE_ID_POOLING},
    {"query prefix", 16 + LE_ID_MODEL + LE_ID_NAME + LE_ID_ARCH + LE_ID_POOLING + LE_ID_PREFIX},
    {"identity and settings", LE_MF_INTS},
    {"method parameters", LE_MF_INTS + 4 * 32},
    {"segment table", LE_MF_SEG_TABLE},
};
#define N_ROWS (sizeof g_rows / sizeof *g_rows)

/* Reads the rows "| N | a | b |" of the table that starts after the text
 * `from`: numbers[i], and names[i] from column col (1: a, 2: b; at most
 * cap rows); returns the row count (0: no such table). */
static int table_rows(const char *doc, const char *from, int col, long *numbers, char names[][64],
                      int cap) {
    const char *p = strstr(doc, from);
    if (!p) return 0;
    p = strstr(p, "\n|");
    int n = 0;
    while (p && p[0] == '\n' && p[1] == '|' && n < cap) {
        p++;
        long v;
        char a[64], b[64];
        if (sscanf(p, "| %ld | %63[^|]| %63[^|\n]", &v, a, b) == 3) { /* b: its first 63 bytes */
            char *name = col == 1 ? a : b;
            size_t l = strlen(name);
            while (l && name[l - 1] == ' ') name[--l] = 0;
            numbers[n] = v;
            snprintf(names[n], 64, "%s", name);
            n++;
        }
        p = strchr(p, '\n');
    }
    return n;
}

/* A manifest whose every int32 field holds 100 + its position in g_ints and
 * every float64 field 0.5 + its position in g_dbls. */
static unsigned char *distinct_manifest(void) {
    memset(&M, 0, sizeof M);
    memset(&S, 0, sizeof S);
    for (size_t i = 0; i < N_INTS; i++) *(int *)g_ints[i].field = 100 + (int)i;
    for (size_t i = 0; i < N_DBLS; i++) *g_dbls[i].field = 0.5 + (double)i;
    unsigned char *buf = calloc(1, le_manifest_size(0, NULL));
    if (buf) le_manifest_write(buf, &M, &S, 0, NULL);
    return buf;
}

static void check_fixed_rows(const char *doc) {
    long offs[64];
    char names[64][64];
    int n = table_rows(doc, "### Manifest", 2, offs, names, 64);
    CHECK_MSG(n >= (int)N_ROWS, "the manifest table has %d rows", n);
    for (size_t r = 0; r < N_ROWS; r++) {
        int found = 0;
        for (int i = 0; i < n; i++)
            if (strstr(names[i], g_rows[r].word)) {
                found = 1;
                CHECK_MSG(offs[i] == g_rows[r].off, "%s at %ld in the page, %ld in the code",
                          g_rows[r].word, offs[i], g_rows[r].off);
            }
        CHECK_MSG(found, "the manifest table has no row for %s", g_rows[r].word);
    }
}

static const char *field_name(int is_int, size_t f) {
    return is_int ? g_ints[f].name : g_dbls[f].name;
}

/* The field whose distinct value int32 (is_int) or float64 slot `slot` of
 * mf holds: its place in g_ints or g_dbls, or -1 when none. */
static long field_at(int is_int, const unsigned char *mf, long slot) {
    if (is_int) {
        int32_t v = (int32_t)le_ld32(mf + LE_MF_INTS + 4 * slot);
        return v >= 100 && v < 100 + (int32_t)N_INTS ? v - 100 : -1;
    }
    double d;
    memcpy(&d, mf + LE_MF_INTS + 4 * 32 + 8 * slot, 8);
    long k = (long)(d - 0.5);
    return k >= 0 && k < (long)N_DBLS && d == 0.5 + (double)k ? k : -1;
}

/* The page's table of int32 (is_int) or float64 slots against mf: as many
 * rows as the code has fields, each naming a field at the slot it is in. */
static void check_slots(const char *doc, const unsigned char *mf, int is_int) {
    const char *title = is_int ? "The 32 int32 at" : "The 8 float64 at";
    size_t nf = is_int ? N_INTS : N_DBLS;
    long slots[64], max_slot = is_int ? 32 : 8;
    char names[64][64];
    int n = table_rows(doc, title, 1, slots, names, 64);
    CHECK_MSG(n == (int)nf, "%s: the table has %d rows, the code %zu fields", title, n, nf);
    for (int i = 0; i < n; i++) {
        size_t f = 0;
        while (f < nf && strcmp(field_name(is_int, f), names[i])) f++;
        CHECK_MSG(f < nf, "%s slot %ld: no field \"%s\"", title, slots[i], names[i]);
        if (f == nf || slots[i] < 0 || slots[i] >= max_slot) continue;
        long at = field_at(is_int, mf, slots[i]);
        CHECK_MSG(at == (long)f, "%s slot %ld holds %s in the code, not %s", title, slots[i],
                  at >= 0 ? field_name(is_int, (size_t)at) : "nothing", names[i]);
    }
}

int main(void) {
    char *doc = NULL;
    size_t size;
    CHECK(le_read_file(DOC, 0, &doc, &size, NULL) == LE_OK);
    unsigned char *mf = distinct_manifest();
    CHECK(mf != NULL);
    if (doc && mf) {
        check_fixed_rows(doc);
        check_slots(doc, mf, 1);
        check_slots(doc, mf, 0);
    }
    free(mf);
    free(doc);
    return check_report("test_index_format_doc_manifest_slots");
}
