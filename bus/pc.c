/*
 * The PC board: wires the chipset, devices and firmware into a machine.
 * See pc.h for the layout.
 */
#include "bus/pc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/linux_loader.h"
#include "bus/machine_impl.h"
#include "config.h"

#define BUS_VIEW_BASE 0xC0000u
#define BUS_VIEW_SIZE 0x40000u
#define VGA_DEVFN (2u << 3)
#define PIIX_DEVFN (1u << 3)
#define SMRAM_REG 0x72

/* ------------------------------------------------------------------ */
/* Interrupt wiring                                                    */

static void cpu_intr_sink(void *opaque, int pin, int level)
{
    struct machine *m = opaque;
    (void)pin;
    x86_set_intr(&m->cpu, level);
}

static uint8_t cpu_intr_ack(void *opaque)
{
    struct machine *m = opaque;
    return pic_acknowledge(&m->pc.pic);
}

static void to_pic(struct irq_line *line, struct pc_board *pc, int irq)
{
    irq_connect(line, pic_irq_sink, &pc->pic, irq);
}

/* ------------------------------------------------------------------ */
/* A20, reset, SMRAM, power                                            */

static void apply_a20(struct machine *m)
{
    physmem_set_a20(&m->mem, m->pc.a20_kbc || m->pc.a20_port92);
}

static void kbc_set_a20(void *opaque, int on)
{
    struct machine *m = opaque;
    m->pc.a20_kbc = on;
    apply_a20(m);
}

static void port92_set_a20(void *opaque, int on)
{
    struct machine *m = opaque;
    m->pc.a20_port92 = on;
    apply_a20(m);
}

/* Resets requested from inside a port write happen between CPU slices. */
static void request_cpu_reset(void *opaque)
{
    struct machine *m = opaque;
    if (m->pc.reset_pending < 1)
        m->pc.reset_pending = 1;
    x86_request_stop(&m->cpu);
}

static void pci_reset(void *opaque, int hard)
{
    struct machine *m = opaque;
    m->pc.reset_pending = hard ? 2 : 1;
    x86_request_stop(&m->cpu);
}

static void power_off(void *opaque)
{
    struct machine *m = opaque;
    m->pc.powered_off = 1;
    x86_request_stop(&m->cpu);
}

static void apm_smi(void *opaque)
{
    struct machine *m = opaque;
    x86_smi(&m->cpu);
}

/* SMRAM (82441FX SMRAM register 72h): while the CPU is in SMM with
 * G_SMRAME set, or whenever D_OPEN is set, 0xA0000-0xBFFFF is RAM instead
 * of the VGA window (datasheet 3.2.22). */
static void update_smram(struct machine *m)
{
    uint8_t smram = pci_get8(&m->pc.chipset.host, SMRAM_REG);
    int open = (smram & 0x40) || (m->cpu.in_smm && (smram & 0x08));
    if (open)
        physmem_route(&m->mem, 0xA0000, 0x20000, m->mem.ram + 0xA0000, m->mem.ram + 0xA0000);
    else
        vga_map_window(&m->pc.vga, &m->mem);
}

static void cpu_smm_changed(void *opaque, int in_smm)
{
    struct machine *m = opaque;
    (void)in_smm;
    update_smram(m);
}

static void chipset_smram_changed(void *opaque)
{
    update_smram(opaque);
}

/* The floppy controller's DMA, through the 8237 (channel 2). */
static int fdc_dma(void *opaque, int channel, void *buf, int len, int to_memory, int *terminal_count)
{
    struct machine *m = opaque;
    int n = dma_transfer(&m->pc.dma, channel, buf, len, to_memory);
    *terminal_count = dma_terminal_count(&m->pc.dma, channel);
    return n;
}

/* FERR# from the FPU goes to IRQ 13 (the PC/AT wiring for CR0.NE = 0);
 * a write to port F0h clears it (IBM PC/AT Technical Reference). */
static void cpu_ferr(void *opaque, int level)
{
    struct machine *m = opaque;
    pic_irq_sink(&m->pc.pic, 13, level);
}

static void fpu_clear_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct machine *m = opaque;
    (void)port;
    (void)value;
    (void)size;
    pic_irq_sink(&m->pc.pic, 13, 0);
}

/* ------------------------------------------------------------------ */
/* Port 61h and the PIT                                                */

