/*
 * The software TLB: linear page -> host page, for reads and for writes.
 *
 * A hit is one compare and one load: the entry for a linear address is
 * e[(lin >> 12) % SIZE]; if its tag equals the linear page, the host byte is
 * at host + (lin & 0xFFF).  Reads and writes have their own tags because
 * they can go to different places (ROM, shadow RAM) and because a page may
 * be readable but not writable (page protection, not-yet-dirty pages, pages
 * holding decoded code).  Anything else -- MMIO, open bus, page-crossing
 * accesses, misses -- takes the slow path, which walks the guest's page
 * tables if paging is on, consults physmem, and refills the entry.
 */
#ifndef TRAPEZE_MEMORY_TLB_H
#define TRAPEZE_MEMORY_TLB_H

#include <stdint.h>

#define X86_TLB_SIZE 1024
#define TLB_INVALID 1u      /* never equal to a page-aligned tag */

struct x86_tlb_entry {
    uint32_t tag_r, tag_w;  /* linear page address, or TLB_INVALID */
    uintptr_t host_r, host_w;   /* host address of the page's first byte */
    uint32_t phys;          /* guest-physical page address (for code-page tracking) */
};

struct x86_tlb {
    struct x86_tlb_entry e[X86_TLB_SIZE];
    uint32_t generation;    /* physmem generation the entries were filled under */
    /* Counters for the teaching views. */
    uint64_t hits, misses, flushes, walks;
};

static inline void tlb_flush(struct x86_tlb *t)
{
    for (int i = 0; i < X86_TLB_SIZE; i++) {
        t->e[i].tag_r = TLB_INVALID;
        t->e[i].tag_w = TLB_INVALID;
    }
    t->flushes++;
}

static inline void tlb_flush_page(struct x86_tlb *t, uint32_t lin)
{
    struct x86_tlb_entry *e = &t->e[(lin >> 12) & (X86_TLB_SIZE - 1)];
    if (e->tag_r == (lin & ~0xFFFu) || e->tag_w == (lin & ~0xFFFu)) {
        e->tag_r = TLB_INVALID;
        e->tag_w = TLB_INVALID;
    }
}

/* Drop write permission for every entry that maps guest-physical page `phys`
 * (it now holds decoded code: writes must be seen). */
static inline void tlb_protect_phys(struct x86_tlb *t, uint32_t phys)
{
    for (int i = 0; i < X86_TLB_SIZE; i++)
        if (t->e[i].phys == phys)
            t->e[i].tag_w = TLB_INVALID;
}

#endif
