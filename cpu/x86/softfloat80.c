/*
 * softfloat80: 80-bit extended arithmetic with the x87's rules, in
 * integers only.  See softfloat80.h for the model.
 *
 * Every operation follows the same shape: NaN and unsupported operands
 * (SDM vol. 1, 4.9.2 priorities 1-2), then the operation's own invalid and
 * divide-by-zero cases (priority 3), then the denormal-operand check
 * (priority 4), then the exact result computed wide and handed to the one
 * rounding engine, which applies precision control, the exponent range,
 * overflow, underflow and inexact (priorities 5-6).
 *
 * Tininess is detected after rounding (the result rounded to the precision
 * with an unbounded exponent is below the smallest normal), as the x87
 * does.  With underflow masked, UE is raised only for a tiny result that
 * is also inexact; unmasked, for any tiny result.
 */
#include "cpu/x86/softfloat80.h"

#define HALF 0x8000000000000000ull

/* ------------------------------------------------------------------ */
/* Integer helpers                                                     */

int sf80_clz64(uint64_t v)
{
    if (!v)
        return 64;
    int n = 0;
    if (!(v >> 32)) { n += 32; v <<= 32; }
    if (!(v >> 48)) { n += 16; v <<= 16; }
    if (!(v >> 56)) { n += 8; v <<= 8; }
    if (!(v >> 60)) { n += 4; v <<= 4; }
    if (!(v >> 62)) { n += 2; v <<= 2; }
    if (!(v >> 63))
        n += 1;
    return n;
}

void sf80_mul64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
    uint64_t al = a & 0xFFFFFFFFu, ah = a >> 32, bl = b & 0xFFFFFFFFu, bh = b >> 32;
    uint64_t p0 = al * bl, p1 = al * bh, p2 = ah * bl, p3 = ah * bh;
    uint64_t mid = (p0 >> 32) + (p1 & 0xFFFFFFFFu) + (p2 & 0xFFFFFFFFu);
    *lo = (p0 & 0xFFFFFFFFu) | (mid << 32);
    *hi = p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);
}

/* Split hi:lo after discarding its low `n` bits of hi (lo lies wholly below
 * them): *q gets the kept bits, *rem the discarded ones left-aligned, so
 * its top bit is the half bit; bits lost beyond 64 are jammed into bit 0. */
static void split(uint64_t hi, uint64_t lo, int n, uint64_t *q, uint64_t *rem)
{
    if (n <= 0) {
        *q = hi;
        *rem = lo;
    } else if (n < 64) {
        *q = hi >> n;
        *rem = (hi << (64 - n)) | (lo != 0);
    } else if (n == 64) {
        *q = 0;
        *rem = hi | (lo != 0);
    } else if (n < 128) {
        *q = 0;
        *rem = (hi >> (n - 64)) | ((hi << (128 - n)) != 0 || lo != 0);
    } else {
        *q = 0;
        *rem = (hi | lo) != 0;
    }
}

static int round_up(int rc, int sign, uint64_t q, uint64_t rem)
{
    switch (rc) {
    case SF80_RC_NEAREST: return rem > HALF || (rem == HALF && (q & 1));
    case SF80_RC_DOWN: return sign && rem;
    case SF80_RC_UP: return !sign && rem;
    default: return 0;
    }
}

/* ------------------------------------------------------------------ */
/* The rounding engine                                                 */

/* A destination format: significand bits and the (extended-biased)
 * exponents of its smallest and largest normal numbers. */
struct fmt {
    int bits;
    int32_t emin, emax;
};

/* A rounded value: exact in the destination format, held normalized. */
struct rounded {
    int kind;           /* 0 zero, 1 finite, 2 infinity */
    int wrapped;        /* the exponent was wrapped by an unmasked OE/UE */
    int32_t exp;
    uint64_t sig;
};

static struct rounded overflow(struct sf80_env *e, int sign, const struct fmt *f)
{
    struct rounded r = { 2, 0, 0, 0 };
    int to_inf = e->rc == SF80_RC_NEAREST || (e->rc == SF80_RC_UP && !sign) || (e->rc == SF80_RC_DOWN && sign);
    e->flags |= SF80_OE | SF80_PE;
    e->c1 = (uint8_t)to_inf;
    if (!to_inf) {
        r.kind = 1;
        r.exp = f->emax;
        r.sig = ~0ull << (64 - f->bits);
    }
    return r;
}

