/*
 * Reference checks for the x87 arithmetic (test_x87_mpfr): shared options,
 * the seeded random generator and the operand generators.
 */
#ifndef TRAPEZE_TESTS_CONFORMANCE_X87_REF_H
#define TRAPEZE_TESTS_CONFORMANCE_X87_REF_H

#include <stdint.h>

#include "cpu/x86/softfloat80.h"

struct x87_ref_opts {
    long cases;             /* per operation */
    uint64_t seed;
    int verbose;
};

/* xorshift64*: small, fixed, the same everywhere. */
struct x87_rng {
    uint64_t s;
};
uint64_t x87_rng_next(struct x87_rng *r);
/* A value in [0, n). */
uint32_t x87_rng_below(struct x87_rng *r, uint32_t n);

/* A finite non-zero value whose unbiased exponent is in [elo, ehi]; the
 * significand is random or one of the patterns that stress rounding. */
sf80 x87_rand_finite(struct x87_rng *r, int elo, int ehi);
/* Anything: normals over the whole range, denormals, pseudo-denormals,
 * zeros, infinities, NaNs and (when `unsupported`) unnormals and
 * pseudo-NaNs. */
sf80 x87_rand_any(struct x87_rng *r, int unsupported);

void x87_ref_mpfr(const struct x87_ref_opts *o, unsigned *skipped);
/* The transcendental functions against MPFR (mpfr_trans.c). */
void x87_ref_mpfr_trans(const struct x87_ref_opts *o, struct x87_rng *g);
void x87_ref_host(const struct x87_ref_opts *o, unsigned *skipped);

#endif
