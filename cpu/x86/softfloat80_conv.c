/*
 * softfloat80: conversions between the extended format and the x87's
 * memory formats -- 16/32/64-bit integers, single and double precision,
 * and 18-digit packed BCD (Intel SDM vol. 1, 4.2 and 8.2, and the FLD,
 * FILD, FBLD, FST, FIST and FBSTP pages).
 *
 * Loads are exact.  Stores round in the rounding mode to the format
 * (precision control does not apply); a value that does not fit an integer
 * format is invalid and stores that format's indefinite.
 */
#include "cpu/x86/softfloat80.h"

/* The shared rounding engine (softfloat80.c). */
int sf80_round_to_format(struct sf80_env *e, int sign, int32_t exp, uint64_t hi, int bits, int32_t emin,
                         int32_t emax, int32_t *rexp, uint64_t *rsig);

sf80 sf80_from_int64(int64_t v)
{
    if (v == 0)
        return sf80_zero(0);
    int sign = v < 0;
    uint64_t mag = sign ? 0 - (uint64_t)v : (uint64_t)v;
    int n = sf80_clz64(mag);
    return sf80_make(sign, (uint32_t)(SF80_BIAS + 63 - n), mag << n);
}

/* ------------------------------------------------------------------ */
/* Single and double precision                                         */

/* A binary format: fraction bits and exponent bits. */
struct ieee_fmt {
    int fbits, ebits;
};
static const struct ieee_fmt F32 = { 23, 8 }, F64 = { 52, 11 };

static sf80 from_ieee(struct sf80_env *e, uint64_t bits, const struct ieee_fmt *f)
{
    int sign = (int)(bits >> (f->fbits + f->ebits)) & 1;
    uint32_t emax = (1u << f->ebits) - 1;
    int32_t bias = (int32_t)(emax >> 1);
    uint32_t exp = (uint32_t)(bits >> f->fbits) & emax;
    uint64_t frac = bits & ((1ull << f->fbits) - 1);
    if (exp == emax) {
        if (!frac)
            return sf80_inf(sign);
        uint64_t sig = SF80_INT_BIT | frac << (63 - f->fbits);
        if (!(sig & SF80_QUIET_BIT)) {
            e->flags |= SF80_IE;
            sig |= SF80_QUIET_BIT;
        }
        return sf80_make(sign, SF80_EXP_INF, sig);
    }
    if (exp == 0) {
        if (!frac)
            return sf80_zero(sign);
        e->flags |= SF80_DE;
        int n = sf80_clz64(frac);
        /* value = frac * 2^(1 - bias - fbits) */
        return sf80_make(sign, (uint32_t)(SF80_BIAS + 1 - bias - f->fbits + 63 - n), frac << n);
    }
    return sf80_make(sign, (uint32_t)((int32_t)exp - bias + SF80_BIAS), SF80_INT_BIT | frac << (63 - f->fbits));
}

static uint64_t to_ieee(struct sf80_env *e, sf80 a, const struct ieee_fmt *f)
{
    uint64_t emax = (1ull << f->ebits) - 1;
    int32_t bias = (int32_t)(emax >> 1);
    int sign = sf80_sign(a);
    uint64_t sbit = (uint64_t)sign << (f->fbits + f->ebits);
    uint64_t inf = emax << f->fbits;
    uint64_t quiet = 1ull << (f->fbits - 1);
    e->c1 = 0;
    switch (sf80_classify(a)) {
    case SF80_C_UNSUPPORTED:
        e->flags |= SF80_IE;
        return (1ull << (f->fbits + f->ebits)) | inf | quiet;
    case SF80_C_SNAN:
        e->flags |= SF80_IE;
        /* fall through */
    case SF80_C_QNAN:
        return sbit | inf | quiet | ((a.sig << 1) >> (64 - f->fbits));
    case SF80_C_INF:
        return sbit | inf;
    case SF80_C_ZERO:
        return sbit;
    default:
        /* A denormal source raises no DE: FST lists none. */
        break;
    }
    struct sf80_wide w = sf80_unpack(a);
    int32_t emin_x = SF80_BIAS - bias + 1, emax_x = SF80_BIAS + bias;
    int32_t rexp;
    uint64_t rsig;
    int kind = sf80_round_to_format(e, sign, w.exp, w.hi, f->fbits + 1, emin_x, emax_x, &rexp, &rsig);
    if (kind == 0)
        return sbit;
    if (kind == 2)
        return sbit | inf;
    /* Out of range only after an unmasked overflow or underflow: the
     * caller does not store the value. */
    if (rexp > emax_x || (rexp < emin_x && !rsig))
        return sbit | inf;
    if (rexp < emin_x) {
        /* A denormal of the format: exact by construction. */
        int32_t shift = 63 - f->fbits + (emin_x - rexp);
        return shift < 64 ? sbit | rsig >> shift : sbit;
    }
    return sbit | (uint64_t)(rexp - emin_x + 1) << f->fbits | ((rsig << 1) >> (64 - f->fbits));
}