/* Round (-1)^sign * hi:lo/2^127 * 2^(exp - bias) to format f.  `wrap`: an
 * unmasked overflow or underflow delivers the exponent wrapped by 24576
 * (register destinations); otherwise the caller discards the result. */
static struct rounded round_fmt(struct sf80_env *e, int sign, int32_t exp, uint64_t hi, uint64_t lo,
                                const struct fmt *f, int wrap)
{
    struct rounded r = { 0, 0, 0, 0 };
    e->c1 = 0;
    if (!hi && !lo)
        return r;
    if (!hi) {
        hi = lo;
        lo = 0;
        exp -= 64;
    }
    int n = sf80_clz64(hi);
    if (n) {
        hi = hi << n | lo >> (64 - n);
        lo <<= n;
        exp -= n;
    }
    int drop = 64 - f->bits;
    uint64_t q, rem;
    split(hi, lo, drop, &q, &rem);
    int up = round_up(e->rc, sign, q, rem);
    int32_t e1 = exp;
    uint64_t q1 = q + (uint64_t)up;
    if (f->bits == 64 ? q1 < q : (q1 >> f->bits) != 0) {
        q1 = 1ull << (f->bits - 1);     /* rounded up to the next power of two */
        e1++;
    }
    r.kind = 1;
    if (e1 > f->emax) {
        /* Unmasked overflow: a register destination gets the exponent
         * wrapped by 24576 -- unless even that is out of range, when the
         * masked response is delivered; a memory destination gets
         * nothing, so only OE is raised. */
        if (e->masks & SF80_OE)
            return overflow(e, sign, f);
        if (wrap && e1 - SF80_WRAP_BIAS > f->emax) {
            /* Beyond the wrap's reach (only FSCALE gets there): an
             * infinity, whatever the rounding mode, as the hardware does. */
            e->flags |= SF80_OE | SF80_PE;
            e->c1 = 1;
            r.kind = 2;
            return r;
        }
        e->flags |= SF80_OE;
        if (!wrap)
            return r;
        e1 -= SF80_WRAP_BIAS;
        r.wrapped = 1;
    } else if (e1 < f->emin) {
        if (wrap && !(e->masks & SF80_UE) && e1 + SF80_WRAP_BIAS < f->emin) {
            e->flags |= SF80_UE | SF80_PE;      /* likewise: a zero */
            r.kind = 0;
            return r;
        }
        if (e->masks & SF80_UE) {
            /* Denormalize the exact value and round it once, at the
             * precision's last bit or the format's smallest denormal bit,
             * whichever is higher. */
            split(hi, lo, drop + (f->emin - exp), &q, &rem);
            up = round_up(e->rc, sign, q, rem);
            q += (uint64_t)up;
            e->c1 = (uint8_t)up;
            if (rem)
                e->flags |= SF80_UE | SF80_PE;
            if (!q) {
                r.kind = 0;
                return r;
            }
            int b = 63 - sf80_clz64(q);
            r.exp = f->emin - (f->bits - 1) + b;
            r.sig = q << (63 - b);
            return r;
        }
        e->flags |= SF80_UE;
        if (!wrap)
            return r;
        e1 += SF80_WRAP_BIAS;
        r.wrapped = 1;
    }
    if (rem)
        e->flags |= SF80_PE;
    e->c1 = (uint8_t)up;
    r.exp = e1;
    r.sig = q1 << drop;
    return r;
}

static sf80 pack_ext(int sign, const struct rounded *r)
{
    if (r->kind == 0)
        return sf80_zero(sign);
    if (r->kind == 2)
        return sf80_inf(sign);
    if (r->exp >= 1 || r->wrapped)
        return sf80_make(sign, (uint32_t)r->exp & 0x7FFFu, r->sig);
    return sf80_make(sign, 0, r->sig >> (1 - r->exp));
}

sf80 sf80_round_pack(struct sf80_env *e, int sign, int32_t exp, uint64_t hi, uint64_t lo, int bits)
{
    struct fmt f = { bits, 1, 0x7FFE };
    struct rounded r = round_fmt(e, sign, exp, hi, lo, &f, 1);
    return pack_ext(sign, &r);
}

