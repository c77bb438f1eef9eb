/*
 * softfloat80, directed cases: every rounding mode and precision, NaN
 * propagation, denormals and pseudo-denormals, unsupported encodings,
 * infinities, exact and inexact results, the overflow and underflow
 * boundaries with masked and unmasked responses, integer, BCD, single and
 * double conversions at their limits, FPREM/FPREM1, FRNDINT, FSCALE,
 * FXTRACT, compares, and the transcendental functions' special values.
 * (Randomized comparisons against MPFR and the host FPU are in
 * tests/conformance/test_x87_mpfr.)
 */
#include <string.h>

#include "cpu/x86/softfloat80.h"
#include "cpu/x86/x87.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

static sf80 X(uint16_t se, uint64_t sig)
{
    sf80 v;
    v.se = se;
    v.sig = sig;
    return v;
}

static struct sf80_env env(int rc, int pc)
{
    struct sf80_env e = { (uint8_t)rc, (uint8_t)pc, SF80_ALL, 0, 0 };
    return e;
}

#define CHECK_SF(v, se_, sig_)                      \
    do {                                            \
        sf80 v_ = (v);                              \
        CHECK_EQ(v_.se, se_);                       \
        CHECK_EQ(v_.sig, sig_);                     \
    } while (0)

static const sf80 ONE = { 0x8000000000000000ull, 0x3FFF };
static const sf80 TWO = { 0x8000000000000000ull, 0x4000 };
static const sf80 THREE = { 0xC000000000000000ull, 0x4000 };

static void test_rounding_modes(void)
{
    /* 1/3 = 0.AAAA...: each mode and precision */
    static const struct { int rc, pc; uint64_t sig; uint8_t c1; } third[] = {
        { SF80_RC_NEAREST, SF80_PC_64, 0xAAAAAAAAAAAAAAABull, 1 },
        { SF80_RC_DOWN, SF80_PC_64, 0xAAAAAAAAAAAAAAAAull, 0 },
        { SF80_RC_UP, SF80_PC_64, 0xAAAAAAAAAAAAAAABull, 1 },
        { SF80_RC_ZERO, SF80_PC_64, 0xAAAAAAAAAAAAAAAAull, 0 },
        { SF80_RC_NEAREST, SF80_PC_53, 0xAAAAAAAAAAAAA800ull, 0 },
        { SF80_RC_UP, SF80_PC_53, 0xAAAAAAAAAAAAB000ull, 1 },
        { SF80_RC_NEAREST, SF80_PC_24, 0xAAAAAB0000000000ull, 1 },
        { SF80_RC_ZERO, SF80_PC_24, 0xAAAAAA0000000000ull, 0 },
        { SF80_RC_NEAREST, SF80_PC_RESERVED, 0xAAAAAAAAAAAAAAABull, 1 },
    };
    for (size_t k = 0; k < sizeof(third) / sizeof(third[0]); k++) {
        struct sf80_env e = env(third[k].rc, third[k].pc);
        CHECK_SF(sf80_div(&e, ONE, THREE), 0x3FFD, third[k].sig);
        CHECK_EQ(e.flags, SF80_PE);
        CHECK_EQ(e.c1, third[k].c1);
    }
    /* -1/3 rounds the other way in the directed modes */
    struct sf80_env e = env(SF80_RC_DOWN, SF80_PC_64);
    CHECK_SF(sf80_div(&e, sf80_neg(ONE), THREE), 0xBFFD, 0xAAAAAAAAAAAAAAABull);
    CHECK_EQ(e.c1, 1);
    /* ties to even: 1 + 2^-64 and 1 + 3 * 2^-64 */
    e = env(SF80_RC_NEAREST, SF80_PC_64);
    sf80 half_ulp = X(0x3FBF, 0x8000000000000000ull);
    CHECK_SF(sf80_add(&e, ONE, half_ulp), 0x3FFF, 0x8000000000000000ull);
    CHECK_EQ(e.c1, 0);
    CHECK_SF(sf80_add(&e, X(0x3FFF, 0x8000000000000001ull), half_ulp), 0x3FFF, 0x8000000000000002ull);
    CHECK_EQ(e.c1, 1);
    /* an exact result raises nothing and clears C1 */
    e = env(SF80_RC_NEAREST, SF80_PC_24);
    CHECK_SF(sf80_add(&e, ONE, TWO), 0x4000, 0xC000000000000000ull);
    CHECK_EQ(e.flags, 0);
    CHECK_EQ(e.c1, 0);
    /* x - x is +0, or -0 rounding down */
    CHECK_SF(sf80_sub(&e, THREE, THREE), 0x0000, 0);
    e = env(SF80_RC_DOWN, SF80_PC_64);
    CHECK_SF(sf80_sub(&e, THREE, THREE), 0x8000, 0);
    CHECK_SF(sf80_add(&e, sf80_zero(1), sf80_zero(0)), 0x8000, 0);
    /* sqrt: exact and rounded */
    e = env(SF80_RC_NEAREST, SF80_PC_64);
    CHECK_SF(sf80_sqrt(&e, X(0x4002, 0x9000000000000000ull)), 0x4000, 0xC000000000000000ull);
    CHECK_EQ(e.flags, 0);
    CHECK_SF(sf80_sqrt(&e, TWO), 0x3FFF, 0xB504F333F9DE6484ull);
    CHECK_EQ(e.flags, SF80_PE);
    e = env(SF80_RC_UP, SF80_PC_53);
    CHECK_SF(sf80_sqrt(&e, TWO), 0x3FFF, 0xB504F333F9DE6800ull);
}

