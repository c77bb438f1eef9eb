#include "bus/pci.h"

#include <string.h>

static int bar_reg(int bar) { return bar == 6 ? PCI_ROM_ADDRESS : PCI_BAR0 + 4 * bar; }

/* The address a BAR decodes now, given the command register. */
static uint32_t bar_decoded(const struct pci_function *f, int bar)
{
    const struct pci_bar *b = &f->bar[bar];
    uint16_t cmd = pci_get16(f, PCI_COMMAND);
    uint32_t v = pci_get32(f, bar_reg(bar));
    if (b->size == 0)
        return PCI_BAR_UNMAPPED;
    if (b->is_io) {
        if (!(cmd & PCI_COMMAND_IO))
            return PCI_BAR_UNMAPPED;
        v &= ~(b->size - 1) & 0xFFFFu;
    } else {
        if (!(cmd & PCI_COMMAND_MEMORY) || (bar == 6 && !(v & 1)))
            return PCI_BAR_UNMAPPED;
        v &= ~(b->size - 1);
    }
    /* An unprogrammed BAR (0) or one sized past the end of the space
     * decodes nothing. */
    if (v == 0 || (uint64_t)v + b->size > (b->is_io ? 0x10000ull : 0x100000000ull))
        return PCI_BAR_UNMAPPED;
    return v;
}

static void update_bars(struct pci_function *f)
{
    for (int k = 0; k < 7; k++) {
        uint32_t now = bar_decoded(f, k);
        if (now != f->bar[k].mapped) {
            f->bar[k].mapped = now;
            if (f->bar_mapped)
                f->bar_mapped(f->opaque, k, now);
        }
    }
}

void pci_declare_bar(struct pci_function *f, int bar, uint32_t size, int is_io)
{
    f->bar[bar].size = size;
    f->bar[bar].is_io = is_io;
    f->bar[bar].mapped = PCI_BAR_UNMAPPED;
    int reg = bar_reg(bar);
    uint32_t mask = ~(size - 1);
    if (bar == 6)
        mask |= 1;      /* ROM enable */
    else if (is_io)
        mask &= ~3u;
    else
        mask &= ~0xFu;
    pci_set32(f, reg, is_io ? 1u : 0u);
    for (int i = 0; i < 4; i++)
        f->wmask[reg + i] = (uint8_t)(mask >> (8 * i));
}

int pci_register(struct pci_bus *bus, struct pci_function *f, uint8_t devfn, uint16_t vendor,
                 uint16_t device, uint8_t revision, uint32_t class_code)
{
    if (bus->fn[devfn])
        return -1;
    f->devfn = devfn;
    pci_set16(f, PCI_VENDOR_ID, vendor);
    pci_set16(f, PCI_DEVICE_ID, device);
    pci_set8(f, PCI_REVISION, revision);
    pci_set8(f, PCI_CLASS_PROG, (uint8_t)class_code);
    pci_set16(f, PCI_CLASS_DEVICE, (uint16_t)(class_code >> 8));
    /* Command register: I/O, memory, bus master, SERR, parity are writable. */
    f->wmask[PCI_COMMAND] |= 0x47;
    f->wmask[PCI_COMMAND + 1] |= 0x01;
    f->wmask[PCI_INTERRUPT_LINE] = 0xFF;
    for (int k = 0; k < 7; k++)
        if (f->bar[k].size == 0)
            f->bar[k].mapped = PCI_BAR_UNMAPPED;
    bus->fn[devfn] = f;
    return 0;
}

uint32_t pci_config_read(struct pci_bus *bus, uint8_t devfn, int reg, int size)
{
    struct pci_function *f = bus->fn[devfn];
    if (!f || reg < 0 || reg + size > 256)
        return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    uint32_t v = 0;
    for (int i = 0; i < size; i++)
        v |= (uint32_t)f->config[reg + i] << (8 * i);
    return v;
}

void pci_config_write(struct pci_bus *bus, uint8_t devfn, int reg, uint32_t value, int size)
{
    struct pci_function *f = bus->fn[devfn];
    if (!f || reg < 0 || reg + size > 256)
        return;
    for (int i = 0; i < size; i++) {
        uint8_t b = (uint8_t)(value >> (8 * i));
        int r = reg + i;
        if (r == PCI_STATUS || r == PCI_STATUS + 1) {
            /* Status bits are write-one-to-clear. */
            f->config[r] &= (uint8_t)~(b & 0xF9u);
            continue;
        }
        f->config[r] = (uint8_t)((f->config[r] & ~f->wmask[r]) | (b & f->wmask[r]));
    }
    update_bars(f);
    if (f->config_written)
        f->config_written(f->opaque, reg, value, size);
}

/* Configuration mechanism #1: 0xCF8 holds enable, bus, device, function
 * and register; 0xCFC-0xCFF is the data window. */
static uint32_t cf8_read(void *opaque, uint16_t port, int size)
{
    struct pci_bus *bus = opaque;
    uint32_t v = bus->config_address;
    if (size == 1 && port == 0xCF9)
        return bus->reset_control;
    return size == 4 ? v : (v >> (8 * (port & 3))) & ((1u << (8 * size)) - 1);
}

static void cf8_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct pci_bus *bus = opaque;
    if (size == 4 && port == 0xCF8) {
        bus->config_address = value & 0x80FFFFFCu;
        return;
    }
    /* Byte writes to 0xCF9 reach the reset control register; other partial
     * writes to the dword are not configuration cycles. */
    if (size == 1 && port == 0xCF9) {
        bus->reset_control = (uint8_t)(value & 0x0E);
        if ((value & 4) && bus->reset)
            bus->reset(bus->reset_opaque, (value & 2) != 0);
    }
}

static int target(const struct pci_bus *bus, uint8_t *devfn)
{
    uint32_t a = bus->config_address;
    if (!(a & 0x80000000u) || ((a >> 16) & 0xFF) != 0)
        return 0;
    *devfn = (uint8_t)(a >> 8);
    return 1;
}

static uint32_t cfc_read(void *opaque, uint16_t port, int size)
{
    struct pci_bus *bus = opaque;
    uint8_t devfn;
    if (!target(bus, &devfn))
        return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    return pci_config_read(bus, devfn, (int)(bus->config_address & 0xFC) + (port & 3), size);
}

static void cfc_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct pci_bus *bus = opaque;
    uint8_t devfn;
    if (target(bus, &devfn))
        pci_config_write(bus, devfn, (int)(bus->config_address & 0xFC) + (port & 3), value, size);
}

void pci_bus_init(struct pci_bus *bus, struct portio *io)
{
    memset(bus, 0, sizeof(*bus));
    portio_register(io, 0xCF8, 4, PORTIO_SIZE_8 | PORTIO_SIZE_16 | PORTIO_SIZE_32, cf8_read, cf8_write, bus,
                    "pci-config-address");
    portio_register(io, 0xCFC, 4, PORTIO_SIZE_8 | PORTIO_SIZE_16 | PORTIO_SIZE_32, cfc_read, cfc_write, bus,
                    "pci-config-data");
}

void pci_save(const struct pci_function *f, struct state_writer *w)
{
    state_put_bytes(w, f->config, sizeof(f->config));
}

int pci_load(struct pci_function *f, struct state_reader *r)
{
    state_get_bytes(r, f->config, sizeof(f->config));
    if (r->error)
        return -1;
    update_bars(f);
    return 0;
}
