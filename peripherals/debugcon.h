/*
 * The firmware debug console: a write-only port that prints each byte
 * written to it.  Bochs and QEMU put one at 0xE9, SeaBIOS logs to 0x402.
 * Reads return 0xE9 (Bochs's "port E9 hack" signature), so software can
 * detect it.
 */
#ifndef TRAPEZE_PERIPHERALS_DEBUGCON_H
#define TRAPEZE_PERIPHERALS_DEBUGCON_H

#include <stdint.h>
#include <stdio.h>

#include "bus/device.h"
#include "bus/portio.h"

struct debugcon {
    uint16_t port;
    FILE *out;              /* NULL: output kept only in the tail buffer */
    char tail[256];         /* the last bytes written, for tests and the monitor */
    unsigned tail_len;
    uint64_t bytes;
    char name[24];
};

int debugcon_init(struct debugcon *d, uint16_t port, FILE *out, struct portio *io, struct device_registry *reg);

#endif
