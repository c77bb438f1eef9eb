/*
 * The x87 instruction families: arithmetic in all its operand forms,
 * loads and stores of every memory format, register moves, compares,
 * conditional moves and the D9 E0-FF group (constants, FCHS ... FCOS).
 *
 * The stack faults (SDM vol. 1, 8.5.1.1): reading an empty register is an
 * underflow, pushing onto a full one an overflow; both raise IE and SF.
 * Masked, the instruction goes on with the QNaN indefinite as its operand
 * or result; unmasked, nothing is stored and nothing is popped.
 */
#include "cpu/x86/x87_internal.h"

/* ------------------------------------------------------------------ */
/* Arithmetic                                                          */

/* reg field 0 ADD, 1 MUL, 4 x - y, 5 y - x, 6 x / y, 7 y / x, where x is
 * ST(0) and y the other operand, whichever is the destination (so the DC
 * and DE register forms, whose "R" names are swapped, decode alike). */
static sf80 arith(struct sf80_env *e, unsigned op, sf80 x, sf80 y)
{
    switch (op) {
    case 0: return sf80_add(e, x, y);
    case 1: return sf80_mul(e, x, y);
    case 4: return sf80_sub(e, x, y);
    case 5: return sf80_sub(e, y, x);
    case 6: return sf80_div(e, x, y);
    default: return sf80_div(e, y, x);
    }
}

/* An operand from memory, converted (SNaN and denormal singles and
 * doubles raise IE and DE here). */
static sf80 read_operand(struct x86_cpu *c, const struct x86_insn *i, int format, struct sf80_env *e)
{
    switch (format) {
    case X87_M32: return sf80_from_f32(e, rd32(c, i->seg, x87_ea(c, i, 0)));
    case X87_M64: return sf80_from_f64(e, x87_read64(c, i));
    case X87_M80: return x87_read80(c, i, 0);
    case X87_I16: return sf80_from_int64((int16_t)rd16(c, i->seg, x87_ea(c, i, 0)));
    case X87_I32: return sf80_from_int64((int32_t)rd32(c, i->seg, x87_ea(c, i, 0)));
    case X87_I64: return sf80_from_int64((int64_t)x87_read64(c, i));
    default: {
        uint8_t b[10];
        for (uint32_t k = 0; k < 10; k++)
            b[k] = rd8(c, i->seg, x87_ea(c, i, k));
        return sf80_from_bcd(b);
    }
    }
}

static uint32_t format_size(int format)
{
    static const uint8_t size[] = { 4, 8, 10, 2, 4, 8, 10 };
    return size[format];
}

void x87_arith_mem(struct x86_cpu *c, const struct x86_insn *i)
{
    static const int fmt[8] = { X87_M32, 0, X87_I32, 0, X87_M64, 0, X87_I16, 0 };
    unsigned esc = i->opcode & 7u;
    int format = fmt[esc];
    x87_check_read(c, i, format_size(format));
    struct sf80_env e = x87_env(c);
    sf80 y = read_operand(c, i, format, &e);
    if (e.flags & SF80_IE) {
        /* A signaling NaN operand stays one: the operation raises IE and
         * picks the NaN by the rules of table 4-7. */
        y.sig &= ~SF80_QUIET_BIT;
        e.flags &= (uint8_t)~SF80_IE;
    }
    /* A denormal single or double counts only when the operation reaches
     * its denormal check: not when ST(0) is a NaN or unsupported. */
    uint8_t de = e.flags & SF80_DE;
    e.flags &= (uint8_t)~SF80_DE;
    if (!x87_empty(c, 0)) {
        enum sf80_class k = sf80_classify(x87_get(c, 0));
        if (k == SF80_C_QNAN || k == SF80_C_SNAN || k == SF80_C_UNSUPPORTED)
            de = 0;
    }
    if (i->reg == 2 || i->reg == 3) {
        x87_compare(c, y, 1, 0, i->reg == 3, 0, de);
        return;
    }
    if (x87_empty(c, 0)) {
        if (x87_stack_underflow(c))
            x87_set(c, 0, sf80_indefinite());
        return;
    }
    e.flags |= de;
    if (e.flags & ~e.masks & (SF80_IE | SF80_DE)) {
        x87_finish(c, &e, 0);
        return;
    }
    sf80 r = arith(&e, i->reg, x87_get(c, 0), y);
    if (x87_finish(c, &e, 0))
        x87_set(c, 0, r);
}

