/*
 * softfloat80: the x87's 80-bit extended arithmetic, in integers only.
 *
 * Every result is computed from the operands' bits with integer arithmetic,
 * so it is the same on every host.  The rules are the x87's (Intel SDM
 * vol. 1, chapters 4 and 8): the extended format with its explicit integer
 * bit, precision control (24/53/64-bit significands with the 15-bit
 * exponent range kept), four rounding modes, the six exception flags with
 * the x87's masked responses, the QNaN "indefinite", the NaN selection
 * rules of table 4-7, and the 387's treatment of the non-IEEE encodings:
 * unnormals, pseudo-NaNs and pseudo-infinities are unsupported (invalid
 * operation), pseudo-denormals are read as denormals.
 *
 * An operation takes a struct sf80_env: the rounding and precision control
 * and the exception masks in, the raised flags (accumulated) and C1 out.
 * The masks matter only for the responses that depend on them: an
 * unmasked denormal operand stops an operation before it computes, and an
 * unmasked overflow or underflow delivers the result with its exponent
 * wrapped by 24576 (SDM 8.5.4 and 8.5.5) -- the caller decides whether that
 * result is stored.
 */
#ifndef TRAPEZE_CPU_X86_SOFTFLOAT80_H
#define TRAPEZE_CPU_X86_SOFTFLOAT80_H

#include <stdint.h>

/* An 80-bit value: se holds the sign (bit 15) and the biased exponent. */
typedef struct sf80 {
    uint64_t sig;
    uint16_t se;
} sf80;

#define SF80_BIAS 16383
#define SF80_EXP_INF 0x7FFF
#define SF80_INT_BIT 0x8000000000000000ull
#define SF80_QUIET_BIT 0x4000000000000000ull
/* The exponent wrap of an unmasked overflow or underflow (SDM 8.5.4). */
#define SF80_WRAP_BIAS 24576

/* Exception flags in status-word order (the control word masks them in
 * the same bits). */
#define SF80_IE 0x01
#define SF80_DE 0x02
#define SF80_ZE 0x04
#define SF80_OE 0x08
#define SF80_UE 0x10
#define SF80_PE 0x20
#define SF80_ALL 0x3F

/* Rounding control, x87 encoding (control word bits 10-11). */
enum { SF80_RC_NEAREST = 0, SF80_RC_DOWN = 1, SF80_RC_UP = 2, SF80_RC_ZERO = 3 };
/* Precision control, x87 encoding (control word bits 8-9); the reserved
 * value 1 rounds as 64 bits. */
enum { SF80_PC_24 = 0, SF80_PC_RESERVED = 1, SF80_PC_53 = 2, SF80_PC_64 = 3 };

struct sf80_env {
    uint8_t rc;         /* SF80_RC_* */
    uint8_t pc;         /* SF80_PC_*: used by add, sub, mul, div and sqrt */
    uint8_t masks;      /* SF80_* bits that are masked */
    uint8_t flags;      /* raised exceptions, accumulated */
    uint8_t c1;         /* the last rounding increased the magnitude */
};

/* Classes, as FXAM and the operand checks see them. */
enum sf80_class {
    SF80_C_ZERO,
    SF80_C_DENORMAL,        /* also the pseudo-denormals */
    SF80_C_NORMAL,
    SF80_C_INF,
    SF80_C_QNAN,
    SF80_C_SNAN,
    SF80_C_UNSUPPORTED,     /* unnormal, pseudo-NaN, pseudo-infinity */
};

/* Results of sf80_compare. */
enum { SF80_LT = 0, SF80_EQ = 1, SF80_GT = 2, SF80_UNORDERED = 3 };

static inline sf80 sf80_make(int sign, uint32_t exp, uint64_t sig)
{
    sf80 r;
    r.sig = sig;
    r.se = (uint16_t)((sign ? 0x8000u : 0u) | (exp & 0x7FFFu));
    return r;
}
static inline int sf80_sign(sf80 a) { return a.se >> 15; }
static inline uint32_t sf80_exp(sf80 a) { return a.se & 0x7FFFu; }
static inline sf80 sf80_neg(sf80 a) { a.se ^= 0x8000u; return a; }
static inline sf80 sf80_abs(sf80 a) { a.se &= 0x7FFFu; return a; }
static inline int sf80_same(sf80 a, sf80 b) { return a.sig == b.sig && a.se == b.se; }

/* The QNaN indefinite: FFFF C000000000000000. */
static inline sf80 sf80_indefinite(void) { return sf80_make(1, SF80_EXP_INF, 0xC000000000000000ull); }
static inline sf80 sf80_zero(int sign) { return sf80_make(sign, 0, 0); }
static inline sf80 sf80_inf(int sign) { return sf80_make(sign, SF80_EXP_INF, SF80_INT_BIT); }
static inline sf80 sf80_one(int sign) { return sf80_make(sign, SF80_BIAS, SF80_INT_BIT); }

