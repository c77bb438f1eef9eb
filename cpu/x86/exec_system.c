/*
 * Port I/O, HLT, flag instructions, processor identification and the
 * system-register instructions usable in real mode.
 *
 * These are the sensitive instructions in Popek and Goldberg's sense: each
 * reaches the machine through x86_sensitive(), the single place a teaching
 * tool can watch (and later trap) them.
 */
#include "cpu/x86/ops.h"

/* Privileged instructions need CPL 0 in protected mode (and fault in
 * virtual-8086 mode, where CPL is 3). */
static void require_cpl0(struct x86_cpu *c)
{
    if ((c->cr0 & X86_CR0_PE) && (c->cpl != 0 || (c->eflags & X86_VM)))
        x86_gp(c, 0);
}

/* CLI/STI (and PUSHF/POPF in V86) are IOPL-sensitive (SDM vol. 2, CLI). */
void x86_iopl_check(struct x86_cpu *c)
{
    if (!(c->cr0 & X86_CR0_PE))
        return;
    int iopl = (int)((c->eflags & X86_IOPL) >> 12);
    if ((c->eflags & X86_VM) ? iopl < 3 : c->cpl > iopl)
        x86_gp(c, 0);
}


/* May the program touch ports [port, port+size)?  In protected mode with
 * CPL > IOPL, and always in virtual-8086 mode, the TSS I/O permission
 * bitmap decides: every bit for the ports must be clear (SDM vol. 1, 18.5). */
void x86_io_check(struct x86_cpu *c, uint16_t port, int size)
{
    if (!(c->cr0 & X86_CR0_PE))
        return;
    int iopl = (int)((c->eflags & X86_IOPL) >> 12);
    if (!(c->eflags & X86_VM) && c->cpl <= iopl)
        return;
    /* Only a 32-bit TSS has a bitmap. */
    if (!((c->tr.attr & 0xF) == 9 || (c->tr.attr & 0xF) == 11) || c->tr.limit < 0x67)
        x86_gp(c, 0);
    uint32_t map = x86_read_sys(c, c->tr.base + 0x66, 2);
    uint32_t byte = map + port / 8u;
    if (byte + 1 > c->tr.limit)
        x86_gp(c, 0);
    uint32_t bits = x86_read_sys(c, c->tr.base + byte, 2);
    uint32_t mask = ((1u << size) - 1) << (port & 7);
    if (bits & mask)
        x86_gp(c, 0);
}

X86_OP(x86_in_I)
{
    x86_sensitive(c, X86_SENS_IO);
    x86_io_check(c, (uint16_t)(i->imm & 0xFF), (i->opcode & 1) ? (i->o32 ? 4 : 2) : 1);
    int sz = (i->opcode & 1) ? (i->o32 ? 4 : 2) : 1;
    uint32_t v = io_in(c, (uint16_t)(i->imm & 0xFF), sz);
    reg_set(c, sz == 1 ? 0 : sz == 2 ? 1 : 2, X86_EAX, v);
}
X86_OP(x86_in_DX)
{
    x86_sensitive(c, X86_SENS_IO);
    int sz = (i->opcode & 1) ? (i->o32 ? 4 : 2) : 1;
    x86_io_check(c, reg16_get(c, X86_EDX), sz);
    uint32_t v = io_in(c, reg16_get(c, X86_EDX), sz);
    reg_set(c, sz == 1 ? 0 : sz == 2 ? 1 : 2, X86_EAX, v);
}
X86_OP(x86_out_I)
{
    x86_sensitive(c, X86_SENS_IO);
    int sz = (i->opcode & 1) ? (i->o32 ? 4 : 2) : 1;
    x86_io_check(c, (uint16_t)(i->imm & 0xFF), sz);
    io_out(c, (uint16_t)(i->imm & 0xFF), reg_get(c, sz == 1 ? 0 : sz == 2 ? 1 : 2, X86_EAX), sz);
    c->event |= X86_EV_INTR;    /* the write may have raised an interrupt line */
}
X86_OP(x86_out_DX)
{
    x86_sensitive(c, X86_SENS_IO);
    int sz = (i->opcode & 1) ? (i->o32 ? 4 : 2) : 1;
    x86_io_check(c, reg16_get(c, X86_EDX), sz);
    io_out(c, reg16_get(c, X86_EDX), reg_get(c, sz == 1 ? 0 : sz == 2 ? 1 : 2, X86_EAX), sz);
    c->event |= X86_EV_INTR;
}

X86_OP(x86_hlt)
{
    (void)i;
    x86_sensitive(c, X86_SENS_HLT);
    require_cpl0(c);
    c->halted = 1;
    c->event |= X86_EV_HALT;
}

X86_OP(x86_nop) { (void)c; (void)i; }

/* WAIT: with no coprocessor attached, BUSY# is inactive and WAIT falls
 * through; with CR0.MP and TS set it raises #NM (Intel SDM vol. 3, 2.5). */
X86_OP(x86_wait)
{
    (void)i;
    if (c->model >= X86_286 && (c->cr0 & 0xAu) == 0xAu)
        x86_fault(c, X86_EXC_NM, 0, 0);
    if (c->model >= X86_386)
        x87_wait(c);    /* the FPU's pending-error check */
}

/* ESC (D8-DF) with no coprocessor: the 8086 still performs the memory read
 * the 8087 would have watched; the 286 and later raise #NM when CR0.EM or
 * CR0.TS is set, and otherwise ignore the instruction. */
/* Bytes of the memory operand of an x87 instruction (Intel SDM vol. 1,
 * 8.1.10 and the instruction pages), for the limit check. */
