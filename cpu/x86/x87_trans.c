/*
 * The x87's transcendental instructions: FSIN FCOS FSINCOS FPTAN FPATAN
 * F2XM1 FYL2X FYL2XP1 (FSCALE and FXTRACT are exact: softfloat80.c).
 *
 * Method.  Each function is evaluated in a wide format -- a 128-bit
 * significand with an unbounded exponent (struct sf80_wide), built from
 * integer operations only -- and the result is rounded once to the 64-bit
 * extended significand in the current rounding mode.  Every wide operation
 * is accurate to about 2^-127 relative, and no evaluation takes more than
 * a few dozen of them, so the value before rounding is within about
 * 2^-120 of the exact one: the rounded result is within one unit in the
 * last place, and correctly rounded except when the exact value lies
 * within 2^-120 of a rounding boundary.
 *
 *  - sin, cos, tan: the argument (|x| < 2^63, Intel's domain; beyond it
 *    C2 is set and nothing changes) is reduced modulo pi/2 by multiplying
 *    its 64-bit significand with 384 bits of 2/pi (Payne-Hanek): the
 *    product's integer part gives the quadrant and its fraction, taken to
 *    256 bits and times pi/2, the reduced argument |r| <= pi/4 -- exact to
 *    well beyond 128 bits even next to a multiple of pi/2.  (Intel's
 *    hardware reduces with a 66-bit pi; this is more accurate near large
 *    multiples of pi.)  sin r and cos r are then Taylor series summed until
 *    the terms fall below 2^-130 of the sum; tan = sin / cos.
 *  - atan: atan(t) = 2 atan(t / (1 + sqrt(1 + t^2))) halves the argument
 *    until t < 1/16, then the Taylor series; FPATAN's quadrants by
 *    pi/2 - a and pi - a.
 *  - log2: x = 2^E * m with m in [sqrt(2)/2, sqrt(2)], ln m =
 *    2 atanh((m - 1) / (m + 1)) as a series in s^2 <= 0.03; FYL2XP1 uses
 *    s = x / (2 + x) directly, so small x lose nothing.
 *  - 2^x - 1: expm1(x ln 2) as its Taylor series (|x| <= 1); outside
 *    Intel's domain 2^x is split as 2^n * 2^f.
 *
 * A series that stops early knows the sign of the first term it dropped;
 * the result keeps it as a sticky bit, so that a result like sin(x) = x -
 * x^3/6 for tiny x rounds (and sets PE and C1) as the exact value does.
 */
#include <stddef.h>

#include "cpu/x86/x87.h"

typedef struct sf80_wide W;

#define SERIES_CUTOFF 130       /* stop when a term is below 2^-130 of the sum */
#define SERIES_MAX 80

/* Constants to 128 bits (hi:lo / 2^127 * 2^(exp - bias)). */
static const W PI = { 0, SF80_BIAS + 1, 0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull };
static const W LN2 = { 0, SF80_BIAS - 1, 0xB17217F7D1CF79ABull, 0xC9E3B39803F2F6AFull };
static const W LOG2E = { 0, SF80_BIAS, 0xB8AA3B295C17F0BBull, 0xBE87FED0691D3E88ull };
static const W ONE = { 0, SF80_BIAS, 0x8000000000000000ull, 0 };
static const uint64_t SQRT2_HI = 0xB504F333F9DE6484ull;
/* 2/pi to 384 bits, most significant word first. */
static const uint64_t TWO_OVER_PI[6] = {
    0xA2F9836E4E441529ull, 0xFC2757D1F534DDC0ull, 0xDB6295993C439041ull,
    0xFE5163ABDEBBC561ull, 0xB7246E3A424DD2E0ull, 0x06492EEA09D1921Cull,
};

/* ------------------------------------------------------------------ */
/* Wide arithmetic                                                     */

static int w_is_zero(W a) { return !a.hi && !a.lo; }
static W w_neg(W a) { a.sign = !a.sign; return a; }
static W w_scale(W a, int32_t n) { if (!w_is_zero(a)) a.exp += n; return a; }

static W w_norm(W a)
{
    if (w_is_zero(a))
        return a;
    if (!a.hi) {
        a.hi = a.lo;
        a.lo = 0;
        a.exp -= 64;
    }
    int n = sf80_clz64(a.hi);
    if (n) {
        a.hi = a.hi << n | a.lo >> (64 - n);
        a.lo <<= n;
        a.exp -= n;
    }
    return a;
}

