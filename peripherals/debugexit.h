/*
 * The test-exit port: writing a byte N to it ends the emulation with exit
 * status N.  Test programs use it to report success (0) or a failure code
 * without needing a console.  (It plays the role QEMU's isa-debug-exit
 * plays, with the value passed through unchanged.)
 */
#ifndef TRAPEZE_PERIPHERALS_DEBUGEXIT_H
#define TRAPEZE_PERIPHERALS_DEBUGEXIT_H

#include <stdint.h>

#include "bus/device.h"
#include "bus/portio.h"

struct debugexit {
    uint16_t port;
    int exited;
    int code;
    void (*on_exit)(void *opaque, int code);
    void *opaque;
};

int debugexit_init(struct debugexit *d, uint16_t port, struct portio *io, struct device_registry *reg,
                   void (*on_exit)(void *opaque, int code), void *opaque);

#endif