void x87_arith_reg(struct x86_cpu *c, const struct x86_insn *i)
{
    unsigned esc = i->opcode & 7u;
    unsigned dest = esc == 0 ? 0 : i->rm;
    int pop = esc == 6;
    if (x87_empty(c, 0) || x87_empty(c, i->rm)) {
        if (!x87_stack_underflow(c))
            return;
        x87_set(c, dest, sf80_indefinite());
    } else {
        struct sf80_env e = x87_env(c);
        sf80 r = arith(&e, i->reg, x87_get(c, 0), x87_get(c, i->rm));
        if (!x87_finish(c, &e, 0))
            return;
        x87_set(c, dest, r);
    }
    if (pop)
        x87_pop(c);
}

/* ------------------------------------------------------------------ */
/* Loads and stores                                                    */

/* Room for a push: an overflow when ST(7) is in use.  Returns 0 when the
 * instruction must stop (unmasked), 2 when it pushes the indefinite. */
static int push_room(struct x86_cpu *c)
{
    if (x87_empty(c, 7))
        return 1;
    return x87_stack_overflow(c) ? 2 : 0;
}

void x87_load_mem(struct x86_cpu *c, const struct x86_insn *i, int format)
{
    x87_check_read(c, i, format_size(format));
    struct sf80_env e = x87_env(c);
    sf80 v = read_operand(c, i, format, &e);
    int room = push_room(c);
    if (room != 1) {
        if (room == 2)
            x87_push(c, sf80_indefinite());
        return;
    }
    /* An unmasked DE does not stop a load: the value is pushed (as the
     * hardware does) and the handler sees it on the stack. */
    if (x87_finish(c, &e, 0) || (e.flags & ~e.masks & (SF80_IE | SF80_ZE)) == 0)
        x87_push(c, v);
}

/* The value a store writes, in the low bytes of *lo (and *hi for 80-bit
 * and BCD formats). */
static void convert_out(struct sf80_env *e, sf80 v, int format, uint64_t *lo, uint16_t *hi)
{
    uint8_t b[10];
    *hi = 0;
    switch (format) {
    case X87_M32: *lo = sf80_to_f32(e, v); break;
    case X87_M64: *lo = sf80_to_f64(e, v); break;
    case X87_M80: *lo = v.sig; *hi = v.se; break;
    case X87_I16: *lo = (uint64_t)sf80_to_int(e, v, 16, 0); break;
    case X87_I32: *lo = (uint64_t)sf80_to_int(e, v, 32, 0); break;
    case X87_I64: *lo = (uint64_t)sf80_to_int(e, v, 64, 0); break;
    default:
        sf80_to_bcd(e, v, b);
        *lo = 0;
        for (int k = 7; k >= 0; k--)
            *lo = *lo << 8 | b[k];
        *hi = (uint16_t)(b[8] | b[9] << 8);
        break;
    }
}

static void write_out(struct x86_cpu *c, const struct x86_insn *i, int format, uint64_t lo, uint16_t hi)
{
    switch (format_size(format)) {
    case 2: wr16(c, i->seg, x87_ea(c, i, 0), (uint16_t)lo); break;
    case 4: wr32(c, i->seg, x87_ea(c, i, 0), (uint32_t)lo); break;
    case 8: x87_write64(c, i, lo); break;
    default:
        x87_write64(c, i, lo);
        wr16(c, i->seg, x87_ea(c, i, 8), hi);
        break;
    }
}

void x87_store_mem(struct x86_cpu *c, const struct x86_insn *i, int format, int pop)
{
    x87_check_write(c, i, format_size(format));
    struct sf80_env e = x87_env(c);
    uint64_t lo;
    uint16_t hi;
    if (x87_empty(c, 0)) {
        /* The masked response stores the format's indefinite. */
        if (!(e.masks & SF80_IE)) {
            x87_stack_underflow(c);
            return;
        }
        struct sf80_env scratch = e;
        convert_out(&scratch, sf80_indefinite(), format, &lo, &hi);
        write_out(c, i, format, lo, hi);
        x87_stack_underflow(c);
    } else {
        convert_out(&e, x87_get(c, 0), format, &lo, &hi);
        unsigned unmasked = e.flags & ~e.masks;
        int store = !(unmasked & (SF80_IE | SF80_DE | SF80_OE | SF80_UE));
        if (store)
            write_out(c, i, format, lo, hi);
        if (!x87_finish(c, &e, 1))
            return;
    }
    if (pop)
        x87_pop(c);
}

