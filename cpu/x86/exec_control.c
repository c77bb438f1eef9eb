/*
 * Control transfer: jumps, calls, returns, loops, software interrupts,
 * IRET and BOUND.
 *
 * Before a handler runs, EIP already points at the next instruction, so a
 * relative target is EIP + displacement.  With a 16-bit operand size the
 * target wraps within 64 KiB.
 */
#include "cpu/x86/ops.h"

static inline void jump_near(struct x86_cpu *c, uint32_t target, int o32)
{
    c->eip = o32 ? target : (target & 0xFFFFu);
}

/* A taken branch costs more: the prefetch queue refills. */
static inline void taken(struct x86_cpu *c, uint32_t extra) { charge(c, extra); }

static uint32_t taken_cost(const struct x86_cpu *c)
{
    static const uint8_t cost[6] = { 12, 6, 6, 2, 0, 0 };  /* Jcc taken minus not taken */
    return cost[c->model];
}

X86_OP(x86_jmp_rel16) { jump_near(c, c->eip + i->imm, 0); }
X86_OP(x86_jmp_rel32) { jump_near(c, c->eip + i->imm, 1); }

X86_OP(x86_jcc16)
{
    if (x86_cond(c, i->opcode & 0xF)) {
        jump_near(c, c->eip + i->imm, 0);
        taken(c, taken_cost(c));
    }
}
X86_OP(x86_jcc32)
{
    if (x86_cond(c, i->opcode & 0xF)) {
        jump_near(c, c->eip + i->imm, 1);
        taken(c, taken_cost(c));
    }
}

X86_OP(x86_jmp_E16) { jump_near(c, rm_read(c, i, 1), 0); }
X86_OP(x86_jmp_E32) { jump_near(c, rm_read(c, i, 2), 1); }

X86_OP(x86_call_rel16)
{
    push(c, c->eip, 2);
    jump_near(c, c->eip + i->imm, 0);
}
X86_OP(x86_call_rel32)
{
    push(c, c->eip, 4);
    jump_near(c, c->eip + i->imm, 1);
}
X86_OP(x86_call_E16)
{
    uint32_t target = rm_read(c, i, 1);
    push(c, c->eip, 2);
    jump_near(c, target, 0);
}
X86_OP(x86_call_E32)
{
    uint32_t target = rm_read(c, i, 2);
    push(c, c->eip, 4);
    jump_near(c, target, 1);
}

/* RET [imm16]: the immediate (0 for the plain form) is released after the
 * return address is popped. */
static void ret_near(struct x86_cpu *c, const struct x86_insn *i, int bytes)
{
    uint32_t sp = sp_get(c);
    uint32_t target = mem_read(c, X86_SS, sp, bytes);
    sp_set(c, sp + (uint32_t)bytes + (i->imm & 0xFFFF));
    jump_near(c, target, bytes == 4);
}
X86_OP(x86_ret16) { ret_near(c, i, 2); }
X86_OP(x86_ret32) { ret_near(c, i, 4); }

/* ------------------------------------------------------------------ */
/* Far transfers                                                       */

void x86_far_jump(struct x86_cpu *c, uint16_t sel, uint32_t off)
{
    x86_seg_load_real(c, X86_CS, sel);
    c->eip = off;
}

static void far_jmp(struct x86_cpu *c, uint16_t sel, uint32_t off, int bytes)
{
    x86_sensitive(c, X86_SENS_FAR);
    if (x86_pm(c))
        x86_far_transfer_pm(c, sel, off, 0, bytes);
    else
        x86_far_jump(c, sel, off);
}

X86_OP(x86_jmp_far) { far_jmp(c, (uint16_t)i->imm2, i->o32 ? i->imm : (i->imm & 0xFFFF), i->o32 ? 4 : 2); }

