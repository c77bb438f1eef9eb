/*
 * mini6502: the teaching machine.  An NMOS 6502 at 1 MHz on a 64 KiB bus:
 *
 *   $0000-$FFEF  RAM (a ROM image, when one is loaded, covers the top of it)
 *   $FFF0-$FFF1  console: DATA, STATUS   (peripherals/mini6502_console.h)
 *   $FFF2-$FFF3  timer:   PERIOD, CONTROL (peripherals/mini6502_timer.h),
 *                its IRQ line goes to the CPU's /IRQ pin
 *   $FFF4-$FFF9  hypercalls, compatible with cc65's sim65: open, close,
 *                read, write, args, exit.  They read as RTS ($60); when the
 *                CPU fetches one as an opcode, the machine does the work
 *                for the program, then the RTS returns to it.
 *   $FFFA-$FFFF  NMI, RESET and IRQ vectors
 *
 * Two kinds of program load:
 *   - a sim65 program (`cl65 -t sim6502`; header "sim65", version 2, CPU,
 *     sp address, load address, reset address) goes into RAM at its load
 *     address; RESET points at its reset address; the vectors stay RAM;
 *   - any other file is a ROM image of at most 32 KiB, mapped so that its
 *     last byte is at $FFFF (its own vectors are used); writes to it are
 *     ignored.
 *
 * A machine is a value: everything lives in struct mini6502, nothing in
 * globals, so any number of machines can run side by side.  Time is the
 * cycle count of the machine's clock; the run is deterministic.
 */
#ifndef TRAPEZE_BUS_MINI6502_H
#define TRAPEZE_BUS_MINI6502_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bus/clock.h"
#include "bus/device.h"
#include "cpu/m6502/m6502.h"
#include "peripherals/mini6502_console.h"
#include "peripherals/mini6502_timer.h"

#define MINI6502_HZ 1000000u
#define MINI6502_IO_BASE 0xFFF0u
#define MINI6502_CONSOLE_BASE 0xFFF0u
#define MINI6502_TIMER_BASE 0xFFF2u
#define MINI6502_HYPERCALL_BASE 0xFFF4u
#define MINI6502_HYPERCALL_END 0xFFFAu      /* one past the last */
#define MINI6502_VECTORS 0xFFFAu
#define MINI6502_ROM_MAX 0x8000u
#define MINI6502_MAX_FILES 16

/* sim65 hypercall addresses (cc65 2.19, as Debian ships it). */
enum mini6502_hypercall {
    MINI6502_HC_OPEN = 0xFFF4,
    MINI6502_HC_CLOSE = 0xFFF5,
    MINI6502_HC_READ = 0xFFF6,
    MINI6502_HC_WRITE = 0xFFF7,
    MINI6502_HC_ARGS = 0xFFF8,
    MINI6502_HC_EXIT = 0xFFF9,
};

/* Why mini6502_run() returned. */
enum mini6502_stop {
    MINI6502_RUNNING = 0,       /* the cycle budget ran out; call again */
    MINI6502_EXITED,            /* the program called exit: see exit_code */
    MINI6502_JAMMED,            /* a JAM opcode stopped the CPU */
    MINI6502_BAD_HYPERCALL,     /* an opcode fetch from $FFF0-$FFF3 */
    MINI6502_BREAKPOINT,        /* the monitor's breakpoint was reached */
};

/* Trace flags. */
#define MINI6502_TRACE_BUS 0x1u     /* every bus cycle */
#define MINI6502_TRACE_INSN 0x2u    /* every instruction, disassembled */

/* Where the machine's character I/O goes.  NULL callbacks mean the host's
 * stdin, stdout and stderr. */
struct mini6502_io {
    /* stream 1 = standard output, 2 = standard error */
    void (*output)(void *opaque, int stream, const uint8_t *buf, size_t len);
    /* Fills buf with up to len bytes of input; returns the count, 0 at end
     * of input, -1 on error. */
    long (*input)(void *opaque, uint8_t *buf, size_t len);
    void *opaque;
};