static int sysctl_get_out2(void *opaque)
{
    struct machine *m = opaque;
    return pit_out(&m->pc.pit, 2);
}

static void sysctl_set_gate2(void *opaque, int level)
{
    struct machine *m = opaque;
    pit_set_gate(&m->pc.pit, 2, level);
}

/* ------------------------------------------------------------------ */
/* Firmware                                                            */

static uint8_t *read_firmware(const char *path, size_t max, size_t *len, const char *package, char *err,
                              size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open firmware '%s' (Debian package %s)", path, package);
        return NULL;
    }
    fclose(f);
    return machine_load_file(path, max, len, err, errlen);
}

static const char *default_bios(char *buf, size_t n)
{
    snprintf(buf, n, "%s/bios-256k.bin", TRAPEZE_FIRMWARE_DIR[0] ? TRAPEZE_FIRMWARE_DIR : "/usr/share/seabios");
    FILE *f = fopen(buf, "rb");
    if (f) {
        fclose(f);
        return buf;
    }
    snprintf(buf, n, "%s/bios.bin", TRAPEZE_FIRMWARE_DIR[0] ? TRAPEZE_FIRMWARE_DIR : "/usr/share/seabios");
    return buf;
}

/* The system BIOS: mapped whole just below 4 GiB, and its last 128 KiB at
 * 0xE0000-0xFFFFF (the window the PAM registers shadow). */
static int load_bios(struct machine *m, char *err, size_t errlen)
{
    char path[512];
    const char *bios = m->cfg.bios ? m->cfg.bios : default_bios(path, sizeof(path));
    size_t len;
    uint8_t *img = read_firmware(bios, 1u << 20, &len, "seabios", err, errlen);
    if (!img)
        return -1;
    if (len < 0x10000 || len % 0x10000) {
        snprintf(err, errlen, "BIOS image '%s' is %zu bytes (expected a multiple of 64 KiB)", bios, len);
        free(img);
        return -1;
    }
    int r = physmem_map_rom(&m->mem, 0x100000000ull - len, img, len);
    size_t low = len < 0x20000 ? len : 0x20000;
    memcpy(m->pc.bus_view + BUS_VIEW_SIZE - low, img + len - low, low);
    free(img);
    if (r != 0) {
        snprintf(err, errlen, "cannot map the BIOS");
        return -1;
    }
    return 0;
}

static void vga_bar_mapped(void *opaque, int bar, uint32_t addr)
{
    struct machine *m = opaque;
    struct pc_board *pc = &m->pc;
    if (bar == 0) {
        vga_lfb_map(&pc->vga, &m->mem, addr == PCI_BAR_UNMAPPED ? 0 : addr);
    } else if (bar == 2) {
        vga_mmio_map(&pc->vga, &m->mem, addr == PCI_BAR_UNMAPPED ? 0 : addr);
    } else if (bar == 6 && pc->vga_rom) {
        /* The expansion ROM: the VGA BIOS, read-only where the BAR points.
         * The old place (if any) becomes open bus again. */
        if (pc->vga_rom_at != PCI_BAR_UNMAPPED)
            physmem_unmap(&m->mem, pc->vga_rom_at, pc->vga_rom_size);
        pc->vga_rom_at = addr;
        if (addr != PCI_BAR_UNMAPPED)
            physmem_route(&m->mem, addr, pc->vga_rom_size, pc->vga_rom, NULL);
    }
}