static void far_pointer(struct x86_cpu *c, const struct x86_insn *i, int bytes, uint16_t *sel, uint32_t *off)
{
    uint32_t ea = ea_offset(c, i);
    *off = mem_read(c, i->seg, ea, bytes);
    uint32_t sel_at = ea + (uint32_t)bytes;
    if (!i->a32)
        sel_at &= 0xFFFF;
    *sel = (uint16_t)mem_read(c, i->seg, sel_at, 2);
}

X86_OP(x86_jmp_farE16)
{
    uint16_t sel;
    uint32_t off;
    far_pointer(c, i, 2, &sel, &off);
    far_jmp(c, sel, off, 2);
}
X86_OP(x86_jmp_farE32)
{
    uint16_t sel;
    uint32_t off;
    far_pointer(c, i, 4, &sel, &off);
    far_jmp(c, sel, off, 4);
}

static void call_far(struct x86_cpu *c, uint16_t sel, uint32_t off, int bytes)
{
    x86_sensitive(c, X86_SENS_FAR);
    if (x86_pm(c)) {
        x86_far_transfer_pm(c, sel, off, 1, bytes);
        return;
    }
    /* Both pushes are checked before CS changes, so a stack fault leaves
     * the old CS:IP in place. */
    uint32_t m = sp_mask(c);
    uint32_t sp = sp_get(c);
    mem_write(c, X86_SS, (sp - (uint32_t)bytes) & m, c->seg[X86_CS].sel, bytes);
    mem_write(c, X86_SS, (sp - 2u * (uint32_t)bytes) & m, c->eip, bytes);
    sp_set(c, sp - 2u * (uint32_t)bytes);
    x86_far_jump(c, sel, off);
}

X86_OP(x86_call_far16) { call_far(c, (uint16_t)i->imm2, i->imm & 0xFFFF, 2); }
X86_OP(x86_call_far32) { call_far(c, (uint16_t)i->imm2, i->imm, 4); }
X86_OP(x86_call_farE16)
{
    uint16_t sel;
    uint32_t off;
    far_pointer(c, i, 2, &sel, &off);
    call_far(c, sel, off, 2);
}
X86_OP(x86_call_farE32)
{
    uint16_t sel;
    uint32_t off;
    far_pointer(c, i, 4, &sel, &off);
    call_far(c, sel, off, 4);
}

static void ret_far(struct x86_cpu *c, const struct x86_insn *i, int bytes)
{
    x86_sensitive(c, X86_SENS_FAR);
    if (x86_pm(c)) {
        x86_far_return_pm(c, bytes, i->imm & 0xFFFF);
        return;
    }
    uint32_t sp = sp_get(c);
    uint32_t m = sp_mask(c);
    uint32_t off = mem_read(c, X86_SS, sp, bytes);
    uint16_t sel = (uint16_t)mem_read(c, X86_SS, (sp + (uint32_t)bytes) & m, 2);
    sp_set(c, sp + 2u * (uint32_t)bytes + (i->imm & 0xFFFF));
    x86_far_jump(c, sel, bytes == 4 ? off : (off & 0xFFFF));
}
X86_OP(x86_retf16) { ret_far(c, i, 2); }
X86_OP(x86_retf32) { ret_far(c, i, 4); }

/* ------------------------------------------------------------------ */
/* Loops                                                               */

static inline uint32_t count_dec(struct x86_cpu *c, const struct x86_insn *i)
{
    if (i->a32)
        return --c->gpr[X86_ECX];
    uint16_t cx = (uint16_t)(reg16_get(c, X86_ECX) - 1);
    reg16_set(c, X86_ECX, cx);
    return cx;
}

static void loop_jump(struct x86_cpu *c, const struct x86_insn *i, int cond)
{
    if (cond) {
        jump_near(c, c->eip + i->imm, i->o32);
        taken(c, taken_cost(c));
    }
}

X86_OP(x86_loop) { loop_jump(c, i, count_dec(c, i) != 0); }
X86_OP(x86_loope)
{
    uint32_t n = count_dec(c, i);
    loop_jump(c, i, n != 0 && x86_zf(c));
}
X86_OP(x86_loopne)
{
    uint32_t n = count_dec(c, i);
    loop_jump(c, i, n != 0 && !x86_zf(c));
}
X86_OP(x86_jcxz)
{
    uint32_t cx = i->a32 ? c->gpr[X86_ECX] : reg16_get(c, X86_ECX);
    loop_jump(c, i, cx == 0);
}

