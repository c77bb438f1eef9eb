/* The 8254 PIT: BIOS and Linux programming, exact counts mid-count. */
#include <string.h>

#include "bus/clock.h"
#include "bus/device.h"
#include "bus/portio.h"
#include "peripherals/pit8254.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

/* 13.125 MHz: exactly 11 cycles per PIT clock, so edge k is cycle 11k. */
#define EASY_HZ 13125000u
#define MAX_EDGES 256

struct edge {
    int level;
    cycles_t when;
};

struct rig {
    struct clock clk;
    struct portio io;
    struct device_registry reg;
    struct pit8254 pit;
    struct edge irq0[MAX_EDGES];
    int n_irq0;
    struct edge spk[MAX_EDGES];
    int n_spk;
    unsigned fires;     /* clock callbacks run */
};

static void irq0_sink(void *opaque, int pin, int level)
{
    struct rig *r = opaque;
    (void)pin;
    if (r->n_irq0 < MAX_EDGES)
        r->irq0[r->n_irq0++] = (struct edge){ level, r->clk.now };
}

static void speaker(void *opaque, int channel, int level, cycles_t when)
{
    struct rig *r = opaque;
    CHECK_EQ(channel, 2);
    if (r->n_spk < MAX_EDGES)
        r->spk[r->n_spk++] = (struct edge){ level, when };
}

static void rig_init(struct rig *r, uint64_t hz)
{
    memset(r, 0, sizeof(*r));
    clock_init(&r->clk, hz);
    portio_init(&r->io);
    device_registry_init(&r->reg);
    CHECK_EQ(pit_init(&r->pit, &r->clk, &r->io, &r->reg), 0);
}

/* What the CPU does: run to the next deadline, fire, until `target`. */
static void run_to(struct rig *r, cycles_t target)
{
    while (clock_next_deadline(&r->clk) <= target) {
        cycles_t d = clock_next_deadline(&r->clk);
        if (d > r->clk.now)
            r->clk.now = d;
        clock_run_due(&r->clk);
        r->fires++;
    }
    if (target > r->clk.now)
        r->clk.now = target;
}

static void outb(struct rig *r, uint16_t port, uint8_t v) { portio_write(&r->io, port, v, 1); }
static uint8_t inb(struct rig *r, uint16_t port) { return (uint8_t)portio_read(&r->io, port, 1); }

/* Two reads, LSB first. */
static unsigned read16(struct rig *r, uint16_t port)
{
    unsigned lo = inb(r, port);
    return lo | (unsigned)inb(r, port) << 8;
}

/* Counter latch command, then LSB and MSB: the Linux way of reading. */
static unsigned latched_read(struct rig *r, int ch)
{
    outb(r, 0x43, (uint8_t)(ch << 6));
    unsigned lo = inb(r, (uint16_t)(0x40 + ch));
    return lo | (unsigned)inb(r, (uint16_t)(0x40 + ch)) << 8;
}

static void test_clock_arithmetic(void)
{
    struct clock c;
    clock_init(&c, EASY_HZ);
    CHECK_EQ(pit_ticks_at(&c, 10), 0);
    CHECK_EQ(pit_ticks_at(&c, 11), 1);
    CHECK_EQ(pit_cycle_of_tick(&c, 7), 77);
    /* One hour of a 33.333333 MHz clock holds exactly
     * floor(3600 * 13125000 / 11) PIT clocks: no drift. */
    clock_init(&c, 33333333);
    CHECK_EQ(pit_ticks_at(&c, (cycles_t)33333333 * 3600), 47250000000ull / 11);
    /* Every edge's cycle maps back to that edge, and the cycle before to
     * the edge before. */
    int ok = 1;
    for (uint64_t k = 1; k < 20000; k += 7) {
        cycles_t cy = pit_cycle_of_tick(&c, k);
        if (pit_ticks_at(&c, cy) != k || pit_ticks_at(&c, cy - 1) != k - 1)
            ok = 0;
    }
    CHECK(ok);
    /* Far out on the timeline (10^18 cycles at 1 GHz) nothing overflows. */
    clock_init(&c, 1000000000);
    CHECK_EQ(pit_ticks_at(&c, 1000000000000000000ull), 1193181818181818ull);
    cycles_t far = pit_cycle_of_tick(&c, 1193181818181818ull);
    CHECK(far <= 1000000000000000000ull && pit_ticks_at(&c, far) == 1193181818181818ull);
    CHECK_EQ(pit_ticks_at(&c, far - 1), 1193181818181817ull);
}

