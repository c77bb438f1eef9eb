/*
 * The power-management function of the Intel 82371AB PIIX4 (PCI 00:01.3,
 * 8086:7113): the ACPI hardware a PC operating system uses for its timer,
 * the power button and soft power-off.
 *
 * PCI config: PMBA (0x40) places 64 bytes of PM I/O; PMREGMISC (0x80)
 * bit 0 enables them; DEVACTB (0x58) holds the APMC enable.  PM I/O
 * (82371AB datasheet, 7.2): PMSTS/PMEN/PMCNTRL (the ACPI PM1a event and
 * control block), PMTMR (the 24-bit ACPI timer at 3.579545 MHz), GPSTS/
 * GPEN (GPE0).  SCI is IRQ 9, level, while a status bit and its enable are
 * both set with SCI_EN on.  Writing SUS_TYP = 0 with SUS_EN enters S5:
 * the machine powers off (the firmware's DSDT says \_S5 = 0).
 *
 * ACPI enable/disable: the OS writes the FADT's ACPI_ENABLE/ACPI_DISABLE
 * (0xF1/0xF0) to the APM control port 0xB2.  Real boards handle that in
 * SMM firmware; here the chipset flips SCI_EN itself, as emulators do.
 */
#ifndef TRAPEZE_PERIPHERALS_PIIX4_PM_H
#define TRAPEZE_PERIPHERALS_PIIX4_PM_H

#include <stdint.h>

#include "bus/clock.h"
#include "bus/device.h"
#include "bus/irq.h"
#include "bus/pci.h"
#include "bus/portio.h"

struct piix4_pm {
    struct pci_function pci;
    struct clock *clock;
    struct portio *io;
    struct irq_line sci;        /* to IRQ 9 */
    uint16_t pm_base;           /* decoded PM I/O base, 0 = off */
    uint16_t sts, en, cntrl;
    uint16_t gpsts, gpen;
    uint32_t glbsts, glbctl, devctl;
    uint8_t apm_cnt, apm_sts;
    struct timer overflow;      /* PM timer bit 23 toggles: TMROF_STS */
    void (*power_off)(void *opaque);
    void (*smi)(void *opaque);  /* APM writes that are not ACPI enable/disable */
    void *opaque;
};

int piix4_pm_init(struct piix4_pm *pm, struct pci_bus *bus, uint8_t devfn, struct portio *io,
                  struct clock *clock, struct device_registry *reg);
/* The ACPI PM timer value now (24 bits). */
uint32_t piix4_pm_timer(const struct piix4_pm *pm);
/* The power button: sets PWRBTN_STS (raising SCI when enabled). */
void piix4_pm_power_button(struct piix4_pm *pm);

#endif
