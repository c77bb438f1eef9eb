/*
 * The x86 interpreter's main loop, reset and pins.
 *
 * The loop has a fast path and a slow path.  The fast path runs decoded
 * traces: for each instruction it sets EIP to the next instruction, calls
 * the handler and charges the cycles, and leaves the trace when the handler
 * changed the flow of control or raised an event.  Everything unusual --
 * interrupts, the interrupt shadow, single-stepping (TF), HLT, tracing,
 * a stop request -- sets `event` and is handled between instructions.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/x86/disasm.h"
#include "cpu/x86/internal.h"

static const char *const model_names[] = { "8086", "286", "386", "486", "pentium", "p6" };

int x86_model_parse(const char *name, enum x86_model *m)
{
    for (int k = 0; k < 6; k++) {
        if (strcmp(name, model_names[k]) == 0) {
            *m = (enum x86_model)k;
            return 0;
        }
    }
    return -1;
}

const char *x86_model_name(enum x86_model m) { return model_names[m]; }

int x86_init(struct x86_cpu *c, enum x86_model model, const struct x86_bus *bus)
{
    memset(c, 0, sizeof(*c));
    c->model = model;
    c->bus = *bus;
    c->addr_mask = model == X86_8086 ? 0xFFFFFu : model == X86_286 ? 0xFFFFFFu : 0xFFFFFFFFu;
    c->tlb = calloc(1, sizeof(*c->tlb));
    if (!c->tlb || x86_code_cache_init(c) != 0) {
        x86_destroy(c);
        return -1;
    }
    tlb_flush(c->tlb, 0);
    c->tlb->cur = c->tlb->e[0];
    snprintf(c->vendor, sizeof(c->vendor), "GenuineIntel");
    x86_reset(c);
    return 0;
}

void x86_destroy(struct x86_cpu *c)
{
    x86_code_cache_destroy(c);
    free(c->tlb);
    c->tlb = NULL;
}

void x86_reset(struct x86_cpu *c)
{
    memset(c->gpr, 0, sizeof(c->gpr));
    c->lf.op = LF_NONE;
    c->eflags = 0x2;
    c->cr0 = c->model >= X86_386 ? 0x60000010u : 0;
    if (c->model == X86_386)
        c->cr0 = 0x10;
    c->cr2 = c->cr3 = c->cr4 = 0;
    c->cpl = 0;
    c->gdtr.base = c->idtr.base = 0;
    c->gdtr.limit = c->idtr.limit = 0xFFFF;
    for (int s = 0; s < X86_NSEG; s++)
        x86_seg_reset(c, s, 0, 0);
    /* The first fetch is at F000:FFF0; from the 286 on, the CS base starts
     * as FFFF0000 (24-bit: FF0000), so it hits the top of the ROM until the
     * first far jump (Intel SDM vol. 3, 9.1.4). */
    x86_seg_reset(c, X86_CS, 0xF000, c->model == X86_8086 ? 0xF0000u : (0xFFFF0000u & c->addr_mask));
    c->eip = 0xFFF0;
    if (c->model >= X86_386)
        c->gpr[X86_EDX] = c->model == X86_386 ? 0x0308u : c->model == X86_486 ? 0x0402u
                                              : c->model == X86_PENTIUM ? 0x0543u : 0x0663u;
    c->halted = 0;
    c->smbase = 0x30000;
    if (c->in_smm && c->bus.smm_changed)
        c->bus.smm_changed(c->bus.opaque, 0);
    c->in_smm = c->smi_pending = 0;
    c->nmi_pending = c->nmi_blocked = 0;
    c->inhibit_irq = 0;
    c->shutdown = 0;
    c->delivering = -1;
    c->event = X86_EV_INTR;
    x87_reset(c);
    x86_flush_caches(c);
}

void x86_flush_caches(struct x86_cpu *c)
{
    if (c->tlb)
        tlb_flush(c->tlb, 0);
    if (c->code)
        x86_code_cache_flush(c);
    c->event |= X86_EV_SMC;
}

