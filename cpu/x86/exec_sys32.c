/*
 * The protected-mode system instructions: control and debug registers,
 * LDTR/TR and descriptor inspection (LLDT LTR SLDT STR LAR LSL VERR VERW
 * ARPL), INVLPG and the caches, CPUID, the time-stamp counter, MSRs and
 * SYSENTER/SYSEXIT.
 */
#include "cpu/x86/descriptor.h"
#include "cpu/x86/ops.h"

/* Privileged instructions need CPL 0 (and fault in virtual-8086 mode). */
static void require_cpl0(struct x86_cpu *c)
{
    if ((c->cr0 & X86_CR0_PE) && (c->cpl != 0 || x86_v86(c)))
        x86_gp(c, 0);
}


/* ------------------------------------------------------------------ */
/* Control and debug registers                                         */

static uint32_t cr4_supported(const struct x86_cpu *c)
{
    if (c->model < X86_PENTIUM)
        return 0;
    uint32_t m = X86_CR4_TSD | X86_CR4_DE | X86_CR4_PSE | X86_CR4_MCE;
    if (c->model >= X86_P6)
        m |= X86_CR4_PAE | X86_CR4_PGE;
    return m;
}

void x86_write_cr(struct x86_cpu *c, int n, uint32_t v)
{
    switch (n) {
    case 0: {
        uint32_t old = c->cr0;
        /* PG without PE, or NW without CD, is #GP (SDM vol. 3, 2.5). */
        if (((v & X86_CR0_PG) && !(v & X86_CR0_PE)) || ((v & X86_CR0_NW) && !(v & X86_CR0_CD)))
            x86_gp(c, 0);
        if (c->model == X86_386)
            v = (v & 0x8000001Fu) | X86_CR0_ET;
        else
            v = (v & 0xE005003Fu) | X86_CR0_ET;
        if ((v & X86_CR0_PG) && !(old & X86_CR0_PG) && (c->cr4 & X86_CR4_PAE)) {
            struct paging_regs r = { c->cr3, 1, 1, 0, 0, { 0, 0, 0, 0 } };
            if (paging_load_pdptes(c->bus.mem, &r) != 0)
                x86_gp(c, 0);
            for (int k = 0; k < 4; k++)
                c->pdpte[k] = r.pdpte[k];
        }
        c->cr0 = v;
        if ((old ^ v) & (X86_CR0_PG | X86_CR0_WP | X86_CR0_PE))
            tlb_flush(c->tlb, 0);
        if ((old ^ v) & X86_CR0_PE) {
            for (int s = 0; s < X86_NSEG; s++)
                x86_seg_update_checks(c, s);
        }
        c->event |= X86_EV_MODE;
        return;
    }
    case 2: c->cr2 = v; return;
    case 3:
        if ((c->cr4 & X86_CR4_PAE) && (c->cr0 & X86_CR0_PG)) {
            struct paging_regs r = { v, 1, 1, 0, 0, { 0, 0, 0, 0 } };
            if (paging_load_pdptes(c->bus.mem, &r) != 0)
                x86_gp(c, 0);
            for (int k = 0; k < 4; k++)
                c->pdpte[k] = r.pdpte[k];
        }
        c->cr3 = v;
        tlb_flush(c->tlb, (c->cr4 & X86_CR4_PGE) != 0);
        return;
    case 4: {
        if (v & ~cr4_supported(c))
            x86_gp(c, 0);
        if ((v & X86_CR4_PAE) && !(c->cr4 & X86_CR4_PAE) && (c->cr0 & X86_CR0_PG)) {
            struct paging_regs r = { c->cr3, 1, 1, 0, 0, { 0, 0, 0, 0 } };
            if (paging_load_pdptes(c->bus.mem, &r) != 0)
                x86_gp(c, 0);
            for (int k = 0; k < 4; k++)
                c->pdpte[k] = r.pdpte[k];
        }
        uint32_t old = c->cr4;
        c->cr4 = v;
        if ((old ^ v) & (X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE))
            tlb_flush(c->tlb, 0);
        return;
    }
    default:
        x86_ud(c);
    }
}

