/*
 * Protected-mode control transfers: far JMP/CALL (direct, through call
 * gates, to tasks), far RET, IRET, and interrupt/exception delivery
 * through the IDT, including the stack switch to an inner privilege level
 * and the entry to and exit from virtual-8086 mode.
 *
 * The pseudo-code of the Intel SDM vol. 2 (CALL, JMP, RET, IRET, INT n) is
 * the reference; every check below raises the fault those pages name.
 * State is committed only after the last check, so faults stay precise.
 */
#include "cpu/x86/descriptor.h"

/* A stack being built or read before it becomes SS:ESP. */
struct frame {
    struct x86_seg ss;
    uint32_t esp;
    int user;           /* accessed with CPL 3 rights */
    uint16_t fault_sel; /* #SS error code */
};

static uint32_t frame_mask(const struct frame *f) { return (f->ss.attr & X86_SEG_BIG) ? 0xFFFFFFFFu : 0xFFFFu; }

static void frame_push(struct x86_cpu *c, struct frame *f, uint32_t v, int bytes)
{
    uint32_t esp = (f->esp - (uint32_t)bytes) & frame_mask(f);
    if (!x86_seg_offset_ok(&f->ss, esp, (uint32_t)bytes))
        x86_fault(c, X86_EXC_SS, f->fault_sel, 1);
    x86_write_lin_priv(c, f->ss.base + esp, v, bytes, f->user);
    f->esp = esp;
}

static uint32_t frame_pop(struct x86_cpu *c, struct frame *f, int bytes)
{
    uint32_t esp = f->esp & frame_mask(f);
    if (!x86_seg_offset_ok(&f->ss, esp, (uint32_t)bytes))
        x86_fault(c, X86_EXC_SS, f->fault_sel, 1);
    uint32_t v = x86_read_lin_priv(c, f->ss.base + esp, bytes, f->user);
    f->esp = (esp + (uint32_t)bytes) & frame_mask(f);
    return v;
}

static void frame_current(const struct x86_cpu *c, struct frame *f)
{
    f->ss = c->seg[X86_SS];
    f->esp = c->gpr[X86_ESP];
    f->user = c->cpl == 3;
    f->fault_sel = 0;
}

/* Make a frame SS:ESP, keeping the upper half of ESP for 16-bit stacks. */
static void frame_commit_esp(struct x86_cpu *c, const struct frame *f)
{
    uint32_t m = frame_mask(f);
    c->gpr[X86_ESP] = (c->gpr[X86_ESP] & ~m) | (f->esp & m);
}

/* The inner-level stack for privilege `dpl` from the current TSS. */
static void tss_stack(struct x86_cpu *c, int dpl, uint16_t *ss, uint32_t *esp)
{
    int is32 = ((c->tr.attr & 0xF) & 8) != 0;
    uint32_t off = is32 ? 4u + 8u * (uint32_t)dpl : 2u + 4u * (uint32_t)dpl;
    uint32_t size = is32 ? 8 : 4;
    if (off + size - 1 > c->tr.limit)
        x86_fault(c, X86_EXC_TS, c->tr.sel & 0xFFFC, 1);
    if (is32) {
        *esp = x86_read_sys(c, c->tr.base + off, 4);
        *ss = (uint16_t)x86_read_sys(c, c->tr.base + off + 4, 2);
    } else {
        *esp = x86_read_sys(c, c->tr.base + off, 2);
        *ss = (uint16_t)x86_read_sys(c, c->tr.base + off + 2, 2);
    }
}

/* Check and describe the new stack for a switch to privilege `dpl`
 * (#TS with the SS selector on a bad one, #SS if not present). */
static void inner_stack(struct x86_cpu *c, int dpl, struct frame *f, struct x86_desc *ssd, uint16_t *sssel)
{
    uint16_t ss;
    uint32_t esp;
    tss_stack(c, dpl, &ss, &esp);
    if ((ss & 0xFFFC) == 0)
        x86_fault(c, X86_EXC_TS, 0, 1);
    if (x86_desc_fetch(c, ss, ssd) != 0 || (ss & 3) != dpl || desc_dpl(ssd) != dpl || !desc_writable(ssd))
        x86_fault(c, X86_EXC_TS, ss & 0xFFFC, 1);
    if (!desc_present(ssd))
        x86_fault(c, X86_EXC_SS, ss & 0xFFFC, 1);
    desc_to_cache(ssd, ss, &f->ss);
    f->esp = esp;
    f->user = dpl == 3;
    f->fault_sel = ss & 0xFFFC;
    *sssel = ss;
}

