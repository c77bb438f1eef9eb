/* The PIIX3 IDE function, driven the way SeaBIOS (src/hw/ata.c) and Linux
 * (libata-sff, ata_piix) drive it: detection, SRST and signatures, IDENTIFY,
 * PIO/multiple/DMA reads and writes checked against the image files,
 * LBA48, errors, the ATAPI CD-ROM, save/load and two machines at once. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus/clock.h"
#include "bus/device.h"
#include "bus/pci.h"
#include "bus/portio.h"
#include "memory/physmem.h"
#include "peripherals/ide.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

#define HZ 100000000u
#define DEVFN 0x09
#define BM 0xC000
#define P1 0x1F0
#define C1 0x3F6
#define P2 0x170
#define C2 0x376

static char dir[] = "/tmp/trapeze-ide-XXXXXX";

struct rig {
    struct clock clock;
    struct portio io;
    struct physmem pm;
    struct pci_bus bus;
    struct device_registry reg;
    struct ide_controller ide;
    int level[16], edges[16];
};

static void irq_sink(void *opaque, int pin, int level)
{
    struct rig *r = opaque;
    if (level && !r->level[pin])
        r->edges[pin]++;
    r->level[pin] = level;
}

static uint8_t in8(struct rig *r, uint16_t p) { return (uint8_t)portio_read(&r->io, p, 1); }
static uint16_t in16(struct rig *r, uint16_t p) { return (uint16_t)portio_read(&r->io, p, 2); }
static uint32_t in32(struct rig *r, uint16_t p) { return portio_read(&r->io, p, 4); }
static void out8(struct rig *r, uint16_t p, uint8_t v) { portio_write(&r->io, p, v, 1); }
static void out16(struct rig *r, uint16_t p, uint16_t v) { portio_write(&r->io, p, v, 2); }
static void out32(struct rig *r, uint16_t p, uint32_t v) { portio_write(&r->io, p, v, 4); }

static void advance_ns(struct rig *r, uint64_t ns)
{
    r->clock.now += clock_ns_to_cycles(&r->clock, ns);
    clock_run_due(&r->clock);
}

/* Polls the alternate status as a driver does; time passes between polls. */
static uint8_t wait_not_busy(struct rig *r, uint16_t ctl)
{
    for (int i = 0; i < 100000; i++) {
        uint8_t st = in8(r, ctl);
        if (!(st & 0x80))
            return st;
        advance_ns(r, 1000);
    }
    return 0xFF;
}

static struct rig *rig_new(void)
{
    struct rig *r = calloc(1, sizeof(*r));
    clock_init(&r->clock, HZ);
    portio_init(&r->io);
    CHECK_EQ(physmem_init(&r->pm, 1 << 20), 0);
    pci_bus_init(&r->bus, &r->io);
    device_registry_init(&r->reg);
    CHECK_EQ(ide_init(&r->ide, &r->bus, DEVFN, &r->io, &r->pm, &r->clock, &r->reg), 0);
    irq_connect(&r->ide.ch[0].irq, irq_sink, r, 14);
    irq_connect(&r->ide.ch[1].irq, irq_sink, r, 15);
    return r;
}

/* What firmware does before using the function (SeaBIOS piix_ide_setup
 * and pci_enable_iobar / pci_enable_busmaster). */
static void rig_enable(struct rig *r)
{
    pci_config_write(&r->bus, DEVFN, 0x40, 0x8000, 2);
    pci_config_write(&r->bus, DEVFN, 0x42, 0x8000, 2);
    pci_config_write(&r->bus, DEVFN, 0x20, BM, 4);
    pci_config_write(&r->bus, DEVFN, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER, 2);
}

static void rig_free(struct rig *r)
{
    physmem_destroy(&r->pm);
    free(r);
}

