/* The MC146818A RTC: set, polled and interrupting the way firmware and
 * operating systems use it. */
#include <string.h>

#include "bus/clock.h"
#include "bus/device.h"
#include "bus/portio.h"
#include "peripherals/rtc146818.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

/* 100 cycles per 32.768 kHz tick: one second is 3 276 800 cycles. */
#define HZ 3276800u
#define SEC ((cycles_t)HZ)
#define MAX_EDGES 64

struct rig {
    struct clock clk;
    struct portio io;
    struct device_registry reg;
    struct rtc146818 rtc;
    cycles_t rise[MAX_EDGES];
    int n_rise;
    int irq;
};

static void irq8(void *opaque, int pin, int level)
{
    struct rig *r = opaque;
    (void)pin;
    r->irq = level;
    if (level && r->n_rise < MAX_EDGES)
        r->rise[r->n_rise++] = r->clk.now;
}

static void rig_init(struct rig *r, int64_t start)
{
    memset(r, 0, sizeof(*r));
    clock_init(&r->clk, HZ);
    portio_init(&r->io);
    device_registry_init(&r->reg);
    CHECK_EQ(rtc_init(&r->rtc, &r->clk, &r->io, &r->reg, start), 0);
    irq_connect(&r->rtc.irq, irq8, r, 8);
}

static void run_to(struct rig *r, cycles_t target)
{
    while (clock_next_deadline(&r->clk) <= target) {
        cycles_t d = clock_next_deadline(&r->clk);
        if (d > r->clk.now)
            r->clk.now = d;
        clock_run_due(&r->clk);
    }
    if (target > r->clk.now)
        r->clk.now = target;
}

/* SeaBIOS's rtc_read / rtc_write: the index with NMI disabled. */
static uint8_t cmos_read(struct rig *r, uint8_t index)
{
    portio_write(&r->io, 0x70, index | 0x80u, 1);
    return (uint8_t)portio_read(&r->io, 0x71, 1);
}

static void cmos_write(struct rig *r, uint8_t index, uint8_t v)
{
    portio_write(&r->io, 0x70, index | 0x80u, 1);
    portio_write(&r->io, 0x71, v, 1);
}

/* Set the clock as INT 1Ah does: SET, the registers, SET off. */
static void set_time(struct rig *r, const uint8_t t[10])
{
    uint8_t b = cmos_read(r, RTC_REG_B);
    cmos_write(r, RTC_REG_B, b | 0x80u);
    for (int i = 0; i < 10; i++)
        if (i != 1 && i != 3 && i != 5)
            cmos_write(r, (uint8_t)i, t[i]);
    cmos_write(r, RTC_REG_B, b & 0x7Fu);
}

static int time_is(struct rig *r, uint8_t s, uint8_t m, uint8_t h, uint8_t dow, uint8_t date, uint8_t mon,
                   uint8_t year)
{
    return cmos_read(r, RTC_SECONDS) == s && cmos_read(r, RTC_MINUTES) == m && cmos_read(r, RTC_HOURS) == h &&
           cmos_read(r, RTC_DAY_OF_WEEK) == dow && cmos_read(r, RTC_DATE) == date &&
           cmos_read(r, RTC_MONTH) == mon && cmos_read(r, RTC_YEAR) == year;
}