static void check_code_target(struct x86_cpu *c, const struct x86_desc *d, uint16_t sel, uint32_t off)
{
    if (!desc_present(d))
        x86_fault(c, X86_EXC_NP, sel & 0xFFFC, 1);
    if (off > desc_limit(d))
        x86_gp(c, 0);
}

/* ------------------------------------------------------------------ */
/* Far JMP and CALL                                                    */

static void call_gate(struct x86_cpu *c, const struct x86_desc *gate, int is_call, int bytes)
{
    int gate32 = desc_type(gate) == SYS_CALL32;
    uint16_t sel = gate_selector(gate);
    uint32_t off = gate_offset(gate, gate32);
    struct x86_desc d;
    if ((sel & 0xFFFC) == 0)
        x86_gp(c, 0);
    if (x86_desc_fetch(c, sel, &d) != 0 || !desc_is_code(&d) || desc_dpl(&d) > c->cpl)
        x86_gp(c, sel & 0xFFFC);
    if (!is_call && !desc_conforming(&d) && desc_dpl(&d) != c->cpl)
        x86_gp(c, sel & 0xFFFC);
    check_code_target(c, &d, sel, off);
    (void)bytes;

    int gbytes = gate32 ? 4 : 2;
    if (is_call && !desc_conforming(&d) && desc_dpl(&d) < c->cpl) {
        /* Call to an inner level: new stack from the TSS, then the old
         * SS:ESP, the parameters and the return address on it. */
        int dpl = desc_dpl(&d);
        struct frame nf, old;
        struct x86_desc ssd;
        uint16_t sssel;
        frame_current(c, &old);
        inner_stack(c, dpl, &nf, &ssd, &sssel);
        int n = gate_params(gate);
        uint32_t params[32];
        for (int k = 0; k < n; k++)
            params[k] = x86_read_lin_priv(c, old.ss.base + ((old.esp + (uint32_t)(k * gbytes)) & frame_mask(&old)),
                                          gbytes, old.user);
        frame_push(c, &nf, c->seg[X86_SS].sel, gbytes);
        frame_push(c, &nf, c->gpr[X86_ESP], gbytes);
        for (int k = n - 1; k >= 0; k--)
            frame_push(c, &nf, params[k], gbytes);
        frame_push(c, &nf, c->seg[X86_CS].sel, gbytes);
        frame_push(c, &nf, c->eip, gbytes);
        x86_desc_set_accessed(c, sssel, &ssd);
        x86_load_cs(c, sel, &d, dpl);
        x86_seg_from_desc(c, X86_SS, sssel, &ssd);
        frame_commit_esp(c, &nf);
        c->eip = off;
        return;
    }
    if (is_call) {
        struct frame f;
        frame_current(c, &f);
        frame_push(c, &f, c->seg[X86_CS].sel, gbytes);
        frame_push(c, &f, c->eip, gbytes);
        frame_commit_esp(c, &f);
    }
    x86_load_cs(c, sel, &d, c->cpl);
    c->eip = off;
}

void x86_far_transfer_pm(struct x86_cpu *c, uint16_t sel, uint32_t off, int is_call, int bytes)
{
    struct x86_desc d;
    if ((sel & 0xFFFC) == 0)
        x86_gp(c, 0);
    if (x86_desc_fetch(c, sel, &d) != 0)
        x86_gp(c, sel & 0xFFFC);
    int rpl = sel & 3;
    if (desc_is_code(&d)) {
        if (desc_conforming(&d) ? desc_dpl(&d) > c->cpl : (rpl > c->cpl || desc_dpl(&d) != c->cpl))
            x86_gp(c, sel & 0xFFFC);
        check_code_target(c, &d, sel, off);
        if (is_call) {
            struct frame f;
            frame_current(c, &f);
            frame_push(c, &f, c->seg[X86_CS].sel, bytes);
            frame_push(c, &f, c->eip, bytes);
            frame_commit_esp(c, &f);
        }
        x86_desc_set_accessed(c, sel, &d);
        x86_load_cs(c, sel, &d, c->cpl);
        c->eip = off;
        return;
    }
    if (!desc_is_system(&d))
        x86_gp(c, sel & 0xFFFC);
    int dpl = desc_dpl(&d);
    switch (desc_type(&d)) {
    case SYS_CALL16:
    case SYS_CALL32:
        if (dpl < c->cpl || dpl < rpl)
            x86_gp(c, sel & 0xFFFC);
        if (!desc_present(&d))
            x86_fault(c, X86_EXC_NP, sel & 0xFFFC, 1);
        call_gate(c, &d, is_call, bytes);
        return;
    case SYS_TASK: {
        if (dpl < c->cpl || dpl < rpl)
            x86_gp(c, sel & 0xFFFC);
        if (!desc_present(&d))
            x86_fault(c, X86_EXC_NP, sel & 0xFFFC, 1);
        uint16_t tss = gate_selector(&d);
        struct x86_desc td;
        if ((tss & 4) || x86_desc_fetch(c, tss, &td) != 0)
            x86_gp(c, tss & 0xFFFC);
        x86_task_switch(c, tss, &td, is_call ? X86_TS_CALL : X86_TS_JMP);
        return;
    }
    case SYS_TSS16_AVAIL:
    case SYS_TSS32_AVAIL:
        if (dpl < c->cpl || dpl < rpl)
            x86_gp(c, sel & 0xFFFC);
        x86_task_switch(c, sel, &d, is_call ? X86_TS_CALL : X86_TS_JMP);
        return;
    default:
        x86_gp(c, sel & 0xFFFC);
    }
}

