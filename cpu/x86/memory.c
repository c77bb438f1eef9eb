/*
 * The x86 memory access slow path: segment faults, linear -> physical
 * translation (the page walk), TLB refills, page-crossing and MMIO
 * accesses.
 *
 * The fast path (internal.h) handles an access that passes the segment's
 * offset range and hits the TLB without crossing a page.  Everything else
 * comes here.
 */
#include "cpu/x86/internal.h"
#include "memory/paging.h"

#define CR0_PG 0x80000000u

static uint64_t a20_mask(const struct x86_cpu *c)
{
    return c->bus.mem->a20_enabled ? ~0ull : ~(uint64_t)(1u << 20);
}

static void paging_regs_of(const struct x86_cpu *c, struct paging_regs *r)
{
    r->cr3 = c->cr3;
    r->pse = (c->cr4 & X86_CR4_PSE) != 0 || (c->cr4 & X86_CR4_PAE) != 0;
    r->pae = (c->cr4 & X86_CR4_PAE) != 0;
    r->pge = (c->cr4 & X86_CR4_PGE) != 0;
    r->wp = (c->cr0 & X86_CR0_WP) != 0;
    for (int i = 0; i < 4; i++)
        r->pdpte[i] = c->pdpte[i];
}

/* Refill `e` for the linear page `lpage` now mapped to `phys`. */
static void tlb_refill(struct x86_cpu *c, struct x86_tlb_entry *e, uint32_t lpage, uint64_t phys,
                       int may_write, int global)
{
    if (e->phys != phys || (e->tag_xr != lpage && e->tag_xw != lpage))
        tlb_entry_clear(e);
    e->phys = phys;
    e->global = (uint32_t)global;
    e->tag_xr = lpage;
    uint8_t *hr = phys >> 32 ? NULL : physmem_host_read_page(c->bus.mem, phys);
    e->tag_r = hr ? lpage : TLB_INVALID;
    e->host_r = (uintptr_t)hr;
    if (may_write) {
        uint8_t *hw = phys >> 32 ? NULL : physmem_host_write_page(c->bus.mem, phys);
        e->tag_xw = lpage;
        e->tag_w = hw ? lpage : TLB_INVALID;
        e->host_w = (uintptr_t)hw;
    }
}

uint64_t x86_translate(struct x86_cpu *c, uint32_t lin, unsigned access)
{
    int user = (access & PG_ACCESS_USER) != 0;
    struct x86_tlb_entry *e = &c->tlb->e[user][(lin >> PAGE_SHIFT) & (X86_TLB_SIZE - 1)];
    uint32_t lpage = lin & ~PAGE_MASK;
    if ((access & PG_ACCESS_WRITE) ? e->tag_xw == lpage : e->tag_xr == lpage)
        return e->phys | (lin & PAGE_MASK);

    c->tlb->misses++;
    uint64_t phys;
    int may_write = 1, global = 0;
    if (c->cr0 & CR0_PG) {
        struct paging_regs regs;
        struct paging_result r;
        paging_regs_of(c, &regs);
        c->tlb->walks++;
        if (!paging_walk(c->bus.mem, &regs, lin, access, &r)) {
            c->cr2 = lin;
            x86_fault(c, X86_EXC_PF, r.error, 1);
        }
        phys = r.phys & ~(uint64_t)PAGE_MASK;
        /* Writes may take the fast path only once the dirty bit is set. */
        may_write = r.writable && r.dirty;
        global = r.global && regs.pge;
        if (r.page_size > PAGE_SIZE)
            c->tlb->large_pages = 1;
    } else {
        phys = lin & c->addr_mask & ~PAGE_MASK;
    }
    phys &= a20_mask(c);
    tlb_refill(c, e, lpage, phys, may_write, global);
    return phys | (lin & PAGE_MASK);
}

static unsigned access_kind(const struct x86_cpu *c, int write)
{
    return (write ? PG_ACCESS_WRITE : 0) | (c->cpl == 3 ? PG_ACCESS_USER : 0);
}

