/*
 * The x87 FPU: register stack, status and control words, exception
 * reporting, the control instructions (FINIT FCLEX FLDCW FSTCW FSTSW
 * FSTENV FLDENV FSAVE FRSTOR), WAIT, and the decoding of D8-DF into the
 * instruction families of x87_ops.c.
 *
 * Order inside an instruction: #UD for undefined encodings, then the
 * pending-error check of waiting instructions (#MF or FERR#), then the
 * last-instruction pointers, then every memory read, the computation, the
 * memory writes, and only then the FPU state -- so a fault on an operand
 * leaves the FPU as it was and the instruction restarts cleanly.
 */
#include "cpu/x86/x87_internal.h"

#define CR0_NE 0x20u

/* ------------------------------------------------------------------ */
/* Registers and tags                                                  */

unsigned x87_tag_of(sf80 v)
{
    switch (sf80_classify(v)) {
    case SF80_C_ZERO: return X87_TAG_ZERO;
    case SF80_C_NORMAL: return X87_TAG_VALID;
    default: return X87_TAG_SPECIAL;
    }
}

void x87_set_tag(struct x86_cpu *c, unsigned phys, unsigned tag)
{
    c->fpu.tw = (uint16_t)((c->fpu.tw & ~(3u << (2 * phys))) | tag << (2 * phys));
}

void x87_set(struct x86_cpu *c, unsigned i, sf80 v)
{
    unsigned p = x87_phys(c, i);
    c->fpu.r[p] = v;
    x87_set_tag(c, p, x87_tag_of(v));
}

void x87_push(struct x86_cpu *c, sf80 v)
{
    x87_set_top(c, x87_top(&c->fpu) - 1);
    x87_set(c, 0, v);
}

void x87_pop(struct x86_cpu *c)
{
    x87_set_tag(c, x87_phys(c, 0), X87_TAG_EMPTY);
    x87_set_top(c, x87_top(&c->fpu) + 1);
}

/* ------------------------------------------------------------------ */
/* Exceptions                                                          */

static void drive_ferr(struct x86_cpu *c, int level)
{
    if (c->fpu.ferr == level)
        return;
    c->fpu.ferr = (uint8_t)level;
    if (c->ferr)
        c->ferr(c->ferr_opaque, level);
}

/* FERR# timing (SDM vol. 3, "Assertion of the FERR# Pin"): the 386 (its
 * 387's ERROR#) and the P6 assert it when the erroring instruction
 * completes; the 486 and the Pentium defer it to the next waiting FP
 * instruction. */
static int ferr_deferred(const struct x86_cpu *c) { return c->model == X86_486 || c->model == X86_PENTIUM; }

void x87_update_es(struct x86_cpu *c)
{
    struct x87_state *f = fpu(c);
    if (f->sw & ~f->cw & SF80_ALL) {
        if (!(f->sw & X87_SW_ES)) {
            f->sw |= X87_SW_ES | X87_SW_B;
            /* FERR# reports errors only in MS-DOS compatibility mode
             * (CR0.NE = 0; the 386 has no NE bit). */
            if (c->model >= X86_486 && (c->cr0 & CR0_NE))
                ;
            else if (ferr_deferred(c))
                f->ferr_due = 1;
            else
                drive_ferr(c, 1);
        }
    } else {
        f->sw &= (uint16_t)~(X87_SW_ES | X87_SW_B);
        f->ferr_due = 0;
        drive_ferr(c, 0);
    }
}

void x87_raise(struct x86_cpu *c, unsigned flags)
{
    c->fpu.sw |= (uint16_t)(flags & SF80_ALL);
    if (flags & ~c->fpu.cw & SF80_ALL)
        x87_update_es(c);
}

static int stack_fault(struct x86_cpu *c, int overflow)
{
    x87_set_cc(c, X87_SW_C1, overflow ? X87_SW_C1 : 0);
    c->fpu.sw |= X87_SW_SF;
    x87_raise(c, SF80_IE);
    return (c->fpu.cw & SF80_IE) != 0;
}

int x87_stack_underflow(struct x86_cpu *c) { return stack_fault(c, 0); }
int x87_stack_overflow(struct x86_cpu *c) { return stack_fault(c, 1); }

int x87_finish(struct x86_cpu *c, const struct sf80_env *e, int to_memory)
{
    unsigned unmasked = e->flags & ~e->masks;
    x87_raise(c, e->flags);
    x87_set_cc(c, X87_SW_C1, e->c1 ? X87_SW_C1 : 0);
    if (unmasked & (SF80_IE | SF80_DE | SF80_ZE))
        return 0;
    return !(to_memory && (unmasked & (SF80_OE | SF80_UE)));
}

