/*
 * The 6502's arithmetic and logic, as used by the cycle-stepped core.
 * Internal to cpu/m6502: every function takes the CPU and updates its
 * registers and flags the way the NMOS part does.
 */
#ifndef TRAPEZE_CPU_M6502_ALU_H
#define TRAPEZE_CPU_M6502_ALU_H

#include "cpu/m6502/m6502.h"
#include "cpu/m6502/m6502_ops.h"

static inline void alu_nz(struct m6502 *c, uint8_t v)
{
    c->p = (uint8_t)((c->p & ~(M6502_N | M6502_Z)) | (v & M6502_N) | (v ? 0 : M6502_Z));
}

static inline void alu_carry(struct m6502 *c, int carry)
{
    c->p = (uint8_t)((c->p & ~M6502_C) | (carry ? M6502_C : 0));
}

static inline void alu_overflow(struct m6502 *c, int overflow)
{
    c->p = (uint8_t)((c->p & ~M6502_V) | (overflow ? M6502_V : 0));
}

static inline void alu_adc_binary(struct m6502 *c, uint8_t v)
{
    unsigned sum = (unsigned)c->a + v + (c->p & M6502_C);
    /* Overflow: both operands have the same sign and the sum another. */
    alu_overflow(c, ~(c->a ^ v) & (c->a ^ sum) & 0x80);
    alu_carry(c, sum > 0xFF);
    c->a = (uint8_t)sum;
    alu_nz(c, c->a);
}

/*
 * Decimal addition on the NMOS 6502.  The adder works nibble by nibble:
 * the low digit is corrected by 6 when it passes 9, the carry goes into the
 * high digit, and the high digit is corrected when it passes 9.  The flags
 * come from different stages, which is what makes them "odd" for invalid
 * BCD and for results that wrap:
 *   Z from the plain binary sum (as if D were clear);
 *   N and V from the sum after the low-digit correction, before the
 *     high-digit correction (V as a signed overflow of that value);
 *   C from the final, corrected high digit.
 * (The 65C02 computes N and Z from the final result; the NMOS part does not.)
 */
static inline void alu_adc_decimal(struct m6502 *c, uint8_t v)
{
    unsigned carry_in = c->p & M6502_C;
    unsigned lo = (c->a & 0x0Fu) + (v & 0x0Fu) + carry_in;
    if (lo > 9)
        lo = ((lo + 6) & 0x0Fu) | 0x10u;        /* digit 0-5, carry in bit 4 */
    unsigned hi_sum = (c->a & 0xF0u) + (v & 0xF0u) + lo;   /* may reach 0x1xx */
    unsigned binary = (unsigned)c->a + v + carry_in;

    c->p = (uint8_t)(c->p & ~(M6502_N | M6502_Z | M6502_V | M6502_C));
    if ((binary & 0xFF) == 0)
        c->p |= M6502_Z;
    if (hi_sum & 0x80)
        c->p |= M6502_N;
    if (~(c->a ^ v) & (c->a ^ hi_sum) & 0x80)
        c->p |= M6502_V;
    if (hi_sum >= 0xA0)
        hi_sum += 0x60;                          /* high digit correction */
    if (hi_sum >= 0x100)
        c->p |= M6502_C;
    c->a = (uint8_t)hi_sum;
}

/*
 * Decimal subtraction on the NMOS 6502.  All four flags are those of the
 * binary subtraction (exactly as with D clear); only the accumulator gets
 * the digit corrections: a digit that borrowed has 6 taken off.
 */
static inline void alu_sbc_decimal(struct m6502 *c, uint8_t v)
{
    int borrow = !(c->p & M6502_C);
    int lo = (c->a & 0x0F) - (v & 0x0F) - borrow;
    int hi = (c->a >> 4) - (v >> 4) - (lo < 0);
    if (lo < 0)
        lo -= 6;
    if (hi < 0)
        hi -= 6;
    uint8_t result = (uint8_t)(((unsigned)hi << 4 & 0xF0u) | ((unsigned)lo & 0x0Fu));
    alu_adc_binary(c, (uint8_t)~v);     /* the flags */
    c->a = result;
}