void x87_fld_st(struct x86_cpu *c, unsigned src)
{
    int empty = x87_empty(c, src);
    sf80 v = x87_get(c, src);
    int room = push_room(c);
    if (room != 1) {
        if (room == 2)
            x87_push(c, sf80_indefinite());
        return;
    }
    if (empty) {
        if (!x87_stack_underflow(c))
            return;
        v = sf80_indefinite();
    }
    x87_set_cc(c, X87_SW_C1, 0);
    x87_push(c, v);
}

void x87_fst_st(struct x86_cpu *c, unsigned dst, int pop)
{
    sf80 v = x87_get(c, 0);
    if (x87_empty(c, 0)) {
        if (!x87_stack_underflow(c))
            return;
        v = sf80_indefinite();
    } else {
        x87_set_cc(c, X87_SW_C1, 0);
    }
    x87_set(c, dst, v);
    if (pop)
        x87_pop(c);
}

void x87_fxch(struct x86_cpu *c, unsigned src)
{
    sf80 a = x87_get(c, 0), b = x87_get(c, src);
    if (x87_empty(c, 0) || x87_empty(c, src)) {
        if (!x87_stack_underflow(c))
            return;
        if (x87_empty(c, 0))
            a = sf80_indefinite();
        if (x87_empty(c, src))
            b = sf80_indefinite();
    } else {
        x87_set_cc(c, X87_SW_C1, 0);
    }
    x87_set(c, 0, b);
    x87_set(c, src, a);
}

/* ------------------------------------------------------------------ */
/* Compares and conditional moves                                      */

/* An unmasked invalid operand leaves the codes and the stack alone (SDM
 * FCOM); an unmasked denormal operand sets the codes but does not pop, as
 * the hardware does.  `de`: the operand came from a denormal in memory. */
void x87_compare(struct x86_cpu *c, sf80 b, int b_ok, int quiet, int pops, int to_eflags, int de)
{
    int rel = SF80_UNORDERED;
    if (x87_empty(c, 0) || !b_ok) {
        if (!x87_stack_underflow(c))
            return;
    } else {
        struct sf80_env e = x87_env(c);
        rel = sf80_compare(&e, x87_get(c, 0), b, quiet);
        if (de && rel != SF80_UNORDERED)
            e.flags |= SF80_DE;
        if (!x87_finish(c, &e, 0)) {
            if (e.flags & ~e.masks & SF80_IE)
                return;
            pops = 0;
        }
    }
    if (to_eflags) {
        /* FCOMI: ZF PF CF as for an unsigned compare, 111 unordered. */
        static const uint32_t fl[4] = { X86_CF, X86_ZF, 0, X86_ZF | X86_PF | X86_CF };
        flags_set_bits(c, X86_ZF | X86_PF | X86_CF | X86_OF | X86_SF | X86_AF, fl[rel]);
    } else {
        static const uint16_t cc[4] = { X87_SW_C0, X87_SW_C3, 0, X87_SW_C3 | X87_SW_C2 | X87_SW_C0 };
        x87_set_cc(c, X87_SW_C3 | X87_SW_C2 | X87_SW_C0, cc[rel]);
    }
    while (pops-- > 0)
        x87_pop(c);
}

/* FCMOVcc (DA/DB C0-DF): B E BE U, and (DB) their negations. */
void x87_fcmov(struct x86_cpu *c, const struct x86_insn *i)
{
    int cond;
    switch (i->reg & 3) {
    case 0: cond = x86_cf(c); break;
    case 1: cond = x86_zf(c); break;
    case 2: cond = x86_cf(c) || x86_zf(c); break;
    default: cond = x86_pf(c); break;
    }
    if ((i->opcode & 7u) == 3)
        cond = !cond;
    if (x87_empty(c, 0) || x87_empty(c, i->rm)) {
        if (x87_stack_underflow(c))
            x87_set(c, 0, sf80_indefinite());
        return;
    }
    x87_set_cc(c, X87_SW_C1, 0);
    if (cond)
        x87_set(c, 0, x87_get(c, i->rm));
}