static void make_image(const char *name, char *path, size_t pathlen, uint64_t bytes, int seed)
{
    snprintf(path, pathlen, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    for (uint64_t i = 0; i < bytes; i++)
        fputc((int)((i / 512 * 31 + i * 7 + (uint64_t)seed) & 0xFF), f);
    fclose(f);
}

static uint8_t image_byte(uint64_t off, int seed) { return (uint8_t)((off / 512 * 31 + off * 7 + (uint64_t)seed) & 0xFF); }

static void file_read(const char *path, uint64_t off, void *buf, size_t n)
{
    int fd = open(path, O_RDONLY);
    CHECK_EQ(pread(fd, buf, n, (off_t)off), (ssize_t)n);
    close(fd);
}

static void open_image(struct disk_image *d, const char *path, enum disk_access a, unsigned ss)
{
    char why[300];
    int rc = disk_image_open(d, path, a, ss, NULL, why, sizeof(why));
    CHECK_EQ(rc, 0);
    if (rc)
        fprintf(stderr, "%s\n", why);
}

/* ---- ATA helpers. */
static void task_lba28(struct rig *r, uint16_t base, int dev, uint32_t lba, uint8_t count)
{
    out8(r, base + 6, (uint8_t)(0xE0 | dev << 4 | ((lba >> 24) & 0xF)));
    out8(r, base + 2, count);
    out8(r, base + 3, (uint8_t)lba);
    out8(r, base + 4, (uint8_t)(lba >> 8));
    out8(r, base + 5, (uint8_t)(lba >> 16));
}

static void task_lba48(struct rig *r, uint16_t base, int dev, uint64_t lba, uint16_t count)
{
    out8(r, base + 6, (uint8_t)(0x40 | dev << 4));
    out8(r, base + 2, (uint8_t)(count >> 8));
    out8(r, base + 3, (uint8_t)(lba >> 24));
    out8(r, base + 4, (uint8_t)(lba >> 32));
    out8(r, base + 5, (uint8_t)(lba >> 40));
    out8(r, base + 2, (uint8_t)count);
    out8(r, base + 3, (uint8_t)lba);
    out8(r, base + 4, (uint8_t)(lba >> 8));
    out8(r, base + 5, (uint8_t)(lba >> 16));
}

/* PIO data-in of `blocks` DRQ blocks of `words` words each. */
static int pio_read(struct rig *r, uint16_t base, uint16_t ctl, uint8_t cmd, uint8_t *buf, int blocks, int words,
                    int use32)
{
    out8(r, base + 7, cmd);
    for (int b = 0; b < blocks; b++) {
        uint8_t st = wait_not_busy(r, ctl);
        if ((st & 0x89) != 0x08)
            return -1;
        in8(r, base + 7);   /* acknowledge the interrupt as a handler does */
        for (int w = 0; w < words; w += use32 ? 2 : 1) {
            if (use32) {
                uint32_t v = in32(r, base);
                for (int k = 0; k < 4; k++)
                    *buf++ = (uint8_t)(v >> (8 * k));
            } else {
                uint16_t v = in16(r, base);
                *buf++ = (uint8_t)v;
                *buf++ = (uint8_t)(v >> 8);
            }
        }
    }
    return wait_not_busy(r, ctl);
}

static int pio_write(struct rig *r, uint16_t base, uint16_t ctl, uint8_t cmd, const uint8_t *buf, int blocks,
                     int words)
{
    out8(r, base + 7, cmd);
    for (int b = 0; b < blocks; b++) {
        uint8_t st = wait_not_busy(r, ctl);
        if ((st & 0x89) != 0x08)
            return -1;
        in8(r, base + 7);
        for (int w = 0; w < words; w++, buf += 2)
            out16(r, base, (uint16_t)(buf[0] | buf[1] << 8));
    }
    return wait_not_busy(r, ctl);
}

static void soft_reset(struct rig *r, uint16_t ctl)
{
    out8(r, ctl, 0x0E);     /* SRST | nIEN (plus the old HD15 bit) */
    CHECK(in8(r, ctl) & 0x80);
    advance_ns(r, 5000);
    out8(r, ctl, 0x0A);
    CHECK(in8(r, ctl) & 0x80);  /* still busy right after SRST is released */
    CHECK(wait_not_busy(r, ctl) != 0xFF);
    out8(r, ctl, 0x08);     /* interrupts on */
}

static void identify(struct rig *r, uint16_t base, uint16_t ctl, int dev, uint8_t cmd, uint16_t *id)
{
    uint8_t buf[512];
    out8(r, base + 6, (uint8_t)(0xA0 | dev << 4));
    CHECK_EQ(pio_read(r, base, ctl, cmd, buf, 1, 256, 0) & 0x89, 0);
    for (int i = 0; i < 256; i++)
        id[i] = (uint16_t)(buf[2 * i] | buf[2 * i + 1] << 8);
}

static void id_string(const uint16_t *id, int first, int n, char *out)
{
    for (int i = 0; i < n; i++) {
        out[2 * i] = (char)(id[first + i] >> 8);
        out[2 * i + 1] = (char)id[first + i];
    }
    out[2 * n] = 0;
}

static void check_identify_checksum(const uint16_t *id)
{
    uint8_t sum = 0;
    for (int i = 0; i < 256; i++)
        sum = (uint8_t)(sum + (id[i] & 0xFF) + (id[i] >> 8));
    CHECK_EQ(sum, 0);
    CHECK_EQ(id[255] & 0xFF, 0xA5);
}

static uint8_t nondata(struct rig *r, uint16_t base, uint16_t ctl, uint8_t cmd)
{
    out8(r, base + 7, cmd);
    CHECK(in8(r, ctl) & 0x80);      /* nothing completes instantly */
    uint8_t st = wait_not_busy(r, ctl);
    in8(r, base + 7);
    return st;
}

/* SeaBIOS's ata_detect / ata_reset / init_drive_atapi / init_drive_ata. */
static void test_detect_and_identify(void)
{
    char p[512], why[200];
    make_image("hd.img", p, sizeof(p), 16384 * 512, 1);
    struct disk_image img;
    open_image(&img, p, DISK_READ_WRITE, 512);
    struct rig *r = rig_new();
    CHECK_EQ(ide_attach_disk(&r->ide, 0, 0, &img, why, sizeof(why)), 0);
    CHECK_EQ(ide_attach_disk(&r->ide, 0, 0, &img, why, sizeof(why)), -1);
    CHECK_EQ(ide_attach_cdrom(&r->ide, 2, 0, NULL, why, sizeof(why)), -1);
    CHECK_EQ(ide_attach_cdrom(&r->ide, 1, 1, &img, why, sizeof(why)), -1);   /* 512-byte sectors */
    device_reset_all(&r->reg);
    CHECK_EQ(in8(r, P1 + 7), 0xFF);         /* IDETIM decode enable is off after reset */
    rig_enable(r);
    CHECK_EQ(pci_config_read(&r->bus, DEVFN, 0, 4), 0x70108086);
    CHECK_EQ(pci_config_read(&r->bus, DEVFN, 8, 4) >> 8, 0x010180);
    CHECK_EQ(pci_config_read(&r->bus, DEVFN, 0x20, 4), BM | 1);
    CHECK_EQ(r->ide.bm_base, BM);
    CHECK_EQ(in8(r, P2 + 7), 0x7F);         /* the secondary cable is empty */

    out8(r, P1 + 6, 0xA0);
    CHECK_EQ(in8(r, P1 + 7) & 0x80, 0);
    out8(r, P1 + 2, 0x55);
    out8(r, P1 + 3, 0xAA);
    CHECK_EQ(in8(r, P1 + 2), 0x55);
    CHECK_EQ(in8(r, P1 + 3), 0xAA);
    CHECK_EQ(in8(r, P1 + 6), 0xA0);
    CHECK_EQ(in16(r, P1 + 2), 0xAA55);      /* a word access to byte registers */
    soft_reset(r, C1);
    CHECK_EQ(in8(r, P1 + 2), 1);
    CHECK_EQ(in8(r, P1 + 3), 1);
    CHECK_EQ(in8(r, P1 + 4), 0);
    CHECK_EQ(in8(r, P1 + 5), 0);
    CHECK_EQ(in8(r, P1 + 1), 1);
    CHECK_EQ(in8(r, P1 + 7), 0x50);
    CHECK_EQ(in8(r, P1 + 6) & 0x10, 0);
    CHECK_EQ(r->edges[14], 0);              /* SRST raises no interrupt */

    /* The absent slave: status 00h, signature FFh/FFh, commands ignored. */
    out8(r, P1 + 6, 0xB0);
    CHECK_EQ(in8(r, P1 + 7), 0);
    CHECK_EQ(in8(r, C1), 0);
    CHECK_EQ(in8(r, P1 + 4), 0xFF);
    CHECK_EQ(in8(r, P1 + 5), 0xFF);
    out8(r, P1 + 7, 0xEC);
    advance_ns(r, 100000);
    CHECK_EQ(in8(r, P1 + 7), 0);
    CHECK_EQ(r->edges[14], 0);

    out8(r, P1 + 6, 0xA0);
    out8(r, C1, 0x0A);
    CHECK_EQ(nondata(r, P1, C1, 0xA1), 0x51);   /* IDENTIFY PACKET DEVICE: aborted */
    CHECK_EQ(in8(r, P1 + 1), 0x04);
    CHECK_EQ(r->edges[14], 0);              /* nIEN held the interrupt */
    out8(r, C1, 0x08);

    uint16_t id[256];
    int e = r->edges[14];
    identify(r, P1, C1, 0, 0xEC, id);
    CHECK_EQ(r->edges[14], e + 1);
    CHECK_EQ(r->level[14], 0);              /* the status read acknowledged it */
    CHECK_EQ(id[0], 0x0040);
    CHECK_EQ(id[1], 16);
    CHECK_EQ(id[3], 16);
    CHECK_EQ(id[6], 63);
    CHECK_EQ(id[54] * id[55] * id[56], (uint32_t)id[57] | (uint32_t)id[58] << 16);
    CHECK_EQ((uint32_t)id[60] | (uint32_t)id[61] << 16, 16384);
    CHECK_EQ(id[100], 16384);
    CHECK_EQ(id[101] | id[102] | id[103], 0);
    CHECK_EQ(id[47] & 0xFF, 16);
    CHECK_EQ(id[49] & 0x0300, 0x0300);      /* LBA and DMA */
    CHECK(id[83] & (1 << 10));              /* 48-bit */
    CHECK(id[83] & (1 << 12));              /* FLUSH CACHE */
    CHECK_EQ(id[63] & 7, 7);
    CHECK_EQ(id[93] & 0xDF61, 0x4041);      /* no device 1: SeaBIOS skips it */
    CHECK(id[80] & (1 << 6));
    char s[41];
    id_string(id, 27, 20, s);
    CHECK(strncmp(s, "TRAPEZE HARDDISK    ", 20) == 0);
    id_string(id, 23, 4, s);
    CHECK(strncmp(s, "1.0 ", 4) == 0);
    check_identify_checksum(id);
    CHECK(in8(r, BM + 2) & 0x04);           /* BMISx latched the interrupt edge */
    out8(r, BM + 2, 0x04);
    CHECK_EQ(in8(r, BM + 2) & 0x04, 0);
    CHECK_EQ(nondata(r, P1, C1, 0x00), 0x51);   /* NOP aborts */
    CHECK_EQ(nondata(r, P1, C1, 0x08), 0x51);   /* DEVICE RESET is for PACKET devices */
    CHECK_EQ(in16(r, P1), 0xFFFF);          /* data register without DRQ */

    /* Decode off again: the legacy ports float. */
    pci_config_write(&r->bus, DEVFN, 0x40, 0x0000, 2);
    CHECK_EQ(in8(r, P1 + 7), 0xFF);
    rig_free(r);
    disk_image_close(&img);
}

static void test_pio(void)
{
    char p[512];
    make_image("pio.img", p, sizeof(p), 2048 * 512, 2);
    struct disk_image img;
    open_image(&img, p, DISK_READ_WRITE, 512);
    struct rig *r = rig_new();
    char why[200];
    ide_attach_disk(&r->ide, 0, 0, &img, why, sizeof(why));
    device_reset_all(&r->reg);
    rig_enable(r);
    soft_reset(r, C1);

    uint8_t out[3 * 512], in[3 * 512], disk[3 * 512];
    for (int i = 0; i < (int)sizeof(out); i++)
        out[i] = (uint8_t)(i * 5 + 3);
    int e = r->edges[14];
    task_lba28(r, P1, 0, 100, 3);
    CHECK_EQ(pio_write(r, P1, C1, 0x30, out, 3, 256) & 0x89, 0);
    CHECK_EQ(r->edges[14], e + 3);          /* two "next block" and one completion */
    file_read(p, 100 * 512, disk, sizeof(disk));
    CHECK(memcmp(disk, out, sizeof(out)) == 0);
    CHECK_EQ(in8(r, P1 + 3), 102);          /* the last sector written */
    CHECK_EQ(in8(r, P1 + 2), 0);

    e = r->edges[14];
    task_lba28(r, P1, 0, 100, 3);
    CHECK_EQ(pio_read(r, P1, C1, 0x20, in, 3, 256, 1) & 0x89, 0);  /* 32-bit data port */
    CHECK(memcmp(in, out, sizeof(out)) == 0);
    CHECK_EQ(r->edges[14], e + 3);          /* one per block, none at the end */

    /* CHS: cylinder 1, head 2, sector 3 with the 16x63 translation. */
    out8(r, P1 + 6, 0xA2);
    out8(r, P1 + 2, 1);
    out8(r, P1 + 3, 3);
    out8(r, P1 + 4, 1);
    out8(r, P1 + 5, 0);
    CHECK_EQ(pio_read(r, P1, C1, 0x20, in, 1, 256, 0) & 0x89, 0);
    uint64_t lba = (1 * 16 + 2) * 63 + 2;
    CHECK_EQ(in[0], image_byte(lba * 512, 2));
    CHECK_EQ(in[511], image_byte(lba * 512 + 511, 2));

    /* Timing: BSY for the command's time, then data. */
    task_lba28(r, P1, 0, 5, 1);
    out8(r, P1 + 7, 0x20);
    CHECK_EQ(in8(r, C1), 0x80);
    advance_ns(r, IDE_CMD_NS / 2);
    CHECK_EQ(in8(r, C1) & 0x88, 0x80);
    advance_ns(r, IDE_CMD_NS);
    CHECK_EQ(in8(r, C1), 0x58);
    for (int i = 0; i < 256; i++)
        in16(r, P1);
    CHECK_EQ(in8(r, C1), 0x50);
    rig_free(r);
    disk_image_close(&img);
}

static void test_lba48(void)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/big.img", dir);
    uint64_t sectors = (1ull << 28) + 64;
    int fd = open(p, O_CREAT | O_RDWR, 0644);
    if (fd < 0 || ftruncate(fd, (off_t)(sectors * 512)) != 0) {
        fprintf(stderr, "test_lba48: no sparse 128 GiB file here (%s); skipped\n", strerror(errno));
        if (fd >= 0)
            close(fd);
        return;
    }
    close(fd);
    struct disk_image img;
    open_image(&img, p, DISK_READ_WRITE, 512);
    struct rig *r = rig_new();
    char why[200];
    ide_attach_disk(&r->ide, 0, 0, &img, why, sizeof(why));
    device_reset_all(&r->reg);
    rig_enable(r);
    soft_reset(r, C1);
    uint16_t id[256];
    identify(r, P1, C1, 0, 0xEC, id);
    CHECK_EQ((uint32_t)id[60] | (uint32_t)id[61] << 16, 0x0FFFFFFF);
    CHECK_EQ((uint64_t)id[100] | (uint64_t)id[101] << 16 | (uint64_t)id[102] << 32, sectors);
    CHECK_EQ(id[1], 16383);

    uint64_t lba = (1ull << 28) + 10;
    uint8_t out[2 * 512], in[2 * 512], disk[2 * 512];
    for (int i = 0; i < (int)sizeof(out); i++)
        out[i] = (uint8_t)(i ^ 0x3C);
    task_lba48(r, P1, 0, lba, 2);
    CHECK_EQ(pio_write(r, P1, C1, 0x34, out, 2, 256) & 0x89, 0);
    file_read(p, lba * 512, disk, sizeof(disk));
    CHECK(memcmp(disk, out, sizeof(out)) == 0);
    CHECK_EQ(in8(r, P1 + 3), 11);           /* low byte of the last sector */
    out8(r, C1, 0x88);                      /* HOB: the high-order bytes */
    CHECK_EQ(in8(r, P1 + 3), 0x10);
    out8(r, C1, 0x08);
    memset(in, 0, sizeof(in));
    task_lba48(r, P1, 0, lba, 2);
    CHECK_EQ(pio_read(r, P1, C1, 0x24, in, 2, 256, 0) & 0x89, 0);
    CHECK(memcmp(in, out, sizeof(out)) == 0);

    task_lba28(r, P1, 0, 0x0FFFFFFF, 1);    /* past what 28 bits may reach */
    CHECK_EQ(nondata(r, P1, C1, 0x20), 0x51);
    CHECK_EQ(in8(r, P1 + 1), 0x10);
    task_lba48(r, P1, 0, sectors - 1, 2);   /* one sector past the end */
    CHECK_EQ(nondata(r, P1, C1, 0x24), 0x51);
    CHECK_EQ(in8(r, P1 + 1), 0x10);
    rig_free(r);
    disk_image_close(&img);
    unlink(p);
}

