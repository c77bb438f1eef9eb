/*
 * The PC speaker as a band-limited square wave (see speaker.h).
 *
 * Band-limited steps: an edge at fractional sample position x adds the
 * impulse h(n - x) of a low-pass filter to the delta buffer; summing the
 * deltas (the integrator) yields the step response, i.e. the edge as an
 * ideal converter with that filter in front would record it.  The impulse
 * is a sinc with cutoff 20 kHz under a Kaiser window (beta 8, about 80 dB
 * of stopband over 32 taps); it is tabulated for 256 sub-sample phases in
 * fixed point, each phase's taps summing to exactly SPEAKER_KERNEL_ONE so
 * the integrator returns to exactly the same value after every on/off
 * pair -- no drift however long the guest beeps.
 */
#include "frontends/speaker.h"

#include <math.h>
#include <string.h>

#include "peripherals/pit8254.h"
#include "peripherals/sysctl_ports.h"

#define CUTOFF_HZ 20000.0
#define KAISER_BETA 8.0
#define DC_BLOCK_POLE 0.999         /* about 7.6 Hz at 48 kHz */
#define PI 3.14159265358979323846

/* ---- The impulse table --------------------------------------------- */

/* Modified Bessel function of the first kind, order 0 (its power series
 * converges fast for the arguments a Kaiser window uses). */
static double bessel_i0(double x)
{
    double sum = 1.0, term = 1.0, q = x * x / 4.0;
    for (int k = 1; k < 50 && term > sum * 1e-17; k++) {
        term *= q / ((double)k * (double)k);
        sum += term;
    }
    return sum;
}

/* The continuous impulse at offset t samples from the edge. */
static double impulse(double t)
{
    double half = SPEAKER_TAPS / 2.0;
    if (fabs(t) >= half)
        return 0.0;
    double fc = 2.0 * CUTOFF_HZ / SPEAKER_RATE;     /* cutoff relative to Nyquist */
    double u = PI * fc * t;
    double sinc = fabs(u) < 1e-12 ? 1.0 : sin(u) / u;
    double r = t / half;
    return fc * sinc * bessel_i0(KAISER_BETA * sqrt(1.0 - r * r)) / bessel_i0(KAISER_BETA);
}

/* Tap k of phase p weighs sample (i0 + k - (TAPS/2 - 1)) for an edge at
 * i0 + p/PHASES.  The impulse is taken half a sample earlier than the
 * sample it weighs (the midpoint rule): summing the taps up to sample n
 * then integrates the impulse up to time n, so the step crosses its
 * middle exactly at the edge.  Rounding leftovers go to the largest tap. */
static void build_kernel(struct speaker *s)
{
    for (int p = 0; p < SPEAKER_PHASES; p++) {
        double f = (double)p / SPEAKER_PHASES, w[SPEAKER_TAPS], total = 0.0;
        for (int k = 0; k < SPEAKER_TAPS; k++) {
            w[k] = impulse((double)(k - (SPEAKER_TAPS / 2 - 1)) - f - 0.5);
            total += w[k];
        }
        int32_t sum = 0;
        int big = 0;
        for (int k = 0; k < SPEAKER_TAPS; k++) {
            s->kernel[p][k] = (int32_t)lround(w[k] / total * SPEAKER_KERNEL_ONE);
            sum += s->kernel[p][k];
            if (s->kernel[p][k] > s->kernel[p][big])
                big = k;
        }
        s->kernel[p][big] += SPEAKER_KERNEL_ONE - sum;
    }
}

/* ---- Output ------------------------------------------------------------ */

void speaker_init(struct speaker *s, uint64_t hz, cycles_t now)
{
    memset(s, 0, sizeof(*s));
    s->hz = hz ? hz : 1;
    s->base = now;
    build_kernel(s);
}

int speaker_add_sink(struct speaker *s, speaker_sink_fn fn, void *opaque)
{
    if (s->nsinks >= SPEAKER_MAX_SINKS)
        return -1;
    s->sinks[s->nsinks].fn = fn;
    s->sinks[s->nsinks].opaque = opaque;
    s->nsinks++;
    return 0;
}

void speaker_remove_sink(struct speaker *s, speaker_sink_fn fn, void *opaque)
{
    for (int i = 0; i < s->nsinks; i++) {
        if (s->sinks[i].fn == fn && s->sinks[i].opaque == opaque) {
            s->sinks[i] = s->sinks[s->nsinks - 1];
            s->nsinks--;
            return;
        }
    }
}

static void deliver(struct speaker *s)
{
    for (int i = 0; i < s->nsinks; i++)
        s->sinks[i].fn(s->sinks[i].opaque, s->out, s->out_len);
    s->out_len = 0;
}

/* Hand out samples [out_pos, end). */
static void emit_until(struct speaker *s, int64_t end)
{
    while (s->out_pos < end) {
        int32_t *d = &s->delta[s->out_pos & (SPEAKER_BUF - 1)];
        s->acc += *d;
        *d = 0;
        double x = (double)s->acc * (SPEAKER_STEP / (double)SPEAKER_KERNEL_ONE);
        s->hp_out = x - s->hp_in + DC_BLOCK_POLE * s->hp_out;
        s->hp_in = x;
        double y = s->hp_out;
        if (fabs(y) < 1e-3)
            s->hp_out = y = 0.0;    /* no denormals in long silences */
        long v = lround(y);
        s->out[s->out_len++] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
        s->out_pos++;
        if (s->out_len == sizeof(s->out) / sizeof(s->out[0]))
            deliver(s);
    }
    if (s->out_len)
        deliver(s);
}