static inline void alu_adc(struct m6502 *c, uint8_t v)
{
    if (c->p & M6502_D)
        alu_adc_decimal(c, v);
    else
        alu_adc_binary(c, v);
}

static inline void alu_sbc(struct m6502 *c, uint8_t v)
{
    if (c->p & M6502_D)
        alu_sbc_decimal(c, v);
    else
        alu_adc_binary(c, (uint8_t)~v);
}

static inline void alu_compare(struct m6502 *c, uint8_t reg, uint8_t v)
{
    alu_carry(c, reg >= v);
    alu_nz(c, (uint8_t)(reg - v));
}

static inline uint8_t alu_asl(struct m6502 *c, uint8_t v)
{
    alu_carry(c, v & 0x80);
    v = (uint8_t)(v << 1);
    alu_nz(c, v);
    return v;
}

static inline uint8_t alu_lsr(struct m6502 *c, uint8_t v)
{
    alu_carry(c, v & 0x01);
    v = (uint8_t)(v >> 1);
    alu_nz(c, v);
    return v;
}

static inline uint8_t alu_rol(struct m6502 *c, uint8_t v)
{
    unsigned r = (unsigned)v << 1 | (c->p & M6502_C);
    alu_carry(c, v & 0x80);
    alu_nz(c, (uint8_t)r);
    return (uint8_t)r;
}

static inline uint8_t alu_ror(struct m6502 *c, uint8_t v)
{
    uint8_t r = (uint8_t)(v >> 1 | (c->p & M6502_C) << 7);
    alu_carry(c, v & 0x01);
    alu_nz(c, r);
    return r;
}

/*
 * ARR (undocumented $6B): AND with the operand, then rotate right through
 * carry, with flags from the adder's view of the result: C from bit 6, V
 * from bit 6 xor bit 5.  With D set the NMOS part also applies BCD-like
 * fix-ups to each digit of the rotated value, taking C from the high one.
 */
static inline void alu_arr(struct m6502 *c, uint8_t v)
{
    uint8_t t = c->a & v;
    uint8_t r = (uint8_t)(t >> 1 | (c->p & M6502_C) << 7);
    alu_nz(c, r);
    alu_overflow(c, (r ^ t) & 0x40);
    if (!(c->p & M6502_D)) {
        alu_carry(c, r & 0x40);
        c->a = r;
        return;
    }
    if ((t & 0x0F) + (t & 0x01) > 5)
        r = (uint8_t)((r & 0xF0) | ((r + 6) & 0x0F));
    if ((t & 0xF0) + (t & 0x10) > 0x50) {
        r = (uint8_t)(r + 0x60);
        alu_carry(c, 1);
    } else {
        alu_carry(c, 0);
    }
    c->a = r;
}

/* Operations that read their operand ($A9 LDA #, $6D ADC abs, ...). */
static inline void alu_read_op(struct m6502 *c, int op, uint8_t v)
{
    switch (op) {
    case OP_LDA: c->a = v; alu_nz(c, v); break;
    case OP_LDX: c->x = v; alu_nz(c, v); break;
    case OP_LDY: c->y = v; alu_nz(c, v); break;
    case OP_LAX: c->a = c->x = v; alu_nz(c, v); break;
    case OP_LAS: c->a = c->x = c->s = v & c->s; alu_nz(c, c->a); break;
    case OP_ORA: c->a |= v; alu_nz(c, c->a); break;
    case OP_AND: c->a &= v; alu_nz(c, c->a); break;
    case OP_EOR: c->a ^= v; alu_nz(c, c->a); break;
    case OP_ADC: alu_adc(c, v); break;
    case OP_SBC: alu_sbc(c, v); break;
    case OP_CMP: alu_compare(c, c->a, v); break;
    case OP_CPX: alu_compare(c, c->x, v); break;
    case OP_CPY: alu_compare(c, c->y, v); break;
    case OP_BIT:
        c->p = (uint8_t)((c->p & ~(M6502_N | M6502_V | M6502_Z)) | (v & (M6502_N | M6502_V)) |
                         ((c->a & v) ? 0 : M6502_Z));
        break;
    case OP_ANC: c->a &= v; alu_nz(c, c->a); alu_carry(c, c->a & 0x80); break;
    case OP_ALR: c->a = alu_lsr(c, c->a & v); break;
    case OP_ARR: alu_arr(c, v); break;
    case OP_SBX: {
        uint8_t ax = c->a & c->x;
        alu_compare(c, ax, v);
        c->x = (uint8_t)(ax - v);
        break;
    }
    /* ANE and LXA mix the accumulator into the result through a bus
     * conflict whose outcome varies between chips; $EE is the value the
     * reference data (and most NMOS parts at room temperature) show. */
    case OP_ANE: c->a = (c->a | 0xEE) & c->x & v; alu_nz(c, c->a); break;
    case OP_LXA: c->a = c->x = (c->a | 0xEE) & v; alu_nz(c, c->a); break;
    default: break;     /* OP_NOP: the read happens, nothing else */
    }
}

