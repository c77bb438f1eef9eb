/*
 * The PCI bus: configuration space and BARs.
 *
 * Each function (device/function number on bus 0) has a 256-byte
 * configuration space with a mask of guest-writable bits.  The host bridge
 * reaches it through configuration mechanism #1 (ports 0xCF8/0xCFC, PCI
 * Local Bus Specification 3.0, 3.2.2.3.2).  Base address registers are
 * handled here once for every device: a BAR write keeps only the bits the
 * size allows, and whenever a BAR or the command register's I/O / memory
 * enable changes, the device's map callback is told where the region now
 * lives (or that it is unmapped).
 */
#ifndef TRAPEZE_BUS_PCI_H
#define TRAPEZE_BUS_PCI_H

#include <stdint.h>

#include "bus/device.h"
#include "bus/portio.h"

#define PCI_MAX_DEVICES 32
#define PCI_BAR_UNMAPPED 0xFFFFFFFFu

/* Standard header offsets. */
enum {
    PCI_VENDOR_ID = 0x00, PCI_DEVICE_ID = 0x02, PCI_COMMAND = 0x04, PCI_STATUS = 0x06,
    PCI_REVISION = 0x08, PCI_CLASS_PROG = 0x09, PCI_CLASS_DEVICE = 0x0A, PCI_HEADER_TYPE = 0x0E,
    PCI_BAR0 = 0x10, PCI_SUBSYS_VENDOR = 0x2C, PCI_SUBSYS_ID = 0x2E, PCI_ROM_ADDRESS = 0x30,
    PCI_INTERRUPT_LINE = 0x3C, PCI_INTERRUPT_PIN = 0x3D,
};
#define PCI_COMMAND_IO 0x1u
#define PCI_COMMAND_MEMORY 0x2u
#define PCI_COMMAND_MASTER 0x4u

struct pci_bar {
    uint32_t size;          /* power of two; 0 = not implemented */
    int is_io;
    uint32_t mapped;        /* address currently mapped, or PCI_BAR_UNMAPPED */
};

struct pci_function {
    const char *name;
    uint8_t devfn;          /* device << 3 | function */
    uint8_t config[256];
    uint8_t wmask[256];     /* bits the guest may write */
    struct pci_bar bar[7];  /* BAR0..5 and the expansion ROM (6) */
    void *opaque;
    /* Called after a config write the device wants to see (other than
     * BARs, which are handled here). */
    void (*config_written)(void *opaque, int reg, uint32_t value, int size);
    /* Called when a BAR's decoded address changes; addr may be PCI_BAR_UNMAPPED. */
    void (*bar_mapped)(void *opaque, int bar, uint32_t addr);
};

struct pci_bus {
    struct pci_function *fn[PCI_MAX_DEVICES * 8];
    uint32_t config_address;    /* the 0xCF8 register */
    /* The PIIX reset control register shares the dword at 0xCF8: byte
     * writes to 0xCF9 with bit 2 set reset the system (PIIX3 datasheet,
     * RC register).  The board supplies what "reset" means. */
    uint8_t reset_control;
    void (*reset)(void *opaque, int hard);
    void *reset_opaque;
};

void pci_bus_init(struct pci_bus *bus, struct portio *io);
/* Fills the header's identity and registers the function.  Returns 0 or -1. */
int pci_register(struct pci_bus *bus, struct pci_function *f, uint8_t devfn, uint16_t vendor,
                 uint16_t device, uint8_t revision, uint32_t class_code);
/* Declare a BAR of `size` bytes (power of two), I/O or memory. */
void pci_declare_bar(struct pci_function *f, int bar, uint32_t size, int is_io);

/* Config space helpers (little-endian in the array, whatever the host). */
static inline uint8_t pci_get8(const struct pci_function *f, int reg) { return f->config[reg]; }
static inline uint16_t pci_get16(const struct pci_function *f, int reg)
{
    return (uint16_t)(f->config[reg] | f->config[reg + 1] << 8);
}
static inline uint32_t pci_get32(const struct pci_function *f, int reg)
{
    return (uint32_t)pci_get16(f, reg) | (uint32_t)pci_get16(f, reg + 2) << 16;
}
static inline void pci_set8(struct pci_function *f, int reg, uint8_t v) { f->config[reg] = v; }
static inline void pci_set16(struct pci_function *f, int reg, uint16_t v)
{
    f->config[reg] = (uint8_t)v;
    f->config[reg + 1] = (uint8_t)(v >> 8);
}
static inline void pci_set32(struct pci_function *f, int reg, uint32_t v)
{
    pci_set16(f, reg, (uint16_t)v);
    pci_set16(f, reg + 2, (uint16_t)(v >> 16));
}

/* Config accesses by bus/device/function (the BIOS-level view; also what
 * mechanism #1 uses).  Absent functions read all ones. */
uint32_t pci_config_read(struct pci_bus *bus, uint8_t devfn, int reg, int size);
void pci_config_write(struct pci_bus *bus, uint8_t devfn, int reg, uint32_t value, int size);

/* Save/load helpers for a function's config space (devices call them from
 * their own hooks). */
void pci_save(const struct pci_function *f, struct state_writer *w);
int pci_load(struct pci_function *f, struct state_reader *r);

#endif