static uint32_t read_lin_as(struct x86_cpu *c, uint32_t lin, int size, unsigned access)
{
    if ((lin & PAGE_MASK) > PAGE_SIZE - (uint32_t)size) {
        /* Crosses a page: each byte is translated on its own. */
        uint32_t v = 0;
        for (int i = 0; i < size; i++)
            v |= read_lin_as(c, lin + (uint32_t)i, 1, access) << (8 * i);
        return v;
    }
    return physmem_read(c->bus.mem, x86_translate(c, lin, access), size);
}

static void write_lin_as(struct x86_cpu *c, uint32_t lin, uint32_t v, int size, unsigned access)
{
    if ((lin & PAGE_MASK) > PAGE_SIZE - (uint32_t)size) {
        /* Both pages are translated before either is written, so a fault on
         * the second leaves memory untouched. */
        uint32_t first = PAGE_SIZE - (lin & PAGE_MASK);
        x86_translate(c, lin + first, access);
        for (int i = 0; i < size; i++)
            write_lin_as(c, lin + (uint32_t)i, (v >> (8 * i)) & 0xFF, 1, access);
        return;
    }
    uint64_t phys = x86_translate(c, lin, access);
    physmem_write(c->bus.mem, phys, v, size);
    /* A write to a code page cleared its flag: the host path may open now. */
    int user = (access & PG_ACCESS_USER) != 0;
    struct x86_tlb_entry *e = &c->tlb->e[user][(lin >> PAGE_SHIFT) & (X86_TLB_SIZE - 1)];
    if (e->tag_xw == (lin & ~PAGE_MASK) && e->tag_w == TLB_INVALID && !(phys >> 32)) {
        uint8_t *hw = physmem_host_write_page(c->bus.mem, phys);
        if (hw) {
            e->tag_w = lin & ~PAGE_MASK;
            e->host_w = (uintptr_t)hw;
        }
    }
}

uint32_t x86_read_lin(struct x86_cpu *c, uint32_t lin, int size)
{
    return read_lin_as(c, lin, size, access_kind(c, 0));
}

void x86_write_lin(struct x86_cpu *c, uint32_t lin, uint32_t v, int size)
{
    write_lin_as(c, lin, v, size, access_kind(c, 1));
}

uint32_t x86_read_lin_priv(struct x86_cpu *c, uint32_t lin, int size, int user)
{
    return read_lin_as(c, lin, size, user ? PG_ACCESS_USER : 0);
}

void x86_write_lin_priv(struct x86_cpu *c, uint32_t lin, uint32_t v, int size, int user)
{
    write_lin_as(c, lin, v, size, PG_ACCESS_WRITE | (user ? PG_ACCESS_USER : 0));
}

/* Implicit supervisor accesses: descriptor tables, the IDT, the TSS -- the
 * processor makes them with supervisor rights whatever the CPL (Intel SDM
 * vol. 3, 4.6). */
uint32_t x86_read_sys(struct x86_cpu *c, uint32_t lin, int size)
{
    return read_lin_as(c, lin, size, 0);
}

void x86_write_sys(struct x86_cpu *c, uint32_t lin, uint32_t v, int size)
{
    write_lin_as(c, lin, v, size, PG_ACCESS_WRITE);
}

/* An access outside the segment's valid range. */
static NORETURN void segment_fault(struct x86_cpu *c, int seg)
{
    /* Real mode on the 286 reports every limit violation as #GP(0), as the
     * 80286 single-step data shows; the 386 and later raise #SS(0) for
     * stack-segment accesses (Intel SDM vol. 3, 20.1.3), as protected mode
     * does on every model. */
    if (seg == X86_SS && (c->model >= X86_386 || (c->cr0 & 1u)))
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

/* The privilege level changed: switch TLB sets. */
void x86_set_cpl(struct x86_cpu *c, int cpl)
{
    c->cpl = cpl;
    c->tlb->cur = c->tlb->e[cpl == 3 ? 1 : 0];
}

int x86_peek_lin(struct x86_cpu *c, uint32_t lin)
{
    uint64_t phys;
    if (c->cr0 & CR0_PG) {
        struct paging_regs regs;
        struct paging_result r;
        paging_regs_of(c, &regs);
        if (!paging_walk(c->bus.mem, &regs, lin, PG_ACCESS_PEEK, &r))
            return -1;
        phys = r.phys;
    } else {
        phys = lin & c->addr_mask;
    }
    return (int)physmem_read(c->bus.mem, phys & a20_mask(c), 1);
}
