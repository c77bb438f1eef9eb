/*
 * Shared between the mini6502 board files (bus/mini6502*.c) only.
 */
#ifndef TRAPEZE_BUS_MINI6502_INTERNAL_H
#define TRAPEZE_BUS_MINI6502_INTERNAL_H

#include "bus/mini6502.h"

#if defined(__GNUC__)
#define MINI6502_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MINI6502_PRINTF(f, a)
#endif

/* Stops the machine with a reason (printf-style one-line message). */
void mini6502_stop_with(struct mini6502 *m, enum mini6502_stop why, const char *fmt, ...)
    MINI6502_PRINTF(3, 4);

/* The CPU fetched an opcode from the hypercall window $FFF0-$FFF9. */
void mini6502_hypercall(struct mini6502 *m, uint16_t addr);
/* Prints the instruction at the opcode fetch in progress (--trace). */
void mini6502_trace_instruction(const struct mini6502 *m);
/* Closes every host file the program opened. */
void mini6502_close_files(struct mini6502 *m);

/* Character I/O through the configured callbacks (or the host's stdio). */
void mini6502_output(struct mini6502 *m, int stream, const uint8_t *buf, size_t len);
long mini6502_input(struct mini6502 *m, uint8_t *buf, size_t len);

/* Memory as the hypercalls see it: RAM only, no device side effects. */
static inline int mini6502_ram_writable(const struct mini6502 *m, uint16_t addr)
{
    return addr < m->rom_start || (m->vectors_writable && addr >= MINI6502_VECTORS);
}
static inline void mini6502_guest_store(struct mini6502 *m, uint16_t addr, uint8_t v)
{
    if (mini6502_ram_writable(m, addr))
        m->mem[addr] = v;
}
static inline uint16_t mini6502_guest_word(const struct mini6502 *m, uint16_t addr)
{
    return (uint16_t)(m->mem[addr] | m->mem[(uint16_t)(addr + 1)] << 8);
}
static inline void mini6502_guest_store_word(struct mini6502 *m, uint16_t addr, uint16_t v)
{
    mini6502_guest_store(m, addr, (uint8_t)v);
    mini6502_guest_store(m, (uint16_t)(addr + 1), (uint8_t)(v >> 8));
}

#endif
