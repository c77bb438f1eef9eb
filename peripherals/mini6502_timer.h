/*
 * The mini6502 interval timer: raises IRQ once per period.
 *
 *   reg 0  PERIOD   read/write: the period in units of 256 cycles (1-255;
 *                   0 stops the timer).  Writing restarts the count.
 *   reg 1  CONTROL  write: bit 0 = enable (count, and raise IRQ at the end
 *                          of every period); bit 7 = acknowledge (lower
 *                          IRQ).  Both take effect in the same write.
 *                   read:  bit 0 = enabled, bit 7 = IRQ pending.  Reading
 *                          has no side effect.
 *
 * The timer never looks at the host clock: it arms a deadline on the
 * machine's cycle timeline (bus/clock.h) and drives its IRQ line
 * (bus/irq.h) when the deadline fires.  Periods follow one another without
 * drift: the next deadline is counted from the previous one, not from when
 * the guest acknowledged.
 */
#ifndef TRAPEZE_PERIPHERALS_MINI6502_TIMER_H
#define TRAPEZE_PERIPHERALS_MINI6502_TIMER_H

#include <stdint.h>

#include "bus/clock.h"
#include "bus/device.h"
#include "bus/irq.h"

#define MINI6502_TIMER_PERIOD 0
#define MINI6502_TIMER_CONTROL 1
#define MINI6502_TIMER_ENABLE 0x01u
#define MINI6502_TIMER_ACK 0x80u
#define MINI6502_TIMER_PENDING 0x80u
#define MINI6502_TIMER_UNIT 256u        /* cycles per period unit */

struct mini6502_timer {
    struct clock *clock;
    struct timer deadline;
    struct irq_line irq;
    uint8_t period;
    uint8_t enabled;
    uint8_t pending;
    uint64_t fired;         /* periods elapsed since reset */
};

/* The timer arms deadlines on `clock`; connect t->irq with irq_connect(). */
void mini6502_timer_init(struct mini6502_timer *t, struct clock *clock);
uint8_t mini6502_timer_read(const struct mini6502_timer *t, unsigned reg);
void mini6502_timer_write(struct mini6502_timer *t, unsigned reg, uint8_t v);

#define MINI6502_TIMER_STATE_VERSION 1u
extern const struct device_ops mini6502_timer_ops;

#endif
