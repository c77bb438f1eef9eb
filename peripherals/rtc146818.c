/*
 * Motorola MC146818A real-time clock plus RAM.  Quotations are from the
 * MC146818A datasheet (Motorola, "Real-Time Clock Plus RAM").
 *
 * Time is counted in ticks of the 32.768 kHz divider chain since it last
 * started.  Updates (the once-a-second advance of the time registers) fall
 * on fixed divider ticks and periodic interrupts on every 2^(RS-1)-th tick;
 * rtc_sync() accounts for every tick up to the current cycle before any
 * register access, so the chip is never stepped when nobody looks.
 */
#include "peripherals/rtc146818.h"

#include <string.h>

#define DIV_HZ 32768u               /* the time base */
#define UIP_TICKS 8u                /* tBUC = 244 us = 8 ticks of 32.768 kHz */
#define NEVER UINT64_MAX

/* Register A */
#define A_UIP 0x80u
#define A_DV_MASK 0x70u
#define A_DV_32K 0x20u              /* 32.768 kHz time base, divider running */
#define A_DV_RESET 0x60u            /* 11x: divider chain held in reset */
/* Register B */
#define B_SET 0x80u
#define B_PIE 0x40u
#define B_AIE 0x20u
#define B_UIE 0x10u
#define B_SQWE 0x08u
#define B_DM 0x04u                  /* binary, else BCD */
#define B_24H 0x02u
#define B_DSE 0x01u
/* Register C */
#define C_IRQF 0x80u
#define C_PF 0x40u
#define C_AF 0x20u
#define C_UF 0x10u
/* Register D */
#define D_VRT 0x80u

enum rtc_warning {
    WARN_TIMEBASE = 1u << 0,
};

static void warn_once(struct rtc146818 *rtc, uint32_t which, const char *what)
{
    if (rtc->warned & which)
        return;
    rtc->warned |= which;
    fprintf(stderr, "trapeze: rtc146818: %s\n", what);
}

/* ---- divider chain --------------------------------------------------- */

static int divider_running(const struct rtc146818 *rtc) { return (rtc->ram[RTC_REG_A] & A_DV_MASK) == A_DV_32K; }

/* Divider ticks elapsed at `cycle`: floor((cycle - origin) * 32768 / hz). */
static uint64_t div_at(const struct rtc146818 *rtc, cycles_t cycle)
{
    uint64_t hz = rtc->clock->hz;
    if (cycle <= rtc->div_origin)
        return 0;
    uint64_t d = cycle - rtc->div_origin;
    return (d / hz) * DIV_HZ + (d % hz) * DIV_HZ / hz;
}

/* The first cycle at which divider tick u has happened. */
static cycles_t cycle_of_div(const struct rtc146818 *rtc, uint64_t u)
{
    uint64_t hz = rtc->clock->hz;
    return rtc->div_origin + (u / DIV_HZ) * hz + ((u % DIV_HZ) * hz + DIV_HZ - 1) / DIV_HZ;
}

static uint64_t updates_upto(const struct rtc146818 *rtc, uint64_t u)
{
    return u >= rtc->first_update ? (u - rtc->first_update) / DIV_HZ + 1 : 0;
}

/* The divider tick of the first update after tick u. */
static uint64_t next_update_after(const struct rtc146818 *rtc, uint64_t u)
{
    if (u < rtc->first_update)
        return rtc->first_update;
    return rtc->first_update + ((u - rtc->first_update) / DIV_HZ + 1) * DIV_HZ;
}

/* Divider ticks per periodic interrupt, 0 for none.  With a 32.768 kHz time
 * base RS = 1 and 2 give 256 and 128 Hz, as RS = 8 and 9 do (Table 5). */
static uint32_t periodic_ticks(const struct rtc146818 *rtc)
{
    unsigned rs = rtc->ram[RTC_REG_A] & 0x0Fu;
    if (rs == 0)
        return 0;
    if (rs <= 2)
        rs += 7;
    return 1u << (rs - 1);
}

