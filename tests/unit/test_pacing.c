/*
 * Pacing (frontends/pacing.c) and picture geometry (frontends/view.c),
 * with simulated wall clocks: no drift over a long run with sleep
 * overshoot and jitter, catching up after a short stall, degrading to a
 * slower guest on a slow host, turbo, the speed meter; window sizes and
 * picture placement for text, VGA and VBE modes.
 *
 * The frontend files are compiled into this program directly (the test
 * programs link only the emulator core).
 */
#include <math.h>
#include <stdlib.h>

#include "frontends/pacing.c"
#include "frontends/view.c"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

#define HZ 400000000ull
#define SLICE (HZ / 500)                /* 2 ms, as the frontends run */

/* A deterministic jitter source (xorshift), in [0, 1). */
static double jitter(uint32_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return (double)(*state % 10000u) / 10000.0;
}

/* A fast host: each slice costs 0.3 ms, every sleep oversleeps by up to
 * 0.5 ms.  After 10 simulated minutes emulated and real time still agree
 * to within one slice. */
static void test_no_drift(void)
{
    struct pacer p;
    double wall = 1000.0;
    cycles_t cycles = 0;
    uint32_t rng = 12345;
    pacer_start(&p, HZ, 0, cycles, wall);
    double slept = 0;
    while (wall < 1000.0 + 600.0) {
        cycles += SLICE;
        wall += 0.0003;
        double d = pacer_delay(&p, cycles, wall);
        if (d > 0.0005) {
            double s = d + 0.0005 * jitter(&rng);
            wall += s;
            slept += s;
        }
    }
    double emulated = (double)cycles / HZ, real = wall - 1000.0;
    CHECK(fabs(emulated - real) < 0.003);
    CHECK_EQ(p.resyncs, 0);
    CHECK(slept > 500.0);                   /* it did wait most of the time */
}

/* A host stall of 0.1 s is made up (emulated time catches up); one of
 * 2 s is not (the guest loses it rather than running in a burst). */
static void test_stalls(void)
{
    struct pacer p;
    pacer_start(&p, HZ, 0, 0, 0.0);
    CHECK(fabs(pacer_delay(&p, HZ / 1000, 0.0) - 0.001) < 1e-9);
    CHECK(pacer_delay(&p, HZ / 1000, 0.001) == 0.0);
    CHECK(pacer_delay(&p, HZ / 1000, 0.1) == 0.0);      /* 99 ms behind: catch up */
    CHECK_EQ(p.resyncs, 0);
    CHECK(fabs(pacer_delay(&p, HZ / 5, 0.1) - 0.1) < 1e-9);   /* caught up and ahead */
    CHECK(pacer_delay(&p, HZ / 5, 2.3) == 0.0);         /* 2.1 s behind: start afresh */
    CHECK_EQ(p.resyncs, 1);
    CHECK(fabs(pacer_delay(&p, HZ / 5 + HZ / 100, 2.3) - 0.01) < 1e-9);
    pacer_rebase(&p, HZ, 10.0);                         /* after a pause */
    CHECK(fabs(pacer_delay(&p, HZ + HZ / 50, 10.0) - 0.02) < 1e-9);
}

/* A host at half the needed speed: the guest runs at half speed,
 * steadily -- no sleeping, no bursts, the anchor moving now and then. */
static void test_slow_host(void)
{
    struct pacer p;
    double wall = 0;
    cycles_t cycles = 0;
    pacer_start(&p, HZ, 0, 0, wall);
    double waited = 0;
    for (int i = 0; i < 50000; i++) {          /* 100 s of emulated time */
        cycles += SLICE;
        wall += 0.004;
        waited += pacer_delay(&p, cycles, wall);
    }
    CHECK(waited == 0.0);
    CHECK(p.resyncs > 100);
    CHECK(fabs((double)cycles / HZ / wall - 0.5) < 1e-9);
}

static void test_turbo(void)
{
    struct pacer p;
    pacer_start(&p, HZ, 1, 0, 0.0);
    CHECK(pacer_delay(&p, HZ * 10, 0.0) == 0.0);
}