X86_OP(x86_mov_cr_r)     /* MOV CRn, r32 */
{
    require_cpl0(c);
    x86_sensitive(c, X86_SENS_CR);
    if (i->reg == 1 || i->reg > 4 || (i->reg == 4 && c->model < X86_PENTIUM))
        x86_ud(c);
    x86_write_cr(c, i->reg, c->gpr[i->rm]);
}

X86_OP(x86_mov_r_cr)     /* MOV r32, CRn */
{
    require_cpl0(c);
    x86_sensitive(c, X86_SENS_CR);
    uint32_t v;
    switch (i->reg) {
    case 0: v = c->cr0; break;
    case 2: v = c->cr2; break;
    case 3: v = c->cr3; break;
    case 4:
        if (c->model < X86_PENTIUM)
            x86_ud(c);
        v = c->cr4;
        break;
    default: x86_ud(c);
    }
    c->gpr[i->rm] = v;
}

/* Debug registers hold their values; breakpoints are not implemented
 * (DR7 enables are stored but never fire). */
X86_OP(x86_mov_dr_r)
{
    require_cpl0(c);
    x86_sensitive(c, X86_SENS_CR);
    int n = i->reg;
    if ((n == 4 || n == 5) && (c->cr4 & X86_CR4_DE))
        x86_ud(c);
    if (n == 4 || n == 5)
        n += 2;
    c->dr[n] = c->gpr[i->rm];
}

X86_OP(x86_mov_r_dr)
{
    require_cpl0(c);
    x86_sensitive(c, X86_SENS_CR);
    int n = i->reg;
    if ((n == 4 || n == 5) && (c->cr4 & X86_CR4_DE))
        x86_ud(c);
    if (n == 4 || n == 5)
        n += 2;
    uint32_t v = c->dr[n];
    if (n == 6)
        v |= 0xFFFF0FF0u;
    else if (n == 7)
        v |= 0x400u;
    c->gpr[i->rm] = v;
}

X86_OP(x86_invlpg)
{
    require_cpl0(c);
    x86_sensitive(c, X86_SENS_CR);
    if (!i->is_mem)
        x86_ud(c);
    uint32_t lin = c->seg[i->seg].base + ea_offset(c, i);
    /* A page of 2 or 4 MiB has many TLB entries; INVLPG of any address in
     * it must drop them all (SDM vol. 3, 4.10.4.1). */
    if (c->tlb->large_pages)
        tlb_flush(c->tlb, 0);
    else
        tlb_flush_page(c->tlb, lin);
}

X86_OP(x86_invd)
{
    (void)i;
    require_cpl0(c);
    x86_sensitive(c, X86_SENS_CR);
}

/* ------------------------------------------------------------------ */
/* LDTR, TR and descriptor inspection                                  */

static int pm_only(struct x86_cpu *c)
{
    if (!(c->cr0 & X86_CR0_PE) || x86_v86(c))
        x86_ud(c);
    return 1;
}

X86_OP(x86_sldt)
{
    pm_only(c);
    x86_sensitive(c, X86_SENS_DESC);
    rm_write(c, i, (!i->is_mem && i->o32) ? 2 : 1, c->ldtr.sel);
}

X86_OP(x86_str)
{
    pm_only(c);
    x86_sensitive(c, X86_SENS_DESC);
    rm_write(c, i, (!i->is_mem && i->o32) ? 2 : 1, c->tr.sel);
}

X86_OP(x86_lldt)
{
    pm_only(c);
    require_cpl0(c);
    x86_sensitive(c, X86_SENS_DESC);
    uint16_t sel = (uint16_t)rm_read(c, i, 1);
    struct x86_desc d;
    if ((sel & 0xFFFC) == 0) {
        c->ldtr.sel = sel;
        c->ldtr.attr = 0;
        return;
    }
    if ((sel & 4) || x86_desc_fetch(c, sel, &d) != 0 || !desc_is_system(&d) || desc_type(&d) != SYS_LDT)
        x86_gp(c, sel & 0xFFFC);
    if (!desc_present(&d))
        x86_fault(c, X86_EXC_NP, sel & 0xFFFC, 1);
    desc_to_cache(&d, sel, &c->ldtr);
}