/* ------------------------------------------------------------------ */
/* Far RET                                                             */

/* The code segment a far RET or IRET returns to: the checks of the SDM's
 * RET/IRET pseudo-code (never to an inner level; conforming segments by
 * DPL <= RPL, others DPL == RPL). */
static void check_return_cs(struct x86_cpu *c, uint16_t sel, uint32_t off, struct x86_desc *d)
{
    int rpl = sel & 3;
    if ((sel & 0xFFFC) == 0)
        x86_gp(c, 0);
    if (x86_desc_fetch(c, sel, d) != 0 || !desc_is_code(d) || rpl < c->cpl)
        x86_gp(c, sel & 0xFFFC);
    if (desc_conforming(d) ? desc_dpl(d) > rpl : desc_dpl(d) != rpl)
        x86_gp(c, sel & 0xFFFC);
    check_code_target(c, d, sel, off);
}

/* The rest of a return to an outer privilege level: pop and check the
 * outer SS:ESP, load CS and SS, and null the data segments the outer
 * level may not use. */
static void return_to_outer(struct x86_cpu *c, struct frame *f, int bytes, uint16_t sel,
                            const struct x86_desc *d, uint32_t release)
{
    int rpl = sel & 3;
    uint32_t new_esp = frame_pop(c, f, bytes);
    uint16_t ss = (uint16_t)frame_pop(c, f, bytes);
    struct x86_desc ssd;
    if ((ss & 0xFFFC) == 0)
        x86_gp(c, 0);
    if (x86_desc_fetch(c, ss, &ssd) != 0 || (ss & 3) != rpl || !desc_writable(&ssd) || desc_dpl(&ssd) != rpl)
        x86_gp(c, ss & 0xFFFC);
    if (!desc_present(&ssd))
        x86_fault(c, X86_EXC_SS, ss & 0xFFFC, 1);
    x86_load_cs(c, sel, d, rpl);
    x86_desc_set_accessed(c, ss, &ssd);
    x86_seg_from_desc(c, X86_SS, ss, &ssd);
    struct frame nf = { c->seg[X86_SS], new_esp + release, 0, 0 };
    frame_commit_esp(c, &nf);
    x86_seg_validate_outer(c);
}


void x86_far_return_pm(struct x86_cpu *c, int bytes, uint32_t release)
{
    struct frame f;
    frame_current(c, &f);
    uint32_t off = frame_pop(c, &f, bytes);
    uint16_t sel = (uint16_t)frame_pop(c, &f, bytes);
    struct x86_desc d;
    check_return_cs(c, sel, off, &d);
    f.esp += release;
    if ((sel & 3) == c->cpl) {
        x86_load_cs(c, sel, &d, c->cpl);
        frame_commit_esp(c, &f);
    } else {
        /* Return to an outer level: its SS:ESP follows the parameters. */
        return_to_outer(c, &f, bytes, sel, &d, release);
    }
    c->eip = off;
}

/* ------------------------------------------------------------------ */
/* IRET                                                                */