/* Rounding to a memory format (softfloat80_conv.c): the rounded value as
 * sign, kind, exponent and normalized significand. */
int sf80_round_to_format(struct sf80_env *e, int sign, int32_t exp, uint64_t hi, int bits, int32_t emin,
                         int32_t emax, int32_t *rexp, uint64_t *rsig);
int sf80_round_to_format(struct sf80_env *e, int sign, int32_t exp, uint64_t hi, int bits, int32_t emin,
                         int32_t emax, int32_t *rexp, uint64_t *rsig)
{
    struct fmt f = { bits, emin, emax };
    struct rounded r = round_fmt(e, sign, exp, hi, 0, &f, 0);
    *rexp = r.exp;
    *rsig = r.sig;
    return r.kind;
}

static int pc_bits(const struct sf80_env *e)
{
    return e->pc == SF80_PC_24 ? 24 : e->pc == SF80_PC_53 ? 53 : 64;
}

/* ------------------------------------------------------------------ */
/* Classification and operand checks                                   */

enum sf80_class sf80_classify(sf80 a)
{
    uint32_t exp = sf80_exp(a);
    int ib = (int)(a.sig >> 63);
    if (exp == 0)
        return a.sig == 0 ? SF80_C_ZERO : SF80_C_DENORMAL;
    if (exp == SF80_EXP_INF) {
        if (!ib)
            return SF80_C_UNSUPPORTED;
        if ((a.sig << 1) == 0)
            return SF80_C_INF;
        return (a.sig & SF80_QUIET_BIT) ? SF80_C_QNAN : SF80_C_SNAN;
    }
    return ib ? SF80_C_NORMAL : SF80_C_UNSUPPORTED;
}

struct sf80_wide sf80_unpack(sf80 a)
{
    struct sf80_wide w;
    w.sign = sf80_sign(a);
    w.lo = 0;
    uint32_t exp = sf80_exp(a);
    if (exp == 0) {
        int n = sf80_clz64(a.sig);
        w.hi = n == 64 ? 0 : a.sig << n;
        w.exp = n == 64 ? 0 : 1 - n;    /* a pseudo-denormal reads as exponent 1 */
    } else {
        w.hi = a.sig;
        w.exp = (int32_t)exp;
    }
    return w;
}

sf80 sf80_propagate_nan(struct sf80_env *e, sf80 a, sf80 b)
{
    enum sf80_class ca = sf80_classify(a), cb = sf80_classify(b);
    int sa = ca == SF80_C_SNAN, sb = cb == SF80_C_SNAN;
    int na = sa || ca == SF80_C_QNAN, nb = sb || cb == SF80_C_QNAN;
    if (sa || sb)
        e->flags |= SF80_IE;
    a.sig |= SF80_QUIET_BIT;
    b.sig |= SF80_QUIET_BIT;
    if (na && nb) {
        if (sa != sb)
            return sa ? b : a;          /* a QNaN beats an SNaN */
        if (a.sig != b.sig)
            return a.sig > b.sig ? a : b;
        return a.se < b.se ? a : b;     /* equal significands: the positive one */
    }
    return na ? a : b;
}

static int is_nan_class(enum sf80_class k) { return k == SF80_C_QNAN || k == SF80_C_SNAN; }

/* NaN or unsupported operands: 1 and *r set. */
static int nan_operands(struct sf80_env *e, sf80 a, sf80 b, sf80 *r)
{
    enum sf80_class ca = sf80_classify(a), cb = sf80_classify(b);
    if (ca == SF80_C_UNSUPPORTED || cb == SF80_C_UNSUPPORTED) {
        e->flags |= SF80_IE;
        *r = sf80_indefinite();
        return 1;
    }
    if (is_nan_class(ca) || is_nan_class(cb)) {
        *r = sf80_propagate_nan(e, a, b);
        return 1;
    }
    return 0;
}

/* Denormal operands raise DE; returns 1 when DE is unmasked (stop). */
static int denormal_operands(struct sf80_env *e, sf80 a, sf80 b)
{
    if (sf80_classify(a) == SF80_C_DENORMAL || sf80_classify(b) == SF80_C_DENORMAL) {
        e->flags |= SF80_DE;
        return !(e->masks & SF80_DE);
    }
    return 0;
}

