/*
 * Motorola MC146818A real-time clock and CMOS RAM at ports 0x70/0x71.
 *
 *   0x70  write: bit 7 = NMI disable (the board reads it with
 *         rtc_nmi_disabled), bits 6-0 = register index.  Write-only: reads
 *         float.
 *   0x71  the indexed register.
 *
 * 128 bytes: 0x00-0x09 time, calendar and alarm, 0x0A-0x0D registers A-D,
 * 0x0E-0x7F battery-backed RAM.  The clock keeps time from the start value
 * the board passes (seconds since 1970-01-01 00:00:00, in whatever zone the
 * board chose) and is advanced by the cycle clock only: the device never
 * reads the host's clock.  Its time base is the 32.768 kHz divider chain,
 * derived from the cycle clock exactly (divider tick u falls on cycle
 * ceil(u * hz / 32768) after the chain started).  The time registers are
 * the chip's own counters, incremented once a second in the mode (BCD or
 * binary, 12 or 24 hour) register B selects, so out-of-range values behave
 * as counters would rather than being normalised.
 *
 * Interrupts go out on `irq` (the board connects it to IRQ 8): periodic
 * (rate from register A), alarm and update-ended, each flagged in register
 * C whether enabled or not; reading C clears the flags and drops the line.
 * Timers are armed only for the next event that would raise the line.
 */
#ifndef TRAPEZE_PERIPHERALS_RTC146818_H
#define TRAPEZE_PERIPHERALS_RTC146818_H

#include <stdint.h>
#include <stdio.h>

#include "bus/clock.h"
#include "bus/device.h"
#include "bus/irq.h"
#include "bus/portio.h"

#define RTC_STATE_VERSION 1u

/* Register indexes. */
#define RTC_SECONDS 0x00
#define RTC_SECONDS_ALARM 0x01
#define RTC_MINUTES 0x02
#define RTC_MINUTES_ALARM 0x03
#define RTC_HOURS 0x04
#define RTC_HOURS_ALARM 0x05
#define RTC_DAY_OF_WEEK 0x06
#define RTC_DATE 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_REG_A 0x0A
#define RTC_REG_B 0x0B
#define RTC_REG_C 0x0C
#define RTC_REG_D 0x0D
/* PC conventions for the RAM (IBM AT, and the bytes SeaBIOS reads). */
#define CMOS_FLOPPY_TYPES 0x10
#define CMOS_EQUIPMENT 0x14
#define CMOS_BASE_MEM_LOW 0x15      /* KiB below 1 MiB (640) */
#define CMOS_BASE_MEM_HIGH 0x16
#define CMOS_EXT_MEM_LOW_OLD 0x17   /* KiB above 1 MiB, copy at 0x30 */
#define CMOS_EXT_MEM_HIGH_OLD 0x18
#define CMOS_CHECKSUM_HIGH 0x2E     /* sum of 0x10-0x2D, big-endian */
#define CMOS_CHECKSUM_LOW 0x2F
#define CMOS_EXT_MEM_LOW 0x30       /* KiB above 1 MiB, at most 0xFFFF */
#define CMOS_EXT_MEM_HIGH 0x31
#define CMOS_CENTURY 0x32           /* BCD */
#define CMOS_EXT_MEM2_LOW 0x34      /* 64 KiB units above 16 MiB (below 4 GiB) */
#define CMOS_EXT_MEM2_HIGH 0x35
#define CMOS_HIGH_MEM_LOW 0x5B      /* 64 KiB units above 4 GiB, 24 bits */
#define CMOS_HIGH_MEM_MID 0x5C
#define CMOS_HIGH_MEM_HIGH 0x5D
#define CMOS_SMP_COUNT 0x5F         /* CPUs - 1 */

struct rtc146818 {
    struct clock *clock;
    uint8_t ram[128];           /* A without UIP; C without IRQF */
    uint8_t index;              /* last index written to port 0x70 */
    uint8_t nmi_disabled;       /* bit 7 of that write */
    uint8_t dse_fall_done;      /* October's repeated hour already taken today */
    cycles_t div_origin;        /* cycle the divider chain last started */
    uint64_t synced_div;        /* divider ticks accounted for since then */
    uint64_t first_update;      /* divider tick of the first update */
    uint64_t alarm_div;         /* cached: divider tick of the next alarm match */
    uint8_t alarm_known;        /* alarm_div is valid */
    struct irq_line irq;        /* IRQ 8 */
    struct timer timer;
    uint32_t warned;
};

/* Registers ports 0x70-0x71 and the device "rtc".  `start_time` is the
 * clock's time at the current cycle.  Returns 0 or -1. */
int rtc_init(struct rtc146818 *rtc, struct clock *clock, struct portio *io, struct device_registry *reg,
             int64_t start_time);

/* Board-side access to any byte, without the side effects of a guest read
 * (register C is not cleared).  Writes to 0x00-0x0D act as a guest write. */
void rtc_set_byte(struct rtc146818 *rtc, unsigned index, uint8_t value);
uint8_t rtc_get_byte(struct rtc146818 *rtc, unsigned index);
/* The IBM AT checksum of 0x10-0x2D into 0x2E (high byte) and 0x2F. */
void rtc_update_checksum(struct rtc146818 *rtc);
/* Fill the memory-size bytes as PC firmware reads them: 0x15-0x16 base
 * memory, 0x17-0x18 and 0x30-0x31 KiB above 1 MiB, 0x34-0x35 64 KiB units
 * above 16 MiB (SeaBIOS takes RAM size from these), 0x5B-0x5D 64 KiB units
 * above 4 GiB; then the checksum. */
void rtc_fill_pc_memory(struct rtc146818 *rtc, uint64_t ram_below_4g, uint64_t ram_above_4g);
/* Bit 7 of the last index write: the board gates NMI with it. */
int rtc_nmi_disabled(const struct rtc146818 *rtc);

uint8_t rtc_read(struct rtc146818 *rtc, uint16_t port);
void rtc_write(struct rtc146818 *rtc, uint16_t port, uint8_t value);

extern const struct device_ops rtc_ops;

#endif