/* Sample position of cycle `when` as a whole part and 1/PHASES fraction,
 * exact for any cycle count (the products stay below 2^64 for clocks up
 * to 2^40 Hz). */
static int64_t position(const struct speaker *s, cycles_t when, int *phase)
{
    uint64_t d = when > s->base ? when - s->base : 0;
    uint64_t rem = d % s->hz;
    uint64_t whole = (d / s->hz) * SPEAKER_RATE + rem * SPEAKER_RATE / s->hz;
    uint64_t frac = rem * SPEAKER_RATE % s->hz;     /* of hz */
    if (phase)
        *phase = (int)((double)frac * SPEAKER_PHASES / (double)s->hz);
    return (int64_t)whole;
}

int64_t speaker_samples_at(const struct speaker *s, cycles_t now)
{
    return position(s, now, NULL);
}

void speaker_set_level(struct speaker *s, int level, cycles_t when)
{
    level = level != 0;
    if (level == s->level)
        return;
    s->level = level;
    s->edges++;
    int phase;
    int64_t at = position(s, when, &phase);
    const int64_t lead = SPEAKER_TAPS / 2 - 1;  /* taps before the edge's sample */
    if (at - lead < s->out_pos) {
        at = s->out_pos + lead;
        phase = 0;
    }
    /* The buffer holds SPEAKER_BUF samples from out_pos: everything before
     * this edge's first tap is final, so it can go now. */
    if (at + SPEAKER_TAPS / 2 >= s->out_pos + SPEAKER_BUF)
        emit_until(s, at - lead);
    int32_t sign = level ? 1 : -1;
    const int32_t *k = s->kernel[phase];
    for (int i = 0; i < SPEAKER_TAPS; i++)
        s->delta[(at - lead + i) & (SPEAKER_BUF - 1)] += sign * k[i];
}

void speaker_advance(struct speaker *s, cycles_t now)
{
    int64_t end = position(s, now, NULL) - SPEAKER_TAPS;
    if (end > s->out_pos)
        emit_until(s, end);
}

void speaker_flush(struct speaker *s, cycles_t now)
{
    int64_t end = position(s, now, NULL);
    if (end > s->out_pos)
        emit_until(s, end);
}

/* ---- Listening to a PC ------------------------------------------------ */

static void update_level(struct speaker *s, cycles_t when)
{
    speaker_set_level(s, s->out2 && s->data, when);
}

static void on_out2(void *opaque, int channel, int level, cycles_t when)
{
    struct speaker *s = opaque;
    (void)channel;
    s->out2 = level;
    update_level(s, when);
}

/* The counter's edges matter only while bit 1 lets them through. */
static void listen_to_pit(struct speaker *s, int on)
{
    if (on == s->listening)
        return;
    s->listening = on;
    pit_set_out_listener(s->pit, 2, on ? on_out2 : NULL, on ? s : NULL);
    if (on)
        s->out2 = pit_out(s->pit, 2);
}

static int tap_get_out2(void *opaque)
{
    struct speaker *s = opaque;
    return s->board.get_out2 ? s->board.get_out2(s->board.opaque) : 0;
}

static void tap_set_gate2(void *opaque, int level)
{
    struct speaker *s = opaque;
    if (s->board.set_gate2)
        s->board.set_gate2(s->board.opaque, level);
}

static void tap_set_a20(void *opaque, int on)
{
    struct speaker *s = opaque;
    if (s->board.set_a20)
        s->board.set_a20(s->board.opaque, on);
}

static void tap_reset(void *opaque)
{
    struct speaker *s = opaque;
    if (s->board.reset)
        s->board.reset(s->board.opaque);
}

/* The gate reaches the counter through set_gate2 (called just before),
 * which reports the OUT edges it causes; here only bit 1 is new. */
static void tap_speaker_changed(void *opaque, int gate, int data, cycles_t when)
{
    struct speaker *s = opaque;
    if (s->board.speaker_changed)
        s->board.speaker_changed(s->board.opaque, gate, data, when);
    s->data = data != 0;
    listen_to_pit(s, s->data);
    update_level(s, when);
}

void speaker_attach(struct speaker *s, struct pit8254 *pit, struct sysctl_ports *sysctl)
{
    s->pit = pit;
    s->sysctl = sysctl;
    const struct sysctl_ports_ops *o = &sysctl->ops;
    s->board.get_out2 = o->get_out2;
    s->board.set_gate2 = o->set_gate2;
    s->board.set_a20 = o->set_a20;
    s->board.reset = o->reset;
    s->board.speaker_changed = o->speaker_changed;
    s->board.opaque = o->opaque;
    struct sysctl_ports_ops tap = { tap_get_out2, tap_set_gate2, tap_set_a20, tap_reset, tap_speaker_changed, s };
    sysctl->ops = tap;
    s->data = sysctl_speaker_data(sysctl);
    listen_to_pit(s, s->data);
    update_level(s, pit->clock->now);
}

void speaker_detach(struct speaker *s)
{
    if (!s->sysctl)
        return;
    listen_to_pit(s, 0);
    struct sysctl_ports_ops board = { s->board.get_out2, s->board.set_gate2, s->board.set_a20, s->board.reset,
                                      s->board.speaker_changed, s->board.opaque };
    s->sysctl->ops = board;
    s->sysctl = NULL;
    s->pit = NULL;
}
