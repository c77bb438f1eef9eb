/*
 * The PC/AT interrupt controllers: two Intel 8259A PICs, cascaded.
 *
 *   master  ports 0x20 (A0=0) / 0x21 (A0=1), IRQ 0-7, INT -> the CPU's INTR
 *   slave   ports 0xA0 / 0xA1, IRQ 8-15, INT -> master IR2
 *   ELCR    ports 0x4D0 / 0x4D1 (PIIX3 edge/level control, 1 = level)
 *
 * Devices drive the 16 IRQ pins as levels through bus/irq.h: connect a
 * device's struct irq_line to pic_irq_sink() with the IRQ number as `pin`.
 * Pin 2 is the cascade input and takes no device (an AT routes the ISA
 * bus's IRQ2 to IRQ9).  The board connects `intr` to the CPU's INTR pin and
 * hands pic_intr_ack() to the CPU as its interrupt-acknowledge callback.
 *
 * Everything the Intel 8259A datasheet describes is here: ICW1-ICW4,
 * OCW1-OCW3, edge and level triggering, IRR/ISR/IMR reads, specific and
 * non-specific EOI, automatic EOI, rotation (on EOI, in AEOI mode, set
 * priority), special mask mode, special fully nested mode, poll mode and the
 * default IR7 (spurious) vector when a request disappears before INTA.
 *
 * One modelling choice differs from the datasheet's priority cell: in edge
 * mode a rising edge latches the request in IRR until it is acknowledged
 * (or ICW1 re-initialises the chip), even if the line drops first.  The bus
 * models a short pulse as a zero-width high-low (irq_pulse), which on real
 * hardware would be long enough to be acknowledged.  A level-triggered
 * request that drops before INTA does vanish, and so does a request masked
 * between INTR and INTA; both give the default IR7 vector, IRQ 7 on the
 * master or IRQ 15 on the slave (then with master ISR bit 2 set, as Linux's
 * spurious-IRQ handling expects).
 */
#ifndef TRAPEZE_PERIPHERALS_PIC8259_H
#define TRAPEZE_PERIPHERALS_PIC8259_H

#include <stdint.h>
#include <stdio.h>

#include "bus/device.h"
#include "bus/irq.h"
#include "bus/portio.h"

#define PIC_STATE_VERSION 1u
#define PIC_CASCADE_IR 2        /* the master input the slave's INT drives */

struct pic8259_chip {
    uint8_t irr;            /* interrupt request register */
    uint8_t isr;            /* in-service register */
    uint8_t imr;            /* interrupt mask register (OCW1) */
    uint8_t pins;           /* IR input levels as last driven */
    uint8_t elcr;           /* PIIX3 ELCR: 1 = level triggered */
    uint8_t elcr_mask;      /* ELCR bits that exist on this chip */
    uint8_t icw1, icw2, icw3, icw4;
    uint8_t init_step;      /* 0: operating; 1, 2, 3: ICW2, ICW3, ICW4 expected next */
    uint8_t read_isr;       /* OCW3 RIS: the command port reads ISR, else IRR */
    uint8_t poll;           /* OCW3 P: the next read is a poll */
    uint8_t special_mask;   /* OCW3 special mask mode */
    uint8_t rotate_aeoi;    /* OCW2 rotate in automatic EOI mode */
    uint8_t lowest;         /* the IR with the lowest priority */
};

struct pic8259 {
    struct pic8259_chip chip[2];    /* [0] master, [1] slave */
    struct irq_line intr;           /* the master's INT pin: connect to the CPU */
    uint32_t warned;                /* out-of-spec uses already logged */
    uint64_t spurious;              /* default-IR7 acknowledges, for the monitor */
};

/* Registers the ports (0x20-0x21, 0xA0-0xA1, 0x4D0-0x4D1) and the device
 * "pic".  Returns 0, or -1 when a port or registry slot is taken. */
int pic_init(struct pic8259 *p, struct portio *io, struct device_registry *reg);

/* irq_sink_fn for devices: `opaque` is the struct pic8259, `pin` 0-15. */
void pic_irq_sink(void *opaque, int pin, int level);

/* The INTA cycle: resolves priorities across the cascade, sets the ISR bit
 * (unless AEOI) and returns the vector the CPU reads. */
uint8_t pic_acknowledge(struct pic8259 *p);
/* The same, shaped for struct x86_bus's intr_ack. */
uint8_t pic_intr_ack(void *opaque);

/* Port-level access, as the CPU's IN/OUT see it (for tests and the monitor). */
uint8_t pic_read(struct pic8259 *p, uint16_t port);
void pic_write(struct pic8259 *p, uint16_t port, uint8_t value);

extern const struct device_ops pic_ops;

#endif
