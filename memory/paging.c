/*
 * The x86 page walk.  See paging.h.
 */
#include "memory/paging.h"

/* Physical address width with PAE: 36 bits, as P6-class processors have. */
#define PAE_ADDR_MASK 0x0000000FFFFFF000ull
#define PAE_RESERVED 0xFFFFFFF000000000ull  /* bits 36..63 (no NX without EFER.NXE) */

static uint64_t read_entry(struct physmem *pm, uint64_t addr, int wide)
{
    uint64_t lo = physmem_read(pm, addr, 4);
    return wide ? lo | (uint64_t)physmem_read(pm, addr + 4, 4) << 32 : lo;
}

/* Set accessed (and dirty) bits as the processor does: with a locked
 * read-modify-write of the entry's low dword, only when they change. */
static void mark(struct physmem *pm, uint64_t addr, uint64_t entry, uint32_t bits)
{
    if (bits & (PG_ACCESS_PEEK << 16))
        return;
    bits &= 0xFFFFu;
    uint32_t lo = (uint32_t)entry;
    if ((lo & bits) != bits)
        physmem_write(pm, addr, lo | bits, 4);
}

static int fail(struct paging_result *r, unsigned access, uint32_t extra)
{
    r->error = extra | ((access & PG_ACCESS_WRITE) ? PF_ERR_WRITE : 0) |
               ((access & PG_ACCESS_USER) ? PF_ERR_USER : 0);
    return 0;
}

/* The rights check, once the combined U/S and R/W bits are known. */
static int allowed(const struct paging_regs *regs, unsigned access, int user, int rw)
{
    if ((access & PG_ACCESS_USER) && !user)
        return 0;
    if (access & PG_ACCESS_WRITE) {
        if (access & PG_ACCESS_USER)
            return rw;
        return rw || !regs->wp;
    }
    return 1;
}

/* Where a directory entry lives and what it held, for its accessed bit. */
struct upper {
    uint64_t addr, entry;
};

/* The entry that maps the page: check the rights, set the accessed bit of
 * the directory entry above it (if any) and then its own accessed (and,
 * for a write, dirty) bit -- in that order, so a page table that maps
 * itself keeps both -- and describe the page in r. */
static int map_page(struct physmem *pm, const struct paging_regs *regs, unsigned access, struct paging_result *r,
                    const struct upper *up, uint64_t addr, uint64_t entry, int user, int rw, uint64_t phys,
                    uint32_t size)
{
    if (!allowed(regs, access, user, rw))
        return fail(r, access, PF_ERR_PRESENT);
    if (up)
        mark(pm, up->addr, up->entry, PTE_A | (access & PG_ACCESS_PEEK) << 16);
    mark(pm, addr, entry, PTE_A | ((access & PG_ACCESS_WRITE) ? PTE_D : 0) | (access & PG_ACCESS_PEEK) << 16);
    r->phys = phys;
    r->page_size = size;
    r->user = user;
    r->writable = allowed(regs, access | PG_ACCESS_WRITE, user, rw);
    r->global = (entry & PTE_G) != 0;
    r->dirty = (entry & PTE_D) || (access & PG_ACCESS_WRITE);
    return 1;
}

static int walk_32(struct physmem *pm, const struct paging_regs *regs, uint32_t lin, unsigned access,
                   struct paging_result *r)
{
    uint64_t pde_addr = (regs->cr3 & 0xFFFFF000u) + ((lin >> 22) << 2);
    uint64_t pde = read_entry(pm, pde_addr, 0);
    r->levels = 1;
    r->entry_addr[0] = pde_addr;
    r->entry[0] = pde;
    if (!(pde & PTE_P))
        return fail(r, access, 0);

    if ((pde & PTE_PS) && regs->pse) {
        /* A 4 MiB page (Intel SDM vol. 3, 4.3, table 4-4).  Without PSE-36
         * bits 13..21 are reserved. */
        if (pde & 0x003FE000u)
            return fail(r, access, PF_ERR_PRESENT | PF_ERR_RSVD);
        return map_page(pm, regs, access, r, NULL, pde_addr, pde, (pde & PTE_US) != 0, (pde & PTE_RW) != 0,
                        (pde & 0xFFC00000u) | (lin & 0x3FFFFFu), 4u << 20);
    }