static void test_start_time_and_uip(void)
{
    struct rig r;
    rig_init(&r, 1709164798);               /* 2024-02-28 23:59:58 */
    /* SeaBIOS rtc_setup. */
    cmos_write(&r, RTC_REG_A, 0x26);
    cmos_write(&r, RTC_REG_B, (uint8_t)((cmos_read(&r, RTC_REG_B) & ~0x01u) | 0x02u));
    CHECK_EQ(cmos_read(&r, RTC_REG_C), 0x00);
    CHECK_EQ(cmos_read(&r, RTC_REG_D), 0x80);
    CHECK(time_is(&r, 0x58, 0x59, 0x23, 4, 0x28, 0x02, 0x24));
    CHECK_EQ(cmos_read(&r, CMOS_CENTURY), 0x20);

    /* UIP is high for the 244 us (8 time-base ticks) before each update;
     * the registers change on the update's cycle. */
    r.clk.now = SEC - 801;
    CHECK_EQ(cmos_read(&r, RTC_REG_A), 0x26);
    r.clk.now = SEC - 800;
    CHECK_EQ(cmos_read(&r, RTC_REG_A), 0xA6);
    r.clk.now = SEC - 1;
    CHECK_EQ(cmos_read(&r, RTC_REG_A), 0xA6);
    CHECK_EQ(cmos_read(&r, RTC_SECONDS), 0x58);
    r.clk.now = SEC;
    CHECK_EQ(cmos_read(&r, RTC_REG_A), 0x26);
    CHECK_EQ(cmos_read(&r, RTC_SECONDS), 0x59);

    /* SeaBIOS rtc_updating() + clock_setup(): poll UIP, then read. */
    int polls = 0;
    r.clk.now = 2 * SEC - 5000;
    while (!(cmos_read(&r, RTC_REG_A) & 0x80u) && polls < 1000) {
        r.clk.now += 37;
        polls++;
    }
    CHECK(polls < 1000);
    CHECK(r.clk.now >= 2 * SEC - 800 && r.clk.now < 2 * SEC - 800 + 37);
    while ((cmos_read(&r, RTC_REG_A) & 0x80u) && polls < 1000) {
        r.clk.now += 37;
        polls++;
    }
    CHECK(r.clk.now >= 2 * SEC && r.clk.now < 2 * SEC + 37);
    /* Midnight into a leap day. */
    CHECK(time_is(&r, 0x00, 0x00, 0x00, 5, 0x29, 0x02, 0x24));

    /* The register C flags, set with every enable clear: UF from each
     * update, PF from the 1024 Hz periodic rate, and AF because the alarm
     * bytes (zero) matched midnight. */
    CHECK_EQ(cmos_read(&r, RTC_REG_C), 0x70);
    CHECK_EQ(cmos_read(&r, RTC_REG_C), 0x00);
    CHECK_EQ(r.irq, 0);

    /* Conversions of other start values. */
    struct rig e;
    rig_init(&e, 0);
    CHECK(time_is(&e, 0x00, 0x00, 0x00, 5, 0x01, 0x01, 0x70));
    CHECK_EQ(cmos_read(&e, CMOS_CENTURY), 0x19);
    rig_init(&e, -1);
    CHECK(time_is(&e, 0x59, 0x59, 0x23, 4, 0x31, 0x12, 0x69));
    rig_init(&e, 951739200);                /* 2000-02-28 12:00:00 */
    CHECK(time_is(&e, 0x00, 0x00, 0x12, 2, 0x28, 0x02, 0x00));
    CHECK_EQ(cmos_read(&e, CMOS_CENTURY), 0x20);
}

