/*
 * Internals shared by the x86 interpreter's files: the decoded-instruction
 * form, lazy flags, register access, and the memory access path
 * (segment check -> linear address -> TLB -> host memory).
 */
#ifndef TRAPEZE_CPU_X86_INTERNAL_H
#define TRAPEZE_CPU_X86_INTERNAL_H

#include <stdint.h>

#include "cpu/x86/cpu.h"
#include "memory/paging.h"
#include "memory/tlb.h"

#if defined(__GNUC__) || defined(__clang__)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define NORETURN __attribute__((noreturn))
#else
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#define NORETURN _Noreturn
#endif

/* ------------------------------------------------------------------ */
/* The decoded instruction                                             */

struct x86_insn;
typedef void (*x86_exec_fn)(struct x86_cpu *cpu, const struct x86_insn *i);

struct x86_insn {
    x86_exec_fn exec;
    uint32_t disp;          /* ModR/M displacement (or moffs) */
    uint32_t imm;           /* first immediate / relative displacement */
    uint32_t imm2;          /* second immediate: far selector, ENTER level */
    uint16_t opcode;        /* 0x00..0xFF, 0x0F00..0x0FFF for two-byte opcodes */
    uint16_t cycles;        /* base clock count for the model */
    uint8_t len;            /* whole length, prefixes included */
    uint8_t modrm;
    uint8_t reg;            /* ModR/M reg field, or the register in the opcode */
    uint8_t rm;             /* ModR/M rm field: the register when mod == 3 */
    uint8_t seg;            /* segment of the memory operand */
    uint8_t base, index, scale;  /* effective address: gpr indexes, 8 = none */
    uint8_t a32, o32;       /* address and operand size are 32-bit */
    uint8_t rep;            /* 0, X86_REP_E (F3) or X86_REP_NE (F2) */
    uint8_t is_mem;         /* the ModR/M operand is in memory */
    uint8_t flags;          /* X86_I_* */
    uint8_t nprefix;        /* prefix bytes before the opcode */
};

#define X86_REP_E 1
#define X86_REP_NE 2

#define X86_I_ENDS_TRACE 0x01   /* may transfer control or change decoding state */
#define X86_I_LOCK 0x02
#define X86_I_SEG_OVERRIDE 0x04

/* ------------------------------------------------------------------ */
/* Lazy flags                                                          */

/* The operation that last set the arithmetic flags.  Sizes are folded in
 * so each case knows its sign bit and mask. */
enum x86_flag_op {
    LF_NONE = 0,            /* eflags holds the arithmetic bits itself */
    LF_ADD8, LF_ADD16, LF_ADD32,
    LF_ADC8, LF_ADC16, LF_ADC32,
    LF_SUB8, LF_SUB16, LF_SUB32,
    LF_SBB8, LF_SBB16, LF_SBB32,
    LF_LOGIC8, LF_LOGIC16, LF_LOGIC32,
    LF_INC8, LF_INC16, LF_INC32,
    LF_DEC8, LF_DEC16, LF_DEC32,
};

/* size index: 0 = 8 bit, 1 = 16 bit, 2 = 32 bit */
static inline uint32_t size_mask(int sz) { return sz == 0 ? 0xFFu : sz == 1 ? 0xFFFFu : 0xFFFFFFFFu; }
static inline uint32_t size_sign(int sz) { return sz == 0 ? 0x80u : sz == 1 ? 0x8000u : 0x80000000u; }

static inline void lf_set(struct x86_cpu *c, int op, uint32_t res, uint32_t a, uint32_t b)
{
    c->lf.op = (uint32_t)op;
    c->lf.res = res;
    c->lf.a = a;
    c->lf.b = b;
}

uint32_t x86_flags_arith(const struct x86_cpu *c);   /* the six arithmetic flags */
int x86_cf(const struct x86_cpu *c);
int x86_zf(const struct x86_cpu *c);
int x86_sf(const struct x86_cpu *c);
int x86_of(const struct x86_cpu *c);
int x86_pf(const struct x86_cpu *c);
int x86_cond(const struct x86_cpu *c, int cc);       /* Jcc/SETcc/CMOVcc condition 0..15 */

/* Make eflags hold the arithmetic flags, so code can edit them directly. */
static inline void flags_materialize(struct x86_cpu *c)
{
    if (c->lf.op != LF_NONE) {
        c->eflags = (c->eflags & ~X86_ARITH_FLAGS) | x86_flags_arith(c);
        c->lf.op = LF_NONE;
    }
}

/* Set some arithmetic flags eagerly (rotates, MUL, BCD adjusts, ...). */
static inline void flags_set_bits(struct x86_cpu *c, uint32_t mask, uint32_t values)
{
    flags_materialize(c);
    c->eflags = (c->eflags & ~mask) | (values & mask);
}

