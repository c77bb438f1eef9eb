/*
 * The x87 arithmetic against MPFR.
 *
 * Basic operations must match bit for bit, with PE, C1 (rounded up), OE
 * and UE as the x87 raises them.  The x87's results are emulated in MPFR
 * this way: the operation at the precision-control precision p with the
 * extended exponent range (emax 16384 in MPFR's convention), then
 * mpfr_subnormalize with emin = -16380 - p, which rounds a tiny result to a
 * multiple of 2^(-16382 - (p - 1)): the x87 denormalizes the significand
 * and rounds it at the same bit as a normal result, so at precision p its
 * denormals keep only the top p bits of the 64-bit significand field.
 * Tininess (for UE) is judged on the result rounded at p with an unbounded
 * exponent, as the x87 judges it (after rounding).
 *
 * Transcendental results must lie within one unit in the last place of
 * the exact value (computed by MPFR at 320 bits); how many are also
 * correctly rounded is printed for information.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "cpu/x86/softfloat80.h"
#include "cpu/x86/x87.h"
#include "tests/conformance/x87/ref.h"
#include "tests/testlib.h"

#if HAVE_MPFR
#include <mpfr.h>

static const mpfr_rnd_t rnd_of[4] = { MPFR_RNDN, MPFR_RNDD, MPFR_RNDU, MPFR_RNDZ };

/* An extended value (finite, zero or infinity) into MPFR, exactly. */
static void to_mpfr(mpfr_t m, sf80 a)
{
    enum sf80_class k = sf80_classify(a);
    if (k == SF80_C_ZERO) {
        mpfr_set_zero(m, sf80_sign(a) ? -1 : 1);
        return;
    }
    if (k == SF80_C_INF) {
        mpfr_set_inf(m, sf80_sign(a) ? -1 : 1);
        return;
    }
    struct sf80_wide w = sf80_unpack(a);
    mpfr_set_uj(m, w.hi, MPFR_RNDN);
    mpfr_mul_2si(m, m, (long)w.exp - SF80_BIAS - 63, MPFR_RNDN);
    if (w.sign)
        mpfr_neg(m, m, MPFR_RNDN);
}

/* An MPFR value that the extended format holds exactly, back. */
static sf80 from_mpfr(mpfr_t m)
{
    int sign = mpfr_signbit(m) != 0;
    if (mpfr_zero_p(m))
        return sf80_zero(sign);
    if (mpfr_inf_p(m))
        return sf80_inf(sign);
    long e = (long)mpfr_get_exp(m);      /* m = f * 2^e, f in [0.5, 1) */
    mpfr_t t;
    mpfr_init2(t, mpfr_get_prec(m));
    mpfr_abs(t, m, MPFR_RNDN);
    mpfr_mul_2si(t, t, 64 - e, MPFR_RNDN);
    uint64_t sig = (uint64_t)mpfr_get_uj(t, MPFR_RNDN);
    mpfr_clear(t);
    long be = e - 1 + SF80_BIAS;
    if (be >= 1)
        return sf80_make(sign, (uint32_t)be, sig);
    return sf80_make(sign, 0, sig >> (1 - be));
}

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT, N_BASIC };
static const char *const basic_names[N_BASIC] = { "add", "sub", "mul", "div", "sqrt" };

static int mpfr_basic(int op, mpfr_t r, mpfr_t a, mpfr_t b, mpfr_rnd_t rnd)
{
    switch (op) {
    case OP_ADD: return mpfr_add(r, a, b, rnd);
    case OP_SUB: return mpfr_sub(r, a, b, rnd);
    case OP_MUL: return mpfr_mul(r, a, b, rnd);
    case OP_DIV: return mpfr_div(r, a, b, rnd);
    default: return mpfr_sqrt(r, a, rnd);
    }
}

static sf80 ours_basic(int op, struct sf80_env *e, sf80 a, sf80 b)
{
    switch (op) {
    case OP_ADD: return sf80_add(e, a, b);
    case OP_SUB: return sf80_sub(e, a, b);
    case OP_MUL: return sf80_mul(e, a, b);
    case OP_DIV: return sf80_div(e, a, b);
    default: return sf80_sqrt(e, a);
    }
}

/* Operands for a basic operation: mostly in a moderate range, some near
 * the ends of the exponent range, some close together (cancellation). */
