/*
 * A small test harness.  Each test program counts checks and ends with the
 * line "N passed, N failed"; its exit status is non-zero when any failed.
 */
#ifndef TRAPEZE_TESTS_TESTLIB_H
#define TRAPEZE_TESTS_TESTLIB_H

#include <stdio.h>

struct test_counts {
    unsigned passed, failed;
};

/* Each test program defines this once (TEST_MAIN_COUNTS). */
extern struct test_counts test_counts;
#define TEST_MAIN_COUNTS struct test_counts test_counts

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (cond) {                                                                   \
            test_counts.passed++;                                                     \
        } else {                                                                      \
            test_counts.failed++;                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
        }                                                                             \
    } while (0)

#define CHECK_EQ(a, b)                                                                \
    do {                                                                              \
        unsigned long long va_ = (unsigned long long)(a), vb_ = (unsigned long long)(b); \
        if (va_ == vb_) {                                                             \
            test_counts.passed++;                                                     \
        } else {                                                                      \
            test_counts.failed++;                                                     \
            fprintf(stderr, "%s:%d: %s == %s failed: %#llx != %#llx\n", __FILE__,      \
                    __LINE__, #a, #b, va_, vb_);                                      \
        }                                                                             \
    } while (0)

static inline int test_report(void)
{
    printf("%u passed, %u failed\n", test_counts.passed, test_counts.failed);
    return test_counts.failed ? 1 : 0;
}

#endif
