/*
 * Internals shared by the x87 files (x87.c: state, control instructions,
 * dispatch; x87_ops.c: the arithmetic, load, store and compare
 * instructions).
 */
#ifndef TRAPEZE_CPU_X86_X87_INTERNAL_H
#define TRAPEZE_CPU_X86_X87_INTERNAL_H

#include "cpu/x86/ops.h"
#include "cpu/x86/x87.h"

#define X87_CW_RESERVED_ONE 0x0040u     /* reads as 1 on the 387 and later */
#define X87_CW_WRITABLE 0x1F3Fu

static inline struct x87_state *fpu(struct x86_cpu *c) { return &c->fpu; }

/* The arithmetic environment the control word selects. */
static inline struct sf80_env x87_env(const struct x86_cpu *c)
{
    struct sf80_env e;
    e.rc = (uint8_t)((c->fpu.cw >> 10) & 3);
    e.pc = (uint8_t)((c->fpu.cw >> 8) & 3);
    e.masks = (uint8_t)(c->fpu.cw & SF80_ALL);
    e.flags = 0;
    e.c1 = 0;
    return e;
}

/* Registers, by stack position. */
static inline unsigned x87_phys(const struct x86_cpu *c, unsigned i) { return (x87_top(&c->fpu) + i) & 7u; }
static inline int x87_empty(const struct x86_cpu *c, unsigned i)
{
    return x87_tag(&c->fpu, x87_phys(c, i)) == X87_TAG_EMPTY;
}
static inline sf80 x87_get(const struct x86_cpu *c, unsigned i) { return c->fpu.r[x87_phys(c, i)]; }
void x87_set_tag(struct x86_cpu *c, unsigned phys, unsigned tag);
void x87_set(struct x86_cpu *c, unsigned i, sf80 v);
void x87_push(struct x86_cpu *c, sf80 v);
void x87_pop(struct x86_cpu *c);
static inline void x87_set_top(struct x86_cpu *c, unsigned top)
{
    c->fpu.sw = (uint16_t)((c->fpu.sw & ~X87_SW_TOP) | (top & 7u) << 11);
}

/* Condition codes: set the C bits in `mask` to `values`. */
static inline void x87_set_cc(struct x86_cpu *c, uint16_t mask, uint16_t values)
{
    c->fpu.sw = (uint16_t)((c->fpu.sw & ~mask) | (values & mask));
}

/* Exceptions.  x87_raise ORs flags into the status word and sets ES and B
 * (and drives FERR#) when one is unmasked.  x87_underflow and x87_overflow
 * are the stack faults: IE and SF, C1 = 0 or 1; they return 1 when IE is
 * masked (the instruction goes on with the indefinite). */
void x87_raise(struct x86_cpu *c, unsigned flags);
int x87_stack_underflow(struct x86_cpu *c);
int x87_stack_overflow(struct x86_cpu *c);
/* After an operation: raise its flags and set C1 from its rounding.
 * Returns 1 when the result is to be written: no unmasked IE, DE or ZE
 * (and, for a memory destination, no unmasked OE or UE either). */
int x87_finish(struct x86_cpu *c, const struct sf80_env *e, int to_memory);
/* Recompute ES/B from the flags and the masks (FLDCW, FLDENV, FRSTOR). */
void x87_update_es(struct x86_cpu *c);

/* Memory operands: offset k bytes into the operand, wrapped to the address
 * size; range checks for reads and writes of len bytes. */
static inline uint32_t x87_ea(const struct x86_cpu *c, const struct x86_insn *i, uint32_t k)
{
    uint32_t ea = ea_offset(c, i) + k;
    return i->a32 ? ea : (ea & 0xFFFFu);
}
void x87_check_read(struct x86_cpu *c, const struct x86_insn *i, uint32_t len);
void x87_check_write(struct x86_cpu *c, const struct x86_insn *i, uint32_t len);
sf80 x87_read80(struct x86_cpu *c, const struct x86_insn *i, uint32_t k);
void x87_write80(struct x86_cpu *c, const struct x86_insn *i, uint32_t k, sf80 v);
uint64_t x87_read64(struct x86_cpu *c, const struct x86_insn *i);
void x87_write64(struct x86_cpu *c, const struct x86_insn *i, uint64_t v);

/* The instruction families (x87_ops.c).  `i` is the ESC instruction. */
void x87_arith_mem(struct x86_cpu *c, const struct x86_insn *i);    /* D8 DA DC DE, memory */
void x87_arith_reg(struct x86_cpu *c, const struct x86_insn *i);    /* D8 DC DE, registers */
void x87_load_mem(struct x86_cpu *c, const struct x86_insn *i, int format);
void x87_store_mem(struct x86_cpu *c, const struct x86_insn *i, int format, int pop);
void x87_fld_st(struct x86_cpu *c, unsigned src);
void x87_fst_st(struct x86_cpu *c, unsigned dst, int pop);
void x87_fxch(struct x86_cpu *c, unsigned src);
/* Compare ST(0) with b (b_ok = 0: b's register is empty); quiet for the
 * FUCOM forms, pops 0-2, to_eflags for FCOMI/FUCOMI, de when b was a
 * denormal in memory. */
void x87_compare(struct x86_cpu *c, sf80 b, int b_ok, int quiet, int pops, int to_eflags, int de);
void x87_d9_group(struct x86_cpu *c, unsigned modrm);               /* D9 E0-FF */
void x87_fcmov(struct x86_cpu *c, const struct x86_insn *i);
void x87_load_const(struct x86_cpu *c, unsigned which);

/* Memory formats. */
enum { X87_M32, X87_M64, X87_M80, X87_I16, X87_I32, X87_I64, X87_BCD };

#endif
