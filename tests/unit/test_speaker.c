/*
 * The PC speaker synthesizer (frontends/speaker.c) and the WAV writer
 * (frontends/wav.c): tone frequency and sample count against emulated
 * time, band limiting (no aliases of a high square wave), the tap on a
 * PIT + port 61h rig wired as the PC board wires them, two speakers side
 * by side, WAV files written and read back.
 *
 * Also a tool for tests/guests/speaker-wav.sh:
 *   test_speaker --check-wav FILE [--samples N] FREQ:SECONDS...
 * finds the tones in FILE and checks each one's frequency and length (and
 * the file's exact length), printing "N passed, N failed".
 *
 * The frontend files are compiled into this program directly: the test
 * programs link the emulator core, which has no frontend code.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontends/speaker.c"
#include "frontends/wav.c"
#include "peripherals/pit8254.h"
#include "peripherals/sysctl_ports.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

#define HZ 400000000ull             /* a 400 MHz P6, the PC's default */

/* ---- Collecting and analysing samples -------------------------------- */

struct recording {
    int16_t *d;
    size_t n, cap;
};

static void record(void *opaque, const int16_t *samples, size_t count)
{
    struct recording *r = opaque;
    if (r->n + count > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->n + count)
            cap *= 2;
        int16_t *d = realloc(r->d, cap * sizeof(*d));
        if (!d)
            abort();
        r->d = d;
        r->cap = cap;
    }
    memcpy(r->d + r->n, samples, count * sizeof(*samples));
    r->n += count;
}

struct tone {
    double start, duration, freq;   /* seconds, seconds, Hz */
    int crossings;
};

/* The cone's input before the DC blocker, recovered by running the
 * blocker backwards (x[n] = x[n-1] + y[n] - pole * y[n-1]): 0 or
 * SPEAKER_STEP between edges, so every edge is found, the first included. */
static double *undo_dc_blocker(const int16_t *d, size_t n)
{
    double *x = malloc((n ? n : 1) * sizeof(*x));
    double prev_x = 0, prev_y = 0;
    for (size_t i = 0; i < n; i++) {
        x[i] = prev_x + d[i] - DC_BLOCK_POLE * prev_y;
        prev_x = x[i];
        prev_y = d[i];
    }
    return x;
}

/* Rising edges (crossing half a step, with hysteresis against the ringing
 * of band-limited edges), grouped into tones separated by 20 ms without
 * one. */
static int find_tones(const int16_t *d, size_t n, double rate, struct tone *out, int max)
{
    double *x = undo_dc_blocker(d, n);
    const double mid = SPEAKER_STEP / 2.0, hyst = SPEAKER_STEP / 5.0;
    int high = 0, count = 0, total = 0;
    double first = 0, last = -1;
    for (size_t i = 1; i < n; i++) {
        if (high && x[i] < mid - hyst)
            high = 0;
        if (high || x[i] <= mid + hyst)
            continue;
        high = 1;
        size_t j = i;
        while (j > 1 && x[j - 1] >= mid)
            j--;
        double t = ((double)(j - 1) + (mid - x[j - 1]) / (x[j] - x[j - 1])) / rate;
        if (last >= 0 && t - last > 0.02) {
            if (count < max) {
                out[count].start = first;
                out[count].duration = last - first;
                out[count].freq = total > 1 ? (total - 1) / (last - first) : 0;
                out[count].crossings = total;
            }
            count++;
            total = 0;
        }
        if (total == 0)
            first = t;
        total++;
        last = t;
    }
    if (last >= 0) {
        if (count < max) {
            out[count].start = first;
            out[count].duration = last - first;
            out[count].freq = total > 1 ? (total - 1) / (last - first) : 0;
            out[count].crossings = total;
        }
        count++;
    }
    free(x);
    return count < max ? count : max;
}

/* The magnitude of frequency f in d (Goertzel's algorithm). */
static double goertzel(const int16_t *d, size_t n, double f, double rate)
{
    double coeff = 2.0 * cos(2.0 * 3.14159265358979323846 * f / rate), s1 = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        double s = d[i] + coeff * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    return sqrt(fabs(s1 * s1 + s2 * s2 - coeff * s1 * s2)) / (double)n;
}

static int near(double got, double want, double rel)
{
    return fabs(got - want) <= fabs(want) * rel;
}