/* The pending-error check of waiting instructions (SDM vol. 1, 8.7). */
static void check_pending(struct x86_cpu *c)
{
    if (!(c->fpu.sw & X87_SW_ES))
        return;
    if (c->model >= X86_486 && (c->cr0 & CR0_NE))
        x86_fault(c, X86_EXC_MF, 0, 0);
    /* MS-DOS compatibility: FERR# (IRQ13 on a PC); the instruction then
     * runs, as with IGNNE# asserted. */
    if (c->fpu.ferr_due) {
        c->fpu.ferr_due = 0;
        drive_ferr(c, 1);
    }
}

/* ------------------------------------------------------------------ */
/* Memory operands                                                     */

void x87_check_read(struct x86_cpu *c, const struct x86_insn *i, uint32_t len)
{
    x86_check_range(c, i->seg, ea_offset(c, i), len);
}

void x87_check_write(struct x86_cpu *c, const struct x86_insn *i, uint32_t len)
{
    if (!x86_range_ok(c, i->seg, ea_offset(c, i), len, 1))
        x86_segment_fault(c, i->seg);
}

sf80 x87_read80(struct x86_cpu *c, const struct x86_insn *i, uint32_t k)
{
    uint64_t lo = rd32(c, i->seg, x87_ea(c, i, k));
    uint64_t hi = rd32(c, i->seg, x87_ea(c, i, k + 4));
    sf80 v;
    v.sig = hi << 32 | lo;
    v.se = rd16(c, i->seg, x87_ea(c, i, k + 8));
    return v;
}

void x87_write80(struct x86_cpu *c, const struct x86_insn *i, uint32_t k, sf80 v)
{
    wr32(c, i->seg, x87_ea(c, i, k), (uint32_t)v.sig);
    wr32(c, i->seg, x87_ea(c, i, k + 4), (uint32_t)(v.sig >> 32));
    wr16(c, i->seg, x87_ea(c, i, k + 8), v.se);
}

uint64_t x87_read64(struct x86_cpu *c, const struct x86_insn *i)
{
    uint64_t lo = rd32(c, i->seg, x87_ea(c, i, 0));
    return (uint64_t)rd32(c, i->seg, x87_ea(c, i, 4)) << 32 | lo;
}

void x87_write64(struct x86_cpu *c, const struct x86_insn *i, uint64_t v)
{
    wr32(c, i->seg, x87_ea(c, i, 0), (uint32_t)v);
    wr32(c, i->seg, x87_ea(c, i, 4), (uint32_t)(v >> 32));
}

/* ------------------------------------------------------------------ */
/* Initialization and the control instructions                         */

static void fninit(struct x86_cpu *c)
{
    struct x87_state *f = fpu(c);
    f->cw = 0x037F;
    f->sw = 0;
    f->tw = 0xFFFF;
    f->fop = 0;
    f->fip = f->fdp = 0;
    f->fcs = f->fds = 0;
    x87_update_es(c);
}

void x87_reset(struct x86_cpu *c)
{
    for (int k = 0; k < 8; k++)
        c->fpu.r[k] = sf80_zero(0);
    fninit(c);
}

static int real_or_v86(const struct x86_cpu *c) { return !(c->cr0 & 1u) || (c->eflags & X86_VM); }

/* The last-instruction pointers, recorded by every non-control
 * instruction (SDM vol. 1, 8.1.8 and 8.1.9).  Real and virtual-8086 mode
 * keep linear addresses, protected mode offsets and selectors. */
static void record_pointers(struct x86_cpu *c, const struct x86_insn *i)
{
    struct x87_state *f = fpu(c);
    int real = real_or_v86(c);
    f->fop = (uint16_t)((i->opcode & 7u) << 8 | i->modrm);
    f->fcs = c->seg[X86_CS].sel;
    f->fip = real ? c->seg[X86_CS].base + c->insn_eip : c->insn_eip;
    if (i->is_mem) {
        uint32_t off = ea_offset(c, i);
        f->fds = c->seg[i->seg].sel;
        f->fdp = real ? c->seg[i->seg].base + off : off;
    }
}

static uint16_t full_tag_word(const struct x86_cpu *c)
{
    uint16_t tw = 0;
    for (unsigned p = 0; p < 8; p++) {
        unsigned t = x87_tag(&c->fpu, p) == X87_TAG_EMPTY ? X87_TAG_EMPTY : x87_tag_of(c->fpu.r[p]);
        tw |= (uint16_t)(t << (2 * p));
    }
    return tw;
}

