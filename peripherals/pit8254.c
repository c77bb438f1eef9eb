/*
 * Intel 8254 programmable interval timer.  Mode descriptions quoted or
 * paraphrased below are from the Intel 82C54 datasheet, "Mode Definitions".
 *
 * How counting is modelled: a counter's dynamic state (struct pit_ce) is
 * valid as of one PIT clock edge t.  advance_to() moves it to a later edge
 * in closed form, next_edge() says on which edge OUT will next change if
 * nothing outside happens.  Every port access, gate change and timer
 * callback first brings the counter to the current edge (sync_counter),
 * then applies its change.  Clock edges are numbered from cycle 0; a CPU
 * write lands between edge T (the last one at or before the current cycle)
 * and edge T + 1, which is "the next CLK pulse" of the datasheet.
 */
#include "peripherals/pit8254.h"

#include <string.h>

#define NEVER UINT64_MAX
/* Edges reported one by one when a counter catches up; beyond this the
 * counter jumps (only a clock that leapt far ahead without firing timers). */
#define MAX_EDGES_PER_SYNC 64

enum pit_phase {
    PH_IDLE = 0,    /* nothing pending */
    PH_ACTIVE = 1,  /* modes 0/1: OUT low until terminal count; 4/5: strobe armed */
    PH_STROBE = 2,  /* modes 4/5: OUT low for this one clock */
};

enum pit_warning {
    WARN_BCD = 1u << 0,
    WARN_COUNT1 = 1u << 1,
};

static void warn_once(struct pit8254 *pit, uint32_t which, const char *what)
{
    if (pit->warned & which)
        return;
    pit->warned |= which;
    fprintf(stderr, "trapeze: pit8254: %s\n", what);
}

/* ---- clock arithmetic ------------------------------------------------ */

/* Edges at or before `cycle`: floor(cycle * NUM / (DEN * hz)), split so no
 * intermediate product overflows for any cycle count. */
uint64_t pit_ticks_at(const struct clock *clock, cycles_t cycle)
{
    uint64_t d = (uint64_t)PIT_CLOCK_DEN * clock->hz;
    return (cycle / d) * PIT_CLOCK_NUM + ((cycle % d) * PIT_CLOCK_NUM) / d;
}

/* The first cycle at which edge k has happened: ceil(k * DEN * hz / NUM). */
cycles_t pit_cycle_of_tick(const struct clock *clock, uint64_t k)
{
    uint64_t d = (uint64_t)PIT_CLOCK_DEN * clock->hz;
    return (k / PIT_CLOCK_NUM) * d + ((k % PIT_CLOCK_NUM) * d + PIT_CLOCK_NUM - 1) / PIT_CLOCK_NUM;
}

/* ---- counts ---------------------------------------------------------- */

static uint32_t modulus(const struct pit_counter *c) { return c->bcd ? 10000u : 65536u; }

/* The count register as a number of clocks: 0 is the maximum, 2^16 in
 * binary, 10^4 in BCD.  A BCD digit above 9 is out of spec; it is weighted
 * as written and the result kept within the decade counter's range. */
static uint32_t count_value(const struct pit_counter *c)
{
    uint32_t v = c->cr;
    if (c->bcd) {
        unsigned d3 = (v >> 12) & 15u, d2 = (v >> 8) & 15u, d1 = (v >> 4) & 15u, d0 = v & 15u;
        if (d3 > 9 || d2 > 9 || d1 > 9 || d0 > 9)
            warn_once(c->pit, WARN_BCD, "BCD count with a digit above 9");
        v = (d3 * 1000u + d2 * 100u + d1 * 10u + d0) % 10000u;
    }
    return v ? v : modulus(c);
}

/* The counting element as the guest reads it. */
static uint16_t ce_display(const struct pit_counter *c)
{
    uint32_t v = c->s.ce % modulus(c);
    if (!c->bcd)
        return (uint16_t)v;
    return (uint16_t)((v / 1000u) << 12 | ((v / 100u) % 10u) << 8 | ((v / 10u) % 10u) << 4 | (v % 10u));
}

