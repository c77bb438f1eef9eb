/*
 * String instructions: MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS, with and
 * without REP.
 *
 * A REP instruction is interruptible between iterations: when an interrupt
 * is pending or the time slice is over, it stops with (E)IP still on the
 * instruction, so it resumes where it left off -- exactly how the silicon
 * lets interrupts in during long string moves.
 */
#include "cpu/x86/ops.h"

/* The count, source and destination registers follow the address size. */
static inline uint32_t amask(const struct x86_insn *i) { return i->a32 ? 0xFFFFFFFFu : 0xFFFFu; }
static inline uint32_t rget(const struct x86_cpu *c, const struct x86_insn *i, int r)
{
    return c->gpr[r] & amask(i);
}
static inline void rset(struct x86_cpu *c, const struct x86_insn *i, int r, uint32_t v)
{
    uint32_t m = amask(i);
    c->gpr[r] = (c->gpr[r] & ~m) | (v & m);
}
static inline uint32_t step(const struct x86_cpu *c, int sz)
{
    return (c->eflags & X86_DF) ? (uint32_t)-(1 << sz) : (uint32_t)(1 << sz);
}

static inline void advance(struct x86_cpu *c, const struct x86_insn *i, int r, int sz)
{
    rset(c, i, r, rget(c, i, r) + step(c, sz));
}

/* The 80286 advances the index register of a word access that runs past
 * the segment limit (and any register it advanced before it, and CX under
 * REP, see below) before raising the fault -- unlike the 386 and later, whose string
 * faults leave the registers as they were.  Seen in the 80286 single-step
 * data; CMPS accesses ES:DI before DS:SI there. */
static inline void limit_check_286(struct x86_cpu *c, const struct x86_insn *i, int seg, int sz, int write,
                            int reg, int earlier_reg, uint32_t rep_cx_drop)
{
    if (c->model != X86_286 || sz == 0)
        return;
    if (x86_range_ok(c, seg, rget(c, i, reg), 1u << sz, write))
        return;
    advance(c, i, reg, sz);
    if (earlier_reg >= 0)
        advance(c, i, earlier_reg, sz);
    /* Under REP, CX has already dropped by a step-dependent amount: two
     * when a store faults, one for a load, none for CMPS's first operand
     * (80286 data). */
    if (i->rep)
        rset(c, i, X86_ECX, rget(c, i, X86_ECX) - rep_cx_drop);
    x86_segment_fault(c, seg);
}

static void movs1(struct x86_cpu *c, const struct x86_insn *i, int sz)
{
    limit_check_286(c, i, i->seg, sz, 0, X86_ESI, -1, 1);
    limit_check_286(c, i, X86_ES, sz, 1, X86_EDI, X86_ESI, 2);
    uint32_t v = mem_read(c, i->seg, rget(c, i, X86_ESI), 1 << sz);
    mem_write(c, X86_ES, rget(c, i, X86_EDI), v, 1 << sz);
    advance(c, i, X86_ESI, sz);
    advance(c, i, X86_EDI, sz);
}

static void stos1(struct x86_cpu *c, const struct x86_insn *i, int sz)
{
    limit_check_286(c, i, X86_ES, sz, 1, X86_EDI, -1, 2);
    mem_write(c, X86_ES, rget(c, i, X86_EDI), reg_get(c, sz, X86_EAX), 1 << sz);
    advance(c, i, X86_EDI, sz);
}

static void lods1(struct x86_cpu *c, const struct x86_insn *i, int sz)
{
    limit_check_286(c, i, i->seg, sz, 0, X86_ESI, -1, 1);
    uint32_t v = mem_read(c, i->seg, rget(c, i, X86_ESI), 1 << sz);
    reg_set(c, sz, X86_EAX, v);
    advance(c, i, X86_ESI, sz);
}

static void cmps1(struct x86_cpu *c, const struct x86_insn *i, int sz)
{
    limit_check_286(c, i, X86_ES, sz, 0, X86_EDI, -1, 0);
    limit_check_286(c, i, i->seg, sz, 0, X86_ESI, X86_EDI, 1);
    uint32_t a = mem_read(c, i->seg, rget(c, i, X86_ESI), 1 << sz);
    uint32_t b = mem_read(c, X86_ES, rget(c, i, X86_EDI), 1 << sz);
    lf_set(c, LF_SUB8 + sz, (a - b) & size_mask(sz), a, b);
    advance(c, i, X86_ESI, sz);
    advance(c, i, X86_EDI, sz);
}

static void scas1(struct x86_cpu *c, const struct x86_insn *i, int sz)
{
    limit_check_286(c, i, X86_ES, sz, 0, X86_EDI, -1, 1);
    uint32_t a = reg_get(c, sz, X86_EAX);
    uint32_t b = mem_read(c, X86_ES, rget(c, i, X86_EDI), 1 << sz);
    lf_set(c, LF_SUB8 + sz, (a - b) & size_mask(sz), a, b);
    advance(c, i, X86_EDI, sz);
}