/* The environment image (SDM vol. 1, figures 8-9 to 8-12): 14 bytes with
 * a 16-bit operand size, 28 with 32.  Reserved halves are stored as 1s. */
static uint32_t env_size(const struct x86_insn *i) { return i->o32 ? 28 : 14; }

static void store_env(struct x86_cpu *c, const struct x86_insn *i)
{
    struct x87_state *f = fpu(c);
    uint32_t w[7];
    w[0] = f->cw;
    w[1] = f->sw;
    w[2] = full_tag_word(c);
    if (real_or_v86(c)) {
        w[3] = f->fip & 0xFFFF;
        w[4] = (f->fip >> 16) << 12 | (f->fop & 0x7FFu);
        w[5] = f->fdp & 0xFFFF;
        w[6] = (f->fdp >> 16) << 12;
        if (!i->o32) {
            w[4] &= 0xF7FF;     /* bits 19-16 of the pointers in 15-12 */
            w[6] &= 0xF000;
        }
    } else {
        w[3] = f->fip;
        w[4] = f->fcs | (i->o32 ? (uint32_t)(f->fop & 0x7FFu) << 16 : 0);
        w[5] = f->fdp;
        w[6] = f->fds;
    }
    int n = i->o32 ? 4 : 2;
    uint32_t fill = i->o32 ? 0xFFFF0000u : 0;
    for (int k = 0; k < 7; k++) {
        uint32_t v = w[k];
        if (k < 3 || (k == 6 && !real_or_v86(c)) || (real_or_v86(c) && (k == 3 || k == 5)))
            v = (v & 0xFFFF) | fill;
        if (n == 4)
            wr32(c, i->seg, x87_ea(c, i, (uint32_t)(4 * k)), v);
        else
            wr16(c, i->seg, x87_ea(c, i, (uint32_t)(2 * k)), (uint16_t)v);
    }
}

static void load_env(struct x86_cpu *c, const struct x86_insn *i)
{
    uint32_t w[7];
    for (int k = 0; k < 7; k++)
        w[k] = i->o32 ? rd32(c, i->seg, x87_ea(c, i, (uint32_t)(4 * k)))
                      : rd16(c, i->seg, x87_ea(c, i, (uint32_t)(2 * k)));
    struct x87_state *f = fpu(c);
    f->cw = (uint16_t)((w[0] & X87_CW_WRITABLE) | X87_CW_RESERVED_ONE);
    f->sw = (uint16_t)w[1];
    if (real_or_v86(c)) {
        uint32_t hi_bits = i->o32 ? 0xFFFFu : 0xFu;
        f->fip = (w[3] & 0xFFFF) | ((w[4] >> 12) & hi_bits) << 16;
        f->fop = (uint16_t)(w[4] & 0x7FF);
        f->fdp = (w[5] & 0xFFFF) | ((w[6] >> 12) & hi_bits) << 16;
    } else {
        f->fip = i->o32 ? w[3] : w[3] & 0xFFFF;
        f->fcs = (uint16_t)w[4];
        if (i->o32)
            f->fop = (uint16_t)((w[4] >> 16) & 0x7FF);
        f->fdp = i->o32 ? w[5] : w[5] & 0xFFFF;
        f->fds = (uint16_t)w[6];
    }
    /* Only "empty" is taken from the image; the other tags follow the
     * registers' contents. */
    f->tw = (uint16_t)w[2];
    for (unsigned p = 0; p < 8; p++)
        if (x87_tag(f, p) != X87_TAG_EMPTY)
            x87_set_tag(c, p, x87_tag_of(f->r[p]));
}

static void fnstenv(struct x86_cpu *c, const struct x86_insn *i)
{
    x87_check_write(c, i, env_size(i));
    store_env(c, i);
    c->fpu.cw |= SF80_ALL;      /* FSTENV then masks every exception */
    x87_update_es(c);
}

static void fldenv(struct x86_cpu *c, const struct x86_insn *i)
{
    x87_check_read(c, i, env_size(i));
    load_env(c, i);
    x87_update_es(c);
}

static void fnsave(struct x86_cpu *c, const struct x86_insn *i)
{
    uint32_t base = env_size(i);
    x87_check_write(c, i, base + 80);
    store_env(c, i);
    for (unsigned k = 0; k < 8; k++)
        x87_write80(c, i, base + 10 * k, x87_get(c, k));
    fninit(c);
}