/* ---- The synthesizer alone ------------------------------------------- */

static struct speaker *new_speaker(uint64_t hz, struct recording *rec)
{
    struct speaker *s = malloc(sizeof(*s));
    speaker_init(s, hz, 0);
    memset(rec, 0, sizeof(*rec));
    speaker_add_sink(s, record, rec);
    return s;
}

/* A square wave of `freq` Hz from `start` for `seconds`, edges on exact
 * cycles.  (An edge in the speaker's first 0.3 ms would be moved: its
 * impulse would begin before sample 0.) */
static void play_square(struct speaker *s, double freq, double start, double seconds)
{
    uint64_t half_periods = (uint64_t)(seconds * freq * 2.0 + 0.5);
    cycles_t t0 = (cycles_t)(start * (double)s->hz);
    for (uint64_t k = 0; k < half_periods; k++) {
        cycles_t when = t0 + (cycles_t)((double)k * (double)s->hz / (2.0 * freq));
        speaker_set_level(s, (int)(k % 2 == 0), when);
        if (k % 64 == 0)
            speaker_advance(s, when);
    }
    speaker_set_level(s, 0, t0 + (cycles_t)(seconds * (double)s->hz));
}

static void test_kernel(void)
{
    struct speaker *s = malloc(sizeof(*s));
    speaker_init(s, HZ, 0);
    int ok = 1;
    for (int p = 0; p < SPEAKER_PHASES; p++) {
        int32_t sum = 0;
        for (int k = 0; k < SPEAKER_TAPS; k++)
            sum += s->kernel[p][k];
        ok &= sum == SPEAKER_KERNEL_ONE;
    }
    CHECK(ok);
    /* An edge on a sample boundary (phase 0) has an impulse symmetric
     * about it, up to the rounding leftover. */
    int symmetric = 1;
    for (int k = 0; k < SPEAKER_TAPS / 2; k++)
        symmetric &= abs(s->kernel[0][k] - s->kernel[0][SPEAKER_TAPS - 1 - k]) <= 2;
    CHECK(symmetric);
    free(s);
}

static void test_silence_and_sample_count(void)
{
    struct recording rec;
    struct speaker *s = new_speaker(HZ, &rec);
    speaker_advance(s, HZ);
    CHECK_EQ(rec.n, SPEAKER_RATE - SPEAKER_TAPS);
    speaker_flush(s, HZ);
    CHECK_EQ(rec.n, SPEAKER_RATE);
    int silent = 1;
    for (size_t i = 0; i < rec.n; i++)
        silent &= rec.d[i] == 0;
    CHECK(silent);
    free(s);
    free(rec.d);

    /* An 8086 clock and an odd cycle count: floor(cycles * 48000 / hz). */
    const uint64_t hz = 4772727;
    const cycles_t end = 123456789;
    s = new_speaker(hz, &rec);
    for (cycles_t c = 0; c < end; c += 77777)
        speaker_advance(s, c);
    speaker_flush(s, end);
    CHECK_EQ(rec.n, end * SPEAKER_RATE / hz);
    CHECK_EQ(speaker_samples_at(s, end), end * SPEAKER_RATE / hz);
    free(s);
    free(rec.d);
}

static void test_square_wave(void)
{
    struct recording rec;
    struct speaker *s = new_speaker(HZ, &rec);
    play_square(s, 1000.0, 0.01, 1.0);
    speaker_flush(s, HZ * 3 / 2);
    CHECK_EQ(rec.n, SPEAKER_RATE * 3 / 2);
    struct tone t[4];
    int n = find_tones(rec.d, rec.n, SPEAKER_RATE, t, 4);
    CHECK_EQ(n, 1);
    CHECK(near(t[0].freq, 1000.0, 1e-4));
    CHECK(near(t[0].duration, 1.0, 0.01));
    CHECK(fabs(t[0].start - 0.01) < 1e-6);        /* the edge itself, to 1/20 sample */
    int16_t peak = 0;
    for (size_t i = 0; i < rec.n; i++)
        peak = (int16_t)(abs(rec.d[i]) > peak ? abs(rec.d[i]) : peak);
    CHECK(peak > SPEAKER_STEP / 2 && peak < 16000);     /* loud, with headroom */
    /* After the speaker stops the DC blocker brings it back to silence. */
    CHECK_EQ(rec.d[rec.n - 1], 0);
    CHECK_EQ(s->edges, 2000);
    free(s);
    free(rec.d);
}