static uint32_t esc_operand_bytes(const struct x86_insn *i)
{
    unsigned esc = i->opcode & 7, r = i->reg;
    uint32_t env = i->o32 ? 28 : 14, state = i->o32 ? 108 : 94;
    switch (esc) {
    case 0: case 2: return 4;
    case 1: return r == 4 || r == 6 ? env : (r == 5 || r == 7) ? 2 : 4;
    case 3: return r == 5 || r == 7 ? 10 : 4;
    case 4: return 8;
    case 5: return r == 4 || r == 6 ? state : r == 7 ? 2 : 8;
    case 6: return 2;
    default: return r == 4 || r == 6 ? 10 : (r == 5 || r == 7) ? 8 : 2;
    }
}

X86_OP(x86_esc)
{
    if (c->model >= X86_286 && (c->cr0 & 0xCu))
        x86_fault(c, X86_EXC_NM, 0, 0);
    if (c->model >= X86_386) {
        x87_esc(c, i);  /* the 386 (with its 387) and later have an FPU */
        return;
    }
    if (!i->is_mem)
        return;
    if (x86_is_8086(c))
        (void)rd8(c, i->seg, ea_offset(c, i));
    else
        x86_check_range(c, i->seg, ea_offset(c, i), esc_operand_bytes(i));
}

X86_OP(x86_clc) { (void)i; flags_set_bits(c, X86_CF, 0); }
X86_OP(x86_stc) { (void)i; flags_set_bits(c, X86_CF, X86_CF); }
X86_OP(x86_cmc) { (void)i; flags_set_bits(c, X86_CF, x86_cf(c) ? 0 : X86_CF); }
X86_OP(x86_cld) { (void)i; c->eflags &= ~X86_DF; }
X86_OP(x86_std) { (void)i; c->eflags |= X86_DF; }

X86_OP(x86_cli)
{
    (void)i;
    x86_sensitive(c, X86_SENS_IF);
    x86_iopl_check(c);
    c->eflags &= ~X86_IF;
}

/* STI enables interrupts only after the next instruction (Intel SDM vol. 2,
 * STI): the interrupt shadow. */
X86_OP(x86_sti)
{
    (void)i;
    x86_sensitive(c, X86_SENS_IF);
    x86_iopl_check(c);
    if (!(c->eflags & X86_IF)) {
        c->eflags |= X86_IF;
        c->inhibit_irq = 1;
        c->event |= X86_EV_SHADOW | X86_EV_INTR;
    }
}

X86_OP(x86_invalid) { (void)i; x86_ud(c); }
X86_OP(x86_fault_gp0) { (void)i; x86_gp(c, 0); }

/* ------------------------------------------------------------------ */
/* Descriptor-table registers and the machine status word              */

static void table_load(struct x86_cpu *c, const struct x86_insn *i, uint32_t *base, uint16_t *limit)
{
    if (!i->is_mem)
        x86_ud(c);
    uint32_t ea = ea_offset(c, i);
    uint16_t lim = (uint16_t)mem_read(c, i->seg, ea, 2);
    uint32_t b = mem_read(c, i->seg, (ea + 2) & (i->a32 ? 0xFFFFFFFFu : 0xFFFFu), 4);
    /* With a 16-bit operand only 24 bits of the base are loaded. */
    *base = i->o32 ? b : (b & 0xFFFFFFu);
    *limit = lim;
}

static void table_store(struct x86_cpu *c, const struct x86_insn *i, uint32_t base, uint16_t limit)
{
    if (!i->is_mem)
        x86_ud(c);
    uint32_t ea = ea_offset(c, i);
    /* The 286 stores 0xFF in the unused top byte; the 386 and later store
     * it with a 16-bit operand as 0 on later models (Intel SDM SGDT). */
    if (!i->o32)
        base = (base & 0xFFFFFFu) | (c->model == X86_286 ? 0xFF000000u : 0);
    mem_write(c, i->seg, ea, limit, 2);
    mem_write(c, i->seg, (ea + 2) & (i->a32 ? 0xFFFFFFFFu : 0xFFFFu), base, 4);
}

X86_OP(x86_lgdt)
{
    x86_sensitive(c, X86_SENS_DESC);
    require_cpl0(c);
    table_load(c, i, &c->gdtr.base, &c->gdtr.limit);
}
X86_OP(x86_lidt)
{
    x86_sensitive(c, X86_SENS_DESC);
    require_cpl0(c);
    table_load(c, i, &c->idtr.base, &c->idtr.limit);
}
X86_OP(x86_sgdt)
{
    x86_sensitive(c, X86_SENS_DESC);
    table_store(c, i, c->gdtr.base, c->gdtr.limit);
}
X86_OP(x86_sidt)
{
    x86_sensitive(c, X86_SENS_DESC);
    table_store(c, i, c->idtr.base, c->idtr.limit);
}

/* SMSW: the low word of CR0 (the 286 reads the reserved bits as 1). */
X86_OP(x86_smsw)
{
    x86_sensitive(c, X86_SENS_CR);
    uint32_t msw = c->cr0 & 0xFFFF;
    if (c->model == X86_286)
        msw |= 0xFFF0;
    if (!i->is_mem && i->o32)
        c->gpr[i->rm] = c->cr0;
    else
        rm_write(c, i, 1, msw);
}

/* LMSW loads PE MP EM TS; it can set PE but never clear it. */
X86_OP(x86_lmsw)
{
    x86_sensitive(c, X86_SENS_CR);
    require_cpl0(c);
    uint32_t v = rm_read(c, i, 1) & 0xF;
    c->cr0 = (c->cr0 & ~0xEu) | (v & 0xE) | (c->cr0 & 1u) | (v & 1u);
    c->event |= X86_EV_MODE;
}

X86_OP(x86_clts)
{
    (void)i;
    x86_sensitive(c, X86_SENS_CR);
    require_cpl0(c);
    c->cr0 &= ~0x8u;
}
