/*
 * Hardware task switching (Intel SDM vol. 3, chapter 7): JMP, CALL, INT
 * and IRET through a TSS or task gate.  The processor saves the running
 * task's registers into its TSS, marks busy bits, links nested tasks
 * through the back link and NT, and loads the new task's registers --
 * including CR3 and the LDT -- from its TSS.  Linux uses it for its
 * double-fault handler.
 *
 * TSS layouts (offsets):
 *   32-bit: 0 link, 4 ESP0, 8 SS0, ..., 1C CR3, 20 EIP, 24 EFLAGS,
 *           28..44 EAX ECX EDX EBX ESP EBP ESI EDI, 48..5C ES CS SS DS FS GS,
 *           60 LDT, 64 T bit, 66 I/O map base.   Minimum limit 67h.
 *   16-bit: 0 link, 2 SP0, 4 SS0, ..., E IP, 10 FLAGS, 12..20 AX..DI,
 *           22..28 ES CS SS DS, 2A LDT.           Minimum limit 2Bh.
 */
#include "cpu/x86/descriptor.h"

static int tss_is32(int type) { return type == SYS_TSS32_AVAIL || type == SYS_TSS32_BUSY; }

static void set_busy(struct x86_cpu *c, uint16_t sel, int busy)
{
    uint32_t addr = c->gdtr.base + (sel & 0xFFF8u) + 5;
    uint8_t access = (uint8_t)x86_read_sys(c, addr, 1);
    access = busy ? (uint8_t)(access | 2u) : (uint8_t)(access & ~2u);
    x86_write_sys(c, addr, access, 1);
}

static void save_state(struct x86_cpu *c, uint32_t base, int is32, uint32_t eflags)
{
    if (is32) {
        x86_write_sys(c, base + 0x20, c->eip, 4);
        x86_write_sys(c, base + 0x24, eflags, 4);
        for (int r = 0; r < 8; r++)
            x86_write_sys(c, base + 0x28 + 4u * (uint32_t)r, c->gpr[r], 4);
        for (int s = 0; s < 6; s++)
            x86_write_sys(c, base + 0x48 + 4u * (uint32_t)s, c->seg[s].sel, 2);
    } else {
        x86_write_sys(c, base + 0x0E, c->eip, 2);
        x86_write_sys(c, base + 0x10, eflags, 2);
        for (int r = 0; r < 8; r++)
            x86_write_sys(c, base + 0x12 + 2u * (uint32_t)r, c->gpr[r], 2);
        for (int s = 0; s < 4; s++)
            x86_write_sys(c, base + 0x22 + 2u * (uint32_t)s, c->seg[s].sel, 2);
    }
}

/* Load a segment register of the new task; faults are #TS (SDM 7.3 step 13). */
static void load_task_seg(struct x86_cpu *c, int seg, uint16_t sel)
{
    if (x86_v86(c)) {
        x86_seg_load_real(c, seg, sel);
        return;
    }
    struct x86_desc d;
    if ((sel & 0xFFFC) == 0) {
        if (seg == X86_CS || seg == X86_SS)
            x86_fault(c, X86_EXC_TS, sel & 0xFFFC, 1);
        x86_seg_null(c, seg, sel);
        return;
    }
    if (x86_desc_fetch(c, sel, &d) != 0)
        x86_fault(c, X86_EXC_TS, sel & 0xFFFC, 1);
    int rpl = sel & 3;
    if (seg == X86_CS) {
        if (!desc_is_code(&d) || (desc_conforming(&d) ? desc_dpl(&d) > rpl : desc_dpl(&d) != rpl))
            x86_fault(c, X86_EXC_TS, sel & 0xFFFC, 1);
        if (!desc_present(&d))
            x86_fault(c, X86_EXC_NP, sel & 0xFFFC, 1);
        x86_load_cs(c, sel, &d, rpl);
        return;
    }
    if (seg == X86_SS) {
        if (!desc_writable(&d) || desc_dpl(&d) != c->cpl || rpl != c->cpl)
            x86_fault(c, X86_EXC_TS, sel & 0xFFFC, 1);
        if (!desc_present(&d))
            x86_fault(c, X86_EXC_SS, sel & 0xFFFC, 1);
    } else {
        if (desc_is_system(&d) || !desc_readable(&d))
            x86_fault(c, X86_EXC_TS, sel & 0xFFFC, 1);
        if (!desc_present(&d))
            x86_fault(c, X86_EXC_NP, sel & 0xFFFC, 1);
    }
    x86_desc_set_accessed(c, sel, &d);
    x86_seg_from_desc(c, seg, sel, &d);
}

static void load_ldt(struct x86_cpu *c, uint16_t sel)
{
    struct x86_desc d;
    if ((sel & 0xFFFC) == 0) {
        c->ldtr.sel = sel;
        c->ldtr.attr = 0;
        return;
    }
    if ((sel & 4) || x86_desc_fetch(c, sel, &d) != 0 || !desc_is_system(&d) || desc_type(&d) != SYS_LDT)
        x86_fault(c, X86_EXC_TS, sel & 0xFFFC, 1);
    if (!desc_present(&d))
        x86_fault(c, X86_EXC_TS, sel & 0xFFFC, 1);
    desc_to_cache(&d, sel, &c->ldtr);
}

