/* base/map.h: the one hash map, with copied and borrowed keys, deletion,
 * interning, two-part lookups and iteration, checked against a plain
 * array as the model of what the map must hold. */
#include "base/hash.h"
#include "base/map.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>

#define N 5000

static size_t key_of(char *buf, size_t i) { return (size_t)snprintf(buf, 32, "key-%zu", i * 7919); }

static void test_copied(void) {
    le_map m;
    le_map_init(&m, &le_map_copied);
    char buf[32];
    CHECK_EQ_INT(le_map_get(&m, "x", 1), -1);
    CHECK_EQ_INT(le_map_del(&m, "x", 1), 0);
    for (size_t i = 0; i < N; i++) {
        size_t n = key_of(buf, i);
        CHECK_EQ_INT(le_map_put(&m, buf, n, (uint32_t)i), LE_OK);
        buf[0] = '!'; /* the map kept its own copy */
    }
    CHECK_EQ_INT(m.count, N);
    CHECK(m.count * 2 <= m.mask + 1);
    int all = 1;
    for (size_t i = 0; i < N; i++) {
        size_t n = key_of(buf, i);
        all &= le_map_get(&m, buf, n) == (int64_t)i;
    }
    CHECK(all);
    CHECK_EQ_INT(le_map_get(&m, "key-1", 5), -1);
    CHECK_EQ_INT(le_map_get(&m, "key-", 4), -1);
    /* replacing keeps one entry */
    CHECK_EQ_INT(le_map_put(&m, "key-0", 5, 42), LE_OK);
    CHECK_EQ_INT(le_map_get(&m, "key-0", 5), 42);
    CHECK_EQ_INT(m.count, N);
    /* the empty key and keys with NUL bytes are keys like any other */
    CHECK_EQ_INT(le_map_put(&m, "", 0, 9), LE_OK);
    CHECK_EQ_INT(le_map_put(&m, "a\0b", 3, 10), LE_OK);
    CHECK_EQ_INT(le_map_get(&m, "", 0), 9);
    CHECK_EQ_INT(le_map_get(&m, "a\0b", 3), 10);
    CHECK_EQ_INT(le_map_get(&m, "a", 1), -1);
    /* iteration visits every key once; copied keys are NUL-terminated */
    size_t seen = 0, terminated = 0;
    le_map_entry e;
    for (size_t pos = 0; le_map_next(&m, &pos, &e);) {
        seen++;
        terminated += e.key[e.len] == 0;
        CHECK_EQ_INT(le_map_get(&m, e.key, e.len), e.val);
    }
    CHECK_EQ_INT(seen, N + 2);
    CHECK_EQ_INT(terminated, N + 2);
    le_map_free(&m);
    CHECK_EQ_INT(m.count, 0);
    CHECK_EQ_INT(le_map_get(&m, "", 0), -1);
    CHECK(m.type == &le_map_copied);
    le_map_free(&m); /* twice is fine */
}

static void test_numbers_as_keys(void) {
    le_map m;
    le_map_init(&m, &le_map_copied);
    for (int32_t id = -50; id < 50; id++)
        CHECK_EQ_INT(le_map_put(&m, (const char *)&id, sizeof id, (uint32_t)(id + 100)), LE_OK);
    int32_t id = -7;
    CHECK_EQ_INT(le_map_get(&m, (const char *)&id, sizeof id), 93);
    le_map_free(&m);
}

/* Borrowed keys with deletions and re-insertions: the map must agree with
 * a model array through many rehashes that drop deleted slots. */
static void test_borrowed_delete(void) {
    static char keys[N][32];
    static size_t lens[N];
    static int64_t model[N];
    le_map m;
    le_map_init(&m, &le_map_borrowed);
    for (size_t i = 0; i < N; i++) {
        lens[i] = key_of(keys[i], i);
        model[i] = -1;
    }
    unsigned r = 1;
    int agree = 1;
    for (int step = 0; step < 40000; step++) {
        r = r * 1103515245u + 12345u;
        size_t i = (r >> 8) % N;
        if ((r >> 4) % 3 == 0) {
            agree &= le_map_del(&m, keys[i], lens[i]) == (model[i] >= 0);
            model[i] = -1;
        } else {
            agree &= le_map_put(&m, keys[i], lens[i], (uint32_t)step) == LE_OK;
            model[i] = step;
        }
    }
    size_t live = 0;
    for (size_t i = 0; i < N; i++) {
        agree &= le_map_get(&m, keys[i], lens[i]) == model[i];
        live += model[i] >= 0;
    }
    CHECK(agree);
    CHECK_EQ_INT(m.count, live);
    CHECK(m.used * 2 <= m.mask + 1);
    /* the map points at the caller's bytes */
    le_map_entry e;
    size_t pos = 0;
    CHECK(le_map_next(&m, &pos, &e));
    CHECK(e.key >= keys[0] && e.key < keys[N - 1] + 32);
    le_map_free(&m);
}

static void test_get_or_put(void) {
    le_map m;
    le_map_init(&m, &le_map_copied);
    uint32_t v = 0;
    CHECK_EQ_INT(le_map_get_or_put(&m, "the", 3, 0, &v), LE_OK);
    CHECK_EQ_INT(v, 0);
    CHECK_EQ_INT(le_map_get_or_put(&m, "cat", 3, 1, &v), LE_OK);
    CHECK_EQ_INT(v, 1);
    CHECK_EQ_INT(le_map_get_or_put(&m, "the", 3, 2, &v), LE_OK);
    CHECK_EQ_INT(v, 0); /* present: the old value, nothing added */
    CHECK_EQ_INT(m.count, 2);
    le_map_free(&m);
}

static uint64_t fnv(const char *key, size_t len) { return le_fnv1a(LE_FNV1A_INIT, key, len); }

/* A type with its own incremental hash: "##" + piece without joining them. */
static void test_two_part_lookup(void) {
    static const le_map_type fnv_copied = {fnv, LE_MAP_COPY_KEYS};
    le_map m;
    le_map_init(&m, &fnv_copied);
    CHECK_EQ_INT(le_map_put(&m, "##ing", 5, 11), LE_OK);
    CHECK_EQ_INT(le_map_put(&m, "ing", 3, 12), LE_OK);
    uint64_t pre = le_fnv1a(LE_FNV1A_INIT, "##", 2);
    CHECK_EQ_INT(le_map_get2(&m, le_fnv1a(pre, "ing", 3), "##", 2, "ing", 3), 11);
    CHECK_EQ_INT(le_map_get2(&m, le_fnv1a(LE_FNV1A_INIT, "ing", 3), "", 0, "ing", 3), 12);
    CHECK_EQ_INT(le_map_get2(&m, le_fnv1a(pre, "in", 2), "##", 2, "in", 2), -1);
    CHECK_EQ_INT(le_map_get(&m, "##ing", 5), 11);
    le_map_free(&m);
}

int main(void) {
    test_copied();
    test_numbers_as_keys();
    test_borrowed_delete();
    test_get_or_put();
    test_two_part_lookup();
    return check_report("base/map");
}