/* SeaBIOS pit_setup and Linux's PIT_LATCH for HZ=1000: mode 2 on counter 0,
 * IRQ 0 edges at exact cycles, two timer callbacks per period. */
static void test_mode2_irq0(void)
{
    struct rig r;
    rig_init(&r, EASY_HZ);
    irq_connect(&r.pit.irq0, irq0_sink, &r, 0);
    r.clk.now = 1000;                       /* edge 90 has passed */
    outb(&r, 0x43, 0x34);                   /* counter 0, LSB/MSB, mode 2 */
    CHECK_EQ(r.n_irq0, 1);                  /* OUT goes high on the control word */
    CHECK(r.irq0[0].level == 1 && r.irq0[0].when == 1000);
    outb(&r, 0x40, 0xA9);
    outb(&r, 0x40, 0x04);                   /* 1193 */
    /* Loaded on edge 91, OUT low on 91 + 1192, high on 91 + 1193, ... */
    run_to(&r, 11 * (91 + 1193 * 3) + 5);
    CHECK_EQ(r.n_irq0, 7);
    for (int k = 0; k < 3; k++) {
        CHECK(r.irq0[1 + 2 * k].level == 0 && r.irq0[1 + 2 * k].when == 11u * (91 + 1193 * (k + 1) - 1));
        CHECK(r.irq0[2 + 2 * k].level == 1 && r.irq0[2 + 2 * k].when == 11u * (91 + 1193 * (k + 1)));
    }
    CHECK_EQ(r.fires, 6);                   /* one callback per OUT edge, none per clock */

    /* Reads in the middle of an instruction: exact for the cycle. */
    uint64_t t0 = 91 + 1193 * 3;            /* a reload edge */
    r.clk.now = 11 * t0;
    CHECK_EQ(latched_read(&r, 0), 1193);
    r.clk.now = 11 * t0 + 10;
    CHECK_EQ(latched_read(&r, 0), 1193);
    r.clk.now = 11 * (t0 + 1);
    CHECK_EQ(latched_read(&r, 0), 1192);
    r.clk.now = 11 * (t0 + 1000) + 3;
    CHECK_EQ(latched_read(&r, 0), 193);
    r.clk.now = 11 * (t0 + 1192);
    CHECK_EQ(latched_read(&r, 0), 1);
    CHECK_EQ(pit_out(&r.pit, 0), 0);
    CHECK(r.irq0[r.n_irq0 - 1].level == 0 && r.irq0[r.n_irq0 - 1].when == 11 * (t0 + 1192));

    /* A new count in mode 2 waits for the end of the period. */
    r.clk.now = 11 * (t0 + 1193 + 100);
    outb(&r, 0x40, 0x64);
    outb(&r, 0x40, 0x00);                   /* 100 */
    CHECK_EQ(latched_read(&r, 0), 1093);
    r.clk.now = 11 * (t0 + 2 * 1193 + 1);
    CHECK_EQ(latched_read(&r, 0), 99);
    run_to(&r, 11 * (t0 + 2 * 1193 + 100));
    CHECK(r.irq0[r.n_irq0 - 1].level == 1 && r.irq0[r.n_irq0 - 1].when == 11 * (t0 + 2 * 1193 + 100));

    /* SeaBIOS's 18.2 Hz: count 0 is 65536. */
    r.clk.now = 11 * 1000000;
    outb(&r, 0x43, 0x34);
    outb(&r, 0x40, 0x00);
    outb(&r, 0x40, 0x00);
    r.clk.now = 11 * 1000001;
    CHECK_EQ(latched_read(&r, 0), 0);
    r.clk.now = 11 * 1000002;
    CHECK_EQ(latched_read(&r, 0), 0xFFFF);
    r.n_irq0 = 0;
    run_to(&r, 11 * (1000001 + 65536));
    CHECK(r.n_irq0 == 2 && r.irq0[1].level == 1 && r.irq0[1].when == 11 * (1000001 + 65536));
}

/* SeaBIOS tsctimer_setup / Linux pit_calibrate_tsc: counter 2 in mode 0,
 * gate from port 0x61, OUT polled. */
