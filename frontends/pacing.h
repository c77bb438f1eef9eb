/*
 * Pacing: keeping emulated time in step with real time.
 *
 * The pacer remembers one anchor -- a cycle count and the wall-clock time
 * it was reached -- and asks, after each slice, how far emulated time
 * (cycles since the anchor / hz) runs ahead of real time since the anchor.
 * Measuring from a fixed anchor instead of adding up sleeps means sleep
 * overshoot and slice jitter never accumulate: over minutes the guest's
 * clock stays right to within one slice.
 *
 * A host that falls behind catches up (runs flat out) as long as the lag
 * stays under `max_lag`; a host too slow for the guest moves the anchor
 * instead, so the guest simply runs slower, without bursts.  After a pause
 * the frontend re-anchors.  Turbo never waits.
 *
 * All functions take the wall time as a parameter (pacer_wall() reads the
 * host's monotonic clock) so the logic can be tested without sleeping.
 */
#ifndef TRAPEZE_FRONTENDS_PACING_H
#define TRAPEZE_FRONTENDS_PACING_H

#include <stdint.h>

#include "bus/clock.h"

#define PACER_MAX_LAG 0.25          /* seconds behind before giving up catching up */

struct pacer {
    uint64_t hz;
    int turbo;
    double max_lag;
    cycles_t anchor_cycles;
    double anchor_wall;
    uint64_t resyncs;           /* times the host was too slow and the anchor moved */
};

void pacer_start(struct pacer *p, uint64_t hz, int turbo, cycles_t now, double wall);
/* Start measuring from here (after a pause, a long host stall). */
void pacer_rebase(struct pacer *p, cycles_t now, double wall);
/* Seconds to wait before running on (0: run now).  Moves the anchor when
 * emulated time lags real time by more than max_lag. */
double pacer_delay(struct pacer *p, cycles_t now, double wall);

/* The host's monotonic clock in seconds, and a sleep. */
double pacer_wall(void);
void pacer_sleep(double seconds);

/* Emulated speed over windows of at least `window` seconds. */
struct speed_meter {
    double window;
    double wall;
    uint64_t cycles, insns;
    double mips;                /* million instructions per real second */
    double percent;             /* emulated time per real time, in % */
};

void speed_meter_start(struct speed_meter *m, double window, double wall, uint64_t cycles, uint64_t insns);
/* Returns 1 when a window closed and mips/percent are new. */
int speed_meter_update(struct speed_meter *m, double wall, uint64_t cycles, uint64_t insns, uint64_t hz);

#endif