/* ------------------------------------------------------------------ */
/* D9 E0-FF                                                            */

/* FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ (D9 E8-EE).  The values are
 * held to 128 bits and rounded in the rounding mode, which is how the
 * 487 and later choose the last bit (SDM vol. 1, 8.3.8). */
void x87_load_const(struct x86_cpu *c, unsigned which)
{
    static const struct { int32_t exp; uint64_t hi, lo; } k[7] = {
        { SF80_BIAS, 0x8000000000000000ull, 0 },
        { SF80_BIAS + 1, 0xD49A784BCD1B8AFEull, 0x492BF6FF4DAFDB4Cull },     /* log2 10 */
        { SF80_BIAS, 0xB8AA3B295C17F0BBull, 0xBE87FED0691D3E88ull },         /* log2 e */
        { SF80_BIAS + 1, 0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull },     /* pi */
        { SF80_BIAS - 2, 0x9A209A84FBCFF798ull, 0x8F8959AC0B7C9178ull },     /* log10 2 */
        { SF80_BIAS - 1, 0xB17217F7D1CF79ABull, 0xC9E3B39803F2F6AFull },     /* ln 2 */
        { 0, 0, 0 },
    };
    int room = push_room(c);
    if (room != 1) {
        if (room == 2)
            x87_push(c, sf80_indefinite());
        return;
    }
    struct sf80_env e = x87_env(c);
    e.pc = SF80_PC_64;
    sf80 v = which == 6 ? sf80_zero(0) : sf80_round_pack(&e, 0, k[which].exp, k[which].hi, k[which].lo, 64);
    x87_set_cc(c, X87_SW_C1, 0);
    x87_push(c, v);
}

/* FXAM's codes (C3 C2 C0): unsupported 000, NaN 001, normal 010,
 * infinity 011, zero 100, empty 101, denormal 110; C1 is the sign. */
static void fxam(struct x86_cpu *c)
{
    static const uint16_t code[] = {
        [SF80_C_ZERO] = X87_SW_C3, [SF80_C_DENORMAL] = X87_SW_C3 | X87_SW_C2, [SF80_C_NORMAL] = X87_SW_C2,
        [SF80_C_INF] = X87_SW_C2 | X87_SW_C0, [SF80_C_QNAN] = X87_SW_C0, [SF80_C_SNAN] = X87_SW_C0,
        [SF80_C_UNSUPPORTED] = 0,
    };
    sf80 v = x87_get(c, 0);
    uint16_t cc = x87_empty(c, 0) ? X87_SW_C3 | X87_SW_C0 : code[sf80_classify(v)];
    if (sf80_sign(v))
        cc |= X87_SW_C1;
    x87_set_cc(c, X87_SW_CC, cc);
}

/* One-operand functions of ST(0). */
static void unary(struct x86_cpu *c, unsigned m)
{
    if (x87_empty(c, 0)) {
        if (x87_stack_underflow(c))
            x87_set(c, 0, sf80_indefinite());
        return;
    }
    sf80 x = x87_get(c, 0), r;
    struct sf80_env e = x87_env(c);
    switch (m) {
    case 0xE0: r = sf80_neg(x); break;
    case 0xE1: r = sf80_abs(x); break;
    case 0xF0: r = x87_f2xm1(&e, x); break;
    case 0xFA: r = sf80_sqrt(&e, x); break;
    case 0xFC: r = sf80_round_to_int(&e, x); break;
    default:
        /* FSIN, FCOS: C2 = 1 and nothing else when |x| >= 2^63 */
        if ((m == 0xFE ? x87_sin(&e, x, &r) : x87_cos(&e, x, &r))) {
            x87_set_cc(c, X87_SW_C2 | X87_SW_C1, X87_SW_C2);
            return;
        }
        x87_set_cc(c, X87_SW_C2, 0);
        break;
    }
    if (x87_finish(c, &e, 0))
        x87_set(c, 0, r);
}

/* Functions of ST(0) and ST(1) whose result replaces ST(1) and pops
 * (FYL2X FPATAN FYL2XP1) or replaces ST(0) (FPREM FPREM1 FSCALE). */