static void test_mode0_calibration(void)
{
    struct rig r;
    rig_init(&r, 100000000);                /* 100 MHz: not a whole number of cycles per clock */
    pit_set_out_listener(&r.pit, 2, speaker, &r);
    CHECK_EQ(pit_out(&r.pit, 2), 0);
    pit_set_gate(&r.pit, 2, 1);
    r.clk.now = 123457;
    uint64_t tw = pit_ticks_at(&r.clk, r.clk.now);
    outb(&r, 0x43, 0xB0);                   /* counter 2, LSB/MSB, mode 0 */
    outb(&r, 0x42, 0x00);
    outb(&r, 0x42, 0x08);                   /* 0x800 */
    CHECK_EQ(pit_out(&r.pit, 2), 0);
    /* OUT goes high N + 1 clocks after the write. */
    cycles_t high = pit_cycle_of_tick(&r.clk, tw + 1 + 0x800);
    r.clk.now = high - 1;
    CHECK_EQ(pit_out(&r.pit, 2), 0);
    CHECK_EQ(latched_read(&r, 2), 1);
    run_to(&r, high);
    CHECK_EQ(pit_out(&r.pit, 2), 1);
    CHECK_EQ(latched_read(&r, 2), 0);
    CHECK(r.n_spk == 1 && r.spk[0].level == 1 && r.spk[0].when == high);
    /* The counter keeps counting past zero; OUT stays high. */
    r.clk.now = pit_cycle_of_tick(&r.clk, tw + 1 + 0x800 + 1);
    CHECK_EQ(latched_read(&r, 2), 0xFFFF);
    CHECK_EQ(pit_out(&r.pit, 2), 1);

    /* Linux quick_pit_calibrate: count 0xFFFF, unlatched LSB, MSB reads. */
    r.clk.now = 5000000;
    tw = pit_ticks_at(&r.clk, r.clk.now);
    outb(&r, 0x43, 0xB0);
    CHECK_EQ(pit_out(&r.pit, 2), 0);
    outb(&r, 0x42, 0xFF);
    outb(&r, 0x42, 0xFF);
    for (unsigned i = 0; i < 5; i++) {
        uint64_t t = tw + 1 + 256u * i + 17;
        r.clk.now = pit_cycle_of_tick(&r.clk, t) + 3;
        unsigned lo = inb(&r, 0x42);
        unsigned hi = inb(&r, 0x42);
        unsigned expect = 0xFFFFu - (unsigned)(t - (tw + 1));
        CHECK_EQ(lo, expect & 0xFF);
        CHECK_EQ(hi, expect >> 8);
    }

    /* Mode 0 rewrite: the first byte stops the count and drops OUT, the
     * second reloads on the next clock. */
    r.clk.now = 9000000;
    tw = pit_ticks_at(&r.clk, r.clk.now);
    outb(&r, 0x43, 0xB0);
    outb(&r, 0x42, 0x10);
    outb(&r, 0x42, 0x00);                   /* 16 */
    run_to(&r, pit_cycle_of_tick(&r.clk, tw + 1 + 16));
    CHECK_EQ(pit_out(&r.pit, 2), 1);
    r.clk.now = pit_cycle_of_tick(&r.clk, tw + 20);
    outb(&r, 0x42, 0x30);                   /* LSB only so far */
    CHECK_EQ(pit_out(&r.pit, 2), 0);
    unsigned frozen = latched_read(&r, 2);
    r.clk.now = pit_cycle_of_tick(&r.clk, tw + 40);
    CHECK_EQ(latched_read(&r, 2), frozen);
    outb(&r, 0x42, 0x00);                   /* 0x30 */
    r.clk.now = pit_cycle_of_tick(&r.clk, tw + 41);
    CHECK_EQ(latched_read(&r, 2), 0x30);
    /* GATE low pauses mode 0. */
    r.clk.now = pit_cycle_of_tick(&r.clk, tw + 45);
    pit_set_gate(&r.pit, 2, 0);
    r.clk.now = pit_cycle_of_tick(&r.clk, tw + 90);
    CHECK_EQ(latched_read(&r, 2), 0x30 - 4);
    pit_set_gate(&r.pit, 2, 1);
    run_to(&r, pit_cycle_of_tick(&r.clk, tw + 90 + 0x30 - 4) - 1);
    CHECK_EQ(pit_out(&r.pit, 2), 0);
    run_to(&r, pit_cycle_of_tick(&r.clk, tw + 90 + 0x30 - 4));
    CHECK_EQ(pit_out(&r.pit, 2), 1);
}

