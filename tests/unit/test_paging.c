/* The page walker (memory/paging.c) and the software TLB (memory/tlb.h),
 * on a bare physmem: 32-bit paging with 4 KiB and 4 MiB pages, PAE with
 * 2 MiB pages, accessed/dirty bits, WP, U/S, error codes, reserved bits;
 * and the TLB's flush rules.  Also: the sensitive-instruction path reports
 * to an observer. */
#include <string.h>

#include "memory/paging.h"
#include "memory/tlb.h"
#include "tests/testlib.h"
#include "tests/unit/x86_rig.h"

TEST_MAIN_COUNTS;

#define PD 0x10000u
#define PT 0x11000u

static uint32_t rd32(struct physmem *pm, uint64_t a) { return physmem_read(pm, a, 4); }
static void wr32(struct physmem *pm, uint64_t a, uint32_t v) { physmem_write(pm, a, v, 4); }

static void test_32bit(void)
{
    struct physmem pm;
    CHECK_EQ(physmem_init(&pm, 16u << 20), 0);
    struct paging_regs regs = { PD, 0, 0, 0, 0, { 0, 0, 0, 0 } };
    struct paging_result r;

    /* Linear 0x00403123 -> PDE 1 -> PT entry 3 -> frame 0x00555000. */
    wr32(&pm, PD + 4, PT | PTE_P | PTE_RW | PTE_US);
    wr32(&pm, PT + 3 * 4, 0x00555000u | PTE_P | PTE_RW | PTE_US);
    CHECK(paging_walk(&pm, &regs, 0x00403123, 0, &r));
    CHECK_EQ(r.phys, 0x00555123);
    CHECK_EQ(r.page_size, 4096);
    CHECK_EQ(r.levels, 2);
    /* A read sets A on both entries and not D. */
    CHECK(rd32(&pm, PD + 4) & PTE_A);
    CHECK(rd32(&pm, PT + 12) & PTE_A);
    CHECK(!(rd32(&pm, PT + 12) & PTE_D));
    /* A write sets D on the final entry. */
    CHECK(paging_walk(&pm, &regs, 0x00403123, PG_ACCESS_WRITE, &r));
    CHECK(rd32(&pm, PT + 12) & PTE_D);
    CHECK(!(rd32(&pm, PD + 4) & PTE_D));
    /* A peek sets nothing. */
    wr32(&pm, PT + 4 * 4, 0x00556000u | PTE_P);
    CHECK(paging_walk(&pm, &regs, 0x00404000, PG_ACCESS_PEEK, &r));
    CHECK(!(rd32(&pm, PT + 16) & PTE_A));

    /* Not present: error code 0 (+W, +U). */
    CHECK(!paging_walk(&pm, &regs, 0x00800000, 0, &r));
    CHECK_EQ(r.error, 0);
    CHECK(!paging_walk(&pm, &regs, 0x00405000, PG_ACCESS_WRITE | PG_ACCESS_USER, &r));
    CHECK_EQ(r.error, PF_ERR_WRITE | PF_ERR_USER);

    /* Protection: a supervisor-only page from user mode. */
    wr32(&pm, PT + 5 * 4, 0x00557000u | PTE_P | PTE_RW);
    CHECK(!paging_walk(&pm, &regs, 0x00405000, PG_ACCESS_USER, &r));
    CHECK_EQ(r.error, PF_ERR_PRESENT | PF_ERR_USER);
    /* Read-only page: a user write faults; a supervisor write passes
     * unless CR0.WP. */
    wr32(&pm, PT + 6 * 4, 0x00558000u | PTE_P | PTE_US);
    CHECK(!paging_walk(&pm, &regs, 0x00406000, PG_ACCESS_USER | PG_ACCESS_WRITE, &r));
    CHECK_EQ(r.error, PF_ERR_PRESENT | PF_ERR_WRITE | PF_ERR_USER);
    CHECK(paging_walk(&pm, &regs, 0x00406000, PG_ACCESS_WRITE, &r));
    regs.wp = 1;
    CHECK(!paging_walk(&pm, &regs, 0x00406000, PG_ACCESS_WRITE, &r));
    CHECK_EQ(r.error, PF_ERR_PRESENT | PF_ERR_WRITE);
    /* R/W combines across levels: a read-only PDE makes its pages read-only. */
    wr32(&pm, PD + 8, (PT + 0x1000) | PTE_P | PTE_US);
    wr32(&pm, PT + 0x1000, 0x00559000u | PTE_P | PTE_RW | PTE_US);
    CHECK(!paging_walk(&pm, &regs, 0x00800000, PG_ACCESS_WRITE | PG_ACCESS_USER, &r));
    regs.wp = 0;

    /* 4 MiB pages need CR4.PSE; bits 13..21 are reserved. */
    wr32(&pm, PD + 12, 0x01000000u | PTE_P | PTE_RW | PTE_PS | PTE_G);
    paging_walk(&pm, &regs, 0x00C12345, 0, &r);     /* PSE off: PS is ignored, */
    CHECK_EQ(r.levels, 2);                          /* the PDE names a table */
    regs.pse = 1;
    CHECK(paging_walk(&pm, &regs, 0x00C12345, 0, &r));
    CHECK_EQ(r.phys, 0x01012345);
    CHECK_EQ(r.page_size, 4u << 20);
    CHECK(r.global);
    wr32(&pm, PD + 12, 0x01000000u | PTE_P | PTE_PS | 0x00200000u);
    CHECK(!paging_walk(&pm, &regs, 0x00C00000, 0, &r));
    CHECK_EQ(r.error, PF_ERR_PRESENT | PF_ERR_RSVD);

    /* A directory that maps itself (PDE 4 -> the directory): writing the
     * page it maps sets A and D in the one entry that is both PDE and PTE. */
    wr32(&pm, PD + 16, PD | PTE_P | PTE_RW);
    CHECK(paging_walk(&pm, &regs, 0x01004000, PG_ACCESS_WRITE, &r));
    CHECK_EQ(r.phys, PD);
    CHECK_EQ(rd32(&pm, PD + 16) & (PTE_A | PTE_D), PTE_A | PTE_D);
    physmem_destroy(&pm);
}

