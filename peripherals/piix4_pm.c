/*
 * PIIX4 power management.  See piix4_pm.h.
 */
#include "peripherals/piix4_pm.h"

#define PM_TIMER_HZ 3579545u
#define PM_IO_SIZE 64

#define PMBA 0x40
#define DEVACTB 0x58
#define PMREGMISC 0x80

/* PMSTS / PMEN bits. */
#define TMROF 0x0001u
#define GBL 0x0020u
#define PWRBTN 0x0100u
#define RTC 0x0400u
#define WAK_STS 0x8000u
/* PMCNTRL bits. */
#define SCI_EN 0x0001u
#define SUS_TYP_SHIFT 10
#define SUS_EN 0x2000u

#define APM_CNT_PORT 0xB2
#define ACPI_ENABLE 0xF1
#define ACPI_DISABLE 0xF0

/* The timer counts PM_TIMER_HZ from cycle 0: exact rational arithmetic,
 * no drift whatever the CPU clock. */
uint32_t piix4_pm_timer(const struct piix4_pm *pm)
{
    uint64_t now = pm->clock->now, hz = pm->clock->hz;
    uint64_t ticks = (now / hz) * PM_TIMER_HZ + (now % hz) * PM_TIMER_HZ / hz;
    return (uint32_t)(ticks & 0xFFFFFF);
}

static void update_sci(struct piix4_pm *pm)
{
    int level = (pm->cntrl & SCI_EN) && ((pm->sts & pm->en & (TMROF | GBL | PWRBTN | RTC)) ||
                                         (pm->gpsts & pm->gpen));
    irq_set(&pm->sci, level);
}

/* Arm the timer for the next flip of bit 23 (TMROF_STS, ACPI 4.8.3.3). */
static void arm_overflow(struct piix4_pm *pm)
{
    uint64_t hz = pm->clock->hz;
    uint64_t now = pm->clock->now;
    uint64_t ticks = (now / hz) * PM_TIMER_HZ + (now % hz) * PM_TIMER_HZ / hz;
    uint64_t next = (ticks | 0x7FFFFF) + 1;
    /* First cycle at which the tick count reaches `next`. */
    uint64_t cyc = (next / PM_TIMER_HZ) * hz + ((next % PM_TIMER_HZ) * hz + PM_TIMER_HZ - 1) / PM_TIMER_HZ;
    timer_arm(pm->clock, &pm->overflow, cyc > now ? cyc : now + 1);
}

static void on_overflow(void *opaque, cycles_t now)
{
    struct piix4_pm *pm = opaque;
    (void)now;
    pm->sts |= TMROF;
    update_sci(pm);
    arm_overflow(pm);
}

/* The 16-bit register at an even offset of the PM I/O block. */
static uint16_t pm_reg16(const struct piix4_pm *pm, unsigned off)
{
    switch (off) {
    case 0x00: return pm->sts;
    case 0x02: return pm->en;
    case 0x04: return pm->cntrl & (uint16_t)~SUS_EN;     /* SUS_EN reads 0 */
    case 0x08: return (uint16_t)piix4_pm_timer(pm);
    case 0x0A: return (uint16_t)(piix4_pm_timer(pm) >> 16);
    case 0x0C: return pm->gpsts;
    case 0x0E: return pm->gpen;
    case 0x28: return (uint16_t)pm->glbsts;
    case 0x2A: return (uint16_t)(pm->glbsts >> 16);
    case 0x30: return (uint16_t)pm->glbctl;
    case 0x32: return (uint16_t)(pm->glbctl >> 16);
    case 0x34: return (uint16_t)pm->devctl;
    case 0x36: return (uint16_t)(pm->devctl >> 16);
    default: return 0;
    }
}