/* Mode 3 with the datasheet's examples: count 4 reads 4 2 4 2, count 5 is
 * high for 3 clocks and low for 2 and reads 5 4 2 5 2. */
static void test_mode3(void)
{
    struct rig r;
    rig_init(&r, EASY_HZ);
    pit_set_out_listener(&r.pit, 2, speaker, &r);
    pit_set_gate(&r.pit, 2, 1);
    r.clk.now = 11 * 100 + 4;
    outb(&r, 0x43, 0x96);                   /* counter 2, LSB only, mode 3 (speaker) */
    outb(&r, 0x42, 4);
    static const unsigned even_seq[8] = { 4, 2, 4, 2, 4, 2, 4, 2 };
    static const int even_out[8] = { 1, 1, 0, 0, 1, 1, 0, 0 };
    for (int i = 0; i < 8; i++) {
        r.clk.now = 11u * (101 + (unsigned)i);
        outb(&r, 0x43, 0x80);
        CHECK_EQ(inb(&r, 0x42), even_seq[i]);
        CHECK_EQ(pit_out(&r.pit, 2), even_out[i]);
    }
    /* Count 4 was loaded on edge 101: half-cycles of 2 clocks, so the one
     * running at edge 200 (low, from 199) ends on edge 201, where count 5
     * takes over: high 201-203, low 204-205, high 206-208, ... */
    r.clk.now = 11 * 200;
    outb(&r, 0x42, 5);
    r.n_spk = 0;
    static const unsigned odd_seq[10] = { 5, 4, 2, 5, 2, 5, 4, 2, 5, 2 };
    static const int odd_out[10] = { 1, 1, 1, 0, 0, 1, 1, 1, 0, 0 };
    const uint64_t base = 201;
    int phase_ok = 1, values_ok = 1;
    for (int i = 0; i < 10; i++) {
        r.clk.now = 11 * (base + (uint64_t)i);
        outb(&r, 0x43, 0x80);
        if (inb(&r, 0x42) != odd_seq[i])
            values_ok = 0;
        if (pit_out(&r.pit, 2) != odd_out[i])
            phase_ok = 0;
    }
    CHECK(values_ok);
    CHECK(phase_ok);

    /* The speaker listener saw every edge with its cycle. */
    run_to(&r, 11 * (base + 10));
    CHECK_EQ(r.n_spk, 5);
    CHECK(r.spk[0].level == 1 && r.spk[0].when == 11 * base);
    CHECK(r.spk[1].level == 0 && r.spk[1].when == 11 * (base + 3));
    CHECK(r.spk[2].level == 1 && r.spk[2].when == 11 * (base + 5));
    CHECK(r.spk[3].level == 0 && r.spk[3].when == 11 * (base + 8));
    CHECK(r.spk[4].level == 1 && r.spk[4].when == 11 * (base + 10));

    /* GATE low forces OUT high at once; a rising GATE restarts the cycle. */
    r.clk.now = 11 * (base + 13) + 2;       /* OUT low here */
    CHECK_EQ(pit_out(&r.pit, 2), 0);
    pit_set_gate(&r.pit, 2, 0);
    CHECK_EQ(pit_out(&r.pit, 2), 1);
    CHECK(r.spk[r.n_spk - 1].level == 1 && r.spk[r.n_spk - 1].when == 11 * (base + 13) + 2);
    r.clk.now = 11 * (base + 50);
    pit_set_gate(&r.pit, 2, 1);
    r.clk.now = 11 * (base + 51);
    outb(&r, 0x43, 0x80);
    CHECK_EQ(inb(&r, 0x42), 5);
    run_to(&r, 11 * (base + 54));
    CHECK(r.spk[r.n_spk - 1].level == 0 && r.spk[r.n_spk - 1].when == 11 * (base + 54));
}