static void test_nans_and_invalid(void)
{
    struct sf80_env e = env(SF80_RC_NEAREST, SF80_PC_64);
    sf80 qa = X(0x7FFF, 0xC000000000000005ull), qb = X(0xFFFF, 0xC000000000000009ull);
    sf80 sa = X(0x7FFF, 0x8000000000000007ull), sb = X(0x7FFF, 0xA000000000000001ull);
    CHECK_SF(sf80_add(&e, qa, qb), 0xFFFF, 0xC000000000000009ull);     /* larger significand */
    CHECK_EQ(e.flags, 0);
    CHECK_SF(sf80_mul(&e, sa, qa), 0x7FFF, 0xC000000000000005ull);     /* the QNaN wins */
    CHECK_EQ(e.flags, SF80_IE);
    e.flags = 0;
    CHECK_SF(sf80_div(&e, sa, sb), 0x7FFF, 0xE000000000000001ull);     /* larger, quieted */
    CHECK_EQ(e.flags, SF80_IE);
    e.flags = 0;
    CHECK_SF(sf80_sub(&e, sa, ONE), 0x7FFF, 0xC000000000000007ull);
    CHECK_SF(sf80_add(&e, X(0xFFFF, 0xC000000000000001ull), X(0x7FFF, 0xC000000000000001ull)), 0x7FFF,
             0xC000000000000001ull);    /* equal significands: the positive one */
    /* invalid operations give the indefinite */
    sf80 inf = sf80_inf(0);
    e.flags = 0;
    CHECK_SF(sf80_sub(&e, inf, inf), 0xFFFF, 0xC000000000000000ull);
    CHECK_SF(sf80_mul(&e, inf, sf80_zero(1)), 0xFFFF, 0xC000000000000000ull);
    CHECK_SF(sf80_div(&e, sf80_zero(0), sf80_zero(0)), 0xFFFF, 0xC000000000000000ull);
    CHECK_SF(sf80_div(&e, inf, inf), 0xFFFF, 0xC000000000000000ull);
    CHECK_SF(sf80_sqrt(&e, sf80_neg(ONE)), 0xFFFF, 0xC000000000000000ull);
    CHECK_EQ(e.flags, SF80_IE);
    CHECK_SF(sf80_sqrt(&e, sf80_zero(1)), 0x8000, 0);                  /* sqrt(-0) = -0 */
    /* unsupported encodings: unnormal, pseudo-infinity, pseudo-NaN */
    e.flags = 0;
    CHECK_SF(sf80_add(&e, X(0x4000, 0x4000000000000000ull), ONE), 0xFFFF, 0xC000000000000000ull);
    CHECK_EQ(e.flags, SF80_IE);
    CHECK_EQ(sf80_classify(X(0x7FFF, 0)), SF80_C_UNSUPPORTED);
    CHECK_EQ(sf80_classify(X(0x7FFF, 0x4000000000000000ull)), SF80_C_UNSUPPORTED);
    CHECK_EQ(sf80_classify(X(0x0000, 0x8000000000000000ull)), SF80_C_DENORMAL);
    /* divide by zero */
    e.flags = 0;
    CHECK_SF(sf80_div(&e, sf80_neg(ONE), sf80_zero(0)), 0xFFFF, 0x8000000000000000ull);
    CHECK_EQ(e.flags, SF80_ZE);
    /* infinities */
    e.flags = 0;
    CHECK_SF(sf80_add(&e, inf, sf80_neg(ONE)), 0x7FFF, 0x8000000000000000ull);
    CHECK_SF(sf80_div(&e, ONE, inf), 0x0000, 0);
    CHECK_EQ(e.flags, 0);
}