static int w_mag_less(W a, W b)
{
    if (w_is_zero(a) || w_is_zero(b))
        return w_is_zero(a) && !w_is_zero(b);
    if (a.exp != b.exp)
        return a.exp < b.exp;
    return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

static W w_add(W a, W b)
{
    if (w_is_zero(a))
        return b;
    if (w_is_zero(b))
        return a;
    if (w_mag_less(a, b)) {
        W t = a;
        a = b;
        b = t;
    }
    /* Align b, jamming what falls off into its last bit, so that a sum
     * that is not exact never looks exact. */
    int32_t d = a.exp - b.exp;
    if (d >= 128) {
        b.hi = 0;
        b.lo = 1;
    } else if (d >= 64) {
        uint64_t lost = b.lo | (d > 64 ? b.hi << (128 - d) : 0);
        b.lo = (d > 64 ? b.hi >> (d - 64) : b.hi) | (lost != 0);
        b.hi = 0;
    } else if (d > 0) {
        uint64_t lost = b.lo << (64 - d);
        b.lo = b.lo >> d | b.hi << (64 - d) | (lost != 0);
        b.hi >>= d;
    }
    if (a.sign == b.sign) {
        uint64_t lo = a.lo + b.lo;
        uint64_t hi = a.hi + b.hi + (lo < a.lo);
        int carry = hi < a.hi || (hi == a.hi && lo < a.lo);
        if (carry) {
            lo = lo >> 1 | hi << 63;
            hi = hi >> 1 | 0x8000000000000000ull;
            a.exp++;
        }
        a.hi = hi;
        a.lo = lo;
        return a;
    }
    uint64_t lo = a.lo - b.lo;
    a.hi = a.hi - b.hi - (a.lo < b.lo);
    a.lo = lo;
    if (w_is_zero(a))
        a.sign = 0;
    return w_norm(a);
}

static W w_sub(W a, W b) { return w_add(a, w_neg(b)); }

static W w_mul(W a, W b)
{
    W r = { a.sign ^ b.sign, 0, 0, 0 };
    if (w_is_zero(a) || w_is_zero(b))
        return r;
    uint64_t h1, h0, m1, m0, n1, n0, l1, l0;
    sf80_mul64(a.hi, b.hi, &h1, &h0);
    sf80_mul64(a.hi, b.lo, &m1, &m0);
    sf80_mul64(a.lo, b.hi, &n1, &n0);
    sf80_mul64(a.lo, b.lo, &l1, &l0);
    uint64_t w1 = l1 + m0;
    uint64_t c = w1 < m0;
    w1 += n0;
    c += w1 < n0;
    uint64_t w2 = h0 + c;
    uint64_t c2 = w2 < c;
    w2 += m1;
    c2 += w2 < m1;
    w2 += n1;
    c2 += w2 < n1;
    uint64_t w3 = h1 + c2;
    r.exp = a.exp + b.exp - SF80_BIAS + 1;
    if (!(w3 >> 63)) {
        w3 = w3 << 1 | w2 >> 63;
        w2 = w2 << 1 | w1 >> 63;
        r.exp--;
    }
    r.hi = w3;
    r.lo = w2;
    return r;
}

static W w_div(W a, W b)
{
    W q = { a.sign ^ b.sign, a.exp - b.exp + SF80_BIAS, 0, 0 };
    if (w_is_zero(a))
        return q;
    uint64_t rh = a.hi, rl = a.lo;
    int top = 0;
    for (int k = 0; k < 128; k++) {
        q.hi = q.hi << 1 | q.lo >> 63;
        q.lo <<= 1;
        if (top || rh > b.hi || (rh == b.hi && rl >= b.lo)) {
            uint64_t borrow = rl < b.lo;
            rl -= b.lo;
            rh -= b.hi + borrow;
            q.lo |= 1;
        }
        top = (int)(rh >> 63);
        rh = rh << 1 | rl >> 63;
        rl <<= 1;
    }
    return w_norm(q);
}

/* a / d for a small integer d, keeping 128 significant bits. */
static W w_div_small(W a, uint32_t d)
{
    if (w_is_zero(a))
        return a;
    uint32_t limb[5] = { (uint32_t)(a.hi >> 32), (uint32_t)a.hi, (uint32_t)(a.lo >> 32), (uint32_t)a.lo, 0 };
    uint64_t rem = 0;
    uint32_t q[5];
    for (int k = 0; k < 5; k++) {
        uint64_t cur = rem << 32 | limb[k];
        q[k] = (uint32_t)(cur / d);
        rem = cur % d;
    }
    /* The quotient is q[0..4] / 2^32 in units of a's significand. */
    W r = { a.sign, a.exp + 32, (uint64_t)q[0] << 32 | q[1], (uint64_t)q[2] << 32 | q[3] };
    int n = r.hi ? sf80_clz64(r.hi) : 64;
    if (n >= 64) {      /* cannot happen for d < 2^32: the quotient has a bit in q[0] or q[1] */
        r.hi = r.lo;
        r.lo = (uint64_t)q[4] << 32;
        r.exp -= 64;
        return w_norm(r);
    }
    if (n) {
        r.hi = r.hi << n | r.lo >> (64 - n);
        r.lo = r.lo << n | ((uint64_t)q[4] << 32) >> (64 - n);
    }
    r.exp -= n + 32;
    return r;
}

static W w_from_int(int64_t v) { return sf80_unpack(sf80_from_int64(v)); }

static W w_sqrt(W a)
{
    struct sf80_env e = { SF80_RC_NEAREST, SF80_PC_64, SF80_ALL, 0, 0 };
    sf80 a64 = sf80_round_pack(&e, 0, a.exp, a.hi, a.lo, 64);
    W y = sf80_unpack(sf80_sqrt(&e, a64));
    for (int k = 0; k < 2; k++)
        y = w_scale(w_add(y, w_div(a, y)), -1);
    return y;
}

/* Round a wide result; `tail` says which way the exact value lies beyond
 * it: +1 slightly larger in magnitude, -1 slightly smaller, 0 exact. */
static sf80 w_round(struct sf80_env *e, W v, int tail)
{
    if (w_is_zero(v))
        return sf80_zero(v.sign);
    if (tail < 0) {
        if (!v.lo--)
            v.hi--;
        v = w_norm(v);
    }
    if (tail)
        v.lo |= 1;
    return sf80_round_pack(e, v.sign, v.exp, v.hi, v.lo, 64);
}

/* ------------------------------------------------------------------ */
/* Series                                                              */

/* Adds term to *sum unless it is negligible; then returns 0 and sets
 * *tail from the dropped term's sign. */
static int series_add(W *sum, W term, int *tail)
{
    if (w_is_zero(term) || term.exp < sum->exp - SERIES_CUTOFF) {
        *tail = w_is_zero(term) ? 0 : term.sign == sum->sign ? 1 : -1;
        return 0;
    }
    *sum = w_add(*sum, term);
    return 1;
}

/* sin r = r - r^3/3! + r^5/5! - ... */
static W sin_series(W r, int *tail)
{
    W sum = r, term = r, r2 = w_mul(r, r);
    *tail = 0;
    for (uint32_t n = 1; n < SERIES_MAX; n++) {
        term = w_neg(w_div_small(w_mul(term, r2), (2 * n) * (2 * n + 1)));
        if (!series_add(&sum, term, tail))
            break;
    }
    return sum;
}

/* cos r = 1 - r^2/2! + r^4/4! - ... */
static W cos_series(W r, int *tail)
{
    W sum = ONE, term = ONE, r2 = w_mul(r, r);
    *tail = 0;
    for (uint32_t n = 1; n < SERIES_MAX; n++) {
        term = w_neg(w_div_small(w_mul(term, r2), (2 * n - 1) * (2 * n)));
        if (!series_add(&sum, term, tail))
            break;
    }
    return sum;
}

/* t - t^3/3 + t^5/5 - ... (atan), or with all signs + (atanh). */
static W odd_series(W t, int alternating, int *tail)
{
    W sum = t, pw = t, t2 = w_mul(t, t);
    *tail = 0;
    for (uint32_t n = 1; n < SERIES_MAX; n++) {
        pw = w_mul(pw, t2);
        W term = w_div_small(pw, 2 * n + 1);
        if (alternating && (n & 1))
            term = w_neg(term);
        if (!series_add(&sum, term, tail))
            break;
    }
    return sum;
}

/* expm1 z = z + z^2/2! + z^3/3! + ... */
static W expm1_series(W z, int *tail)
{
    W sum = z, term = z;
    *tail = 0;
    for (uint32_t n = 2; n < SERIES_MAX; n++) {
        term = w_div_small(w_mul(term, z), n);
        if (!series_add(&sum, term, tail))
            break;
    }
    return sum;
}

/* ------------------------------------------------------------------ */
/* Trigonometric functions                                             */

/* 64 bits of the 448-bit little-endian number p starting at bit pos. */
static uint64_t bits_at(const uint64_t p[7], int pos)
{
    int limb = pos / 64, sh = pos % 64;
    uint64_t v = limb < 7 ? p[limb] >> sh : 0;
    if (sh && limb + 1 < 7)
        v |= p[limb + 1] << (64 - sh);
    return v;
}

/* |x| = q * pi/2 + r with |r| <= pi/4; *quadrant = q mod 4.  x >= 0 and
 * below 2^63, unpacked from an extended value (lo = 0). */
static W reduce(W x, unsigned *quadrant)
{
    *quadrant = 0;
    if (x.exp < SF80_BIAS - 1)
        return x;
    /* P = significand * (2/pi * 2^384); x * 2/pi = P * 2^(E - 384). */
    uint64_t p[7] = { 0 };
    for (int k = 0; k < 6; k++) {
        uint64_t hi, lo;
        sf80_mul64(x.hi, TWO_OVER_PI[5 - k], &hi, &lo);
        p[k] += lo;
        uint64_t carry = p[k] < lo;
        p[k + 1] = hi + carry;
    }
    int point = 384 - (x.exp - SF80_BIAS - 63);    /* the binary point, 385..448 */
    *quadrant = (unsigned)(bits_at(p, point) & 3);
    uint64_t f[4];  /* 256 fraction bits, f[0] most significant */
    for (int k = 0; k < 4; k++)
        f[k] = bits_at(p, point - 64 * (k + 1));
    int sign = 0;
    if (f[0] >> 63) {
        /* Fraction >= 1/2: reduce toward the next multiple instead. */
        *quadrant = (*quadrant + 1) & 3;
        sign = 1;
        int carry = 1;
        for (int k = 3; k >= 0; k--) {
            f[k] = ~f[k] + (uint64_t)carry;
            carry = carry && f[k] == 0;
        }
    }
    int32_t exp = SF80_BIAS - 1;
    int k = 0;
    while (k < 3 && !f[k]) {
        k++;
        exp -= 64;
    }
    W frac = { sign, exp, f[k], k < 3 ? f[k + 1] : 0 };
    if (k < 2) {
        int n = sf80_clz64(frac.hi);
        if (n) {
            frac.hi = frac.hi << n | frac.lo >> (64 - n);
            frac.lo = frac.lo << n | f[k + 2] >> (64 - n);
            frac.exp -= n;
        }
    } else {
        frac = w_norm(frac);
    }
    W half_pi = w_scale(PI, -1);
    return w_mul(frac, half_pi);
}

/* Operand screening shared by the trig functions: 1 when |a| >= 2^63
 * (C2: nothing is done), 2 when *r is the final result, 0 to compute. */
static int trig_screen(struct sf80_env *e, sf80 a, sf80 *r)
{
    if (sf80_exp(a) >= SF80_BIAS + 63 && sf80_classify(a) == SF80_C_NORMAL)
        return 1;
    int k = sf80_check_operands(e, a, a, 1, r);
    if (k == 1)
        return 2;
    if (k == 2) {
        *r = a;         /* unmasked DE: the caller stores nothing */
        return 2;
    }
    if (sf80_classify(a) == SF80_C_INF) {
        e->flags |= SF80_IE;
        *r = sf80_indefinite();
        return 2;
    }
    return 0;
}

/* sin and cos of x, either or both (s or c may be NULL). */
static void sincos_wide(W x, W *s, int *stail, W *c, int *ctail)
{
    unsigned q;
    int sign = x.sign;
    x.sign = 0;
    W r = reduce(x, &q);
    W sr, cr;
    int t1 = 0, t2 = 0;
    int need_sin = (s && !(q & 1)) || (c && (q & 1));
    int need_cos = (c && !(q & 1)) || (s && (q & 1));
    if (need_sin)
        sr = sin_series(r, &t1);
    if (need_cos)
        cr = cos_series(r, &t2);
    if (s) {
        *s = (q & 1) ? cr : sr;
        *stail = (q & 1) ? t2 : t1;
        if ((q >= 2) != sign)
            *s = w_neg(*s);
    }
    if (c) {
        *c = (q & 1) ? sr : cr;
        *ctail = (q & 1) ? t1 : t2;
        if (q == 1 || q == 2)
            *c = w_neg(*c);
    }
}

int x87_sincos(struct sf80_env *e, sf80 a, sf80 *s, sf80 *c)
{
    int k = trig_screen(e, a, s);
    if (k) {
        *c = *s;
        return k == 1;
    }
    if (sf80_classify(a) == SF80_C_ZERO) {
        *s = a;
        *c = sf80_one(0);
        return 0;
    }
    W ws, wc;
    int st, ct;
    sincos_wide(sf80_unpack(a), &ws, &st, &wc, &ct);
    *s = w_round(e, ws, st);
    *c = w_round(e, wc, ct);
    return 0;
}

int x87_sin(struct sf80_env *e, sf80 a, sf80 *r)
{
    int k = trig_screen(e, a, r);
    if (k)
        return k == 1;
    if (sf80_classify(a) == SF80_C_ZERO) {
        *r = a;
        return 0;
    }
    W ws;
    int st;
    sincos_wide(sf80_unpack(a), &ws, &st, NULL, NULL);
    *r = w_round(e, ws, st);
    return 0;
}

int x87_cos(struct sf80_env *e, sf80 a, sf80 *r)
{
    int k = trig_screen(e, a, r);
    if (k)
        return k == 1;
    if (sf80_classify(a) == SF80_C_ZERO) {
        *r = sf80_one(0);
        return 0;
    }
    W wc;
    int ct;
    sincos_wide(sf80_unpack(a), NULL, NULL, &wc, &ct);
    *r = w_round(e, wc, ct);
    return 0;
}

int x87_tan(struct sf80_env *e, sf80 a, sf80 *r)
{
    int k = trig_screen(e, a, r);
    if (k)
        return k == 1;
    if (sf80_classify(a) == SF80_C_ZERO) {
        *r = a;
        return 0;
    }
    W x = sf80_unpack(a), t;
    int tail = 0;
    if (x.exp < SF80_BIAS - 60) {
        /* tan x = x + x^3/3 + (terms below 2^-240 relative) */
        t = w_add(x, w_div_small(w_mul(x, w_mul(x, x)), 3));
        tail = 1;
    } else {
        W s, c;
        int st, ct;
        sincos_wide(x, &s, &st, &c, &ct);
        t = w_div(s, c);
    }
    *r = w_round(e, t, tail);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Arctangent                                                          */

/* atan t for 0 <= t <= 1. */
static W atan_wide(W t, int *tail)
{
    int halvings = 0;
    W small = { 0, SF80_BIAS - 4, 0x8000000000000000ull, 0 };
    *tail = 0;
    while (!w_mag_less(t, small) && halvings < 8) {
        W root = w_sqrt(w_add(ONE, w_mul(t, t)));
        t = w_div(t, w_add(ONE, root));
        halvings++;
    }
    W a = odd_series(t, 1, tail);
    if (halvings)
        *tail = 0;
    return w_scale(a, halvings);
}

sf80 x87_atan(struct sf80_env *e, sf80 y, sf80 x)
{
    sf80 r;
    int k = sf80_check_operands(e, y, x, 2, &r);
    if (k == 1)
        return r;
    if (k == 2)
        return y;
    enum sf80_class cy = sf80_classify(y), cx = sf80_classify(x);
    int sy = sf80_sign(y), sx = sf80_sign(x);
    W a;
    int tail = 0;
    if (cy == SF80_C_INF || cx == SF80_C_INF || cy == SF80_C_ZERO || cx == SF80_C_ZERO) {
        /* SDM FPATAN table: the limits of atan2 at zeros and infinities. */
        if (cy == SF80_C_ZERO && cx != SF80_C_ZERO && cx != SF80_C_INF && !sx)
            return y;
        if (cy == SF80_C_ZERO || (cx == SF80_C_INF && cy != SF80_C_INF)) {
            if (!sx)
                return sf80_zero(sy);
            a = PI;
        } else if (cy == SF80_C_INF && cx == SF80_C_INF) {
            a = w_scale(PI, -2);
            if (sx)
                a = w_add(a, w_scale(PI, -1));
        } else {
            a = w_scale(PI, -1);
        }
    } else {
        W wy = sf80_unpack(y), wx = sf80_unpack(x);
        wy.sign = wx.sign = 0;
        int swap = w_mag_less(wx, wy);
        W t = swap ? w_div(wx, wy) : w_div(wy, wx);
        a = atan_wide(t, &tail);
        if (swap) {
            a = w_sub(w_scale(PI, -1), a);
            tail = 0;
        }
        if (sx) {
            a = w_sub(PI, a);
            tail = 0;
        }
    }
    if (sy)
        a = w_neg(a);
    return w_round(e, a, tail);
}

/* ------------------------------------------------------------------ */
/* 2^x - 1                                                             */

sf80 x87_f2xm1(struct sf80_env *e, sf80 a)
{
    sf80 r;
    int k = sf80_check_operands(e, a, a, 1, &r);
    if (k == 1)
        return r;
    if (k == 2)
        return a;
    enum sf80_class c = sf80_classify(a);
    if (c == SF80_C_ZERO)
        return a;
    if (c == SF80_C_INF)
        return sf80_sign(a) ? sf80_one(1) : a;
    W x = sf80_unpack(a);
    int tail = 0;
    if (x.exp == SF80_BIAS && x.hi == SF80_INT_BIT)     /* 2^1 - 1 and 2^-1 - 1 are exact */
        return x.sign ? sf80_make(1, SF80_BIAS - 1, SF80_INT_BIT) : a;
    if (x.exp <= SF80_BIAS)     /* |x| < 2: the series converges fast */
        return w_round(e, expm1_series(w_mul(x, LN2), &tail), tail);
    /* Outside Intel's domain: 2^x - 1 = 2^n (1 + expm1(f ln 2)) - 1. */
    if (x.exp > SF80_BIAS + 15) {
        if (!x.sign)
            return sf80_round_pack(e, 0, 0x7FFF + 1, SF80_INT_BIT, 0, 64);
        return w_round(e, w_neg(ONE), -1);
    }
    struct sf80_env tmp = { SF80_RC_NEAREST, SF80_PC_64, SF80_ALL, 0, 0 };
    sf80 n80 = sf80_round_to_int(&tmp, a);
    int32_t n = (int32_t)sf80_to_int(&tmp, n80, 32, 0);
    W f = w_sub(x, sf80_unpack(n80));
    W p = w_scale(w_add(ONE, expm1_series(w_mul(f, LN2), &tail)), n);
    return w_round(e, w_sub(p, ONE), n < -120 ? -1 : 0);
}

/* ------------------------------------------------------------------ */
/* Logarithms                                                          */

/* log2 of a positive finite wide value; *exact when it is (a power of 2). */
static W log2_wide(W x, int *exact)
{
    int32_t E = x.exp - SF80_BIAS;
    W m = x;
    m.exp = SF80_BIAS;
    if (m.hi > SQRT2_HI) {
        m.exp--;
        E++;
    }
    W num = w_sub(m, ONE);
    *exact = w_is_zero(num);
    W lg = w_from_int(E);
    if (*exact)
        return lg;
    int tail;
    W ln = w_scale(odd_series(w_div(num, w_add(m, ONE)), 0, &tail), 1);
    return w_add(lg, w_mul(ln, LOG2E));
}

/* The FYL2X/FYL2XP1 special cases, shared: x is the logarithm's argument
 * class, its log's sign (-1, 0, +1) and whether it is log(0). */
static int ylog_special(struct sf80_env *e, sf80 y, int log_zero, int log_inf, int log_sign, sf80 *r)
{
    enum sf80_class cy = sf80_classify(y);
    int sy = sf80_sign(y);
    if (log_zero) {         /* log -> -inf */
        if (cy == SF80_C_ZERO) {
            e->flags |= SF80_IE;
            *r = sf80_indefinite();
        } else {
            if (cy != SF80_C_INF)
                e->flags |= SF80_ZE;
            *r = sf80_inf(!sy);
        }
        return 1;
    }
    if (log_inf) {          /* log -> +inf */
        if (cy == SF80_C_ZERO) {
            e->flags |= SF80_IE;
            *r = sf80_indefinite();
        } else {
            *r = sf80_inf(sy);
        }
        return 1;
    }
    if (log_sign == 0) {    /* log is a zero */
        if (cy == SF80_C_INF) {
            e->flags |= SF80_IE;
            *r = sf80_indefinite();
        } else {
            *r = sf80_zero(sy);
        }
        return 1;
    }
    if (cy == SF80_C_INF) {
        *r = sf80_inf(sy ^ (log_sign < 0));
        return 1;
    }
    if (cy == SF80_C_ZERO) {
        *r = sf80_zero(sy ^ (log_sign < 0));
        return 1;
    }
    return 0;
}

/* The denormal-operand check for FYL2X/FYL2XP1 comes after their invalid
 * and divide-by-zero cases (SDM 4.9.2): DE is set aside by the caller and
 * restored here when neither happened.  Returns 1 when DE is unmasked. */
static int ylog_denormal(struct sf80_env *e, uint8_t de)
{
    if (e->flags & (SF80_IE | SF80_ZE))
        return 0;
    e->flags |= de;
    return de && !(e->masks & SF80_DE);
}

sf80 x87_yl2x(struct sf80_env *e, sf80 y, sf80 x)
{
    sf80 r;
    if (sf80_check_operands(e, y, x, 2, &r) == 1)
        return r;
    uint8_t de = e->flags & SF80_DE;
    e->flags &= (uint8_t)~SF80_DE;
    enum sf80_class cx = sf80_classify(x);
    if (sf80_sign(x) && cx != SF80_C_ZERO) {
        e->flags |= SF80_IE;
        return sf80_indefinite();
    }
    W wx = sf80_unpack(x);
    int is_one = cx == SF80_C_NORMAL && wx.exp == SF80_BIAS && wx.hi == SF80_INT_BIT;
    int lsign = is_one ? 0 : (cx == SF80_C_INF || wx.exp >= SF80_BIAS) ? 1 : -1;
    int special = ylog_special(e, y, cx == SF80_C_ZERO, cx == SF80_C_INF, lsign, &r);
    if (ylog_denormal(e, de))
        return y;
    if (special)
        return r;
    int exact;
    W lg = log2_wide(wx, &exact);
    return w_round(e, w_mul(sf80_unpack(y), lg), 0);
}

sf80 x87_yl2xp1(struct sf80_env *e, sf80 y, sf80 x)
{
    sf80 r;
    if (sf80_check_operands(e, y, x, 2, &r) == 1)
        return r;
    uint8_t de = e->flags & SF80_DE;
    e->flags &= (uint8_t)~SF80_DE;
    enum sf80_class cx = sf80_classify(x);
    W wx = sf80_unpack(x);
    /* Intel's domain is |x| < 1 - sqrt(2)/2; beyond it the result is
     * computed as y * log2(1 + x) all the same, x < -1 being invalid. */
    W arg = cx == SF80_C_INF ? wx : w_add(ONE, wx);
    if ((cx == SF80_C_INF && wx.sign) || (!w_is_zero(arg) && arg.sign)) {
        e->flags |= SF80_IE;
        return sf80_indefinite();
    }
    int special;
    if (cx == SF80_C_ZERO) {
        special = 1;
        if (sf80_classify(y) == SF80_C_INF) {
            e->flags |= SF80_IE;
            r = sf80_indefinite();
        } else {
            r = sf80_zero(sf80_sign(y) ^ sf80_sign(x));
        }
    } else {
        special = ylog_special(e, y, w_is_zero(arg), cx == SF80_C_INF, wx.sign ? -1 : 1, &r);
    }
    if (ylog_denormal(e, de))
        return y;
    if (special)
        return r;
    W lg;
    if (wx.exp < SF80_BIAS - 1) {
        /* |x| < 1/2: ln(1 + x) = 2 atanh(x / (2 + x)) */
        int tail;
        W s = w_div(wx, w_add(w_scale(ONE, 1), wx));
        lg = w_mul(w_scale(odd_series(s, 0, &tail), 1), LOG2E);
    } else {
        int exact;
        lg = log2_wide(arg, &exact);
    }
    return w_round(e, w_mul(sf80_unpack(y), lg), 0);
}
