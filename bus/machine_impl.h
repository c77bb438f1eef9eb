/*
 * Inside a machine: the parts every board has.  Boards (pctest.c, pc.c)
 * fill them in; frontends see only bus/machine.h.
 */
#ifndef TRAPEZE_BUS_MACHINE_IMPL_H
#define TRAPEZE_BUS_MACHINE_IMPL_H

#include "bus/clock.h"
#include "bus/device.h"
#include "bus/machine.h"
#include "bus/pc.h"
#include "bus/portio.h"
#include "cpu/x86/cpu.h"
#include "memory/physmem.h"
#include "peripherals/debugcon.h"
#include "peripherals/debugexit.h"

struct machine {
    struct machine_config cfg;
    struct clock clock;
    struct physmem mem;
    struct portio io;
    struct device_registry devices;
    struct x86_cpu cpu;
    struct debugcon console;
    struct debugexit exit_port;
    enum machine_status status;
    int is_pc;
    struct pc_board pc;
};

/* Board wiring: returns 0, or -1 with a reason in err. */
int pctest_wire(struct machine *m, char *err, size_t errlen);
void pc_after_reset(struct machine *m);

/* Read a whole file (for ROM images).  Returns NULL with a reason in err. */
uint8_t *machine_load_file(const char *path, size_t max, size_t *len, char *err, size_t errlen);

#endif