static void test_modes_1_4_5(void)
{
    struct rig r;
    rig_init(&r, EASY_HZ);
    pit_set_out_listener(&r.pit, 2, speaker, &r);

    /* Mode 1: one-shot from a GATE trigger, retriggerable. */
    r.clk.now = 11 * 10;
    outb(&r, 0x43, 0xB2);
    CHECK(r.n_spk == 1 && r.spk[0].level == 1);     /* mode 1 starts with OUT high */
    r.n_spk = 0;
    outb(&r, 0x42, 10);
    outb(&r, 0x42, 0);
    CHECK_EQ(pit_out(&r.pit, 2), 1);
    run_to(&r, 11 * 30);
    CHECK_EQ(r.n_spk, 0);                   /* nothing until the trigger */
    pit_set_gate(&r.pit, 2, 1);
    run_to(&r, 11 * 31);
    CHECK(r.n_spk == 1 && r.spk[0].level == 0 && r.spk[0].when == 11 * 31);
    r.clk.now = 11 * 35;
    CHECK_EQ(latched_read(&r, 2), 6);
    pit_set_gate(&r.pit, 2, 0);             /* GATE level does not matter */
    r.clk.now = 11 * 36 + 5;
    pit_set_gate(&r.pit, 2, 1);             /* retrigger: reload on edge 37 */
    run_to(&r, 11 * 60);
    CHECK(r.n_spk == 2 && r.spk[1].level == 1 && r.spk[1].when == 11 * 47);

    /* Mode 4: software strobe N + 1 clocks after the write, one clock low. */
    r.n_spk = 0;
    r.clk.now = 11 * 100 + 1;
    outb(&r, 0x43, 0xB8);
    outb(&r, 0x42, 3);
    outb(&r, 0x42, 0);
    run_to(&r, 11 * 120);
    CHECK(r.n_spk == 2 && r.spk[0].level == 0 && r.spk[0].when == 11 * 104);
    CHECK(r.spk[1].level == 1 && r.spk[1].when == 11 * 105);

    /* Mode 5: the same strobe, triggered by GATE. */
    r.n_spk = 0;
    pit_set_gate(&r.pit, 2, 0);
    r.clk.now = 11 * 200;
    outb(&r, 0x43, 0xBA);
    outb(&r, 0x42, 5);
    outb(&r, 0x42, 0);
    r.clk.now = 11 * 210 + 7;
    pit_set_gate(&r.pit, 2, 1);
    run_to(&r, 11 * 230);
    CHECK(r.n_spk == 2 && r.spk[0].level == 0 && r.spk[0].when == 11 * 216);
    CHECK(r.spk[1].level == 1 && r.spk[1].when == 11 * 217);
}

static void test_readback_latch_bcd(void)
{
    struct rig r;
    rig_init(&r, EASY_HZ);
    r.clk.now = 11 * 50;
    outb(&r, 0x43, 0x30);                   /* counter 0, mode 0 */
    outb(&r, 0x40, 0x34);
    outb(&r, 0x40, 0x12);
    /* Status before the load: OUT low, null count, control bits. */
    outb(&r, 0x43, 0xE2);
    CHECK_EQ(inb(&r, 0x40), 0x70);
    r.clk.now = 11 * 51;
    outb(&r, 0x43, 0xC2);                   /* status and count together */
    CHECK_EQ(inb(&r, 0x40), 0x30);          /* status first: loaded, OUT low */
    CHECK_EQ(inb(&r, 0x40), 0x34);
    CHECK_EQ(inb(&r, 0x40), 0x12);
    /* A latched count holds while counting goes on; a second latch before
     * reading is ignored. */
    r.clk.now = 11 * 60;
    outb(&r, 0x43, 0x00);
    r.clk.now = 11 * 70;
    outb(&r, 0x43, 0x00);
    CHECK_EQ(inb(&r, 0x40), 0x2B);
    CHECK_EQ(inb(&r, 0x40), 0x12);
    r.clk.now = 11 * 70;
    CHECK_EQ(latched_read(&r, 0), 0x1234 - 19);
    /* Count-only read-back of two counters at once. */
    outb(&r, 0x43, 0x74);                   /* counter 1, LSB/MSB, mode 2 */
    outb(&r, 0x41, 0x00);
    outb(&r, 0x41, 0x01);
    r.clk.now = 11 * 80;
    outb(&r, 0x43, 0xD6);
    CHECK_EQ(read16(&r, 0x40), 0x1234 - 29);
    CHECK_EQ(read16(&r, 0x41), 0x100 - 9);

    /* BCD: count 0100 counts 100 clocks and reads in decimal. */
    r.clk.now = 11 * 300;
    outb(&r, 0x43, 0x35);                   /* counter 0, mode 2, BCD */
    outb(&r, 0x40, 0x00);
    outb(&r, 0x40, 0x01);
    r.clk.now = 11 * (301 + 11);
    CHECK_EQ(latched_read(&r, 0), 0x0089);
    r.clk.now = 11 * (301 + 100);
    CHECK_EQ(latched_read(&r, 0), 0x0100);
    /* BCD count 0 is 10000; past zero a mode 0 counter reads 9999. */
    outb(&r, 0x43, 0x31);
    outb(&r, 0x40, 0x00);
    outb(&r, 0x40, 0x00);
    r.clk.now = 11 * (401 + 1);
    CHECK_EQ(latched_read(&r, 0), 0x0000);
    r.clk.now = 11 * (401 + 2);
    CHECK_EQ(latched_read(&r, 0), 0x9999);
    r.clk.now = 11 * (401 + 1 + 10000 - 1);
    CHECK_EQ(latched_read(&r, 0), 0x0001);
    CHECK_EQ(pit_out(&r.pit, 0), 0);
    r.clk.now = 11 * (401 + 1 + 10000);
    CHECK_EQ(pit_out(&r.pit, 0), 1);
    CHECK_EQ(latched_read(&r, 0), 0x0000);

    /* LSB-only and MSB-only access. */
    outb(&r, 0x43, 0x50);                   /* counter 1, LSB only, mode 0 */
    outb(&r, 0x41, 0x80);
    r.clk.now += 11 * 5;
    CHECK_EQ(inb(&r, 0x41), 0x80 - 4);
    outb(&r, 0x43, 0x64);                   /* counter 1, MSB only, mode 2 */
    outb(&r, 0x41, 0x02);
    r.clk.now += 11 * 2;
    CHECK_EQ(inb(&r, 0x41), 0x01);          /* 0x200 - 1 = 0x1FF */
    CHECK_EQ(inb(&r, 0x43), 0xFF);          /* the control register does not read */
}