int sf80_check_operands(struct sf80_env *e, sf80 a, sf80 b, int nops, sf80 *r)
{
    if (nops < 2)
        b = a;
    if (nan_operands(e, a, b, r))
        return 1;
    return denormal_operands(e, a, b) ? 2 : 0;
}

static sf80 invalid(struct sf80_env *e)
{
    e->flags |= SF80_IE;
    return sf80_indefinite();
}

/* ------------------------------------------------------------------ */
/* Add and subtract                                                    */

/* Shift hi:lo right by n, jamming lost bits into bit 0. */
static void shr128_jam(uint64_t *hi, uint64_t *lo, int32_t n)
{
    if (n <= 0)
        return;
    if (n < 64) {
        uint64_t lost = *lo << (64 - n);
        *lo = (*hi << (64 - n)) | (*lo >> n) | (lost != 0);
        *hi >>= n;
    } else if (n < 128) {
        uint64_t lost = (n == 64 ? 0 : *hi << (128 - n)) | *lo;
        *lo = (n == 64 ? *hi : *hi >> (n - 64)) | (lost != 0);
        *hi = 0;
    } else {
        *lo = (*hi | *lo) != 0;
        *hi = 0;
    }
}

static sf80 add_signed(struct sf80_env *e, sf80 a, sf80 b, int neg_b)
{
    sf80 r;
    if (nan_operands(e, a, b, &r))
        return r;
    int sa = sf80_sign(a), sb = sf80_sign(b) ^ neg_b;
    enum sf80_class ca = sf80_classify(a), cb = sf80_classify(b);
    if (ca == SF80_C_INF && cb == SF80_C_INF && sa != sb)
        return invalid(e);
    if (denormal_operands(e, a, b))
        return a;
    if (ca == SF80_C_INF || cb == SF80_C_INF)
        return sf80_inf(ca == SF80_C_INF ? sa : sb);
    struct sf80_wide wa = sf80_unpack(a), wb = sf80_unpack(b);
    wb.sign = sb;
    if (!wa.hi && !wb.hi) {
        int zs = sa == sb ? sa : e->rc == SF80_RC_DOWN;
        return sf80_zero(zs);
    }
    if (!wa.hi || (wb.hi && (wb.exp > wa.exp || (wb.exp == wa.exp && wb.hi > wa.hi)))) {
        struct sf80_wide t = wa;
        wa = wb;
        wb = t;
    }
    /* |a| >= |b| now (or b is zero). */
    if (!wb.hi)
        return sf80_round_pack(e, wa.sign, wa.exp, wa.hi, 0, pc_bits(e));
    uint64_t ahi = wa.hi, alo = 0, bhi = wb.hi, blo = 0;
    int32_t exp = wa.exp;
    shr128_jam(&bhi, &blo, wa.exp - wb.exp);
    if (wa.sign == wb.sign) {
        /* Leave room for the carry: shift both right by one first. */
        shr128_jam(&ahi, &alo, 1);
        shr128_jam(&bhi, &blo, 1);
        alo += blo;
        ahi += bhi + (alo < blo);
        exp += 1;
    } else {
        uint64_t borrow = alo < blo;
        alo -= blo;
        ahi -= bhi + borrow;
        if (!ahi && !alo)
            return sf80_zero(e->rc == SF80_RC_DOWN);
    }
    return sf80_round_pack(e, wa.sign, exp, ahi, alo, pc_bits(e));
}

sf80 sf80_add(struct sf80_env *e, sf80 a, sf80 b) { return add_signed(e, a, b, 0); }
sf80 sf80_sub(struct sf80_env *e, sf80 a, sf80 b) { return add_signed(e, a, b, 1); }

/* ------------------------------------------------------------------ */
/* Multiply, divide, square root                                       */