static void binary(struct x86_cpu *c, unsigned m)
{
    int pops = m == 0xF1 || m == 0xF3 || m == 0xF9;
    unsigned dest = pops ? 1 : 0;
    if (x87_empty(c, 0) || x87_empty(c, 1)) {
        if (!x87_stack_underflow(c))
            return;
        x87_set(c, dest, sf80_indefinite());
        if (pops)
            x87_pop(c);
        return;
    }
    sf80 x = x87_get(c, 0), y = x87_get(c, 1), r;
    struct sf80_env e = x87_env(c);
    uint64_t q = 0;
    int partial = 0;
    switch (m) {
    case 0xF1: r = x87_yl2x(&e, y, x); break;
    case 0xF3: r = x87_atan(&e, y, x); break;
    case 0xF9: r = x87_yl2xp1(&e, y, x); break;
    case 0xFD: r = sf80_scale(&e, x, y); break;
    default: r = sf80_rem(&e, x, y, m == 0xF5, &q, &partial); break;
    }
    if (!x87_finish(c, &e, 0))
        return;
    if (m == 0xF5 || m == 0xF8) {
        /* C0 C3 C1 = quotient bits 2 1 0; C2 alone when the reduction is
         * partial (the quotient bits are then cleared). */
        if (partial)
            x87_set_cc(c, X87_SW_CC, X87_SW_C2);
        else
            x87_set_cc(c, X87_SW_CC, (uint16_t)((q & 4 ? X87_SW_C0 : 0) | (q & 2 ? X87_SW_C3 : 0) |
                                                (q & 1 ? X87_SW_C1 : 0)));
    }
    x87_set(c, dest, r);
    if (pops)
        x87_pop(c);
}

/* Functions that replace ST(0) and push a second result: FPTAN (1.0),
 * FSINCOS (the cosine), FXTRACT (the significand). */
static void push_two(struct x86_cpu *c, unsigned m)
{
    if (x87_empty(c, 0)) {
        if (!x87_stack_underflow(c))
            return;
        x87_set(c, 0, sf80_indefinite());
        x87_push(c, sf80_indefinite());
        return;
    }
    if (!x87_empty(c, 7)) {
        if (!x87_stack_overflow(c))
            return;
        x87_set(c, 0, sf80_indefinite());
        x87_push(c, sf80_indefinite());
        return;
    }
    sf80 x = x87_get(c, 0), r0, r1;
    struct sf80_env e = x87_env(c);
    if (m == 0xF4) {
        sf80_xtract(&e, x, &r0, &r1);
    } else {
        int out = m == 0xF2 ? x87_tan(&e, x, &r0) : x87_sincos(&e, x, &r0, &r1);
        if (out) {
            x87_set_cc(c, X87_SW_C2 | X87_SW_C1, X87_SW_C2);
            return;
        }
        x87_set_cc(c, X87_SW_C2, 0);
        if (m == 0xF2)
            r1 = sf80_one(0);
    }
    if (!x87_finish(c, &e, 0))
        return;
    x87_set(c, 0, r0);
    x87_push(c, r1);
}

void x87_d9_group(struct x86_cpu *c, unsigned m)
{
    switch (m) {
    case 0xE0: case 0xE1: case 0xF0: case 0xFA: case 0xFC: case 0xFE: case 0xFF:
        unary(c, m);
        return;
    case 0xE4: {    /* FTST */
        sf80 zero = sf80_zero(0);
        x87_compare(c, zero, 1, 0, 0, 0, 0);
        return;
    }
    case 0xE5: fxam(c); return;
    case 0xF1: case 0xF3: case 0xF5: case 0xF8: case 0xF9: case 0xFD:
        binary(c, m);
        return;
    case 0xF2: case 0xF4: case 0xFB:
        push_two(c, m);
        return;
    case 0xF6:      /* FDECSTP */
        x87_set_top(c, x87_top(&c->fpu) - 1);
        x87_set_cc(c, X87_SW_C1, 0);
        return;
    case 0xF7:      /* FINCSTP */
        x87_set_top(c, x87_top(&c->fpu) + 1);
        x87_set_cc(c, X87_SW_C1, 0);
        return;
    default:        /* E8-EE */
        x87_load_const(c, m - 0xE8);
        return;
    }
}
