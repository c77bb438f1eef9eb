/*
 * Arithmetic and logic: the eight ALU operations in all their operand
 * forms, INC/DEC, TEST, NOT/NEG, multiply and divide, and the BCD adjusts.
 */
#include "cpu/x86/ops.h"

enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

/* One ALU operation on operands of size index sz: sets the lazy flags and
 * returns the result.  `op` and `sz` are constants in every caller, so the
 * compiler folds the switch away. */
static inline uint32_t alu(struct x86_cpu *c, int op, int sz, uint32_t a, uint32_t b)
{
    uint32_t m = size_mask(sz), r;
    int lf = 1 + sz;
    switch (op) {
    case ALU_ADD: r = (a + b) & m; lf += LF_ADD8 - 1; break;
    case ALU_OR: r = a | b; lf += LF_LOGIC8 - 1; break;
    case ALU_ADC: {
        uint32_t cin = (uint32_t)x86_cf(c);
        r = (a + b + cin) & m;
        c->lf.carry = cin;
        lf += LF_ADC8 - 1;
        break;
    }
    case ALU_SBB: {
        uint32_t cin = (uint32_t)x86_cf(c);
        r = (a - b - cin) & m;
        c->lf.carry = cin;
        lf += LF_SBB8 - 1;
        break;
    }
    case ALU_AND: r = a & b; lf += LF_LOGIC8 - 1; break;
    case ALU_XOR: r = a ^ b; lf += LF_LOGIC8 - 1; break;
    default: r = (a - b) & m; lf += LF_SUB8 - 1; break;   /* SUB, CMP */
    }
    lf_set(c, lf, r, a, b);
    return r;
}