sf80 sf80_mul(struct sf80_env *e, sf80 a, sf80 b)
{
    sf80 r;
    if (nan_operands(e, a, b, &r))
        return r;
    int sign = sf80_sign(a) ^ sf80_sign(b);
    enum sf80_class ca = sf80_classify(a), cb = sf80_classify(b);
    if (ca == SF80_C_INF || cb == SF80_C_INF) {
        if (ca == SF80_C_ZERO || cb == SF80_C_ZERO)
            return invalid(e);
        if (denormal_operands(e, a, b))
            return a;
        return sf80_inf(sign);
    }
    if (denormal_operands(e, a, b))
        return a;
    if (ca == SF80_C_ZERO || cb == SF80_C_ZERO)
        return sf80_zero(sign);
    struct sf80_wide wa = sf80_unpack(a), wb = sf80_unpack(b);
    uint64_t hi, lo;
    sf80_mul64(wa.hi, wb.hi, &hi, &lo);
    return sf80_round_pack(e, sign, wa.exp + wb.exp - SF80_BIAS + 1, hi, lo, pc_bits(e));
}

/* floor(a * 2^127 / b) for normalized a and b, and whether a remainder
 * was left. */
static void div128(uint64_t a, uint64_t b, uint64_t *qhi, uint64_t *qlo, int *inexact)
{
    uint64_t r = a, hi = 0, lo = 0;
    int top = 0;
    for (int k = 0; k < 128; k++) {
        hi = hi << 1 | lo >> 63;
        lo <<= 1;
        if (top || r >= b) {
            r -= b;
            lo |= 1;
        }
        top = (int)(r >> 63);
        r <<= 1;
    }
    *qhi = hi;
    *qlo = lo;
    *inexact = top || r;
}

sf80 sf80_div(struct sf80_env *e, sf80 a, sf80 b)
{
    sf80 r;
    if (nan_operands(e, a, b, &r))
        return r;
    int sign = sf80_sign(a) ^ sf80_sign(b);
    enum sf80_class ca = sf80_classify(a), cb = sf80_classify(b);
    if (ca == SF80_C_INF) {
        if (cb == SF80_C_INF)
            return invalid(e);
        if (denormal_operands(e, a, b))
            return a;
        return sf80_inf(sign);
    }
    if (cb == SF80_C_INF) {
        if (denormal_operands(e, a, b))
            return a;
        return sf80_zero(sign);
    }
    if (cb == SF80_C_ZERO) {
        if (ca == SF80_C_ZERO)
            return invalid(e);
        e->flags |= SF80_ZE;
        return sf80_inf(sign);
    }
    if (denormal_operands(e, a, b))
        return a;
    if (ca == SF80_C_ZERO)
        return sf80_zero(sign);
    struct sf80_wide wa = sf80_unpack(a), wb = sf80_unpack(b);
    uint64_t hi, lo;
    int inexact;
    div128(wa.hi, wb.hi, &hi, &lo, &inexact);
    return sf80_round_pack(e, sign, wa.exp - wb.exp + SF80_BIAS, hi, lo | (uint64_t)inexact, pc_bits(e));
}

/* 128-bit compare: a >= b. */
static int ge128(uint64_t ahi, uint64_t alo, uint64_t bhi, uint64_t blo)
{
    return ahi > bhi || (ahi == bhi && alo >= blo);
}

sf80 sf80_sqrt(struct sf80_env *e, sf80 a)
{
    sf80 r;
    if (nan_operands(e, a, a, &r))
        return r;
    enum sf80_class ca = sf80_classify(a);
    if (ca == SF80_C_ZERO)
        return a;
    if (sf80_sign(a))
        return invalid(e);
    if (ca == SF80_C_INF)
        return a;
    if (denormal_operands(e, a, a))
        return a;
    struct sf80_wide w = sf80_unpack(a);
    int32_t E = w.exp - SF80_BIAS;
    int odd = E % 2 != 0;
    int32_t half = (E - odd) / 2;
    /* R = significand * 2^(63 + odd); its integer square root has 64 bits. */
    uint64_t rhi = odd ? w.hi : w.hi >> 1, rlo = odd ? 0 : w.hi << 63;
    uint64_t q = 0;
    for (int bit = 63; bit >= 0; bit--) {
        uint64_t t = q | 1ull << bit, th, tl;
        sf80_mul64(t, t, &th, &tl);
        if (ge128(rhi, rlo, th, tl))
            q = t;
    }
    uint64_t qh, ql;
    sf80_mul64(q, q, &qh, &ql);
    uint64_t remlo = rlo - ql, remhi = rhi - qh - (rlo < ql);
    /* The root's fraction is over one half exactly when R - q^2 > q (it
     * can never be exactly one half). */
    uint64_t low = 0;
    if (remhi || remlo > q)
        low = HALF | 1;
    else if (remlo)
        low = 1;
    return sf80_round_pack(e, 0, half + SF80_BIAS, q, low, pc_bits(e));
}