static void test_denormals(void)
{
    struct sf80_env e = env(SF80_RC_NEAREST, SF80_PC_64);
    sf80 den = X(0x0000, 0x4000000000000000ull);    /* 2^-16383 */
    sf80 pden = X(0x0000, 0x8000000000000000ull);   /* pseudo-denormal 2^-16382 */
    CHECK_SF(sf80_add(&e, den, den), 0x0001, 0x8000000000000000ull);  /* becomes normal */
    CHECK_EQ(e.flags, SF80_DE);
    e.flags = 0;
    CHECK_SF(sf80_add(&e, pden, sf80_zero(0)), 0x0001, 0x8000000000000000ull);
    CHECK_EQ(e.flags, SF80_DE);
    /* unmasked DE stops the operation: only DE is raised */
    e = env(SF80_RC_NEAREST, SF80_PC_64);
    e.masks = SF80_ALL & ~SF80_DE;
    sf80_mul(&e, den, X(0x7FFE, 0x8000000000000000ull));
    CHECK_EQ(e.flags, SF80_DE);
    /* a denormal with infinity still raises DE */
    e = env(SF80_RC_NEAREST, SF80_PC_64);
    sf80_add(&e, den, sf80_inf(1));
    CHECK_EQ(e.flags, SF80_DE);
    /* NaN beats DE */
    e.flags = 0;
    sf80_add(&e, den, X(0x7FFF, 0xC000000000000000ull));
    CHECK_EQ(e.flags, 0);
}

