/*
 * Exceptions and interrupts.
 *
 * A fault (x86_fault) unwinds the interpreter with longjmp to the run
 * loop, which rolls EIP back to the faulting instruction (or leaves it past
 * it, for the 8086's divide error) and delivers the exception.  Handlers
 * commit architectural state only after their last possible fault, so the
 * instruction can simply be restarted -- exceptions are precise.
 *
 * In real mode, delivery pushes FLAGS, CS and IP and loads CS:IP from the
 * interrupt vector table at IDTR.base + 4 * vector (the 8086's table is
 * fixed at 0; the 286 and later move it with LIDT).
 */
#include "cpu/x86/internal.h"

NORETURN void x86_fault(struct x86_cpu *c, int vec, uint32_t error, int has_error)
{
    c->fault_vector = vec;
    c->fault_error = error;
    c->fault_has_error = has_error;
    longjmp(c->fault_jmp, 1);
}

static void report(struct x86_cpu *c, int vec, int has_error, uint32_t error, int is_interrupt)
{
    if (UNLIKELY(c->observer.exception != NULL))
        c->observer.exception(c->observer.opaque, vec, has_error, error, is_interrupt);
}

static void interrupt_real(struct x86_cpu *c, int vec)
{
    uint32_t entry = (uint32_t)vec * 4;
    /* The 286 and later check the vector against the IDT limit. */
    if (c->model >= X86_286 && entry + 3 > c->idtr.limit)
        x86_fault(c, X86_EXC_GP, (uint32_t)vec * 8 + 2, 1);
    uint32_t flags = x86_get_flags(c);
    uint32_t m = sp_mask(c);
    uint32_t sp = sp_get(c);
    uint32_t sp1 = (sp - 2) & m, sp2 = (sp - 4) & m, sp3 = (sp - 6) & m;
    mem_write(c, X86_SS, sp1, flags & 0xFFFF, 2);
    mem_write(c, X86_SS, sp2, c->seg[X86_CS].sel, 2);
    mem_write(c, X86_SS, sp3, c->eip & 0xFFFF, 2);
    uint16_t ip = (uint16_t)x86_read_lin(c, c->idtr.base + entry, 2);
    uint16_t cs = (uint16_t)x86_read_lin(c, c->idtr.base + entry + 2, 2);
    sp_set(c, sp3);
    flags_materialize(c);
    c->eflags &= ~(X86_IF | X86_TF | X86_AC);
    x86_seg_load_real(c, X86_CS, cs);
    c->eip = ip;
}

void x86_interrupt(struct x86_cpu *c, int vec, int is_software)
{
    report(c, vec, 0, 0, !is_software);
    if (c->cr0 & X86_CR0_PE)
        x86_interrupt_pm(c, vec, is_software, 0, 0);
    else
        interrupt_real(c, vec);
}

/* Exception classes for double faults (Intel SDM vol. 3, 6.15, table 6-5). */
static int contributory(int vec)
{
    return vec == X86_EXC_DE || (vec >= X86_EXC_TS && vec <= X86_EXC_GP);
}

static int makes_double_fault(int first, int second)
{
    if (contributory(first))
        return contributory(second);
    if (first == X86_EXC_PF)
        return second == X86_EXC_PF || contributory(second);
    return 0;
}

/* Deliver the fault recorded by x86_fault.  Called by the run loop after
 * the longjmp.  A fault while delivering another becomes a double fault
 * when table 6-5 says so (otherwise the second is delivered and the first
 * forgotten, as the processor does); a fault while delivering a double
 * fault shuts the processor down. */
void x86_deliver_fault(struct x86_cpu *c)
{
    int vec = c->fault_vector;
    if (!c->fault_is_trap)
        c->eip = c->insn_eip;
    c->fault_is_trap = 0;
    report(c, vec, c->fault_has_error, c->fault_error, 0);
    int has_error = c->fault_has_error;
    uint32_t error = c->fault_error;
    int first = c->delivering;
    if (first >= 0) {
        if (first == X86_EXC_DF) {
            c->delivering = -1;
            c->shutdown = 1;
            c->event |= X86_EV_STOP;
            return;
        }
        if (makes_double_fault(first, vec)) {
            vec = X86_EXC_DF;
            has_error = 1;
            error = 0;
        }
    }
    c->delivering = vec;
    if (c->cr0 & X86_CR0_PE)
        x86_interrupt_pm(c, vec, 0, has_error, error);
    else
        interrupt_real(c, vec);
    c->delivering = -1;
}