sf80 sf80_from_f32(struct sf80_env *e, uint32_t f) { return from_ieee(e, f, &F32); }
sf80 sf80_from_f64(struct sf80_env *e, uint64_t f) { return from_ieee(e, f, &F64); }
uint32_t sf80_to_f32(struct sf80_env *e, sf80 a) { return (uint32_t)to_ieee(e, a, &F32); }
uint64_t sf80_to_f64(struct sf80_env *e, sf80 a) { return to_ieee(e, a, &F64); }

/* ------------------------------------------------------------------ */
/* Integers                                                            */

/* Round to an integer magnitude in the rounding mode (or toward zero).
 * Returns 0 when |rounded| does not fit below 2^63 (or is exactly 2^63,
 * which *mag reports as 2^63). */
static int round_magnitude(struct sf80_env *e, sf80 a, int truncate, uint64_t *mag, int *inexact, int *up)
{
    struct sf80_wide w = sf80_unpack(a);
    *inexact = *up = 0;
    *mag = 0;
    if (!w.hi)
        return 1;
    if (w.exp > SF80_BIAS + 63)
        return 0;
    if (w.exp == SF80_BIAS + 63) {
        *mag = w.hi;
        return w.hi == SF80_INT_BIT;
    }
    int n = SF80_BIAS + 63 - w.exp;
    uint64_t q, rem;
    if (n >= 128) {
        q = 0;
        rem = 1;
    } else if (n >= 64) {
        q = 0;
        rem = n == 64 ? w.hi : (w.hi >> (n - 64)) | ((w.hi << (128 - n)) != 0);
        if (n > 64 && !rem)
            rem = 1;
    } else {
        q = w.hi >> n;
        rem = w.hi << (64 - n);
    }
    int rc = truncate ? SF80_RC_ZERO : e->rc;
    int u = 0;
    if (rem) {
        switch (rc) {
        case SF80_RC_NEAREST: u = rem > SF80_INT_BIT || (rem == SF80_INT_BIT && (q & 1)); break;
        case SF80_RC_DOWN: u = w.sign; break;
        case SF80_RC_UP: u = !w.sign; break;
        default: break;
        }
    }
    *mag = q + (uint64_t)u;
    *inexact = rem != 0;
    *up = u;
    return 1;
}

int64_t sf80_to_int(struct sf80_env *e, sf80 a, int bits, int truncate)
{
    int64_t indefinite = bits == 64 ? INT64_MIN : -((int64_t)1 << (bits - 1));
    enum sf80_class k = sf80_classify(a);
    e->c1 = 0;
    if (k == SF80_C_QNAN || k == SF80_C_SNAN || k == SF80_C_INF || k == SF80_C_UNSUPPORTED) {
        e->flags |= SF80_IE;
        return indefinite;
    }
    /* A denormal source raises no DE (FIST lists none): it rounds. */
    uint64_t mag;
    int inexact, up;
    int sign = sf80_sign(a);
    uint64_t limit = (1ull << (bits - 1)) - (uint64_t)!sign;
    if (!round_magnitude(e, a, truncate, &mag, &inexact, &up) || mag > limit) {
        e->flags |= SF80_IE;
        return indefinite;
    }
    if (inexact) {
        e->flags |= SF80_PE;
        e->c1 = (uint8_t)up;
    }
    if (!sign)
        return (int64_t)mag;
    return mag == SF80_INT_BIT ? INT64_MIN : -(int64_t)mag;
}

/* ------------------------------------------------------------------ */
/* Packed BCD: bytes 0-8 hold 18 digits, two a byte, least significant
 * first; bit 7 of byte 9 is the sign.                                  */

sf80 sf80_from_bcd(const uint8_t bcd[10])
{
    uint64_t v = 0;
    for (int k = 8; k >= 0; k--)
        v = v * 100 + (uint64_t)(bcd[k] >> 4) * 10 + (bcd[k] & 15u);
    sf80 r = sf80_from_int64((int64_t)v);
    if (bcd[9] & 0x80)
        r = sf80_neg(r);
    return r;
}

static void bcd_indefinite(uint8_t bcd[10])
{
    for (int k = 0; k < 7; k++)
        bcd[k] = 0;
    bcd[7] = 0xC0;
    bcd[8] = 0xFF;
    bcd[9] = 0xFF;
}

void sf80_to_bcd(struct sf80_env *e, sf80 a, uint8_t bcd[10])
{
    enum sf80_class k = sf80_classify(a);
    e->c1 = 0;
    if (k == SF80_C_QNAN || k == SF80_C_SNAN || k == SF80_C_INF || k == SF80_C_UNSUPPORTED) {
        e->flags |= SF80_IE;
        bcd_indefinite(bcd);
        return;
    }
    uint64_t mag;
    int inexact, up;
    if (!round_magnitude(e, a, 0, &mag, &inexact, &up) || mag > 999999999999999999ull) {
        e->flags |= SF80_IE;
        bcd_indefinite(bcd);
        return;
    }
    if (inexact) {
        e->flags |= SF80_PE;
        e->c1 = (uint8_t)up;
    }
    for (int b = 0; b < 9; b++) {
        uint64_t two = mag % 100;
        mag /= 100;
        bcd[b] = (uint8_t)((two / 10) << 4 | two % 10);
    }
    bcd[9] = sf80_sign(a) ? 0x80 : 0;
}
