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
    const char *board;          /* "pc" or "pc-test" */
    enum x86_model cpu;
    uint32_t ram_mb;
    const char *image;          /* pc-test: a ROM image ending at the reset vector */
    FILE *console;              /* debug-console output (port 0xE9); NULL: discard */
    FILE *trace;                /* instruction trace; NULL: off */
    uint64_t hz;                /* emulated CPU clock; 0: the model's default */
    /* The PC board. */
    const char *bios, *vga_bios;    /* NULL: the system's SeaBIOS */
    const char *hda, *hdb, *cdrom, *fda;
    char boot;                  /* 'a', 'c' or 'd' */
    const char *kernel, *initrd, *append;   /* direct kernel boot */
    const char *linuxboot_rom;  /* NULL: build/roms/linuxboot.bin */
    int rtc_fixed;              /* 1: the RTC starts at rtc_start, else host time */
    int64_t rtc_start;
    FILE *firmware_log;         /* SeaBIOS's log port 0x402; NULL: discard */
};

enum machine_status {
    MACHINE_RUNNING,            /* budget used up, still running */
    MACHINE_EXITED,             /* the guest wrote the test-exit port */
    MACHINE_HALTED,             /* HLT with interrupts disabled: nothing can wake it */
    MACHINE_SHUTDOWN,           /* triple fault (pc-test; the PC resets instead) */
    MACHINE_POWEROFF,           /* the guest powered the machine off */
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
/* Every device's registers, as the monitor shows them. */
void machine_dump_devices(struct machine *m, FILE *out);
struct pc_board;
/* The PC board's devices (NULL on other boards), for frontends. */
struct pc_board *machine_pc(struct machine *m);

#endif