static void set_eflags_iret(struct x86_cpu *c, uint32_t fl, int bytes, int old_cpl)
{
    uint32_t mask = X86_ARITH_FLAGS | X86_TF | X86_DF | X86_NT;
    if (bytes == 4)
        mask |= X86_RF | (c->model >= X86_486 ? X86_AC : 0) | (c->model >= X86_PENTIUM ? X86_ID : 0);
    if (old_cpl == 0)
        mask |= X86_IOPL;
    if (old_cpl <= (int)((c->eflags & X86_IOPL) >> 12))
        mask |= X86_IF;
    flags_materialize(c);
    c->eflags = (c->eflags & ~mask) | (fl & mask);
    c->event |= X86_EV_TF | X86_EV_INTR;
}

static void iret_to_v86(struct x86_cpu *c, struct frame *f, uint32_t eip, uint16_t cs, uint32_t fl)
{
    uint32_t esp = frame_pop(c, f, 4);
    uint16_t ss = (uint16_t)frame_pop(c, f, 4);
    uint16_t es = (uint16_t)frame_pop(c, f, 4);
    uint16_t ds = (uint16_t)frame_pop(c, f, 4);
    uint16_t fs = (uint16_t)frame_pop(c, f, 4);
    uint16_t gs = (uint16_t)frame_pop(c, f, 4);
    flags_materialize(c);
    c->eflags = (fl & 0x003F7FD5u) | 2u;    /* VM set; reserved bits as the SDM's IRET */
    x86_set_cpl(c, 3);
    x86_seg_load_real(c, X86_CS, cs);
    x86_seg_load_real(c, X86_SS, ss);
    x86_seg_load_real(c, X86_ES, es);
    x86_seg_load_real(c, X86_DS, ds);
    x86_seg_load_real(c, X86_FS, fs);
    x86_seg_load_real(c, X86_GS, gs);
    c->gpr[X86_ESP] = esp;
    c->eip = eip & 0xFFFF;
    c->event |= X86_EV_TF | X86_EV_INTR | X86_EV_MODE;
}

void x86_iret_pm(struct x86_cpu *c, int bytes)
{
    if (x86_v86(c)) {
        /* IRET in virtual-8086 mode is IOPL-sensitive (SDM vol. 3, 20.2.7). */
        if (((c->eflags & X86_IOPL) >> 12) < 3)
            x86_gp(c, 0);
        x86_iret_real(c, bytes);
        return;
    }
    if (c->eflags & X86_NT) {
        /* Return from a nested task: back link in the current TSS. */
        uint16_t link = (uint16_t)x86_read_sys(c, c->tr.base, 2);
        struct x86_desc td;
        if ((link & 4) || x86_desc_fetch(c, link, &td) != 0)
            x86_fault(c, X86_EXC_TS, link & 0xFFFC, 1);
        x86_task_switch(c, link, &td, X86_TS_IRET);
        return;
    }
    struct frame f;
    frame_current(c, &f);
    uint32_t eip = frame_pop(c, &f, bytes);
    uint16_t sel = (uint16_t)frame_pop(c, &f, bytes);
    uint32_t fl = frame_pop(c, &f, bytes);
    if (bytes == 4 && (fl & X86_VM) && c->cpl == 0) {
        iret_to_v86(c, &f, eip, sel, fl);
        return;
    }
    struct x86_desc d;
    check_return_cs(c, sel, eip, &d);
    int old_cpl = c->cpl;
    if ((sel & 3) == c->cpl) {
        x86_load_cs(c, sel, &d, c->cpl);
        frame_commit_esp(c, &f);
    } else {
        return_to_outer(c, &f, bytes, sel, &d, 0);
    }
    c->eip = eip;
    set_eflags_iret(c, fl, bytes, old_cpl);
    c->nmi_blocked = 0;
}

/* ------------------------------------------------------------------ */
/* Interrupts and exceptions through the IDT                          */

