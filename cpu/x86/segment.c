/*
 * Segment registers and their hidden descriptor caches.
 *
 * Addressing always uses the cache (base, limit, attributes), never the
 * selector.  In real mode a load sets the selector and base = selector * 16
 * and leaves the limit and attributes alone -- which is why a segment given
 * a 4 GiB limit in protected mode keeps it after the return to real mode
 * ("big real mode"; Intel SDM vol. 3, 9.9.2).
 */
#include "cpu/x86/internal.h"

/* Descriptor access-byte bits kept in seg.attr (bits 0..7) and flags. */
#define ATTR_TYPE_WRITABLE 0x02u    /* data: writable; code: readable */
#define ATTR_TYPE_EXPDOWN 0x04u     /* data: expand-down; code: conforming */
#define ATTR_TYPE_CODE 0x08u
#define ATTR_S 0x10u
#define ATTR_P 0x80u

/* Real-mode default caches: a present, accessed read/write data segment (and
 * for CS the same, since real mode may write through a CS override). */
#define ATTR_REAL_DATA (ATTR_P | ATTR_S | ATTR_TYPE_WRITABLE | 0x01u)

static int real_or_v86(const struct x86_cpu *c)
{
    return !(c->cr0 & 1u) || (c->eflags & X86_VM);
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
    if (!(a & ATTR_P) && !real_or_v86(c)) {
        s->rlo = s->wlo = empty_lo;
        s->rhi = s->whi = empty_hi;
        return;
    }
    uint32_t lo = 0, hi = s->limit;
    if ((a & ATTR_S) && !(a & ATTR_TYPE_CODE) && (a & ATTR_TYPE_EXPDOWN)) {
        lo = s->limit + 1;
        hi = (a & X86_SEG_BIG) ? 0xFFFFFFFFu : 0xFFFFu;
    }
    int readable = !(a & ATTR_TYPE_CODE) || (a & ATTR_TYPE_WRITABLE) || real_or_v86(c);
    int writable = (!(a & ATTR_TYPE_CODE) && (a & ATTR_TYPE_WRITABLE)) || real_or_v86(c);
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
    if (!(s->attr & ATTR_P))
        s->attr |= ATTR_P;
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
    s->attr = ATTR_REAL_DATA | (seg == X86_CS ? ATTR_TYPE_CODE : 0);
    x86_seg_update_checks(c, seg);
}

void x86_seg_load(struct x86_cpu *c, int seg, uint16_t sel)
{
    /* Protected-mode descriptor loads arrive with the protected-mode work;
     * until then every load follows real-mode rules. */
    x86_seg_load_real(c, seg, sel);
    if (seg == X86_SS)
        c->event |= X86_EV_SHADOW;
}

void x86_load_seg_real(struct x86_cpu *cpu, int seg, uint16_t sel)
{
    x86_seg_load_real(cpu, seg, sel);
}