/* ---- the time and calendar counters ---------------------------------- */

static unsigned from_reg(uint8_t v, int bin) { return bin ? v : (v >> 4) * 10u + (v & 15u); }
static uint8_t to_reg(unsigned v, int bin) { return (uint8_t)(bin ? v : ((v / 10u) << 4) | (v % 10u)); }

/* Count one register from lo to hi and around; returns the carry. */
static int bump(uint8_t *reg, unsigned lo, unsigned hi, int bin)
{
    unsigned v = from_reg(*reg, bin);
    if (v >= hi) {
        *reg = to_reg(lo, bin);
        return 1;
    }
    *reg = to_reg(v + 1, bin);
    return 0;
}

static unsigned days_in_month(const uint8_t *t, int bin)
{
    static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    unsigned m = from_reg(t[RTC_MONTH], bin);
    if (m < 1 || m > 12)
        return 31;
    /* "leap year ... every four years", 2000 included: the chip knows no
     * century. */
    if (m == 2 && from_reg(t[RTC_YEAR], bin) % 4 == 0)
        return 29;
    return days[m - 1];
}

/* Hours: 0-23, or 1-12 with bit 7 = PM.  Returns the day carry. */
static int bump_hour(uint8_t *h, uint8_t b)
{
    int bin = (b & B_DM) != 0;
    if (b & B_24H)
        return bump(h, 0, 23, bin);
    unsigned v = from_reg(*h & 0x7Fu, bin);
    uint8_t pm = *h & 0x80u;
    if (v >= 12)
        v = 1;
    else if (v == 11) {
        v = 12;
        *h = (uint8_t)(to_reg(v, bin) | (pm ^ 0x80u));
        return pm != 0;     /* 11:59:59 PM -> 12:00:00 AM, a new day */
    } else {
        v++;
    }
    *h = (uint8_t)(to_reg(v, bin) | pm);
    return 0;
}

static void next_day(uint8_t *t, int bin, uint8_t *dse_done)
{
    *dse_done = 0;
    bump(&t[RTC_DAY_OF_WEEK], 1, 7, bin);
    if (bump(&t[RTC_DATE], 1, days_in_month(t, bin), bin) && bump(&t[RTC_MONTH], 1, 12, bin))
        bump(&t[RTC_YEAR], 0, 99, bin);
}

/* Daylight saving, when DSE is set: "on the last Sunday in April the time
 * increments from 1:59:59 AM to 3:00:00 AM.  On the last Sunday in October
 * when the time first reaches 1:59:59 AM it changes to 1:00:00 AM."
 * Returns 1 when it took this second's update. */
static int daylight_saving(uint8_t *t, uint8_t b, uint8_t *dse_done)
{
    int bin = (b & B_DM) != 0;
    unsigned hour = from_reg(t[RTC_HOURS] & ((b & B_24H) ? 0xFFu : 0x7Fu), bin);
    int pm = !(b & B_24H) && (t[RTC_HOURS] & 0x80u);
    if (hour != 1 || pm || from_reg(t[RTC_MINUTES], bin) != 59 || from_reg(t[RTC_SECONDS], bin) != 59 ||
        from_reg(t[RTC_DAY_OF_WEEK], bin) != 1)
        return 0;
    unsigned month = from_reg(t[RTC_MONTH], bin), date = from_reg(t[RTC_DATE], bin);
    uint8_t hour_bits = (b & B_24H) ? 0 : t[RTC_HOURS] & 0x80u;
    if (month == 4 && date >= 24) {
        t[RTC_HOURS] = (uint8_t)(to_reg(3, bin) | hour_bits);
    } else if (month == 10 && date >= 25 && !*dse_done) {
        *dse_done = 1;
        t[RTC_HOURS] = (uint8_t)(to_reg(1, bin) | hour_bits);
    } else {
        return 0;
    }
    t[RTC_MINUTES] = to_reg(0, bin);
    t[RTC_SECONDS] = to_reg(0, bin);
    return 1;
}