static void test_rollovers(void)
{
    struct rig r;
    rig_init(&r, 1704067200);               /* 2024-01-01 00:00:00 */
    cycles_t t = SEC;                       /* updates on whole seconds */
    static const struct {
        uint8_t set[10];    /* s, -, m, -, h, -, dow, date, month, year */
        uint8_t expect[7];  /* s m h dow date month year one second later */
    } cases[] = {
        { { 0x59, 0, 0x59, 0, 0x23, 0, 3, 0x31, 0x01, 0x24 }, { 0x00, 0x00, 0x00, 4, 0x01, 0x02, 0x24 } },
        { { 0x59, 0, 0x59, 0, 0x23, 0, 3, 0x28, 0x02, 0x23 }, { 0x00, 0x00, 0x00, 4, 0x01, 0x03, 0x23 } },
        { { 0x59, 0, 0x59, 0, 0x23, 0, 3, 0x28, 0x02, 0x24 }, { 0x00, 0x00, 0x00, 4, 0x29, 0x02, 0x24 } },
        { { 0x59, 0, 0x59, 0, 0x23, 0, 5, 0x29, 0x02, 0x24 }, { 0x00, 0x00, 0x00, 6, 0x01, 0x03, 0x24 } },
        { { 0x59, 0, 0x59, 0, 0x23, 0, 2, 0x28, 0x02, 0x00 }, { 0x00, 0x00, 0x00, 3, 0x29, 0x02, 0x00 } },
        { { 0x59, 0, 0x59, 0, 0x23, 0, 3, 0x30, 0x04, 0x24 }, { 0x00, 0x00, 0x00, 4, 0x01, 0x05, 0x24 } },
        { { 0x59, 0, 0x59, 0, 0x23, 0, 7, 0x30, 0x09, 0x24 }, { 0x00, 0x00, 0x00, 1, 0x01, 0x10, 0x24 } },
        { { 0x59, 0, 0x59, 0, 0x23, 0, 6, 0x31, 0x12, 0x99 }, { 0x00, 0x00, 0x00, 7, 0x01, 0x01, 0x00 } },
        { { 0x59, 0, 0x59, 0, 0x09, 0, 6, 0x15, 0x06, 0x24 }, { 0x00, 0x00, 0x10, 6, 0x15, 0x06, 0x24 } },
        { { 0x09, 0, 0x19, 0, 0x19, 0, 6, 0x09, 0x09, 0x09 }, { 0x10, 0x19, 0x19, 6, 0x09, 0x09, 0x09 } },
    };
    int all_ok = 1;
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        r.clk.now = t + SEC / 2;
        set_time(&r, cases[i].set);
        r.clk.now = t + SEC + 1;
        const uint8_t *e = cases[i].expect;
        int ok = time_is(&r, e[0], e[1], e[2], e[3], e[4], e[5], e[6]);
        if (!ok)
            fprintf(stderr, "rollover case %u wrong\n", i);
        all_ok &= ok;
        t += SEC;
    }
    CHECK(all_ok);
    /* The century byte is plain RAM to the chip: 99 -> 00 leaves it. */
    CHECK_EQ(cmos_read(&r, CMOS_CENTURY), 0x20);

    /* Binary mode, 24-hour. */
    r.clk.now = t + SEC / 2;
    cmos_write(&r, RTC_REG_B, 0x86);
    static const uint8_t bin_set[10] = { 59, 0, 59, 0, 23, 0, 7, 31, 12, 99 };
    for (int i = 0; i < 10; i++)
        if (i != 1 && i != 3 && i != 5)
            cmos_write(&r, (uint8_t)i, bin_set[i]);
    cmos_write(&r, RTC_REG_B, 0x06);
    r.clk.now = t + SEC;
    CHECK(time_is(&r, 0, 0, 0, 1, 1, 1, 0));
    t += SEC;

    /* 12-hour BCD: 11:59:59 AM -> 12 PM -> 1 PM; 11:59:59 PM -> 12 AM of
     * the next day. */
    r.clk.now = t + SEC / 2;
    cmos_write(&r, RTC_REG_B, 0x80);
    static const uint8_t am[10] = { 0x59, 0, 0x59, 0, 0x11, 0, 2, 0x10, 0x03, 0x25 };
    for (int i = 0; i < 10; i++)
        if (i != 1 && i != 3 && i != 5)
            cmos_write(&r, (uint8_t)i, am[i]);
    cmos_write(&r, RTC_REG_B, 0x00);
    r.clk.now = t + SEC;
    CHECK(time_is(&r, 0x00, 0x00, 0x92, 2, 0x10, 0x03, 0x25));
    cmos_write(&r, RTC_REG_B, 0x80);
    cmos_write(&r, RTC_MINUTES, 0x59);
    cmos_write(&r, RTC_SECONDS, 0x59);
    cmos_write(&r, RTC_REG_B, 0x00);
    r.clk.now = t + 2 * SEC;
    CHECK(time_is(&r, 0x00, 0x00, 0x81, 2, 0x10, 0x03, 0x25));
    cmos_write(&r, RTC_REG_B, 0x80);
    cmos_write(&r, RTC_HOURS, 0x91);
    cmos_write(&r, RTC_MINUTES, 0x59);
    cmos_write(&r, RTC_SECONDS, 0x59);
    cmos_write(&r, RTC_REG_B, 0x00);
    r.clk.now = t + 3 * SEC;
    CHECK(time_is(&r, 0x00, 0x00, 0x12, 3, 0x11, 0x03, 0x25));
    r.clk.now = t + 3603 * SEC;             /* an hour on: 1 AM */
    CHECK(time_is(&r, 0x00, 0x00, 0x01, 3, 0x11, 0x03, 0x25));
    t += 3603 * SEC;

    /* SET holds the time: no update while it is set, and UIP reads 0. */
    r.clk.now = t + SEC / 2;
    cmos_write(&r, RTC_REG_B, 0x02 | 0x80);
    r.clk.now = t + 5 * SEC - 10;
    CHECK_EQ(cmos_read(&r, RTC_REG_A) & 0x80u, 0);
    CHECK_EQ(cmos_read(&r, RTC_SECONDS), 0x00);
    cmos_write(&r, RTC_REG_B, 0x02);
    r.clk.now = t + 5 * SEC;
    CHECK_EQ(cmos_read(&r, RTC_SECONDS), 0x01);

    /* Daylight saving on the last Sundays of April and October. */
    r.clk.now = t + 5 * SEC + SEC / 2;
    static const uint8_t april[10] = { 0x59, 0, 0x59, 0, 0x01, 0, 1, 0x28, 0x04, 0x24 };
    cmos_write(&r, RTC_REG_B, 0x83);
    set_time(&r, april);
    cmos_write(&r, RTC_REG_B, 0x03);
    r.clk.now = t + 6 * SEC;
    CHECK(time_is(&r, 0x00, 0x00, 0x03, 1, 0x28, 0x04, 0x24));
    static const uint8_t october[10] = { 0x59, 0, 0x59, 0, 0x01, 0, 1, 0x27, 0x10, 0x24 };
    r.clk.now = t + 6 * SEC + SEC / 2;
    set_time(&r, october);
    r.clk.now = t + 7 * SEC;
    CHECK(time_is(&r, 0x00, 0x00, 0x01, 1, 0x27, 0x10, 0x24));
    r.clk.now = t + 7 * SEC + 3600 * SEC;   /* the hour repeated once only */
    CHECK(time_is(&r, 0x00, 0x00, 0x02, 1, 0x27, 0x10, 0x24));
}

