/*
 * The decoded-instruction cache: decode once, execute many times.
 *
 * Instructions are decoded into traces -- runs of consecutive instructions
 * starting at a guest-physical address and ending at a control transfer,
 * a mode-changing instruction or the end of the page.  Traces live in a
 * direct-mapped table indexed by physical address.
 *
 * Each guest-physical page has a generation number.  A trace remembers the
 * generation of its page(s) when it was decoded; a write to a page holding
 * code (physmem tells us through PM_CODE) bumps the generation, so every
 * trace from that page is stale at its next lookup.  This also catches
 * self-modifying code written through another linear alias of the page,
 * since pages are tracked by physical address.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/x86/internal.h"

#define TRACE_MAX 32
#define TRACE_SLOTS 4096
#define NO_PAGE 0xFFFFFFFFu

struct x86_trace {
    uint32_t phys;          /* guest-physical address of the first byte */
    uint32_t key;           /* decoding mode (code32, PE, VM) */
    uint32_t page, gen;     /* page of the first byte and its generation */
    uint32_t page2, gen2;   /* a second page the last instruction reaches into */
    int n;
    struct x86_insn insn[TRACE_MAX];
};

struct x86_code_cache {
    struct x86_trace slot[TRACE_SLOTS];
    uint32_t *page_gen;     /* PHYS_PAGES generations */
    uint64_t decodes, lookups;
};

static void on_code_write(void *opaque, uint64_t gpa)
{
    struct x86_cpu *c = opaque;
    c->code->page_gen[(uint32_t)(gpa >> PAGE_SHIFT)]++;
    /* The running trace may be stale from here on. */
    c->event |= X86_EV_SMC;
}

static void on_map_changed(void *opaque)
{
    struct x86_cpu *c = opaque;
    x86_flush_caches(c);
}

int x86_code_cache_init(struct x86_cpu *c)
{
    c->code = calloc(1, sizeof(*c->code));
    if (!c->code)
        return -1;
    c->code->page_gen = calloc(PHYS_PAGES, sizeof(uint32_t));
    if (!c->code->page_gen) {
        free(c->code);
        c->code = NULL;
        return -1;
    }
    x86_code_cache_flush(c);
    c->bus.mem->code_write = on_code_write;
    c->bus.mem->code_opaque = c;
    c->bus.mem->map_changed = on_map_changed;
    c->bus.mem->map_opaque = c;
    return 0;
}

void x86_code_cache_destroy(struct x86_cpu *c)
{
    if (!c->code)
        return;
    if (c->bus.mem->code_opaque == c) {
        c->bus.mem->code_write = NULL;
        c->bus.mem->map_changed = NULL;
    }
    free(c->code->page_gen);
    free(c->code);
    c->code = NULL;
}

void x86_code_cache_flush(struct x86_cpu *c)
{
    for (int k = 0; k < TRACE_SLOTS; k++)
        c->code->slot[k].phys = NO_PAGE;
}

/* Fetch up to `want` instruction bytes at linear `lin` without crossing
 * into the next page.  Returns how many it got (0 for an open-bus page). */
static int fetch_in_page(struct x86_cpu *c, uint32_t phys, uint8_t *buf, int want)
{
    int room = (int)(PAGE_SIZE - (phys & PAGE_MASK));
    int n = want < room ? want : room;
    const uint8_t *h = physmem_host_read_page(c->bus.mem, phys);
    if (h) {
        memcpy(buf, h + (phys & PAGE_MASK), (size_t)n);
    } else {
        for (int k = 0; k < n; k++)
            buf[k] = (uint8_t)physmem_read(c->bus.mem, phys + (uint32_t)k, 1);
    }
    return n;
}

static unsigned fetch_access(const struct x86_cpu *c)
{
    return PG_ACCESS_FETCH | (c->cpl == 3 ? PG_ACCESS_USER : 0);
}

static uint32_t decode_key(const struct x86_cpu *c)
{
    return ((c->seg[X86_CS].attr & X86_SEG_BIG) ? 1u : 0u) | ((c->cr0 & 1u) << 1) |
           ((c->eflags & X86_VM) ? 4u : 0u);
}