static int pio_read_blocks(struct rig *r, uint8_t cmd, uint8_t *buf, int sectors, int per_block, int *irqs)
{
    int e = r->edges[14];
    out8(r, P1 + 7, cmd);
    while (sectors > 0) {
        uint8_t st = wait_not_busy(r, C1);
        if ((st & 0x89) != 0x08)
            return -1;
        in8(r, P1 + 7);
        int n = sectors < per_block ? sectors : per_block;
        for (int w = 0; w < n * 256; w++) {
            uint16_t v = in16(r, P1);
            *buf++ = (uint8_t)v;
            *buf++ = (uint8_t)(v >> 8);
        }
        sectors -= n;
        if (sectors > 0)
            CHECK(in8(r, C1) & 0x80);   /* BSY between blocks */
    }
    *irqs = r->edges[14] - e;
    return wait_not_busy(r, C1);
}

static void test_multiple(void)
{
    char p[512], why[200];
    make_image("mult.img", p, sizeof(p), 2048 * 512, 3);
    struct disk_image img;
    open_image(&img, p, DISK_READ_WRITE, 512);
    struct rig *r = rig_new();
    ide_attach_disk(&r->ide, 0, 0, &img, why, sizeof(why));
    device_reset_all(&r->reg);
    rig_enable(r);
    soft_reset(r, C1);
    task_lba28(r, P1, 0, 0, 1);
    CHECK_EQ(nondata(r, P1, C1, 0xC4), 0x51);   /* READ MULTIPLE before SET MULTIPLE */
    out8(r, P1 + 2, 3);
    CHECK_EQ(nondata(r, P1, C1, 0xC6), 0x51);   /* not a power of two */
    out8(r, P1 + 2, 4);
    CHECK_EQ(nondata(r, P1, C1, 0xC6), 0x50);
    uint16_t id[256];
    identify(r, P1, C1, 0, 0xEC, id);
    CHECK_EQ(id[59], 0x0104);

    uint8_t buf[10 * 512];
    int irqs = 0;
    task_lba28(r, P1, 0, 20, 10);
    CHECK_EQ(pio_read_blocks(r, 0xC4, buf, 10, 4, &irqs) & 0x89, 0);
    CHECK_EQ(irqs, 3);                      /* blocks of 4, 4 and 2 */
    int ok = 1;
    for (int i = 0; i < 10 * 512; i++)
        ok &= buf[i] == image_byte(20 * 512 + (uint64_t)i, 3);
    CHECK(ok);

    uint8_t out[6 * 512], disk[6 * 512];
    for (int i = 0; i < (int)sizeof(out); i++)
        out[i] = (uint8_t)(i * 11);
    task_lba48(r, P1, 0, 600, 6);
    out8(r, P1 + 7, 0x39);                  /* WRITE MULTIPLE EXT: blocks of 4 and 2 */
    CHECK_EQ(wait_not_busy(r, C1) & 0x89, 0x08);
    for (int w = 0; w < 4 * 256; w++)
        out16(r, P1, (uint16_t)(out[2 * w] | out[2 * w + 1] << 8));
    CHECK_EQ(wait_not_busy(r, C1) & 0x89, 0x08);
    for (int w = 4 * 256; w < 6 * 256; w++)
        out16(r, P1, (uint16_t)(out[2 * w] | out[2 * w + 1] << 8));
    CHECK_EQ(wait_not_busy(r, C1), 0x50);
    file_read(p, 600 * 512, disk, sizeof(disk));
    CHECK(memcmp(disk, out, sizeof(out)) == 0);
    out8(r, P1 + 2, 0);
    CHECK_EQ(nondata(r, P1, C1, 0xC6), 0x50);   /* 0 turns multiple mode off */
    identify(r, P1, C1, 0, 0xEC, id);
    CHECK_EQ(id[59], 0);
    rig_free(r);
    disk_image_close(&img);
}