/* A per-clock reference, transcribed from the datasheet's mode
 * descriptions, against the device's closed form: modes 0, 2, 3, 4 with
 * counts rewritten at random moments. */
struct ref {
    int mode, out, running, pending, active, strobe, fresh;
    uint32_t n, ce;
};

static void ref_edge(struct ref *f)
{
    if (f->pending) {
        f->pending = 0;
        f->running = 1;
        f->ce = f->n;
        f->fresh = 1;
        f->out = f->mode == 0 ? 0 : 1;
        f->active = 1;
        return;
    }
    if (!f->running)
        return;
    switch (f->mode) {
    case 0:
        f->ce = (f->ce + 65535u) % 65536u;
        if (f->ce == 0 && f->active) {
            f->out = 1;
            f->active = 0;
        }
        break;
    case 4:
        if (f->strobe) {
            f->out = 1;
            f->strobe = 0;
        }
        f->ce = (f->ce + 65535u) % 65536u;
        if (f->ce == 0 && f->active) {
            f->out = 0;
            f->strobe = 1;
            f->active = 0;
        }
        break;
    case 2:
        if (f->ce == 1) {
            f->ce = f->n;
            f->out = 1;
        } else if (--f->ce == 1) {
            f->out = 0;
        }
        break;
    default: {
        uint32_t dec = 2;
        if ((f->ce & 1u) && f->fresh)
            dec = f->out ? 1 : 3;
        f->fresh = 0;
        f->ce -= dec;
        if (f->ce == 0) {
            f->out ^= 1;
            f->ce = f->n;
            f->fresh = 1;
        }
    }
    }
}

static void test_against_reference(void)
{
    static const int modes[4] = { 0, 2, 3, 4 };
    uint32_t seed = 12345;
    int mismatches = 0, checks = 0;
    for (int mi = 0; mi < 4; mi++) {
        struct rig r;
        struct ref f = { 0 };
        rig_init(&r, EASY_HZ);
        f.mode = modes[mi];
        outb(&r, 0x43, (uint8_t)(0x30 | modes[mi] << 1));
        f.out = f.mode == 0 ? 0 : 1;
        for (uint64_t t = 1; t < 6000; t++) {
            ref_edge(&f);
            seed = seed * 1103515245u + 12345u;
            if ((seed >> 16) % 97 == 0) {       /* a new count, mid-clock */
                uint32_t n = 3 + (seed >> 8) % 40;
                r.clk.now = 11 * t + 5;
                outb(&r, 0x40, (uint8_t)n);
                outb(&r, 0x40, 0);
                f.n = n;
                if (f.mode == 0 || f.mode == 4 || !f.running)
                    f.pending = 1;
                if (f.mode == 0)
                    f.out = 0;
            }
            r.clk.now = 11 * t + 7;
            if (f.running) {
                checks++;
                if (latched_read(&r, 0) != f.ce % 65536u || pit_out(&r.pit, 0) != f.out)
                    mismatches++;
            }
        }
    }
    CHECK(checks > 20000);
    CHECK_EQ(mismatches, 0);
}