/* One update cycle's advance of registers t[0..9]. */
static void step_second(uint8_t *t, uint8_t b, uint8_t *dse_done)
{
    int bin = (b & B_DM) != 0;
    if ((b & B_DSE) && daylight_saving(t, b, dse_done))
        return;
    if (bump(&t[RTC_SECONDS], 0, 59, bin) && bump(&t[RTC_MINUTES], 0, 59, bin) && bump_hour(&t[RTC_HOURS], b))
        next_day(t, bin, dse_done);
}

/* "An alarm ... occurs when the alarm bytes match the time bytes; a
 * don't-care code (11XXXXXX) in an alarm byte matches any value." */
static int alarm_matches(const uint8_t *t)
{
    for (int i = RTC_SECONDS; i <= RTC_HOURS; i += 2) {
        uint8_t a = t[i + 1];
        if ((a & 0xC0u) != 0xC0u && a != t[i])
            return 0;
    }
    return 1;
}

static int valid_field(uint8_t v, unsigned lo, unsigned hi, int bin)
{
    if (!bin && ((v & 15u) > 9 || (v >> 4) > 9))
        return 0;
    unsigned n = from_reg(v, bin);
    return n >= lo && n <= hi;
}

/* Whether some second of a day matches the alarm (each byte don't-care or
 * a value the counters take). */
static int alarm_possible(const uint8_t *t, uint8_t b)
{
    int bin = (b & B_DM) != 0;
    uint8_t s = t[RTC_SECONDS_ALARM], m = t[RTC_MINUTES_ALARM], h = t[RTC_HOURS_ALARM];
    if ((s & 0xC0u) != 0xC0u && !valid_field(s, 0, 59, bin))
        return 0;
    if ((m & 0xC0u) != 0xC0u && !valid_field(m, 0, 59, bin))
        return 0;
    if ((h & 0xC0u) == 0xC0u)
        return 1;
    return (b & B_24H) ? valid_field(h, 0, 23, bin) : valid_field(h & 0x7Fu, 1, 12, bin);
}

static int at_midnight(const uint8_t *t, uint8_t b)
{
    int bin = (b & B_DM) != 0;
    uint8_t midnight = (b & B_24H) ? to_reg(0, bin) : to_reg(12, bin);
    return t[RTC_SECONDS] == to_reg(0, bin) && t[RTC_MINUTES] == to_reg(0, bin) && t[RTC_HOURS] == midnight;
}

/* Apply n update cycles: each sets UF, and AF when the alarm matches.
 * Whole days from midnight are taken at once when DSE cannot interfere. */
static void run_updates(struct rtc146818 *rtc, uint64_t n)
{
    uint8_t *t = rtc->ram, b = rtc->ram[RTC_REG_B];
    while (n) {
        if (n >= 86400 && !(b & B_DSE) && at_midnight(t, b)) {
            next_day(t, (b & B_DM) != 0, &rtc->dse_fall_done);
            n -= 86400;
            rtc->ram[RTC_REG_C] |= C_UF;
            if (alarm_possible(t, b))
                rtc->ram[RTC_REG_C] |= C_AF;
            continue;
        }
        step_second(t, b, &rtc->dse_fall_done);
        n--;
        rtc->ram[RTC_REG_C] |= C_UF;
        if (alarm_matches(t))
            rtc->ram[RTC_REG_C] |= C_AF;
    }
}

/* ---- interrupts ------------------------------------------------------ */

/* "IRQF = PF.PIE + AF.AIE + UF.UIE": the flag and enable bits line up. */
static int irqf(const struct rtc146818 *rtc) { return (rtc->ram[RTC_REG_C] & rtc->ram[RTC_REG_B] & 0x70u) != 0; }

static void update_irq(struct rtc146818 *rtc) { irq_set(&rtc->irq, irqf(rtc)); }

