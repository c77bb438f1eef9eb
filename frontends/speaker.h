/*
 * The PC speaker as sound: a band-limited square wave at 48 kHz.
 *
 * The speaker cone follows one digital signal: PIT counter 2's OUT AND
 * port 61h bit 1 (the gate, bit 0, acts through the counter).  Every edge
 * of that signal arrives with its exact emulated cycle (the PIT's OUT
 * listener, the port's speaker_changed hook), is placed on the 48 kHz
 * sample grid with 1/256-sample resolution and drawn as a band-limited
 * step: a windowed-sinc impulse (Kaiser window, cutoff 20 kHz) summed into
 * a delta buffer that an integrator turns back into levels.  A square wave
 * at any PIT rate therefore has no aliases folding back into the audible
 * band, and a guest that modulates bit 1 fast (PWM "RealSound") is heard
 * as the average it intends.  A DC blocker (about 8 Hz) follows, as the
 * coupling capacitor of a real speaker circuit does, so a speaker left
 * high is silent.
 *
 * Time: sample n covers emulated time n / 48000 s after the cycle the
 * speaker was created at.  speaker_advance(now) hands out every sample that
 * no later edge can change (they lag `now` by SPEAKER_TAPS samples, 0.7 ms);
 * speaker_flush(now) hands out the rest at the end of a run, so a
 * recording of N cycles holds exactly floor(N * 48000 / hz) samples --
 * turbo or paced, the same run gives the same file.
 */
#ifndef TRAPEZE_FRONTENDS_SPEAKER_H
#define TRAPEZE_FRONTENDS_SPEAKER_H

#include <stddef.h>
#include <stdint.h>

#include "bus/clock.h"

#define SPEAKER_RATE 48000u
#define SPEAKER_TAPS 32             /* impulse length in samples (even) */
#define SPEAKER_PHASES 256          /* sub-sample positions of an edge */
#define SPEAKER_KERNEL_ONE 16384    /* the taps of one phase sum to this */
#define SPEAKER_BUF 4096            /* pending samples (power of two) */
#define SPEAKER_STEP 12000          /* sample units of a 0 -> 1 edge */
#define SPEAKER_MAX_SINKS 2

struct pit8254;
struct sysctl_ports;

typedef void (*speaker_sink_fn)(void *opaque, const int16_t *samples, size_t count);

struct speaker {
    uint64_t hz;                /* the emulated cycle clock */
    cycles_t base;              /* sample 0 is this cycle */
    int64_t out_pos;            /* the next sample to hand out */
    int32_t acc;                /* integrator: the level times SPEAKER_KERNEL_ONE */
    double hp_in, hp_out;       /* DC blocker state */
    int level;                  /* the cone's current input, 0 or 1 */
    int out2, data;             /* its two sources */
    uint64_t edges;             /* level changes so far */
    int32_t delta[SPEAKER_BUF];
    int32_t kernel[SPEAKER_PHASES][SPEAKER_TAPS];

    struct { speaker_sink_fn fn; void *opaque; } sinks[SPEAKER_MAX_SINKS];
    int nsinks;
    int16_t out[512];           /* samples collected for the sinks */
    size_t out_len;

    /* The machine it listens to (speaker_attach). */
    struct pit8254 *pit;
    struct sysctl_ports *sysctl;
    struct sysctl_ports_saved {
        int (*get_out2)(void *opaque);
        void (*set_gate2)(void *opaque, int level);
        void (*set_a20)(void *opaque, int on);
        void (*reset)(void *opaque);
        void (*speaker_changed)(void *opaque, int gate, int data, cycles_t when);
        void *opaque;
    } board;                    /* the board's port 61h hooks, still called */
    int listening;              /* the PIT listener is installed */
};

/* A silent speaker whose sample 0 is cycle `now` of an `hz` clock. */
void speaker_init(struct speaker *s, uint64_t hz, cycles_t now);
/* Where samples go (up to SPEAKER_MAX_SINKS); returns 0 or -1 when full. */
int speaker_add_sink(struct speaker *s, speaker_sink_fn fn, void *opaque);
/* Stops handing samples to a sink added before. */
void speaker_remove_sink(struct speaker *s, speaker_sink_fn fn, void *opaque);

/* The synthesizer's input: the cone's signal became `level` at `when`.
 * Edges must come in time order; one a little out of order (by less than
 * SPEAKER_TAPS / 2 samples) is moved to the earliest time still open. */
void speaker_set_level(struct speaker *s, int level, cycles_t when);
/* Hand out the samples that no edge at or after `now` can change. */
void speaker_advance(struct speaker *s, cycles_t now);
/* Hand out every sample up to `now` (end of a run: nothing follows). */
void speaker_flush(struct speaker *s, cycles_t now);
/* Samples up to cycle `now`: floor((now - base) * 48000 / hz). */
int64_t speaker_samples_at(const struct speaker *s, cycles_t now);

/* Listen to a PC's speaker: PIT counter 2's OUT and port 61h.  The port's
 * hooks are wrapped (the board's own hooks are still called, in the same
 * order); the PIT listener is installed only while port 61h bit 1 is set,
 * so a guest using counter 2 as a timer with the speaker off costs no
 * events.  speaker_detach() gives the hooks back. */
void speaker_attach(struct speaker *s, struct pit8254 *pit, struct sysctl_ports *sysctl);
void speaker_detach(struct speaker *s);

#endif
