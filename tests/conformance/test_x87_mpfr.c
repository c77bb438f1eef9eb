/*
 * The x87 arithmetic against references: MPFR (the exact answer) for
 * add, sub, mul, div and sqrt in every rounding mode and precision, and for
 * the transcendental functions (within one unit in the last place of the
 * extended result); and, on an x86 host, the host's own x87, instruction
 * by instruction, for the exact operations and their flags.
 *
 *   test_x87_mpfr [--sample|--all] [--seed N] [--verbose]
 *
 * --sample runs SAMPLE_CASES cases per operation, --all ALL_CASES.  The
 * random inputs come from a fixed seed, so a run is repeatable.  The last
 * two lines are "x87: N passed, N failed" and the plain "N passed,
 * N failed"; host checks are skipped (and counted as skipped) on other
 * hosts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cpu/x86/softfloat80.h"
#include "cpu/x86/x87.h"
#include "tests/conformance/x87/ref.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

#define SAMPLE_CASES 2000
#define ALL_CASES 100000

int main(int argc, char **argv)
{
    struct x87_ref_opts o = { SAMPLE_CASES, 0x5EED1987ull, 0 };
    for (int k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--all") == 0)
            o.cases = ALL_CASES;
        else if (strcmp(argv[k], "--sample") == 0)
            o.cases = SAMPLE_CASES;
        else if (strcmp(argv[k], "--verbose") == 0)
            o.verbose = 1;
        else if (strcmp(argv[k], "--seed") == 0 && k + 1 < argc)
            o.seed = strtoull(argv[++k], NULL, 0);
        else {
            fprintf(stderr, "usage: test_x87_mpfr [--sample|--all] [--seed N] [--verbose]\n");
            return 2;
        }
    }
    unsigned skipped = 0;
    x87_ref_mpfr(&o, &skipped);
    x87_ref_host(&o, &skipped);
    printf("x87: %u passed, %u failed, %u skipped\n", test_counts.passed, test_counts.failed, skipped);
    return test_report();
}