static uint32_t pm_read(void *opaque, uint16_t port, int size)
{
    struct piix4_pm *pm = opaque;
    unsigned off = (unsigned)(port - pm->pm_base);
    if (size == 4 && off == 0x08)
        return piix4_pm_timer(pm);      /* read the timer atomically */
    uint32_t v = pm_reg16(pm, off & ~1u) | (uint32_t)pm_reg16(pm, (off & ~1u) + 2) << 16;
    v >>= 8 * (off & 1);
    return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void enter_sleep(struct piix4_pm *pm, uint16_t cntrl)
{
    unsigned typ = (cntrl >> SUS_TYP_SHIFT) & 7;
    if (typ == 0 && pm->power_off) {
        pm->power_off(pm->opaque);
        return;
    }
    /* Other sleep states wake at once: the wake status is set, as after a
     * resume (S1 has no state to lose here). */
    pm->sts |= WAK_STS;
}

static void pm_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct piix4_pm *pm = opaque;
    unsigned off = (unsigned)(port - pm->pm_base);
    if (size == 4 && (off == 0x00)) {
        /* A dword write covers PMSTS and PMEN. */
        pm_write(opaque, port, value & 0xFFFF, 2);
        pm_write(opaque, (uint16_t)(port + 2), value >> 16, 2);
        return;
    }
    uint16_t v = (uint16_t)value;
    if (size == 1 && (off & 1)) {
        v = (uint16_t)(value << 8);
        off &= ~1u;
    }
    uint16_t byte_mask = size == 1 ? ((port - pm->pm_base) & 1 ? 0xFF00 : 0x00FF) : 0xFFFF;
    switch (off) {
    case 0x00: pm->sts &= (uint16_t)~(v & byte_mask); break;   /* write one to clear */
    case 0x02: pm->en = (uint16_t)((pm->en & ~byte_mask) | (v & byte_mask)); break;
    case 0x04:
        pm->cntrl = (uint16_t)((pm->cntrl & ~byte_mask) | (v & byte_mask));
        if (pm->cntrl & SUS_EN) {
            pm->cntrl &= (uint16_t)~SUS_EN;
            enter_sleep(pm, (uint16_t)(pm->cntrl | SUS_EN));
        }
        break;
    case 0x0C: pm->gpsts &= (uint16_t)~(v & byte_mask); break;
    case 0x0E: pm->gpen = (uint16_t)((pm->gpen & ~byte_mask) | (v & byte_mask)); break;
    case 0x30: pm->glbctl = (pm->glbctl & ~0xFFFFu) | v; break;
    case 0x34: pm->devctl = (pm->devctl & ~0xFFFFu) | v; break;
    default: break;     /* other registers hold no state the guest needs */
    }
    update_sci(pm);
}

static void map_pm_io(struct piix4_pm *pm)
{
    uint16_t base = (pci_get8(&pm->pci, PMREGMISC) & 1) ? (uint16_t)(pci_get32(&pm->pci, PMBA) & 0xFFC0) : 0;
    if (base == pm->pm_base)
        return;
    /* Port handlers are registered once at the first enable; the base is
     * fixed by firmware at boot and not moved again in practice. */
    if (pm->pm_base == 0 && base != 0) {
        if (portio_register(pm->io, base, PM_IO_SIZE, PORTIO_SIZE_8 | PORTIO_SIZE_16 | PORTIO_SIZE_32,
                            pm_read, pm_write, pm, "piix4-pm") == 0)
            pm->pm_base = base;
    }
}

static void config_written(void *opaque, int reg, uint32_t value, int size)
{
    (void)value;
    if ((reg <= PMBA + 3 && reg + size > PMBA) || (reg <= PMREGMISC && reg + size > PMREGMISC))
        map_pm_io(opaque);
}

/* The registers SeaBIOS's ACPI tables describe for an emulated PC (its
 * DSDT, src/fw/acpi-dsdt.dsl): the GPE0 block at 0xAFE0 (status, then
 * enable; the FADT points there), PCI hotplug at 0xAE00 (slots that came
 * up, went down, eject, removable) and the CPU-present bitmap at 0xAF00.
 * Nothing here is hot-pluggable: no slot ever changes and CPU 0 is the
 * only CPU.  Unclaimed, these ports would read all ones -- every slot
 * "going down" -- and the OS would eject its own devices. */
static uint32_t acpi_ext_read(void *opaque, uint16_t port, int size)
{
    struct piix4_pm *pm = opaque;
    uint32_t v = 0;
    for (int k = 0; k < size; k++) {
        uint16_t p = (uint16_t)(port + k);
        uint8_t b = 0;
        if (p >= 0xAFE0 && p < 0xAFE4) {
            uint16_t r = p < 0xAFE2 ? pm->gpsts : pm->gpen;
            b = (uint8_t)(r >> (8 * (p & 1)));
        } else if (p == 0xAF00) {
            b = 1;      /* CPU 0 present */
        }
        v |= (uint32_t)b << (8 * k);
    }
    return v;
}

static void acpi_ext_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct piix4_pm *pm = opaque;
    for (int k = 0; k < size; k++) {
        uint16_t p = (uint16_t)(port + k);
        uint16_t b = (uint16_t)((value >> (8 * k)) & 0xFF) << (8 * (p & 1));
        if (p == 0xAFE0 || p == 0xAFE1)
            pm->gpsts &= (uint16_t)~b;
        else if (p == 0xAFE2 || p == 0xAFE3)
            pm->gpen = (uint16_t)((pm->gpen & ~(0xFFu << (8 * (p & 1)))) | b);
        /* PCI eject requests (0xAE08) and the rest: nothing can leave. */
    }
    update_sci(pm);
}

static uint32_t apm_read(void *opaque, uint16_t port, int size)
{
    struct piix4_pm *pm = opaque;
    (void)size;
    return port == APM_CNT_PORT ? pm->apm_cnt : pm->apm_sts;
}

static void apm_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct piix4_pm *pm = opaque;
    (void)size;
    if (port != APM_CNT_PORT) {
        pm->apm_sts = (uint8_t)value;
        return;
    }
    pm->apm_cnt = (uint8_t)value;
    if (value == ACPI_ENABLE)
        pm->cntrl |= SCI_EN;
    else if (value == ACPI_DISABLE)
        pm->cntrl &= (uint16_t)~SCI_EN;
    else if (pm->smi && (pci_get32(&pm->pci, DEVACTB) & (1u << 25)))
        pm->smi(pm->opaque);
    update_sci(pm);
}

