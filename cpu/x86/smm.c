/*
 * System management mode (Intel SDM vol. 3, chapter 34).
 *
 * SMI# saves the processor's state into SMRAM at SMBASE + 0x8000 +
 * 0x7E00.. and enters a real-mode-like mode at SMBASE:8000 with 4 GiB
 * segment limits.  RSM restores the state (and picks up a relocated SMBASE
 * from the save area).  The chipset sees SMIACT# through the bus callback,
 * so it can show SMRAM instead of the VGA window while the CPU is in SMM.
 *
 * The save map's architectural fields sit where table 34-1 puts them
 * (CR0 at 7FFC ... ES at 7FA8, revision at 7EFC, SMBASE at 7EF8).  The
 * hidden descriptor caches live in the map's reserved area; their layout
 * there is this implementation's own, as on real processors.
 */
#include "cpu/x86/descriptor.h"
#include "cpu/x86/ops.h"

#define SMM_REVISION 0x00020000u    /* bit 17: SMBASE relocation supported */

enum {
    SAVE_CR0 = 0x7FFC, SAVE_CR3 = 0x7FF8, SAVE_EFLAGS = 0x7FF4, SAVE_EIP = 0x7FF0,
    SAVE_EDI = 0x7FEC, SAVE_EAX = 0x7FD0, SAVE_DR6 = 0x7FCC, SAVE_DR7 = 0x7FC8,
    SAVE_TR = 0x7FC4, SAVE_LDTR = 0x7FC0, SAVE_GS = 0x7FBC, SAVE_ES = 0x7FA8,
    SAVE_GDTR = 0x7F90, SAVE_IDTR = 0x7F88, SAVE_CACHES = 0x7F20, SAVE_CR4 = 0x7F14,
    SAVE_HALT = 0x7F02, SAVE_REVISION = 0x7EFC, SAVE_SMBASE = 0x7EF8,
};

static uint32_t save_addr(const struct x86_cpu *c, uint32_t off) { return c->smbase + 0x8000u + off; }

static void put32(struct x86_cpu *c, uint32_t off, uint32_t v)
{
    physmem_write(c->bus.mem, save_addr(c, off), v, 4);
}
static uint32_t get32(struct x86_cpu *c, uint32_t off)
{
    return physmem_read(c->bus.mem, save_addr(c, off), 4);
}

static void save_cache(struct x86_cpu *c, int k, const struct x86_seg *s)
{
    put32(c, SAVE_CACHES + 12u * (uint32_t)k, s->base);
    put32(c, SAVE_CACHES + 12u * (uint32_t)k + 4, s->limit);
    put32(c, SAVE_CACHES + 12u * (uint32_t)k + 8, s->attr);
}

static void load_cache(struct x86_cpu *c, int k, struct x86_seg *s)
{
    s->base = get32(c, SAVE_CACHES + 12u * (uint32_t)k);
    s->limit = get32(c, SAVE_CACHES + 12u * (uint32_t)k + 4);
    s->attr = get32(c, SAVE_CACHES + 12u * (uint32_t)k + 8);
}

static void set_smm(struct x86_cpu *c, int on)
{
    c->in_smm = on;
    if (c->bus.smm_changed)
        c->bus.smm_changed(c->bus.opaque, on);
    tlb_flush(c->tlb, 0);
}

/* The flat segment SMM starts with. */
static void smm_segment(struct x86_cpu *c, int seg, uint16_t sel, uint32_t base)
{
    struct x86_seg *s = &c->seg[seg];
    s->sel = sel;
    s->base = base;
    s->limit = 0xFFFFFFFFu;
    s->attr = 0x93u | (seg == X86_CS ? 0x08u : 0);
    x86_seg_update_checks(c, seg);
}