/* Clocks until a down-counter holding `ce` reaches zero. */
static uint64_t clocks_to_zero(uint32_t ce, uint32_t m) { return (ce % m) ? (ce % m) : m; }

/* GATE enables counting in modes 0, 2, 3, 4; in modes 1 and 5 it only
 * triggers. */
static int counting(const struct pit_counter *c, const struct pit_ce *s)
{
    return s->running && (c->gate || c->mode == 1 || c->mode == 5);
}

/* ---- the counting element -------------------------------------------- */

/* The clock edge that loads CR into CE (after a count write or a trigger).
 * It does not decrement: "for an initial count of N, OUT does not go high
 * until N + 1 CLK pulses after the initial count is written" (mode 0). */
static void do_load(const struct pit_counter *c, struct pit_ce *s)
{
    uint32_t n = count_value(c);
    s->load_pending = 0;
    s->null_count = 0;
    s->running = 1;
    s->ce = n;
    switch (c->mode) {
    case 0:
        s->phase = PH_ACTIVE;
        s->out = 0;
        break;
    case 1: /* "OUT will go low on the CLK pulse following a trigger" */
        s->phase = PH_ACTIVE;
        s->out = 0;
        break;
    case 2:
        s->out = 1;
        break;
    case 3:
        s->out = 1;
        s->half_start = s->t;
        s->half_count = n;
        break;
    default: /* 4, 5 */
        s->phase = PH_ACTIVE;
        s->out = 1;
        break;
    }
}

/* Modes 0, 1, 4, 5: count down by one, wrapping through the maximum. */
static void advance_one_shot(const struct pit_counter *c, struct pit_ce *s, uint64_t k)
{
    uint32_t m = modulus(c);
    uint64_t d = clocks_to_zero(s->ce, m);
    s->ce = (uint32_t)(((uint64_t)(s->ce % m) + m - k % m) % m);
    if (c->mode <= 1) {
        /* Mode 0: OUT goes high on terminal count and stays high.
         * Mode 1: OUT, low since the trigger, goes high on terminal count. */
        if (s->phase == PH_ACTIVE && k >= d) {
            s->out = 1;
            s->phase = PH_IDLE;
        }
    } else if (s->phase == PH_STROBE) {
        /* Modes 4, 5: "OUT will go low for one CLK pulse" */
        s->out = 1;
        s->phase = PH_IDLE;
    } else if (s->phase == PH_ACTIVE && k >= d) {
        s->out = k == d ? 0 : 1;
        s->phase = k == d ? PH_STROBE : PH_IDLE;
    }
}

/* Mode 2, rate generator: "When the initial count has decremented to 1,
 * OUT goes low for one CLK pulse.  OUT then goes high again, the Counter
 * reloads the initial count and the process is repeated."  A count written
 * while counting takes effect at that reload. */
static void advance_rate(const struct pit_counter *c, struct pit_ce *s, uint64_t k)
{
    uint64_t cur = s->ce ? s->ce : modulus(c);
    if (k < cur) {
        s->ce = (uint32_t)(cur - k);
        s->out = s->ce != 1;
        return;
    }
    uint32_t n = count_value(c);
    s->null_count = 0;
    if (n == 1) {
        warn_once(c->pit, WARN_COUNT1, "count of 1 in mode 2 or 3 (illegal): OUT held high");
        s->ce = 1;
        s->out = 1;
        return;
    }
    s->ce = (uint32_t)(n - (k - cur) % n);
    s->out = s->ce != 1;
}