static void set_prd(struct rig *r, uint32_t table, int i, uint32_t addr, uint32_t count, int eot)
{
    uint8_t e[8];
    le32_store(e, addr);
    le16_store(e + 4, (uint16_t)count);
    e[6] = 0;
    e[7] = eot ? 0x80 : 0;
    physmem_copy_to(&r->pm, table + 8u * (uint32_t)i, e, 8);
}

/* Linux's ata_bmdma_setup + ata_bmdma_start, then wait for the interrupt
 * (or give up); returns BMISx. */
static uint8_t dma_cmd(struct rig *r, uint8_t cmd, uint32_t table, int to_memory, int wait_ns)
{
    uint8_t rw = to_memory ? 0x08 : 0x00;
    out32(r, BM + 4, table);
    out8(r, BM, rw);
    out8(r, BM + 2, 0x06);
    out8(r, P1 + 7, cmd);
    out8(r, BM, rw | 1);
    for (int i = 0; i < wait_ns / 1000 && !(in8(r, BM + 2) & 0x04); i++)
        advance_ns(r, 1000);
    return in8(r, BM + 2);
}

static int ram_matches_image(struct rig *r, uint32_t gpa, uint64_t off, uint32_t n, int seed)
{
    int ok = 1;
    for (uint32_t i = 0; i < n; i++)
        ok &= r->pm.ram[gpa + i] == image_byte(off + i, seed);
    return ok;
}

static void test_dma(void)
{
    char p[512], why[200];
    make_image("dma.img", p, sizeof(p), 2048 * 512, 4);
    struct disk_image img;
    open_image(&img, p, DISK_READ_WRITE, 512);
    struct rig *r = rig_new();
    ide_attach_disk(&r->ide, 0, 0, &img, why, sizeof(why));
    device_reset_all(&r->reg);
    rig_enable(r);
    soft_reset(r, C1);

    /* READ DMA, 4 sectors over two PRD regions. */
    set_prd(r, 0x8000, 0, 0x10000, 1000, 0);
    set_prd(r, 0x8000, 1, 0x20000, 1048, 1);
    task_lba28(r, P1, 0, 8, 4);
    CHECK_EQ(dma_cmd(r, 0xC8, 0x8000, 1, 1000000), 0x04);     /* interrupt, not active */
    out8(r, BM, 0x08);
    CHECK_EQ(in8(r, P1 + 7), 0x50);
    CHECK(ram_matches_image(r, 0x10000, 8 * 512, 1000, 4));
    CHECK(ram_matches_image(r, 0x20000, 8 * 512 + 1000, 1048, 4));

    /* WRITE DMA from RAM to the file. */
    for (int i = 0; i < 1024; i++)
        r->pm.ram[0x30000 + i] = (uint8_t)(i * 3 + 1);
    set_prd(r, 0x8000, 0, 0x30000, 1024, 1);
    task_lba28(r, P1, 0, 50, 2);
    CHECK_EQ(dma_cmd(r, 0xCA, 0x8000, 0, 1000000), 0x04);
    out8(r, BM, 0x00);
    uint8_t disk[1024];
    file_read(p, 50 * 512, disk, sizeof(disk));
    CHECK(memcmp(disk, &r->pm.ram[0x30000], 1024) == 0);

    /* A PRD table larger than the transfer: interrupt with Active still set. */
    set_prd(r, 0x8000, 0, 0x10000, 4096, 1);
    task_lba28(r, P1, 0, 0, 2);
    CHECK_EQ(dma_cmd(r, 0xC8, 0x8000, 1, 1000000), 0x05);
    out8(r, BM, 0x08);
    CHECK_EQ(in8(r, BM + 2), 0x04);

    /* A table too small: the engine stops, no interrupt, the drive waits;
     * a second table finishes the transfer. */
    memset(&r->pm.ram[0x50000], 0, 1024);
    set_prd(r, 0x8000, 0, 0x50000, 512, 1);
    task_lba28(r, P1, 0, 30, 2);
    CHECK_EQ(dma_cmd(r, 0xC8, 0x8000, 1, 300000), 0x00);
    CHECK_EQ(in8(r, C1) & 0x80, 0x80);
    CHECK(ram_matches_image(r, 0x50000, 30 * 512, 512, 4));
    set_prd(r, 0x8100, 0, 0x50200, 512, 1);
    out8(r, BM, 0x08);
    out32(r, BM + 4, 0x8100);
    out8(r, BM, 0x09);
    for (int i = 0; i < 1000 && !(in8(r, BM + 2) & 4); i++)
        advance_ns(r, 1000);
    CHECK_EQ(in8(r, BM + 2), 0x04);
    CHECK_EQ(in8(r, P1 + 7), 0x50);
    CHECK(ram_matches_image(r, 0x50200, 31 * 512, 512, 4));
    out8(r, BM, 0x08);

    /* Malformed tables stay inside the guest: a table in open bus (its
     * entries read as all ones), and a region running off the end of RAM. */
    task_lba28(r, P1, 0, 0, 1);
    CHECK_EQ(dma_cmd(r, 0xC8, 0xFFFFF000u, 1, 1000000), 0x07);  /* IRQ, error, active */
    out8(r, BM, 0x08);
    CHECK_EQ(in8(r, P1 + 7), 0x50);
    set_prd(r, 0x8000, 0, 0xFFF00, 512, 0);     /* crosses the end of the 1 MiB of RAM */
    set_prd(r, 0x8000, 1, 0x60000, 512, 1);
    task_lba28(r, P1, 0, 0, 2);
    CHECK_EQ(dma_cmd(r, 0xC8, 0x8000, 1, 1000000), 0x06);     /* master abort past RAM */
    CHECK(ram_matches_image(r, 0xFFF00, 0, 256, 4));
    CHECK(ram_matches_image(r, 0x60000, 512, 512, 4));
    out8(r, BM, 0x08);
    out8(r, BM + 2, 0x06);

    /* No bus mastering until the PCI command register allows it. */
    pci_config_write(&r->bus, DEVFN, PCI_COMMAND, PCI_COMMAND_IO, 2);
    set_prd(r, 0x8000, 0, 0x10000, 512, 1);
    task_lba28(r, P1, 0, 77, 1);
    CHECK_EQ(dma_cmd(r, 0xC8, 0x8000, 1, 300000), 0x01);
    pci_config_write(&r->bus, DEVFN, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER, 2);
    for (int i = 0; i < 1000 && !(in8(r, BM + 2) & 4); i++)
        advance_ns(r, 1000);
    CHECK_EQ(in8(r, BM + 2), 0x04);
    CHECK(ram_matches_image(r, 0x10000, 77 * 512, 512, 4));
    out8(r, BM, 0x08);

    /* READ DMA EXT; BM registers answer word and dword accesses too. */
    set_prd(r, 0x8000, 0, 0x70000, 1536, 1);
    task_lba48(r, P1, 0, 1000, 3);
    CHECK_EQ(dma_cmd(r, 0x25, 0x8000, 1, 1000000), 0x04);
    CHECK(ram_matches_image(r, 0x70000, 1000 * 512, 1536, 4));
    CHECK_EQ(in32(r, BM), 0x00040009u);
    CHECK_EQ(in32(r, BM + 4), 0x8000);
    out8(r, BM, 0x08);
    out8(r, BM + 2, 0x66);                  /* DMA-capable bits are plain storage */
    CHECK_EQ(in8(r, BM + 2), 0x60);
    rig_free(r);
    disk_image_close(&img);
}

