/*
 * A bare x86 test rig for the CPU unit tests: RAM, a cycle clock, one CPU,
 * fake port I/O and a fake interrupt controller, all in one value so a test
 * can have two of them.
 *
 * Memory layout (real mode, every segment register 0 at the start):
 *   0000:0000  the interrupt vector table; vector v points at a stub
 *   0000:0600  one counter byte per vector, incremented by its stub
 *   0000:1000  RIG_CODE: where test programs are placed and start
 *   0000:3000  RIG_DATA: scratch data
 *   0000:4000  the stubs: vector v's at 4000 + 8v is
 *              "inc byte [cs:0600+v]; iret" (CS override, so it counts
 *              whatever DS holds)
 *   0000:8000  the initial stack top
 *
 * The fake interrupt controller drives INTR with `vector`: a write to port
 * RIG_PORT_RAISE raises the line (as a device would), the acknowledge
 * cycle returns the vector and lowers the line (an edge-triggered PIC).  A
 * write to RIG_PORT_NMI pulses NMI.  Port RIG_PORT_READ reads back fixed
 * values; every OUT is logged.  Every interrupt and exception delivered is
 * recorded through the CPU's exception observer, with the return address
 * and the registers at delivery.
 */
#ifndef TRAPEZE_TESTS_UNIT_X86_RIG_H
#define TRAPEZE_TESTS_UNIT_X86_RIG_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus/clock.h"
#include "cpu/x86/cpu.h"
#include "memory/physmem.h"

#define RIG_CODE 0x1000u
#define RIG_DATA 0x3000u
#define RIG_STUBS 0x4000u
#define RIG_COUNTS 0x0600u
#define RIG_STACK 0x8000u
#define RIG_MAX_EVENTS 64
#define RIG_MAX_OUTS 64

#define RIG_PORT_RAISE 0x80
#define RIG_PORT_NMI 0x81
#define RIG_PORT_READ 0x90

struct rig_event {
    int vector;
    int is_interrupt;           /* hardware interrupt or trap, not a fault */
    uint16_t cs;
    uint32_t eip;               /* the return address the frame will hold */
    uint32_t gpr[8];
};

struct rig_out {
    uint16_t port;
    uint32_t value;
    int size;
};

struct rig {
    struct physmem mem;
    struct clock clock;
    struct x86_cpu cpu;
    uint8_t vector;             /* what the fake controller answers */
    int acks;
    struct rig_event ev[RIG_MAX_EVENTS];
    int nev;
    struct rig_out out[RIG_MAX_OUTS];
    int nout;
};

static inline uint32_t rig_io_read(void *opaque, uint16_t port, int size)
{
    (void)opaque;
    if (port == RIG_PORT_READ)
        return size == 1 ? 0x5Au : size == 2 ? 0x1234u : 0x89ABCDEFu;
    return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

static inline void rig_io_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct rig *r = opaque;
    if (r->nout < RIG_MAX_OUTS)
        r->out[r->nout++] = (struct rig_out){ port, value, size };
    if (port == RIG_PORT_RAISE)
        x86_set_intr(&r->cpu, 1);
    else if (port == RIG_PORT_NMI)
        x86_nmi(&r->cpu);
}

static inline uint8_t rig_intr_ack(void *opaque)
{
    struct rig *r = opaque;
    r->acks++;
    x86_set_intr(&r->cpu, 0);
    return r->vector;
}

static inline void rig_on_exception(void *opaque, int vector, int has_error, uint32_t error, int is_interrupt)
{
    struct rig *r = opaque;
    (void)has_error;
    (void)error;
    if (r->nev >= RIG_MAX_EVENTS)
        return;
    struct rig_event *e = &r->ev[r->nev++];
    e->vector = vector;
    e->is_interrupt = is_interrupt;
    e->cs = r->cpu.seg[X86_CS].sel;
    e->eip = r->cpu.eip;
    memcpy(e->gpr, r->cpu.gpr, sizeof(e->gpr));
}

static inline void rig_poke(struct rig *r, uint32_t addr, uint32_t value, int size)
{
    physmem_write(&r->mem, addr, value, size);
}

static inline uint32_t rig_peek(struct rig *r, uint32_t addr, int size)
{
    return physmem_read(&r->mem, addr, size);
}

static inline void rig_set_vector(struct rig *r, int vector, uint16_t seg, uint16_t off)
{
    rig_poke(r, (uint32_t)vector * 4, off, 2);
    rig_poke(r, (uint32_t)vector * 4 + 2, seg, 2);
}

