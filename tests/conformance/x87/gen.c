/* The seeded random generator and operand generators for the x87 checks. */
#include "tests/conformance/x87/ref.h"

uint64_t x87_rng_next(struct x87_rng *r)
{
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

uint32_t x87_rng_below(struct x87_rng *r, uint32_t n)
{
    return (uint32_t)((x87_rng_next(r) >> 32) % n);
}

static uint64_t rand_sig(struct x87_rng *r)
{
    uint64_t s = x87_rng_next(r);
    switch (x87_rng_below(r, 8)) {
    case 0: s = ~0ull; break;                               /* all ones */
    case 1: s = SF80_INT_BIT | (x87_rng_next(r) & 0xFF); break;     /* near a power of two */
    case 2: s = ~0ull << x87_rng_below(r, 64); break;       /* short significands */
    case 3: s |= 0x7FFFFFFFFFull; break;                    /* near rounding boundaries */
    case 4: s &= ~0xFFFFFFFFFFull; break;
    default: break;
    }
    return s | SF80_INT_BIT;
}

sf80 x87_rand_finite(struct x87_rng *r, int elo, int ehi)
{
    int e = elo + (int)x87_rng_below(r, (uint32_t)(ehi - elo + 1));
    int sign = (int)(x87_rng_next(r) & 1);
    uint64_t sig = rand_sig(r);
    int32_t be = e + SF80_BIAS;
    if (be >= 1)
        return sf80_make(sign, (uint32_t)be, sig);
    int sh = 1 - be;
    return sf80_make(sign, 0, sh >= 64 ? 1 : sig >> sh);
}

sf80 x87_rand_any(struct x87_rng *r, int unsupported)
{
    int sign = (int)(x87_rng_next(r) & 1);
    uint32_t k = x87_rng_below(r, unsupported ? 24 : 20);
    switch (k) {
    case 0: return sf80_zero(sign);
    case 1: return sf80_inf(sign);
    case 2: return sf80_make(sign, SF80_EXP_INF, SF80_INT_BIT | SF80_QUIET_BIT | (x87_rng_next(r) >> 2));
    case 3: return sf80_make(sign, SF80_EXP_INF, SF80_INT_BIT | ((x87_rng_next(r) >> 2) | 1));
    case 4: return sf80_make(sign, 0, x87_rng_next(r) >> (1 + x87_rng_below(r, 63)));  /* denormal */
    case 5: return sf80_make(sign, 0, x87_rng_next(r) | SF80_INT_BIT);    /* pseudo-denormal */
    case 6: return x87_rand_finite(r, -16382, -16300);
    case 7: return x87_rand_finite(r, 16300, 16383);
    case 8: case 9: case 10: return x87_rand_finite(r, -64, 64);
    case 20: return sf80_make(sign, 1 + x87_rng_below(r, 0x7FFE), x87_rng_next(r) >> 1);  /* unnormal */
    case 21: return sf80_make(sign, SF80_EXP_INF, x87_rng_next(r) >> 1);     /* pseudo-NaN/inf */
    case 22: return sf80_make(sign, 0x7FFE, rand_sig(r));
    case 23: return sf80_make(sign, 1, rand_sig(r));
    default: return x87_rand_finite(r, -16382, 16383);
    }
}
