/*
 * The PC board: an i440FX/PIIX3 machine of the kind real firmware (SeaBIOS,
 * the Bochs BIOS) and PC operating systems expect.
 *
 *   00:00.0  i440FX host bridge (PAM shadowing, SMRAM)
 *   00:01.0  PIIX3 ISA bridge: PIC pair, PIT, RTC/CMOS, DMA, 8042, ports
 *            61h/92h, COM1/COM2, floppy controller
 *   00:01.1  PIIX3 IDE (two channels, bus-master DMA)
 *   00:01.3  PIIX4 power management (ACPI timer, SCI, soft-off)
 *   00:02.0  VGA with the Bochs VBE extension (1234:1111), VGA BIOS in its
 *            expansion ROM
 *   fw_cfg   at 0x510, for the firmware's configuration and direct kernel
 *            boot; debug console at 0x402 (SeaBIOS) and 0xE9
 *
 * The host bridge carries the subsystem ID QEMU's i440FX machine has
 * (1AF4:1100), so Debian's SeaBIOS -- built for QEMU -- takes its
 * emulator paths: configuration from fw_cfg, option ROMs from the PCI
 * expansion ROMs and fw_cfg, ACPI tables built by the firmware itself.
 */
#ifndef TRAPEZE_BUS_PC_H
#define TRAPEZE_BUS_PC_H

#include <stdint.h>

#include "bus/pci.h"
#include "peripherals/debugcon.h"
#include "peripherals/disk_image.h"
#include "peripherals/dma8237.h"
#include "peripherals/fdc82077.h"
#include "peripherals/fw_cfg.h"
#include "peripherals/i8042.h"
#include "peripherals/ide.h"
#include "peripherals/pci_i440fx.h"
#include "peripherals/pic8259.h"
#include "peripherals/piix4_pm.h"
#include "peripherals/pit8254.h"
#include "peripherals/rtc146818.h"
#include "peripherals/sysctl_ports.h"
#include "peripherals/uart16550.h"
#include "peripherals/vga.h"

struct machine;

struct pc_board {
    struct pci_bus pci;
    struct i440fx chipset;
    struct pic8259 pic;
    struct pit8254 pit;
    struct rtc146818 rtc;
    struct dma8237 dma;
    struct i8042 kbc;
    struct sysctl_ports sysctl;
    struct uart16550 com[2];
    struct fdc82077 fdc;
    struct ide_controller ide;
    struct piix4_pm pm;
    struct vga vga;
    struct pci_function vga_pci;
    struct fw_cfg fwcfg;
    struct debugcon seabios_log;    /* port 0x402 */

    struct disk_image disks[4];     /* hda, hdb, cdrom, fda */
    int disk_open[4];

    uint8_t *bus_view;              /* 0xC0000-0xFFFFF as the ISA/PCI side shows it */
    uint8_t *vga_rom;               /* the VGA BIOS, page-rounded */
    uint32_t vga_rom_size;
    uint32_t vga_rom_at;            /* where the expansion ROM BAR maps it */
    int a20_kbc, a20_port92;        /* the two A20 sources, ORed */
    int reset_pending;              /* 1 = CPU reset, 2 = whole machine */
    int powered_off;
};

/* Board wiring (called by machine_create for board "pc"): returns 0, or -1
 * with a one-line reason in err. */
int pc_wire(struct machine *m, char *err, size_t errlen);
void pc_unwire(struct machine *m);
/* Between CPU slices: resets, power-off, serial input. */
void pc_service(struct machine *m);

#endif
