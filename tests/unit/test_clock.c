/* The cycle clock and its timer queue. */
#include "bus/clock.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

struct log {
    char order[32];
    int n;
    struct clock *clock;
    struct timer *rearm;
    cycles_t fired_at[32];
};

static void fire(void *opaque, cycles_t now, char tag, struct log *l)
{
    (void)opaque;
    if (l->n < 31) {
        l->fired_at[l->n] = now;
        l->order[l->n++] = tag;
        l->order[l->n] = 0;
    }
}

static struct log g;   /* test-local state only */
static void fa(void *o, cycles_t now) { fire(o, now, 'a', &g); }
static void fb(void *o, cycles_t now) { fire(o, now, 'b', &g); }
static void fc(void *o, cycles_t now) { fire(o, now, 'c', &g); }
static void fd_rearm(void *o, cycles_t now)
{
    fire(o, now, 'd', &g);
    if (g.rearm)
        timer_arm(g.clock, g.rearm, now + 10);
}

int main(void)
{
    struct clock c;
    struct timer a, b, t3, d;
    clock_init(&c, 1000000);
    g.clock = &c;
    timer_init(&a, "a", fa, NULL);
    timer_init(&b, "b", fb, NULL);
    timer_init(&t3, "c", fc, NULL);
    timer_init(&d, "d", fd_rearm, NULL);

    CHECK_EQ(clock_next_deadline(&c), CLOCK_NEVER);
    timer_arm(&c, &a, 100);
    timer_arm(&c, &b, 50);
    timer_arm(&c, &t3, 100);           /* same deadline as a, armed later */
    CHECK_EQ(clock_next_deadline(&c), 50);
    CHECK(timer_armed(&a));

    c.now = 49;
    clock_run_due(&c);
    CHECK_EQ(g.n, 0);
    c.now = 100;
    clock_run_due(&c);
    CHECK(g.n == 3 && g.order[0] == 'b' && g.order[1] == 'a' && g.order[2] == 'c');
    CHECK(!timer_armed(&a));
    CHECK_EQ(clock_next_deadline(&c), CLOCK_NEVER);

    /* Cancel and re-arm. */
    g.n = 0;
    timer_arm(&c, &a, 200);
    timer_arm(&c, &b, 150);
    timer_cancel(&c, &b);
    timer_cancel(&c, &b);              /* cancelling twice is harmless */
    CHECK_EQ(clock_next_deadline(&c), 200);
    timer_arm(&c, &a, 300);            /* re-arming moves the deadline */
    CHECK_EQ(clock_next_deadline(&c), 300);
    c.now = 299;
    clock_run_due(&c);
    CHECK_EQ(g.n, 0);
    c.now = 1000;
    clock_run_due(&c);
    CHECK(g.n == 1 && g.order[0] == 'a' && g.fired_at[0] == 1000);

    /* Re-arming the same deadline puts the timer behind ones armed earlier. */
    g.n = 0;
    timer_arm(&c, &a, 2000);
    timer_arm(&c, &b, 2000);
    timer_arm(&c, &a, 2000);
    c.now = 2000;
    clock_run_due(&c);
    CHECK(g.n == 2 && g.order[0] == 'b' && g.order[1] == 'a');

    /* A callback re-arming another timer that is already due: it fires in
     * the same run; one re-armed into the future waits. */
    g.n = 0;
    g.rearm = &t3;
    timer_arm(&c, &d, 2500);
    c.now = 2600;
    clock_run_due(&c);
    CHECK(g.n == 1 && g.order[0] == 'd');
    CHECK_EQ(clock_next_deadline(&c), 2610);
    c.now = 2610;
    clock_run_due(&c);
    CHECK(g.n == 2 && g.order[1] == 'c');

    /* Many timers: the heap keeps deadline order. */
    struct timer many[40];
    g.n = 0;
    g.rearm = NULL;
    for (int i = 0; i < 40; i++) {
        timer_init(&many[i], "m", fa, NULL);
        timer_arm(&c, &many[i], 5000 + (cycles_t)((i * 17) % 40));
    }
    for (int i = 0; i < 40; i += 3)
        timer_cancel(&c, &many[i]);
    cycles_t last = 0;
    int ordered = 1, fired = 0;
    while (clock_next_deadline(&c) != CLOCK_NEVER) {
        cycles_t t = clock_next_deadline(&c);
        if (t < last)
            ordered = 0;
        last = t;
        c.now = t;
        int before = g.n;
        g.n = 0;
        clock_run_due(&c);
        fired += g.n;
        g.n = before;
    }
    CHECK(ordered);
    CHECK_EQ(fired, 40 - 14);

    CHECK_EQ(clock_ns_to_cycles(&c, 1000000000ull), 1000000);
    CHECK_EQ(clock_cycles_to_ns(&c, 1500000), 1500000000ull);
    return test_report();
}