static void test_errors(void)
{
    char p[512], why[200];
    make_image("err.img", p, sizeof(p), 2048 * 512, 5);
    struct disk_image img;
    open_image(&img, p, DISK_READ_WRITE, 512);
    struct rig *r = rig_new();
    ide_attach_disk(&r->ide, 0, 0, &img, why, sizeof(why));
    device_reset_all(&r->reg);
    rig_enable(r);
    soft_reset(r, C1);

    task_lba28(r, P1, 0, 2048, 1);
    CHECK_EQ(nondata(r, P1, C1, 0x20), 0x51);
    CHECK_EQ(in8(r, P1 + 1), 0x10);         /* IDNF */
    task_lba28(r, P1, 0, 2047, 2);
    CHECK_EQ(nondata(r, P1, C1, 0x30), 0x51);
    CHECK_EQ(in8(r, P1 + 3), 0x00);         /* the first sector out of reach: 2048 */
    CHECK_EQ(in8(r, P1 + 4), 0x08);
    CHECK_EQ(disk_image_sectors(&img), 2048);
    set_prd(r, 0x8000, 0, 0x10000, 4096, 1);
    task_lba28(r, P1, 0, 2040, 9);
    out32(r, BM + 4, 0x8000);
    out8(r, BM, 0x09);
    CHECK_EQ(nondata(r, P1, C1, 0xC8), 0x51);
    out8(r, BM, 0x08);
    out8(r, P1 + 6, 0xA0);                  /* CHS sector 0 does not exist */
    out8(r, P1 + 2, 1);
    out8(r, P1 + 3, 0);
    CHECK_EQ(nondata(r, P1, C1, 0x20), 0x51);
    CHECK_EQ(nondata(r, P1, C1, 0xB0), 0x51);   /* SMART: not implemented */
    CHECK_EQ(in8(r, P1 + 1), 0x04);
    task_lba28(r, P1, 0, 4000, 1);
    CHECK_EQ(nondata(r, P1, C1, 0x70), 0x51);   /* SEEK past the end */
    task_lba28(r, P1, 0, 40, 1);
    CHECK_EQ(nondata(r, P1, C1, 0x70), 0x50);
    task_lba28(r, P1, 0, 40, 16);
    CHECK_EQ(nondata(r, P1, C1, 0x40), 0x50);   /* READ VERIFY */
    CHECK_EQ(nondata(r, P1, C1, 0x10), 0x50);   /* RECALIBRATE */

    /* INITIALIZE DEVICE PARAMETERS: 8 heads, 32 sectors. */
    out8(r, P1 + 6, 0xA7);
    out8(r, P1 + 2, 32);
    CHECK_EQ(nondata(r, P1, C1, 0x91), 0x50);
    uint16_t id[256];
    identify(r, P1, C1, 0, 0xEC, id);
    CHECK_EQ(id[54], 8);
    CHECK_EQ(id[55], 8);
    CHECK_EQ(id[56], 32);
    uint8_t buf[512];
    out8(r, P1 + 6, 0xA1);                  /* C0 H1 S1 = LBA 32 now */
    out8(r, P1 + 2, 1);
    out8(r, P1 + 3, 1);
    out8(r, P1 + 4, 0);
    out8(r, P1 + 5, 0);
    CHECK_EQ(pio_read(r, P1, C1, 0x20, buf, 1, 256, 0) & 0x89, 0);
    CHECK_EQ(buf[0], image_byte(32 * 512, 5));

    /* Write cache, flush, transfer modes, power. */
    uint64_t flushes = img.flushes;
    CHECK_EQ(nondata(r, P1, C1, 0xE7), 0x50);
    CHECK_EQ(img.flushes, flushes + 1);
    CHECK_EQ(nondata(r, P1, C1, 0xEA), 0x50);
    out8(r, P1 + 1, 0x82);
    CHECK_EQ(nondata(r, P1, C1, 0xEF), 0x50);
    identify(r, P1, C1, 0, 0xEC, id);
    CHECK_EQ(id[85] & 0x20, 0);
    flushes = img.flushes;
    task_lba28(r, P1, 0, 3, 1);
    CHECK_EQ(pio_write(r, P1, C1, 0x30, buf, 1, 256), 0x50);
    CHECK_EQ(img.flushes, flushes + 1);     /* cache off: every write reaches the media */
    out8(r, P1 + 1, 0x03);
    out8(r, P1 + 2, 0x22);
    CHECK_EQ(nondata(r, P1, C1, 0xEF), 0x50);   /* Linux: MWDMA2 */
    identify(r, P1, C1, 0, 0xEC, id);
    CHECK_EQ(id[63], 0x0407);
    out8(r, P1 + 2, 0x45);
    CHECK_EQ(nondata(r, P1, C1, 0xEF), 0x51);
    CHECK_EQ(nondata(r, P1, C1, 0xE0), 0x50);   /* STANDBY IMMEDIATE */
    CHECK_EQ(nondata(r, P1, C1, 0xE5), 0x50);
    CHECK_EQ(in8(r, P1 + 2), 0x00);
    CHECK_EQ(nondata(r, P1, C1, 0xE1), 0x50);
    CHECK_EQ(nondata(r, P1, C1, 0xE5), 0x50);
    CHECK_EQ(in8(r, P1 + 2), 0xFF);
    int e = r->edges[14];
    CHECK_EQ(nondata(r, P1, C1, 0x90), 0x50);   /* EXECUTE DEVICE DIAGNOSTIC */
    CHECK_EQ(in8(r, P1 + 1), 0x01);
    CHECK_EQ(r->edges[14], e + 1);
    rig_free(r);
    disk_image_close(&img);

    /* A read-only image: writes abort and the file is untouched. */
    open_image(&img, p, DISK_READ_ONLY, 512);
    r = rig_new();
    ide_attach_disk(&r->ide, 0, 0, &img, why, sizeof(why));
    device_reset_all(&r->reg);
    rig_enable(r);
    task_lba28(r, P1, 0, 9, 1);
    CHECK_EQ(nondata(r, P1, C1, 0x30), 0x51);
    CHECK_EQ(in8(r, P1 + 1), 0x04);
    file_read(p, 9 * 512, buf, 512);
    CHECK_EQ(buf[0], image_byte(9 * 512, 5));
    rig_free(r);
    disk_image_close(&img);
}