/* Mode 3 half-cycles.  "Even counts: ... The initial count is loaded on one
 * CLK pulse and then is decremented by two on succeeding CLK pulses.  When
 * the count expires, OUT changes value and the Counter is reloaded with the
 * initial count."  Odd counts: loaded, then decremented by one (OUT high)
 * or by three (OUT low) on the next pulse and by two after that, so OUT is
 * high for (N + 1) / 2 clocks and low for (N - 1) / 2. */
static uint64_t half_length(uint32_t n, int high) { return high ? (n + 1u) / 2u : n / 2u; }

static uint32_t half_value(uint32_t n, int high, uint64_t j)
{
    if (j == 0)
        return n;
    if (!(n & 1u))
        return (uint32_t)(n - 2 * j);
    return (uint32_t)(high ? n + 1 - 2 * j : n - 1 - 2 * j);
}

static void advance_square(const struct pit_counter *c, struct pit_ce *s, uint64_t to)
{
    for (;;) {
        if (s->half_count == 1) {
            /* An illegal count of 1 holds OUT high; a new count starts a
             * fresh high half on the clock after it is seen. */
            uint32_t n = count_value(c);
            if (n == 1 || to < s->half_start + 1) {
                if (n == 1) {
                    warn_once(c->pit, WARN_COUNT1, "count of 1 in mode 2 or 3 (illegal): OUT held high");
                    s->half_start = to;
                }
                s->ce = 1;
                s->out = 1;
                return;
            }
            s->half_start += 1;
            s->half_count = n;
            s->out = 1;
            s->null_count = 0;
            continue;
        }
        uint64_t end = s->half_start + half_length(s->half_count, s->out);
        if (to < end) {
            s->ce = half_value(s->half_count, s->out, to - s->half_start);
            return;
        }
        /* The half-cycle expired: "the new count will be loaded at the end
         * of the current half-cycle". */
        uint32_t n = count_value(c);
        s->null_count = 0;
        s->half_start = end;
        if (n == 1) {
            s->half_count = 1;
            s->out = 1;
            continue;
        }
        s->out ^= 1;
        s->half_count = n;
        s->half_start += ((to - s->half_start) / n) * n;   /* whole periods */
    }
}

/* Bring state `s` forward to edge `to`, with no outside event in between. */
static void advance_state(const struct pit_counter *c, struct pit_ce *s, uint64_t to)
{
    if (to <= s->t)
        return;
    if (s->load_pending) {
        s->t++;
        do_load(c, s);
        if (to == s->t)
            return;
    }
    uint64_t k = to - s->t;
    if (!counting(c, s)) {
        if (s->phase == PH_STROBE) {   /* a strobe lasts one clock whatever GATE does */
            s->out = 1;
            s->phase = PH_IDLE;
        }
    } else if (c->mode == 2) {
        advance_rate(c, s, k);
    } else if (c->mode == 3) {
        advance_square(c, s, to);
    } else {
        advance_one_shot(c, s, k);
    }
    s->t = to;
}

/* The edge on which OUT next changes, or NEVER. */
static uint64_t next_edge(const struct pit_counter *c)
{
    struct pit_ce s = c->s;
    if (s.load_pending) {
        uint8_t before = s.out;
        s.t++;
        do_load(c, &s);
        if (s.out != before)
            return s.t;
    }
    if (!counting(c, &s))
        return s.phase == PH_STROBE ? s.t + 1 : NEVER;
    uint32_t m = modulus(c);
    switch (c->mode) {
    case 0:
    case 1:
        return s.phase == PH_ACTIVE ? s.t + clocks_to_zero(s.ce, m) : NEVER;
    case 4:
    case 5:
        if (s.phase == PH_STROBE)
            return s.t + 1;
        return s.phase == PH_ACTIVE ? s.t + clocks_to_zero(s.ce, m) : NEVER;
    case 2: {
        if (!s.out)
            return s.t + 1;
        uint64_t cur = s.ce ? s.ce : m;
        if (cur >= 2)
            return s.t + cur - 1;
        uint32_t n = count_value(c);   /* held high by a count of 1 */
        return n == 1 ? NEVER : s.t + n;
    }
    default: {
        uint32_t n = count_value(c);
        if (s.half_count == 1)
            return n == 1 ? NEVER : s.half_start + 1 + half_length(n, 1);
        if (n == 1 && s.out)
            return NEVER;
        return s.half_start + half_length(s.half_count, s.out);
    }
    }
}

