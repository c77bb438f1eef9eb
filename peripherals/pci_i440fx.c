/*
 * i440FX host bridge and PIIX3 ISA bridge.  See pci_i440fx.h.
 */
#include "peripherals/pci_i440fx.h"

#include <stddef.h>

#define PAM0 0x59
#define SMRAM 0x72
#define PIRQ_ROUTE 0x60

#define SHADOW_BASE 0xC0000u
#define SEGMENT 0x4000u

/* The PAM field (RE = bit 0, WE = bit 1) for 16 KiB segment `seg` of
 * 0xC0000-0xFFFFF: segments 0-11 cover 0xC0000-0xEFFFF (PAM1-PAM6, low
 * nibble first), 12 stands for the whole 0xF0000 block (PAM0 high nibble). */
static unsigned pam_field(const struct i440fx *x, int seg)
{
    if (seg == 12)
        return (pci_get8(&x->host, PAM0) >> 4) & 3;
    uint8_t reg = pci_get8(&x->host, PAM0 + 1 + seg / 2);
    return (seg & 1) ? (reg >> 4) & 3 : reg & 3;
}

static void apply_segment(struct i440fx *x, int seg, unsigned field)
{
    uint32_t base = seg == 12 ? 0xF0000u : SHADOW_BASE + (uint32_t)seg * SEGMENT;
    uint32_t size = seg == 12 ? 0x10000u : SEGMENT;
    uint8_t *ram = x->mem->ram_size > base + size ? x->mem->ram + base : NULL;
    uint8_t *rom = x->bus_view ? x->bus_view + (base - SHADOW_BASE) : NULL;
    physmem_route(x->mem, base, size, (field & 1) ? ram : rom, (field & 2) ? ram : NULL);
}

static void apply_pam(struct i440fx *x, int force)
{
    for (int seg = 0; seg < 13; seg++) {
        unsigned f = pam_field(x, seg);
        if (force || f != x->pam_applied[seg]) {
            x->pam_applied[seg] = (uint8_t)f;
            apply_segment(x, seg, f);
        }
    }
}

static void host_written(void *opaque, int reg, uint32_t value, int size)
{
    struct i440fx *x = opaque;
    (void)value;
    if (reg <= PAM0 + 6 && reg + size > PAM0)
        apply_pam(x, 0);
    if (reg <= SMRAM && reg + size > SMRAM && x->smram_changed)
        x->smram_changed(x->opaque);
}

static void isa_written(void *opaque, int reg, uint32_t value, int size)
{
    struct i440fx *x = opaque;
    (void)value;
    if (reg <= PIRQ_ROUTE + 3 && reg + size > PIRQ_ROUTE && x->pirq_changed)
        x->pirq_changed(x->opaque);
}

int i440fx_pirq_irq(const struct i440fx *x, int pirq)
{
    uint8_t r = pci_get8(&x->isa, PIRQ_ROUTE + pirq);
    /* Bit 7 disables routing; IRQs 0-2, 8 and 13 are reserved. */
    if ((r & 0x80) || (r & 0xF) < 3 || (r & 0xF) == 8 || (r & 0xF) == 13)
        return -1;
    return r & 0xF;
}

static void i440fx_reset(void *opaque)
{
    struct i440fx *x = opaque;
    /* Power-on: every PAM segment reads the ROM and ignores writes. */
    for (int k = 0; k < 7; k++)
        pci_set8(&x->host, PAM0 + k, 0);
    pci_set8(&x->host, SMRAM, 0x02);
    pci_set16(&x->host, PCI_COMMAND, 0x0006);
    pci_set16(&x->isa, PCI_COMMAND, 0x0007);
    for (int k = 0; k < 4; k++)
        pci_set8(&x->isa, PIRQ_ROUTE + k, 0x80);
    apply_pam(x, 1);
}

static void i440fx_save(void *opaque, struct state_writer *w)
{
    struct i440fx *x = opaque;
    pci_save(&x->host, w);
    pci_save(&x->isa, w);
}

static int i440fx_load(void *opaque, struct state_reader *r, uint32_t version)
{
    struct i440fx *x = opaque;
    if (version != 1 || pci_load(&x->host, r) != 0 || pci_load(&x->isa, r) != 0)
        return -1;
    apply_pam(x, 1);
    return 0;
}

static void i440fx_dump(void *opaque, FILE *out)
{
    struct i440fx *x = opaque;
    static const char *const mode[4] = { "bus", "read RAM", "write RAM", "RAM" };
    fprintf(out, "i440FX PAM (0xC0000-0xFFFFF, 16 KiB segments):");
    for (int seg = 0; seg < 13; seg++)
        fprintf(out, " %s", mode[pam_field(x, seg)]);
    fprintf(out, "\nPIIX3 PIRQ routing:");
    for (int k = 0; k < 4; k++)
        fprintf(out, " %c->%d", 'A' + k, i440fx_pirq_irq(x, k));
    fputc('\n', out);
}

static const struct device_ops i440fx_ops = {
    "i440fx", 1, i440fx_reset, i440fx_save, i440fx_load, i440fx_dump,
};

int i440fx_init(struct i440fx *x, struct pci_bus *bus, struct physmem *mem, uint8_t *bus_view,
                struct device_registry *reg)
{
    x->mem = mem;
    x->bus_view = bus_view;
    x->host.name = "i440fx";
    x->host.opaque = x;
    x->host.config_written = host_written;
    for (int k = 0; k < 7; k++)
        x->host.wmask[PAM0 + k] = 0x33;
    x->host.wmask[SMRAM] = 0x78;
    x->isa.name = "piix3";
    x->isa.opaque = x;
    x->isa.config_written = isa_written;
    for (int k = 0; k < 4; k++)
        x->isa.wmask[PIRQ_ROUTE + k] = 0x8F;
    /* PIIX3 also has ISA clock/decode registers firmware writes; they are
     * kept as plain storage. */
    for (int r = 0x4C; r < 0x60; r++)
        x->isa.wmask[r] = 0xFF;
    for (int r = 0x69; r < 0xB0; r++)
        x->isa.wmask[r] = 0xFF;
    if (pci_register(bus, &x->host, 0x00, 0x8086, 0x1237, 0x02, 0x060000) != 0)
        return -1;
    /* Multi-function device: header type bit 7 (the IDE, USB and PM
     * functions share device 1). */
    pci_set8(&x->isa, PCI_HEADER_TYPE, 0x80);
    if (pci_register(bus, &x->isa, 0x08, 0x8086, 0x7000, 0x00, 0x060100) != 0)
        return -1;
    return device_register(reg, &i440fx_ops, x);
}