static int wire_vga(struct machine *m, char *err, size_t errlen)
{
    struct pc_board *pc = &m->pc;
    if (vga_init(&pc->vga, &m->io, &m->mem, &m->devices, &m->clock) != 0) {
        snprintf(err, errlen, "cannot wire the VGA");
        return -1;
    }
    char path[512];
    const char *vbios = m->cfg.vga_bios;
    if (!vbios) {
        snprintf(path, sizeof(path), "%s/vgabios-stdvga.bin",
                 TRAPEZE_FIRMWARE_DIR[0] ? TRAPEZE_FIRMWARE_DIR : "/usr/share/seabios");
        vbios = path;
    }
    size_t len;
    uint8_t *img = read_firmware(vbios, 256u * 1024u, &len, "seabios", err, errlen);
    if (!img)
        return -1;
    uint32_t size = 0x10000;
    while (size < len)
        size <<= 1;
    pc->vga_rom = aligned_alloc(PAGE_SIZE, size);
    if (!pc->vga_rom) {
        free(img);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memset(pc->vga_rom, 0xFF, size);
    memcpy(pc->vga_rom, img, len);
    free(img);
    pc->vga_rom_size = size;
    pc->vga_rom_at = PCI_BAR_UNMAPPED;

    struct pci_function *f = &pc->vga_pci;
    f->name = "vga";
    f->opaque = m;
    f->bar_mapped = vga_bar_mapped;
    pci_declare_bar(f, 0, 16u << 20, 0);
    pci_set8(f, PCI_BAR0, 0x08);            /* prefetchable */
    pci_declare_bar(f, 2, 4096, 0);
    pci_declare_bar(f, 6, size, 0);
    if (pci_register(&pc->pci, f, VGA_DEVFN, 0x1234, 0x1111, 0x02, 0x030000) != 0) {
        snprintf(err, errlen, "cannot register the VGA on PCI");
        return -1;
    }
    pci_set16(f, PCI_SUBSYS_VENDOR, 0x1AF4);
    pci_set16(f, PCI_SUBSYS_ID, 0x1100);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Disks                                                               */

static int open_disk(struct machine *m, int slot, const char *path, unsigned sector, char *err, size_t errlen)
{
    char why[256];
    enum disk_access access = sector == 2048 ? DISK_READ_ONLY : DISK_READ_WRITE;
    if (disk_image_open(&m->pc.disks[slot], path, access, sector, NULL, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "%s", why);
        return -1;
    }
    m->pc.disk_open[slot] = 1;
    return 0;
}

static int wire_disks(struct machine *m, char *err, size_t errlen)
{
    struct pc_board *pc = &m->pc;
    char why[256];
    if (m->cfg.hda && (open_disk(m, 0, m->cfg.hda, 512, err, errlen) != 0 ||
                       ide_attach_disk(&pc->ide, 0, 0, &pc->disks[0], why, sizeof(why)) != 0))
        goto fail;
    if (m->cfg.hdb && (open_disk(m, 1, m->cfg.hdb, 512, err, errlen) != 0 ||
                       ide_attach_disk(&pc->ide, 0, 1, &pc->disks[1], why, sizeof(why)) != 0))
        goto fail;
    if (m->cfg.fda) {
        if (open_disk(m, 3, m->cfg.fda, 512, err, errlen) != 0 ||
            fdc_insert(&pc->fdc, 0, &pc->disks[3], why, sizeof(why)) != 0)
            goto fail;
    }
    if (m->cfg.cdrom) {
        if (open_disk(m, 2, m->cfg.cdrom, 2048, err, errlen) != 0 ||
            ide_attach_cdrom(&pc->ide, 1, 0, &pc->disks[2], why, sizeof(why)) != 0)
            goto fail;
    } else if (ide_attach_cdrom(&pc->ide, 1, 0, NULL, why, sizeof(why)) != 0) {
        goto fail;
    }
    return 0;
fail:
    if (!err[0])
        snprintf(err, errlen, "%s", why);
    return -1;
}

/* ------------------------------------------------------------------ */
/* CMOS and fw_cfg                                                     */

static void fill_cmos(struct machine *m)
{
    struct pc_board *pc = &m->pc;
    uint64_t ram = m->mem.ram_size;
    rtc_fill_pc_memory(&pc->rtc, ram, 0);
    /* Equipment byte: VGA (00 in bits 4-5 = EGA/VGA), FPU, a floppy drive
     * when one is attached. */
    rtc_set_byte(&pc->rtc, 0x14, (uint8_t)(0x06 | (m->cfg.fda ? 0x01 : 0)));
    /* Floppy types (0x10): drive A in the high nibble. */
    rtc_set_byte(&pc->rtc, 0x10, (uint8_t)(pc->fdc.drive[0].cmos_type << 4));
    /* Boot order for SeaBIOS and the Bochs BIOS (CMOS 0x3D, 0x38):
     * 1 floppy, 2 hard disk, 3 CD-ROM, 4 option ROM (the kernel loader). */
    uint8_t first;
    if (m->cfg.kernel)
        first = 4;
    else if (m->cfg.boot == 'a')
        first = 1;
    else if (m->cfg.boot == 'd')
        first = 3;
    else
        first = 2;
    uint8_t second = first == 2 ? 3 : 2, third = first == 1 ? 3 : 1;
    rtc_set_byte(&pc->rtc, 0x3D, (uint8_t)(first | second << 4));
    rtc_set_byte(&pc->rtc, 0x38, (uint8_t)(third << 4));
    rtc_update_checksum(&pc->rtc);
}

static int wire_fw_cfg(struct machine *m, char *err, size_t errlen)
{
    struct pc_board *pc = &m->pc;
    struct fw_cfg *cfg = &pc->fwcfg;
    if (fw_cfg_init(cfg, &m->io, &m->devices, &m->mem) != 0) {
        snprintf(err, errlen, "cannot wire fw_cfg");
        return -1;
    }
    fw_cfg_add_u64(cfg, FW_CFG_RAM_SIZE, m->mem.ram_size);
    fw_cfg_add_u16(cfg, FW_CFG_NB_CPUS, 1);
    fw_cfg_add_u16(cfg, FW_CFG_MAX_CPUS, 1);
    fw_cfg_add_u16(cfg, FW_CFG_NOGRAPHIC, 0);
    fw_cfg_add_u16(cfg, FW_CFG_BOOT_MENU, 0);
    uint64_t numa = 0;
    fw_cfg_add_bytes(cfg, FW_CFG_NUMA, &numa, sizeof(numa));
    fw_cfg_add_e820(cfg, m->mem.ram_size, 0);
    if (!m->cfg.kernel)
        return 0;

    struct linux_boot lb;
    uint8_t *rom = NULL;
    size_t rom_len = 0;
    char path[512];
    snprintf(path, sizeof(path), "%s", m->cfg.linuxboot_rom ? m->cfg.linuxboot_rom : "build/roms/linuxboot.bin");
    if (linux_boot_load_files(&lb, m->cfg.kernel, m->cfg.initrd, m->cfg.append, m->mem.ram_size, err, errlen) != 0)
        return -1;
    if (linux_boot_read_rom(path, &rom, &rom_len, err, errlen) != 0) {
        linux_boot_free(&lb);
        return -1;
    }
    int r = linux_boot_to_fw_cfg(&lb, cfg, rom, rom_len);
    free(rom);
    linux_boot_free(&lb);
    if (r != 0) {
        snprintf(err, errlen, "cannot hand the kernel to the firmware");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */

static int wire_chipset(struct machine *m, char *err, size_t errlen)
{
    struct pc_board *pc = &m->pc;
    pc->bus_view = aligned_alloc(PAGE_SIZE, BUS_VIEW_SIZE);
    if (!pc->bus_view) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memset(pc->bus_view, 0xFF, BUS_VIEW_SIZE);
    pci_bus_init(&pc->pci, &m->io);
    pc->pci.reset = pci_reset;
    pc->pci.reset_opaque = m;
    if (i440fx_init(&pc->chipset, &pc->pci, &m->mem, pc->bus_view, &m->devices) != 0) {
        snprintf(err, errlen, "cannot wire the i440FX");
        return -1;
    }
    /* The identity QEMU's i440FX machine carries (see pc.h). */
    pci_set16(&pc->chipset.host, PCI_SUBSYS_VENDOR, 0x1AF4);
    pci_set16(&pc->chipset.host, PCI_SUBSYS_ID, 0x1100);
    pc->chipset.smram_changed = chipset_smram_changed;
    pc->chipset.opaque = m;
    return 0;
}

static int wire_isa(struct machine *m, char *err, size_t errlen)
{
    struct pc_board *pc = &m->pc;
    int64_t start = m->cfg.rtc_fixed ? m->cfg.rtc_start : (int64_t)time(NULL);
    const struct i8042_board_ops kbc_ops = { kbc_set_a20, request_cpu_reset, m };
    const struct sysctl_ports_ops sys_ops = { sysctl_get_out2, sysctl_set_gate2, port92_set_a20,
                                              request_cpu_reset, NULL, m };
    if (pic_init(&pc->pic, &m->io, &m->devices) != 0 || pit_init(&pc->pit, &m->clock, &m->io, &m->devices) != 0 ||
        rtc_init(&pc->rtc, &m->clock, &m->io, &m->devices, start) != 0 ||
        dma_init(&pc->dma, &m->mem, &m->io, &m->devices) != 0 ||
        i8042_init(&pc->kbc, &m->clock, &m->io, &m->devices, &kbc_ops) != 0 ||
        sysctl_ports_init(&pc->sysctl, &m->clock, &m->io, &m->devices, &sys_ops) != 0 ||
        uart16550_init(&pc->com[0], 0x3F8, &m->clock, &m->io, &m->devices) != 0 ||
        uart16550_init(&pc->com[1], 0x2F8, &m->clock, &m->io, &m->devices) != 0 ||
        fdc_init(&pc->fdc, &m->io, &m->clock, &m->devices, fdc_dma, m) != 0 ||
        portio_register(&m->io, 0xF0, 1, PORTIO_SIZE_8, NULL, fpu_clear_write, m, "fpu-clear") != 0 ||
        debugcon_init(&pc->seabios_log, 0x402, m->cfg.firmware_log, &m->io, &m->devices) != 0 ||
        debugcon_init(&m->console, 0xE9, m->cfg.console, &m->io, &m->devices) != 0) {
        snprintf(err, errlen, "cannot wire the ISA devices");
        return -1;
    }
    irq_connect(&pc->pic.intr, cpu_intr_sink, m, 0);
    to_pic(&pc->pit.irq0, pc, 0);
    to_pic(&pc->kbc.irq_kbd, pc, 1);
    to_pic(&pc->com[1].irq, pc, 3);
    to_pic(&pc->com[0].irq, pc, 4);
    to_pic(&pc->fdc.irq, pc, 6);
    m->cpu.ferr = cpu_ferr;
    m->cpu.ferr_opaque = m;
    to_pic(&pc->rtc.irq, pc, 8);
    to_pic(&pc->kbc.irq_aux, pc, 12);
    return 0;
}

static int wire_pci_devices(struct machine *m, char *err, size_t errlen)
{
    struct pc_board *pc = &m->pc;
    if (ide_init(&pc->ide, &pc->pci, PIIX_DEVFN | 1, &m->io, &m->mem, &m->clock, &m->devices) != 0 ||
        piix4_pm_init(&pc->pm, &pc->pci, PIIX_DEVFN | 3, &m->io, &m->clock, &m->devices) != 0) {
        snprintf(err, errlen, "cannot wire the PIIX functions");
        return -1;
    }
    to_pic(&pc->ide.ch[0].irq, pc, 14);
    to_pic(&pc->ide.ch[1].irq, pc, 15);
    to_pic(&pc->pm.sci, pc, 9);
    pc->pm.power_off = power_off;
    pc->pm.smi = apm_smi;
    pc->pm.opaque = m;
    return wire_vga(m, err, errlen);
}

int pc_wire(struct machine *m, char *err, size_t errlen)
{
    m->cpu.bus.intr_ack = cpu_intr_ack;
    /* An ISA I/O cycle: about 1 us (8 ISA clocks of 8.33 MHz). */
    m->cpu.bus.io_cycles = (uint32_t)(m->clock.hz / 1000000u);
    m->cpu.bus.smm_changed = cpu_smm_changed;
    m->io.log_unclaimed = 0;
    if (wire_chipset(m, err, errlen) != 0 || wire_isa(m, err, errlen) != 0 ||
        wire_pci_devices(m, err, errlen) != 0 || wire_disks(m, err, errlen) != 0 ||
        load_bios(m, err, errlen) != 0 || wire_fw_cfg(m, err, errlen) != 0)
        return -1;
    return 0;
}

/* After the devices' own reset: what the board puts in them. */
void pc_after_reset(struct machine *m)
{
    fill_cmos(m);
    update_smram(m);
}

void pc_unwire(struct machine *m)
{
    struct pc_board *pc = &m->pc;
    for (int k = 0; k < 4; k++)
        if (pc->disk_open[k])
            disk_image_close(&pc->disks[k]);
    vga_destroy(&pc->vga);
    fw_cfg_destroy(&pc->fwcfg);
    free(pc->bus_view);
    free(pc->vga_rom);
}

void pc_service(struct machine *m)
{
    struct pc_board *pc = &m->pc;
    if (pc->powered_off) {
        m->status = MACHINE_POWEROFF;
        return;
    }
    if (pc->reset_pending) {
        int hard = pc->reset_pending == 2;
        pc->reset_pending = 0;
        if (hard) {
            device_reset_all(&m->devices);
            pc_after_reset(m);
        }
        x86_reset(&m->cpu);
    }
}