/* Bring flags and time registers up to the current cycle. */
static void rtc_sync(struct rtc146818 *rtc)
{
    if (!divider_running(rtc))
        return;
    uint64_t u = div_at(rtc, rtc->clock->now);
    if (u <= rtc->synced_div)
        return;
    uint32_t p = periodic_ticks(rtc);
    if (p && u / p > rtc->synced_div / p)
        rtc->ram[RTC_REG_C] |= C_PF;
    uint64_t n = updates_upto(rtc, u) - updates_upto(rtc, rtc->synced_div);
    /* "When the SET bit is a one, ... any update cycle in progress is
     * aborted" and no update occurs: those seconds are not counted. */
    if (n && !(rtc->ram[RTC_REG_B] & B_SET))
        run_updates(rtc, n);
    rtc->synced_div = u;
    update_irq(rtc);
}

/* The divider tick of the next update that matches the alarm, searched
 * over a day and the repeated DSE hour; cached until a register changes or
 * that update has passed. */
static uint64_t next_alarm(struct rtc146818 *rtc)
{
    if (rtc->alarm_known && rtc->alarm_div > rtc->synced_div)
        return rtc->alarm_div;
    uint8_t t[10], b = rtc->ram[RTC_REG_B], dse = rtc->dse_fall_done;
    uint64_t found = NEVER;
    memcpy(t, rtc->ram, sizeof(t));
    if (alarm_possible(t, b)) {
        uint64_t first = next_update_after(rtc, rtc->synced_div);
        for (uint64_t i = 0; i < 86400u + 3600u; i++) {
            step_second(t, b, &dse);
            if (alarm_matches(t)) {
                found = first + i * DIV_HZ;
                break;
            }
        }
    }
    rtc->alarm_div = found;
    rtc->alarm_known = 1;
    return found;
}

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* Arm the timer for the next event that would raise IRQ 8.  Once the line
 * is up nothing changes it but a read of register C. */
static void rearm(struct rtc146818 *rtc)
{
    uint8_t b = rtc->ram[RTC_REG_B], c = rtc->ram[RTC_REG_C];
    uint64_t next = NEVER;
    if (divider_running(rtc) && !rtc->irq.level) {
        uint32_t p = periodic_ticks(rtc);
        if ((b & B_PIE) && !(c & C_PF) && p)
            next = (rtc->synced_div / p + 1) * p;
        if (!(b & B_SET) && (b & B_UIE) && !(c & C_UF))
            next = min_u64(next, next_update_after(rtc, rtc->synced_div));
        if (!(b & B_SET) && (b & B_AIE) && !(c & C_AF))
            next = min_u64(next, next_alarm(rtc));
    }
    if (next == NEVER)
        timer_cancel(rtc->clock, &rtc->timer);
    else
        timer_arm(rtc->clock, &rtc->timer, cycle_of_div(rtc, next));
}

static void rtc_timer(void *opaque, cycles_t now)
{
    struct rtc146818 *rtc = opaque;
    (void)now;
    rtc_sync(rtc);
    rearm(rtc);
}

/* ---- registers ------------------------------------------------------- */

static int update_in_progress(const struct rtc146818 *rtc)
{
    if (!divider_running(rtc) || (rtc->ram[RTC_REG_B] & B_SET))
        return 0;
    uint64_t u = div_at(rtc, rtc->clock->now);
    return next_update_after(rtc, u) - u <= UIP_TICKS;
}

static uint8_t read_register(struct rtc146818 *rtc, unsigned index, int guest)
{
    rtc_sync(rtc);
    switch (index) {
    case RTC_REG_A:
        return (uint8_t)(rtc->ram[RTC_REG_A] | (update_in_progress(rtc) ? A_UIP : 0));
    case RTC_REG_C: {
        uint8_t v = (uint8_t)(rtc->ram[RTC_REG_C] | (irqf(rtc) ? C_IRQF : 0));
        if (guest) {
            /* "The flag bits ... are cleared after Register C is read" and
             * IRQ goes inactive. */
            rtc->ram[RTC_REG_C] = 0;
            update_irq(rtc);
            rearm(rtc);
        }
        return v;
    }
    case RTC_REG_D:
        return D_VRT;   /* valid RAM and time: the battery is good */
    default:
        return rtc->ram[index];
    }
}