enum sf80_class sf80_classify(sf80 a);
static inline int sf80_is_nan(sf80 a)
{
    enum sf80_class k = sf80_classify(a);
    return k == SF80_C_QNAN || k == SF80_C_SNAN;
}

/* Arithmetic, rounded to the precision control. */
sf80 sf80_add(struct sf80_env *e, sf80 a, sf80 b);
sf80 sf80_sub(struct sf80_env *e, sf80 a, sf80 b);
sf80 sf80_mul(struct sf80_env *e, sf80 a, sf80 b);
sf80 sf80_div(struct sf80_env *e, sf80 a, sf80 b);
sf80 sf80_sqrt(struct sf80_env *e, sf80 a);

/* FPREM (nearest = 0, the quotient truncated) and FPREM1 (nearest = 1, the
 * quotient rounded to nearest-even).  *q gets the quotient's low bits,
 * *partial is set when the exponent difference was 64 or more and only a
 * partial remainder was produced (C2). */
sf80 sf80_rem(struct sf80_env *e, sf80 a, sf80 b, int nearest, uint64_t *q, int *partial);
/* FRNDINT: round to an integer in the rounding mode (64-bit precision). */
sf80 sf80_round_to_int(struct sf80_env *e, sf80 a);
/* FSCALE: a * 2^trunc(b). */
sf80 sf80_scale(struct sf80_env *e, sf80 a, sf80 b);
/* FXTRACT: the unbiased exponent and the significand (exponent 0). */
void sf80_xtract(struct sf80_env *e, sf80 a, sf80 *exponent, sf80 *significand);
/* FCOM (quiet = 0: any NaN is invalid) and FUCOM (quiet = 1: only SNaNs). */
int sf80_compare(struct sf80_env *e, sf80 a, sf80 b, int quiet);

/* Conversions (softfloat80_conv.c).  Loads from memory formats: */
sf80 sf80_from_int64(int64_t v);
sf80 sf80_from_f32(struct sf80_env *e, uint32_t f);
sf80 sf80_from_f64(struct sf80_env *e, uint64_t f);
/* 18 BCD digits and a sign byte, little-endian as in memory. */
sf80 sf80_from_bcd(const uint8_t bcd[10]);
/* Stores: `bits` is 16, 32 or 64.  Out of range, NaN or infinity raise IE
 * and return the integer indefinite (only the sign bit set).  truncate
 * rounds toward zero whatever the rounding control says. */
int64_t sf80_to_int(struct sf80_env *e, sf80 a, int bits, int truncate);
uint32_t sf80_to_f32(struct sf80_env *e, sf80 a);
uint64_t sf80_to_f64(struct sf80_env *e, sf80 a);
/* Rounds to an integer in the rounding mode; |x| >= 10^18 or a NaN gives
 * IE and the packed-BCD indefinite (FFFF C000000000000000). */
void sf80_to_bcd(struct sf80_env *e, sf80 a, uint8_t bcd[10]);

/* ------------------------------------------------------------------ */
/* For the transcendental functions (x87_trans.c): a wide unpacked value
 * and the rounding engine that packs it.                              */

/* (-1)^sign * (hi:lo / 2^127) * 2^(exp - SF80_BIAS): normalized (hi bit
 * 63 set) unless zero (hi = lo = 0).  exp is unbounded. */
struct sf80_wide {
    int sign;
    int32_t exp;
    uint64_t hi, lo;
};

/* An operand as a wide value (denormals normalized; the caller has ruled
 * out NaNs, infinities and unsupported encodings). */
struct sf80_wide sf80_unpack(sf80 a);
/* Round a wide value to the extended format at `bits` of precision (24, 53
 * or 64), with overflow, underflow and inexact handled as the x87 does for
 * a register destination. */
sf80 sf80_round_pack(struct sf80_env *e, int sign, int32_t exp, uint64_t hi, uint64_t lo, int bits);

/* The NaN an operation on a and b returns (table 4-7), raising IE for an
 * SNaN.  b may equal a for a one-operand operation. */
sf80 sf80_propagate_nan(struct sf80_env *e, sf80 a, sf80 b);
/* The shared operand checks: when a or b is a NaN or unsupported, returns 1
 * with *r set to the result (IE raised as the rules say).  Otherwise
 * raises DE for denormal operands and returns 2 when DE is unmasked (the
 * operation must stop), else 0. */
int sf80_check_operands(struct sf80_env *e, sf80 a, sf80 b, int nops, sf80 *r);

/* 64x64 -> 128 multiply and leading-zero count, in plain C. */
void sf80_mul64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo);
int sf80_clz64(uint64_t v);

#endif