    uint64_t pte_addr = (pde & 0xFFFFF000u) + (((lin >> 12) & 0x3FFu) << 2);
    uint64_t pte = read_entry(pm, pte_addr, 0);
    r->levels = 2;
    r->entry_addr[1] = pte_addr;
    r->entry[1] = pte;
    if (!(pte & PTE_P))
        return fail(r, access, 0);
    int user = (pde & PTE_US) && (pte & PTE_US);
    int rw = (pde & PTE_RW) && (pte & PTE_RW);
    const struct upper up = { pde_addr, pde };
    return map_page(pm, regs, access, r, &up, pte_addr, pte, user, rw, (pte & 0xFFFFF000u) | (lin & 0xFFFu), 4096);
}

static int walk_pae(struct physmem *pm, const struct paging_regs *regs, uint32_t lin, unsigned access,
                    struct paging_result *r)
{
    uint64_t pdpte = regs->pdpte[lin >> 30];
    r->levels = 1;
    r->entry_addr[0] = (regs->cr3 & 0xFFFFFFE0u) + ((lin >> 30) << 3);
    r->entry[0] = pdpte;
    if (!(pdpte & PTE_P))
        return fail(r, access, 0);

    uint64_t pde_addr = (pdpte & PAE_ADDR_MASK) + (((lin >> 21) & 0x1FFu) << 3);
    uint64_t pde = read_entry(pm, pde_addr, 1);
    r->levels = 2;
    r->entry_addr[1] = pde_addr;
    r->entry[1] = pde;
    if (!(pde & PTE_P))
        return fail(r, access, 0);
    if (pde & PAE_RESERVED)
        return fail(r, access, PF_ERR_PRESENT | PF_ERR_RSVD);

    if (pde & PTE_PS) {
        /* A 2 MiB page; bits 13..20 of the entry are reserved. */
        if (pde & 0x1FE000u)
            return fail(r, access, PF_ERR_PRESENT | PF_ERR_RSVD);
        return map_page(pm, regs, access, r, NULL, pde_addr, pde, (pde & PTE_US) != 0, (pde & PTE_RW) != 0,
                        (pde & 0xFFFE00000ull) | (lin & 0x1FFFFFu), 2u << 20);
    }

    uint64_t pte_addr = (pde & PAE_ADDR_MASK) + (((lin >> 12) & 0x1FFu) << 3);
    uint64_t pte = read_entry(pm, pte_addr, 1);
    r->levels = 3;
    r->entry_addr[2] = pte_addr;
    r->entry[2] = pte;
    if (!(pte & PTE_P))
        return fail(r, access, 0);
    if (pte & PAE_RESERVED)
        return fail(r, access, PF_ERR_PRESENT | PF_ERR_RSVD);
    int user = (pde & PTE_US) && (pte & PTE_US);
    int rw = (pde & PTE_RW) && (pte & PTE_RW);
    const struct upper up = { pde_addr, pde };
    return map_page(pm, regs, access, r, &up, pte_addr, pte, user, rw, (pte & PAE_ADDR_MASK) | (lin & 0xFFFu), 4096);
}

int paging_walk(struct physmem *pm, const struct paging_regs *regs, uint32_t lin, unsigned access,
                struct paging_result *r)
{
    r->error = 0;
    r->global = 0;
    return regs->pae ? walk_pae(pm, regs, lin, access, r) : walk_32(pm, regs, lin, access, r);
}

int paging_load_pdptes(struct physmem *pm, struct paging_regs *regs)
{
    uint64_t base = regs->cr3 & 0xFFFFFFE0u;
    uint64_t e[4];
    for (int i = 0; i < 4; i++) {
        e[i] = read_entry(pm, base + 8u * (uint64_t)i, 1);
        /* In PAE mode the PDPTEs' R/W, U/S, A, D, PS, G bits are reserved
         * (Intel SDM vol. 3, 4.4.1). */
        if ((e[i] & PTE_P) && (e[i] & (PAE_RESERVED | 0x1E6u)))
            return -1;
    }
    for (int i = 0; i < 4; i++)
        regs->pdpte[i] = e[i];
    return 0;
}