static void frstor(struct x86_cpu *c, const struct x86_insn *i)
{
    uint32_t base = env_size(i);
    x87_check_read(c, i, base + 80);
    sf80 regs[8];
    for (unsigned k = 0; k < 8; k++)
        regs[k] = x87_read80(c, i, base + 10 * k);
    load_env(c, i);
    for (unsigned k = 0; k < 8; k++)
        c->fpu.r[x87_phys(c, k)] = regs[k];
    for (unsigned p = 0; p < 8; p++)
        if (x87_tag(&c->fpu, p) != X87_TAG_EMPTY)
            x87_set_tag(c, p, x87_tag_of(c->fpu.r[p]));
    x87_update_es(c);
}

static void fldcw(struct x86_cpu *c, const struct x86_insn *i)
{
    uint16_t v = rd16(c, i->seg, x87_ea(c, i, 0));
    c->fpu.cw = (uint16_t)((v & X87_CW_WRITABLE) | X87_CW_RESERVED_ONE);
    x87_update_es(c);
}

static void fnclex(struct x86_cpu *c)
{
    c->fpu.sw &= (uint16_t)~(SF80_ALL | X87_SW_SF | X87_SW_ES | X87_SW_B);
    x87_update_es(c);
}

/* ------------------------------------------------------------------ */
/* Decoding                                                            */

/* Non-waiting instructions skip the pending-error check; control
 * instructions leave the last-instruction pointers alone. */
static int is_nowait(unsigned esc, const struct x86_insn *i)
{
    if (i->is_mem)
        return (esc == 1 && (i->reg == 6 || i->reg == 7)) || (esc == 5 && (i->reg == 6 || i->reg == 7));
    return (esc == 3 && i->modrm >= 0xE0 && i->modrm <= 0xE4) || (esc == 7 && i->modrm == 0xE0);
}

static int is_control(unsigned esc, const struct x86_insn *i)
{
    if (i->is_mem)
        return (esc == 1 && i->reg >= 4) || (esc == 5 && (i->reg == 4 || i->reg == 6 || i->reg == 7));
    return is_nowait(esc, i);
}

/* Encodings with no instruction (SDM vol. 2, table; the
 * undocumented aliases D9 D8+i, DC D0+i, DC D8+i, DD C8+i, DE D0+i,
 * DF C0+i, DF C8+i, DF D0+i and DF D8+i are kept, as the 387 and later
 * execute them). */
static int is_undefined(const struct x86_cpu *c, unsigned esc, const struct x86_insn *i)
{
    unsigned m = i->modrm, reg = i->reg;
    int p6 = c->model >= X86_P6;
    if (i->is_mem)
        return (esc == 1 && reg == 1) || (esc == 3 && (reg == 1 || reg == 4 || reg == 6)) ||
               (esc == 5 && (reg == 1 || reg == 5)) || (esc == 7 && reg == 1);
    switch (esc) {
    case 1:
        return (m >= 0xD1 && m <= 0xD7) || m == 0xE2 || m == 0xE3 || m == 0xE6 || m == 0xE7 || m == 0xEF;
    case 2:
        return m < 0xE0 ? !p6 : m != 0xE9;
    case 3:
        return m < 0xE0 ? !p6 : (m >= 0xE5 && m <= 0xE7) || m >= 0xF8 || (m >= 0xE8 && !p6);
    case 5:
        return m >= 0xF0;
    case 6:
        return m >= 0xD8 && m <= 0xDF && m != 0xD9;
    case 7:
        return (m >= 0xE1 && m <= 0xE7) || m >= 0xF8 || (m >= 0xE8 && !p6);
    default:
        return 0;
    }
}