static void write_reg_a(struct rtc146818 *rtc, uint8_t v)
{
    uint8_t old_dv = rtc->ram[RTC_REG_A] & A_DV_MASK, dv = v & A_DV_MASK;
    rtc->ram[RTC_REG_A] = v & 0x7Fu;
    if (dv == old_dv)
        return;
    if (dv == A_DV_32K) {
        /* "When the divider reset is removed, the first update cycle begins
         * one-half second later." */
        rtc->div_origin = rtc->clock->now;
        rtc->synced_div = 0;
        rtc->first_update = DIV_HZ / 2;
    } else if ((dv & A_DV_RESET) != A_DV_RESET) {
        warn_once(rtc, WARN_TIMEBASE, "register A selects a time base other than 32.768 kHz: the clock stops");
    }
}

static void write_register(struct rtc146818 *rtc, unsigned index, uint8_t v)
{
    rtc_sync(rtc);
    switch (index) {
    case RTC_REG_A:
        write_reg_a(rtc, v);
        break;
    case RTC_REG_B:
        /* "The UIE bit is cleared when the SET bit goes high." */
        if ((v & B_SET) && !(rtc->ram[RTC_REG_B] & B_SET))
            v &= (uint8_t)~B_UIE;
        rtc->ram[RTC_REG_B] = v;
        break;
    case RTC_REG_C:
    case RTC_REG_D:
        return;     /* read-only */
    default:
        rtc->ram[index] = v;
        if (index >= 0x0E)
            return;     /* plain RAM: no effect on timing */
        break;
    }
    rtc->alarm_known = 0;
    update_irq(rtc);
    rearm(rtc);
}

uint8_t rtc_read(struct rtc146818 *rtc, uint16_t port)
{
    if (!(port & 1))
        return 0xFF;    /* the index register is write-only */
    return read_register(rtc, rtc->index, 1);
}

void rtc_write(struct rtc146818 *rtc, uint16_t port, uint8_t value)
{
    if (!(port & 1)) {
        rtc->index = value & 0x7Fu;
        rtc->nmi_disabled = value >> 7;
        return;
    }
    write_register(rtc, rtc->index, value);
}

static uint32_t rtc_io_read(void *opaque, uint16_t port, int size)
{
    (void)size;
    return rtc_read(opaque, port);
}

static void rtc_io_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    (void)size;
    rtc_write(opaque, port, (uint8_t)value);
}

/* ---- board helpers --------------------------------------------------- */

void rtc_set_byte(struct rtc146818 *rtc, unsigned index, uint8_t value)
{
    if (index < 128)
        write_register(rtc, index, value);
}

uint8_t rtc_get_byte(struct rtc146818 *rtc, unsigned index)
{
    return index < 128 ? read_register(rtc, index, 0) : 0xFF;
}

void rtc_update_checksum(struct rtc146818 *rtc)
{
    unsigned sum = 0;
    for (unsigned i = 0x10; i <= 0x2D; i++)
        sum += rtc->ram[i];
    rtc->ram[CMOS_CHECKSUM_HIGH] = (uint8_t)(sum >> 8);
    rtc->ram[CMOS_CHECKSUM_LOW] = (uint8_t)sum;
}

static void put16(struct rtc146818 *rtc, unsigned low, uint64_t v)
{
    if (v > 0xFFFF)
        v = 0xFFFF;
    rtc->ram[low] = (uint8_t)v;
    rtc->ram[low + 1] = (uint8_t)(v >> 8);
}

