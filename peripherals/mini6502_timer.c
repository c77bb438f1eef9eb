#include "peripherals/mini6502_timer.h"

static cycles_t period_cycles(const struct mini6502_timer *t)
{
    return (cycles_t)t->period * MINI6502_TIMER_UNIT;
}

static void timer_fire(void *opaque, cycles_t now)
{
    struct mini6502_timer *t = opaque;
    (void)now;
    t->fired++;
    t->pending = 1;
    irq_set(&t->irq, 1);
    /* Count the next period from this deadline, not from `now`. */
    timer_arm(t->clock, &t->deadline, t->deadline.when + period_cycles(t));
}

/* Start counting a full period from the current cycle, or stop. */
static void timer_restart(struct mini6502_timer *t)
{
    if (t->enabled && t->period)
        timer_arm(t->clock, &t->deadline, t->clock->now + period_cycles(t));
    else
        timer_cancel(t->clock, &t->deadline);
}

void mini6502_timer_init(struct mini6502_timer *t, struct clock *clock)
{
    *t = (struct mini6502_timer){ .clock = clock };
    timer_init(&t->deadline, "mini6502-timer", timer_fire, t);
}

uint8_t mini6502_timer_read(const struct mini6502_timer *t, unsigned reg)
{
    if (reg == MINI6502_TIMER_PERIOD)
        return t->period;
    return (uint8_t)((t->pending ? MINI6502_TIMER_PENDING : 0) |
                     (t->enabled ? MINI6502_TIMER_ENABLE : 0));
}

void mini6502_timer_write(struct mini6502_timer *t, unsigned reg, uint8_t v)
{
    if (reg == MINI6502_TIMER_PERIOD) {
        t->period = v;
        timer_restart(t);
        return;
    }
    if (v & MINI6502_TIMER_ACK) {
        t->pending = 0;
        irq_set(&t->irq, 0);
    }
    int enable = (v & MINI6502_TIMER_ENABLE) != 0;
    if (enable != t->enabled) {
        t->enabled = (uint8_t)enable;
        timer_restart(t);
    }
}

static void timer_reset(void *opaque)
{
    struct mini6502_timer *t = opaque;
    t->period = 0;
    t->enabled = 0;
    t->pending = 0;
    t->fired = 0;
    timer_cancel(t->clock, &t->deadline);
    irq_set(&t->irq, 0);
}

static void timer_save(void *opaque, struct state_writer *w)
{
    const struct mini6502_timer *t = opaque;
    state_put_u8(w, t->period);
    state_put_u8(w, t->enabled);
    state_put_u8(w, t->pending);
    state_put_u64(w, t->fired);
    state_put_u8(w, (uint8_t)timer_armed(&t->deadline));
    state_put_u64(w, t->deadline.when);
}

/* Loads after the clock (the machine restores `now` first). */
static int timer_load(void *opaque, struct state_reader *r, uint32_t version)
{
    struct mini6502_timer *t = opaque;
    if (version != MINI6502_TIMER_STATE_VERSION)
        return -1;
    uint8_t period = state_get_u8(r), enabled = state_get_u8(r), pending = state_get_u8(r);
    uint64_t fired = state_get_u64(r);
    uint8_t armed = state_get_u8(r);
    uint64_t when = state_get_u64(r);
    if (r->error)
        return -1;
    t->period = period;
    t->enabled = enabled != 0;
    t->pending = pending != 0;
    t->fired = fired;
    irq_set(&t->irq, t->pending);
    if (armed && t->enabled && t->period)
        timer_arm(t->clock, &t->deadline, when);
    else
        timer_cancel(t->clock, &t->deadline);
    return 0;
}

static void timer_dump(void *opaque, FILE *out)
{
    const struct mini6502_timer *t = opaque;
    fprintf(out, "timer: period %u x 256 cycles, %s, IRQ %s, %llu periods elapsed",
            t->period, t->enabled ? "enabled" : "stopped", t->pending ? "pending" : "idle",
            (unsigned long long)t->fired);
    if (timer_armed(&t->deadline))
        fprintf(out, ", next at cycle %llu", (unsigned long long)t->deadline.when);
    fputc('\n', out);
}

const struct device_ops mini6502_timer_ops = {
    .name = "timer",
    .version = MINI6502_TIMER_STATE_VERSION,
    .reset = timer_reset,
    .save = timer_save,
    .load = timer_load,
    .dump = timer_dump,
};