X86_OP(x86_ltr)
{
    pm_only(c);
    require_cpl0(c);
    x86_sensitive(c, X86_SENS_DESC);
    uint16_t sel = (uint16_t)rm_read(c, i, 1);
    struct x86_desc d;
    if ((sel & 0xFFFC) == 0)
        x86_gp(c, 0);
    if ((sel & 4) || x86_desc_fetch(c, sel, &d) != 0 || !desc_is_system(&d) ||
        !(desc_type(&d) == SYS_TSS16_AVAIL || desc_type(&d) == SYS_TSS32_AVAIL))
        x86_gp(c, sel & 0xFFFC);
    if (!desc_present(&d))
        x86_fault(c, X86_EXC_NP, sel & 0xFFFC, 1);
    d.hi |= 0x200u;     /* busy */
    x86_write_sys(c, c->gdtr.base + (sel & 0xFFF8u) + 5, (d.hi >> 8) & 0xFF, 1);
    desc_to_cache(&d, sel, &c->tr);
}

/* LAR, LSL, VERR, VERW: may the current privilege see this descriptor?
 * The answer goes to ZF; nothing faults on a bad selector. */
static int visible(struct x86_cpu *c, uint16_t sel, struct x86_desc *d, int allow_system_types)
{
    if ((sel & 0xFFFC) == 0 || x86_desc_fetch(c, sel, d) != 0)
        return 0;
    if (desc_is_system(d)) {
        if (!(allow_system_types & (1 << desc_type(d))))
            return 0;
    } else if (desc_conforming(d)) {
        return 1;
    }
    return desc_dpl(d) >= c->cpl && desc_dpl(d) >= (sel & 3);
}

/* System types LAR accepts: TSSs, LDT, call and task gates (and 286 gates). */
#define LAR_TYPES ((1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 9) | (1 << 11) | (1 << 12))
#define LSL_TYPES ((1 << 1) | (1 << 2) | (1 << 3) | (1 << 9) | (1 << 11))

static void set_zf(struct x86_cpu *c, int z) { flags_set_bits(c, X86_ZF, z ? X86_ZF : 0); }

X86_OP(x86_lar)
{
    pm_only(c);
    x86_sensitive(c, X86_SENS_SEG);
    struct x86_desc d;
    uint16_t sel = (uint16_t)rm_read(c, i, 1);
    int ok = visible(c, sel, &d, LAR_TYPES);
    set_zf(c, ok);
    if (ok)
        reg_set(c, i->o32 ? 2 : 1, i->reg, d.hi & (i->o32 ? 0x00FFFF00u : 0xFF00u));
}

X86_OP(x86_lsl)
{
    pm_only(c);
    x86_sensitive(c, X86_SENS_SEG);
    struct x86_desc d;
    uint16_t sel = (uint16_t)rm_read(c, i, 1);
    int ok = visible(c, sel, &d, LSL_TYPES);
    set_zf(c, ok);
    if (ok)
        reg_set(c, i->o32 ? 2 : 1, i->reg, desc_limit(&d));
}

static void verify(struct x86_cpu *c, const struct x86_insn *i, int write)
{
    pm_only(c);
    x86_sensitive(c, X86_SENS_SEG);
    struct x86_desc d;
    uint16_t sel = (uint16_t)rm_read(c, i, 1);
    int ok = visible(c, sel, &d, 0) && !desc_is_system(&d);
    if (ok)
        ok = write ? desc_writable(&d) : desc_readable(&d);
    set_zf(c, ok);
}
X86_OP(x86_verr) { verify(c, i, 0); }
X86_OP(x86_verw) { verify(c, i, 1); }

/* ARPL: raise the RPL of the destination selector to the source's. */
X86_OP(x86_arpl)
{
    x86_sensitive(c, X86_SENS_SEG);
    if (!(c->cr0 & X86_CR0_PE) || x86_v86(c))
        x86_ud(c);
    uint16_t dst = (uint16_t)rm_read(c, i, 1);
    uint16_t src = reg16_get(c, i->reg);
    if ((dst & 3) < (src & 3)) {
        rm_write(c, i, 1, (uint16_t)((dst & ~3u) | (src & 3u)));
        set_zf(c, 1);
    } else {
        set_zf(c, 0);
    }
}

