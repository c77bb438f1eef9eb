/*
 * The rig the IDE unit tests share: a clock, port I/O, 1 MiB of guest
 * memory, a PCI bus and the PIIX3 IDE function, each machine one value so
 * a test can run two; helpers that talk to the drives the way SeaBIOS and
 * Linux do; image files in a temporary directory (rig_dir).
 */
#ifndef TRAPEZE_TESTS_UNIT_IDE_RIG_H
#define TRAPEZE_TESTS_UNIT_IDE_RIG_H

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

/* The temporary directory for image files; each test program has its own. */
static char rig_dir[] = "/tmp/trapeze-ide-XXXXXX";

#define HZ 100000000u
#define DEVFN 0x09
#define BM 0xC000
#define P1 0x1F0
#define C1 0x3F6
#define P2 0x170
#define C2 0x376

struct rig {
    struct clock clock;
    struct portio io;
    struct physmem pm;
    struct pci_bus bus;
    struct device_registry reg;
    struct ide_controller ide;
    int level[16], edges[16];
};

static inline void irq_sink(void *opaque, int pin, int level)
{
    struct rig *r = opaque;
    if (level && !r->level[pin])
        r->edges[pin]++;
    r->level[pin] = level;
}

static inline uint8_t in8(struct rig *r, uint16_t p) { return (uint8_t)portio_read(&r->io, p, 1); }
static inline uint16_t in16(struct rig *r, uint16_t p) { return (uint16_t)portio_read(&r->io, p, 2); }
static inline uint32_t in32(struct rig *r, uint16_t p) { return portio_read(&r->io, p, 4); }
static inline void out8(struct rig *r, uint16_t p, uint8_t v) { portio_write(&r->io, p, v, 1); }
static inline void out16(struct rig *r, uint16_t p, uint16_t v) { portio_write(&r->io, p, v, 2); }
static inline void out32(struct rig *r, uint16_t p, uint32_t v) { portio_write(&r->io, p, v, 4); }

static inline void advance_ns(struct rig *r, uint64_t ns)
{
    r->clock.now += clock_ns_to_cycles(&r->clock, ns);
    clock_run_due(&r->clock);
}

/* Polls the alternate status as a driver does; time passes between polls. */
static inline uint8_t wait_not_busy(struct rig *r, uint16_t ctl)
{
    for (int i = 0; i < 100000; i++) {
        uint8_t st = in8(r, ctl);
        if (!(st & 0x80))
            return st;
        advance_ns(r, 1000);
    }
    return 0xFF;
}

static inline struct rig *rig_new(void)
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
static inline void rig_enable(struct rig *r)
{
    pci_config_write(&r->bus, DEVFN, 0x40, 0x8000, 2);
    pci_config_write(&r->bus, DEVFN, 0x42, 0x8000, 2);
    pci_config_write(&r->bus, DEVFN, 0x20, BM, 4);
    pci_config_write(&r->bus, DEVFN, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER, 2);
}

static inline void rig_free(struct rig *r)
{
    physmem_destroy(&r->pm);
    free(r);
}

static inline void make_image(const char *name, char *path, size_t pathlen, uint64_t bytes, int seed)
{
    snprintf(path, pathlen, "%s/%s", rig_dir, name);
    FILE *f = fopen(path, "wb");
    for (uint64_t i = 0; i < bytes; i++)
        fputc((int)((i / 512 * 31 + i * 7 + (uint64_t)seed) & 0xFF), f);
    fclose(f);
}

static inline uint8_t image_byte(uint64_t off, int seed) { return (uint8_t)((off / 512 * 31 + off * 7 + (uint64_t)seed) & 0xFF); }

static inline void file_read(const char *path, uint64_t off, void *buf, size_t n)
{
    int fd = open(path, O_RDONLY);
    CHECK_EQ(pread(fd, buf, n, (off_t)off), (ssize_t)n);
    close(fd);
}

static inline void open_image(struct disk_image *d, const char *path, enum disk_access a, unsigned ss)
{
    char why[300];
    int rc = disk_image_open(d, path, a, ss, NULL, why, sizeof(why));
    CHECK_EQ(rc, 0);
    if (rc)
        fprintf(stderr, "%s\n", why);
}