/* A 15 kHz square wave sampled naively would put its 3rd harmonic
 * (45 kHz) at 3 kHz and its 7th (105 kHz) at 9 kHz, at 1/3 and 1/7 of
 * the fundamental; band-limited steps keep them under 1%. */
static void test_band_limited(void)
{
    struct recording rec;
    struct speaker *s = new_speaker(HZ, &rec);
    play_square(s, 15000.0, 0.01, 0.99);
    speaker_flush(s, HZ);
    CHECK_EQ(rec.n, SPEAKER_RATE);
    const int16_t *d = rec.d + 4800;                    /* past the DC blocker's settling */
    size_t n = 38400;
    double fundamental = goertzel(d, n, 15000, SPEAKER_RATE);
    double alias3 = goertzel(d, n, 3000, SPEAKER_RATE), alias7 = goertzel(d, n, 9000, SPEAKER_RATE);
    CHECK(fundamental > 1000.0);
    CHECK(alias3 < fundamental * 0.01);
    CHECK(alias7 < fundamental * 0.01);
    free(s);
    free(rec.d);
}

static void test_late_edge(void)
{
    struct recording rec;
    struct speaker *s = new_speaker(HZ, &rec);
    speaker_advance(s, HZ / 10);
    size_t before = rec.n;
    speaker_set_level(s, 1, HZ / 20);       /* long past: moved to the open window */
    speaker_set_level(s, 0, HZ / 10);
    speaker_flush(s, HZ / 5);
    CHECK_EQ(rec.n, SPEAKER_RATE / 5);
    CHECK(before > 0);
    int heard = 0;
    for (size_t i = before; i < rec.n; i++)
        heard |= rec.d[i] != 0;
    CHECK(heard);
    free(s);
    free(rec.d);
}

/* An edge far beyond the pending buffer pushes the samples before it out. */
static void test_long_gap(void)
{
    struct recording rec;
    struct speaker *s = new_speaker(HZ, &rec);
    speaker_set_level(s, 1, HZ / 1000);
    speaker_set_level(s, 0, HZ / 2);        /* 24000 samples later, no advance between */
    CHECK(rec.n > 20000);
    speaker_flush(s, HZ);
    CHECK_EQ(rec.n, SPEAKER_RATE);
    free(s);
    free(rec.d);
}

/* ---- Listening to a PIT and port 61h --------------------------------- */

struct rig {
    struct clock clock;
    struct portio io;
    struct device_registry reg;
    struct pit8254 pit;
    struct sysctl_ports sys;
    struct speaker sp;
    struct recording rec;
    int resets;
};

static int rig_out2(void *opaque) { return pit_out(&((struct rig *)opaque)->pit, 2); }
static void rig_gate2(void *opaque, int level) { pit_set_gate(&((struct rig *)opaque)->pit, 2, level); }
static void rig_reset(void *opaque) { ((struct rig *)opaque)->resets++; }

static struct rig *rig_new(void)
{
    struct rig *r = calloc(1, sizeof(*r));
    clock_init(&r->clock, HZ);
    portio_init(&r->io);
    device_registry_init(&r->reg);
    CHECK_EQ(pit_init(&r->pit, &r->clock, &r->io, &r->reg), 0);
    struct sysctl_ports_ops ops = { rig_out2, rig_gate2, NULL, rig_reset, NULL, r };
    CHECK_EQ(sysctl_ports_init(&r->sys, &r->clock, &r->io, &r->reg, &ops), 0);
    speaker_init(&r->sp, HZ, 0);
    speaker_add_sink(&r->sp, record, &r->rec);
    speaker_attach(&r->sp, &r->pit, &r->sys);
    return r;
}

static void rig_free(struct rig *r)
{
    speaker_detach(&r->sp);
    free(r->rec.d);
    free(r);
}

static void rig_run(struct rig *r, cycles_t n)
{
    cycles_t end = r->clock.now + n;
    while (clock_next_deadline(&r->clock) <= end) {
        if (clock_next_deadline(&r->clock) > r->clock.now)
            r->clock.now = clock_next_deadline(&r->clock);
        clock_run_due(&r->clock);
    }
    r->clock.now = end;
    speaker_advance(&r->sp, r->clock.now);
}

