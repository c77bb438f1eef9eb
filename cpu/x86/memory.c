/*
 * The x86 memory access slow path: segment faults, linear -> physical
 * translation, TLB refills, page-crossing and MMIO accesses.
 *
 * The fast path (internal.h) handles an access that passes the segment's
 * offset range and hits the TLB without crossing a page.  Everything else
 * comes here.
 */
#include "cpu/x86/internal.h"

/* Translate a linear page for an access, returning the guest-physical
 * address.  Paging is added by the protected-mode work; without it the
 * address bus width and the A20 gate are all there is. */
static uint32_t translate(struct x86_cpu *c, uint32_t lin)
{
    return x86_lin_to_phys_nopaging(c, lin);
}

static void tlb_fill(struct x86_cpu *c, uint32_t lin, uint32_t phys, int write)
{
    struct x86_tlb *t = c->tlb;
    struct x86_tlb_entry *e = &t->e[(lin >> PAGE_SHIFT) & (X86_TLB_SIZE - 1)];
    uint32_t lpage = lin & ~PAGE_MASK;
    uint32_t ppage = phys & ~PAGE_MASK;
    if (e->phys != ppage || (e->tag_r != lpage && e->tag_w != lpage)) {
        e->tag_r = TLB_INVALID;
        e->tag_w = TLB_INVALID;
    }
    e->phys = ppage;
    if (!write) {
        uint8_t *h = physmem_host_read_page(c->bus.mem, ppage);
        if (h) {
            e->tag_r = lpage;
            e->host_r = (uintptr_t)h;
        }
    } else {
        uint8_t *h = physmem_host_write_page(c->bus.mem, ppage);
        if (h) {
            e->tag_w = lpage;
            e->host_w = (uintptr_t)h;
        }
    }
}

uint32_t x86_read_lin(struct x86_cpu *c, uint32_t lin, int size)
{
    if ((lin & PAGE_MASK) > PAGE_SIZE - (uint32_t)size) {
        /* Crosses a page: each byte is translated on its own. */
        uint32_t v = 0;
        for (int i = 0; i < size; i++)
            v |= x86_read_lin(c, lin + (uint32_t)i, 1) << (8 * i);
        return v;
    }
    c->tlb->misses++;
    uint32_t phys = translate(c, lin);
    tlb_fill(c, lin, phys, 0);
    return physmem_read(c->bus.mem, phys, size);
}

void x86_write_lin(struct x86_cpu *c, uint32_t lin, uint32_t v, int size)
{
    if ((lin & PAGE_MASK) > PAGE_SIZE - (uint32_t)size) {
        /* Both pages are translated before either is written, so a fault on
         * the second leaves memory untouched. */
        uint32_t first = PAGE_SIZE - (lin & PAGE_MASK);
        translate(c, lin + first);
        for (int i = 0; i < size; i++)
            x86_write_lin(c, lin + (uint32_t)i, (v >> (8 * i)) & 0xFF, 1);
        return;
    }
    c->tlb->misses++;
    uint32_t phys = translate(c, lin);
    physmem_write(c->bus.mem, phys, v, size);
    tlb_fill(c, lin, phys, 1);
}

/* An access outside the segment's valid range. */
static NORETURN void segment_fault(struct x86_cpu *c, int seg)
{
    /* Real mode on the 286 reports every limit violation as #GP(0), as the
     * 80286 single-step data shows; the 386 and later raise #SS(0) for
     * stack-segment accesses (Intel SDM vol. 3, 20.1.3). */
    if (seg == X86_SS && c->model >= X86_386)
        x86_fault(c, X86_EXC_SS, 0, 1);
    x86_gp(c, 0);
}

static int offset_ok(uint32_t lo, uint32_t hi, uint32_t off, int size)
{
    return off >= lo && hi >= (uint32_t)(size - 1) && off <= hi - (uint32_t)(size - 1);
}

uint32_t x86_read_slow(struct x86_cpu *c, int seg, uint32_t off, int size)
{
    const struct x86_seg *s = &c->seg[seg];
    if (!offset_ok(s->rlo, s->rhi, off, size)) {
        if (!x86_is_8086(c))
            segment_fault(c, seg);
        /* The 8086 has no limits: offsets wrap within the 64 KiB segment,
         * byte by byte. */
        uint32_t v = 0;
        for (int i = 0; i < size; i++)
            v |= x86_read_lin(c, s->base + ((off + (uint32_t)i) & 0xFFFFu), 1) << (8 * i);
        return v;
    }
    return x86_read_lin(c, s->base + off, size);
}

void x86_write_slow(struct x86_cpu *c, int seg, uint32_t off, uint32_t v, int size)
{
    const struct x86_seg *s = &c->seg[seg];
    if (!offset_ok(s->wlo, s->whi, off, size)) {
        if (!x86_is_8086(c))
            segment_fault(c, seg);
        for (int i = 0; i < size; i++)
            x86_write_lin(c, s->base + ((off + (uint32_t)i) & 0xFFFFu), (v >> (8 * i)) & 0xFF, 1);
        return;
    }
    x86_write_lin(c, s->base + off, v, size);
}

int x86_range_ok(const struct x86_cpu *c, int seg, uint32_t off, uint32_t len, int write)
{
    const struct x86_seg *s = &c->seg[seg];
    if (x86_is_8086(c) || len == 0)
        return 1;
    uint32_t lo = write ? s->wlo : s->rlo, hi = write ? s->whi : s->rhi;
    return off >= lo && off <= hi && hi - off >= len - 1;
}

NORETURN void x86_segment_fault(struct x86_cpu *c, int seg)
{
    segment_fault(c, seg);
}

void x86_check_range(struct x86_cpu *c, int seg, uint32_t off, uint32_t len)
{
    if (!x86_range_ok(c, seg, off, len, 0))
        segment_fault(c, seg);
}