static void test_pae(void)
{
    struct physmem pm;
    CHECK_EQ(physmem_init(&pm, 16u << 20), 0);
    const uint32_t pdpt = 0x20000, pd = 0x21000, pt = 0x22000;
    struct paging_regs regs = { pdpt, 1, 1, 0, 0, { 0, 0, 0, 0 } };
    struct paging_result r;
    wr32(&pm, pdpt + 8, pd | PTE_P);                    /* PDPTE 1: 1-2 GiB */
    CHECK_EQ(paging_load_pdptes(&pm, &regs), 0);
    CHECK_EQ(regs.pdpte[1] & ~0xFFFull, pd);
    /* PDE 2 of that directory: a table; PDE 3: a 2 MiB page. */
    wr32(&pm, pd + 2 * 8, pt | PTE_P | PTE_RW);
    wr32(&pm, pt + 5 * 8, 0x00345000u | PTE_P | PTE_RW);
    wr32(&pm, pt + 5 * 8 + 4, 0);
    CHECK(paging_walk(&pm, &regs, 0x40405678, 0, &r));
    CHECK_EQ(r.phys, 0x00345678);
    CHECK_EQ(r.levels, 3);
    wr32(&pm, pd + 3 * 8, 0x00600000u | PTE_P | PTE_PS);
    CHECK(paging_walk(&pm, &regs, 0x40654321, 0, &r));
    CHECK_EQ(r.phys, 0x00654321);
    CHECK_EQ(r.page_size, 2u << 20);
    /* Physical addresses above 4 GiB (36 bits). */
    wr32(&pm, pt + 6 * 8, 0x00001000u | PTE_P);
    wr32(&pm, pt + 6 * 8 + 4, 0x3);
    CHECK(paging_walk(&pm, &regs, 0x40406010, 0, &r));
    CHECK_EQ(r.phys, 0x300001010ull);
    /* Bit 40 is reserved: #PF with RSVD. */
    wr32(&pm, pt + 7 * 8, 0x00001000u | PTE_P);
    wr32(&pm, pt + 7 * 8 + 4, 0x100);
    CHECK(!paging_walk(&pm, &regs, 0x40407000, 0, &r));
    CHECK_EQ(r.error, PF_ERR_PRESENT | PF_ERR_RSVD);
    /* A not-present PDPTE. */
    CHECK(!paging_walk(&pm, &regs, 0x00001000, 0, &r));
    CHECK_EQ(r.error, 0);
    /* Reserved bits in a present PDPTE make the load fail (MOV CR3 #GPs). */
    wr32(&pm, pdpt, 0x1000 | PTE_P | PTE_RW);
    CHECK_EQ(paging_load_pdptes(&pm, &regs), -1);
    physmem_destroy(&pm);
}

