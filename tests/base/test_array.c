/* base/array.h: growth by doubling, typed pushes, and the overflow checks
 * that leave the array untouched. */
#include "base/array.h"
#include "check.h"

#include <stdint.h>
#include <stdlib.h>

typedef struct pair {
    int a;
    double b;
} pair;

static void test_push(void) {
    pair *p = NULL;
    size_t n = 0, cap = 0, grows = 0, last_cap = 0;
    for (int i = 0; i < 10000; i++) {
        CHECK_EQ_INT(le_array_push(p, n, cap, (pair){i, i * 0.5}), LE_OK);
        if (cap != last_cap) grows++;
        last_cap = cap;
    }
    CHECK_EQ_INT(n, 10000);
    CHECK(cap >= n && cap < 2 * n);
    CHECK(grows <= 12); /* doubling: log2(10000 / 16) + 1 reallocations */
    int ok = 1;
    for (int i = 0; i < 10000; i++) ok &= p[i].a == i && p[i].b == i * 0.5;
    CHECK(ok);
    free(p);
}

static void test_reserve(void) {
    char *s = NULL;
    size_t cap = 0;
    CHECK_EQ_INT(le_array_reserve(s, cap, 0), LE_OK);
    CHECK(s == NULL && cap == 0); /* nothing asked, nothing allocated */
    CHECK_EQ_INT(le_array_reserve(s, cap, 1), LE_OK);
    CHECK(s != NULL && cap >= 16);
    size_t before = cap;
    CHECK_EQ_INT(le_array_reserve(s, cap, before), LE_OK);
    CHECK_EQ_INT(cap, before);
    CHECK_EQ_INT(le_array_reserve(s, cap, 1000), LE_OK);
    CHECK(cap >= 1000);
    s[999] = 'x';
    free(s);
}

static void test_overflow(void) {
    uint64_t *p = NULL;
    size_t cap = 0;
    CHECK_EQ_INT(le_array_reserve(p, cap, 4), LE_OK);
    p[0] = 7;
    uint64_t *kept = p;
    size_t kept_cap = cap;
    /* more elements than size_t bytes can hold: refused, nothing changed */
    CHECK_EQ_INT(le_array_reserve(p, cap, SIZE_MAX / 4), LE_ERR_NOMEM);
    CHECK(p == kept && cap == kept_cap && p[0] == 7);
    CHECK_EQ_INT(le_array_reserve(p, cap, SIZE_MAX), LE_ERR_NOMEM);
    CHECK(p == kept && cap == kept_cap);
    free(p);
}

int main(void) {
    test_push();
    test_reserve();
    test_overflow();
    return check_report("base/array");
}
