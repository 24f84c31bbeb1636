#include "text/vocab.h"

static uint64_t vocab_hash(const char *s, size_t n) { return le_fnv1a(LE_FNV1A_INIT, s, n); }

static const le_map_type g_vocab_type = {vocab_hash, LE_MAP_COPY_KEYS};

void le_vocab_init(le_vocab *v) {
    le_map_init(&v->map, &g_vocab_type);
    v->max_len = 0;
    v->max_id = -1;
}

void le_vocab_free(le_vocab *v) {
    if (!v) return;
    le_map_free(&v->map);
    le_vocab_init(v);
}

le_status le_vocab_add(le_vocab *v, const char *s, size_t n, int32_t id) {
    if (id < 0) return LE_ERR_ARG;
    le_status st = le_map_put(&v->map, s, n, (uint32_t)id);
    if (st) return st;
    if (n > v->max_len) v->max_len = n;
    if (id > v->max_id) v->max_id = id;
    return LE_OK;
}