/* ---- ATAPI on the secondary channel. */
struct packet_result {
    uint8_t status, error;
    size_t len;
    int blocks;
};

static struct packet_result atapi(struct rig *r, const uint8_t *cdb, uint16_t limit, uint8_t *buf, size_t cap)
{
    struct packet_result res = { 0, 0, 0, 0 };
    out8(r, P2 + 6, 0xA0);
    out8(r, P2 + 1, 0);
    out8(r, P2 + 4, (uint8_t)limit);
    out8(r, P2 + 5, (uint8_t)(limit >> 8));
    out8(r, P2 + 7, 0xA0);
    uint8_t st = wait_not_busy(r, C2);
    CHECK_EQ(st & 0x89, 0x08);
    CHECK_EQ(in8(r, P2 + 2) & 3, 1);        /* C/D: the device wants the command */
    for (int i = 0; i < 6; i++)
        out16(r, P2, (uint16_t)(cdb[2 * i] | cdb[2 * i + 1] << 8));
    for (;;) {
        st = wait_not_busy(r, C2);
        if (!(st & 0x08))
            break;
        CHECK_EQ(in8(r, P2 + 2) & 3, 2);    /* I/O: data to the host */
        in8(r, P2 + 7);
        unsigned n = in8(r, P2 + 4) | in8(r, P2 + 5) << 8;
        CHECK(n <= (limit & ~1u));
        for (unsigned k = 0; k < n; k += 2) {
            uint16_t v = in16(r, P2);
            for (unsigned j = 0; j < 2 && k + j < n; j++, res.len++)
                if (res.len < cap)
                    buf[res.len] = (uint8_t)(v >> (8 * j));
        }
        res.blocks++;
    }
    CHECK_EQ(in8(r, P2 + 2) & 3, 3);        /* status phase */
    res.status = in8(r, P2 + 7);
    res.error = in8(r, P2 + 1);
    return res;
}

static void sense(struct rig *r, uint8_t *key, uint8_t *asc, uint8_t *ascq)
{
    uint8_t cdb[12] = { 0x03, 0, 0, 0, 18 }, b[18];
    struct packet_result res = atapi(r, cdb, 2048, b, sizeof(b));
    CHECK_EQ(res.len, 18);
    *key = b[2] & 0x0F;
    *asc = b[12];
    *ascq = b[13];
}

static int tur_sense(struct rig *r, uint8_t *asc)
{
    uint8_t cdb[12] = { 0 }, key, ascq;
    struct packet_result res = atapi(r, cdb, 0, NULL, 0);
    if (!(res.status & 1))
        return 0;
    sense(r, &key, asc, &ascq);
    CHECK_EQ(res.error >> 4, key);
    return key;
}