/* ------------------------------------------------------------------ */
/* Partial remainder, round to integer, scale, extract                 */

/* Truncating division of the significands over d+1 quotient bits. */
static uint64_t rem_kernel(uint64_t a, uint64_t b, int d, uint64_t *r)
{
    uint64_t q = 0, x = a;
    int top = 0;
    for (int k = 0; k <= d; k++) {
        q <<= 1;
        if (top || x >= b) {
            x -= b;
            q |= 1;
        }
        if (k < d) {
            top = (int)(x >> 63);
            x <<= 1;
        }
    }
    *r = x;
    return q;
}

sf80 sf80_rem(struct sf80_env *e, sf80 a, sf80 b, int nearest, uint64_t *q, int *partial)
{
    sf80 r;
    *q = 0;
    *partial = 0;
    if (nan_operands(e, a, b, &r))
        return r;
    enum sf80_class ca = sf80_classify(a), cb = sf80_classify(b);
    if (ca == SF80_C_INF || cb == SF80_C_ZERO)
        return invalid(e);
    if (denormal_operands(e, a, b))
        return a;
    if (cb == SF80_C_INF || ca == SF80_C_ZERO)
        return ca == SF80_C_ZERO ? a : sf80_round_pack(e, sf80_sign(a), sf80_unpack(a).exp, sf80_unpack(a).hi, 0, 64);
    struct sf80_wide wa = sf80_unpack(a), wb = sf80_unpack(b);
    int sign = wa.sign;
    int32_t d = wa.exp - wb.exp;
    if (d < 0) {
        /* |a| < |b|: the quotient is 0, or 1 for FPREM1 when |a| > |b|/2. */
        if (nearest && d == -1 && wa.hi > wb.hi) {
            *q = 1;
            /* |b| - |a| = (2b - a) units of a's last bit; 0 < 2b - a < b. */
            return sf80_round_pack(e, !sign, wa.exp, wb.hi - wa.hi + wb.hi, 0, 64);
        }
        return sf80_round_pack(e, sign, wa.exp, wa.hi, 0, 64);
    }
    int32_t eb = wb.exp;
    if (d >= 64) {
        /* Reduce the exponent difference by 32..63 bits: to the next lower
         * multiple of 32 (SDM FPREM: N is implementation-dependent). */
        int n = 32 + d % 32;
        eb += d - n;
        d = n;
        *partial = 1;
    }
    uint64_t rem;
    uint64_t quo = rem_kernel(wa.hi, wb.hi, d, &rem);
    if (nearest && !*partial && ((rem >> 63) || (rem << 1) > wb.hi || ((rem << 1) == wb.hi && (quo & 1)))) {
        quo++;
        rem = wb.hi - rem;
        sign = !sign;
    }
    *q = quo;
    if (!rem)
        return sf80_zero(wa.sign);
    return sf80_round_pack(e, sign, eb, rem, 0, 64);
}

sf80 sf80_round_to_int(struct sf80_env *e, sf80 a)
{
    sf80 r;
    if (nan_operands(e, a, a, &r))
        return r;
    enum sf80_class ca = sf80_classify(a);
    e->c1 = 0;
    if (ca == SF80_C_ZERO || ca == SF80_C_INF)
        return a;
    if (denormal_operands(e, a, a))
        return a;
    struct sf80_wide w = sf80_unpack(a);
    if (w.exp >= SF80_BIAS + 63)
        return a;
    uint64_t q, rem;
    split(w.hi, 0, SF80_BIAS + 63 - w.exp, &q, &rem);
    int up = round_up(e->rc, w.sign, q, rem);
    q += (uint64_t)up;
    if (rem) {
        e->flags |= SF80_PE;
        e->c1 = (uint8_t)up;
    }
    if (!q)
        return sf80_zero(w.sign);
    int b = 63 - sf80_clz64(q);
    return sf80_make(w.sign, (uint32_t)(SF80_BIAS + b), q << (63 - b));
}