static void outb(struct rig *r, uint16_t port, uint8_t v) { portio_write(&r->io, port, v, 1); }
static uint8_t inb(struct rig *r, uint16_t port) { return (uint8_t)portio_read(&r->io, port, 1); }

static void rig_tone(struct rig *r, uint16_t divisor)
{
    outb(r, 0x43, 0xB6);
    outb(r, 0x42, (uint8_t)divisor);
    outb(r, 0x42, (uint8_t)(divisor >> 8));
    outb(r, 0x61, inb(r, 0x61) | 3);
}

static void test_tap(void)
{
    struct rig *r = rig_new();
    rig_run(r, HZ / 100);
    rig_tone(r, 1193);                              /* 1000.15 Hz */
    CHECK_EQ(r->pit.ctr[2].gate, 1);                /* the board's gate hook still runs */
    CHECK(r->pit.ctr[2].on_out != NULL);
    int toggles = 0, last = inb(r, 0x61) & 0x20;
    for (int i = 0; i < 100; i++) {                 /* OUT2 on bit 5 through the board's hook */
        rig_run(r, HZ / 20000);
        int now = inb(r, 0x61) & 0x20;
        toggles += now != last;
        last = now;
    }
    CHECK(toggles > 5);
    rig_run(r, HZ / 2);
    outb(r, 0x61, 0);
    CHECK(r->pit.ctr[2].on_out == NULL);            /* speaker off: no listener */
    rig_run(r, HZ / 2);                             /* the DC blocker settles */
    outb(r, 0x92, 1);                               /* fast reset: still the board's */
    CHECK_EQ(r->resets, 1);
    speaker_flush(&r->sp, r->clock.now);
    CHECK_EQ(r->rec.n, (size_t)(r->clock.now * SPEAKER_RATE / HZ));
    struct tone t[4];
    int n = find_tones(r->rec.d, r->rec.n, SPEAKER_RATE, t, 4);
    CHECK_EQ(n, 1);
    CHECK(near(t[0].freq, 1193182.0 / 1193.0, 2e-4));
    CHECK(near(t[0].start, 0.01, 0.05));

    /* Counter 2 as a timer, speaker data off (what firmware and Linux do
     * when they calibrate): silent, and nobody listens to the PIT. */
    size_t before = r->rec.n;
    outb(r, 0x61, 0x01);
    outb(r, 0x43, 0xB0);
    outb(r, 0x42, 0xFF);
    outb(r, 0x42, 0xFF);
    CHECK(r->pit.ctr[2].on_out == NULL);
    rig_run(r, HZ / 10);
    int silent = 1;
    for (size_t i = before; i < r->rec.n; i++)
        silent &= r->rec.d[i] == 0;
    CHECK(silent);

    speaker_detach(&r->sp);
    CHECK(r->sys.ops.opaque == r);                  /* the board's hooks are back */
    CHECK(r->sys.ops.speaker_changed == NULL);
    rig_free(r);
}

/* Two machines' speakers in one process do not meet. */
static void test_two_speakers(void)
{
    struct rig *a = rig_new(), *b = rig_new();
    rig_run(a, HZ / 100);
    rig_run(b, HZ / 100);
    rig_tone(a, 1193);
    rig_tone(b, 2386);
    for (int i = 0; i < 50; i++) {
        rig_run(a, HZ / 100);
        rig_run(b, HZ / 100);
    }
    speaker_flush(&a->sp, a->clock.now);
    speaker_flush(&b->sp, b->clock.now);
    struct tone ta[2], tb[2];
    CHECK_EQ(find_tones(a->rec.d, a->rec.n, SPEAKER_RATE, ta, 2), 1);
    CHECK_EQ(find_tones(b->rec.d, b->rec.n, SPEAKER_RATE, tb, 2), 1);
    CHECK(near(ta[0].freq, 1193182.0 / 1193.0, 2e-4));
    CHECK(near(tb[0].freq, 1193182.0 / 2386.0, 2e-4));
    rig_free(a);
    rig_free(b);
}

/* ---- WAV files ---------------------------------------------------------- */