static uint32_t be32_at(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static void test_atapi(void)
{
    char p[512], why[200];
    make_image("cd.iso", p, sizeof(p), 40 * 2048, 6);
    struct disk_image iso;
    open_image(&iso, p, DISK_READ_ONLY, 2048);
    struct rig *r = rig_new();
    CHECK_EQ(ide_attach_cdrom(&r->ide, 1, 0, &iso, why, sizeof(why)), 0);
    device_reset_all(&r->reg);
    rig_enable(r);
    soft_reset(r, C2);
    CHECK_EQ(in8(r, P2 + 4), 0x14);
    CHECK_EQ(in8(r, P2 + 5), 0xEB);
    CHECK_EQ(in8(r, P2 + 7), 0x00);
    CHECK_EQ(in8(r, P2 + 1), 0x01);
    out8(r, P2 + 7, 0xEC);                  /* IDENTIFY DEVICE: aborted, signature kept */
    CHECK_EQ(wait_not_busy(r, C2) & 1, 1);
    CHECK_EQ(in8(r, P2 + 1), 0x04);
    CHECK_EQ(in8(r, P2 + 4), 0x14);
    CHECK_EQ(in8(r, P2 + 5), 0xEB);
    uint16_t id[256];
    identify(r, P2, C2, 0, 0xA1, id);
    CHECK_EQ(id[0], 0x85C0);
    CHECK_EQ((id[0] >> 8) & 0x1F, 5);       /* SeaBIOS: a CD */
    CHECK(id[49] & 0x0100);
    check_identify_checksum(id);

    uint8_t asc, ascq, key, b[8192];
    CHECK_EQ(tur_sense(r, &asc), 6);        /* power-on UNIT ATTENTION */
    CHECK_EQ(asc, 0x29);
    CHECK_EQ(tur_sense(r, &asc), 0);

    uint8_t inq[12] = { 0x12, 0, 0, 0, 36 };
    struct packet_result res = atapi(r, inq, 2048, b, sizeof(b));
    CHECK_EQ(res.len, 36);
    CHECK_EQ(b[0], 0x05);
    CHECK_EQ(b[1], 0x80);
    CHECK(memcmp(b + 8, "TRAPEZE ", 8) == 0);
    uint8_t cap[12] = { 0x25 };
    res = atapi(r, cap, 2048, b, sizeof(b));
    CHECK_EQ(res.len, 8);
    CHECK_EQ(be32_at(b), 39);
    CHECK_EQ(be32_at(b + 4), 2048);

    /* READ(10) as SeaBIOS sends it: byte count limit = one block. */
    uint8_t rd[12] = { 0x28, 0, 0, 0, 0, 3, 0, 0, 2 };
    res = atapi(r, rd, 2048, b, sizeof(b));
    CHECK_EQ(res.status, 0x40);
    CHECK_EQ(res.len, 4096);
    CHECK_EQ(res.blocks, 2);
    int ok = 1;
    for (int i = 0; i < 4096; i++)
        ok &= b[i] == image_byte(3 * 2048 + (uint64_t)i, 6);
    CHECK(ok);
    uint8_t rd3[12] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 3 };
    res = atapi(r, rd3, 1001, b, sizeof(b));   /* odd limit: 1000-byte blocks */
    CHECK_EQ(res.len, 6144);
    CHECK_EQ(res.blocks, 7);
    CHECK_EQ(b[6143], image_byte(6143, 6));
    uint8_t rd12[12] = { 0xA8, 0, 0, 0, 0, 39, 0, 0, 0, 1 };
    res = atapi(r, rd12, 0xFFFF, b, sizeof(b));
    CHECK_EQ(res.len, 2048);
    CHECK_EQ(b[0], image_byte(39 * 2048, 6));
    uint8_t bad[12] = { 0x28, 0, 0, 0, 0, 39, 0, 0, 2 };
    res = atapi(r, bad, 2048, b, sizeof(b));
    CHECK_EQ(res.status & 1, 1);
    CHECK_EQ(res.error >> 4, 5);
    sense(r, &key, &asc, &ascq);
    CHECK_EQ(asc, 0x21);

    /* READ TOC: formats 0 and 1, LBA and MSF. */
    uint8_t toc[12] = { 0x43, 0, 0, 0, 0, 0, 0, 0, 100 };
    res = atapi(r, toc, 2048, b, sizeof(b));
    CHECK_EQ(res.len, 20);
    CHECK_EQ(b[1], 18);
    CHECK_EQ(b[2], 1);
    CHECK_EQ(b[3], 1);
    CHECK_EQ(b[5], 0x14);
    CHECK_EQ(b[6], 1);
    CHECK_EQ(be32_at(b + 8), 0);
    CHECK_EQ(b[14], 0xAA);
    CHECK_EQ(be32_at(b + 16), 40);
    toc[1] = 2;
    res = atapi(r, toc, 2048, b, sizeof(b));
    CHECK_EQ(be32_at(b + 8), 0x00000200u);  /* 00:02:00 */
    CHECK_EQ(be32_at(b + 16), 0x00000228u); /* 40 + 150 frames = 00:02:40 */
    toc[1] = 0;
    toc[2] = 1;
    res = atapi(r, toc, 2048, b, sizeof(b));
    CHECK_EQ(res.len, 12);
    CHECK_EQ(b[1], 10);
    toc[8] = 4;                             /* allocation length cuts the reply */
    toc[2] = 0;
    res = atapi(r, toc, 2048, b, sizeof(b));
    CHECK_EQ(res.len, 4);

    uint8_t ms[12] = { 0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 128 };
    res = atapi(r, ms, 2048, b, sizeof(b));
    CHECK_EQ(res.len, 28);
    CHECK_EQ(b[8], 0x2A);
    CHECK_EQ(b[9], 0x12);
    ms[2] = 0x3F;
    res = atapi(r, ms, 2048, b, sizeof(b));
    CHECK_EQ(res.len, 48);
    CHECK_EQ((b[0] << 8 | b[1]) + 2, 48);
    uint8_t gc[12] = { 0x46, 0, 0, 0, 0, 0, 0, 0, 128 };
    res = atapi(r, gc, 2048, b, sizeof(b));
    CHECK_EQ(b[6] << 8 | b[7], 0x0008);     /* current profile: CD-ROM */
    CHECK_EQ(be32_at(b) + 4, res.len);
    CHECK_EQ(b[8] << 8 | b[9], 0x0000);     /* Profile List first */
    uint8_t ev[12] = { 0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8 };
    res = atapi(r, ev, 2048, b, sizeof(b));
    CHECK_EQ(res.len, 8);
    CHECK_EQ(b[2], 0x04);
    CHECK_EQ(b[4], 0);
    CHECK_EQ(b[5], 0x02);                   /* medium present */

    /* Media change: eject, then insert. */
    CHECK_EQ(ide_cdrom_change(&r->ide, 1, 0, NULL, 0), 0);
    CHECK_EQ(tur_sense(r, &asc), 6);
    CHECK_EQ(asc, 0x28);
    CHECK_EQ(tur_sense(r, &asc), 2);
    CHECK_EQ(asc, 0x3A);
    res = atapi(r, ev, 2048, b, sizeof(b));
    CHECK_EQ(b[4], 3);                      /* media removal */
    CHECK_EQ(b[5], 0);
    CHECK_EQ(ide_cdrom_change(&r->ide, 1, 0, &iso, 0), 0);
    res = atapi(r, ev, 2048, b, sizeof(b));     /* GESN does not report the UNIT ATTENTION */
    CHECK_EQ(res.status & 1, 0);
    CHECK_EQ(b[4], 2);                      /* new media */
    CHECK_EQ(tur_sense(r, &asc), 6);
    CHECK_EQ(tur_sense(r, &asc), 0);

    /* The guest locks the tray. */
    uint8_t lock[12] = { 0x1E, 0, 0, 0, 1 }, eject[12] = { 0x1B, 0, 0, 0, 2 }, load[12] = { 0x1B, 0, 0, 0, 3 };
    CHECK_EQ(atapi(r, lock, 0, NULL, 0).status & 1, 0);
    CHECK_EQ(ide_cdrom_change(&r->ide, 1, 0, NULL, 0), -1);
    res = atapi(r, ev, 2048, b, sizeof(b));
    CHECK_EQ(b[4], 1);                      /* eject request */
    res = atapi(r, eject, 0, NULL, 0);
    CHECK_EQ(res.status & 1, 1);
    sense(r, &key, &asc, &ascq);
    CHECK_EQ(key, 5);
    CHECK_EQ(asc, 0x53);
    lock[4] = 0;
    atapi(r, lock, 0, NULL, 0);
    CHECK_EQ(atapi(r, eject, 0, NULL, 0).status & 1, 0);
    CHECK_EQ(tur_sense(r, &asc), 2);
    sense(r, &key, &asc, &ascq);            /* sense was consumed by the last REQUEST SENSE */
    CHECK_EQ(key, 0);
    atapi(r, load, 0, NULL, 0);
    CHECK_EQ(tur_sense(r, &asc), 6);
    CHECK_EQ(tur_sense(r, &asc), 0);

    uint8_t unk[12] = { 0xFF };
    res = atapi(r, unk, 2048, b, sizeof(b));
    CHECK_EQ(res.error >> 4, 5);
    sense(r, &key, &asc, &ascq);
    CHECK_EQ(asc, 0x20);

    /* READ(10) by DMA on the secondary channel's bus master (BM + 8). */
    set_prd(r, 0x9000, 0, 0x40000, 4096, 1);
    out32(r, BM + 12, 0x9000);
    out8(r, BM + 8, 0x08);
    out8(r, BM + 10, 0x06);
    out8(r, P2 + 1, 0x01);                  /* features: DMA */
    out8(r, P2 + 7, 0xA0);
    CHECK_EQ(wait_not_busy(r, C2) & 0x89, 0x08);
    uint8_t dr[12] = { 0x28, 0, 0, 0, 0, 5, 0, 0, 2 };
    for (int i = 0; i < 6; i++)
        out16(r, P2, (uint16_t)(dr[2 * i] | dr[2 * i + 1] << 8));
    out8(r, BM + 8, 0x09);
    for (int i = 0; i < 10000 && !(in8(r, BM + 10) & 4); i++)
        advance_ns(r, 1000);
    CHECK_EQ(in8(r, BM + 10), 0x04);
    CHECK_EQ(in8(r, P2 + 2) & 3, 3);
    CHECK_EQ(in8(r, P2 + 7), 0x40);
    out8(r, BM + 8, 0x08);
    ok = 1;
    for (int i = 0; i < 4096; i++)
        ok &= r->pm.ram[0x40000 + i] == image_byte(5 * 2048 + (uint64_t)i, 6);
    CHECK(ok);
    CHECK(r->edges[15] > 0);
    rig_free(r);
    disk_image_close(&iso);
}