static void basic_operands(struct x87_rng *g, int op, sf80 *a, sf80 *b)
{
    uint32_t k = x87_rng_below(g, 10);
    if (k < 5) {
        *a = x87_rand_finite(g, -80, 80);
        *b = x87_rand_finite(g, -80, 80);
    } else if (k < 7) {
        *a = x87_rand_finite(g, -16445, 16383);
        *b = x87_rand_finite(g, -16445, 16383);
    } else if (k < 8) {
        /* products and quotients near overflow and underflow */
        *a = x87_rand_finite(g, -8300, -8100);
        *b = x87_rand_finite(g, op == OP_DIV ? 8100 : -8300, op == OP_DIV ? 8300 : -8100);
        if (x87_rng_below(g, 2))
            *a = sf80_make(sf80_sign(*a), sf80_exp(*a) + 16383, a->sig);
    } else {
        *a = x87_rand_finite(g, -20, 20);
        *b = *a;
        b->sig ^= x87_rng_next(g) >> x87_rng_below(g, 64);
        b->sig |= SF80_INT_BIT;
        if (x87_rng_below(g, 2))
            *b = sf80_neg(*b);
    }
    if (op == OP_SQRT)
        *a = sf80_abs(*a);
}

static void check_basic(const struct x87_ref_opts *o, struct x87_rng *g, int op)
{
    static const int pcs[3] = { SF80_PC_24, SF80_PC_53, SF80_PC_64 };
    mpfr_t ma, mb, mr, mu;
    mpfr_inits2(64, ma, mb, NULL);
    mpfr_inits2(64, mr, mu, NULL);
    unsigned fails = 0;
    for (long n = 0; n < o->cases; n++) {
        sf80 a, b;
        basic_operands(g, op, &a, &b);
        struct sf80_env e = { 0 };
        e.rc = (uint8_t)x87_rng_below(g, 4);
        e.pc = (uint8_t)pcs[x87_rng_below(g, 3)];
        e.masks = SF80_ALL;
        sf80 r = ours_basic(op, &e, a, b);

        int p = e.pc == SF80_PC_24 ? 24 : e.pc == SF80_PC_53 ? 53 : 64;
        mpfr_rnd_t rnd = rnd_of[e.rc];
        mpfr_set_emin(mpfr_get_emin_min());
        mpfr_set_emax(mpfr_get_emax_max());
        to_mpfr(ma, a);
        to_mpfr(mb, b);
        mpfr_set_prec(mu, p);
        mpfr_basic(op, mu, ma, mb, rnd);
        int tiny = !mpfr_zero_p(mu) && mpfr_get_exp(mu) <= -16382;
        int huge = !mpfr_zero_p(mu) && mpfr_get_exp(mu) > 16384;
        mpfr_set_emin(-16380 - p);
        mpfr_set_emax(16384);
        mpfr_set_prec(mr, p);
        int t = mpfr_basic(op, mr, ma, mb, rnd);
        t = mpfr_check_range(mr, t, rnd);
        t = mpfr_subnormalize(mr, t, rnd);
        sf80 want = from_mpfr(mr);
        uint8_t wflags = 0, wc1 = 0;
        if (t)
            wflags |= SF80_PE;
        if (t && tiny)
            wflags |= SF80_UE;
        if (huge)
            wflags |= SF80_OE | SF80_PE;
        if (sf80_classify(a) == SF80_C_DENORMAL || (op != OP_SQRT && sf80_classify(b) == SF80_C_DENORMAL))
            wflags |= SF80_DE;
        wc1 = (uint8_t)((t > 0 && !mpfr_signbit(mr)) || (t < 0 && mpfr_signbit(mr)));
        int ok = sf80_same(r, want) && e.flags == wflags && (!(wflags & SF80_PE) || e.c1 == wc1);
        CHECK(ok);
        if (!ok && (o->verbose || fails++ < 5))
            fprintf(stderr,
                    "%s rc=%d pc=%d: %04x:%016llx, %04x:%016llx -> %04x:%016llx flags %02x c1 %d; "
                    "want %04x:%016llx flags %02x c1 %d\n",
                    basic_names[op], e.rc, p, a.se, (unsigned long long)a.sig, b.se, (unsigned long long)b.sig,
                    r.se, (unsigned long long)r.sig, e.flags, e.c1, want.se, (unsigned long long)want.sig,
                    wflags, wc1);
    }
    mpfr_set_emin(mpfr_get_emin_min());
    mpfr_set_emax(mpfr_get_emax_max());
    mpfr_clears(ma, mb, mr, mu, NULL);
    printf("mpfr %-6s %ld cases\n", basic_names[op], o->cases);
}

void x87_ref_mpfr(const struct x87_ref_opts *o, unsigned *skipped)
{
    (void)skipped;
    struct x87_rng g = { o->seed };
    for (int op = 0; op < N_BASIC; op++)
        check_basic(o, &g, op);
    x87_ref_mpfr_trans(o, &g);
}

#else

void x87_ref_mpfr(const struct x87_ref_opts *o, unsigned *skipped)
{
    (void)o;
    printf("mpfr: not available (configure found no libmpfr-dev): reference checks skipped\n");
    *skipped += 1;
}

#endif