extern const uint8_t x86_parity_table[256];

/* ------------------------------------------------------------------ */
/* Registers                                                           */

static inline uint8_t reg8_get(const struct x86_cpu *c, int r)
{
    return r < 4 ? (uint8_t)c->gpr[r] : (uint8_t)(c->gpr[r - 4] >> 8);
}
static inline void reg8_set(struct x86_cpu *c, int r, uint8_t v)
{
    if (r < 4)
        c->gpr[r] = (c->gpr[r] & 0xFFFFFF00u) | v;
    else
        c->gpr[r - 4] = (c->gpr[r - 4] & 0xFFFF00FFu) | (uint32_t)v << 8;
}
static inline uint16_t reg16_get(const struct x86_cpu *c, int r) { return (uint16_t)c->gpr[r]; }
static inline void reg16_set(struct x86_cpu *c, int r, uint16_t v)
{
    c->gpr[r] = (c->gpr[r] & 0xFFFF0000u) | v;
}

/* Generic by size index. */
static inline uint32_t reg_get(const struct x86_cpu *c, int sz, int r)
{
    return sz == 0 ? reg8_get(c, r) : sz == 1 ? reg16_get(c, r) : c->gpr[r];
}
static inline void reg_set(struct x86_cpu *c, int sz, int r, uint32_t v)
{
    if (sz == 0)
        reg8_set(c, r, (uint8_t)v);
    else if (sz == 1)
        reg16_set(c, r, (uint16_t)v);
    else
        c->gpr[r] = v;
}

/* ------------------------------------------------------------------ */
/* Faults                                                              */

/* Raise exception `vec` for the current instruction: state rolls back to
 * the instruction's start and the exception is delivered.  Does not return. */
NORETURN void x86_fault(struct x86_cpu *c, int vec, uint32_t error, int has_error);
static inline NORETURN void x86_gp(struct x86_cpu *c, uint32_t err) { x86_fault(c, X86_EXC_GP, err, 1); }
static inline NORETURN void x86_ud(struct x86_cpu *c) { x86_fault(c, X86_EXC_UD, 0, 0); }

/* Deliver interrupt `vec` now (INT n, hardware interrupts, traps): pushes
 * the current cs:eip, which must already point where the handler returns. */
void x86_interrupt(struct x86_cpu *c, int vec, int is_software);
/* The run loop's half of x86_fault: roll back and deliver. */
void x86_deliver_fault(struct x86_cpu *c);

/* Events that make the run loop leave the fast path before the next
 * instruction.  Any non-zero value: the loop looks at everything. */
#define X86_EV_INTR 0x01
#define X86_EV_NMI 0x02
#define X86_EV_TF 0x04
#define X86_EV_SHADOW 0x08
#define X86_EV_SMC 0x10
#define X86_EV_STOP 0x20
#define X86_EV_HALT 0x40
#define X86_EV_MODE 0x80

/* ------------------------------------------------------------------ */
/* Memory access                                                       */

static inline int x86_is_8086(const struct x86_cpu *c) { return c->model == X86_8086; }
static inline int x86_is_286_or_less(const struct x86_cpu *c) { return c->model <= X86_286; }


/* Slow paths (memory.c). */
uint32_t x86_read_slow(struct x86_cpu *c, int seg, uint32_t off, int size);
void x86_write_slow(struct x86_cpu *c, int seg, uint32_t off, uint32_t v, int size);
uint32_t x86_read_lin(struct x86_cpu *c, uint32_t lin, int size);
/* Linear -> guest-physical for an access (PG_ACCESS_* bits), through the
 * TLB and, on a miss, the page walk; raises #PF. */
uint64_t x86_translate(struct x86_cpu *c, uint32_t lin, unsigned access);
/* Implicit supervisor-mode accesses (descriptor tables, IDT, TSS). */
uint32_t x86_read_sys(struct x86_cpu *c, uint32_t lin, int size);
void x86_write_sys(struct x86_cpu *c, uint32_t lin, uint32_t v, int size);
void x86_set_cpl(struct x86_cpu *c, int cpl);
/* Accesses with explicit privilege (stack switches write the new stack
 * with the new level's rights). */
uint32_t x86_read_lin_priv(struct x86_cpu *c, uint32_t lin, int size, int user);
void x86_write_lin_priv(struct x86_cpu *c, uint32_t lin, uint32_t v, int size, int user);
/* For debuggers and traces: the byte at a linear address, without side
 * effects or faults.  Returns -1 when it is not mapped. */