/* ---- OUT listeners and timers --------------------------------------- */

static int listened(const struct pit_counter *c)
{
    return c->on_out || (c->index == 0 && c->pit->irq0.sink);
}

static void report_out(struct pit_counter *c, cycles_t when)
{
    if (c->s.out == c->reported_out)
        return;
    c->reported_out = c->s.out;
    if (c->index == 0)
        irq_set(&c->pit->irq0, c->s.out);
    if (c->on_out)
        c->on_out(c->on_out_opaque, c->index, c->s.out, when);
}

static void rearm(struct pit_counter *c)
{
    struct clock *clock = c->pit->clock;
    uint64_t e = listened(c) ? next_edge(c) : NEVER;
    if (e == NEVER)
        timer_cancel(clock, &c->timer);
    else
        timer_arm(clock, &c->timer, pit_cycle_of_tick(clock, e));
}

/* Bring the counter to the current cycle, reporting every OUT edge on the
 * way with the cycle it happened on. */
static void sync_counter(struct pit_counter *c)
{
    const struct clock *clock = c->pit->clock;
    uint64_t now = pit_ticks_at(clock, clock->now);
    if (listened(c)) {
        for (int i = 0; i < MAX_EDGES_PER_SYNC; i++) {
            uint64_t e = next_edge(c);
            if (e > now)
                break;
            advance_state(c, &c->s, e);
            report_out(c, pit_cycle_of_tick(clock, e));
        }
    }
    advance_state(c, &c->s, now);
    report_out(c, clock->now);
}

/* After a change made at the current cycle. */
static void changed(struct pit_counter *c)
{
    report_out(c, c->pit->clock->now);
    rearm(c);
}

static void counter_timer(void *opaque, cycles_t now)
{
    struct pit_counter *c = opaque;
    (void)now;
    sync_counter(c);
    rearm(c);
}

/* ---- programming ----------------------------------------------------- */

static void latch_count(struct pit_counter *c)
{
    /* "If a Counter is latched and then, some time later, latched again
     * before the count is read, the second Counter Latch Command is
     * ignored." */
    if (c->latched)
        return;
    c->ol = ce_display(c);
    c->latched = c->access == 3 ? 2 : 1;
}

static void latch_status(struct pit_counter *c)
{
    if (c->status_latched)
        return;
    c->status = (uint8_t)(c->s.out << 7 | c->s.null_count << 6 | c->control);
    c->status_latched = 1;
}

/* Read-back command: bit 5 clear latches the counts, bit 4 clear the
 * status, bits 3-1 select counters 2-0. */
static void read_back(struct pit8254 *pit, uint8_t v)
{
    for (int i = 0; i < 3; i++) {
        if (!(v & (2u << i)))
            continue;
        struct pit_counter *c = &pit->ctr[i];
        sync_counter(c);
        if (!(v & 0x20u))
            latch_count(c);
        if (!(v & 0x10u))
            latch_status(c);
        rearm(c);
    }
}

/* "When a Control Word is written to a Counter, all Control Logic is
 * immediately reset and OUT goes to a known initial state": low in mode 0,
 * high in the others.  Counting waits for a count. */