static void test_speed_meter(void)
{
    struct speed_meter m;
    speed_meter_start(&m, 0.5, 0.0, 0, 0);
    CHECK_EQ(speed_meter_update(&m, 0.2, HZ / 5, 40000000, HZ), 0);
    CHECK_EQ(speed_meter_update(&m, 0.5, HZ / 4, 50000000, HZ), 1);
    CHECK(fabs(m.mips - 100.0) < 1e-9);
    CHECK(fabs(m.percent - 50.0) < 1e-9);
    CHECK_EQ(speed_meter_update(&m, 1.5, HZ / 4 + HZ, 150000000, HZ), 1);
    CHECK(fabs(m.percent - 100.0) < 1e-9);
}

/* The real clock moves forward and sleeping waits. */
static void test_host_clock(void)
{
    double a = pacer_wall();
    pacer_sleep(0.01);
    double b = pacer_wall();
    CHECK(b - a >= 0.009);
    CHECK(b - a < 1.0);
    pacer_sleep(-1.0);      /* nothing */
    CHECK(pacer_wall() - b < 0.5);
}

/* ---- Picture geometry ------------------------------------------------ */

static void test_natural_sizes(void)
{
    int w, h;
    view_natural_size(720, 400, 0, 0, 0, 0, &w, &h);       /* text: 4:3 */
    CHECK(w == 720 && h == 540);
    view_natural_size(320, 200, 0, 0, 0, 0, &w, &h);       /* mode 13h, doubled */
    CHECK(w == 640 && h == 480);
    view_natural_size(640, 480, 0, 0, 0, 0, &w, &h);
    CHECK(w == 640 && h == 480);
    view_natural_size(1920, 1080, 1, 0, 0, 0, &w, &h);     /* VBE: square pixels */
    CHECK(w == 1920 && h == 1080);
    view_natural_size(1920, 1080, 1, 0, 1280, 1000, &w, &h);    /* shrunk to the desktop */
    CHECK(w == 1280 && h == 720);
    view_natural_size(720, 400, 0, 1, 0, 0, &w, &h);       /* integer: 1 x 1 blocks */
    CHECK(w == 720 && h == 400);
    view_natural_size(320, 200, 0, 1, 0, 0, &w, &h);       /* 2 x 2 */
    CHECK(w == 640 && h == 400);
    view_natural_size(800, 600, 1, 1, 0, 0, &w, &h);
    CHECK(w == 800 && h == 600);
    view_natural_size(0, 0, 0, 0, 0, 0, &w, &h);           /* no picture yet */
    CHECK(w == 640 && h == 480);
}

static void test_placement(void)
{
    struct view_rect r = view_place(720, 400, 0, 0, 720, 540);
    CHECK(r.x == 0 && r.y == 0 && r.w == 720 && r.h == 540);
    r = view_place(720, 400, 0, 0, 1920, 1080);             /* pillarboxed 4:3 */
    CHECK(r.w == 1440 && r.h == 1080 && r.x == 240 && r.y == 0);
    r = view_place(1920, 1080, 1, 0, 1024, 768);            /* letterboxed 16:9 */
    CHECK(r.w == 1024 && r.h == 576 && r.x == 0 && r.y == 96);
    r = view_place(320, 200, 0, 1, 1920, 1080);             /* 5 x 6 blocks (exactly 4:3) are too tall */
    CHECK(r.w == 1280 && r.h == 1000 && r.x == 320 && r.y == 40);  /* 4 x 5 */
    r = view_place(640, 480, 0, 1, 1000, 1000);             /* 1 x 1, centred */
    CHECK(r.w == 640 && r.h == 480 && r.x == 180 && r.y == 260);
    r = view_place(1920, 1080, 1, 1, 800, 600);             /* too small for 1 x 1: fit */
    CHECK(r.w == 800 && r.h == 450);
    r = view_place(0, 0, 0, 0, 800, 600);
    CHECK(r.w == 800 && r.h == 600);
}

int main(void)
{
    test_no_drift();
    test_stalls();
    test_slow_host();
    test_turbo();
    test_speed_meter();
    test_host_clock();
    test_natural_sizes();
    test_placement();
    return test_report();
}