/* ------------------------------------------------------------------ */
/* CPUID, TSC, MSRs, SYSENTER/SYSEXIT                                  */

/* Feature bits (CPUID.1:EDX) true to what is implemented. */
#define CPUID_FPU (1u << 0)
#define CPUID_PSE (1u << 3)
#define CPUID_TSC (1u << 4)
#define CPUID_MSR (1u << 5)
#define CPUID_PAE (1u << 6)
#define CPUID_CX8 (1u << 8)
#define CPUID_SEP (1u << 11)
#define CPUID_PGE (1u << 13)
#define CPUID_CMOV (1u << 15)

static uint32_t cpuid_signature(const struct x86_cpu *c)
{
    /* family/model/stepping: i486DX2, Pentium (P54C), Pentium Pro. */
    switch (c->model) {
    case X86_486: return 0x0435;
    case X86_PENTIUM: return 0x0525;
    default: return 0x0619;
    }
}

static uint32_t cpuid_features(const struct x86_cpu *c)
{
    uint32_t f = CPUID_FPU;
    if (c->model >= X86_PENTIUM)
        f |= CPUID_PSE | CPUID_TSC | CPUID_MSR | CPUID_CX8;
    if (c->model >= X86_P6)
        f |= CPUID_PAE | CPUID_SEP | CPUID_PGE | CPUID_CMOV;
    return f;
}