static void write_control(struct pit8254 *pit, uint8_t v)
{
    if ((v >> 6) == 3) {
        read_back(pit, v);
        return;
    }
    struct pit_counter *c = &pit->ctr[v >> 6];
    sync_counter(c);
    if (((v >> 4) & 3u) == 0) {
        latch_count(c);
        rearm(c);
        return;
    }
    unsigned mode = (v >> 1) & 7u;
    c->control = v & 0x3Fu;
    c->mode = (uint8_t)(mode > 5 ? mode - 4 : mode);     /* x10 = 2, x11 = 3 */
    c->access = (v >> 4) & 3u;
    c->bcd = v & 1u;
    c->write_msb = 0;
    c->read_msb = 0;
    c->latched = 0;
    c->status_latched = 0;
    c->armed = 0;
    c->s.running = 0;
    c->s.load_pending = 0;
    c->s.null_count = 1;
    c->s.phase = PH_IDLE;
    c->s.out = c->mode == 0 ? 0 : 1;
    changed(c);
}

/* A complete count was written to CR. */
static void count_written(struct pit_counter *c)
{
    c->s.null_count = 1;
    c->armed = 1;
    switch (c->mode) {
    case 0: /* "OUT ... remains high until a new count or new Mode 0 Control Word" */
        c->s.out = 0;
        c->s.phase = PH_ACTIVE;
        c->s.load_pending = 1;
        break;
    case 2:
    case 3: /* while counting, the count waits for the end of the period */
        if (!c->s.running)
            c->s.load_pending = 1;
        break;
    case 4: /* "If a new count is written during counting, it will be loaded
             * on the next CLK pulse" */
        c->s.load_pending = 1;
        break;
    default: /* 1, 5: the count waits for a trigger */
        break;
    }
}

static void write_count(struct pit_counter *c, uint8_t v)
{
    sync_counter(c);
    if (c->access == 1) {
        c->cr = v;
    } else if (c->access == 2) {
        c->cr = (uint16_t)(v << 8);
    } else if (!c->write_msb) {
        c->cr_lsb = v;
        c->write_msb = 1;
        if (c->mode == 0) {
            /* Mode 0: "Writing the first byte disables counting.  OUT is
             * set low immediately (no clock pulse required)." */
            c->s.running = 0;
            c->s.load_pending = 0;
            c->s.out = 0;
        }
        changed(c);
        return;
    } else {
        c->cr = (uint16_t)(c->cr_lsb | v << 8);
        c->write_msb = 0;
    }
    count_written(c);
    changed(c);
}

static uint8_t read_counter(struct pit_counter *c)
{
    sync_counter(c);
    rearm(c);
    if (c->status_latched) {
        c->status_latched = 0;
        return c->status;
    }
    uint16_t v;
    int msb;
    if (c->latched) {
        v = c->ol;
        msb = c->access == 2 || (c->access == 3 && c->latched == 1);
        c->latched = c->access == 3 && c->latched == 2 ? 1 : 0;
    } else {
        v = ce_display(c);
        msb = c->access == 2 || (c->access == 3 && c->read_msb);
        if (c->access == 3)
            c->read_msb ^= 1;
    }
    return (uint8_t)(msb ? v >> 8 : v);
}

uint8_t pit_read(struct pit8254 *pit, uint16_t port)
{
    if ((port & 3u) == 3)
        return 0xFF;    /* the control word register is write-only: 3-state */
    return read_counter(&pit->ctr[port & 3u]);
}

void pit_write(struct pit8254 *pit, uint16_t port, uint8_t value)
{
    if ((port & 3u) == 3)
        write_control(pit, value);
    else
        write_count(&pit->ctr[port & 3u], value);
}

static uint32_t pit_io_read(void *opaque, uint16_t port, int size)
{
    (void)size;
    return pit_read(opaque, port);
}

static void pit_io_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    (void)size;
    pit_write(opaque, port, (uint8_t)value);
}

/* ---- pins ------------------------------------------------------------ */