/* E = E op G (CMP only compares). */
#define ALU_EG(op, sz)                                                             \
    static X86_OP(alu_EG_r_##op##_##sz)                                             \
    {                                                                              \
        uint32_t r = alu(c, op, sz, reg_get(c, sz, i->rm), reg_get(c, sz, i->reg)); \
        if (op != ALU_CMP)                                                         \
            reg_set(c, sz, i->rm, r);                                              \
    }                                                                              \
    static X86_OP(alu_EG_m_##op##_##sz)                                             \
    {                                                                              \
        uint32_t off = ea_offset(c, i);                                            \
        uint32_t r = alu(c, op, sz, mem_read(c, i->seg, off, 1 << sz), reg_get(c, sz, i->reg)); \
        if (op != ALU_CMP)                                                         \
            mem_write(c, i->seg, off, r, 1 << sz);                                 \
    }                                                                              \
    static X86_OP(alu_GE_r_##op##_##sz)                                             \
    {                                                                              \
        uint32_t r = alu(c, op, sz, reg_get(c, sz, i->reg), reg_get(c, sz, i->rm)); \
        if (op != ALU_CMP)                                                         \
            reg_set(c, sz, i->reg, r);                                             \
    }                                                                              \
    static X86_OP(alu_GE_m_##op##_##sz)                                             \
    {                                                                              \
        uint32_t v = mem_read(c, i->seg, ea_offset(c, i), 1 << sz);                \
        uint32_t r = alu(c, op, sz, reg_get(c, sz, i->reg), v);                    \
        if (op != ALU_CMP)                                                         \
            reg_set(c, sz, i->reg, r);                                             \
    }                                                                              \
    static X86_OP(alu_EI_r_##op##_##sz)                                             \
    {                                                                              \
        uint32_t r = alu(c, op, sz, reg_get(c, sz, i->rm), i->imm);                \
        if (op != ALU_CMP)                                                         \
            reg_set(c, sz, i->rm, r);                                              \
    }                                                                              \
    static X86_OP(alu_EI_m_##op##_##sz)                                             \
    {                                                                              \
        uint32_t off = ea_offset(c, i);                                            \
        uint32_t r = alu(c, op, sz, mem_read(c, i->seg, off, 1 << sz), i->imm);    \
        if (op != ALU_CMP)                                                         \
            mem_write(c, i->seg, off, r, 1 << sz);                                 \
    }                                                                              \
    static X86_OP(alu_AI_##op##_##sz)                                               \
    {                                                                              \
        uint32_t r = alu(c, op, sz, reg_get(c, sz, X86_EAX), i->imm);              \
        if (op != ALU_CMP)                                                         \
            reg_set(c, sz, X86_EAX, r);                                            \
    }

#define ALU_ALL_SIZES(op) ALU_EG(op, 0) ALU_EG(op, 1) ALU_EG(op, 2)
ALU_ALL_SIZES(ALU_ADD)
ALU_ALL_SIZES(ALU_OR)
ALU_ALL_SIZES(ALU_ADC)
ALU_ALL_SIZES(ALU_SBB)
ALU_ALL_SIZES(ALU_AND)
ALU_ALL_SIZES(ALU_SUB)
ALU_ALL_SIZES(ALU_XOR)
ALU_ALL_SIZES(ALU_CMP)

#define ALU_ROW(form, op) { form##_##op##_0, form##_##op##_1, form##_##op##_2 }
#define ALU_TABLE(form)                                                             \
    {                                                                              \
        ALU_ROW(form, ALU_ADD), ALU_ROW(form, ALU_OR), ALU_ROW(form, ALU_ADC),      \
        ALU_ROW(form, ALU_SBB), ALU_ROW(form, ALU_AND), ALU_ROW(form, ALU_SUB),     \
        ALU_ROW(form, ALU_XOR), ALU_ROW(form, ALU_CMP)                              \
    }
const x86_exec_fn x86_alu_EG_r[8][3] = ALU_TABLE(alu_EG_r);
const x86_exec_fn x86_alu_EG_m[8][3] = ALU_TABLE(alu_EG_m);
const x86_exec_fn x86_alu_GE_r[8][3] = ALU_TABLE(alu_GE_r);
const x86_exec_fn x86_alu_GE_m[8][3] = ALU_TABLE(alu_GE_m);
const x86_exec_fn x86_alu_EI_r[8][3] = ALU_TABLE(alu_EI_r);
const x86_exec_fn x86_alu_EI_m[8][3] = ALU_TABLE(alu_EI_m);
const x86_exec_fn x86_alu_AI[8][3] = ALU_TABLE(alu_AI);

/* ------------------------------------------------------------------ */
/* INC, DEC, TEST, NOT, NEG                                            */

static inline uint32_t incdec(struct x86_cpu *c, int sz, uint32_t a, int dec)
{
    uint32_t r = (dec ? a - 1 : a + 1) & size_mask(sz);
    c->lf.carry = (uint32_t)x86_cf(c);     /* INC and DEC leave CF alone */
    lf_set(c, (dec ? LF_DEC8 : LF_INC8) + sz, r, a, 1);
    return r;
}

static inline uint32_t neg(struct x86_cpu *c, int sz, uint32_t a)
{
    uint32_t r = (0u - a) & size_mask(sz);
    lf_set(c, LF_SUB8 + sz, r, 0, a);
    return r;
}

#define UNARY(sz)                                                                   \
    static X86_OP(inc_E_r_##sz) { reg_set(c, sz, i->rm, incdec(c, sz, reg_get(c, sz, i->rm), 0)); } \
    static X86_OP(dec_E_r_##sz) { reg_set(c, sz, i->rm, incdec(c, sz, reg_get(c, sz, i->rm), 1)); } \
    static X86_OP(inc_reg_##sz) { reg_set(c, sz, i->reg, incdec(c, sz, reg_get(c, sz, i->reg), 0)); } \
    static X86_OP(dec_reg_##sz) { reg_set(c, sz, i->reg, incdec(c, sz, reg_get(c, sz, i->reg), 1)); } \
    static X86_OP(inc_E_m_##sz)                                                     \
    {                                                                              \
        uint32_t off = ea_offset(c, i);                                            \
        mem_write(c, i->seg, off, incdec(c, sz, mem_read(c, i->seg, off, 1 << sz), 0), 1 << sz); \
    }                                                                              \
    static X86_OP(dec_E_m_##sz)                                                     \
    {                                                                              \
        uint32_t off = ea_offset(c, i);                                            \
        mem_write(c, i->seg, off, incdec(c, sz, mem_read(c, i->seg, off, 1 << sz), 1), 1 << sz); \
    }                                                                              \
    static X86_OP(test_EG_r_##sz) { alu(c, ALU_AND, sz, reg_get(c, sz, i->rm), reg_get(c, sz, i->reg)); } \
    static X86_OP(test_EG_m_##sz)                                                   \
    {                                                                              \
        alu(c, ALU_AND, sz, mem_read(c, i->seg, ea_offset(c, i), 1 << sz), reg_get(c, sz, i->reg)); \
    }                                                                              \
    static X86_OP(test_EI_r_##sz) { alu(c, ALU_AND, sz, reg_get(c, sz, i->rm), i->imm); } \
    static X86_OP(test_EI_m_##sz) { alu(c, ALU_AND, sz, mem_read(c, i->seg, ea_offset(c, i), 1 << sz), i->imm); } \
    static X86_OP(test_AI_##sz) { alu(c, ALU_AND, sz, reg_get(c, sz, X86_EAX), i->imm); } \
    static X86_OP(not_r_##sz) { reg_set(c, sz, i->rm, ~reg_get(c, sz, i->rm)); }   \
    static X86_OP(not_m_##sz)                                                       \
    {                                                                              \
        uint32_t off = ea_offset(c, i);                                            \
        mem_write(c, i->seg, off, ~mem_read(c, i->seg, off, 1 << sz), 1 << sz);    \
    }                                                                              \
    static X86_OP(neg_r_##sz) { reg_set(c, sz, i->rm, neg(c, sz, reg_get(c, sz, i->rm))); } \
    static X86_OP(neg_m_##sz)                                                       \
    {                                                                              \
        uint32_t off = ea_offset(c, i);                                            \
        mem_write(c, i->seg, off, neg(c, sz, mem_read(c, i->seg, off, 1 << sz)), 1 << sz); \
    }
UNARY(0)
UNARY(1)
UNARY(2)

#define SIZES(name) { name##_0, name##_1, name##_2 }
const x86_exec_fn x86_inc_E_r[3] = SIZES(inc_E_r), x86_inc_E_m[3] = SIZES(inc_E_m);
const x86_exec_fn x86_dec_E_r[3] = SIZES(dec_E_r), x86_dec_E_m[3] = SIZES(dec_E_m);
const x86_exec_fn x86_inc_reg[3] = SIZES(inc_reg), x86_dec_reg[3] = SIZES(dec_reg);
const x86_exec_fn x86_test_EG_r[3] = SIZES(test_EG_r), x86_test_EG_m[3] = SIZES(test_EG_m);
const x86_exec_fn x86_test_EI_r[3] = SIZES(test_EI_r), x86_test_EI_m[3] = SIZES(test_EI_m);
const x86_exec_fn x86_test_AI[3] = SIZES(test_AI);
const x86_exec_fn x86_not_r[3] = SIZES(not_r), x86_not_m[3] = SIZES(not_m);
const x86_exec_fn x86_neg_r[3] = SIZES(neg_r), x86_neg_m[3] = SIZES(neg_m);

/* ------------------------------------------------------------------ */
/* Multiply and divide                                                 */

/* SF, ZF and PF after MUL/IMUL are undefined by Intel; they are set from
 * the low half of the result, and AF cleared. */
static void mul_flags(struct x86_cpu *c, int sz, uint32_t low, int overflow)
{
    uint32_t f = overflow ? (X86_CF | X86_OF) : 0;
    low &= size_mask(sz);
    if (low == 0)
        f |= X86_ZF;
    if (low & size_sign(sz))
        f |= X86_SF;
    if (x86_parity_table[low & 0xFF])
        f |= X86_PF;
    flags_set_bits(c, X86_ARITH_FLAGS, f);
}

static inline int32_t sext(uint32_t v, int sz)
{
    return sz == 0 ? (int32_t)(int8_t)v : sz == 1 ? (int32_t)(int16_t)v : (int32_t)v;
}

static void mul_common(struct x86_cpu *c, const struct x86_insn *i, int sz, int is_signed)
{
    uint32_t src = rm_read(c, i, sz);
    if (sz == 0) {
        uint8_t al = reg8_get(c, 0);
        uint16_t r = is_signed ? (uint16_t)((int16_t)(int8_t)al * (int8_t)src) : (uint16_t)(al * (uint8_t)src);
        reg16_set(c, X86_EAX, r);
        int ovf = is_signed ? (int16_t)r != (int8_t)r : (r >> 8) != 0;
        mul_flags(c, 0, r, ovf);
    } else if (sz == 1) {
        uint16_t ax = reg16_get(c, X86_EAX);
        uint32_t r = is_signed ? (uint32_t)((int32_t)(int16_t)ax * (int16_t)src) : (uint32_t)ax * (uint16_t)src;
        reg16_set(c, X86_EAX, (uint16_t)r);
        reg16_set(c, X86_EDX, (uint16_t)(r >> 16));
        int ovf = is_signed ? (int32_t)r != (int16_t)r : (r >> 16) != 0;
        mul_flags(c, 1, r, ovf);
    } else {
        uint64_t r;
        int ovf;
        if (is_signed) {
            int64_t p = (int64_t)(int32_t)c->gpr[X86_EAX] * (int32_t)src;
            r = (uint64_t)p;
            ovf = p != (int64_t)(int32_t)p;
        } else {
            r = (uint64_t)c->gpr[X86_EAX] * src;
            ovf = (r >> 32) != 0;
        }
        c->gpr[X86_EAX] = (uint32_t)r;
        c->gpr[X86_EDX] = (uint32_t)(r >> 32);
        mul_flags(c, 2, (uint32_t)r, ovf);
    }
}

/* Divide error: the 8086 pushes the address of the next instruction
 * (a trap), the 286 and later the faulting one (Intel SDM vol. 3, 6.15). */
static NORETURN void divide_error(struct x86_cpu *c)
{
    if (x86_is_8086(c))
        c->fault_is_trap = 1;
    x86_fault(c, X86_EXC_DE, 0, 0);
}

static void div_common(struct x86_cpu *c, const struct x86_insn *i, int sz, int is_signed)
{
    uint32_t src = rm_read(c, i, sz);
    if (src == 0)
        divide_error(c);
    /* The 8086 negates the quotient of IDIV when a REP prefix is present
     * (its microcode shares the sign flip with the REP logic). */
    int rep_negates = is_signed && x86_is_8086(c) && i->rep;
    if (sz == 0) {
        uint16_t ax = reg16_get(c, X86_EAX);
        uint32_t q, rem;
        if (is_signed) {
            int32_t n = (int16_t)ax, d = (int8_t)src;
            int32_t qs = n / d, rs = n % d;
            if (rep_negates)
                qs = -qs;
            /* The 8086 also faults on a quotient of exactly -128; the 286
             * accepts it (80286 data; Intel SDM IDIV). */
            if (qs > 127 || qs < (x86_is_8086(c) ? -127 : -128))
                divide_error(c);
            q = (uint32_t)qs;
            rem = (uint32_t)rs;
        } else {
            q = ax / (uint8_t)src;
            rem = ax % (uint8_t)src;
            if (q > 0xFF)
                divide_error(c);
        }
        reg16_set(c, X86_EAX, (uint16_t)((q & 0xFF) | (rem & 0xFF) << 8));
    } else if (sz == 1) {
        uint32_t n = (uint32_t)reg16_get(c, X86_EDX) << 16 | reg16_get(c, X86_EAX);
        uint32_t q, rem;
        if (is_signed) {
            int64_t ns = (int32_t)n, d = (int16_t)src;
            int64_t qs = ns / d, rs = ns % d;
            if (rep_negates)
                qs = -qs;
            if (qs > 32767 || qs < (x86_is_8086(c) ? -32767 : -32768))
                divide_error(c);
            q = (uint32_t)qs;
            rem = (uint32_t)rs;
        } else {
            q = n / (uint16_t)src;
            rem = n % (uint16_t)src;
            if (q > 0xFFFF)
                divide_error(c);
        }
        reg16_set(c, X86_EAX, (uint16_t)q);
        reg16_set(c, X86_EDX, (uint16_t)rem);
    } else {
        uint64_t n = (uint64_t)c->gpr[X86_EDX] << 32 | c->gpr[X86_EAX];
        uint32_t q, rem;
        if (is_signed) {
            int64_t ns = (int64_t)n, d = (int32_t)src;
            /* INT64_MIN / -1 overflows in C: it is a divide error anyway. */
            if (d == -1 && ns == INT64_MIN)
                divide_error(c);
            int64_t qs = ns / d, rs = ns % d;
            if (qs > INT32_MAX || qs < INT32_MIN)
                divide_error(c);
            q = (uint32_t)qs;
            rem = (uint32_t)rs;
        } else {
            uint64_t qu = n / src;
            if (qu > 0xFFFFFFFFu)
                divide_error(c);
            q = (uint32_t)qu;
            rem = (uint32_t)(n % src);
        }
        c->gpr[X86_EAX] = q;
        c->gpr[X86_EDX] = rem;
    }
}

#define MULDIV(sz)                                                       \
    static X86_OP(mul_##sz) { mul_common(c, i, sz, 0); }                 \
    static X86_OP(imul_##sz) { mul_common(c, i, sz, 1); }                \
    static X86_OP(div_##sz) { div_common(c, i, sz, 0); }                 \
    static X86_OP(idiv_##sz) { div_common(c, i, sz, 1); }
MULDIV(0)
MULDIV(1)
MULDIV(2)
const x86_exec_fn x86_mul_E[3] = SIZES(mul), x86_imul_E[3] = SIZES(imul);
const x86_exec_fn x86_div_E[3] = SIZES(div), x86_idiv_E[3] = SIZES(idiv);

/* IMUL r, r/m, imm and IMUL r, r/m: the truncated product; CF = OF = the
 * product did not fit. */
static void imul_2op(struct x86_cpu *c, const struct x86_insn *i, int sz, uint32_t b)
{
    uint32_t a = rm_read(c, i, sz);
    if (sz == 1) {
        int32_t p = (int32_t)(int16_t)a * (int16_t)b;
        reg16_set(c, i->reg, (uint16_t)p);
        mul_flags(c, 1, (uint32_t)p, p != (int16_t)p);
    } else {
        int64_t p = (int64_t)(int32_t)a * (int32_t)b;
        c->gpr[i->reg] = (uint32_t)p;
        mul_flags(c, 2, (uint32_t)p, p != (int32_t)p);
    }
}
X86_OP(x86_imul_GEI16) { imul_2op(c, i, 1, i->imm); }
X86_OP(x86_imul_GEI32) { imul_2op(c, i, 2, i->imm); }
X86_OP(x86_imul_GE16) { imul_2op(c, i, 1, reg16_get(c, i->reg)); }
X86_OP(x86_imul_GE32) { imul_2op(c, i, 2, c->gpr[i->reg]); }

/* ------------------------------------------------------------------ */
/* BCD adjusts and sign extension                                      */

static void szp_flags(struct x86_cpu *c, uint8_t v, uint32_t others_mask, uint32_t others)
{
    uint32_t f = others;
    if (v == 0)
        f |= X86_ZF;
    if (v & 0x80)
        f |= X86_SF;
    if (x86_parity_table[v])
        f |= X86_PF;
    flags_set_bits(c, X86_ZF | X86_SF | X86_PF | others_mask, f);
}

/* DAA/DAS.  Intel SDM: the high adjustment happens when the original AL was
 * above 99h or CF was set, and CF also takes the carry (borrow) out of the
 * low adjustment.  The 8086 differs (measured on silicon): with AF set its
 * threshold is 9Fh, and the low step does not touch CF. */
static void decimal_adjust(struct x86_cpu *c, int subtract)
{
    uint8_t al = reg8_get(c, 0), old = al;
    int cf = x86_cf(c), af = (x86_get_flags(c) & X86_AF) != 0;
    int is8086 = x86_is_8086(c);
    uint32_t f = 0;
    if ((al & 0x0F) > 9 || af) {
        if (!is8086 && (subtract ? al < 6 : al > 0xF9))
            f |= X86_CF;
        al = (uint8_t)(subtract ? al - 6 : al + 6);
        f |= X86_AF;
    }
    uint8_t threshold = (is8086 && af) ? 0x9F : 0x99;
    if (old > threshold || cf) {
        al = (uint8_t)(subtract ? al - 0x60 : al + 0x60);
        f |= X86_CF;
    }
    /* OF is undefined; the value matches signed overflow of the adjust. */
    if (subtract ? ((old ^ al) & old & 0x80) : ((old ^ al) & al & 0x80))
        f |= X86_OF;
    reg8_set(c, 0, al);
    szp_flags(c, al, X86_AF | X86_CF | X86_OF, f);
}
X86_OP(x86_daa) { (void)i; decimal_adjust(c, 0); }
X86_OP(x86_das) { (void)i; decimal_adjust(c, 1); }

static void ascii_adjust(struct x86_cpu *c, int subtract)
{
    uint16_t ax = reg16_get(c, X86_EAX);
    uint8_t al = (uint8_t)ax;
    int af = (x86_get_flags(c) & X86_AF) != 0;
    uint32_t f = 0;
    if ((al & 0x0F) > 9 || af) {
        if (x86_is_8086(c)) {
            /* The 8086 adjusts AL and AH separately: no carry from AL into
             * AH beyond the +1 (the 286 and later add 0106h to AX). */
            al = (uint8_t)(subtract ? al - 6 : al + 6);
            ax = (uint16_t)(((ax >> 8) + (subtract ? -1 : 1)) << 8 | al);
        } else {
            ax = (uint16_t)(subtract ? ax - 6 : ax + 0x106);
            if (subtract)
                ax = (uint16_t)(ax - 0x100);
        }
        f = X86_AF | X86_CF;
    }
    ax &= 0xFF0F;
    reg16_set(c, X86_EAX, ax);
    /* SF, ZF, PF, OF are undefined; set them from AL as silicon does most. */
    szp_flags(c, (uint8_t)ax, X86_AF | X86_CF | X86_OF, f);
}
X86_OP(x86_aaa) { (void)i; ascii_adjust(c, 0); }
X86_OP(x86_aas) { (void)i; ascii_adjust(c, 1); }

X86_OP(x86_aam)
{
    uint8_t base = (uint8_t)i->imm, al = reg8_get(c, 0);
    if (base == 0) {
        /* The 8086 sets SF, ZF and PF from a zero result before trapping. */
        if (x86_is_8086(c))
            szp_flags(c, 0, 0, 0);
        divide_error(c);
    }
    uint8_t q = al / base, r = al % base;
    reg16_set(c, X86_EAX, (uint16_t)(q << 8 | r));
    szp_flags(c, r, X86_AF | X86_CF | X86_OF, 0);
}

X86_OP(x86_aad)
{
    uint8_t base = (uint8_t)i->imm;
    uint16_t ax = reg16_get(c, X86_EAX);
    uint8_t a = (uint8_t)ax, b = (uint8_t)((ax >> 8) * base);
    uint8_t r = (uint8_t)(a + b);
    reg16_set(c, X86_EAX, r);
    /* Flags as for the byte ADD AL, AH*base that the microcode performs. */
    lf_set(c, LF_ADD8, r, a, b);
}

X86_OP(x86_cbw) { (void)i; reg16_set(c, X86_EAX, (uint16_t)(int16_t)(int8_t)reg8_get(c, 0)); }
X86_OP(x86_cwde) { (void)i; c->gpr[X86_EAX] = (uint32_t)(int32_t)(int16_t)reg16_get(c, X86_EAX); }
X86_OP(x86_cwd) { (void)i; reg16_set(c, X86_EDX, (reg16_get(c, X86_EAX) & 0x8000u) ? 0xFFFF : 0); }
X86_OP(x86_cdq) { (void)i; c->gpr[X86_EDX] = (c->gpr[X86_EAX] & 0x80000000u) ? 0xFFFFFFFFu : 0; }
/* SALC (D6, undocumented): AL = CF ? FF : 00. */
X86_OP(x86_salc) { (void)i; reg8_set(c, 0, x86_cf(c) ? 0xFF : 0); }
