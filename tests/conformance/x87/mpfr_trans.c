/*
 * The x87 transcendental functions against MPFR: each result must lie
 * within one unit in the last place (of the 64-bit extended significand)
 * of the exact value, computed by MPFR at 320 bits.  The count of results
 * that are also correctly rounded is printed for information.
 */
#include <stdio.h>

#include "config.h"
#include "cpu/x86/softfloat80.h"
#include "cpu/x86/x87.h"
#include "tests/conformance/x87/ref.h"
#include "tests/testlib.h"

#if HAVE_MPFR
#include <mpfr.h>

#define REF_PREC 320

enum { T_SIN, T_COS, T_TAN, T_ATAN, T_F2XM1, T_YL2X, T_YL2XP1, N_TRANS };
static const char *const names[N_TRANS] = { "fsin", "fcos", "fptan", "fpatan", "f2xm1", "fyl2x", "fyl2xp1" };

static void to_mpfr(mpfr_t m, sf80 a)
{
    if (sf80_classify(a) == SF80_C_ZERO) {
        mpfr_set_zero(m, sf80_sign(a) ? -1 : 1);
        return;
    }
    struct sf80_wide w = sf80_unpack(a);
    mpfr_set_uj(m, w.hi, MPFR_RNDN);
    mpfr_mul_2si(m, m, (long)w.exp - SF80_BIAS - 63, MPFR_RNDN);
    if (w.sign)
        mpfr_neg(m, m, MPFR_RNDN);
}

/* Operands inside Intel's documented domain of each function. */
static void operands(struct x87_rng *g, int f, sf80 *a, sf80 *b)
{
    *b = sf80_one(0);
    switch (f) {
    case T_SIN: case T_COS: case T_TAN:
        if (x87_rng_below(g, 8) == 0) {
            /* next to a multiple of pi/2: the hardest reductions */
            struct sf80_env e = { 0, SF80_PC_64, SF80_ALL, 0, 0 };
            sf80 k = sf80_from_int64((int64_t)(x87_rng_next(g) >> (3 + x87_rng_below(g, 61))));
            sf80 halfpi = sf80_make(0, SF80_BIAS, 0xC90FDAA22168C235ull);
            *a = sf80_mul(&e, k, halfpi);
        } else {
            *a = x87_rand_finite(g, x87_rng_below(g, 4) ? -8 : -16445, 62);
        }
        break;
    case T_ATAN:
        *a = x87_rand_finite(g, -100, 100);     /* y */
        *b = x87_rand_finite(g, -100, 100);     /* x */
        if (x87_rng_below(g, 8) == 0)
            *b = x87_rand_finite(g, -16000, 16000);
        break;
    case T_F2XM1:
        *a = x87_rand_finite(g, x87_rng_below(g, 4) ? -70 : -16445, -1);
        if (x87_rng_below(g, 16) == 0)
            *a = sf80_one((int)(x87_rng_next(g) & 1));
        break;
    case T_YL2X:
        *a = x87_rand_finite(g, -30, 30);       /* y */
        *b = sf80_abs(x87_rand_finite(g, -16445, 16383));
        if (x87_rng_below(g, 4) == 0)
            *b = sf80_make(0, x87_rng_below(g, 2) ? SF80_BIAS : SF80_BIAS - 1, x87_rng_next(g) | SF80_INT_BIT);
        break;
    default:
        *a = x87_rand_finite(g, -30, 30);
        *b = x87_rand_finite(g, x87_rng_below(g, 4) ? -70 : -16445, -3);
        if (x87_rng_below(g, 4) == 0)      /* up to 1 - sqrt(2)/2 */
            *b = sf80_make((int)(x87_rng_next(g) & 1), SF80_BIAS - 2, (x87_rng_next(g) >> 1 & 0x15FFFFFFFFFFFFFFull) | SF80_INT_BIT);
        break;
    }
}

/* Ours; returns 0 when the function declined (out of range). */
static int ours(int f, struct sf80_env *e, sf80 a, sf80 b, sf80 *r)
{
    switch (f) {
    case T_SIN: return !x87_sin(e, a, r);
    case T_COS: return !x87_cos(e, a, r);
    case T_TAN: return !x87_tan(e, a, r);
    case T_ATAN: *r = x87_atan(e, a, b); return 1;
    case T_F2XM1: *r = x87_f2xm1(e, a); return 1;
    case T_YL2X: *r = x87_yl2x(e, a, b); return 1;
    default: *r = x87_yl2xp1(e, a, b); return 1;
    }
}