void pit_set_gate(struct pit8254 *pit, int ch, int level)
{
    if (ch < 0 || ch > 2)
        return;
    struct pit_counter *c = &pit->ctr[ch];
    sync_counter(c);
    level = level != 0;
    if (level == c->gate) {
        rearm(c);
        return;
    }
    c->gate = (uint8_t)level;
    switch (c->mode) {
    case 1:
    case 5: /* a rising edge triggers: CR is loaded on the next clock */
        if (level && c->armed)
            c->s.load_pending = 1;
        break;
    case 2:
    case 3: /* GATE low forces OUT high; a rising edge reloads */
        if (!level)
            c->s.out = 1;
        else if (c->armed)
            c->s.load_pending = 1;
        break;
    default: /* 0, 4: GATE only enables counting */
        break;
    }
    changed(c);
}

int pit_out(struct pit8254 *pit, int ch)
{
    if (ch < 0 || ch > 2)
        return 0;
    struct pit_counter *c = &pit->ctr[ch];
    sync_counter(c);
    rearm(c);
    return c->s.out;
}

void pit_set_out_listener(struct pit8254 *pit, int ch, pit_out_fn fn, void *opaque)
{
    if (ch < 0 || ch > 2)
        return;
    struct pit_counter *c = &pit->ctr[ch];
    sync_counter(c);
    c->on_out = fn;
    c->on_out_opaque = opaque;
    rearm(c);
}

/* ---- device hooks ---------------------------------------------------- */

static void counter_reset(struct pit_counter *c)
{
    const struct clock *clock = c->pit->clock;
    timer_cancel(c->pit->clock, &c->timer);
    c->control = 0x30;      /* as if programmed: LSB then MSB, mode 0, binary */
    c->mode = 0;
    c->access = 3;
    c->bcd = 0;
    c->cr = 0;
    c->cr_lsb = 0;
    c->write_msb = c->read_msb = 0;
    c->latched = 0;
    c->ol = 0;
    c->status_latched = 0;
    c->status = 0;
    c->gate = c->index != 2;   /* counters 0 and 1 have GATE tied high */
    c->armed = 0;
    memset(&c->s, 0, sizeof(c->s));
    c->s.t = pit_ticks_at(clock, clock->now);
    c->s.null_count = 1;
    c->reported_out = 0;
}

static void pit_reset(void *opaque)
{
    struct pit8254 *pit = opaque;
    for (int i = 0; i < 3; i++)
        counter_reset(&pit->ctr[i]);
    irq_set(&pit->irq0, 0);
}

static void counter_save(const struct pit_counter *c, struct state_writer *w)
{
    const uint8_t b[] = { c->control, c->mode, c->access, c->bcd, c->cr_lsb, c->write_msb, c->read_msb,
                          c->latched, c->status_latched, c->status, c->gate, c->armed, c->reported_out,
                          c->s.out, c->s.load_pending, c->s.running, c->s.phase, c->s.null_count };
    state_put_bytes(w, b, sizeof(b));
    state_put_u16(w, c->cr);
    state_put_u16(w, c->ol);
    state_put_u64(w, c->s.t);
    state_put_u32(w, c->s.ce);
    state_put_u64(w, c->s.half_start);
    state_put_u32(w, c->s.half_count);
}

static int flag(uint8_t v) { return v <= 1; }

