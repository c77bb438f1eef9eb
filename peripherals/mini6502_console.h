/*
 * The mini6502 console: a two-register character device.
 *
 *   reg 0  DATA    write: the byte goes to the output stream.
 *                  read:  the next byte of input; $00 once input is
 *                         exhausted (then STATUS bit 0 is set).
 *   reg 1  STATUS  read:  bit 0 = input exhausted, bit 7 = output ready
 *                         (always 1: output never waits).  Writes ignored.
 *
 * Reading DATA consumes input, so a stray read (a 6502 dummy read landing
 * on the register) eats a character, exactly as it would on a real UART.
 * The device does no host I/O itself: the machine gives it two callbacks.
 */
#ifndef TRAPEZE_PERIPHERALS_MINI6502_CONSOLE_H
#define TRAPEZE_PERIPHERALS_MINI6502_CONSOLE_H

#include <stdint.h>

#include "bus/device.h"

#define MINI6502_CONSOLE_DATA 0
#define MINI6502_CONSOLE_STATUS 1
#define MINI6502_CONSOLE_STATUS_EOF 0x01u
#define MINI6502_CONSOLE_STATUS_READY 0x80u

struct mini6502_console {
    /* Output one byte; input one byte (-1 at end of input). */
    void (*put)(void *opaque, uint8_t byte);
    int (*get)(void *opaque);
    void *opaque;
    /* Registers and counters. */
    uint8_t status;
    uint8_t last_in;
    uint64_t bytes_out, bytes_in;
};

void mini6502_console_init(struct mini6502_console *con, void (*put)(void *, uint8_t),
                           int (*get)(void *), void *opaque);
uint8_t mini6502_console_read(struct mini6502_console *con, unsigned reg);
/* The value a read would return, without its side effects (for debuggers). */
uint8_t mini6502_console_peek(const struct mini6502_console *con, unsigned reg);
void mini6502_console_write(struct mini6502_console *con, unsigned reg, uint8_t v);

#define MINI6502_CONSOLE_STATE_VERSION 1u
extern const struct device_ops mini6502_console_ops;

#endif
