/*
 * The x87 floating-point unit of the 386 (with its 387), 486, Pentium and
 * P6: its state, the ESC (D8-DF) and WAIT instructions, and the
 * transcendental functions.
 *
 * Error reporting (Intel SDM vol. 1, 8.7 and appendix D): an unmasked
 * exception sets ES and B in the status word; the next waiting FP
 * instruction then raises #MF (vector 16) when CR0.NE = 1.  With CR0.NE = 0
 * the FERR# pin reports it instead: struct x86_cpu's ferr callback is
 * called with level 1 (the board routes it to IRQ13 through the PIC), on
 * the 386 and 486 as soon as the error happens, on the Pentium and P6 at
 * the next waiting FP instruction, and with level 0 when ES is cleared.
 * The processor then carries on (as with IGNNE# asserted).
 */
#ifndef TRAPEZE_CPU_X86_X87_H
#define TRAPEZE_CPU_X86_X87_H

#include <stdint.h>

#include "cpu/x86/softfloat80.h"

/* Status word bits. */
#define X87_SW_SF 0x0040u       /* stack fault */
#define X87_SW_ES 0x0080u       /* error summary */
#define X87_SW_C0 0x0100u
#define X87_SW_C1 0x0200u
#define X87_SW_C2 0x0400u
#define X87_SW_TOP 0x3800u
#define X87_SW_C3 0x4000u
#define X87_SW_B 0x8000u
#define X87_SW_CC (X87_SW_C0 | X87_SW_C1 | X87_SW_C2 | X87_SW_C3)

/* Tags (two bits per physical register). */
enum { X87_TAG_VALID = 0, X87_TAG_ZERO = 1, X87_TAG_SPECIAL = 2, X87_TAG_EMPTY = 3 };

struct x87_state {
    sf80 r[8];          /* physical registers R0-R7; ST(i) is R((TOP + i) & 7) */
    uint16_t cw;        /* control word */
    uint16_t sw;        /* status word, TOP in bits 11-13 */
    uint16_t tw;        /* tag word */
    uint16_t fop;       /* last opcode: low 3 bits of the ESC byte, then ModR/M */
    uint32_t fip, fdp;  /* last instruction and operand offsets (linear in real mode) */
    uint16_t fcs, fds;  /* their selectors */
    uint8_t ferr;       /* FERR# level last driven */
    uint8_t ferr_due;   /* Pentium/P6: FERR# goes active at the next waiting instruction */
};

struct x86_cpu;
struct x86_insn;

/* FNINIT's state (also the state after RESET here); FERR# inactive. */
void x87_reset(struct x86_cpu *c);
/* ESC D8-DF and WAIT, for CPUs with an FPU (the 386 and later). */
void x87_esc(struct x86_cpu *c, const struct x86_insn *i);
void x87_wait(struct x86_cpu *c);

/* State access for boards, debuggers and tests. */
static inline unsigned x87_top(const struct x87_state *f) { return (f->sw >> 11) & 7u; }
static inline sf80 x87_st(const struct x87_state *f, unsigned i) { return f->r[(x87_top(f) + i) & 7u]; }
static inline unsigned x87_tag(const struct x87_state *f, unsigned phys) { return (f->tw >> (2 * phys)) & 3u; }
/* The tag a value gets when written to a register. */
unsigned x87_tag_of(sf80 v);

/* ------------------------------------------------------------------ */
/* Transcendental functions (x87_trans.c).  Results are rounded to 64
 * bits in the rounding mode; precision control does not apply.        */

/* FSIN, FCOS, FSINCOS, FPTAN: return 1 (C2: out of range, nothing done)
 * when |a| >= 2^63; otherwise 0 with the results set. */
int x87_sin(struct sf80_env *e, sf80 a, sf80 *r);
int x87_cos(struct sf80_env *e, sf80 a, sf80 *r);
int x87_sincos(struct sf80_env *e, sf80 a, sf80 *s, sf80 *c);
int x87_tan(struct sf80_env *e, sf80 a, sf80 *r);
/* FPATAN: the angle of (x, y), in (-pi, pi]. */
sf80 x87_atan(struct sf80_env *e, sf80 y, sf80 x);
/* F2XM1: 2^a - 1 (|a| <= 1 is Intel's domain; larger a still works). */
sf80 x87_f2xm1(struct sf80_env *e, sf80 a);
/* FYL2X: y * log2(x); FYL2XP1: y * log2(x + 1). */
sf80 x87_yl2x(struct sf80_env *e, sf80 y, sf80 x);
sf80 x87_yl2xp1(struct sf80_env *e, sf80 y, sf80 x);

#endif
