/*
 * The PC's system control ports.
 *
 * Port 0x61, system control port B (IBM AT / PS/2 technical references):
 *   bit 0  (r/w) PIT channel 2 gate
 *   bit 1  (r/w) speaker data: the speaker sounds PIT OUT2 AND this bit
 *   bit 2  (r/w) 1 = memory parity check disabled (and its latch cleared)
 *   bit 3  (r/w) 1 = I/O channel check disabled (and its latch cleared)
 *   bit 4  (r)   refresh request toggle: flips every 15.085 us (18 periods
 *                of the 1.193182 MHz PIT clock, channel 1's refresh rate)
 *   bit 5  (r)   PIT channel 2 OUT
 *   bit 6  (r)   I/O channel check (IOCHK#) occurred
 *   bit 7  (r)   memory parity error occurred
 * Firmware times delays by counting bit-4 flips (SeaBIOS, many DOS
 * programs), so the toggle follows the cycle clock exactly.
 *
 * Port 0x92, system control port A ("fast A20"):
 *   bit 0  fast reset: a 0 -> 1 transition resets the CPU
 *   bit 1  A20 gate
 *   other bits are stored and read back (bit 3 password lock, bits 6-7
 *   disk activity light on PS/2 machines).
 *
 * The device includes no other device's header: it reaches the PIT, the
 * A20 gate, the reset line and the sound frontend through callbacks the
 * board supplies.  A20 comes from two places on a PC (this port and the
 * 8042's output port); the board ORs them, as chipsets do.  The NMI line
 * carries the two latched error sources; the board masks it with port
 * 0x70 bit 7 (the RTC's NMI disable).
 */
#ifndef TRAPEZE_PERIPHERALS_SYSCTL_PORTS_H
#define TRAPEZE_PERIPHERALS_SYSCTL_PORTS_H

#include <stdint.h>
#include <stdio.h>

#include "bus/clock.h"
#include "bus/device.h"
#include "bus/irq.h"
#include "bus/portio.h"

#define SYSCTL_PORT_B 0x61
#define SYSCTL_PORT_A 0x92

#define SYSCTL_B_GATE2 0x01u
#define SYSCTL_B_SPEAKER 0x02u
#define SYSCTL_B_PARITY_OFF 0x04u
#define SYSCTL_B_IOCHK_OFF 0x08u
#define SYSCTL_B_REFRESH 0x10u
#define SYSCTL_B_OUT2 0x20u
#define SYSCTL_B_IOCHK 0x40u
#define SYSCTL_B_PARITY 0x80u
#define SYSCTL_A_RESET 0x01u
#define SYSCTL_A_A20 0x02u

#define SYSCTL_PIT_HZ 1193182u
#define SYSCTL_REFRESH_TICKS 18u     /* PIT clocks per refresh request */

/* Any hook may be NULL.  reset() may be called from inside a port write:
 * the board stops the CPU at the instruction boundary and resets it there.
 * speaker_changed() carries the cycle at which gate or data changed, so the
 * sound frontend can place the edge exactly. */
struct sysctl_ports_ops {
    int (*get_out2)(void *opaque);
    void (*set_gate2)(void *opaque, int level);
    void (*set_a20)(void *opaque, int on);
    void (*reset)(void *opaque);
    void (*speaker_changed)(void *opaque, int gate, int data, cycles_t when);
    void *opaque;
};

struct sysctl_ports {
    struct clock *clock;
    struct sysctl_ports_ops ops;
    struct irq_line nmi;        /* high while a parity or channel check is latched */
    uint8_t port_b;             /* bits 0-3 as written */
    uint8_t port_a;             /* as written */
    uint8_t parity_latched, iochk_latched;
};

/* Registers ports 0x61 and 0x92 and the device "sysctl". */
int sysctl_ports_init(struct sysctl_ports *s, struct clock *clock, struct portio *io,
                      struct device_registry *reg, const struct sysctl_ports_ops *ops);

/* Error sources the board reports (a RAM parity error, IOCHK# from a card);
 * each is latched only while its check is enabled. */
void sysctl_ports_parity_error(struct sysctl_ports *s);
void sysctl_ports_channel_check(struct sysctl_ports *s);

/* The speaker for the sound frontend: it sounds PIT OUT2 while both are 1. */
static inline int sysctl_speaker_gate(const struct sysctl_ports *s) { return s->port_b & SYSCTL_B_GATE2; }
static inline int sysctl_speaker_data(const struct sysctl_ports *s) { return (s->port_b & SYSCTL_B_SPEAKER) != 0; }

uint8_t sysctl_ports_read(struct sysctl_ports *s, uint16_t port);
void sysctl_ports_write(struct sysctl_ports *s, uint16_t port, uint8_t v);

#define SYSCTL_PORTS_STATE_VERSION 1u
extern const struct device_ops sysctl_ports_ops;

#endif
