/*
 * Segment registers and their hidden descriptor caches.
 *
 * Addressing always uses the cache (base, limit, attributes), never the
 * selector.  In real mode a load sets the selector and base = selector * 16
 * and leaves the limit and attributes alone -- which is why a segment given
 * a 4 GiB limit in protected mode keeps it after the return to real mode
 * ("big real mode"; Intel SDM vol. 3, 9.9.2).  In protected mode a load
 * reads the descriptor from the GDT or LDT and checks it (vol. 3, 5.5-5.6);
 * in virtual-8086 mode it is real-mode addressing with a 64 KiB limit.
 */
#include "cpu/x86/descriptor.h"

/* Real-mode default caches: a present, accessed read/write data segment. */
#define ATTR_REAL_DATA (DESC_P | DESC_S | DESC_RW | DESC_ACCESSED)

static int real_or_v86(const struct x86_cpu *c)
{
    return !(c->cr0 & X86_CR0_PE) || (c->eflags & X86_VM);
}

int x86_seg_offset_ok(const struct x86_seg *s, uint32_t off, uint32_t len)
{
    uint32_t lo = 0, hi = s->limit;
    if ((s->attr & DESC_S) && !(s->attr & DESC_CODE) && (s->attr & DESC_EXPDOWN_CONF)) {
        lo = s->limit + 1;
        hi = (s->attr & X86_SEG_BIG) ? 0xFFFFFFFFu : 0xFFFFu;
    }
    return off >= lo && off <= hi && hi - off >= len - 1;
}

void x86_seg_update_checks(struct x86_cpu *c, int seg)
{
    struct x86_seg *s = &c->seg[seg];
    const uint32_t empty_lo = 1, empty_hi = 0;
    uint32_t a = s->attr;

    if (x86_is_8086(c)) {
        /* No limits: the slow path wraps offsets within 64 KiB. */
        s->rlo = s->wlo = 0;
        s->rhi = s->whi = 0xFFFFu;
        return;
    }
    if (!(a & DESC_P) && !real_or_v86(c)) {
        s->rlo = s->wlo = empty_lo;
        s->rhi = s->whi = empty_hi;
        return;
    }
    uint32_t lo = 0, hi = s->limit;
    if ((a & DESC_S) && !(a & DESC_CODE) && (a & DESC_EXPDOWN_CONF)) {
        /* Expand-down: valid offsets lie above the limit. */
        lo = s->limit + 1;
        hi = (a & X86_SEG_BIG) ? 0xFFFFFFFFu : 0xFFFFu;
    }
    int readable = !(a & DESC_CODE) || (a & DESC_RW) || real_or_v86(c);
    int writable = (!(a & DESC_CODE) && (a & DESC_RW)) || real_or_v86(c);
    s->rlo = readable ? lo : empty_lo;
    s->rhi = readable ? hi : empty_hi;
    s->wlo = writable ? lo : empty_lo;
    s->whi = writable ? hi : empty_hi;
}

void x86_seg_load_real(struct x86_cpu *c, int seg, uint16_t sel)
{
    struct x86_seg *s = &c->seg[seg];
    s->sel = sel;
    s->base = (uint32_t)sel << 4;
    if (x86_v86(c)) {
        /* Virtual-8086 segments: 64 KiB, read/write, DPL 3 (SDM vol. 3, 20.2.1). */
        s->limit = 0xFFFF;
        s->attr = ATTR_REAL_DATA | 0x60u | (seg == X86_CS ? DESC_CODE : 0);
    } else if (!(s->attr & DESC_P)) {
        s->attr |= DESC_P;
    }
    if (seg == X86_CS)
        c->event |= X86_EV_MODE;
    x86_seg_update_checks(c, seg);
}

/* The state every segment cache has after RESET# or in a fresh real mode. */
void x86_seg_reset(struct x86_cpu *c, int seg, uint16_t sel, uint32_t base)
{
    struct x86_seg *s = &c->seg[seg];
    s->sel = sel;
    s->base = base;
    s->limit = 0xFFFF;
    s->attr = ATTR_REAL_DATA | (seg == X86_CS ? DESC_CODE : 0);
    x86_seg_update_checks(c, seg);
}

int x86_desc_fetch(struct x86_cpu *c, uint16_t sel, struct x86_desc *d)
{
    uint32_t index = sel & 0xFFF8u;
    uint32_t base, limit;
    if (sel & 4) {
        if (!(c->ldtr.attr & DESC_P))
            return -1;
        base = c->ldtr.base;
        limit = c->ldtr.limit;
    } else {
        base = c->gdtr.base;
        limit = c->gdtr.limit;
    }
    if (index + 7 > limit)
        return -1;
    d->lo = x86_read_sys(c, base + index, 4);
    d->hi = x86_read_sys(c, base + index + 4, 4);
    return 0;
}