void x86_interrupt_pm(struct x86_cpu *c, int vec, int is_software, int has_error, uint32_t error)
{
    uint32_t ext = is_software ? 0 : 1;
    uint32_t idt_err = (uint32_t)vec * 8 + 2 + ext;
    if ((uint32_t)vec * 8 + 7 > c->idtr.limit)
        x86_fault(c, X86_EXC_GP, idt_err, 1);
    struct x86_desc gate;
    gate.lo = x86_read_sys(c, c->idtr.base + (uint32_t)vec * 8, 4);
    gate.hi = x86_read_sys(c, c->idtr.base + (uint32_t)vec * 8 + 4, 4);
    int type = desc_type(&gate);
    if (!desc_is_system(&gate) ||
        !(type == SYS_TASK || type == SYS_INT16 || type == SYS_TRAP16 || type == SYS_INT32 || type == SYS_TRAP32))
        x86_fault(c, X86_EXC_GP, idt_err, 1);
    if (is_software && desc_dpl(&gate) < c->cpl)
        x86_fault(c, X86_EXC_GP, idt_err, 1);
    if (!desc_present(&gate))
        x86_fault(c, X86_EXC_NP, idt_err, 1);

    if (type == SYS_TASK) {
        uint16_t tss = gate_selector(&gate);
        struct x86_desc td;
        if ((tss & 4) || x86_desc_fetch(c, tss, &td) != 0)
            x86_fault(c, X86_EXC_TS, tss & 0xFFFC, 1);
        x86_task_switch(c, tss, &td, X86_TS_CALL);
        if (has_error) {
            int b = (c->tr.attr & 8) ? 4 : 2;
            push(c, error, b);
        }
        return;
    }

    int gate32 = type == SYS_INT32 || type == SYS_TRAP32;
    int bytes = gate32 ? 4 : 2;
    uint16_t sel = gate_selector(&gate);
    uint32_t off = gate_offset(&gate, gate32);
    struct x86_desc d;
    if ((sel & 0xFFFC) == 0)
        x86_fault(c, X86_EXC_GP, ext, 1);
    if (x86_desc_fetch(c, sel, &d) != 0 || !desc_is_code(&d) || desc_dpl(&d) > c->cpl)
        x86_fault(c, X86_EXC_GP, (sel & 0xFFFC) + ext, 1);
    if (!desc_present(&d))
        x86_fault(c, X86_EXC_NP, (sel & 0xFFFC) + ext, 1);
    if (off > desc_limit(&d))
        x86_gp(c, 0);

    uint32_t fl = x86_get_flags(c);
    int from_v86 = x86_v86(c);
    if (!desc_conforming(&d) && desc_dpl(&d) < c->cpl) {
        int dpl = desc_dpl(&d);
        if (from_v86 && dpl != 0)
            x86_fault(c, X86_EXC_GP, (sel & 0xFFFC) + ext, 1);
        struct frame nf;
        struct x86_desc ssd;
        uint16_t sssel;
        inner_stack(c, dpl, &nf, &ssd, &sssel);
        if (from_v86) {
            frame_push(c, &nf, c->seg[X86_GS].sel, bytes);
            frame_push(c, &nf, c->seg[X86_FS].sel, bytes);
            frame_push(c, &nf, c->seg[X86_DS].sel, bytes);
            frame_push(c, &nf, c->seg[X86_ES].sel, bytes);
        }
        frame_push(c, &nf, c->seg[X86_SS].sel, bytes);
        frame_push(c, &nf, c->gpr[X86_ESP], bytes);
        frame_push(c, &nf, fl, bytes);
        frame_push(c, &nf, c->seg[X86_CS].sel, bytes);
        frame_push(c, &nf, c->eip, bytes);
        if (has_error)
            frame_push(c, &nf, error, bytes);
        flags_materialize(c);
        c->eflags &= ~(X86_VM | X86_TF | X86_NT | X86_RF);
        if (type == SYS_INT16 || type == SYS_INT32)
            c->eflags &= ~X86_IF;
        x86_load_cs(c, sel, &d, dpl);
        x86_desc_set_accessed(c, sssel, &ssd);
        x86_seg_from_desc(c, X86_SS, sssel, &ssd);
        frame_commit_esp(c, &nf);
        if (from_v86) {
            x86_seg_null(c, X86_ES, 0);
            x86_seg_null(c, X86_DS, 0);
            x86_seg_null(c, X86_FS, 0);
            x86_seg_null(c, X86_GS, 0);
        }
    } else {
        if (from_v86)
            x86_fault(c, X86_EXC_GP, (sel & 0xFFFC) + ext, 1);
        struct frame f;
        frame_current(c, &f);
        frame_push(c, &f, fl, bytes);
        frame_push(c, &f, c->seg[X86_CS].sel, bytes);
        frame_push(c, &f, c->eip, bytes);
        if (has_error)
            frame_push(c, &f, error, bytes);
        flags_materialize(c);
        c->eflags &= ~(X86_TF | X86_NT | X86_RF | X86_VM);
        if (type == SYS_INT16 || type == SYS_INT32)
            c->eflags &= ~X86_IF;
        x86_load_cs(c, sel, &d, c->cpl);
        frame_commit_esp(c, &f);
    }
    c->eip = off;
    c->event |= X86_EV_MODE;
}
