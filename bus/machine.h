/*
 * A machine as a value.  A frontend creates one from a configuration, runs
 * it for a budget of cycles, and destroys it; everything the machine is --
 * CPU, memory, clock, devices -- lives inside it, so two machines run side
 * by side in one process without sharing anything.
 */
#ifndef TRAPEZE_BUS_MACHINE_H
#define TRAPEZE_BUS_MACHINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cpu/x86/cpu.h"

struct machine_config {
    const char *board;          /* "pc-test" */
    enum x86_model cpu;
    uint32_t ram_mb;
    const char *image;          /* the program (pc-test: a ROM image ending at the reset vector) */
    FILE *console;              /* debug-console output (port 0xE9); NULL: discard */
    FILE *trace;                /* instruction trace; NULL: off */
    uint64_t hz;                /* emulated CPU clock; 0: the model's default */
};

enum machine_status {
    MACHINE_RUNNING,            /* budget used up, still running */
    MACHINE_EXITED,             /* the guest wrote the test-exit port */
    MACHINE_HALTED,             /* HLT with interrupts disabled: nothing can wake it */
    MACHINE_SHUTDOWN,           /* triple fault */
};

struct machine;

/* Returns NULL with a one-line reason in `err` (missing file, bad size...). */
struct machine *machine_create(const struct machine_config *cfg, char *err, size_t errlen);
void machine_destroy(struct machine *m);
enum machine_status machine_run(struct machine *m, uint64_t cycles);
int machine_exit_code(const struct machine *m);
struct x86_cpu *machine_cpu(struct machine *m);
uint64_t machine_cycles(const struct machine *m);
/* The last bytes written to the debug console. */
const char *machine_console_tail(const struct machine *m);

#endif