void x86_enter_smm(struct x86_cpu *c)
{
    c->smi_pending = 0;
    set_smm(c, 1);
    put32(c, SAVE_CR0, c->cr0);
    put32(c, SAVE_CR3, c->cr3);
    put32(c, SAVE_EFLAGS, x86_get_flags(c));
    put32(c, SAVE_EIP, c->eip);
    for (int r = 0; r < 8; r++)
        put32(c, SAVE_EAX + 4u * (uint32_t)r, c->gpr[r]);
    put32(c, SAVE_DR6, c->dr[6]);
    put32(c, SAVE_DR7, c->dr[7]);
    put32(c, SAVE_TR, c->tr.sel);
    put32(c, SAVE_LDTR, c->ldtr.sel);
    for (int s = 0; s < X86_NSEG; s++) {
        put32(c, SAVE_ES + 4u * (uint32_t)s, c->seg[s].sel);
        save_cache(c, s, &c->seg[s]);
    }
    save_cache(c, 6, &c->ldtr);
    save_cache(c, 7, &c->tr);
    put32(c, SAVE_GDTR, c->gdtr.base);
    put32(c, SAVE_GDTR + 4, c->gdtr.limit);
    put32(c, SAVE_IDTR, c->idtr.base);
    put32(c, SAVE_IDTR + 4, c->idtr.limit);
    put32(c, SAVE_CR4, c->cr4);
    put32(c, SAVE_HALT - 2, (uint32_t)(c->halted ? 1u : 0u) << 16);
    put32(c, SAVE_REVISION, SMM_REVISION);
    put32(c, SAVE_SMBASE, c->smbase);

    /* The SMM environment (SDM vol. 3, table 34-4). */
    c->halted = 0;
    flags_materialize(c);
    c->eflags = 2;
    c->cr0 &= ~(X86_CR0_PE | X86_CR0_EM | X86_CR0_TS | X86_CR0_PG);
    c->cr4 = 0;
    c->dr[7] = 0x400;
    x86_set_cpl(c, 0);
    smm_segment(c, X86_CS, (uint16_t)(c->smbase >> 4), c->smbase);
    for (int s = 0; s < X86_NSEG; s++)
        if (s != X86_CS)
            smm_segment(c, s, 0, 0);
    c->eip = 0x8000;
    c->nmi_blocked = 1;
    c->event |= X86_EV_MODE;
}

X86_OP(x86_rsm)
{
    (void)i;
    if (!c->in_smm)
        x86_ud(c);
    c->cr4 = get32(c, SAVE_CR4) & 0xFFu;
    c->cr3 = get32(c, SAVE_CR3);
    c->cr0 = get32(c, SAVE_CR0);
    for (int r = 0; r < 8; r++)
        c->gpr[r] = get32(c, SAVE_EAX + 4u * (uint32_t)r);
    c->eip = get32(c, SAVE_EIP);
    c->lf.op = LF_NONE;
    c->eflags = get32(c, SAVE_EFLAGS) | 2u;
    c->dr[6] = get32(c, SAVE_DR6);
    c->dr[7] = get32(c, SAVE_DR7);
    c->tr.sel = (uint16_t)get32(c, SAVE_TR);
    c->ldtr.sel = (uint16_t)get32(c, SAVE_LDTR);
    for (int s = 0; s < X86_NSEG; s++) {
        c->seg[s].sel = (uint16_t)get32(c, SAVE_ES + 4u * (uint32_t)s);
        load_cache(c, s, &c->seg[s]);
    }
    load_cache(c, 6, &c->ldtr);
    load_cache(c, 7, &c->tr);
    c->gdtr.base = get32(c, SAVE_GDTR);
    c->gdtr.limit = (uint16_t)get32(c, SAVE_GDTR + 4);
    c->idtr.base = get32(c, SAVE_IDTR);
    c->idtr.limit = (uint16_t)get32(c, SAVE_IDTR + 4);
    int halt = (get32(c, SAVE_HALT - 2) >> 16) & 1;
    uint32_t rev = get32(c, SAVE_REVISION);
    uint32_t base = get32(c, SAVE_SMBASE);
    if (rev & (1u << 17))
        c->smbase = base & ~0x7FFFu;
    /* CPL follows CS (real mode and V86 have their own). */
    int cpl = (c->cr0 & X86_CR0_PE) ? ((c->eflags & X86_VM) ? 3 : (c->seg[X86_SS].attr >> 5) & 3) : 0;
    for (int s = 0; s < X86_NSEG; s++)
        x86_seg_update_checks(c, s);
    x86_set_cpl(c, cpl);
    c->nmi_blocked = 0;
    set_smm(c, 0);
    if (halt)
        c->halted = 1;
    c->event |= X86_EV_MODE | X86_EV_INTR | X86_EV_TF | (halt ? X86_EV_HALT : 0);
}

void x86_smi(struct x86_cpu *c)
{
    c->smi_pending = 1;
    c->event |= X86_EV_NMI;
}
