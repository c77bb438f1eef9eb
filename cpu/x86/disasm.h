/*
 * x86 disassembler, Intel syntax (close to nasm and objdump -M intel).
 *
 * Covers the 8086 through the P6 integer instruction set and the x87, in
 * 16- and 32-bit code.  Used by the debugger and by trace output; it keeps
 * no state between calls.
 */
#ifndef TRAPEZE_CPU_X86_DISASM_H
#define TRAPEZE_CPU_X86_DISASM_H

#include <stddef.h>
#include <stdint.h>

struct x86_disasm_opts {
    int code32;      /* 1: default operand and address size 32 bits (CS.D=1); 0: 16-bit */
    int model8086;   /* 1: decode as an 8086 (0x60-0x6F are Jcc aliases, 0x0F is POP CS, C0/C1/C8/C9 alias RET forms, D6 SALC) */
    uint32_t eip;    /* address of the first byte, for printing relative branch targets as absolute offsets */
};

/* Disassembles one instruction from bytes[0..avail). Writes text like "add word [bx+si+0x12], ax" to out
 * (always NUL-terminated, truncated to outlen). Returns the instruction length (prefixes included, 1..15),
 * or 0 when avail is too short to hold the whole instruction. Undefined opcodes print as "(bad)" or "db 0xNN" with length 1 (or the length the CPU would consume). */
int x86_disasm(const uint8_t *bytes, int avail, const struct x86_disasm_opts *o, char *out, size_t outlen);

#endif
