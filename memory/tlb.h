/*
 * The software TLB: linear page -> guest-physical page -> host page.
 *
 * A hit is one compare and one load: the entry for a linear address is
 * e[(lin >> 12) % SIZE]; if its tag equals the linear page, the host byte is
 * at host + (lin & 0xFFF).  Reads and writes have their own tags, because
 * they can go to different places (ROM, shadow RAM) and because a page may
 * be readable but not writable right now (page protection, a page whose
 * dirty bit is not yet set, a page holding decoded code).  Besides the
 * host tags, each entry caches the translation itself (tag_xr/tag_xw ->
 * phys), so MMIO pages and code pages -- which must take the slow path --
 * still skip the page walk.
 *
 * There are two sets of entries: one filled by supervisor accesses and one
 * by user accesses (CPL 3), because the same page can be writable for one
 * and not the other.  Changing privilege switches sets; nothing is flushed.
 */
#ifndef TRAPEZE_MEMORY_TLB_H
#define TRAPEZE_MEMORY_TLB_H

#include <stdint.h>

#define X86_TLB_SIZE 1024
#define TLB_INVALID 1u      /* never equal to a page-aligned tag */

struct x86_tlb_entry {
    uint32_t tag_r, tag_w;      /* host fast path: linear page, or TLB_INVALID */
    uintptr_t host_r, host_w;   /* host address of the page's first byte */
    uint32_t tag_xr, tag_xw;    /* translation valid for reads / writes */
    uint32_t global;            /* survives CR3 loads (PGE) */
    uint64_t phys;              /* guest-physical page address */
};

struct x86_tlb {
    struct x86_tlb_entry e[2][X86_TLB_SIZE];   /* [0] supervisor, [1] user */
    struct x86_tlb_entry *cur;  /* the set for the current privilege */
    int large_pages;            /* entries from 2/4 MiB pages were filled since the last full flush */
    /* Counters for the teaching views. */
    uint64_t hits, misses, flushes, walks;
};

static inline void tlb_entry_clear(struct x86_tlb_entry *e)
{
    e->tag_r = e->tag_w = e->tag_xr = e->tag_xw = TLB_INVALID;
    e->global = 0;
}

/* Flush everything (or everything but global pages). */
static inline void tlb_flush(struct x86_tlb *t, int keep_global)
{
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < X86_TLB_SIZE; i++)
            if (!(keep_global && t->e[s][i].global))
                tlb_entry_clear(&t->e[s][i]);
    if (!keep_global)
        t->large_pages = 0;
    t->flushes++;
}

/* INVLPG: drop the translation of one linear page, global or not. */
static inline void tlb_flush_page(struct x86_tlb *t, uint32_t lin)
{
    for (int s = 0; s < 2; s++) {
        struct x86_tlb_entry *e = &t->e[s][(lin >> 12) & (X86_TLB_SIZE - 1)];
        if (e->tag_xr == (lin & ~0xFFFu) || e->tag_xw == (lin & ~0xFFFu))
            tlb_entry_clear(e);
    }
}

/* Drop the host write path of every entry that maps guest-physical page
 * `phys` (it now holds decoded code: writes must be seen). */
static inline void tlb_protect_phys(struct x86_tlb *t, uint64_t phys)
{
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < X86_TLB_SIZE; i++)
            if (t->e[s][i].phys == phys)
                t->e[s][i].tag_w = TLB_INVALID;
}

#endif