static void test_wav(void)
{
    char path[] = "/tmp/trapeze-test-speaker-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    close(fd);
    struct wav_writer w;
    char err[300];
    int16_t in[1000];
    for (int i = 0; i < 1000; i++)
        in[i] = (int16_t)(i * 65 - 32000);
    CHECK_EQ(wav_open(&w, path, 48000, 1, err, sizeof(err)), 0);
    CHECK_EQ(wav_write(&w, in, 600), 0);
    CHECK_EQ(wav_write(&w, in + 600, 400), 0);
    CHECK_EQ(wav_close(&w, err, sizeof(err)), 0);
    int16_t *out = NULL;
    size_t n = 0;
    uint32_t rate = 0;
    uint16_t channels = 0;
    CHECK_EQ(wav_read(path, &out, &n, &rate, &channels, err, sizeof(err)), 0);
    CHECK_EQ(n, 1000);
    CHECK_EQ(rate, 48000);
    CHECK_EQ(channels, 1);
    CHECK(out && memcmp(out, in, sizeof(in)) == 0);
    free(out);

    /* The header itself, byte by byte (RIFF size = 36 + data). */
    FILE *f = fopen(path, "rb");
    uint8_t h[44] = { 0 };
    CHECK(f && fread(h, 1, 44, f) == 44);
    if (f)
        fclose(f);
    CHECK(memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WAVEfmt ", 8) == 0 && memcmp(h + 36, "data", 4) == 0);
    CHECK_EQ(get_le32(h + 4), 36 + 2000);
    CHECK_EQ(get_le32(h + 40), 2000);
    CHECK_EQ(get_le32(h + 28), 96000);
    CHECK_EQ(get_le16(h + 34), 16);

    /* A file whose writer never closed it (sizes still 0xFFFFFFFF) reads to its end. */
    CHECK_EQ(wav_open(&w, path, 48000, 1, err, sizeof(err)), 0);
    CHECK_EQ(wav_write(&w, in, 10), 0);
    fclose(w.f);
    CHECK_EQ(wav_read(path, &out, &n, &rate, &channels, err, sizeof(err)), 0);
    CHECK_EQ(n, 10);
    free(out);

    CHECK_EQ(wav_open(&w, "/nonexistent-dir/x.wav", 48000, 1, err, sizeof(err)), -1);
    CHECK(strstr(err, "nonexistent") != NULL);
    CHECK_EQ(wav_read("/nonexistent-dir/x.wav", &out, &n, &rate, &channels, err, sizeof(err)), -1);
    unlink(path);
}

/* ---- The checking tool ------------------------------------------------- */

static int check_wav(int argc, char **argv)
{
    char err[300];
    int16_t *d;
    size_t n;
    uint32_t rate;
    uint16_t channels;
    if (wav_read(argv[0], &d, &n, &rate, &channels, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        CHECK(0);
        return test_report();
    }
    CHECK_EQ(rate, SPEAKER_RATE);
    CHECK_EQ(channels, 1);
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "--samples") == 0) {
        unsigned long long want = strtoull(argv[2], NULL, 10);
        printf("%zu samples (%.4f s), expected %llu\n", n, (double)n / rate, want);
        CHECK_EQ(n, want);
        first = 3;
    }
    struct tone t[16];
    int found = find_tones(d, n, rate, t, 16);
    for (int i = 0; i < found; i++)
        printf("tone %d: %.3f Hz from %.4f s for %.4f s (%d periods)\n", i + 1, t[i].freq, t[i].start,
               t[i].duration, t[i].crossings);
    CHECK_EQ(found, argc - first);
    for (int i = first; i < argc && i - first < found; i++) {
        double f = 0, sec = 0;
        if (sscanf(argv[i], "%lf:%lf", &f, &sec) != 2) {
            fprintf(stderr, "bad tone '%s' (FREQ:SECONDS)\n", argv[i]);
            CHECK(0);
            continue;
        }
        const struct tone *x = &t[i - first];
        CHECK(near(x->freq, f, 1e-3));
        CHECK(fabs(x->duration - sec) < sec * 0.02 + 2.0 / f);
    }
    free(d);
    return test_report();
}

int main(int argc, char **argv)
{
    if (argc > 2 && strcmp(argv[1], "--check-wav") == 0)
        return check_wav(argc - 2, argv + 2);
    test_kernel();
    test_silence_and_sample_count();
    test_square_wave();
    test_band_limited();
    test_late_edge();
    test_long_gap();
    test_tap();
    test_two_speakers();
    test_wav();
    return test_report();
}