static void test_interrupts(void)
{
    struct rig r;
    rig_init(&r, 1709164798);               /* 2024-02-28 23:59:58 */
    cmos_write(&r, RTC_REG_A, 0x20);        /* no periodic rate for now */
    /* Update-ended interrupt: IRQ 8 on each update's cycle. */
    cmos_write(&r, RTC_REG_B, 0x12);
    run_to(&r, SEC + 10);
    CHECK(r.n_rise == 1 && r.rise[0] == SEC);
    CHECK_EQ(r.irq, 1);
    run_to(&r, 3 * SEC + 10);
    CHECK_EQ(r.n_rise, 1);                  /* the line stays up until C is read */
    CHECK_EQ(cmos_read(&r, RTC_REG_C), 0xB0);   /* AF too: midnight matched the zero alarm */
    CHECK_EQ(r.irq, 0);
    run_to(&r, 4 * SEC);
    CHECK(r.n_rise == 2 && r.rise[1] == 4 * SEC);
    cmos_read(&r, RTC_REG_C);
    /* SET going high clears UIE. */
    cmos_write(&r, RTC_REG_B, 0x92);
    CHECK_EQ(cmos_read(&r, RTC_REG_B), 0x82);
    cmos_write(&r, RTC_REG_B, 0x02);

    /* Alarm at 00:00:05 (now 00:00:00 on the 29th). */
    cmos_write(&r, RTC_SECONDS_ALARM, 0x05);
    cmos_write(&r, RTC_MINUTES_ALARM, 0x00);
    cmos_write(&r, RTC_HOURS_ALARM, 0x00);
    cmos_write(&r, RTC_REG_B, 0x22);
    run_to(&r, 20 * SEC);
    CHECK(r.n_rise == 3 && r.rise[2] == 7 * SEC);
    CHECK_EQ(cmos_read(&r, RTC_REG_C), 0xB0);   /* IRQF, AF and UF */
    CHECK_EQ(cmos_read(&r, RTC_SECONDS), 0x18);
    /* Don't-care codes: every second. */
    cmos_write(&r, RTC_SECONDS_ALARM, 0xC0);
    cmos_write(&r, RTC_MINUTES_ALARM, 0xFF);
    cmos_write(&r, RTC_HOURS_ALARM, 0xC5);
    run_to(&r, 21 * SEC);
    CHECK(r.n_rise == 4 && r.rise[3] == 21 * SEC);
    cmos_read(&r, RTC_REG_C);
    /* An alarm the counters never reach never fires. */
    cmos_write(&r, RTC_SECONDS_ALARM, 0x61);
    run_to(&r, 30 * SEC);
    CHECK_EQ(r.n_rise, 4);
    CHECK_EQ(cmos_read(&r, RTC_REG_C) & 0x20u, 0);
    cmos_write(&r, RTC_REG_B, 0x02);

    /* Periodic interrupt at 1024 Hz: every 32 ticks of 32.768 kHz. */
    r.n_rise = 0;
    r.clk.now = 30 * SEC + 1;
    cmos_read(&r, RTC_REG_C);
    cmos_write(&r, RTC_REG_A, 0x26);
    cmos_write(&r, RTC_REG_B, 0x42);
    run_to(&r, 30 * SEC + 3200 + 5);
    CHECK(r.n_rise == 1 && r.rise[0] == 30 * SEC + 3200);
    for (int i = 2; i <= 5; i++) {
        CHECK_EQ(cmos_read(&r, RTC_REG_C), 0xC0);
        run_to(&r, 30 * SEC + 3200u * (unsigned)i + 5);
    }
    CHECK(r.n_rise == 5 && r.rise[4] == 30 * SEC + 3200 * 5);
    /* Rate 2 Hz (RS = 15), and RS = 1 is 256 Hz with this time base. */
    cmos_read(&r, RTC_REG_C);
    cmos_write(&r, RTC_REG_A, 0x2F);
    run_to(&r, 30 * SEC + SEC / 2 + 5);
    CHECK(r.rise[r.n_rise - 1] == 30 * SEC + SEC / 2);
    cmos_read(&r, RTC_REG_C);
    run_to(&r, 31 * SEC + 5);
    CHECK(r.rise[r.n_rise - 1] == 31 * SEC);
    cmos_read(&r, RTC_REG_C);
    cmos_write(&r, RTC_REG_A, 0x21);
    run_to(&r, 31 * SEC + 12800);
    CHECK(r.rise[r.n_rise - 1] == 31 * SEC + 12800);
    /* PF is flagged with PIE clear too, without an interrupt. */
    cmos_write(&r, RTC_REG_B, 0x02);
    cmos_read(&r, RTC_REG_C);
    int n = r.n_rise;
    r.clk.now = 32 * SEC + 100000;
    CHECK_EQ(cmos_read(&r, RTC_REG_C) & 0xC0u, 0x40);
    CHECK_EQ(r.n_rise, n);
    /* Enabling PIE with PF already set raises IRQ 8 at once. */
    r.clk.now += 20000;
    cmos_write(&r, RTC_REG_B, 0x42);
    CHECK_EQ(r.irq, 1);
    CHECK_EQ(cmos_read(&r, RTC_REG_C), 0xC0);
    cmos_write(&r, RTC_REG_B, 0x02);

    /* Divider reset: time stands still; released, the first update comes
     * half a second later. */
    r.clk.now = 40 * SEC + 1000;
    uint8_t s = cmos_read(&r, RTC_SECONDS);
    cmos_write(&r, RTC_REG_A, 0x76);
    r.clk.now = 45 * SEC;
    CHECK_EQ(cmos_read(&r, RTC_SECONDS), s);
    CHECK_EQ(cmos_read(&r, RTC_REG_A), 0x76);
    cmos_write(&r, RTC_REG_A, 0x26);
    r.clk.now = 45 * SEC + SEC / 2 - 1;
    CHECK_EQ(cmos_read(&r, RTC_SECONDS), s);
    r.clk.now = 45 * SEC + SEC / 2;
    CHECK_EQ(cmos_read(&r, RTC_SECONDS), (uint8_t)(s + 1));
}