/* Read-modify-write operations: return the value written back. */
static inline uint8_t alu_rmw_op(struct m6502 *c, int op, uint8_t v)
{
    switch (op) {
    case OP_ASL: return alu_asl(c, v);
    case OP_LSR: return alu_lsr(c, v);
    case OP_ROL: return alu_rol(c, v);
    case OP_ROR: return alu_ror(c, v);
    case OP_INC: v++; alu_nz(c, v); return v;
    case OP_DEC: v--; alu_nz(c, v); return v;
    case OP_SLO: v = alu_asl(c, v); c->a |= v; alu_nz(c, c->a); return v;
    case OP_RLA: v = alu_rol(c, v); c->a &= v; alu_nz(c, c->a); return v;
    case OP_SRE: v = alu_lsr(c, v); c->a ^= v; alu_nz(c, c->a); return v;
    case OP_RRA: v = alu_ror(c, v); alu_adc(c, v); return v;
    case OP_DCP: v--; alu_compare(c, c->a, v); return v;
    case OP_ISC: v++; alu_sbc(c, v); return v;
    default: return v;
    }
}

/* Implied operations (and the accumulator forms of the shifts). */
static inline void alu_implied_op(struct m6502 *c, int op)
{
    switch (op) {
    case OP_CLC: c->p &= (uint8_t)~M6502_C; break;
    case OP_SEC: c->p |= M6502_C; break;
    case OP_CLI: c->p &= (uint8_t)~M6502_I; break;
    case OP_SEI: c->p |= M6502_I; break;
    case OP_CLV: c->p &= (uint8_t)~M6502_V; break;
    case OP_CLD: c->p &= (uint8_t)~M6502_D; break;
    case OP_SED: c->p |= M6502_D; break;
    case OP_TAX: c->x = c->a; alu_nz(c, c->x); break;
    case OP_TXA: c->a = c->x; alu_nz(c, c->a); break;
    case OP_TAY: c->y = c->a; alu_nz(c, c->y); break;
    case OP_TYA: c->a = c->y; alu_nz(c, c->a); break;
    case OP_TSX: c->x = c->s; alu_nz(c, c->x); break;
    case OP_TXS: c->s = c->x; break;                    /* no flags */
    case OP_INX: c->x++; alu_nz(c, c->x); break;
    case OP_INY: c->y++; alu_nz(c, c->y); break;
    case OP_DEX: c->x--; alu_nz(c, c->x); break;
    case OP_DEY: c->y--; alu_nz(c, c->y); break;
    case OP_ASL: case OP_LSR: case OP_ROL: case OP_ROR:
        c->a = alu_rmw_op(c, op, c->a);
        break;
    default: break;     /* NOP */
    }
}

/* Branch condition for OP_BPL..OP_BEQ: opcode bits 7-6 pick the flag
 * (N, V, C, Z) and bit 5 the value it must have. */
static inline int alu_branch_taken(const struct m6502 *c, int op)
{
    static const uint8_t flag[4] = { M6502_N, M6502_V, M6502_C, M6502_Z };
    int n = op - OP_BPL;
    int set = (c->p & flag[n >> 1]) != 0;
    return set == (n & 1);
}

#endif
