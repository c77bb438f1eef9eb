/*
 * Pacing emulated time against the host's clock (see pacing.h).
 */
#include "frontends/pacing.h"

#include <errno.h>
#include <time.h>

void pacer_start(struct pacer *p, uint64_t hz, int turbo, cycles_t now, double wall)
{
    p->hz = hz ? hz : 1;
    p->turbo = turbo;
    p->max_lag = PACER_MAX_LAG;
    p->resyncs = 0;
    pacer_rebase(p, now, wall);
}

void pacer_rebase(struct pacer *p, cycles_t now, double wall)
{
    p->anchor_cycles = now;
    p->anchor_wall = wall;
}

double pacer_delay(struct pacer *p, cycles_t now, double wall)
{
    if (p->turbo)
        return 0.0;
    double emulated = now >= p->anchor_cycles ? (double)(now - p->anchor_cycles) / (double)p->hz : 0.0;
    double ahead = emulated - (wall - p->anchor_wall);
    if (ahead < -p->max_lag) {
        /* Too far behind to catch up without a burst: carry on from here. */
        pacer_rebase(p, now, wall);
        p->resyncs++;
        return 0.0;
    }
    return ahead > 0.0 ? ahead : 0.0;
}

double pacer_wall(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void pacer_sleep(double seconds)
{
    if (!(seconds > 0.0))
        return;
    if (seconds > 1.0)
        seconds = 1.0;
    struct timespec t = { (time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9) };
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

void speed_meter_start(struct speed_meter *m, double window, double wall, uint64_t cycles, uint64_t insns)
{
    m->window = window;
    m->wall = wall;
    m->cycles = cycles;
    m->insns = insns;
    m->mips = 0.0;
    m->percent = 0.0;
}

int speed_meter_update(struct speed_meter *m, double wall, uint64_t cycles, uint64_t insns, uint64_t hz)
{
    double dt = wall - m->wall;
    if (dt < m->window || dt <= 0.0)
        return 0;
    m->mips = (double)(insns - m->insns) / dt / 1e6;
    m->percent = hz ? (double)(cycles - m->cycles) / (double)hz / dt * 100.0 : 0.0;
    m->wall = wall;
    m->cycles = cycles;
    m->insns = insns;
    return 1;
}
