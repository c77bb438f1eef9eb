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
static void limit_check_286(struct x86_cpu *c, const struct x86_insn *i, int seg, int sz, int write,
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
static void rep_loop(struct x86_cpu *c, const struct x86_insn *i, int sz, string_step_fn fn, int kind,
                     int compares)
{
    uint32_t per = rep_cycles(c, kind);
    for (;;) {
        if (rget(c, i, X86_ECX) == 0)
            return;
        fn(c, i, sz);
        rset(c, i, X86_ECX, rget(c, i, X86_ECX) - 1);
        charge(c, per);
        if (compares && x86_zf(c) != (i->rep == X86_REP_E))
            return;
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