static void exact(int f, mpfr_t r, sf80 a, sf80 b)
{
    mpfr_t ma, mb;
    mpfr_inits2(REF_PREC, ma, mb, NULL);
    mpfr_set_prec(ma, 64);
    mpfr_set_prec(mb, 64);
    to_mpfr(ma, a);
    to_mpfr(mb, b);
    switch (f) {
    case T_SIN: mpfr_sin(r, ma, MPFR_RNDN); break;
    case T_COS: mpfr_cos(r, ma, MPFR_RNDN); break;
    case T_TAN: mpfr_tan(r, ma, MPFR_RNDN); break;
    case T_ATAN: mpfr_atan2(r, ma, mb, MPFR_RNDN); break;
    case T_F2XM1: {
        mpfr_t t;
        mpfr_init2(t, REF_PREC + 64);
        mpfr_const_log2(t, MPFR_RNDN);
        mpfr_mul(t, t, ma, MPFR_RNDN);
        mpfr_expm1(r, t, MPFR_RNDN);
        mpfr_clear(t);
        break;
    }
    case T_YL2X:
        mpfr_log2(r, mb, MPFR_RNDN);
        mpfr_mul(r, r, ma, MPFR_RNDN);
        break;
    default: {
        mpfr_t t;
        mpfr_init2(t, REF_PREC + 64);
        mpfr_log1p(r, mb, MPFR_RNDN);
        mpfr_const_log2(t, MPFR_RNDN);
        mpfr_div(r, r, t, MPFR_RNDN);
        mpfr_mul(r, r, ma, MPFR_RNDN);
        mpfr_clear(t);
        break;
    }
    }
    mpfr_clears(ma, mb, NULL);
}

/* |ours - exact| in units of the extended format's last place at the
 * exact value (denormal results: 2^-16445). */
static double ulp_error(sf80 got, mpfr_t want)
{
    mpfr_t g, d;
    mpfr_inits2(REF_PREC, g, d, NULL);
    if (sf80_classify(got) == SF80_C_ZERO)
        mpfr_set_zero(g, 1);
    else
        to_mpfr(g, got);
    mpfr_sub(d, g, want, MPFR_RNDN);
    mpfr_abs(d, d, MPFR_RNDN);
    long e = mpfr_zero_p(want) ? -16445 : (long)mpfr_get_exp(want) - 64;
    if (e < -16445)
        e = -16445;
    mpfr_mul_2si(d, d, -e, MPFR_RNDN);
    double u = mpfr_get_d(d, MPFR_RNDU);
    mpfr_clears(g, d, NULL);
    return u;
}

void x87_ref_mpfr_trans(const struct x87_ref_opts *o, struct x87_rng *g)
{
    mpfr_t want, rounded;
    mpfr_init2(want, REF_PREC);
    mpfr_init2(rounded, 64);
    for (int f = 0; f < N_TRANS; f++) {
        long correct = 0, declined = 0, bad = 0;
        double worst = 0;
        for (long n = 0; n < o->cases; n++) {
            sf80 a, b, r;
            operands(g, f, &a, &b);
            struct sf80_env e = { SF80_RC_NEAREST, SF80_PC_64, SF80_ALL, 0, 0 };
            e.rc = (uint8_t)x87_rng_below(g, 4);
            if (!ours(f, &e, a, b, &r)) {
                declined++;
                CHECK(0);
                continue;
            }
            exact(f, want, a, b);
            double err = ulp_error(r, want);
            if (err > worst)
                worst = err;
            int ok = err <= 1.0 && sf80_classify(r) != SF80_C_QNAN;
            CHECK(ok);
            if (!ok && (o->verbose || bad++ < 5))
                fprintf(stderr, "%s rc=%d: %04x:%016llx %04x:%016llx -> %04x:%016llx, %.3f ulp\n", names[f], e.rc,
                        a.se, (unsigned long long)a.sig, b.se, (unsigned long long)b.sig, r.se,
                        (unsigned long long)r.sig, err);
            /* correctly rounded in the mode? (information only) */
            static const mpfr_rnd_t rnd[4] = { MPFR_RNDN, MPFR_RNDD, MPFR_RNDU, MPFR_RNDZ };
            mpfr_set(rounded, want, rnd[e.rc]);
            if (sf80_classify(r) == SF80_C_NORMAL && ulp_error(r, rounded) == 0)
                correct++;
        }
        printf("mpfr %-8s %ld cases, worst %.4f ulp, %ld correctly rounded, %ld out of range\n", names[f],
               o->cases, worst, correct, declined);
    }
    mpfr_clears(want, rounded, NULL);
}

#endif
