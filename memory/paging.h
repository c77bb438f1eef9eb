/*
 * The x86 page walk: guest-virtual (linear) -> guest-physical.
 *
 * This is the architectural walk the MMU does on a TLB miss, written as a
 * function of the paging registers and guest memory only, so it can be
 * tested -- and shown to a class -- on its own:
 *   - 32-bit paging: CR3 -> page directory (1024 PDEs) -> page table (1024
 *     PTEs) -> 4 KiB page; with CR4.PSE a PDE with PS=1 maps a 4 MiB page.
 *   - PAE (CR4.PAE): four PDPTEs (loaded when CR3 is written) -> page
 *     directory (512 64-bit PDEs) -> page table (512 PTEs) -> 4 KiB page,
 *     or a 2 MiB page when PDE.PS=1.  Physical addresses may lie above
 *     4 GiB (36 bits here, as on P6-class processors).
 * Permissions combine across levels (Intel SDM vol. 3, 4.6): a user access
 * needs U/S=1 at every level; a write needs R/W=1 at every level unless it
 * is a supervisor write with CR0.WP=0.  The walk sets the accessed bits of
 * the entries it uses and, for writes, the dirty bit of the final entry, as
 * the processor does, and reports the #PF error code when it fails.
 */
#ifndef TRAPEZE_MEMORY_PAGING_H
#define TRAPEZE_MEMORY_PAGING_H

#include <stdint.h>

#include "memory/physmem.h"

/* Access kinds. */
#define PG_ACCESS_WRITE 0x1u
#define PG_ACCESS_USER 0x2u
#define PG_ACCESS_FETCH 0x4u
#define PG_ACCESS_PEEK 0x8u     /* a debugger's look: sets no accessed/dirty bits */

/* #PF error code bits (Intel SDM vol. 3, 4.7). */
#define PF_ERR_PRESENT 0x01u    /* 0: not present; 1: protection violation */
#define PF_ERR_WRITE 0x02u
#define PF_ERR_USER 0x04u
#define PF_ERR_RSVD 0x08u
#define PF_ERR_FETCH 0x10u

/* Page-table entry bits. */
#define PTE_P 0x001u
#define PTE_RW 0x002u
#define PTE_US 0x004u
#define PTE_PWT 0x008u
#define PTE_PCD 0x010u
#define PTE_A 0x020u
#define PTE_D 0x040u
#define PTE_PS 0x080u
#define PTE_G 0x100u

struct paging_regs {
    uint32_t cr3;
    int pse;        /* CR4.PSE */
    int pae;        /* CR4.PAE */
    int pge;        /* CR4.PGE */
    int wp;         /* CR0.WP */
    uint64_t pdpte[4];  /* PAE: loaded from CR3 when it was written */
};

struct paging_result {
    uint64_t phys;          /* the guest-physical address */
    uint32_t error;         /* #PF error code when the walk failed */
    uint32_t page_size;     /* 4 KiB, 2 MiB or 4 MiB */
    int writable;           /* a write with these rights would be allowed now */
    int user;               /* user mode may access the page */
    int global;             /* G bit (honoured only with CR4.PGE) */
    int dirty;              /* the final entry's D bit is set */
    int levels;             /* entries read: 2 (or 3 with PAE) */
    uint64_t entry_addr[3]; /* where each entry of the walk lives, for teaching views */
    uint64_t entry[3];
};

/* Walk for `access`.  Returns 1 and fills *r on success; returns 0 with
 * r->error set when the access must raise #PF. */
int paging_walk(struct physmem *pm, const struct paging_regs *regs, uint32_t lin, unsigned access,
                struct paging_result *r);

/* Load the four PAE PDPTEs from CR3 (on MOV CR3 with PAE on).  Returns 0,
 * or -1 when a present PDPTE has reserved bits set (MOV CR3 then #GPs). */
int paging_load_pdptes(struct physmem *pm, struct paging_regs *regs);

#endif