/* ---- ATA helpers. */
static inline void task_lba28(struct rig *r, uint16_t base, int dev, uint32_t lba, uint8_t count)
{
    out8(r, base + 6, (uint8_t)(0xE0 | dev << 4 | ((lba >> 24) & 0xF)));
    out8(r, base + 2, count);
    out8(r, base + 3, (uint8_t)lba);
    out8(r, base + 4, (uint8_t)(lba >> 8));
    out8(r, base + 5, (uint8_t)(lba >> 16));
}

static inline void task_lba48(struct rig *r, uint16_t base, int dev, uint64_t lba, uint16_t count)
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
static inline int pio_read(struct rig *r, uint16_t base, uint16_t ctl, uint8_t cmd, uint8_t *buf, int blocks, int words,
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

static inline int pio_write(struct rig *r, uint16_t base, uint16_t ctl, uint8_t cmd, const uint8_t *buf, int blocks,
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

static inline void soft_reset(struct rig *r, uint16_t ctl)
{
    out8(r, ctl, 0x0E);     /* SRST | nIEN (plus the old HD15 bit) */
    CHECK(in8(r, ctl) & 0x80);
    advance_ns(r, 5000);
    out8(r, ctl, 0x0A);
    CHECK(in8(r, ctl) & 0x80);  /* still busy right after SRST is released */
    CHECK(wait_not_busy(r, ctl) != 0xFF);
    out8(r, ctl, 0x08);     /* interrupts on */
}

static inline void identify(struct rig *r, uint16_t base, uint16_t ctl, int dev, uint8_t cmd, uint16_t *id)
{
    uint8_t buf[512];
    out8(r, base + 6, (uint8_t)(0xA0 | dev << 4));
    CHECK_EQ(pio_read(r, base, ctl, cmd, buf, 1, 256, 0) & 0x89, 0);
    for (int i = 0; i < 256; i++)
        id[i] = (uint16_t)(buf[2 * i] | buf[2 * i + 1] << 8);
}

static inline void id_string(const uint16_t *id, int first, int n, char *out)
{
    for (int i = 0; i < n; i++) {
        out[2 * i] = (char)(id[first + i] >> 8);
        out[2 * i + 1] = (char)id[first + i];
    }
    out[2 * n] = 0;
}

static inline void check_identify_checksum(const uint16_t *id)
{
    uint8_t sum = 0;
    for (int i = 0; i < 256; i++)
        sum = (uint8_t)(sum + (id[i] & 0xFF) + (id[i] >> 8));
    CHECK_EQ(sum, 0);
    CHECK_EQ(id[255] & 0xFF, 0xA5);
}

static inline uint8_t nondata(struct rig *r, uint16_t base, uint16_t ctl, uint8_t cmd)
{
    out8(r, base + 7, cmd);
    CHECK(in8(r, ctl) & 0x80);      /* nothing completes instantly */
    uint8_t st = wait_not_busy(r, ctl);
    in8(r, base + 7);
    return st;
}

static inline void set_prd(struct rig *r, uint32_t table, int i, uint32_t addr, uint32_t count, int eot)
{
    uint8_t e[8];
    le32_store(e, addr);
    le16_store(e + 4, (uint16_t)count);
    e[6] = 0;
    e[7] = eot ? 0x80 : 0;
    physmem_copy_to(&r->pm, table + 8u * (uint32_t)i, e, 8);
}

static inline struct rig *booted_rig(struct disk_image *img)
{
    char why[200];
    struct rig *r = rig_new();
    ide_attach_disk(&r->ide, 0, 0, img, why, sizeof(why));
    device_reset_all(&r->reg);
    rig_enable(r);
    return r;
}

static inline int rig_begin(void)
{
    if (!mkdtemp(rig_dir)) {
        perror("mkdtemp");
        return -1;
    }
    return 0;
}

static inline void rig_end(void)
{
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", rig_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", rig_dir);
}

#endif