static void exec_mem(struct x86_cpu *c, const struct x86_insn *i, unsigned esc)
{
    static const int load_fmt[8] = { -1, X87_M32, -1, X87_I32, -1, X87_M64, -1, X87_I16 };
    unsigned reg = i->reg;
    if (!(esc & 1)) {
        x87_arith_mem(c, i);
        return;
    }
    switch (esc << 3 | reg) {
    case 010: case 030: case 050: case 070:
        x87_load_mem(c, i, load_fmt[esc]);
        return;
    case 012: x87_store_mem(c, i, X87_M32, 0); return;
    case 013: x87_store_mem(c, i, X87_M32, 1); return;
    case 014: fldenv(c, i); return;
    case 015: fldcw(c, i); return;
    case 016: fnstenv(c, i); return;
    case 017:
        x87_check_write(c, i, 2);
        wr16(c, i->seg, x87_ea(c, i, 0), c->fpu.cw);
        return;
    case 032: x87_store_mem(c, i, X87_I32, 0); return;
    case 033: x87_store_mem(c, i, X87_I32, 1); return;
    case 035: x87_load_mem(c, i, X87_M80); return;
    case 037: x87_store_mem(c, i, X87_M80, 1); return;
    case 052: x87_store_mem(c, i, X87_M64, 0); return;
    case 053: x87_store_mem(c, i, X87_M64, 1); return;
    case 054: frstor(c, i); return;
    case 056: fnsave(c, i); return;
    case 057:
        x87_check_write(c, i, 2);
        wr16(c, i->seg, x87_ea(c, i, 0), c->fpu.sw);
        return;
    case 072: x87_store_mem(c, i, X87_I16, 0); return;
    case 073: x87_store_mem(c, i, X87_I16, 1); return;
    case 074: x87_load_mem(c, i, X87_BCD); return;
    case 075: x87_load_mem(c, i, X87_I64); return;
    case 076: x87_store_mem(c, i, X87_BCD, 1); return;
    case 077: x87_store_mem(c, i, X87_I64, 1); return;
    default: x86_ud(c);
    }
}

static void exec_reg(struct x86_cpu *c, const struct x86_insn *i, unsigned esc)
{
    unsigned m = i->modrm, r = i->rm;
    switch (esc) {
    case 0: case 4: case 6:
        if (i->reg == 2 || i->reg == 3) {
            int pops = esc == 6 ? (m == 0xD9 ? 2 : 1) : i->reg - 2;
            x87_compare(c, x87_get(c, r), !x87_empty(c, r), 0, pops, 0, 0);
        } else {
            x87_arith_reg(c, i);
        }
        return;
    case 1:
        if (m < 0xC8)
            x87_fld_st(c, r);
        else if (m < 0xD0)
            x87_fxch(c, r);
        else if (m == 0xD0)
            ;   /* FNOP */
        else if (m >= 0xD8 && m < 0xE0)
            x87_fst_st(c, r, 1);
        else
            x87_d9_group(c, m);
        return;
    case 2:
        if (m < 0xE0)
            x87_fcmov(c, i);
        else
            x87_compare(c, x87_get(c, 1), !x87_empty(c, 1), 1, 2, 0, 0);     /* FUCOMPP */
        return;
    case 3:
        if (m < 0xE0)
            x87_fcmov(c, i);
        else if (m == 0xE2)
            fnclex(c);
        else if (m == 0xE3)
            fninit(c);
        else if (m >= 0xE8)
            x87_compare(c, x87_get(c, r), !x87_empty(c, r), m < 0xF0, 0, 1, 0);
        return;     /* E0 FENI, E1 FDISI, E4 FSETPM: no-ops on the 387 and later */
    case 5:
        if (m < 0xC8) {
            x87_set_tag(c, x87_phys(c, r), X87_TAG_EMPTY);      /* FFREE */
            x87_set_cc(c, X87_SW_C1, 0);
        } else if (m < 0xD0) {
            x87_fxch(c, r);
        } else if (m < 0xE0) {
            x87_fst_st(c, r, m >= 0xD8);
        } else {
            x87_compare(c, x87_get(c, r), !x87_empty(c, r), 1, m >= 0xE8, 0, 0);
        }
        return;
    default:
        if (m < 0xC8) {
            x87_set_tag(c, x87_phys(c, r), X87_TAG_EMPTY);      /* FFREEP */
            x87_pop(c);
        } else if (m < 0xD0) {
            x87_fxch(c, r);
        } else if (m < 0xE0) {
            x87_fst_st(c, r, 1);
        } else if (m == 0xE0) {
            reg16_set(c, X86_EAX, c->fpu.sw);       /* FNSTSW AX */
        } else {
            x87_compare(c, x87_get(c, r), !x87_empty(c, r), m < 0xF0, 1, 1, 0);
        }
        return;
    }
}

void x87_esc(struct x86_cpu *c, const struct x86_insn *i)
{
    unsigned esc = i->opcode & 7u;
    if (is_undefined(c, esc, i))
        x86_ud(c);
    if (!is_nowait(esc, i))
        check_pending(c);
    if (!is_control(esc, i))
        record_pointers(c, i);
    if (i->is_mem)
        exec_mem(c, i, esc);
    else
        exec_reg(c, i, esc);
}

void x87_wait(struct x86_cpu *c)
{
    check_pending(c);
}