static void test_overflow_underflow(void)
{
    sf80 max = X(0x7FFE, 0xFFFFFFFFFFFFFFFFull);
    static const struct { int rc, sign; uint16_t se; uint64_t sig; uint8_t c1; } ovf[] = {
        { SF80_RC_NEAREST, 0, 0x7FFF, 0x8000000000000000ull, 1 },
        { SF80_RC_ZERO, 0, 0x7FFE, 0xFFFFFFFFFFFFFFFFull, 0 },
        { SF80_RC_DOWN, 0, 0x7FFE, 0xFFFFFFFFFFFFFFFFull, 0 },
        { SF80_RC_UP, 0, 0x7FFF, 0x8000000000000000ull, 1 },
        { SF80_RC_DOWN, 1, 0xFFFF, 0x8000000000000000ull, 1 },
        { SF80_RC_UP, 1, 0xFFFE, 0xFFFFFFFFFFFFFFFFull, 0 },
    };
    for (size_t k = 0; k < sizeof(ovf) / sizeof(ovf[0]); k++) {
        struct sf80_env e = env(ovf[k].rc, SF80_PC_64);
        CHECK_SF(sf80_mul(&e, ovf[k].sign ? sf80_neg(max) : max, TWO), ovf[k].se, ovf[k].sig);
        CHECK_EQ(e.flags, SF80_OE | SF80_PE);
        CHECK_EQ(e.c1, ovf[k].c1);
    }
    /* the largest value at 24 bits */
    struct sf80_env e = env(SF80_RC_ZERO, SF80_PC_24);
    CHECK_SF(sf80_mul(&e, max, TWO), 0x7FFE, 0xFFFFFF0000000000ull);
    /* unmasked overflow: exponent wrapped by 24576 */
    e = env(SF80_RC_NEAREST, SF80_PC_64);
    e.masks = SF80_ALL & ~SF80_OE;
    CHECK_SF(sf80_mul(&e, max, TWO), 0x7FFF - 24576, 0xFFFFFFFFFFFFFFFFull);
    CHECK_EQ(e.flags, SF80_OE);
    /* underflow: exact denormal (no UE masked), inexact (UE), to zero */
    sf80 minnorm = X(0x0001, 0x8000000000000000ull);
    e = env(SF80_RC_NEAREST, SF80_PC_64);
    CHECK_SF(sf80_div(&e, minnorm, TWO), 0x0000, 0x4000000000000000ull);
    CHECK_EQ(e.flags, 0);
    sf80 mindenorm = X(0x0000, 1);
    CHECK_SF(sf80_div(&e, X(0x0000, 3), TWO), 0x0000, 2);     /* 1.5 -> 2, even */
    CHECK_EQ(e.flags, SF80_DE | SF80_UE | SF80_PE);
    e.flags = 0;
    CHECK_SF(sf80_div(&e, mindenorm, TWO), 0x0000, 0);         /* half: to even 0 */
    CHECK_EQ(e.flags, SF80_DE | SF80_UE | SF80_PE);
    e = env(SF80_RC_UP, SF80_PC_64);
    CHECK_SF(sf80_div(&e, mindenorm, TWO), 0x0000, 1);
    CHECK_EQ(e.c1, 1);
    /* tininess after rounding: just below the smallest normal rounds up
     * to it and is not tiny */
    e = env(SF80_RC_NEAREST, SF80_PC_64);
    CHECK_SF(sf80_mul(&e, X(0x0000, 0x7FFFFFFFFFFFFFFFull), X(0x3FFF, 0x8000000000000001ull)), 0x0001,
             0x8000000000000000ull);
    CHECK_EQ(e.flags, SF80_DE | SF80_PE);
    /* denormals at reduced precision keep the top 24 bits of the field */
    e = env(SF80_RC_ZERO, SF80_PC_24);
    CHECK_SF(sf80_div(&e, X(0x0008, 0xFFFFFFFFFFFFFFFFull), X(0x4010, 0x8000000000000000ull)), 0x0000,
             0x003FFF0000000000ull);
    /* unmasked underflow: wrapped, flagged even when exact */
    e = env(SF80_RC_NEAREST, SF80_PC_64);
    e.masks = SF80_ALL & ~SF80_UE;
    CHECK_SF(sf80_div(&e, minnorm, TWO), 0x0000 + 24576, 0x8000000000000000ull);
    CHECK_EQ(e.flags, SF80_UE);
}