/* An alarm taken and acknowledged comes round again: a daily alarm a day
 * later, a once-a-minute alarm (don't-care hours and minutes) each minute. */
static void test_alarm_repeats(void)
{
    struct rig r;
    rig_init(&r, 1709164798);               /* 2024-02-28 23:59:58 */
    cmos_write(&r, RTC_REG_A, 0x20);
    cmos_write(&r, RTC_SECONDS_ALARM, 0x05);
    cmos_write(&r, RTC_MINUTES_ALARM, 0x00);
    cmos_write(&r, RTC_HOURS_ALARM, 0x00);
    cmos_write(&r, RTC_REG_B, 0x22);
    run_to(&r, 8 * SEC);
    CHECK(r.n_rise == 1 && r.rise[0] == 7 * SEC);
    CHECK_EQ(cmos_read(&r, RTC_REG_C), 0xB0);
    run_to(&r, 7 * SEC + 86400 * SEC + 10);
    CHECK(r.n_rise == 2 && r.rise[1] == 7 * SEC + 86400 * SEC);
    CHECK_EQ(cmos_read(&r, RTC_REG_C), 0xB0);
    CHECK_EQ(cmos_read(&r, RTC_DATE), 0x01);    /* 2024-03-01 00:00:05 */
    cmos_write(&r, RTC_HOURS_ALARM, 0xC0);
    cmos_write(&r, RTC_MINUTES_ALARM, 0xC0);
    cycles_t t0 = 7 * SEC + 86400 * SEC;
    for (int i = 1; i <= 3; i++) {
        run_to(&r, t0 + 60u * SEC * (unsigned)i + 10);
        CHECK_EQ(cmos_read(&r, RTC_REG_C), 0xB0);
    }
    CHECK(r.n_rise == 5 && r.rise[4] == t0 + 180 * SEC);
}