/* A disk and a CD-ROM on one cable, reset and classified as Linux does. */
static void test_two_devices(void)
{
    char p[512], q[512], why[200];
    make_image("m.img", p, sizeof(p), 4096 * 512, 7);
    make_image("s.iso", q, sizeof(q), 8 * 2048, 8);
    struct disk_image hd, cd;
    open_image(&hd, p, DISK_READ_WRITE, 512);
    open_image(&cd, q, DISK_READ_ONLY, 2048);
    struct rig *r = rig_new();
    ide_attach_disk(&r->ide, 0, 0, &hd, why, sizeof(why));
    ide_attach_cdrom(&r->ide, 0, 1, &cd, why, sizeof(why));
    device_reset_all(&r->reg);
    rig_enable(r);
    for (int dev = 0; dev < 2; dev++) {     /* ata_devchk */
        out8(r, P1 + 6, (uint8_t)(0xA0 | dev << 4));
        out8(r, P1 + 2, 0x55);
        out8(r, P1 + 3, 0xAA);
        out8(r, P1 + 2, 0xAA);
        out8(r, P1 + 3, 0x55);
        out8(r, P1 + 2, 0x55);
        out8(r, P1 + 3, 0xAA);
        CHECK_EQ(in8(r, P1 + 2), 0x55);
        CHECK_EQ(in8(r, P1 + 3), 0xAA);
    }
    out8(r, P1 + 6, 0xA0);
    soft_reset(r, C1);
    CHECK_EQ(in8(r, P1 + 6) & 0x10, 0);     /* the reset selected device 0 */
    CHECK_EQ(in8(r, P1 + 1), 0x01);
    CHECK_EQ(in8(r, P1 + 4) | in8(r, P1 + 5), 0);
    CHECK_EQ(in8(r, P1 + 7), 0x50);
    out8(r, P1 + 6, 0xB0);
    CHECK_EQ(in8(r, P1 + 2), 1);
    CHECK_EQ(in8(r, P1 + 3), 1);
    CHECK_EQ(in8(r, P1 + 4), 0x14);
    CHECK_EQ(in8(r, P1 + 5), 0xEB);
    CHECK_EQ(in8(r, P1 + 1), 0x01);
    uint16_t id[256];
    identify(r, P1, C1, 0, 0xEC, id);
    CHECK((id[93] & 0xDF61) != 0x4041);     /* device 1 is there */
    CHECK_EQ(id[93] & 0x30, 0x30);

    /* nIEN: the interrupt waits until the host allows it. */
    out8(r, P1 + 6, 0xA0);
    out8(r, C1, 0x0A);
    int e = r->edges[14];
    out8(r, P1 + 7, 0xE5);
    CHECK_EQ(wait_not_busy(r, C1), 0x50);
    CHECK_EQ(r->edges[14], e);
    out8(r, C1, 0x08);
    CHECK_EQ(r->edges[14], e + 1);
    CHECK_EQ(r->level[14], 1);
    /* Selecting the other device releases INTRQ; selecting back asserts it. */
    out8(r, P1 + 6, 0xB0);
    CHECK_EQ(r->level[14], 0);
    out8(r, P1 + 6, 0xA0);
    CHECK_EQ(r->level[14], 1);
    in8(r, P1 + 7);
    CHECK_EQ(r->level[14], 0);

    /* DEVICE RESET to the CD-ROM stuck waiting for its CDB. */
    out8(r, P1 + 6, 0xB0);
    out8(r, P1 + 7, 0xA0);
    CHECK_EQ(wait_not_busy(r, C1) & 0x08, 0x08);
    e = r->edges[14];
    out8(r, P1 + 7, 0x08);
    CHECK_EQ(wait_not_busy(r, C1), 0x00);
    CHECK_EQ(r->edges[14], e);              /* no interrupt */
    CHECK_EQ(in8(r, P1 + 4), 0x14);
    CHECK_EQ(in8(r, P1 + 5), 0xEB);
    /* Commands written while the disk is busy are ignored. */
    out8(r, P1 + 6, 0xA0);
    task_lba28(r, P1, 0, 0, 1);
    out8(r, P1 + 7, 0x20);
    out8(r, P1 + 7, 0xE7);
    CHECK_EQ(wait_not_busy(r, C1) & 0x89, 0x08);
    rig_free(r);
    disk_image_close(&hd);
    disk_image_close(&cd);
}

static struct rig *booted_rig(struct disk_image *img)
{
    char why[200];
    struct rig *r = rig_new();
    ide_attach_disk(&r->ide, 0, 0, img, why, sizeof(why));
    device_reset_all(&r->reg);
    rig_enable(r);
    return r;
}

static void test_save_load(void)
{
    char p[512];
    make_image("state.img", p, sizeof(p), 1024 * 512, 9);
    struct disk_image ia, ib;
    open_image(&ia, p, DISK_READ_WRITE, 512);
    open_image(&ib, p, DISK_READ_WRITE, 512);
    struct rig *a = booted_rig(&ia);
    soft_reset(a, C1);
    task_lba28(a, P1, 0, 10, 4);
    out8(a, P1 + 7, 0x20);
    CHECK_EQ(wait_not_busy(a, C1) & 0x89, 0x08);
    uint8_t first[200];
    for (int i = 0; i < 100; i++) {
        uint16_t v = in16(a, P1);
        first[2 * i] = (uint8_t)v;
        first[2 * i + 1] = (uint8_t)(v >> 8);
    }
    struct state_writer w;
    state_writer_init(&w);
    device_save_all(&a->reg, &w);
    CHECK_EQ(w.error, 0);

    struct rig *b = booted_rig(&ib);
    b->clock.now = a->clock.now;
    struct state_reader rd;
    char why[200];
    state_reader_init(&rd, w.buf, w.len);
    CHECK_EQ(device_load_all(&b->reg, &rd, why, sizeof(why)), 0);
    CHECK_EQ(a->ide.ch[0].irq.level, b->ide.ch[0].irq.level);
    int ok = 1;
    for (int i = 100; i < 4 * 256; i++) {
        uint8_t sa = wait_not_busy(a, C1), sb = wait_not_busy(b, C1);
        ok &= sa == sb;
        uint16_t va = in16(a, P1), vb = in16(b, P1);
        ok &= va == vb && (uint8_t)va == image_byte(10 * 512 + 2 * (uint64_t)i, 9);
    }
    CHECK(ok);
    CHECK_EQ(in8(a, P1 + 7), in8(b, P1 + 7));
    CHECK_EQ(first[0], image_byte(10 * 512, 9));

    /* A truncated blob and a machine with other drives are refused. */
    state_reader_init(&rd, w.buf, w.len / 2);
    CHECK_EQ(device_load_all(&b->reg, &rd, why, sizeof(why)), -1);
    struct rig *c = rig_new();
    state_reader_init(&rd, w.buf, w.len);
    CHECK_EQ(device_load_all(&c->reg, &rd, why, sizeof(why)), -1);
    state_writer_free(&w);
    rig_free(a);
    rig_free(b);
    rig_free(c);
    disk_image_close(&ia);
    disk_image_close(&ib);
}

/* Two machines in one process, each with its own disk, used in turns. */
static void test_two_instances(void)
{
    char p[512], q[512];
    make_image("one.img", p, sizeof(p), 256 * 512, 10);
    make_image("two.img", q, sizeof(q), 256 * 512, 11);
    struct disk_image i1, i2;
    open_image(&i1, p, DISK_READ_WRITE, 512);
    open_image(&i2, q, DISK_READ_WRITE, 512);
    struct rig *a = booted_rig(&i1), *b = booted_rig(&i2);
    task_lba28(a, P1, 0, 7, 1);
    task_lba28(b, P1, 0, 7, 1);
    out8(a, P1 + 7, 0x30);
    out8(b, P1 + 7, 0x30);
    CHECK_EQ(wait_not_busy(a, C1) & 0x08, 0x08);
    CHECK_EQ(wait_not_busy(b, C1) & 0x08, 0x08);
    for (int w = 0; w < 256; w++) {
        out16(a, P1, 0x1111);
        out16(b, P1, 0x2222);
    }
    CHECK_EQ(wait_not_busy(a, C1), 0x50);
    CHECK_EQ(wait_not_busy(b, C1), 0x50);
    uint8_t x[512], y[512];
    file_read(p, 7 * 512, x, 512);
    file_read(q, 7 * 512, y, 512);
    CHECK(x[0] == 0x11 && x[511] == 0x11);
    CHECK(y[0] == 0x22 && y[511] == 0x22);
    CHECK_EQ(a->edges[14], 1);
    CHECK_EQ(b->edges[14], 1);
    rig_free(a);
    rig_free(b);
    disk_image_close(&i1);
    disk_image_close(&i2);
}

static void run_all_cases(void)
{
    test_detect_and_identify();
    test_pio();
    test_lba48();
    test_multiple();
    test_dma();
    test_errors();
    test_atapi();
    test_two_devices();
    test_save_load();
    test_two_instances();
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    run_all_cases();
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return test_report();
}