static void test_integers_and_bcd(void)
{
    struct sf80_env e = env(SF80_RC_NEAREST, SF80_PC_64);
    CHECK_SF(sf80_from_int64(-1), 0xBFFF, 0x8000000000000000ull);
    CHECK_SF(sf80_from_int64(INT64_MIN), 0xC03E, 0x8000000000000000ull);
    CHECK_SF(sf80_from_int64(0), 0, 0);
    CHECK_EQ((uint64_t)sf80_to_int(&e, sf80_from_int64(INT64_MIN), 64, 0), 0x8000000000000000ull);
    CHECK_EQ(e.flags, 0);
    CHECK_EQ((uint16_t)sf80_to_int(&e, X(0x400D, 0xFFFF000000000000ull), 16, 0), 0x8000);     /* 32767.5 */
    CHECK_EQ(e.flags, SF80_IE);
    e.flags = 0;
    CHECK_EQ(sf80_to_int(&e, X(0x400D, 0xFFFF000000000000ull), 16, 1), 32767);               /* truncated */
    CHECK_EQ(e.flags, SF80_PE);
    e.flags = 0;
    CHECK_EQ(sf80_to_int(&e, X(0xC00E, 0x8000000000000000ull), 16, 0), -32768);
    CHECK_EQ((uint32_t)sf80_to_int(&e, X(0x401E, 0x8000000000000000ull), 32, 0), 0x80000000u); /* 2^31 */
    CHECK_EQ((uint32_t)sf80_to_int(&e, sf80_inf(0), 32, 0), 0x80000000u);
    CHECK_EQ((uint64_t)sf80_to_int(&e, X(0x403E, 0x8000000000000000ull), 64, 0), 0x8000000000000000ull);
    /* 2.5 in each mode; -2.5 */
    static const int64_t r25[4] = { 2, 2, 3, 2 }, rm25[4] = { -2, -3, -2, -2 };
    for (int rc = 0; rc < 4; rc++) {
        e = env(rc, SF80_PC_64);
        CHECK_EQ(sf80_to_int(&e, X(0x4000, 0xA000000000000000ull), 32, 0), r25[rc]);
        CHECK_EQ(sf80_to_int(&e, X(0xC000, 0xA000000000000000ull), 32, 0), rm25[rc]);
    }
    /* a denormal rounds, with PE, and raises no DE */
    e = env(SF80_RC_UP, SF80_PC_64);
    CHECK_EQ(sf80_to_int(&e, X(0x0000, 1), 16, 0), 1);
    CHECK_EQ(e.flags, SF80_PE);
    /* BCD */
    uint8_t b[10], want[10] = { 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x80 };
    e = env(SF80_RC_NEAREST, SF80_PC_64);
    sf80 v = sf80_from_bcd(want);
    CHECK_SF(v, 0xC03A, 0xDE0B6B3A763FFFF0ull);       /* -(10^18 - 1) */
    sf80_to_bcd(&e, v, b);
    CHECK(memcmp(b, want, 10) == 0);
    CHECK_EQ(e.flags, 0);
    sf80_to_bcd(&e, sf80_from_int64(1000000000000000000ll), b);
    static const uint8_t indef[10] = { 0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF };
    CHECK(memcmp(b, indef, 10) == 0);
    CHECK_EQ(e.flags, SF80_IE);
    e.flags = 0;
    sf80_to_bcd(&e, X(0xBFFE, 0x8000000000000000ull), b);      /* -0.5 -> -0 */
    CHECK_EQ(b[0], 0);
    CHECK_EQ(b[9], 0x80);
    CHECK_EQ(e.flags, SF80_PE);
    uint8_t mz[10] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80 };
    CHECK_SF(sf80_from_bcd(mz), 0x8000, 0);
}