/* INS writes the destination before reading the port on real hardware only
 * after the port read; the write may fault, so the port is read first and
 * the device sees exactly one access per element. */
static void ins1(struct x86_cpu *c, const struct x86_insn *i, int sz)
{
    limit_check_286(c, i, X86_ES, sz, 1, X86_EDI, -1, 2);
    uint32_t di = rget(c, i, X86_EDI);
    uint32_t v = io_in(c, reg16_get(c, X86_EDX), 1 << sz);
    mem_write(c, X86_ES, di, v, 1 << sz);
    advance(c, i, X86_EDI, sz);
}

static void outs1(struct x86_cpu *c, const struct x86_insn *i, int sz)
{
    limit_check_286(c, i, i->seg, sz, 0, X86_ESI, -1, 1);
    uint32_t v = mem_read(c, i->seg, rget(c, i, X86_ESI), 1 << sz);
    io_out(c, reg16_get(c, X86_EDX), v, 1 << sz);
    advance(c, i, X86_ESI, sz);
}

typedef void (*string_step_fn)(struct x86_cpu *c, const struct x86_insn *i, int sz);

/* Cycles per iteration of a REP loop, by model (Intel's published counts
 * for the byte/word forms; see timing.c for the approximations). */
static uint32_t rep_cycles(const struct x86_cpu *c, int kind)
{
    static const uint8_t table[5][6] = {
        /*            8086 286 386 486 P5 P6 */
        /* movs */ { 17, 4, 4, 3, 1, 1 },
        /* stos */ { 10, 3, 5, 4, 1, 1 },
        /* lods */ { 13, 4, 5, 4, 1, 1 },
        /* cmps */ { 22, 9, 5, 7, 4, 2 },
        /* scas */ { 15, 8, 5, 5, 4, 2 },
    };
    if (kind > 4)
        return c->model == X86_8086 ? 14 : 4;   /* INS/OUTS: the bus cycle dominates */
    return table[kind][c->model];
}

/* The REP loop.  `cond`: 0 for REP, else the ZF value that continues the
 * loop (REPE: 1, REPNE: 0) for CMPS/SCAS. */
/* Host page for `bytes` at seg:off if the TLB already maps it for this
 * kind of access and the access stays inside the segment; else NULL. */
static uint8_t *host_span(struct x86_cpu *c, int seg, uint32_t off, uint32_t bytes, int write)
{
    if (!x86_range_ok(c, seg, off, bytes, write))
        return NULL;
    uint32_t lin = c->seg[seg].base + off;
    if ((lin & PAGE_MASK) + bytes > PAGE_SIZE)
        return NULL;
    const struct x86_tlb_entry *e = &c->tlb->cur[(lin >> PAGE_SHIFT) & (X86_TLB_SIZE - 1)];
    if ((write ? e->tag_w : e->tag_r) != (lin & ~PAGE_MASK))
        return NULL;
    return (uint8_t *)((write ? e->host_w : e->host_r) + (lin & PAGE_MASK));
}

/* REP MOVS and REP STOS over RAM move whole runs through host pointers:
 * the elements of the run that lie in the current source and destination
 * pages, in the order the processor would move them (so overlapping moves
 * replicate exactly as element-by-element copies do).  Only runs whose
 * pages the TLB already maps as plain RAM qualify: MMIO, code pages and
 * faults take the element-by-element path.  Returns the elements done. */