static void test_tlb(void)
{
    static struct x86_tlb t;    /* large: off the stack */
    tlb_flush(&t, 0);
    t.cur = t.e[0];
    struct x86_tlb_entry *a = &t.e[0][5], *b = &t.e[1][6];
    a->tag_r = a->tag_xr = 0x5000;
    b->tag_r = b->tag_xr = 0x6000;
    b->global = 1;
    /* CR3 load: non-global entries go, global ones stay. */
    tlb_flush(&t, 1);
    CHECK_EQ(a->tag_r, TLB_INVALID);
    CHECK_EQ(b->tag_r, 0x6000);
    /* INVLPG drops even a global page. */
    tlb_flush_page(&t, 0x6abc);
    CHECK_EQ(b->tag_r, TLB_INVALID);
    /* A code page loses its write fast path in both sets. */
    a->tag_w = a->tag_xw = 0x5000;
    a->phys = 0x123000;
    t.e[1][5] = *a;
    tlb_protect_phys(&t, 0x123000);
    CHECK_EQ(a->tag_w, TLB_INVALID);
    CHECK_EQ(t.e[1][5].tag_w, TLB_INVALID);
    CHECK_EQ(a->tag_xw, 0x5000);
}

/* The observer hears every sensitive instruction once. */
struct heard {
    unsigned count[X86_SENS_COUNT];
};

static void on_sensitive(void *opaque, const struct x86_cpu *cpu, int kind)
{
    (void)cpu;
    ((struct heard *)opaque)->count[kind]++;
}

static void test_sensitive_path(void)
{
    static const uint8_t code[] = {
        0xFA,               /* cli */
        0xE6, 0x60,         /* out 0x60, al */
        0x9C,               /* pushf */
        0x9D,               /* popf */
        0x8E, 0xD8,         /* mov ds, ax */
        0xFB,               /* sti */
        0xF4,               /* hlt */
    };
    struct rig *r = rig_new(X86_386, 1 << 20);
    rig_program(r, code, sizeof(code));
    struct heard h;
    memset(&h, 0, sizeof(h));
    /* The observer has one opaque pointer: take it over from the rig. */
    r->cpu.observer.exception = NULL;
    r->cpu.observer.sensitive = on_sensitive;
    r->cpu.observer.opaque = &h;
    rig_run(r, 100000);
    CHECK_EQ(h.count[X86_SENS_IF], 2);
    CHECK_EQ(h.count[X86_SENS_IO], 1);
    CHECK_EQ(h.count[X86_SENS_FLAGS], 2);
    CHECK_EQ(h.count[X86_SENS_SEG], 1);
    CHECK_EQ(h.count[X86_SENS_HLT], 1);
    CHECK_EQ(r->cpu.sensitive_count[X86_SENS_IF], 2);
    rig_free(r);
}

int main(void)
{
    test_32bit();
    test_pae();
    test_tlb();
    test_sensitive_path();
    return test_report();
}