static void test_ram_and_board_helpers(void)
{
    struct rig r;
    rig_init(&r, 1704067200);
    cmos_write(&r, RTC_REG_A, 0x20);
    for (unsigned i = 0x0E; i < 0x80; i++)
        cmos_write(&r, (uint8_t)i, (uint8_t)(i * 7));
    int ok = 1;
    for (unsigned i = 0x0E; i < 0x80; i++)
        ok &= cmos_read(&r, (uint8_t)i) == (uint8_t)(i * 7);
    CHECK(ok);
    CHECK_EQ(portio_read(&r.io, 0x70, 1), 0xFF);    /* the index is write-only */
    portio_write(&r.io, 0x70, 0x8F, 1);
    CHECK(rtc_nmi_disabled(&r.rtc));
    portio_write(&r.io, 0x70, 0x0F, 1);
    CHECK(!rtc_nmi_disabled(&r.rtc));
    cmos_write(&r, RTC_REG_D, 0x00);            /* read-only */
    CHECK_EQ(cmos_read(&r, RTC_REG_D), 0x80);
    cmos_write(&r, RTC_REG_C, 0xF0);
    CHECK_EQ(cmos_read(&r, RTC_REG_C), 0x00);

    /* Memory sizes as SeaBIOS reads them back. */
    for (unsigned i = 0x10; i < 0x80; i++)
        rtc_set_byte(&r.rtc, i, 0);
    rtc_set_byte(&r.rtc, CMOS_FLOPPY_TYPES, 0x40);
    rtc_set_byte(&r.rtc, CMOS_EQUIPMENT, 0x2F);
    rtc_fill_pc_memory(&r.rtc, 256u << 20, 1ull << 30);
    CHECK_EQ(rtc_get_byte(&r.rtc, 0x15) | rtc_get_byte(&r.rtc, 0x16) << 8, 640);
    CHECK_EQ(rtc_get_byte(&r.rtc, 0x17) | rtc_get_byte(&r.rtc, 0x18) << 8, 0xFFFF);
    CHECK_EQ(rtc_get_byte(&r.rtc, 0x30) | rtc_get_byte(&r.rtc, 0x31) << 8, 0xFFFF);
    uint32_t rs = ((uint32_t)cmos_read(&r, 0x34) << 16 | (uint32_t)cmos_read(&r, 0x35) << 24) + (16u << 20);
    CHECK_EQ(rs, 256u << 20);
    uint64_t high = (uint64_t)cmos_read(&r, 0x5B) << 16 | (uint64_t)cmos_read(&r, 0x5C) << 24 |
                    (uint64_t)cmos_read(&r, 0x5D) << 32;
    CHECK_EQ(high, 1ull << 30);
    unsigned sum = 0;
    for (unsigned i = 0x10; i <= 0x2D; i++)
        sum += cmos_read(&r, (uint8_t)i);
    CHECK_EQ(cmos_read(&r, 0x2E) << 8 | cmos_read(&r, 0x2F), sum);
    rtc_fill_pc_memory(&r.rtc, 8u << 20, 0);
    CHECK_EQ(cmos_read(&r, 0x34) | cmos_read(&r, 0x35), 0);
    rs = ((uint32_t)cmos_read(&r, 0x30) << 10 | (uint32_t)cmos_read(&r, 0x31) << 18) + (1u << 20);
    CHECK_EQ(rs, 8u << 20);
    CHECK_EQ(rtc_get_byte(&r.rtc, 0x14), 0x2F);

    /* rtc_get_byte leaves register C alone. */
    r.clk.now = 2 * SEC;
    CHECK_EQ(rtc_get_byte(&r.rtc, RTC_REG_C), 0x10);
    CHECK_EQ(rtc_get_byte(&r.rtc, RTC_REG_C), 0x10);

    /* A long run unobserved: 1000 days later to the second. */
    cmos_write(&r, RTC_REG_B, 0x82);
    static const uint8_t jan1[10] = { 0x00, 0, 0x00, 0, 0x00, 0, 2, 0x01, 0x01, 0x24 };
    for (int i = 0; i < 10; i++)
        if (i != 1 && i != 3 && i != 5)
            cmos_write(&r, (uint8_t)i, jan1[i]);
    cmos_write(&r, RTC_SECONDS_ALARM, 0x30);
    cmos_write(&r, RTC_MINUTES_ALARM, 0x20);
    cmos_write(&r, RTC_HOURS_ALARM, 0x10);
    cmos_write(&r, RTC_REG_B, 0x02);
    cmos_read(&r, RTC_REG_C);
    r.clk.now = 2 * SEC + 1000ull * 86400 * SEC - 1;
    CHECK(time_is(&r, 0x59, 0x59, 0x23, 7, 0x26, 0x09, 0x26));
    r.clk.now += 1;
    CHECK(time_is(&r, 0x00, 0x00, 0x00, 1, 0x27, 0x09, 0x26));
    CHECK_EQ(cmos_read(&r, RTC_REG_C), 0x30);
}

