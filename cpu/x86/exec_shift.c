/*
 * Shifts, rotates, double shifts, bit tests and bit scans.
 *
 * The 8086 uses the whole count in CL (a shift by 200 takes 200 steps);
 * the 80186 and later mask it to 5 bits (Intel SDM vol. 2, SAL/SAR/SHL/SHR
 * "IA-32 Architecture Compatibility").  Results below are computed in
 * closed form, equal to the step-by-step result for every count.
 */
#include "cpu/x86/ops.h"

enum { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SETMO, SH_SAR };

static inline uint32_t msb(uint32_t v, int sz) { return (v & size_sign(sz)) != 0; }

static void result_flags(struct x86_cpu *c, int sz, uint32_t r, int cf, int of)
{
    uint32_t f = (cf ? X86_CF : 0) | (of ? X86_OF : 0);
    r &= size_mask(sz);
    if (r == 0)
        f |= X86_ZF;
    if (msb(r, sz))
        f |= X86_SF;
    if (x86_parity_table[r & 0xFF])
        f |= X86_PF;
    flags_set_bits(c, X86_ARITH_FLAGS, f);
}

/* Shift/rotate `a` of size sz by `count` (already masked per model, and
 * not zero).  Sets the flags and returns the result. */
static uint32_t shift_op(struct x86_cpu *c, int op, int sz, uint32_t a, unsigned count)
{
    const unsigned width = 8u << sz;
    const uint32_t m = size_mask(sz);
    uint32_t r;
    int cf;
    a &= m;
    switch (op) {
    case SH_ROL: {
        unsigned n = count % width;
        r = n ? ((a << n) | (a >> (width - n))) & m : a;
        cf = (int)(r & 1);
        flags_set_bits(c, X86_CF | X86_OF, (cf ? X86_CF : 0) | ((msb(r, sz) ^ (uint32_t)cf) ? X86_OF : 0));
        return r;
    }
    case SH_ROR: {
        unsigned n = count % width;
        r = n ? ((a >> n) | (a << (width - n))) & m : a;
        cf = (int)msb(r, sz);
        int of = (int)(msb(r, sz) ^ ((r >> (width - 2)) & 1));
        flags_set_bits(c, X86_CF | X86_OF, (cf ? X86_CF : 0) | (of ? X86_OF : 0));
        return r;
    }
    case SH_RCL:
    case SH_RCR: {
        /* Rotate the (width+1)-bit value CF:a. */
        unsigned n = count % (width + 1);
        uint64_t v = (uint64_t)a | (uint64_t)(x86_cf(c) ? 1 : 0) << width;
        uint64_t full = ((uint64_t)1 << (width + 1)) - 1;
        if (n) {
            if (op == SH_RCL)
                v = ((v << n) | (v >> (width + 1 - n))) & full;
            else
                v = ((v >> n) | (v << (width + 1 - n))) & full;
        }
        r = (uint32_t)v & m;
        cf = (int)((v >> width) & 1);
        int of = op == SH_RCL ? (int)(msb(r, sz) ^ (uint32_t)cf)
                              : (int)(msb(r, sz) ^ ((r >> (width - 2)) & 1));
        flags_set_bits(c, X86_CF | X86_OF, (cf ? X86_CF : 0) | (of ? X86_OF : 0));
        return r;
    }
    case SH_SHL:
        r = count < 32 ? (a << count) & m : 0;
        cf = count <= width ? (int)((a >> (width - count)) & 1) : 0;
        result_flags(c, sz, r, cf, (int)(msb(r, sz) ^ (uint32_t)cf));
        return r;
    case SH_SHR:
        r = count < width ? a >> count : 0;
        cf = count <= width ? (int)((a >> (count - 1)) & 1) : 0;
        /* OF is the sign of the operand before the last one-bit step: the
         * original sign for a count of 1, else 0 (80286 data). */
        result_flags(c, sz, r, cf, count == 1 ? (int)msb(a, sz) : 0);
        return r;
    case SH_SAR: {
        int32_t s = sz == 0 ? (int8_t)a : sz == 1 ? (int16_t)a : (int32_t)a;
        unsigned n = count < width ? count : width - 1;
        /* Arithmetic shift of a negative value, written without relying on
         * implementation-defined signed right shifts. */
        uint32_t sign_fill = s < 0 ? ~(0xFFFFFFFFu >> n) : 0;
        r = (((uint32_t)s >> n) | sign_fill) & m;
        cf = count < width ? (int)(((uint32_t)s >> (count - 1)) & 1) : (s < 0);
        result_flags(c, sz, r, cf, 0);
        return r;
    }
    default:
        /* SETMO (8086 only, /6): the operand becomes all ones, flags as
         * after OR with all ones. */
        r = m;
        result_flags(c, sz, r, 0, 0);
        return r;
    }
}