static void test_float_formats(void)
{
    struct sf80_env e = env(SF80_RC_NEAREST, SF80_PC_64);
    CHECK_SF(sf80_from_f32(&e, 0x3F800000u), 0x3FFF, 0x8000000000000000ull);
    CHECK_SF(sf80_from_f32(&e, 0x00000001u), 0x3F6A, 0x8000000000000000ull);   /* 2^-149 */
    CHECK_EQ(e.flags, SF80_DE);
    e.flags = 0;
    CHECK_SF(sf80_from_f32(&e, 0x7F800001u), 0x7FFF, 0xC000010000000000ull);   /* SNaN quieted */
    CHECK_EQ(e.flags, SF80_IE);
    e.flags = 0;
    CHECK_SF(sf80_from_f64(&e, 0xFFF8000000000000ull), 0xFFFF, 0xC000000000000000ull);
    CHECK_SF(sf80_from_f64(&e, 0x000FFFFFFFFFFFFFull), 0x3C00, 0xFFFFFFFFFFFFF000ull);
    CHECK_EQ(e.flags, SF80_DE);
    e.flags = 0;
    CHECK_EQ(sf80_to_f32(&e, X(0x3FFF, 0xFFFFFF8000000000ull)), 0x40000000u);    /* rounds up to 2 */
    CHECK_EQ(e.c1, 1);
    CHECK_EQ(sf80_to_f32(&e, X(0x407F, 0x8000000000000000ull)), 0x7F800000u);    /* overflow */
    CHECK_EQ(e.flags, SF80_PE | SF80_OE);
    e = env(SF80_RC_ZERO, SF80_PC_64);
    CHECK_EQ(sf80_to_f32(&e, X(0x407F, 0x8000000000000000ull)), 0x7F7FFFFFu);
    e = env(SF80_RC_NEAREST, SF80_PC_64);
    CHECK_EQ(sf80_to_f64(&e, X(0x3BCD, 0x8000000000000000ull)), 1ull);           /* 2^-1074 */
    CHECK_EQ(e.flags, 0);
    CHECK_EQ(sf80_to_f64(&e, X(0x3BCC, 0x8000000000000000ull)), 0ull);           /* half: to even */
    CHECK_EQ(e.flags, SF80_UE | SF80_PE);
    e.flags = 0;
    CHECK_EQ(sf80_to_f64(&e, sf80_indefinite()), 0xFFF8000000000000ull);
    CHECK_EQ(sf80_to_f32(&e, X(0x7FFF, 0x8000000000000001ull)), 0x7FC00000u);    /* SNaN, payload lost */
    CHECK_EQ(e.flags, SF80_IE);
    e.flags = 0;
    CHECK_EQ(sf80_to_f32(&e, X(0x4000, 0x4000000000000000ull)), 0xFFC00000u);    /* unnormal */
    CHECK_EQ(e.flags, SF80_IE);
}

static void test_rem_round_scale_xtract(void)
{
    struct sf80_env e = env(SF80_RC_NEAREST, SF80_PC_64);
    uint64_t q;
    int partial;
    sf80 five = sf80_from_int64(5), seven = sf80_from_int64(7);
    CHECK_SF(sf80_rem(&e, five, THREE, 0, &q, &partial), 0x4000, 0x8000000000000000ull);   /* 2 */
    CHECK_EQ(q, 1);
    CHECK_SF(sf80_rem(&e, five, THREE, 1, &q, &partial), 0xBFFF, 0x8000000000000000ull);   /* -1 */
    CHECK_EQ(q, 2);
    CHECK_SF(sf80_rem(&e, seven, TWO, 1, &q, &partial), 0xBFFF, 0x8000000000000000ull);    /* 7 = 4*2 - 1 */
    CHECK_EQ(q, 4);
    CHECK_SF(sf80_rem(&e, sf80_neg(seven), TWO, 0, &q, &partial), 0xBFFF, 0x8000000000000000ull);
    CHECK_EQ(q, 3);
    CHECK_EQ(partial, 0);
    sf80_rem(&e, X(0x4100, 0xC90FDAA22168C234ull), THREE, 0, &q, &partial);
    CHECK_EQ(partial, 1);
    CHECK_EQ(e.flags, 0);
    sf80_rem(&e, ONE, sf80_zero(0), 0, &q, &partial);
    CHECK_EQ(e.flags, SF80_IE);
    /* FRNDINT */
    static const uint64_t r25[4] = { 0x8000000000000000ull, 0x8000000000000000ull, 0xC000000000000000ull,
                                     0x8000000000000000ull };
    for (int rc = 0; rc < 4; rc++) {
        e = env(rc, SF80_PC_24);
        sf80 r = sf80_round_to_int(&e, X(0x4000, 0xA000000000000000ull));
        CHECK_EQ(r.sig, r25[rc]);
        CHECK_EQ(e.flags, SF80_PE);
    }
    e = env(SF80_RC_DOWN, SF80_PC_64);
    CHECK_SF(sf80_round_to_int(&e, X(0x8000, 1)), 0xBFFF, 0x8000000000000000ull);   /* -denormal -> -1 */
    CHECK_EQ(e.flags, SF80_DE | SF80_PE);
    /* FSCALE */
    e = env(SF80_RC_NEAREST, SF80_PC_64);
    CHECK_SF(sf80_scale(&e, THREE, X(0x4000, 0xE000000000000000ull)), 0x4003, 0xC000000000000000ull);
    CHECK_SF(sf80_scale(&e, THREE, X(0xBFFE, 0xFFFFFFFFFFFFFFFFull)), 0x4000, 0xC000000000000000ull);
    CHECK_SF(sf80_scale(&e, THREE, sf80_inf(1)), 0x0000, 0);
    CHECK_EQ(e.flags, 0);
    CHECK_SF(sf80_scale(&e, sf80_zero(0), sf80_inf(0)), 0xFFFF, 0xC000000000000000ull);
    CHECK_EQ(e.flags, SF80_IE);
    /* FXTRACT */
    e = env(SF80_RC_NEAREST, SF80_PC_64);
    sf80 ex, sig;
    sf80_xtract(&e, X(0xC005, 0xA000000000000000ull), &ex, &sig);
    CHECK_SF(ex, 0x4001, 0xC000000000000000ull);
    CHECK_SF(sig, 0xBFFF, 0xA000000000000000ull);
    sf80_xtract(&e, sf80_zero(1), &ex, &sig);
    CHECK_SF(ex, 0xFFFF, 0x8000000000000000ull);
    CHECK_SF(sig, 0x8000, 0);
    CHECK_EQ(e.flags, SF80_ZE);
}