static void test_state_and_two_instances(void)
{
    struct rig a, b;
    rig_init(&a, 1709164798);
    rig_init(&b, 946684790);                /* 1999-12-31 23:59:50 */
    cmos_write(&a, 0x40, 0x5A);
    cmos_write(&a, RTC_REG_B, 0x12);
    run_to(&a, 3 * SEC + 12345);
    run_to(&b, 3 * SEC + 12345);
    /* Independent clocks. */
    CHECK(time_is(&a, 0x01, 0x00, 0x00, 5, 0x29, 0x02, 0x24));
    CHECK(time_is(&b, 0x53, 0x59, 0x23, 6, 0x31, 0x12, 0x99));
    CHECK_EQ(cmos_read(&b, 0x40), 0x00);
    CHECK_EQ(a.irq, 1);
    CHECK_EQ(b.irq, 0);

    struct state_writer w;
    state_writer_init(&w);
    rtc_ops.save(&a.rtc, &w);
    CHECK(!w.error);
    struct state_reader rd;
    state_reader_init(&rd, w.buf, w.len);
    CHECK_EQ(rtc_ops.load(&b.rtc, &rd, RTC_STATE_VERSION), 0);
    CHECK_EQ(b.irq, 1);
    CHECK(time_is(&b, 0x01, 0x00, 0x00, 5, 0x29, 0x02, 0x24));
    CHECK_EQ(cmos_read(&b, 0x40), 0x5A);
    CHECK_EQ(cmos_read(&a, RTC_REG_C), cmos_read(&b, RTC_REG_C));
    b.n_rise = a.n_rise = 0;
    run_to(&a, 6 * SEC);
    run_to(&b, 6 * SEC);
    CHECK(a.n_rise == 1 && b.n_rise == 1 && a.rise[0] == 4 * SEC && b.rise[0] == 4 * SEC);
    a.clk.now = b.clk.now = 7 * SEC - 400;
    CHECK_EQ(cmos_read(&a, RTC_REG_A), cmos_read(&b, RTC_REG_A));
    CHECK_EQ(cmos_read(&b, RTC_REG_A), 0xA6);

    /* Corrupt and truncated blobs are refused and change nothing. */
    uint8_t bad[512];
    CHECK(w.len <= sizeof(bad));
    memcpy(bad, w.buf, w.len);
    bad[RTC_REG_D] = 0x00;
    state_reader_init(&rd, bad, w.len);
    CHECK_EQ(rtc_ops.load(&b.rtc, &rd, RTC_STATE_VERSION), -1);
    memcpy(bad, w.buf, w.len);
    bad[RTC_REG_C] = 0x01;
    state_reader_init(&rd, bad, w.len);
    CHECK_EQ(rtc_ops.load(&b.rtc, &rd, RTC_STATE_VERSION), -1);
    memcpy(bad, w.buf, w.len);
    bad[128] = 0x80;                        /* index beyond the RAM */
    state_reader_init(&rd, bad, w.len);
    CHECK_EQ(rtc_ops.load(&b.rtc, &rd, RTC_STATE_VERSION), -1);
    state_reader_init(&rd, w.buf, w.len - 8);
    CHECK_EQ(rtc_ops.load(&b.rtc, &rd, RTC_STATE_VERSION), -1);
    state_reader_init(&rd, w.buf, w.len);
    CHECK_EQ(rtc_ops.load(&b.rtc, &rd, 2), -1);
    CHECK_EQ(cmos_read(&b, 0x40), 0x5A);
    state_writer_free(&w);

    /* Reset (the RESET pin) clears the enables and flags, keeps the time. */
    device_reset_all(&a.reg);
    CHECK_EQ(cmos_read(&a, RTC_REG_B), 0x02);
    CHECK_EQ(a.irq, 0);
    CHECK_EQ(cmos_read(&a, 0x40), 0x5A);
    CHECK_EQ(cmos_read(&a, RTC_DATE), 0x29);
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        rtc_ops.dump(&a.rtc, null);
        fclose(null);
    }
}

int main(void)
{
    test_start_time_and_uip();
    test_rollovers();
    test_interrupts();
    test_alarm_repeats();
    test_ram_and_board_helpers();
    test_state_and_two_instances();
    return test_report();
}