/* trunc(b) clamped to +-2^20, far beyond any exponent that can matter. */
static int32_t scale_count(sf80 b)
{
    struct sf80_wide w = sf80_unpack(b);
    int32_t n;
    if (!w.hi || w.exp < SF80_BIAS)
        n = 0;
    else if (w.exp >= SF80_BIAS + 20)
        n = 1 << 20;
    else
        n = (int32_t)(w.hi >> (63 - (w.exp - SF80_BIAS)));
    return w.sign ? -n : n;
}

sf80 sf80_scale(struct sf80_env *e, sf80 a, sf80 b)
{
    sf80 r;
    if (nan_operands(e, a, b, &r))
        return r;
    enum sf80_class ca = sf80_classify(a), cb = sf80_classify(b);
    e->c1 = 0;
    if (cb == SF80_C_INF) {
        /* SDM FSCALE table: 0 * 2^+inf and inf * 2^-inf are invalid. */
        if ((ca == SF80_C_ZERO && !sf80_sign(b)) || (ca == SF80_C_INF && sf80_sign(b)))
            return invalid(e);
        if (denormal_operands(e, a, b))
            return a;
        if (ca == SF80_C_ZERO || ca == SF80_C_INF)
            return a;
        return sf80_sign(b) ? sf80_zero(sf80_sign(a)) : sf80_inf(sf80_sign(a));
    }
    if (denormal_operands(e, a, b))
        return a;
    if (ca == SF80_C_ZERO || ca == SF80_C_INF)
        return a;
    struct sf80_wide w = sf80_unpack(a);
    return sf80_round_pack(e, w.sign, w.exp + scale_count(b), w.hi, 0, 64);
}

void sf80_xtract(struct sf80_env *e, sf80 a, sf80 *exponent, sf80 *significand)
{
    sf80 r;
    if (nan_operands(e, a, a, &r)) {
        *exponent = *significand = r;
        return;
    }
    enum sf80_class ca = sf80_classify(a);
    if (ca == SF80_C_ZERO) {
        e->flags |= SF80_ZE;
        *exponent = sf80_inf(1);
        *significand = a;
        return;
    }
    if (ca == SF80_C_INF) {
        *exponent = sf80_inf(0);
        *significand = a;
        return;
    }
    denormal_operands(e, a, a);
    struct sf80_wide w = sf80_unpack(a);
    *exponent = sf80_from_int64(w.exp - SF80_BIAS);
    *significand = sf80_make(w.sign, SF80_BIAS, w.hi);
}

/* ------------------------------------------------------------------ */
/* Compare                                                             */

int sf80_compare(struct sf80_env *e, sf80 a, sf80 b, int quiet)
{
    enum sf80_class ca = sf80_classify(a), cb = sf80_classify(b);
    if (ca == SF80_C_UNSUPPORTED || cb == SF80_C_UNSUPPORTED) {
        e->flags |= SF80_IE;
        return SF80_UNORDERED;
    }
    if (is_nan_class(ca) || is_nan_class(cb)) {
        if (!quiet || ca == SF80_C_SNAN || cb == SF80_C_SNAN)
            e->flags |= SF80_IE;
        return SF80_UNORDERED;
    }
    denormal_operands(e, a, b);
    if (ca == SF80_C_ZERO && cb == SF80_C_ZERO)
        return SF80_EQ;
    int sa = sf80_sign(a), sb = sf80_sign(b);
    if (sa != sb)
        return ca == SF80_C_ZERO ? (sb ? SF80_GT : SF80_LT) : sa ? SF80_LT : SF80_GT;
    struct sf80_wide wa = sf80_unpack(a), wb = sf80_unpack(b);
    int mag;    /* |a| vs |b|: -1, 0, 1 */
    if (ca == SF80_C_INF || cb == SF80_C_INF)
        mag = (ca == SF80_C_INF) - (cb == SF80_C_INF);
    else if (!wa.hi || !wb.hi)
        mag = (wa.hi != 0) - (wb.hi != 0);
    else if (wa.exp != wb.exp)
        mag = wa.exp > wb.exp ? 1 : -1;
    else
        mag = wa.hi == wb.hi ? 0 : wa.hi > wb.hi ? 1 : -1;
    if (sa)
        mag = -mag;
    return mag < 0 ? SF80_LT : mag > 0 ? SF80_GT : SF80_EQ;
}