static void test_compare(void)
{
    struct sf80_env e = env(SF80_RC_NEAREST, SF80_PC_64);
    CHECK_EQ(sf80_compare(&e, sf80_zero(1), sf80_zero(0), 0), SF80_EQ);
    CHECK_EQ(sf80_compare(&e, sf80_neg(ONE), sf80_zero(0), 0), SF80_LT);
    CHECK_EQ(sf80_compare(&e, sf80_inf(0), X(0x7FFE, ~0ull), 0), SF80_GT);
    CHECK_EQ(sf80_compare(&e, X(0x0000, 5), X(0x0000, 4), 0), SF80_GT);
    CHECK_EQ(e.flags, SF80_DE);
    e.flags = 0;
    sf80 qnan = X(0x7FFF, 0xC000000000000000ull), snan = X(0x7FFF, 0x8000000000000001ull);
    CHECK_EQ(sf80_compare(&e, qnan, ONE, 1), SF80_UNORDERED);
    CHECK_EQ(e.flags, 0);
    CHECK_EQ(sf80_compare(&e, qnan, ONE, 0), SF80_UNORDERED);
    CHECK_EQ(e.flags, SF80_IE);
    e.flags = 0;
    CHECK_EQ(sf80_compare(&e, ONE, snan, 1), SF80_UNORDERED);
    CHECK_EQ(e.flags, SF80_IE);
}

