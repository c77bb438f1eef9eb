/*
 * The Intel 82441FX PMC (i440FX host bridge, PCI 00:00.0, 8086:1237) and
 * the 82371SB PIIX3 PCI-to-ISA bridge (00:01.0, 8086:7000).
 *
 * The host bridge matters to firmware for its PAM registers (0x59-0x5F):
 * each 16 KiB segment of 0xC0000-0xFFFFF (64 KiB for 0xF0000) reads from
 * RAM or from the ROM on the PCI/ISA side, and writes go to RAM or nowhere
 * (82441FX datasheet, 3.2.18).  The BIOS copies itself into RAM and then
 * write-protects it -- "shadowing".  The PIIX3 routes the four PCI
 * interrupt lines PIRQA-D to ISA IRQs (registers 0x60-0x63, 82371SB
 * datasheet 2.2.8).
 */
#ifndef TRAPEZE_PERIPHERALS_PCI_I440FX_H
#define TRAPEZE_PERIPHERALS_PCI_I440FX_H

#include <stdint.h>

#include "bus/device.h"
#include "bus/pci.h"
#include "memory/physmem.h"

struct i440fx {
    struct pci_function host;   /* 00:00.0 */
    struct pci_function isa;    /* 00:01.0 PIIX3 */
    struct physmem *mem;
    /* What the 0xC0000-0xFFFFF window shows when a PAM segment reads from
     * the bus side: the board's ROM images (NULL pages read as open bus). */
    uint8_t *bus_view;          /* 256 KiB, page aligned, owned by the board */
    uint8_t pam_applied[13];    /* PAM field per 16 KiB segment, last applied */
    /* PIRQ routing changes: the board re-evaluates PCI interrupt levels. */
    void (*pirq_changed)(void *opaque);
    /* The SMRAM register (72h) was written: the board decides what the
     * 0xA0000 window shows (it knows whether the CPU is in SMM). */
    void (*smram_changed)(void *opaque);
    void *opaque;
};

int i440fx_init(struct i440fx *x, struct pci_bus *bus, struct physmem *mem, uint8_t *bus_view,
                struct device_registry *reg);
/* The ISA IRQ a PCI interrupt line PIRQA..D (0..3) is routed to, or -1. */
int i440fx_pirq_irq(const struct i440fx *x, int pirq);

#endif