/* Fetch the bytes of an instruction that reaches past the end of its page
 * or its code segment, one at a time, as the processor would: only bytes
 * the instruction actually uses are fetched (and can fault). */
static int decode_slow(struct x86_cpu *c, struct x86_insn *out, uint32_t *page2)
{
    uint8_t buf[16];
    int code32 = (c->seg[X86_CS].attr & X86_SEG_BIG) != 0;
    for (int n = 1; n <= 16; n++) {
        uint32_t off = c->eip + (uint32_t)(n - 1);
        if (!code32)
            off &= 0xFFFF;
        buf[n - 1] = (uint8_t)mem_read(c, X86_CS, off, 1);
        int len = x86_decode(c->model, code32, buf, n, out);
        if (len) {
            uint64_t last = x86_translate(c, c->seg[X86_CS].base + off, fetch_access(c));
            *page2 = (uint32_t)(last >> PAGE_SHIFT);
            return len;
        }
    }
    /* Unreachable: the decoder always ends an instruction within 16 bytes. */
    x86_gp(c, 0);
}

static void build_trace(struct x86_cpu *c, struct x86_trace *t, uint32_t phys, uint32_t key)
{
    struct x86_code_cache *cc = c->code;
    int code32 = key & 1;
    uint32_t page = phys >> PAGE_SHIFT;
    const struct x86_seg *cs = &c->seg[X86_CS];
    uint8_t buf[16];
    uint32_t eip = c->eip;

    t->phys = NO_PAGE;
    t->n = 0;
    t->page = page;
    t->gen = cc->page_gen[page];
    t->page2 = NO_PAGE;
    physmem_mark_code(c->bus.mem, (uint64_t)page << PAGE_SHIFT);
    tlb_protect_phys(c->tlb, page << PAGE_SHIFT);

    uint32_t p = phys;
    while (t->n < TRACE_MAX) {
        struct x86_insn *in = &t->insn[t->n];
        /* Bytes left before the segment limit (or the 64 KiB wrap). */
        uint32_t seg_left = (code32 ? cs->limit : (cs->limit & 0xFFFF)) - eip + 1;
        int want = seg_left < 16 && seg_left != 0 ? (int)seg_left : 16;
        int got = fetch_in_page(c, p, buf, want);
        int len = x86_decode(c->model, code32, buf, got, in);
        if (len == 0) {
            if (t->n > 0)
                break;      /* the next instruction starts its own trace */
            uint32_t page2;
            len = decode_slow(c, in, &page2);
            if (page2 != page) {
                t->page2 = page2;
                t->gen2 = cc->page_gen[page2];
                physmem_mark_code(c->bus.mem, (uint64_t)page2 << PAGE_SHIFT);
                tlb_protect_phys(c->tlb, page2 << PAGE_SHIFT);
            }
            t->n = 1;
            break;
        }
        t->n++;
        cc->decodes++;
        if (in->flags & X86_I_ENDS_TRACE)
            break;
        p += (uint32_t)len;
        eip += (uint32_t)len;
        if (!code32)
            eip &= 0xFFFF;
        if ((p >> PAGE_SHIFT) != page || eip == 0)
            break;
    }
    /* Decoding itself may have faulted (the slow path), leaving the slot
     * empty; only now is the trace valid. */
    t->key = key;
    t->phys = phys;
}

const struct x86_insn *x86_code_lookup(struct x86_cpu *c, int *count)
{
    struct x86_code_cache *cc = c->code;
    const struct x86_seg *cs = &c->seg[X86_CS];
    /* The first byte must lie inside CS (286 and later). */
    if (!x86_is_8086(c) && c->eip > cs->limit)
        x86_gp(c, 0);
    uint32_t lin = cs->base + c->eip;
    uint32_t phys = (uint32_t)x86_translate(c, lin, fetch_access(c));
    uint32_t key = decode_key(c);
    struct x86_trace *t = &cc->slot[(phys ^ (phys >> 11)) & (TRACE_SLOTS - 1)];
    cc->lookups++;
    if (t->phys != phys || t->key != key || t->gen != cc->page_gen[t->page] ||
        (t->page2 != NO_PAGE && t->gen2 != cc->page_gen[t->page2]))
        build_trace(c, t, phys, key);
    *count = t->n;
    return t->insn;
}