int x86_peek_lin(struct x86_cpu *c, uint32_t lin);
/* Raise the segment fault an access of len bytes at seg:off would raise. */
void x86_check_range(struct x86_cpu *c, int seg, uint32_t off, uint32_t len);
int x86_range_ok(const struct x86_cpu *c, int seg, uint32_t off, uint32_t len, int write);
NORETURN void x86_segment_fault(struct x86_cpu *c, int seg);
void x86_write_lin(struct x86_cpu *c, uint32_t lin, uint32_t v, int size);

static inline uint32_t mem_read(struct x86_cpu *c, int seg, uint32_t off, int size)
{
    const struct x86_seg *s = &c->seg[seg];
    if (LIKELY(off >= s->rlo && off <= s->rhi - (uint32_t)(size - 1) && s->rhi >= (uint32_t)(size - 1))) {
        uint32_t lin = s->base + off;
        const struct x86_tlb_entry *e = &c->tlb->cur[(lin >> PAGE_SHIFT) & (X86_TLB_SIZE - 1)];
        if (LIKELY(e->tag_r == (lin & ~PAGE_MASK) && (lin & PAGE_MASK) <= PAGE_SIZE - (uint32_t)size)) {
            const uint8_t *p = (const uint8_t *)(e->host_r + (lin & PAGE_MASK));
            c->tlb->hits++;
            return size == 1 ? p[0] : size == 2 ? le16_load(p) : le32_load(p);
        }
    }
    return x86_read_slow(c, seg, off, size);
}

static inline void mem_write(struct x86_cpu *c, int seg, uint32_t off, uint32_t v, int size)
{
    const struct x86_seg *s = &c->seg[seg];
    if (LIKELY(off >= s->wlo && off <= s->whi - (uint32_t)(size - 1) && s->whi >= (uint32_t)(size - 1))) {
        uint32_t lin = s->base + off;
        const struct x86_tlb_entry *e = &c->tlb->cur[(lin >> PAGE_SHIFT) & (X86_TLB_SIZE - 1)];
        if (LIKELY(e->tag_w == (lin & ~PAGE_MASK) && (lin & PAGE_MASK) <= PAGE_SIZE - (uint32_t)size)) {
            uint8_t *p = (uint8_t *)(e->host_w + (lin & PAGE_MASK));
            c->tlb->hits++;
            if (size == 1)
                p[0] = (uint8_t)v;
            else if (size == 2)
                le16_store(p, (uint16_t)v);
            else
                le32_store(p, v);
            return;
        }
    }
    x86_write_slow(c, seg, off, v, size);
}

static inline uint8_t rd8(struct x86_cpu *c, int seg, uint32_t off) { return (uint8_t)mem_read(c, seg, off, 1); }
static inline uint16_t rd16(struct x86_cpu *c, int seg, uint32_t off) { return (uint16_t)mem_read(c, seg, off, 2); }
static inline uint32_t rd32(struct x86_cpu *c, int seg, uint32_t off) { return mem_read(c, seg, off, 4); }
static inline void wr8(struct x86_cpu *c, int seg, uint32_t off, uint8_t v) { mem_write(c, seg, off, v, 1); }
static inline void wr16(struct x86_cpu *c, int seg, uint32_t off, uint16_t v) { mem_write(c, seg, off, v, 2); }
static inline void wr32(struct x86_cpu *c, int seg, uint32_t off, uint32_t v) { mem_write(c, seg, off, v, 4); }

/* The effective address of the ModR/M memory operand. */
static inline uint32_t ea_offset(const struct x86_cpu *c, const struct x86_insn *i)
{
    uint32_t ea = c->gpr[i->base] + (c->gpr[i->index] << i->scale) + i->disp;
    return i->a32 ? ea : (ea & 0xFFFFu);
}

/* Read/write the r/m operand of size index sz. */
static inline uint32_t rm_read(struct x86_cpu *c, const struct x86_insn *i, int sz)
{
    if (!i->is_mem)
        return reg_get(c, sz, i->rm);
    return mem_read(c, i->seg, ea_offset(c, i), 1 << sz);
}
static inline void rm_write(struct x86_cpu *c, const struct x86_insn *i, int sz, uint32_t v)
{
    if (!i->is_mem)
        reg_set(c, sz, i->rm, v);
    else
        mem_write(c, i->seg, ea_offset(c, i), v, 1 << sz);
}

/* ------------------------------------------------------------------ */
/* Stack                                                               */

static inline int stack32(const struct x86_cpu *c) { return (c->seg[X86_SS].attr & X86_SEG_BIG) != 0; }
static inline uint32_t sp_get(const struct x86_cpu *c)
{
    return stack32(c) ? c->gpr[X86_ESP] : (c->gpr[X86_ESP] & 0xFFFFu);
}
static inline void sp_set(struct x86_cpu *c, uint32_t v)
{
    if (stack32(c))
        c->gpr[X86_ESP] = v;
    else
        c->gpr[X86_ESP] = (c->gpr[X86_ESP] & 0xFFFF0000u) | (v & 0xFFFFu);
}
static inline uint32_t sp_mask(const struct x86_cpu *c) { return stack32(c) ? 0xFFFFFFFFu : 0xFFFFu; }