void x86_set_intr(struct x86_cpu *c, int level)
{
    c->intr_line = level;
    if (level)
        c->event |= X86_EV_INTR;
}

void x86_nmi(struct x86_cpu *c)
{
    c->nmi_pending = 1;
    c->event |= X86_EV_NMI;
}

void x86_request_stop(struct x86_cpu *c)
{
    c->stop_requested = 1;
    c->event |= X86_EV_STOP;
}

/* ------------------------------------------------------------------ */
/* Tracing                                                             */

static void trace_line(struct x86_cpu *c)
{
    uint8_t bytes[16];
    int code32 = (c->seg[X86_CS].attr & X86_SEG_BIG) != 0;
    for (int k = 0; k < 16; k++) {
        uint32_t off = c->eip + (uint32_t)k;
        if (!code32)
            off &= 0xFFFF;
        int b = x86_peek_lin(c, c->seg[X86_CS].base + off);
        bytes[k] = (uint8_t)(b < 0 ? 0 : b);
    }
    char text[96];
    struct x86_disasm_opts o = { code32, c->model == X86_8086, c->eip };
    int len = x86_disasm(bytes, 16, &o, text, sizeof(text));
    char hex[40] = "";
    for (int k = 0; k < len && k < 10; k++)
        snprintf(hex + 2 * k, sizeof(hex) - 2 * (size_t)k, "%02x", bytes[k]);
    uint32_t f = x86_get_flags(c);
    fprintf(c->trace,
            "%04x:%08x %-20s %-32s EAX=%08x EBX=%08x ECX=%08x EDX=%08x ESI=%08x EDI=%08x EBP=%08x "
            "ESP=%08x FL=%08x\n",
            c->seg[X86_CS].sel, c->eip, hex, text, c->gpr[X86_EAX], c->gpr[X86_EBX], c->gpr[X86_ECX],
            c->gpr[X86_EDX], c->gpr[X86_ESI], c->gpr[X86_EDI], c->gpr[X86_EBP], c->gpr[X86_ESP], f);
}

/* ------------------------------------------------------------------ */
/* Execution                                                           */

static inline void exec_insn(struct x86_cpu *c, const struct x86_insn *i, uint32_t mask)
{
    uint32_t eip = c->eip;
    c->insn_eip = eip;
    c->eip = (eip + i->len) & mask;
    i->exec(c, i);
    charge(c, i->cycles);
    c->insns_retired++;
}

/* Run instructions from the decoded cache until control leaves the trace,
 * an event is raised or the deadline passes. */
static void run_trace(struct x86_cpu *c)
{
    int n;
    c->insn_eip = c->eip;
    const struct x86_insn *i = x86_code_lookup(c, &n);
    const struct x86_insn *end = i + n;
    uint32_t mask = ip_mask(c);
    do {
        uint32_t next = (c->eip + i->len) & mask;
        exec_insn(c, i, mask);
        if (c->eip != next || c->event)
            return;
        i++;
    } while (i < end && c->bus.clock->now < c->deadline);
}

/* One instruction, with the single-step trap when TF was set before it. */
static void run_one(struct x86_cpu *c)
{
    int n;
    int tf = (c->eflags & X86_TF) != 0;
    if (c->trace)
        trace_line(c);
    if (c->observer.insn)
        c->observer.insn(c->observer.opaque, c);
    c->insn_eip = c->eip;
    c->rep_yielded = 0;
    c->ss_shadow = 0;
    const struct x86_insn *i = x86_code_lookup(c, &n);
    exec_insn(c, i, ip_mask(c));
    /* No trap yet for a REP instruction that yielded mid-way, nor after a
     * MOV SS / POP SS, whose shadow holds debug traps off for one more
     * instruction (Intel SDM vol. 3, 6.8.3). */
    if (tf && !c->rep_yielded && !c->ss_shadow)
        x86_interrupt(c, X86_EXC_DB, 0);
}

enum slow_result { SLOW_CONTINUE, SLOW_RAN_ONE, SLOW_HALT, SLOW_STOP, SLOW_SHUTDOWN };