void rtc_fill_pc_memory(struct rtc146818 *rtc, uint64_t ram_below_4g, uint64_t ram_above_4g)
{
    const uint64_t mib = 1024u * 1024u;
    put16(rtc, CMOS_BASE_MEM_LOW, (ram_below_4g < 640u * 1024u ? ram_below_4g : 640u * 1024u) / 1024u);
    uint64_t ext = ram_below_4g > mib ? (ram_below_4g - mib) / 1024u : 0;
    put16(rtc, CMOS_EXT_MEM_LOW_OLD, ext);
    put16(rtc, CMOS_EXT_MEM_LOW, ext);
    put16(rtc, CMOS_EXT_MEM2_LOW, ram_below_4g > 16 * mib ? (ram_below_4g - 16 * mib) >> 16 : 0);
    uint64_t high = ram_above_4g >> 16;
    if (high > 0xFFFFFF)
        high = 0xFFFFFF;
    rtc->ram[CMOS_HIGH_MEM_LOW] = (uint8_t)high;
    rtc->ram[CMOS_HIGH_MEM_MID] = (uint8_t)(high >> 8);
    rtc->ram[CMOS_HIGH_MEM_HIGH] = (uint8_t)(high >> 16);
    rtc_update_checksum(rtc);
}

int rtc_nmi_disabled(const struct rtc146818 *rtc) { return rtc->nmi_disabled; }

/* ---- start time ------------------------------------------------------ */

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* Set the time registers (BCD, 24-hour) and the century byte from seconds
 * since 1970-01-01, clamped to the years 1900-9999. */
static void set_time_from(struct rtc146818 *rtc, int64_t secs)
{
    static const uint8_t mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    const int64_t lo = -2208988800LL, hi = 253402300799LL;
    if (secs < lo)
        secs = lo;
    if (secs > hi)
        secs = hi;
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t sod = secs - days * 86400;
    int64_t year = 1970;
    int64_t d = days;
    while (d < 0) {
        year--;
        d += is_leap(year) ? 366 : 365;
    }
    while (d >= (is_leap(year) ? 366 : 365)) {
        d -= is_leap(year) ? 366 : 365;
        year++;
    }
    unsigned month = 0;
    for (;;) {
        int64_t len = mdays[month] + (month == 1 && is_leap(year));
        if (d < len)
            break;
        d -= len;
        month++;
    }
    uint8_t *t = rtc->ram;
    t[RTC_SECONDS] = to_reg((unsigned)(sod % 60), 0);
    t[RTC_MINUTES] = to_reg((unsigned)(sod / 60 % 60), 0);
    t[RTC_HOURS] = to_reg((unsigned)(sod / 3600), 0);
    t[RTC_DAY_OF_WEEK] = to_reg((unsigned)(((days % 7) + 11) % 7) + 1, 0);   /* 1970-01-01: Thursday = 5 */
    t[RTC_DATE] = to_reg((unsigned)d + 1, 0);
    t[RTC_MONTH] = to_reg(month + 1, 0);
    t[RTC_YEAR] = to_reg((unsigned)(year % 100), 0);
    t[CMOS_CENTURY] = to_reg((unsigned)(year / 100), 0);
}

/* ---- device hooks ---------------------------------------------------- */

/* The RESET pin: "PIE, AIE, UIE, SQWE, IRQF, PF, AF, UF are cleared"; the
 * time, the RAM and registers A, SET, DM, 24/12 and DSE are kept (they are
 * battery-backed; a PC reset does not stop the clock). */
static void rtc_reset(void *opaque)
{
    struct rtc146818 *rtc = opaque;
    rtc_sync(rtc);
    rtc->ram[RTC_REG_B] &= (uint8_t)~(B_PIE | B_AIE | B_UIE | B_SQWE);
    rtc->ram[RTC_REG_C] = 0;
    rtc->alarm_known = 0;
    update_irq(rtc);
    rearm(rtc);
}

static void rtc_save(void *opaque, struct state_writer *w)
{
    struct rtc146818 *rtc = opaque;
    rtc_sync(rtc);
    state_put_bytes(w, rtc->ram, sizeof(rtc->ram));
    state_put_u8(w, rtc->index);
    state_put_u8(w, rtc->nmi_disabled);
    state_put_u8(w, rtc->dse_fall_done);
    state_put_u64(w, rtc->div_origin);
    state_put_u64(w, rtc->synced_div);
    state_put_u64(w, rtc->first_update);
}