void x86_task_switch(struct x86_cpu *c, uint16_t sel, const struct x86_desc *nd, int reason)
{
    int type = desc_type(nd);
    int is32 = tss_is32(type);
    int busy = (type & 2) != 0;
    if (!desc_is_system(nd) || !(type == SYS_TSS16_AVAIL || type == SYS_TSS16_BUSY || is32))
        x86_gp(c, sel & 0xFFFC);
    /* IRET returns to a busy task; the others need an available one. */
    if (reason == X86_TS_IRET ? !busy : busy)
        x86_fault(c, reason == X86_TS_IRET ? X86_EXC_TS : X86_EXC_GP, sel & 0xFFFC, 1);
    if (!desc_present(nd))
        x86_fault(c, X86_EXC_NP, sel & 0xFFFC, 1);
    if (desc_limit(nd) < (is32 ? 0x67u : 0x2Bu))
        x86_fault(c, X86_EXC_TS, sel & 0xFFFC, 1);

    uint32_t nbase = desc_base(nd);
    int old32 = (c->tr.attr & 8) != 0;
    uint32_t eflags = x86_get_flags(c);

    /* Read the new task's state before anything is written. */
    uint32_t n_eip, n_eflags, n_cr3 = c->cr3, n_gpr[8];
    uint16_t n_seg[6] = { 0 }, n_ldt, t_bit = 0;
    if (is32) {
        n_cr3 = x86_read_sys(c, nbase + 0x1C, 4);
        n_eip = x86_read_sys(c, nbase + 0x20, 4);
        n_eflags = x86_read_sys(c, nbase + 0x24, 4);
        for (int r = 0; r < 8; r++)
            n_gpr[r] = x86_read_sys(c, nbase + 0x28 + 4u * (uint32_t)r, 4);
        for (int s = 0; s < 6; s++)
            n_seg[s] = (uint16_t)x86_read_sys(c, nbase + 0x48 + 4u * (uint32_t)s, 2);
        n_ldt = (uint16_t)x86_read_sys(c, nbase + 0x60, 2);
        t_bit = (uint16_t)(x86_read_sys(c, nbase + 0x64, 2) & 1);
    } else {
        n_eip = x86_read_sys(c, nbase + 0x0E, 2);
        n_eflags = x86_read_sys(c, nbase + 0x10, 2);
        for (int r = 0; r < 8; r++)
            n_gpr[r] = (c->gpr[r] & 0xFFFF0000u) | x86_read_sys(c, nbase + 0x12 + 2u * (uint32_t)r, 2);
        for (int s = 0; s < 4; s++)
            n_seg[s] = (uint16_t)x86_read_sys(c, nbase + 0x22 + 2u * (uint32_t)s, 2);
        n_ldt = (uint16_t)x86_read_sys(c, nbase + 0x2A, 2);
    }

    /* Leave the old task. */
    if (reason == X86_TS_JMP || reason == X86_TS_IRET)
        set_busy(c, c->tr.sel, 0);
    if (reason == X86_TS_IRET)
        eflags &= ~X86_NT;
    save_state(c, c->tr.base, old32, eflags);
    if (reason == X86_TS_CALL) {
        x86_write_sys(c, nbase, c->tr.sel, 2);
        n_eflags |= X86_NT;
    }
    if (reason != X86_TS_IRET)
        set_busy(c, sel, 1);

    /* Enter the new one.  From here on faults belong to the new task. */
    struct x86_desc busy_desc = *nd;
    busy_desc.hi |= 0x200u;
    desc_to_cache(&busy_desc, sel, &c->tr);
    c->cr0 |= X86_CR0_TS;
    if (is32 && (c->cr0 & X86_CR0_PG) && n_cr3 != c->cr3) {
        c->cr3 = n_cr3;
        if (c->cr4 & X86_CR4_PAE) {
            struct paging_regs regs = { c->cr3, 1, 1, 0, 0, { 0, 0, 0, 0 } };
            paging_load_pdptes(c->bus.mem, &regs);
            for (int k = 0; k < 4; k++)
                c->pdpte[k] = regs.pdpte[k];
        }
        tlb_flush(c->tlb, (c->cr4 & X86_CR4_PGE) != 0);
    } else if (is32) {
        c->cr3 = n_cr3;
    }
    c->eip = n_eip;
    flags_materialize(c);
    c->eflags = (n_eflags & (is32 ? 0x003F7FD7u : 0x7FD7u)) | 2u;
    for (int r = 0; r < 8; r++)
        c->gpr[r] = n_gpr[r];
    /* Selectors first (so a fault shows the new values), then checks. */
    for (int s = 0; s < 6; s++)
        c->seg[s].sel = n_seg[s];
    load_ldt(c, n_ldt);
    if (x86_v86(c)) {
        x86_set_cpl(c, 3);
        for (int s = 0; s < 6; s++)
            x86_seg_load_real(c, s, n_seg[s]);
    } else {
        x86_set_cpl(c, n_seg[X86_CS] & 3);
        load_task_seg(c, X86_CS, n_seg[X86_CS]);
        load_task_seg(c, X86_SS, n_seg[X86_SS]);
        load_task_seg(c, X86_ES, n_seg[X86_ES]);
        load_task_seg(c, X86_DS, n_seg[X86_DS]);
        if (is32) {
            load_task_seg(c, X86_FS, n_seg[X86_FS]);
            load_task_seg(c, X86_GS, n_seg[X86_GS]);
        }
    }
    c->event |= X86_EV_MODE | X86_EV_TF | X86_EV_INTR;
    if (t_bit)
        c->pending_debug_trap = 1;
}