X86_OP(x86_cpuid)
{
    (void)i;
    uint32_t leaf = c->gpr[X86_EAX];
    uint32_t a = 0, b = 0, cx = 0, d = 0;
    const char *v = c->vendor;
    if (leaf == 0) {
        a = 1;
        b = (uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 | (uint32_t)v[3] << 24;
        d = (uint32_t)v[4] | (uint32_t)v[5] << 8 | (uint32_t)v[6] << 16 | (uint32_t)v[7] << 24;
        cx = (uint32_t)v[8] | (uint32_t)v[9] << 8 | (uint32_t)v[10] << 16 | (uint32_t)v[11] << 24;
    } else {
        /* Leaf 1; leaves beyond the maximum return leaf 1's data, as Intel
         * processors of this era return the highest basic leaf. */
        a = cpuid_signature(c);
        d = cpuid_features(c);
    }
    c->gpr[X86_EAX] = a;
    c->gpr[X86_EBX] = b;
    c->gpr[X86_ECX] = cx;
    c->gpr[X86_EDX] = d;
}

static uint64_t tsc(const struct x86_cpu *c) { return c->bus.clock->now + c->tsc_offset; }

X86_OP(x86_rdtsc)
{
    (void)i;
    if ((c->cr4 & X86_CR4_TSD) && c->cpl != 0 && (c->cr0 & X86_CR0_PE))
        x86_gp(c, 0);
    uint64_t t = tsc(c);
    c->gpr[X86_EAX] = (uint32_t)t;
    c->gpr[X86_EDX] = (uint32_t)(t >> 32);
}

enum {
    MSR_TSC = 0x10, MSR_PLATFORM_ID = 0x17, MSR_BIOS_UPDT_TRIG = 0x79, MSR_BIOS_SIGN_ID = 0x8B,
    MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175, MSR_SYSENTER_EIP = 0x176,
};

X86_OP(x86_rdmsr)
{
    (void)i;
    require_cpl0(c);
    x86_sensitive(c, X86_SENS_CR);
    uint64_t v;
    switch (c->gpr[X86_ECX]) {
    case MSR_TSC: v = tsc(c); break;
    /* P6: platform ID and the microcode signature (no update loaded: 0). */
    case MSR_PLATFORM_ID:
    case MSR_BIOS_SIGN_ID:
        if (c->model < X86_P6)
            x86_gp(c, 0);
        v = 0;
        break;
    case MSR_SYSENTER_CS:
        if (c->model < X86_P6)
            x86_gp(c, 0);
        v = c->sysenter_cs;
        break;
    case MSR_SYSENTER_ESP:
        if (c->model < X86_P6)
            x86_gp(c, 0);
        v = c->sysenter_esp;
        break;
    case MSR_SYSENTER_EIP:
        if (c->model < X86_P6)
            x86_gp(c, 0);
        v = c->sysenter_eip;
        break;
    default: x86_gp(c, 0);
    }
    c->gpr[X86_EAX] = (uint32_t)v;
    c->gpr[X86_EDX] = (uint32_t)(v >> 32);
}

X86_OP(x86_wrmsr)
{
    (void)i;
    require_cpl0(c);
    x86_sensitive(c, X86_SENS_CR);
    uint64_t v = (uint64_t)c->gpr[X86_EDX] << 32 | c->gpr[X86_EAX];
    switch (c->gpr[X86_ECX]) {
    case MSR_TSC:
        /* Processors before family 0Fh model 3 write only the low 32 bits
         * and clear the high half (SDM vol. 3, 17.17). */
        c->tsc_offset = (v & 0xFFFFFFFFu) - c->bus.clock->now;
        break;
    /* Software clears the signature before CPUID and reads it back; a
     * microcode update trigger with nothing to load does nothing. */
    case MSR_BIOS_SIGN_ID:
    case MSR_BIOS_UPDT_TRIG:
        if (c->model < X86_P6)
            x86_gp(c, 0);
        break;
    case MSR_SYSENTER_CS:
        if (c->model < X86_P6)
            x86_gp(c, 0);
        c->sysenter_cs = (uint32_t)v & 0xFFFF;
        break;
    case MSR_SYSENTER_ESP:
        if (c->model < X86_P6)
            x86_gp(c, 0);
        c->sysenter_esp = (uint32_t)v;
        break;
    case MSR_SYSENTER_EIP:
        if (c->model < X86_P6)
            x86_gp(c, 0);
        c->sysenter_eip = (uint32_t)v;
        break;
    default: x86_gp(c, 0);
    }
}

/* Flat segments SYSENTER/SYSEXIT load (SDM vol. 2, SYSENTER). */
static void flat_segment(struct x86_cpu *c, int seg, uint16_t sel, int dpl, int code)
{
    struct x86_seg *s = &c->seg[seg];
    s->sel = sel;
    s->base = 0;
    s->limit = 0xFFFFFFFFu;
    s->attr = 0x80u | 0x10u | (uint32_t)dpl << 5 | (code ? 0x0Bu : 0x03u) | X86_SEG_BIG | 0x8000u;
    x86_seg_update_checks(c, seg);
}

X86_OP(x86_sysenter)
{
    (void)i;
    if (!(c->cr0 & X86_CR0_PE) || (c->sysenter_cs & 0xFFFC) == 0)
        x86_gp(c, 0);
    flags_materialize(c);
    c->eflags &= ~(X86_VM | X86_IF | X86_RF);
    uint16_t cs = (uint16_t)(c->sysenter_cs & 0xFFFC);
    flat_segment(c, X86_CS, cs, 0, 1);
    flat_segment(c, X86_SS, (uint16_t)(cs + 8), 0, 0);
    x86_set_cpl(c, 0);
    c->gpr[X86_ESP] = c->sysenter_esp;
    c->eip = c->sysenter_eip;
    c->event |= X86_EV_MODE;
}

X86_OP(x86_sysexit)
{
    (void)i;
    if (!(c->cr0 & X86_CR0_PE) || (c->sysenter_cs & 0xFFFC) == 0 || c->cpl != 0 || x86_v86(c))
        x86_gp(c, 0);
    uint16_t cs = (uint16_t)(c->sysenter_cs & 0xFFFC);
    flat_segment(c, X86_CS, (uint16_t)((cs + 16) | 3), 3, 1);
    flat_segment(c, X86_SS, (uint16_t)((cs + 24) | 3), 3, 0);
    x86_set_cpl(c, 3);
    c->gpr[X86_ESP] = c->gpr[X86_ECX];
    c->eip = c->gpr[X86_EDX];
    c->event |= X86_EV_MODE;
}
