/*
 * Data movement: MOV in its forms, XCHG, LEA, far-pointer loads, the stack
 * (PUSH/POP, PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE), flag transfers,
 * zero/sign extension, SETcc/CMOVcc, and the 486 exchange instructions.
 */
#include "cpu/x86/ops.h"

#define SIZES(name) { name##_0, name##_1, name##_2 }

#define MOV_FORMS(sz)                                                                   \
    static X86_OP(mov_EG_r_##sz) { reg_set(c, sz, i->rm, reg_get(c, sz, i->reg)); }      \
    static X86_OP(mov_EG_m_##sz) { mem_write(c, i->seg, ea_offset(c, i), reg_get(c, sz, i->reg), 1 << sz); } \
    static X86_OP(mov_GE_r_##sz) { reg_set(c, sz, i->reg, reg_get(c, sz, i->rm)); }      \
    static X86_OP(mov_GE_m_##sz) { reg_set(c, sz, i->reg, mem_read(c, i->seg, ea_offset(c, i), 1 << sz)); } \
    static X86_OP(mov_EI_r_##sz) { reg_set(c, sz, i->rm, i->imm); }                     \
    static X86_OP(mov_EI_m_##sz) { mem_write(c, i->seg, ea_offset(c, i), i->imm, 1 << sz); } \
    static X86_OP(mov_regI_##sz) { reg_set(c, sz, i->reg, i->imm); }                     \
    static X86_OP(mov_A_moffs_##sz) { reg_set(c, sz, X86_EAX, mem_read(c, i->seg, i->disp, 1 << sz)); } \
    static X86_OP(mov_moffs_A_##sz) { mem_write(c, i->seg, i->disp, reg_get(c, sz, X86_EAX), 1 << sz); } \
    static X86_OP(xchg_EG_r_##sz)                                                        \
    {                                                                                   \
        uint32_t a = reg_get(c, sz, i->rm);                                             \
        reg_set(c, sz, i->rm, reg_get(c, sz, i->reg));                                  \
        reg_set(c, sz, i->reg, a);                                                      \
    }                                                                                   \
    static X86_OP(xchg_EG_m_##sz)                                                        \
    {                                                                                   \
        uint32_t off = ea_offset(c, i);                                                 \
        uint32_t a = mem_read(c, i->seg, off, 1 << sz);                                 \
        mem_write(c, i->seg, off, reg_get(c, sz, i->reg), 1 << sz);                     \
        reg_set(c, sz, i->reg, a);                                                      \
    }
MOV_FORMS(0)
MOV_FORMS(1)
MOV_FORMS(2)
const x86_exec_fn x86_mov_EG_r[3] = SIZES(mov_EG_r), x86_mov_EG_m[3] = SIZES(mov_EG_m);
const x86_exec_fn x86_mov_GE_r[3] = SIZES(mov_GE_r), x86_mov_GE_m[3] = SIZES(mov_GE_m);
const x86_exec_fn x86_mov_EI_r[3] = SIZES(mov_EI_r), x86_mov_EI_m[3] = SIZES(mov_EI_m);
const x86_exec_fn x86_mov_regI[3] = SIZES(mov_regI);
const x86_exec_fn x86_mov_A_moffs[3] = SIZES(mov_A_moffs), x86_mov_moffs_A[3] = SIZES(mov_moffs_A);
const x86_exec_fn x86_xchg_EG_r[3] = SIZES(xchg_EG_r), x86_xchg_EG_m[3] = SIZES(xchg_EG_m);

X86_OP(x86_xchg_AX16)
{
    uint16_t a = reg16_get(c, X86_EAX);
    reg16_set(c, X86_EAX, reg16_get(c, i->reg));
    reg16_set(c, i->reg, a);
}
X86_OP(x86_xchg_AX32)
{
    uint32_t a = c->gpr[X86_EAX];
    c->gpr[X86_EAX] = c->gpr[i->reg];
    c->gpr[i->reg] = a;
}

/* MOV r/m, Sreg: a 32-bit register destination gets the selector
 * zero-extended on the P6 and later; earlier CPUs leave the upper half
 * (Intel SDM vol. 2, MOV); memory destinations are always 16 bits. */
X86_OP(x86_mov_E_sreg)
{
    uint16_t sel = c->seg[i->reg & (x86_is_286_or_less(c) ? 3 : 7)].sel;
    if (i->is_mem)
        mem_write(c, i->seg, ea_offset(c, i), sel, 2);
    else if (i->o32 && c->model >= X86_P6)
        c->gpr[i->rm] = sel;
    else
        reg16_set(c, i->rm, sel);
}

X86_OP(x86_mov_sreg_E)
{
    uint16_t sel = (uint16_t)rm_read(c, i, 1);
    x86_seg_load(c, i->reg, sel);
}

X86_OP(x86_lea16) { reg16_set(c, i->reg, (uint16_t)ea_offset(c, i)); }
X86_OP(x86_lea32) { c->gpr[i->reg] = ea_offset(c, i); }

/* LES/LDS/LSS/LFS/LGS: offset then selector from memory.  The segment
 * load happens first so a fault leaves the register untouched. */
static void load_far(struct x86_cpu *c, const struct x86_insn *i, int bytes)
{
    uint32_t off = ea_offset(c, i);
    uint32_t v = mem_read(c, i->seg, off, bytes);
    uint32_t sel_off = off + (uint32_t)bytes;
    if (!i->a32)
        sel_off &= 0xFFFF;
    uint16_t sel = (uint16_t)mem_read(c, i->seg, sel_off, 2);
    x86_seg_load(c, (int)i->imm2, sel);
    reg_set(c, bytes == 4 ? 2 : 1, i->reg, v);
}
X86_OP(x86_load_far16) { load_far(c, i, 2); }
X86_OP(x86_load_far32) { load_far(c, i, 4); }

/* ------------------------------------------------------------------ */
/* Stack                                                               */

X86_OP(x86_push_reg16) { push(c, reg16_get(c, i->reg), 2); }
X86_OP(x86_push_reg32) { push(c, c->gpr[i->reg], 4); }
/* The 8086 pushes SP after decrementing it (the 286 and later push the old
 * value; Intel SDM vol. 2, PUSH "IA-32 Architecture Compatibility"). */
X86_OP(x86_push_sp_8086)
{
    (void)i;
    uint32_t sp = (sp_get(c) - 2) & sp_mask(c);
    mem_write(c, X86_SS, sp, sp, 2);
    sp_set(c, sp);
}
X86_OP(x86_pop_reg16)
{
    uint16_t v = (uint16_t)pop(c, 2);
    reg16_set(c, i->reg, v);
}
X86_OP(x86_pop_reg32)
{
    uint32_t v = pop(c, 4);
    c->gpr[i->reg] = v;
}
X86_OP(x86_push_I16) { push(c, i->imm, 2); }
X86_OP(x86_push_I32) { push(c, i->imm, 4); }

/* PUSH r/m computes the address before ESP moves; POP r/m computes it after
 * ESP has been incremented (Intel SDM vol. 2, POP). */
X86_OP(x86_push_E16) { push(c, rm_read(c, i, 1), 2); }
X86_OP(x86_push_E32) { push(c, rm_read(c, i, 2), 4); }
static void pop_E(struct x86_cpu *c, const struct x86_insn *i, int bytes)
{
    uint32_t sp = sp_get(c);
    uint32_t v = mem_read(c, X86_SS, sp, bytes);
    uint32_t old = c->gpr[X86_ESP];
    sp_set(c, sp + (uint32_t)bytes);
    if (!i->is_mem) {
        reg_set(c, bytes == 4 ? 2 : 1, i->rm, v);
        return;
    }
    /* The address uses the incremented ESP; if the store faults, ESP must
     * still hold its value from before the POP. */
    uint32_t off = ea_offset(c, i);
    uint32_t updated = c->gpr[X86_ESP];
    c->gpr[X86_ESP] = old;
    mem_write(c, i->seg, off, v, bytes);
    c->gpr[X86_ESP] = updated;
}
X86_OP(x86_pop_E16) { pop_E(c, i, 2); }
X86_OP(x86_pop_E32) { pop_E(c, i, 4); }

X86_OP(x86_push_sreg16) { push(c, c->seg[i->reg].sel, 2); }
/* A 32-bit push of a segment register writes only the low 16 bits on most
 * processors and moves ESP by 4. */
X86_OP(x86_push_sreg32)
{
    uint32_t sp = (sp_get(c) - 4) & sp_mask(c);
    mem_write(c, X86_SS, sp, c->seg[i->reg].sel, 2);
    sp_set(c, sp);
}
X86_OP(x86_pop_sreg16)
{
    uint32_t sp = sp_get(c);
    uint16_t sel = (uint16_t)mem_read(c, X86_SS, sp, 2);
    x86_seg_load(c, i->reg, sel);
    sp_set(c, sp + 2);
}
X86_OP(x86_pop_sreg32)
{
    uint32_t sp = sp_get(c);
    uint16_t sel = (uint16_t)mem_read(c, X86_SS, sp, 4);
    x86_seg_load(c, i->reg, sel);
    sp_set(c, sp + 4);
}

/* PUSHA pushes the SP value from before the first push. */
static void pusha(struct x86_cpu *c, int bytes)
{
    uint32_t sp = sp_get(c), m = sp_mask(c);
    uint32_t orig = c->gpr[X86_ESP];
    for (int r = 0; r < 8; r++) {
        sp = (sp - (uint32_t)bytes) & m;
        mem_write(c, X86_SS, sp, r == X86_ESP ? orig : c->gpr[r], bytes);
    }
    sp_set(c, sp);
}
X86_OP(x86_pusha16) { (void)i; pusha(c, 2); }
X86_OP(x86_pusha32) { (void)i; pusha(c, 4); }

/* POPA skips the stored SP. */
static void popa(struct x86_cpu *c, int bytes)
{
    uint32_t sp = sp_get(c), m = sp_mask(c);
    uint32_t vals[8];
    for (int r = 7; r >= 0; r--) {
        vals[r] = mem_read(c, X86_SS, sp, bytes);
        sp = (sp + (uint32_t)bytes) & m;
    }
    for (int r = 0; r < 8; r++)
        if (r != X86_ESP)
            reg_set(c, bytes == 4 ? 2 : 1, r, vals[r]);
    sp_set(c, sp);
}
X86_OP(x86_popa16) { (void)i; popa(c, 2); }
X86_OP(x86_popa32) { (void)i; popa(c, 4); }

/* PUSHF/POPF fault in virtual-8086 mode unless IOPL is 3. */
static void v86_flags_check(struct x86_cpu *c)
{
    x86_sensitive(c, X86_SENS_FLAGS);
    if ((c->eflags & X86_VM) && ((c->eflags & X86_IOPL) >> 12) < 3)
        x86_gp(c, 0);
}

X86_OP(x86_pushf16)
{
    (void)i;
    v86_flags_check(c);
    push(c, x86_get_flags(c) & 0xFFFF, 2);
}
/* PUSHFD clears VM and RF in the pushed image (Intel SDM vol. 2, PUSHF). */
X86_OP(x86_pushf32)
{
    (void)i;
    v86_flags_check(c);
    push(c, x86_get_flags(c) & 0x00FCFFFFu, 4);
}

/* Which EFLAGS bits POPF may change, by model and privilege. */
static uint32_t popf_mask(const struct x86_cpu *c)
{
    uint32_t m = X86_ARITH_FLAGS | X86_TF | X86_DF | X86_IF;
    if (c->model == X86_8086)
        return m;
    if (c->eflags & X86_VM) {
        /* V86 with IOPL 3: IOPL itself stays (SDM vol. 2, POPF). */
        m |= X86_NT;
    } else if (c->cr0 & 1u) {
        m |= X86_NT;
        if (c->cpl == 0)
            m |= X86_IOPL;
        else if (c->cpl > (int)((c->eflags & X86_IOPL) >> 12))
            m &= ~X86_IF;
    } else if (c->model >= X86_386) {
        m |= X86_NT | X86_IOPL;
    }
    if (c->model >= X86_486)
        m |= X86_AC;
    if (c->model >= X86_PENTIUM)
        m |= X86_ID;
    return m;
}

static void set_flags_masked(struct x86_cpu *c, uint32_t v, uint32_t mask)
{
    flags_materialize(c);
    c->eflags = (c->eflags & ~mask) | (v & mask);
    c->event |= X86_EV_TF | X86_EV_INTR;
}

X86_OP(x86_popf16)
{
    (void)i;
    v86_flags_check(c);
    uint32_t v = pop(c, 2);
    set_flags_masked(c, v, popf_mask(c) & 0xFFFF);
}
X86_OP(x86_popf32)
{
    (void)i;
    v86_flags_check(c);
    uint32_t v = pop(c, 4);
    set_flags_masked(c, v, popf_mask(c));
}

/* SAHF loads SF ZF AF PF CF from AH; LAHF stores them with bit 1 set. */
X86_OP(x86_sahf)
{
    (void)i;
    flags_set_bits(c, X86_SF | X86_ZF | X86_AF | X86_PF | X86_CF, reg8_get(c, 4));
}
X86_OP(x86_lahf)
{
    (void)i;
    uint32_t f = x86_get_flags(c);
    reg8_set(c, 4, (uint8_t)((f & (X86_SF | X86_ZF | X86_AF | X86_PF | X86_CF)) | 0x02));
}

X86_OP(x86_xlat)
{
    uint32_t off = c->gpr[X86_EBX] + reg8_get(c, 0);
    if (!i->a32)
        off &= 0xFFFF;
    reg8_set(c, 0, rd8(c, i->seg, off));
}

/* ------------------------------------------------------------------ */
/* 386 and later                                                       */

X86_OP(x86_movzx_b16) { reg16_set(c, i->reg, (uint16_t)rm_read(c, i, 0)); }
X86_OP(x86_movzx_b32) { c->gpr[i->reg] = rm_read(c, i, 0); }
X86_OP(x86_movzx_w32) { c->gpr[i->reg] = rm_read(c, i, 1); }
X86_OP(x86_movsx_b16) { reg16_set(c, i->reg, (uint16_t)(int16_t)(int8_t)rm_read(c, i, 0)); }
X86_OP(x86_movsx_b32) { c->gpr[i->reg] = (uint32_t)(int32_t)(int8_t)rm_read(c, i, 0); }
X86_OP(x86_movsx_w32) { c->gpr[i->reg] = (uint32_t)(int32_t)(int16_t)rm_read(c, i, 1); }

X86_OP(x86_setcc) { rm_write(c, i, 0, (uint32_t)x86_cond(c, i->opcode & 0xF)); }

/* CMOVcc reads its source even when the condition is false (a fault is
 * raised either way); a false 32-bit CMOV leaves the register as it was. */
X86_OP(x86_cmov16)
{
    uint32_t v = rm_read(c, i, 1);
    if (x86_cond(c, i->opcode & 0xF))
        reg16_set(c, i->reg, (uint16_t)v);
}
X86_OP(x86_cmov32)
{
    uint32_t v = rm_read(c, i, 2);
    if (x86_cond(c, i->opcode & 0xF))
        c->gpr[i->reg] = v;
}

X86_OP(x86_bswap)
{
    uint32_t v = c->gpr[i->reg];
    if (!i->o32) {
        /* BSWAP with a 16-bit operand is undefined; real processors clear
         * the low word. */
        c->gpr[i->reg] = v & 0xFFFF0000u;
        return;
    }
    c->gpr[i->reg] = (v >> 24) | ((v >> 8) & 0xFF00u) | ((v << 8) & 0xFF0000u) | (v << 24);
}

static void xadd(struct x86_cpu *c, const struct x86_insn *i, int sz)
{
    uint32_t m = size_mask(sz);
    uint32_t off = i->is_mem ? ea_offset(c, i) : 0;
    uint32_t dst = i->is_mem ? mem_read(c, i->seg, off, 1 << sz) : reg_get(c, sz, i->rm);
    uint32_t src = reg_get(c, sz, i->reg);
    uint32_t r = (dst + src) & m;
    if (i->is_mem)
        mem_write(c, i->seg, off, r, 1 << sz);
    reg_set(c, sz, i->reg, dst);
    if (!i->is_mem)
        reg_set(c, sz, i->rm, r);
    lf_set(c, LF_ADD8 + sz, r, dst, src);
}

/* CMPXCHG compares the accumulator with the destination; the processor
 * always writes the destination (the old value when unequal). */
static void cmpxchg(struct x86_cpu *c, const struct x86_insn *i, int sz)
{
    uint32_t m = size_mask(sz);
    uint32_t off = i->is_mem ? ea_offset(c, i) : 0;
    uint32_t dst = i->is_mem ? mem_read(c, i->seg, off, 1 << sz) : reg_get(c, sz, i->rm);
    uint32_t acc = reg_get(c, sz, X86_EAX);
    lf_set(c, LF_SUB8 + sz, (acc - dst) & m, acc, dst);
    uint32_t nv = acc == dst ? reg_get(c, sz, i->reg) : dst;
    if (i->is_mem)
        mem_write(c, i->seg, off, nv, 1 << sz);
    else
        reg_set(c, sz, i->rm, nv);
    if (acc != dst)
        reg_set(c, sz, X86_EAX, dst);
}
#define XCHG486(sz)                                             \
    static X86_OP(xadd_##sz) { xadd(c, i, sz); }                \
    static X86_OP(cmpxchg_##sz) { cmpxchg(c, i, sz); }
XCHG486(0)
XCHG486(1)
XCHG486(2)
const x86_exec_fn x86_xadd[3] = SIZES(xadd), x86_cmpxchg[3] = SIZES(cmpxchg);

X86_OP(x86_cmpxchg8b)
{
    if (!i->is_mem)
        x86_ud(c);
    uint32_t off = ea_offset(c, i);
    uint32_t lo = mem_read(c, i->seg, off, 4);
    uint32_t hi = mem_read(c, i->seg, off + 4, 4);
    if (lo == c->gpr[X86_EAX] && hi == c->gpr[X86_EDX]) {
        mem_write(c, i->seg, off, c->gpr[X86_EBX], 4);
        mem_write(c, i->seg, off + 4, c->gpr[X86_ECX], 4);
        flags_set_bits(c, X86_ZF, X86_ZF);
    } else {
        mem_write(c, i->seg, off, lo, 4);
        mem_write(c, i->seg, off + 4, hi, 4);
        c->gpr[X86_EAX] = lo;
        c->gpr[X86_EDX] = hi;
        flags_set_bits(c, X86_ZF, 0);
    }
}

/* ------------------------------------------------------------------ */
/* ENTER / LEAVE                                                       */

static void enter(struct x86_cpu *c, const struct x86_insn *i, int bytes)
{
    uint32_t size = i->imm & 0xFFFF;
    unsigned level = i->imm2 & 0x1F;
    uint32_t m = sp_mask(c);
    uint32_t sp = sp_get(c);
    uint32_t bp = stack32(c) ? c->gpr[X86_EBP] : (c->gpr[X86_EBP] & 0xFFFF);
    sp = (sp - (uint32_t)bytes) & m;
    mem_write(c, X86_SS, sp, c->gpr[X86_EBP], bytes);
    uint32_t frame = sp;
    if (level > 0) {
        for (unsigned l = 1; l < level; l++) {
            bp = (bp - (uint32_t)bytes) & m;
            uint32_t v = mem_read(c, X86_SS, bp, bytes);
            sp = (sp - (uint32_t)bytes) & m;
            mem_write(c, X86_SS, sp, v, bytes);
        }
        sp = (sp - (uint32_t)bytes) & m;
        mem_write(c, X86_SS, sp, frame, bytes);
        charge(c, 4 * level);
    }
    sp = (sp - size) & m;
    /* Touch the new stack top so a stack fault is raised before any state
     * changes, as the 286 and later check the final SP. */
    if (!x86_is_8086(c) && size)
        mem_read(c, X86_SS, sp, 1);
    reg_set(c, bytes == 4 ? 2 : 1, X86_EBP, frame);
    sp_set(c, sp);
}
X86_OP(x86_enter16) { enter(c, i, 2); }
X86_OP(x86_enter32) { enter(c, i, 4); }

static void leave(struct x86_cpu *c, int bytes)
{
    uint32_t bp = stack32(c) ? c->gpr[X86_EBP] : (c->gpr[X86_EBP] & 0xFFFF);
    uint32_t v = mem_read(c, X86_SS, bp, bytes);
    sp_set(c, bp + (uint32_t)bytes);
    reg_set(c, bytes == 4 ? 2 : 1, X86_EBP, v);
}
X86_OP(x86_leave16) { (void)i; leave(c, 2); }
X86_OP(x86_leave32) { (void)i; leave(c, 4); }