static void test_state_and_two_instances(void)
{
    struct rig a, b;
    rig_init(&a, EASY_HZ);
    rig_init(&b, EASY_HZ);
    irq_connect(&a.pit.irq0, irq0_sink, &a, 0);
    irq_connect(&b.pit.irq0, irq0_sink, &b, 0);
    a.clk.now = 11 * 10;
    outb(&a, 0x43, 0x36);                   /* counter 0 mode 3, count 1000 */
    outb(&a, 0x40, 0xE8);
    outb(&a, 0x40, 0x03);
    outb(&a, 0x43, 0xB4);                   /* counter 2 mode 2 */
    outb(&a, 0x42, 0x10);
    outb(&a, 0x42, 0x27);
    pit_set_gate(&a.pit, 2, 1);
    outb(&b, 0x43, 0x30);
    run_to(&a, 11 * 1777 + 3);
    run_to(&b, 11 * 1777 + 3);
    outb(&a, 0x43, 0x00);                   /* a latched count is part of the state */
    CHECK_EQ(read16(&b, 0x40), 0);      /* b is untouched by a */

    struct state_writer w;
    state_writer_init(&w);
    pit_ops.save(&a.pit, &w);
    CHECK(!w.error);
    struct state_reader rd;
    state_reader_init(&rd, w.buf, w.len);
    CHECK_EQ(pit_ops.load(&b.pit, &rd, PIT_STATE_VERSION), 0);
    CHECK_EQ(read16(&b, 0x40), read16(&a, 0x40));
    int n_a = a.n_irq0, n_b = b.n_irq0;
    run_to(&a, 11 * 5000);
    run_to(&b, 11 * 5000);
    CHECK_EQ(a.n_irq0 - n_a, b.n_irq0 - n_b);
    CHECK(a.irq0[a.n_irq0 - 1].when == b.irq0[b.n_irq0 - 1].when);
    CHECK_EQ(latched_read(&a, 0), latched_read(&b, 0));
    CHECK_EQ(latched_read(&a, 2), latched_read(&b, 2));
    CHECK_EQ(pit_out(&a.pit, 2), pit_out(&b.pit, 2));

    /* Corrupt and truncated blobs are refused and change nothing. */
    uint8_t bad[256];
    CHECK(w.len <= sizeof(bad));
    memcpy(bad, w.buf, w.len);
    bad[1] = 7;                             /* counter 0 mode 7 */
    state_reader_init(&rd, bad, w.len);
    CHECK_EQ(pit_ops.load(&b.pit, &rd, PIT_STATE_VERSION), -1);
    memcpy(bad, w.buf, w.len);
    bad[2] = 0;                             /* access 0 is the latch command */
    state_reader_init(&rd, bad, w.len);
    CHECK_EQ(pit_ops.load(&b.pit, &rd, PIT_STATE_VERSION), -1);
    state_reader_init(&rd, w.buf, w.len - 1);
    CHECK_EQ(pit_ops.load(&b.pit, &rd, PIT_STATE_VERSION), -1);
    state_reader_init(&rd, w.buf, w.len);
    CHECK_EQ(pit_ops.load(&b.pit, &rd, 99), -1);
    CHECK_EQ(latched_read(&a, 0), latched_read(&b, 0));
    state_writer_free(&w);

    device_reset_all(&b.reg);
    CHECK_EQ(pit_out(&b.pit, 0), 0);
    CHECK_EQ(b.irq0[b.n_irq0 - 1].level, 0);
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        pit_ops.dump(&a.pit, null);
        fclose(null);
    }
}

int main(void)
{
    test_clock_arithmetic();
    test_mode2_irq0();
    test_mode0_calibration();
    test_mode3();
    test_modes_1_4_5();
    test_readback_latch_bcd();
    test_against_reference();
    test_state_and_two_instances();
    return test_report();
}