/* Places bytes in memory behind the CPU's back (its decoded code is dropped). */
static inline void rig_load(struct rig *r, uint32_t addr, const uint8_t *bytes, size_t len)
{
    physmem_copy_to(&r->mem, addr, bytes, len);
    x86_flush_caches(&r->cpu);
}

/* The times a vector's stub ran. */
static inline unsigned rig_count(struct rig *r, int vector)
{
    return rig_peek(r, RIG_COUNTS + (uint32_t)vector, 1);
}

/* Back to the start: registers cleared, segments 0, SP at RIG_STACK, IP at
 * RIG_CODE, FLAGS with only the reserved bit.  Memory is kept. */
static inline void rig_restart(struct rig *r)
{
    struct x86_cpu *c = &r->cpu;
    x86_reset(c);
    for (int s = 0; s < X86_NSEG; s++)
        x86_load_seg_real(c, s, 0);
    memset(c->gpr, 0, sizeof(c->gpr));
    c->gpr[X86_ESP] = RIG_STACK;
    c->eip = RIG_CODE;
    x86_set_flags(c, 0x0002);
    x86_set_intr(c, 0);
    r->nev = 0;
    r->nout = 0;
    r->acks = 0;
    for (uint32_t v = 0; v < 256; v++)
        rig_poke(r, RIG_COUNTS + v, 0, 1);
}

/* Returns NULL when memory cannot be had. */
static inline struct rig *rig_new(enum x86_model model, uint64_t ram)
{
    struct rig *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    if (physmem_init(&r->mem, ram) != 0) {
        free(r);
        return NULL;
    }
    clock_init(&r->clock, 1000000);
    struct x86_bus bus;
    memset(&bus, 0, sizeof(bus));
    bus.mem = &r->mem;
    bus.clock = &r->clock;
    bus.opaque = r;
    bus.io_read = rig_io_read;
    bus.io_write = rig_io_write;
    bus.intr_ack = rig_intr_ack;
    if (x86_init(&r->cpu, model, &bus) != 0) {
        physmem_destroy(&r->mem);
        free(r);
        return NULL;
    }
    for (int v = 0; v < 256; v++) {
        uint32_t at = RIG_STUBS + 8u * (uint32_t)v;
        /* inc byte [cs:0600+v] ; iret */
        const uint8_t stub[6] = { 0x2E, 0xFE, 0x06, (uint8_t)(RIG_COUNTS + v), (uint8_t)((RIG_COUNTS + v) >> 8), 0xCF };
        physmem_copy_to(&r->mem, at, stub, sizeof(stub));
        rig_set_vector(r, v, 0, (uint16_t)at);
    }
    r->vector = 0x40;
    r->cpu.stop_on_hlt = 1;
    r->cpu.observer.opaque = r;
    r->cpu.observer.exception = rig_on_exception;
    rig_restart(r);
    return r;
}

static inline void rig_free(struct rig *r)
{
    if (!r)
        return;
    x86_destroy(&r->cpu);
    physmem_destroy(&r->mem);
    free(r);
}

/* A fresh start with `len` bytes of code at RIG_CODE. */
static inline void rig_program(struct rig *r, const uint8_t *code, size_t len)
{
    rig_restart(r);
    rig_load(r, RIG_CODE, code, len);
}

/* Runs until HLT (stop_on_hlt) or `cycles` have passed. */
static inline enum x86_stop rig_run(struct rig *r, uint64_t cycles)
{
    return x86_run(&r->cpu, r->clock.now + cycles);
}

/* The n-th recorded event with `vector` (0-based), or NULL. */
static inline const struct rig_event *rig_event_of(const struct rig *r, int vector, int n)
{
    for (int k = 0; k < r->nev; k++)
        if (r->ev[k].vector == vector && n-- == 0)
            return &r->ev[k];
    return NULL;
}

static inline int rig_events_with(const struct rig *r, int vector)
{
    int n = 0;
    for (int k = 0; k < r->nev; k++)
        n += r->ev[k].vector == vector;
    return n;
}

/* The real-mode interrupt frame at SS:SP: IP, CS, FLAGS. */
static inline uint16_t rig_stack_word(struct rig *r, int index)
{
    uint32_t sp = r->cpu.gpr[X86_ESP] & 0xFFFFu;
    return (uint16_t)rig_peek(r, r->cpu.seg[X86_SS].base + ((sp + 2u * (uint32_t)index) & 0xFFFFu), 2);
}

#endif