/* Loads after the clock (the machine restores `now` first). */
static int rtc_load(void *opaque, struct state_reader *r, uint32_t version)
{
    struct rtc146818 *rtc = opaque;
    uint8_t ram[128];
    if (version != RTC_STATE_VERSION)
        return -1;
    state_get_bytes(r, ram, sizeof(ram));
    uint8_t index = state_get_u8(r), nmi = state_get_u8(r), dse = state_get_u8(r);
    uint64_t origin = state_get_u64(r), synced = state_get_u64(r), first = state_get_u64(r);
    if (r->error || r->pos != r->len || index > 0x7F || nmi > 1 || dse > 1 || (ram[RTC_REG_A] & A_UIP) ||
        (ram[RTC_REG_C] & 0x8Fu) || ram[RTC_REG_D] != D_VRT || (first != DIV_HZ && first != DIV_HZ / 2))
        return -1;
    memcpy(rtc->ram, ram, sizeof(ram));
    rtc->index = index;
    rtc->nmi_disabled = nmi;
    rtc->dse_fall_done = dse;
    rtc->div_origin = origin;
    rtc->synced_div = synced;
    rtc->first_update = first;
    rtc->alarm_known = 0;
    update_irq(rtc);
    rearm(rtc);
    return 0;
}

static void rtc_dump(void *opaque, FILE *out)
{
    struct rtc146818 *rtc = opaque;
    rtc_sync(rtc);
    const uint8_t *t = rtc->ram;
    fprintf(out, "RTC %02x%02x-%02x-%02x %02x:%02x:%02x (day %x), %s, %s\n", t[CMOS_CENTURY], t[RTC_YEAR],
            t[RTC_MONTH], t[RTC_DATE], t[RTC_HOURS], t[RTC_MINUTES], t[RTC_SECONDS], t[RTC_DAY_OF_WEEK],
            (t[RTC_REG_B] & B_DM) ? "binary" : "BCD", (t[RTC_REG_B] & B_24H) ? "24-hour" : "12-hour");
    fprintf(out, "    A %02x B %02x C %02x, alarm %02x:%02x:%02x, IRQ 8 %s, index %02x%s\n",
            read_register(rtc, RTC_REG_A, 0), t[RTC_REG_B], t[RTC_REG_C], t[RTC_HOURS_ALARM],
            t[RTC_MINUTES_ALARM], t[RTC_SECONDS_ALARM], rtc->irq.level ? "high" : "low", rtc->index,
            rtc->nmi_disabled ? ", NMI disabled" : "");
}

const struct device_ops rtc_ops = {
    .name = "rtc",
    .version = RTC_STATE_VERSION,
    .reset = rtc_reset,
    .save = rtc_save,
    .load = rtc_load,
    .dump = rtc_dump,
};

int rtc_init(struct rtc146818 *rtc, struct clock *clock, struct portio *io, struct device_registry *reg,
             int64_t start_time)
{
    memset(rtc, 0, sizeof(*rtc));
    rtc->clock = clock;
    timer_init(&rtc->timer, "rtc", rtc_timer, rtc);
    /* As a PC's CMOS holds them after setup: 32.768 kHz, 1024 Hz periodic
     * rate, BCD, 24-hour; the time starts at the start of a second. */
    rtc->ram[RTC_REG_A] = A_DV_32K | 0x06u;
    rtc->ram[RTC_REG_B] = B_24H;
    rtc->ram[RTC_REG_D] = D_VRT;
    set_time_from(rtc, start_time);
    rtc->div_origin = clock->now;
    rtc->first_update = DIV_HZ;
    if (portio_register(io, 0x70, 2, PORTIO_SIZE_8, rtc_io_read, rtc_io_write, rtc, "rtc") != 0)
        return -1;
    return device_register(reg, &rtc_ops, rtc);
}