/* ------------------------------------------------------------------ */
/* Interrupts                                                          */

/* In virtual-8086 mode INT n is IOPL-sensitive (SDM vol. 3, 20.3.1). */
static void v86_int_check(struct x86_cpu *c)
{
    if ((c->eflags & X86_VM) && ((c->eflags & X86_IOPL) >> 12) < 3)
        x86_gp(c, 0);
}

X86_OP(x86_int)
{
    x86_sensitive(c, X86_SENS_FAR);
    v86_int_check(c);
    x86_interrupt(c, (int)(i->imm & 0xFF), 1);
}
X86_OP(x86_int3) { (void)i; x86_interrupt(c, X86_EXC_BP, 1); }
/* INT1 / ICEBP (F1): a debug exception delivered like a hardware one. */
X86_OP(x86_int1) { (void)i; x86_interrupt(c, X86_EXC_DB, 0); }
X86_OP(x86_into)
{
    (void)i;
    if (x86_of(c))
        x86_interrupt(c, X86_EXC_OF, 1);
}

void x86_iret_real(struct x86_cpu *c, int bytes)
{
    uint32_t sp = sp_get(c), m = sp_mask(c);
    uint32_t off = mem_read(c, X86_SS, sp, bytes);
    uint16_t sel = (uint16_t)mem_read(c, X86_SS, (sp + (uint32_t)bytes) & m, 2);
    uint32_t fl = mem_read(c, X86_SS, (sp + 2u * (uint32_t)bytes) & m, bytes);
    sp_set(c, sp + 3u * (uint32_t)bytes);
    x86_far_jump(c, sel, bytes == 4 ? off : (off & 0xFFFF));
    uint32_t mask = X86_ARITH_FLAGS | X86_TF | X86_IF | X86_DF;
    if (c->model >= X86_386 && !(c->eflags & X86_VM))
        mask |= X86_IOPL | X86_NT;
    if (bytes == 4) {
        if (c->model >= X86_486)
            mask |= X86_AC;
        if (c->model >= X86_PENTIUM)
            mask |= X86_ID;
    }
    flags_materialize(c);
    c->eflags = (c->eflags & ~mask) | (fl & mask);
    c->nmi_blocked = 0;
    c->event |= X86_EV_TF | X86_EV_INTR;
}
static void iret(struct x86_cpu *c, int bytes)
{
    x86_sensitive(c, X86_SENS_FLAGS);
    if (c->cr0 & X86_CR0_PE)
        x86_iret_pm(c, bytes);
    else
        x86_iret_real(c, bytes);
}
X86_OP(x86_iret16) { (void)i; iret(c, 2); }
X86_OP(x86_iret32) { (void)i; iret(c, 4); }

/* BOUND: #BR (vector 5, a fault) when the index is outside [lower, upper]. */
X86_OP(x86_bound16)
{
    uint32_t ea = ea_offset(c, i);
    int16_t lo = (int16_t)mem_read(c, i->seg, ea, 2);
    int16_t hi = (int16_t)mem_read(c, i->seg, (ea + 2) & (i->a32 ? 0xFFFFFFFFu : 0xFFFFu), 2);
    int16_t v = (int16_t)reg16_get(c, i->reg);
    if (v < lo || v > hi)
        x86_fault(c, X86_EXC_BR, 0, 0);
}
X86_OP(x86_bound32)
{
    uint32_t ea = ea_offset(c, i);
    int32_t lo = (int32_t)mem_read(c, i->seg, ea, 4);
    int32_t hi = (int32_t)mem_read(c, i->seg, ea + 4, 4);
    int32_t v = (int32_t)c->gpr[i->reg];
    if (v < lo || v > hi)
        x86_fault(c, X86_EXC_BR, 0, 0);
}
