/* A tiny test harness: CHECK-style assertions that count failures and
 * report file:line, and a main-side summary. Each test file is a program. */
#ifndef LE_TESTS_CHECK_H
#define LE_TESTS_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_failures = 0;
static int check_count = 0;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        check_count++;                                                              \
        if (!(cond)) {                                                              \
            check_failures++;                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                           \
    } while (0)

#define CHECK_MSG(cond, ...)                                                  \
    do {                                                                      \
        check_count++;                                                        \
        if (!(cond)) {                                                        \
            check_failures++;                                                 \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                     \
            fputc('\n', stderr);                                              \
        }                                                                     \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                \
    do {                                                                                  \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                   \
        check_count++;                                                                    \
        if (check_a_ != check_b_) {                                                       \
            check_failures++;                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld vs %lld)\n", __FILE__, \
                    __LINE__, #a, #b, check_a_, check_b_);                                \
        }                                                                                 \
    } while (0)

#define CHECK_STR_CONTAINS(hay, needle)                                                   \
    do {                                                                                  \
        const char *check_h_ = (hay);                                                     \
        check_count++;                                                                    \
        if (!check_h_ || !strstr(check_h_, (needle))) {                                   \
            check_failures++;                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: \"%s\" does not contain \"%s\"\n",     \
                    __FILE__, __LINE__, check_h_ ? check_h_ : "(null)", (needle));        \
        }                                                                                 \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                \
    do {                                                                                     \
        double check_a_ = (a), check_b_ = (b);                                               \
        check_count++;                                                                       \
        if (!(fabs(check_a_ - check_b_) <= (tol))) {                                         \
            check_failures++;                                                                \
            fprintf(stderr, "%s:%d: CHECK failed: |%s - %s| = %g > %g\n", __FILE__, __LINE__, \
                    #a, #b, fabs(check_a_ - check_b_), (double)(tol));                        \
        }                                                                                    \
    } while (0)

/* Ends main: prints a summary, returns the exit status. A test that checked
 * nothing fails, so a test cannot pass by accident. */
static inline int check_report(const char *name) {
    if (check_count == 0) {
        fprintf(stderr, "%s: no checks ran\n", name);
        return 1;
    }
    fprintf(stderr, "%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures ? 1 : 0;
}

#endif