static unsigned shift_count(const struct x86_cpu *c, unsigned raw)
{
    return x86_is_8086(c) ? (raw & 0xFF) : (raw & 0x1F);
}

static void shift_E(struct x86_cpu *c, const struct x86_insn *i, int op, int sz, unsigned raw)
{
    unsigned count = shift_count(c, raw);
    if (i->is_mem) {
        uint32_t off = ea_offset(c, i);
        uint32_t a = mem_read(c, i->seg, off, 1 << sz);
        if (count == 0)
            return;
        charge(c, x86_is_8086(c) ? 4 * count : count);
        mem_write(c, i->seg, off, shift_op(c, op, sz, a, count), 1 << sz);
    } else {
        if (count == 0)
            return;
        charge(c, x86_is_8086(c) ? 4 * count : 0);
        reg_set(c, sz, i->rm, shift_op(c, op, sz, reg_get(c, sz, i->rm), count));
    }
}

#define SHIFT_FORMS(op, sz)                                                            \
    static X86_OP(shift1_##op##_##sz) { shift_E(c, i, op, sz, 1); }                    \
    static X86_OP(shiftCL_##op##_##sz) { shift_E(c, i, op, sz, reg8_get(c, 1)); }      \
    static X86_OP(shiftI_##op##_##sz) { shift_E(c, i, op, sz, i->imm); }
#define SHIFT_SIZES(op) SHIFT_FORMS(op, 0) SHIFT_FORMS(op, 1) SHIFT_FORMS(op, 2)
SHIFT_SIZES(SH_ROL)
SHIFT_SIZES(SH_ROR)
SHIFT_SIZES(SH_RCL)
SHIFT_SIZES(SH_RCR)
SHIFT_SIZES(SH_SHL)
SHIFT_SIZES(SH_SHR)
SHIFT_SIZES(SH_SETMO)
SHIFT_SIZES(SH_SAR)

#define SH_ROW(form, op) { form##_##op##_0, form##_##op##_1, form##_##op##_2 }
#define SH_TABLE(form)                                                                  \
    {                                                                                  \
        SH_ROW(form, SH_ROL), SH_ROW(form, SH_ROR), SH_ROW(form, SH_RCL), SH_ROW(form, SH_RCR), \
        SH_ROW(form, SH_SHL), SH_ROW(form, SH_SHR), SH_ROW(form, SH_SETMO), SH_ROW(form, SH_SAR) \
    }
const x86_exec_fn x86_shift_1[8][3] = SH_TABLE(shift1);
const x86_exec_fn x86_shift_CL[8][3] = SH_TABLE(shiftCL);
const x86_exec_fn x86_shift_I[8][3] = SH_TABLE(shiftI);

/* ------------------------------------------------------------------ */
/* SHLD / SHRD                                                         */

static void double_shift(struct x86_cpu *c, const struct x86_insn *i, int sz, unsigned count, int left)
{
    count &= 0x1F;
    uint32_t off = i->is_mem ? ea_offset(c, i) : 0;
    uint32_t dst = i->is_mem ? mem_read(c, i->seg, off, 1 << sz) : reg_get(c, sz, i->rm);
    if (count == 0)
        return;
    uint32_t src = reg_get(c, sz, i->reg);
    uint32_t r;
    int cf;
    if (sz == 2) {
        uint64_t v = left ? ((uint64_t)dst << 32 | src) : ((uint64_t)src << 32 | dst);
        if (left) {
            r = (uint32_t)((v << count) >> 32);
            cf = (int)((dst >> (32 - count)) & 1);
        } else {
            r = (uint32_t)(v >> count);
            cf = (int)((dst >> (count - 1)) & 1);
        }
    } else {
        /* 16-bit forms shift through the 48-bit pattern dst:src:dst, so
         * counts above 16 give what Intel processors give (the SDM leaves
         * the result undefined).  Left shifts take the top word, right
         * shifts the bottom one. */
        uint64_t v = (uint64_t)dst << 32 | (uint64_t)src << 16 | dst;
        if (left) {
            r = (uint32_t)((v << count) >> 32) & 0xFFFF;
            cf = (int)(((v << (count - 1)) >> 47) & 1);
        } else {
            r = (uint32_t)(v >> count) & 0xFFFF;
            cf = (int)((v >> (count - 1)) & 1);
        }
    }
    int of = (int)(msb(r, sz) ^ msb(dst, sz));
    result_flags(c, sz, r, cf, of);
    if (i->is_mem)
        mem_write(c, i->seg, off, r, 1 << sz);
    else
        reg_set(c, sz, i->rm, r);
}
X86_OP(x86_shld_I16) { double_shift(c, i, 1, i->imm, 1); }
X86_OP(x86_shld_I32) { double_shift(c, i, 2, i->imm, 1); }
X86_OP(x86_shld_CL16) { double_shift(c, i, 1, reg8_get(c, 1), 1); }
X86_OP(x86_shld_CL32) { double_shift(c, i, 2, reg8_get(c, 1), 1); }
X86_OP(x86_shrd_I16) { double_shift(c, i, 1, i->imm, 0); }
X86_OP(x86_shrd_I32) { double_shift(c, i, 2, i->imm, 0); }
X86_OP(x86_shrd_CL16) { double_shift(c, i, 1, reg8_get(c, 1), 0); }
X86_OP(x86_shrd_CL32) { double_shift(c, i, 2, reg8_get(c, 1), 0); }

/* ------------------------------------------------------------------ */
/* BT, BTS, BTR, BTC                                                   */

enum { BT_TEST, BT_SET, BT_RESET, BT_COMPLEMENT };

static uint32_t bit_apply(int op, uint32_t v, uint32_t bit)
{
    switch (op) {
    case BT_SET: return v | bit;
    case BT_RESET: return v & ~bit;
    case BT_COMPLEMENT: return v ^ bit;
    default: return v;
    }
}

/* With a register bit offset and a memory operand, the offset is signed and
 * reaches outside the addressed word (Intel SDM vol. 2, BT). */
static void bit_op(struct x86_cpu *c, const struct x86_insn *i, int op, int sz, uint32_t offset, int from_reg)
{
    const unsigned width = 8u << sz;
    uint32_t bit = 1u << (offset & (width - 1));
    if (!i->is_mem) {
        uint32_t v = reg_get(c, sz, i->rm);
        flags_set_bits(c, X86_CF, (v & bit) ? X86_CF : 0);
        if (op != BT_TEST)
            reg_set(c, sz, i->rm, bit_apply(op, v, bit));
        return;
    }
    uint32_t off = ea_offset(c, i);
    if (from_reg) {
        int32_t words = sz == 1 ? (int32_t)(int16_t)offset >> 4 : (int32_t)offset >> 5;
        off += (uint32_t)words * (width / 8);
        if (!i->a32)
            off &= 0xFFFF;
    }
    uint32_t v = mem_read(c, i->seg, off, 1 << sz);
    flags_set_bits(c, X86_CF, (v & bit) ? X86_CF : 0);
    if (op != BT_TEST)
        mem_write(c, i->seg, off, bit_apply(op, v, bit), 1 << sz);
}

#define BIT_FORMS(op)                                                                    \
    static X86_OP(btG16_##op) { bit_op(c, i, op, 1, reg16_get(c, i->reg), 1); }          \
    static X86_OP(btG32_##op) { bit_op(c, i, op, 2, c->gpr[i->reg], 1); }                 \
    static X86_OP(btI16_##op) { bit_op(c, i, op, 1, i->imm, 0); }                         \
    static X86_OP(btI32_##op) { bit_op(c, i, op, 2, i->imm, 0); }
BIT_FORMS(BT_TEST)
BIT_FORMS(BT_SET)
BIT_FORMS(BT_RESET)
BIT_FORMS(BT_COMPLEMENT)
const x86_exec_fn x86_bt_G[4][2] = {
    { btG16_BT_TEST, btG32_BT_TEST }, { btG16_BT_SET, btG32_BT_SET },
    { btG16_BT_RESET, btG32_BT_RESET }, { btG16_BT_COMPLEMENT, btG32_BT_COMPLEMENT },
};
const x86_exec_fn x86_bt_I[4][2] = {
    { btI16_BT_TEST, btI32_BT_TEST }, { btI16_BT_SET, btI32_BT_SET },
    { btI16_BT_RESET, btI32_BT_RESET }, { btI16_BT_COMPLEMENT, btI32_BT_COMPLEMENT },
};

/* BSF/BSR: a zero source sets ZF and leaves the destination unchanged. */
static void bit_scan(struct x86_cpu *c, const struct x86_insn *i, int sz, int reverse)
{
    uint32_t v = rm_read(c, i, sz);
    if (v == 0) {
        flags_set_bits(c, X86_ZF, X86_ZF);
        return;
    }
    unsigned n = 0;
    if (reverse) {
        n = (8u << sz) - 1;
        while (!(v & (1u << n)))
            n--;
    } else {
        while (!(v & (1u << n)))
            n++;
    }
    charge(c, x86_is_286_or_less(c) ? 0 : n);
    flags_set_bits(c, X86_ZF, 0);
    reg_set(c, sz, i->reg, n);
}
X86_OP(x86_bsf16) { bit_scan(c, i, 1, 0); }
X86_OP(x86_bsf32) { bit_scan(c, i, 2, 0); }
X86_OP(x86_bsr16) { bit_scan(c, i, 1, 1); }
X86_OP(x86_bsr32) { bit_scan(c, i, 2, 1); }
