/*
 * Intel 8254 programmable interval timer at ports 0x40-0x43.
 *
 *   0x40-0x42  counters 0-2 (count register writes, counter reads)
 *   0x43       control word (mode, counter latch, read-back command)
 *
 * The three counters count the PC's 1.193182 MHz timer clock (the 14.31818
 * MHz crystal divided by 12: exactly 13 125 000 / 11 Hz), which is derived
 * from the cycle clock with exact rational arithmetic: PIT clock edge k falls
 * on cycle ceil(k * 11 * hz / 13 125 000), from cycle 0, with no accumulated
 * rounding.  Nothing counts per tick: each counter keeps its state as of
 * one clock edge and computes any later state in closed form, so a counter
 * read in the middle of an instruction is exact for the current cycle.
 *
 * OUT pins: counter 0 drives `irq0` (the board connects it to IRQ 0);
 * counter 2 is the speaker's source: pit_out() reads it (port 0x61 bit 5)
 * and pit_set_out_listener() reports every edge with its exact cycle.  A
 * clock timer is armed only for the next OUT edge of a counter somebody
 * listens to.  GATE inputs: counters 0 and 1 are tied high on a PC; the
 * board drives counter 2's gate from port 0x61 bit 0 with pit_set_gate().
 *
 * All six modes, binary and BCD counting, LSB/MSB/LSB-then-MSB access,
 * counter latch and read-back (status byte with OUT and null count) follow
 * the Intel 82C54 datasheet (order number 231244).  Counts of 1 in modes 2
 * and 3, which the datasheet declares illegal, hold OUT high.
 */
#ifndef TRAPEZE_PERIPHERALS_PIT8254_H
#define TRAPEZE_PERIPHERALS_PIT8254_H

#include <stdint.h>
#include <stdio.h>

#include "bus/clock.h"
#include "bus/device.h"
#include "bus/irq.h"
#include "bus/portio.h"

#define PIT_STATE_VERSION 1u
/* The timer clock in Hz is PIT_CLOCK_NUM / PIT_CLOCK_DEN. */
#define PIT_CLOCK_NUM 13125000u
#define PIT_CLOCK_DEN 11u

struct pit8254;
typedef void (*pit_out_fn)(void *opaque, int channel, int level, cycles_t when);

/* The counting element's evolving state, valid as of PIT clock edge `t`. */
struct pit_ce {
    uint64_t t;             /* clock edge this state describes */
    uint32_t ce;            /* counting element, numeric (0 .. modulus) */
    uint8_t out;
    uint8_t load_pending;   /* CR is loaded into CE on edge t + 1 */
    uint8_t running;        /* CE has been loaded since the control word */
    uint8_t phase;          /* mode-specific (see pit8254.c) */
    uint8_t null_count;     /* CR written but not yet loaded into CE */
    uint64_t half_start;    /* mode 3: edge the current half-cycle began */
    uint32_t half_count;    /* mode 3: the count loaded for that half */
};

struct pit_counter {
    struct pit8254 *pit;
    int index;
    uint8_t control;        /* bits 5-0 of the last control word */
    uint8_t mode;           /* 0-5 */
    uint8_t access;         /* 1 LSB, 2 MSB, 3 LSB then MSB */
    uint8_t bcd;
    uint16_t cr;            /* count register */
    uint8_t cr_lsb;         /* LSB written, MSB awaited */
    uint8_t write_msb;      /* access 3: the next write is the MSB */
    uint8_t read_msb;       /* access 3: the next unlatched read is the MSB */
    uint8_t latched;        /* output-latch bytes still to read (0-2) */
    uint16_t ol;            /* output latch */
    uint8_t status_latched;
    uint8_t status;
    uint8_t gate;
    uint8_t armed;          /* a count was written since the control word */
    uint8_t reported_out;   /* OUT as last told to listeners */
    struct pit_ce s;
    struct timer timer;     /* armed at the next OUT edge when listened to */
    pit_out_fn on_out;
    void *on_out_opaque;
};

struct pit8254 {
    struct clock *clock;
    struct pit_counter ctr[3];
    struct irq_line irq0;   /* counter 0's OUT: connect to IRQ 0 */
    uint32_t warned;
};

/* Registers ports 0x40-0x43 and the device "pit".  Returns 0 or -1. */
int pit_init(struct pit8254 *pit, struct clock *clock, struct portio *io, struct device_registry *reg);

/* GATE input of counter `ch` (the board: counter 2 from port 0x61 bit 0). */
void pit_set_gate(struct pit8254 *pit, int ch, int level);
/* OUT of counter `ch` at the current cycle. */
int pit_out(struct pit8254 *pit, int ch);
/* Called on every OUT edge of counter `ch`, with the edge's exact cycle
 * (which may lie a little before the clock's `now`).  NULL: no listener. */
void pit_set_out_listener(struct pit8254 *pit, int ch, pit_out_fn fn, void *opaque);

/* Port-level access (tests, the monitor). */
uint8_t pit_read(struct pit8254 *pit, uint16_t port);
void pit_write(struct pit8254 *pit, uint16_t port, uint8_t value);

/* Clock arithmetic: PIT clock edges at or before `cycle`, and the cycle on
 * which edge `k` falls. */
uint64_t pit_ticks_at(const struct clock *clock, cycles_t cycle);
cycles_t pit_cycle_of_tick(const struct clock *clock, uint64_t k);

extern const struct device_ops pit_ops;

#endif
