/*
 * The clock: one timeline counted in CPU cycles, and a queue of timers.
 *
 * Devices never read the host's clock.  They arm a timer for a cycle
 * deadline; the CPU runs until the earliest deadline, then the clock fires
 * everything that is due, in deadline order (timers with the same deadline
 * fire in the order they were armed).  This makes a run deterministic.
 */
#ifndef TRAPEZE_BUS_CLOCK_H
#define TRAPEZE_BUS_CLOCK_H

#include <stdint.h>

typedef uint64_t cycles_t;
#define CLOCK_NEVER UINT64_MAX
#define CLOCK_MAX_TIMERS 64

struct clock;
typedef void (*timer_fn)(void *opaque, cycles_t now);

struct timer {
    const char *name;
    timer_fn fn;
    void *opaque;
    cycles_t when;      /* deadline, valid while armed */
    uint64_t order;     /* arming sequence number: ties fire in arming order */
    int slot;           /* index in the clock's heap, -1 when not armed */
};

struct clock {
    cycles_t now;       /* the current cycle: the CPU advances it */
    uint64_t hz;        /* cycles per emulated second */
    uint64_t armed_count;
    struct timer *heap[CLOCK_MAX_TIMERS];   /* min-heap on (when, order) */
    int n;
};

void clock_init(struct clock *c, uint64_t hz);
void timer_init(struct timer *t, const char *name, timer_fn fn, void *opaque);

/* Arm (or re-arm) t to fire at cycle `when`.  A deadline in the past fires
 * at the next clock_run_due(). */
void timer_arm(struct clock *c, struct timer *t, cycles_t when);
void timer_cancel(struct clock *c, struct timer *t);
static inline int timer_armed(const struct timer *t) { return t->slot >= 0; }

/* The earliest armed deadline, or CLOCK_NEVER. */
static inline cycles_t clock_next_deadline(const struct clock *c)
{
    return c->n ? c->heap[0]->when : CLOCK_NEVER;
}

/* Fire every timer whose deadline is <= now.  A callback may re-arm its own
 * or other timers; re-armed timers that are already due fire in this call. */
void clock_run_due(struct clock *c);

/* Cycles <-> time helpers for devices that think in nanoseconds. */
static inline cycles_t clock_ns_to_cycles(const struct clock *c, uint64_t ns)
{
    return (cycles_t)((ns / 1000000000u) * c->hz + (ns % 1000000000u) * c->hz / 1000000000u);
}
static inline uint64_t clock_cycles_to_ns(const struct clock *c, cycles_t cy)
{
    return (cy / c->hz) * 1000000000u + (cy % c->hz) * 1000000000u / c->hz;
}

#endif