static void test_transcendental_specials(void)
{
    struct sf80_env e = env(SF80_RC_NEAREST, SF80_PC_24);
    sf80 r, c;
    CHECK_EQ(x87_sin(&e, sf80_zero(1), &r), 0);
    CHECK_SF(r, 0x8000, 0);
    CHECK_EQ(x87_cos(&e, sf80_zero(1), &r), 0);
    CHECK_SF(r, 0x3FFF, 0x8000000000000000ull);
    CHECK_EQ(e.flags, 0);
    /* precision control does not apply: 64-bit results */
    CHECK_EQ(x87_sincos(&e, ONE, &r, &c), 0);
    CHECK_SF(r, 0x3FFE, 0xD76AA47848677021ull);     /* sin 1 */
    CHECK_SF(c, 0x3FFE, 0x8A51407DA8345C92ull);     /* cos 1 */
    CHECK_EQ(e.flags, SF80_PE);
    /* out of range: C2, nothing computed */
    e.flags = 0;
    CHECK_EQ(x87_tan(&e, X(0x403E, 0x8000000000000000ull), &r), 1);
    CHECK_EQ(e.flags, 0);
    CHECK_EQ(x87_sin(&e, sf80_inf(0), &r), 0);
    CHECK_SF(r, 0xFFFF, 0xC000000000000000ull);
    CHECK_EQ(e.flags, SF80_IE);
    /* tiny arguments: sin x rounds just below x when truncating */
    e = env(SF80_RC_ZERO, SF80_PC_64);
    CHECK_EQ(x87_sin(&e, X(0x3F00, 0x8000000000000000ull), &r), 0);
    CHECK_SF(r, 0x3EFF, 0xFFFFFFFFFFFFFFFFull);
    CHECK_EQ(e.flags, SF80_PE);
    /* FPATAN's table */
    e = env(SF80_RC_NEAREST, SF80_PC_64);
    CHECK_SF(x87_atan(&e, sf80_zero(0), sf80_zero(1)), 0x4000, 0xC90FDAA22168C235ull);  /* +pi */
    CHECK_SF(x87_atan(&e, sf80_zero(1), sf80_zero(0)), 0x8000, 0);                       /* -0 */
    CHECK_SF(x87_atan(&e, sf80_inf(1), sf80_inf(1)), 0xC000, 0x96CBE3F9990E91A8ull);      /* -3pi/4 */
    CHECK_SF(x87_atan(&e, ONE, sf80_zero(0)), 0x3FFF, 0xC90FDAA22168C235ull);            /* pi/2 */
    CHECK_SF(x87_atan(&e, ONE, ONE), 0x3FFE, 0xC90FDAA22168C235ull);                     /* pi/4 */
    /* F2XM1 */
    e.flags = 0;
    CHECK_SF(x87_f2xm1(&e, sf80_inf(1)), 0xBFFF, 0x8000000000000000ull);
    CHECK_SF(x87_f2xm1(&e, ONE), 0x3FFF, 0x8000000000000000ull);                         /* 2^1 - 1 */
    CHECK_SF(x87_f2xm1(&e, sf80_neg(ONE)), 0xBFFE, 0x8000000000000000ull);               /* -1/2 */
    CHECK_EQ(e.flags, 0);
    /* FYL2X and FYL2XP1 */
    CHECK_SF(x87_yl2x(&e, THREE, X(0x4003, 0x8000000000000000ull)), 0x4002, 0xC000000000000000ull);  /* 3*3 */
    CHECK_EQ(e.flags, 0);
    CHECK_SF(x87_yl2x(&e, sf80_neg(ONE), ONE), 0x8000, 0);
    CHECK_SF(x87_yl2x(&e, ONE, sf80_zero(0)), 0xFFFF, 0x8000000000000000ull);
    CHECK_EQ(e.flags, SF80_ZE);
    e.flags = 0;
    CHECK_SF(x87_yl2x(&e, ONE, sf80_neg(ONE)), 0xFFFF, 0xC000000000000000ull);
    CHECK_SF(x87_yl2x(&e, sf80_zero(0), sf80_inf(0)), 0xFFFF, 0xC000000000000000ull);
    CHECK_EQ(e.flags, SF80_IE);
    e.flags = 0;
    CHECK_SF(x87_yl2xp1(&e, sf80_neg(ONE), sf80_zero(1)), 0x0000, 0);
    CHECK_SF(x87_yl2xp1(&e, ONE, X(0x3FFD, 0x8000000000000000ull)), 0x3FFD, 0xA4D3C25E68DC57F2ull); /* log2 1.25 */
}

int main(void)
{
    test_rounding_modes();
    test_nans_and_invalid();
    test_denormals();
    test_overflow_underflow();
    test_integers_and_bcd();
    test_float_formats();
    test_rem_round_scale_xtract();
    test_compare();
    test_transcendental_specials();
    return test_report();
}