void piix4_pm_power_button(struct piix4_pm *pm)
{
    pm->sts |= PWRBTN;
    update_sci(pm);
}

static void piix4_pm_reset(void *opaque)
{
    struct piix4_pm *pm = opaque;
    pm->sts = pm->en = pm->cntrl = 0;
    pm->gpsts = pm->gpen = 0;
    pm->glbsts = pm->glbctl = pm->devctl = 0;
    pm->apm_cnt = pm->apm_sts = 0;
    pci_set32(&pm->pci, PMBA, 1);
    pci_set8(&pm->pci, PMREGMISC, 0);
    pci_set32(&pm->pci, DEVACTB, 0);
    pci_set8(&pm->pci, PCI_INTERRUPT_PIN, 1);
    irq_set(&pm->sci, 0);
    arm_overflow(pm);
}

static void piix4_pm_save(void *opaque, struct state_writer *w)
{
    struct piix4_pm *pm = opaque;
    pci_save(&pm->pci, w);
    state_put_u16(w, pm->sts);
    state_put_u16(w, pm->en);
    state_put_u16(w, pm->cntrl);
    state_put_u16(w, pm->gpsts);
    state_put_u16(w, pm->gpen);
    state_put_u32(w, pm->glbctl);
    state_put_u32(w, pm->devctl);
    state_put_u8(w, pm->apm_cnt);
    state_put_u8(w, pm->apm_sts);
}

static int piix4_pm_load(void *opaque, struct state_reader *r, uint32_t version)
{
    struct piix4_pm *pm = opaque;
    if (version != 1 || pci_load(&pm->pci, r) != 0)
        return -1;
    pm->sts = state_get_u16(r);
    pm->en = state_get_u16(r);
    pm->cntrl = state_get_u16(r);
    pm->gpsts = state_get_u16(r);
    pm->gpen = state_get_u16(r);
    pm->glbctl = state_get_u32(r);
    pm->devctl = state_get_u32(r);
    pm->apm_cnt = state_get_u8(r);
    pm->apm_sts = state_get_u8(r);
    if (r->error)
        return -1;
    map_pm_io(pm);
    update_sci(pm);
    arm_overflow(pm);
    return 0;
}

static void piix4_pm_dump(void *opaque, FILE *out)
{
    struct piix4_pm *pm = opaque;
    fprintf(out, "PIIX4 PM: I/O at %#x, PM1 sts %#06x en %#06x cntrl %#06x (SCI %s), timer %#08x\n",
            pm->pm_base, pm->sts, pm->en, pm->cntrl, (pm->cntrl & SCI_EN) ? "on" : "off",
            piix4_pm_timer(pm));
}

static const struct device_ops piix4_pm_ops = {
    "piix4-pm", 1, piix4_pm_reset, piix4_pm_save, piix4_pm_load, piix4_pm_dump,
};

int piix4_pm_init(struct piix4_pm *pm, struct pci_bus *bus, uint8_t devfn, struct portio *io,
                  struct clock *clock, struct device_registry *reg)
{
    pm->clock = clock;
    pm->io = io;
    pm->pm_base = 0;
    timer_init(&pm->overflow, "acpi-timer", on_overflow, pm);
    pm->pci.name = "piix4-pm";
    pm->pci.opaque = pm;
    pm->pci.config_written = config_written;
    pm->pci.wmask[PMBA] = 0xC0;
    pm->pci.wmask[PMBA + 1] = 0xFF;
    pm->pci.wmask[PMREGMISC] = 0x01;
    for (int k = 0; k < 4; k++)
        pm->pci.wmask[DEVACTB + k] = 0xFF;
    /* SMBus base and host configuration: storage only (no SMBus devices). */
    for (int k = 0x90; k < 0x94; k++)
        pm->pci.wmask[k] = 0xFF;
    pm->pci.wmask[0xD2] = 0xFF;
    if (pci_register(bus, &pm->pci, devfn, 0x8086, 0x7113, 0x03, 0x068000) != 0)
        return -1;
    if (portio_register(io, APM_CNT_PORT, 2, PORTIO_SIZE_8, apm_read, apm_write, pm, "apm") != 0)
        return -1;
    const unsigned all = PORTIO_SIZE_8 | PORTIO_SIZE_16 | PORTIO_SIZE_32;
    if (portio_register(io, 0xAE00, 16, all, acpi_ext_read, acpi_ext_write, pm, "acpi-pcihp") != 0 ||
        portio_register(io, 0xAF00, 32, all, acpi_ext_read, acpi_ext_write, pm, "acpi-cpuhp") != 0 ||
        portio_register(io, 0xAFE0, 4, all, acpi_ext_read, acpi_ext_write, pm, "acpi-gpe0") != 0)
        return -1;
    return device_register(reg, &piix4_pm_ops, pm);
}