void x86_desc_set_accessed(struct x86_cpu *c, uint16_t sel, struct x86_desc *d)
{
    if (d->hi & 0x100u)
        return;
    d->hi |= 0x100u;
    uint32_t base = (sel & 4) ? c->ldtr.base : c->gdtr.base;
    x86_write_sys(c, base + (sel & 0xFFF8u) + 5, (d->hi >> 8) & 0xFF, 1);
}

void x86_seg_from_desc(struct x86_cpu *c, int seg, uint16_t sel, const struct x86_desc *d)
{
    struct x86_seg *s = &c->seg[seg];
    s->sel = sel;
    s->base = desc_base(d);
    s->limit = desc_limit(d);
    s->attr = desc_attr(d);
    if (c->model == X86_286)
        s->attr &= 0xFFu;       /* the 286 has no D/B or G bits */
    x86_seg_update_checks(c, seg);
}

void x86_seg_null(struct x86_cpu *c, int seg, uint16_t sel)
{
    struct x86_seg *s = &c->seg[seg];
    s->sel = sel;
    s->attr = 0;    /* not present: every access faults */
    x86_seg_update_checks(c, seg);
}

void x86_load_cs(struct x86_cpu *c, uint16_t sel, const struct x86_desc *d, int cpl)
{
    x86_seg_from_desc(c, X86_CS, (uint16_t)((sel & ~3u) | (unsigned)cpl), d);
    if (cpl != c->cpl)
        x86_set_cpl(c, cpl);
    c->event |= X86_EV_MODE;
}

/* MOV/POP to SS and the data segment registers in protected mode
 * (Intel SDM vol. 2, MOV "Operation"). */
static void load_protected(struct x86_cpu *c, int seg, uint16_t sel)
{
    struct x86_desc d;
    int rpl = sel & 3;
    if ((sel & 0xFFFC) == 0) {
        if (seg == X86_SS)
            x86_gp(c, 0);
        x86_seg_null(c, seg, sel);
        return;
    }
    if (x86_desc_fetch(c, sel, &d) != 0)
        x86_gp(c, sel & 0xFFFC);
    if (seg == X86_SS) {
        if (rpl != c->cpl || !desc_writable(&d) || desc_dpl(&d) != c->cpl)
            x86_gp(c, sel & 0xFFFC);
        if (!desc_present(&d))
            x86_fault(c, X86_EXC_SS, sel & 0xFFFC, 1);
    } else {
        if (desc_is_system(&d) || !desc_readable(&d))
            x86_gp(c, sel & 0xFFFC);
        if ((desc_is_data(&d) || !desc_conforming(&d)) && (rpl > desc_dpl(&d) || c->cpl > desc_dpl(&d)))
            x86_gp(c, sel & 0xFFFC);
        if (!desc_present(&d))
            x86_fault(c, X86_EXC_NP, sel & 0xFFFC, 1);
    }
    x86_desc_set_accessed(c, sel, &d);
    x86_seg_from_desc(c, seg, sel, &d);
}

void x86_seg_load(struct x86_cpu *c, int seg, uint16_t sel)
{
    x86_sensitive(c, X86_SENS_SEG);
    if (real_or_v86(c))
        x86_seg_load_real(c, seg, sel);
    else
        load_protected(c, seg, sel);
    if (seg == X86_SS) {
        /* MOV SS / POP SS hold off interrupts for one instruction, so the
         * following ESP load completes the switch (SDM vol. 3, 6.8.3). */
        c->inhibit_irq = 1;
        c->ss_shadow = 1;
        c->event |= X86_EV_SHADOW;
    }
}

void x86_seg_validate_outer(struct x86_cpu *c)
{
    static const int data_segs[] = { X86_ES, X86_DS, X86_FS, X86_GS };
    for (int k = 0; k < 4; k++) {
        struct x86_seg *s = &c->seg[data_segs[k]];
        int dpl = (s->attr >> 5) & 3;
        int conforming_code = (s->attr & DESC_CODE) && (s->attr & DESC_EXPDOWN_CONF);
        if ((s->sel & 0xFFFC) == 0 || !(s->attr & DESC_P))
            continue;
        if (!conforming_code && dpl < c->cpl)
            x86_seg_null(c, data_segs[k], 0);
    }
}

void x86_load_seg_real(struct x86_cpu *cpu, int seg, uint16_t sel)
{
    x86_seg_load_real(cpu, seg, sel);
}