static int counter_load(struct pit_counter *c, struct state_reader *r)
{
    uint8_t b[18];
    state_get_bytes(r, b, sizeof(b));
    uint16_t cr = state_get_u16(r), ol = state_get_u16(r);
    struct pit_ce s = { 0 };
    s.t = state_get_u64(r);
    s.ce = state_get_u32(r);
    s.half_start = state_get_u64(r);
    s.half_count = state_get_u32(r);
    s.out = b[13];
    s.load_pending = b[14];
    s.running = b[15];
    s.phase = b[16];
    s.null_count = b[17];
    uint8_t control = b[0], mode = b[1], access = b[2], bcd = b[3];
    unsigned cw_mode = (control >> 1) & 7u;
    if (r->error || control > 0x3F || mode > 5 || (cw_mode > 5 ? cw_mode - 4 : cw_mode) != mode ||
        access != ((control >> 4) & 3u) || access == 0 || bcd != (control & 1u))
        return -1;
    if (!flag(b[5]) || !flag(b[6]) || b[7] > 2 || !flag(b[8]) || !flag(b[10]) || !flag(b[11]) ||
        !flag(b[12]) || !flag(s.out) || !flag(s.load_pending) || !flag(s.running) || s.phase > PH_STROBE ||
        !flag(s.null_count) || s.ce > (bcd ? 10000u : 65536u) || s.half_count > 65536u ||
        s.half_start > s.t)
        return -1;
    c->control = control;
    c->mode = mode;
    c->access = access;
    c->bcd = bcd;
    c->cr_lsb = b[4];
    c->write_msb = b[5];
    c->read_msb = b[6];
    c->latched = b[7];
    c->status_latched = b[8];
    c->status = b[9];
    c->gate = b[10];
    c->armed = b[11];
    c->reported_out = b[12];
    c->cr = cr;
    c->ol = ol;
    c->s = s;
    return 0;
}

static void pit_save(void *opaque, struct state_writer *w)
{
    struct pit8254 *pit = opaque;
    for (int i = 0; i < 3; i++)
        counter_save(&pit->ctr[i], w);
}

/* Loads after the clock (the machine restores `now` first). */
static int pit_load(void *opaque, struct state_reader *r, uint32_t version)
{
    struct pit8254 *pit = opaque;
    struct pit_counter tmp[3];
    if (version != PIT_STATE_VERSION)
        return -1;
    for (int i = 0; i < 3; i++) {
        tmp[i] = pit->ctr[i];
        if (counter_load(&tmp[i], r) != 0)
            return -1;
    }
    if (r->error || r->pos != r->len)
        return -1;
    for (int i = 0; i < 3; i++) {
        struct pit_counter *c = &pit->ctr[i];
        struct timer keep = c->timer;
        *c = tmp[i];
        c->timer = keep;    /* the live timer stays where the clock's heap knows it */
    }
    irq_set(&pit->irq0, pit->ctr[0].reported_out);
    for (int i = 0; i < 3; i++)
        rearm(&pit->ctr[i]);
    return 0;
}

static const char *const mode_names[6] = {
    "interrupt on terminal count", "hardware one-shot", "rate generator",
    "square wave", "software strobe", "hardware strobe",
};

static void pit_dump(void *opaque, FILE *out)
{
    struct pit8254 *pit = opaque;
    for (int i = 0; i < 3; i++) {
        struct pit_counter *c = &pit->ctr[i];
        sync_counter(c);
        rearm(c);
        fprintf(out, "counter %d: mode %u (%s), %s, count %04x, now %04x, OUT %u, GATE %u%s%s\n", i, c->mode,
                mode_names[c->mode], c->bcd ? "BCD" : "binary", c->cr, ce_display(c), c->s.out, c->gate,
                c->s.null_count ? ", null count" : "", c->latched ? ", latched" : "");
    }
}

const struct device_ops pit_ops = {
    .name = "pit",
    .version = PIT_STATE_VERSION,
    .reset = pit_reset,
    .save = pit_save,
    .load = pit_load,
    .dump = pit_dump,
};

int pit_init(struct pit8254 *pit, struct clock *clock, struct portio *io, struct device_registry *reg)
{
    static const char *const names[3] = { "pit0", "pit1", "pit2" };
    memset(pit, 0, sizeof(*pit));
    pit->clock = clock;
    for (int i = 0; i < 3; i++) {
        struct pit_counter *c = &pit->ctr[i];
        c->pit = pit;
        c->index = i;
        timer_init(&c->timer, names[i], counter_timer, c);
        counter_reset(c);
    }
    if (portio_register(io, 0x40, 4, PORTIO_SIZE_8, pit_io_read, pit_io_write, pit, "pit") != 0)
        return -1;
    return device_register(reg, &pit_ops, pit);
}