static uint32_t rep_bulk(struct x86_cpu *c, const struct x86_insn *i, int sz, int is_movs, uint32_t per)
{
    const uint32_t el = 1u << sz;
    int down = (c->eflags & X86_DF) != 0;
    uint32_t count = rget(c, i, X86_ECX);
    uint32_t di = rget(c, i, X86_EDI), si = rget(c, i, X86_ESI);
    /* Elements before either pointer leaves its page (or its 64 KiB
     * address-size wrap), whichever comes first. */
    uint32_t lin_d = c->seg[X86_ES].base + di, lin_s = c->seg[i->seg].base + si;
    uint32_t room_d = down ? (lin_d & PAGE_MASK) / el + 1 : (PAGE_SIZE - (lin_d & PAGE_MASK)) / el;
    uint32_t room_s = down ? (lin_s & PAGE_MASK) / el + 1 : (PAGE_SIZE - (lin_s & PAGE_MASK)) / el;
    uint32_t n = count < room_d ? count : room_d;
    if (is_movs && room_s < n)
        n = room_s;
    if (!i->a32) {
        uint32_t wrap_d = down ? di / el + 1 : (0x10000u - di) / el;
        uint32_t wrap_s = down ? si / el + 1 : (0x10000u - si) / el;
        n = n < wrap_d ? n : wrap_d;
        if (is_movs && wrap_s < n)
            n = wrap_s;
    }
    /* No further than the time slice allows, so interrupts still come in
     * between iterations where they would. */
    cycles_t now = c->bus.clock->now;
    if (c->deadline != CLOCK_NEVER && per) {
        cycles_t left = c->deadline > now ? (c->deadline - now + per - 1) / per : 1;
        if (left < n)
            n = (uint32_t)left;
    }
    if (n < 2)
        return 0;
    uint32_t span = (n - 1) * el;
    uint32_t d_lo = down ? di - span : di, s_lo = down ? si - span : si;
    uint8_t *dst = host_span(c, X86_ES, d_lo, span + el, 1);
    const uint8_t *src = is_movs ? host_span(c, i->seg, s_lo, span + el, 0) : NULL;
    if (!dst || (is_movs && !src))
        return 0;
    uint8_t *d = down ? dst + span : dst;
    const uint8_t *sp = down ? src + span : src;
    uint32_t acc = reg_get(c, sz, X86_EAX);
    for (uint32_t k = 0; k < n; k++) {
        for (uint32_t b = 0; b < el; b++)
            d[b] = is_movs ? sp[b] : (uint8_t)(acc >> (8 * b));
        d = down ? d - el : d + el;
        sp = down ? sp - el : sp + el;
    }
    uint32_t delta = down ? 0u - n * el : n * el;
    rset(c, i, X86_EDI, di + delta);
    if (is_movs)
        rset(c, i, X86_ESI, si + delta);
    rset(c, i, X86_ECX, count - n);
    return n;
}

static void rep_loop(struct x86_cpu *c, const struct x86_insn *i, int sz, string_step_fn fn, int kind,
                     int compares)
{
    uint32_t per = rep_cycles(c, kind);
    for (;;) {
        if (rget(c, i, X86_ECX) == 0)
            return;
        /* MOVS (kind 0) and STOS (kind 1) in bulk when single-stepping is off. */
        if (kind <= 1 && !(c->eflags & X86_TF)) {
            uint32_t n = rep_bulk(c, i, sz, kind == 0, per);
            if (n) {
                charge(c, per * n);
                goto next;
            }
        }
        fn(c, i, sz);
        rset(c, i, X86_ECX, rget(c, i, X86_ECX) - 1);
        charge(c, per);
        if (compares && x86_zf(c) != (i->rep == X86_REP_E))
            return;
    next:
        if (rget(c, i, X86_ECX) == 0)
            return;
        /* Single-stepping traps after every iteration, with IP still on the
         * instruction (Intel SDM vol. 2, REP). */
        if (c->eflags & X86_TF) {
            c->eip = c->insn_eip;
            return;
        }
        /* Let pending interrupts and the end of the time slice in: resume
         * this instruction later. */
        if (UNLIKELY(c->event || c->bus.clock->now >= c->deadline)) {
            c->eip = c->insn_eip;
            c->rep_yielded = 1;
            return;
        }
    }
}

#define STRING_FORMS(name, kind, compares, sz)                                      \
    static X86_OP(name##_##sz) { name##1(c, i, sz); }                                 \
    static X86_OP(rep_##name##_##sz) { rep_loop(c, i, sz, name##1, kind, compares); }
#define STRING_SIZES(name, kind, compares) \
    STRING_FORMS(name, kind, compares, 0) STRING_FORMS(name, kind, compares, 1) STRING_FORMS(name, kind, compares, 2)
STRING_SIZES(movs, 0, 0)
STRING_SIZES(stos, 1, 0)
STRING_SIZES(lods, 2, 0)
STRING_SIZES(cmps, 3, 1)
STRING_SIZES(scas, 4, 1)
STRING_SIZES(ins, 5, 0)
STRING_SIZES(outs, 6, 0)

#define SIZES(name) { name##_0, name##_1, name##_2 }
const x86_exec_fn x86_movs[3] = SIZES(movs), x86_rep_movs[3] = SIZES(rep_movs);
const x86_exec_fn x86_stos[3] = SIZES(stos), x86_rep_stos[3] = SIZES(rep_stos);
const x86_exec_fn x86_lods[3] = SIZES(lods), x86_rep_lods[3] = SIZES(rep_lods);
const x86_exec_fn x86_cmps[3] = SIZES(cmps), x86_rep_cmps[3] = SIZES(rep_cmps);
const x86_exec_fn x86_scas[3] = SIZES(scas), x86_rep_scas[3] = SIZES(rep_scas);
const x86_exec_fn x86_ins[3] = SIZES(ins), x86_rep_ins[3] = SIZES(rep_ins);
const x86_exec_fn x86_outs[3] = SIZES(outs), x86_rep_outs[3] = SIZES(rep_outs);
