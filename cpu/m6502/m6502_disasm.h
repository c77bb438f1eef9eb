/*
 * 6502 disassembler, in ca65 syntax: "LDA ($12),Y", "BNE $C004".
 */
#ifndef TRAPEZE_CPU_M6502_DISASM_H
#define TRAPEZE_CPU_M6502_DISASM_H

#include <stddef.h>
#include <stdint.h>

/* Disassembles the instruction at `pc` whose first bytes are bytes[0..2]
 * (bytes past the instruction's length are ignored).  Writes the text to
 * out (always NUL-terminated when outlen > 0) and returns the instruction's
 * length in bytes, 1 to 3.  Undocumented opcodes get their common names;
 * branch targets are shown as absolute addresses. */
int m6502_disasm(uint16_t pc, const uint8_t bytes[3], char *out, size_t outlen);

#endif