/* Push/pop of 2 or 4 bytes.  The write happens before ESP changes, so a
 * fault leaves ESP as it was. */
static inline void push(struct x86_cpu *c, uint32_t v, int bytes)
{
    uint32_t sp = (sp_get(c) - (uint32_t)bytes) & sp_mask(c);
    mem_write(c, X86_SS, sp, v, bytes);
    sp_set(c, sp);
}
static inline uint32_t pop(struct x86_cpu *c, int bytes)
{
    uint32_t sp = sp_get(c);
    uint32_t v = mem_read(c, X86_SS, sp, bytes);
    sp_set(c, sp + (uint32_t)bytes);
    return v;
}

/* ------------------------------------------------------------------ */
/* Misc                                                                */

static inline void charge(struct x86_cpu *c, uint32_t cycles) { c->bus.clock->now += cycles; }

static inline uint32_t ip_mask(const struct x86_cpu *c)
{
    return (c->seg[X86_CS].attr & X86_SEG_BIG) ? 0xFFFFFFFFu : 0xFFFFu;
}

/* Segment loads (segment.c). */
void x86_seg_load_real(struct x86_cpu *c, int seg, uint16_t sel);
void x86_seg_reset(struct x86_cpu *c, int seg, uint16_t sel, uint32_t base);
/* MOV/POP to a segment register in the current mode, with its checks. */
void x86_seg_load(struct x86_cpu *c, int seg, uint16_t sel);
void x86_seg_update_checks(struct x86_cpu *c, int seg);

/* Far control transfers (exec_control.c, protmode.c, task.c). */
void x86_far_jump(struct x86_cpu *c, uint16_t sel, uint32_t off);
void x86_iret_real(struct x86_cpu *c, int bytes);
void x86_far_transfer_pm(struct x86_cpu *c, uint16_t sel, uint32_t off, int is_call, int bytes);
void x86_far_return_pm(struct x86_cpu *c, int bytes, uint32_t release);
void x86_iret_pm(struct x86_cpu *c, int bytes);
void x86_interrupt_pm(struct x86_cpu *c, int vec, int is_software, int has_error, uint32_t error);
enum { X86_TS_JMP, X86_TS_CALL, X86_TS_IRET };
struct x86_desc;
void x86_task_switch(struct x86_cpu *c, uint16_t sel, const struct x86_desc *nd, int reason);
/* Protected mode proper: PE set and not virtual-8086. */
static inline int x86_pm(const struct x86_cpu *c)
{
    return (c->cr0 & X86_CR0_PE) && !(c->eflags & X86_VM);
}

/* Port I/O through the bus. */
static inline uint32_t io_in(struct x86_cpu *c, uint16_t port, int size)
{
    charge(c, c->bus.io_cycles);
    return c->bus.io_read ? c->bus.io_read(c->bus.opaque, port, size)
                          : (size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1);
}
static inline void io_out(struct x86_cpu *c, uint16_t port, uint32_t v, int size)
{
    charge(c, c->bus.io_cycles);
    if (c->bus.io_write)
        c->bus.io_write(c->bus.opaque, port, v, size);
}

/* System management mode (smm.c). */
void x86_enter_smm(struct x86_cpu *c);

/* Every sensitive instruction (Popek and Goldberg) passes here: counted
 * always, reported when an observer listens -- one predictable branch
 * otherwise. */
static inline void x86_sensitive(struct x86_cpu *c, int kind)
{
    c->sensitive_count[kind]++;
    if (UNLIKELY(c->observer.sensitive != NULL))
        c->observer.sensitive(c->observer.opaque, c, kind);
}

/* Protection checks (exec_system.c). */
void x86_io_check(struct x86_cpu *c, uint16_t port, int size);
void x86_iopl_check(struct x86_cpu *c);

/* Decoder and code cache (decode.c, codecache.c). */
/* Decode one instruction from buf[0..avail).  Returns its length, or 0 when
 * avail bytes do not hold all of it.  Pure: reads only its arguments. */
int x86_decode(enum x86_model model, int code32, const uint8_t *buf, int avail, struct x86_insn *out);
/* The instruction at CS:EIP, decoded (from the cache when possible). */
struct x86_trace;
const struct x86_insn *x86_code_lookup(struct x86_cpu *c, int *count);
void x86_code_cache_flush(struct x86_cpu *c);
int x86_code_cache_init(struct x86_cpu *c);
void x86_code_cache_destroy(struct x86_cpu *c);

#endif