/* Handle whatever raised an event.  Runs at an instruction boundary. */
static enum slow_result service_events(struct x86_cpu *c)
{
    c->event = 0;
    if (c->shutdown)
        return SLOW_SHUTDOWN;
    if (c->stop_requested) {
        c->stop_requested = 0;
        return SLOW_STOP;
    }
    c->insn_eip = c->eip;
    if (c->pending_debug_trap) {
        /* The TSS T bit: #DB before the new task's first instruction, with
         * DR6.BT set (SDM vol. 3, 7.2.1). */
        c->pending_debug_trap = 0;
        c->dr[6] |= 0x8000u;
        x86_interrupt(c, X86_EXC_DB, 0);
    }
    if (c->inhibit_irq) {
        /* The instruction after STI, MOV SS or POP SS runs with interrupts
         * held off (Intel SDM vol. 3, 6.8.3). */
        c->inhibit_irq = 0;
        c->event |= X86_EV_INTR;
        run_one(c);
        return SLOW_RAN_ONE;
    }
    if (c->smi_pending && !c->in_smm && c->model >= X86_486) {
        x86_enter_smm(c);
    } else if (c->nmi_pending && !c->nmi_blocked) {
        c->nmi_pending = 0;
        c->nmi_blocked = 1;
        c->halted = 0;
        x86_interrupt(c, X86_EXC_NMI, 0);
    } else if (c->intr_line && (c->eflags & X86_IF)) {
        c->halted = 0;
        uint8_t vec = c->bus.intr_ack ? c->bus.intr_ack(c->bus.opaque) : 0xFF;
        x86_interrupt(c, vec, 0);
        c->event |= X86_EV_INTR;    /* another may be waiting */
    }
    if (c->halted) {
        c->event |= X86_EV_HALT;
        return SLOW_HALT;
    }
    if ((c->eflags & X86_TF) || c->trace || c->observer.insn) {
        c->event |= X86_EV_TF;
        run_one(c);
        return SLOW_RAN_ONE;
    }
    return SLOW_CONTINUE;
}

enum x86_stop x86_run(struct x86_cpu *c, cycles_t deadline)
{
    c->deadline = deadline;
    if (setjmp(c->fault_jmp) != 0)
        x86_deliver_fault(c);
    while (c->bus.clock->now < c->deadline) {
        if (c->event) {
            switch (service_events(c)) {
            case SLOW_HALT:
                if (c->stop_on_hlt)
                    return X86_STOP_HALT;
                /* Idle until the next device deadline. */
                c->bus.clock->now = c->deadline;
                return X86_STOP_BUDGET;
            case SLOW_STOP: return X86_STOP_REQUEST;
            case SLOW_SHUTDOWN: return X86_STOP_SHUTDOWN;
            case SLOW_RAN_ONE: continue;
            case SLOW_CONTINUE: break;
            }
        }
        run_trace(c);
    }
    return X86_STOP_BUDGET;
}

enum x86_stop x86_step(struct x86_cpu *c)
{
    c->deadline = CLOCK_NEVER;
    if (setjmp(c->fault_jmp) != 0) {
        x86_deliver_fault(c);
        return c->shutdown ? X86_STOP_SHUTDOWN : X86_STOP_BUDGET;
    }
    if (c->event) {
        switch (service_events(c)) {
        case SLOW_HALT: return X86_STOP_HALT;
        case SLOW_STOP: return X86_STOP_REQUEST;
        case SLOW_SHUTDOWN: return X86_STOP_SHUTDOWN;
        case SLOW_RAN_ONE: return X86_STOP_BUDGET;
        case SLOW_CONTINUE: break;
        }
    }
    /* A REP instruction may stop between iterations (an event, or its own
     * write to the code it runs from); a step runs it to its end. */
    do {
        run_one(c);
    } while (c->rep_yielded && !c->halted);
    return c->halted ? X86_STOP_HALT : X86_STOP_BUDGET;
}