struct mini6502_config {
    struct mini6502_io io;
    /* The open/close hypercalls may open host files (as sim65 does). */
    int allow_host_files;
    /* Tracing: flags and stream (NULL: no tracing). */
    unsigned trace;
    FILE *trace_out;
};

struct mini6502 {
    struct m6502 cpu;
    m6502_pins pins;
    struct clock clock;
    struct device_registry devices;
    struct mini6502_config cfg;

    uint8_t mem[0x10000];
    uint32_t rom_start;         /* lowest address that is not plain RAM */
    int vectors_writable;       /* sim65 programs: the vectors are RAM */

    struct mini6502_console console;
    struct mini6502_timer timer;
    unsigned irq_sources;       /* one bit per device driving /IRQ */

    /* sim65 hypercall state. */
    uint8_t sp_zp;              /* zero-page address of cc65's C stack pointer */
    int argc;                   /* the guest's argv (owned by the caller) */
    char **argv;
    int host_fd[MINI6502_MAX_FILES];

    /* The instruction being executed (for traces and messages). */
    uint16_t insn_pc;
    uint16_t prev_insn_pc;
    uint8_t insn_op;
    int insn_is_interrupt;      /* this fetch is replaced by an interrupt sequence */
    int prev_was_interrupt;     /* the previous one was */
    uint64_t instructions;

    /* Stop state. */
    enum mini6502_stop stop;
    int exit_code;
    char stop_msg[200];
    int break_enabled;
    uint16_t break_pc;
};

/* Builds a powered-off machine: RAM cleared, devices registered.  Returns
 * 0, or -1 when a device could not be registered (a build mistake). */
int mini6502_init(struct mini6502 *m, const struct mini6502_config *cfg);
/* Closes host files the program opened. */
void mini6502_destroy(struct mini6502 *m);
/* Heap-allocated machine (the struct holds 64 KiB of RAM). */
struct mini6502 *mini6502_create(const struct mini6502_config *cfg);
void mini6502_free(struct mini6502 *m);

/* Loads a program (sim65 format or ROM image, see above) and resets the
 * machine.  Returns 0, or -1 with a one-line reason in `why`. */
int mini6502_load_image(struct mini6502 *m, const uint8_t *image, size_t len, char *why,
                        size_t whylen);
int mini6502_load_file(struct mini6502 *m, const char *path, char *why, size_t whylen);
/* The argument vector the args hypercall hands the program (argv[0] is the
 * program's name).  The strings must outlive the run. */
void mini6502_set_args(struct mini6502 *m, int argc, char **argv);

/* RESET: CPU and devices; RAM keeps its contents. */
void mini6502_reset(struct mini6502 *m);

/* Runs until the machine stops or `cycles` cycles have passed.  Returns
 * the stop reason (MINI6502_RUNNING when the budget ran out). */
enum mini6502_stop mini6502_run(struct mini6502 *m, uint64_t cycles);
/* One bus cycle. */
enum mini6502_stop mini6502_step_cycle(struct mini6502 *m);
/* Runs to the next instruction boundary (the next opcode fetch). */
enum mini6502_stop mini6502_step_instruction(struct mini6502 *m);

/* Reads memory the way a debugger does: no device side effects. */
uint8_t mini6502_peek(const struct mini6502 *m, uint16_t addr);
/* Disassembles the instruction at addr; returns its length. */
int mini6502_disasm_at(const struct mini6502 *m, uint16_t addr, char *out, size_t outlen);
/* Prints the registers in one line ("A=00 X=00 ... P=24 nv-bdIzc"). */
void mini6502_print_registers(const struct mini6502 *m, FILE *out);

/* Snapshots: the whole machine, every device with its versioned state. */
int mini6502_save(struct mini6502 *m, struct state_writer *w);
int mini6502_restore(struct mini6502 *m, const uint8_t *buf, size_t len, char *why, size_t whylen);

#endif
