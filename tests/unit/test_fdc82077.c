/* The 82077AA floppy controller driven as SeaBIOS (src/hw/floppy.c) and
 * Linux (drivers/block/floppy.c) drive it: reset and the four polling
 * statuses, controller identification, recalibrate and seeks, reads and
 * writes through a fake DMA channel, multi-track and end-of-track results,
 * format, READ ID, the disk change line, write protection, non-DMA mode,
 * save/load. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus/clock.h"
#include "bus/device.h"
#include "bus/portio.h"
#include "peripherals/fdc82077.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

#define HZ 50000000u
#define DOR 0x3F2
#define MSR 0x3F4
#define FIFO 0x3F5
#define DIR 0x3F7

static char dir[] = "/tmp/trapeze-fdc-XXXXXX";

/* A DMA channel 2 with an address, a count and terminal count. */
struct fake_dma {
    uint8_t mem[65536];
    uint32_t addr;
    int count, masked;
};

static int fake_dma(void *opaque, int channel, void *buf, int len, int to_memory, int *tc)
{
    struct fake_dma *d = opaque;
    *tc = 0;
    if (channel != 2 || d->masked || d->count <= 0)
        return 0;
    int n = len < d->count ? len : d->count;
    if (d->addr + (uint32_t)n > sizeof(d->mem))
        return 0;
    if (to_memory)
        memcpy(d->mem + d->addr, buf, (size_t)n);
    else
        memcpy(buf, d->mem + d->addr, (size_t)n);
    d->addr += (uint32_t)n;
    d->count -= n;
    *tc = d->count == 0;
    return n;
}

struct rig {
    struct clock clock;
    struct portio io;
    struct device_registry reg;
    struct fdc82077 fdc;
    struct fake_dma dma;
    int level, edges;
};

static void irq_sink(void *opaque, int pin, int level)
{
    struct rig *r = opaque;
    (void)pin;
    if (level && !r->level)
        r->edges++;
    r->level = level;
}

static uint8_t in8(struct rig *r, uint16_t p) { return (uint8_t)portio_read(&r->io, p, 1); }
static void out8(struct rig *r, uint16_t p, uint8_t v) { portio_write(&r->io, p, v, 1); }

static void advance_us(struct rig *r, uint64_t us)
{
    r->clock.now += clock_ns_to_cycles(&r->clock, us * 1000);
    clock_run_due(&r->clock);
}

static struct rig *rig_new(void)
{
    struct rig *r = calloc(1, sizeof(*r));
    clock_init(&r->clock, HZ);
    portio_init(&r->io);
    device_registry_init(&r->reg);
    CHECK_EQ(fdc_init(&r->fdc, &r->io, &r->clock, &r->reg, fake_dma, &r->dma), 0);
    irq_connect(&r->fdc.irq, irq_sink, r, 6);
    return r;
}

/* Linux's output_byte: wait for RQM with DIO clear, then write. */
static int send(struct rig *r, const uint8_t *bytes, int n)
{
    for (int i = 0; i < n; i++) {
        int k = 0;
        while ((in8(r, MSR) & 0xC0) != 0x80 && k++ < 1000)
            advance_us(r, 10);
        if ((in8(r, MSR) & 0xC0) != 0x80)
            return -1;
        out8(r, FIFO, bytes[i]);
    }
    return 0;
}

/* Linux's result(): read while RQM, DIO and CB say a result byte waits. */
static int result(struct rig *r, uint8_t *out)
{
    int n = 0;
    for (int k = 0; k < 100000; k++) {
        uint8_t st = in8(r, MSR) & 0xF0;
        if (st == 0xD0) {
            out[n++] = in8(r, FIFO);
            if (n == 16)
                return n;
        } else if (st == 0x80) {
            return n;
        } else {
            advance_us(r, 10);
        }
    }
    return -1;
}

static int wait_irq(struct rig *r, int edges_before, uint64_t max_us)
{
    for (uint64_t t = 0; t < max_us && r->edges == edges_before; t += 100)
        advance_us(r, 100);
    return r->edges > edges_before;
}

static int sensei(struct rig *r, uint8_t *st0, uint8_t *pcn)
{
    uint8_t c = 0x08, res[16];
    send(r, &c, 1);
    int n = result(r, res);
    *st0 = res[0];
    *pcn = n > 1 ? res[1] : 0xEE;
    return n;
}

static void make_image(const char *name, char *path, size_t len, uint32_t bytes, int seed)
{
    snprintf(path, len, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    for (uint32_t i = 0; i < bytes; i++)
        fputc((int)((i / 512 * 13 + i * 3 + (uint32_t)seed) & 0xFF), fp);
    fclose(fp);
}

static uint8_t image_byte(uint32_t off, int seed) { return (uint8_t)((off / 512 * 13 + off * 3 + (uint32_t)seed) & 0xFF); }

static uint32_t lba_of(int c, int h, int s) { return (uint32_t)((c * 2 + h) * 18 + s - 1); }

/* The BIOS's controller start: DOR out of reset, interrupt, SENSE INTERRUPT
 * STATUS for each of the four polled drives. */
static void bios_reset(struct rig *r)
{
    int e = r->edges;
    out8(r, DOR, 0x00);
    CHECK_EQ(in8(r, MSR), 0x00);            /* held in reset */
    out8(r, DOR, 0x1C);                     /* drive 0, motor 0, DMA/IRQ gate, running */
    CHECK(wait_irq(r, e, 10000));
    for (int u = 0; u < 4; u++) {
        uint8_t st0, pcn;
        CHECK_EQ(sensei(r, &st0, &pcn), 2);
        CHECK_EQ(st0, 0xC0 | u);
        CHECK_EQ(pcn, 0);
        if (u == 0)
            CHECK_EQ(r->level, 0);          /* the first one acknowledges the interrupt */
    }
    CHECK_EQ(in8(r, MSR), 0x80);
}

static void specify(struct rig *r, uint8_t a, uint8_t b)
{
    uint8_t c[3] = { 0x03, a, b };
    CHECK_EQ(send(r, c, 3), 0);
    CHECK_EQ(in8(r, MSR), 0x80);            /* no result phase */
}

static void seek_to(struct rig *r, int unit, int head, int cyl)
{
    int e = r->edges;
    uint8_t c[3] = { 0x0F, (uint8_t)(head << 2 | unit), (uint8_t)cyl }, st0, pcn;
    send(r, c, 3);
    CHECK(wait_irq(r, e, 2000000));
    sensei(r, &st0, &pcn);
    CHECK_EQ(st0, 0x20 | head << 2 | unit);
    CHECK_EQ(pcn, cyl);
}

static void recalibrate(struct rig *r, int unit)
{
    int e = r->edges;
    uint8_t c[2] = { 0x07, (uint8_t)unit }, st0, pcn;
    send(r, c, 2);
    CHECK(wait_irq(r, e, 2000000));
    sensei(r, &st0, &pcn);
    CHECK_EQ(st0, 0x20 | unit);
    CHECK_EQ(pcn, 0);
}

/* A 9-byte read/write command with DMA count `sectors` * 512; waits for
 * the interrupt and returns the 7 result bytes. */
static int data_command(struct rig *r, uint8_t op, int head, int c, int h, int s, int eot, int sectors, uint32_t addr,
                        uint8_t *res)
{
    r->dma.addr = addr;
    r->dma.count = sectors * 512;
    int e = r->edges;
    uint8_t cmd[9] = { op, (uint8_t)(head << 2), (uint8_t)c, (uint8_t)h, (uint8_t)s, 2, (uint8_t)eot, 0x1B, 0xFF };
    send(r, cmd, 9);
    if (!wait_irq(r, e, 3000000))
        return -1;
    return result(r, res);
}

static struct rig *booted(struct disk_image *img)
{
    char why[200];
    struct rig *r = rig_new();
    if (img)
        CHECK_EQ(fdc_insert(&r->fdc, 0, img, why, sizeof(why)), 0);
    device_reset_all(&r->reg);
    CHECK_EQ(in8(r, DOR), 0x0C);            /* running, as firmware expects to find it */
    CHECK_EQ(in8(r, MSR), 0x80);
    CHECK_EQ(r->level, 0);
    bios_reset(r);
    specify(r, 0xAF, 0x02);                 /* SeaBIOS: step rate 6 ms, head unload 240 ms, DMA */
    out8(r, DIR, 0x00);                     /* CCR: 500 kb/s */
    return r;
}

static void test_reset_and_identify(void)
{
    struct rig *r = booted(NULL);
    uint8_t c[4], res[16], st0, pcn;
    CHECK_EQ(sensei(r, &st0, &pcn), 1);     /* nothing left to report: invalid */
    CHECK_EQ(st0, 0x80);
    c[0] = 0x10;                            /* VERSION */
    send(r, c, 1);
    CHECK_EQ(result(r, res), 1);
    CHECK_EQ(res[0], 0x90);
    /* Linux's get_fdc_version: DUMPREG, CONFIGURE, PERPENDICULAR, UNLOCK, PARTID. */
    c[0] = 0x0E;
    send(r, c, 1);
    CHECK_EQ(result(r, res), 10);
    CHECK_EQ(res[4], 0xAF);
    CHECK_EQ(res[5], 0x02);
    CHECK_EQ(res[8], 0x20);                 /* FIFO off, polling on */
    uint8_t cfg[4] = { 0x13, 0x00, 0x1A, 0x00 };    /* FIFO on, polling off, threshold 10 */
    CHECK_EQ(send(r, cfg, 4), 0);
    CHECK_EQ(in8(r, MSR), 0x80);
    c[0] = 0x12;
    send(r, c, 1);
    CHECK_EQ(in8(r, MSR) & 0xC0, 0x80);     /* wants its parameter */
    c[0] = 0x00;
    send(r, c, 1);
    c[0] = 0x14;                            /* UNLOCK */
    send(r, c, 1);
    CHECK_EQ(result(r, res), 1);
    CHECK_EQ(res[0], 0x00);
    c[0] = 0x18;                            /* PARTID: not an 82077AA command */
    send(r, c, 1);
    CHECK_EQ(result(r, res), 1);
    CHECK_EQ(res[0], 0x80);
    c[0] = 0x42;                            /* READ TRACK: answered as invalid */
    send(r, c, 1);
    CHECK_EQ(result(r, res), 1);
    CHECK_EQ(res[0], 0x80);

    /* LOCK keeps CONFIGURE through a software reset; unlocked it reverts. */
    c[0] = 0x94;
    send(r, c, 1);
    CHECK_EQ(result(r, res), 1);
    CHECK_EQ(res[0], 0x10);
    out8(r, MSR, 0x80);                     /* DSR software reset */
    advance_us(r, 1000);
    c[0] = 0x0E;
    send(r, c, 1);
    result(r, res);
    CHECK_EQ(res[8], 0x1A);
    CHECK_EQ(res[7] & 0x80, 0x80);
    CHECK_EQ(res[4], 0xAF);                 /* SPECIFY survives software resets */
    CHECK_EQ(r->level, 0);                  /* polling was off: no reset interrupt */
    c[0] = 0x14;
    send(r, c, 1);
    result(r, res);
    int e = r->edges;
    out8(r, DOR, 0x18);
    out8(r, DOR, 0x1C);
    CHECK(wait_irq(r, e, 10000));
    CHECK_EQ(sensei(r, &st0, &pcn), 2);
    CHECK_EQ(st0, 0xC0);
    c[0] = 0x0E;
    send(r, c, 1);
    result(r, res);
    CHECK_EQ(res[8], 0x20);

    /* DMAGATE off: the interrupt does not reach IRQ6. */
    e = r->edges;
    out8(r, DOR, 0x00);
    out8(r, DOR, 0x04);
    advance_us(r, 1000);
    CHECK_EQ(r->edges, e);
    out8(r, DOR, 0x0C);
    CHECK_EQ(r->edges, e + 1);
    free(r);
}

static void test_seeks(void)
{
    char p[512], why[200];
    make_image("a.img", p, sizeof(p), 1474560, 1);
    struct disk_image img;
    CHECK_EQ(disk_image_open(&img, p, DISK_READ_WRITE, 512, NULL, why, sizeof(why)), 0);
    struct rig *r = booted(&img);
    CHECK_EQ(r->fdc.drive[0].cmos_type, 4);
    CHECK_EQ(in8(r, DIR) & 0x80, 0x80);     /* the change latch is set at power-on */

    uint8_t c[3], st0, pcn, res[16];
    int e = r->edges;
    c[0] = 0x07;
    c[1] = 0;
    send(r, c, 2);                          /* RECALIBRATE: already at track 0 */
    CHECK_EQ(in8(r, MSR) & 0x81, 0x81);     /* drive 0 busy, controller free */
    CHECK(wait_irq(r, e, 100000));
    sensei(r, &st0, &pcn);
    CHECK_EQ(st0, 0x20);
    CHECK_EQ(pcn, 0);
    CHECK_EQ(in8(r, DIR) & 0x80, 0x80);     /* no step pulse: the latch stays */

    /* SEEK to 40 on head 1: 40 steps of 6 ms. */
    e = r->edges;
    c[0] = 0x0F;
    c[1] = 0x04;
    c[2] = 40;
    send(r, c, 3);
    advance_us(r, 39 * 6000);
    CHECK_EQ(r->edges, e);
    CHECK(wait_irq(r, e, 20000));
    sensei(r, &st0, &pcn);
    CHECK_EQ(st0, 0x24);
    CHECK_EQ(pcn, 40);
    CHECK_EQ(in8(r, DIR) & 0x80, 0);        /* a step with a diskette in clears it */
    c[0] = 0x04;
    c[1] = 0x04;
    send(r, c, 2);                          /* SENSE DRIVE STATUS */
    CHECK_EQ(result(r, res), 1);
    CHECK_EQ(res[0], 0x2C);                 /* not track 0, head 1, drive 0 */

    /* RELATIVE SEEK in by 5, then out past track 0. */
    e = r->edges;
    c[0] = 0xCF;
    c[1] = 0x00;
    c[2] = 5;
    send(r, c, 3);
    CHECK(wait_irq(r, e, 100000));
    sensei(r, &st0, &pcn);
    CHECK_EQ(pcn, 45);
    e = r->edges;
    c[0] = 0x8F;
    c[2] = 50;
    send(r, c, 3);
    CHECK(wait_irq(r, e, 1000000));
    sensei(r, &st0, &pcn);
    CHECK_EQ(st0, 0x70);                    /* abnormal, seek end, equipment check */
    CHECK_EQ(pcn, 0);
    c[0] = 0x04;
    c[1] = 0x00;
    send(r, c, 2);
    result(r, res);
    CHECK_EQ(res[0], 0x38);                 /* track 0 */

    /* RECALIBRATE a drive that is not connected: no TRK0 after 79 steps. */
    e = r->edges;
    c[0] = 0x07;
    c[1] = 2;
    send(r, c, 2);
    CHECK(wait_irq(r, e, 2000000));
    sensei(r, &st0, &pcn);
    CHECK_EQ(st0, 0x72);
    free(r);
    disk_image_close(&img);
}

static void test_read_write(void)
{
    char p[512], why[200];
    make_image("b.img", p, sizeof(p), 1474560, 2);
    struct disk_image img;
    CHECK_EQ(disk_image_open(&img, p, DISK_READ_WRITE, 512, NULL, why, sizeof(why)), 0);
    struct rig *r = booted(&img);
    uint8_t res[16];
    seek_to(r, 0, 0, 1);

    /* SeaBIOS's READ (E6h): two sectors, terminal count ends it normally. */
    CHECK_EQ(data_command(r, 0xE6, 0, 1, 0, 3, 18, 2, 0x1000, res), 7);
    CHECK_EQ(res[0], 0x00);
    CHECK_EQ(res[1], 0x00);
    CHECK_EQ(res[2], 0x00);
    CHECK_EQ(res[3], 1);
    CHECK_EQ(res[4], 0);
    CHECK_EQ(res[5], 5);                    /* the sector after the last one read */
    CHECK_EQ(res[6], 2);
    int ok = 1;
    for (uint32_t i = 0; i < 1024; i++)
        ok &= r->dma.mem[0x1000 + i] == image_byte(lba_of(1, 0, 3) * 512 + i, 2);
    CHECK(ok);

    /* Multi-track: sectors 17-18 of head 0, then 1-2 of head 1. */
    CHECK_EQ(data_command(r, 0xE6, 0, 1, 0, 17, 18, 4, 0x2000, res), 7);
    CHECK_EQ(res[0] & 0xC0, 0x00);
    CHECK_EQ(res[4], 1);
    CHECK_EQ(res[5], 3);
    CHECK_EQ(r->dma.mem[0x2000 + 1024], image_byte(lba_of(1, 1, 1) * 512, 2));
    /* Terminal count exactly on EOT without MT: C+1, R=1, normal end. */
    CHECK_EQ(data_command(r, 0x66, 0, 1, 0, 17, 18, 2, 0x3000, res), 7);
    CHECK_EQ(res[0], 0x00);
    CHECK_EQ(res[3], 2);
    CHECK_EQ(res[5], 1);
    /* No terminal count by EOT: abnormal, end of cylinder. */
    CHECK_EQ(data_command(r, 0x66, 0, 1, 0, 17, 18, 4, 0x3000, res), 7);
    CHECK_EQ(res[0], 0x40);
    CHECK_EQ(res[1], 0x80);
    CHECK_EQ(res[3], 2);
    CHECK_EQ(res[5], 1);
    /* MT past the end of head 1: C+1, head back to 0. */
    CHECK_EQ(data_command(r, 0xE6, 1, 1, 1, 18, 18, 1, 0x3000, res), 7);
    CHECK_EQ(res[0], 0x00);                 /* ST0 shows the head selected at the end */
    CHECK_EQ(res[3], 2);
    CHECK_EQ(res[4], 0);
    CHECK_EQ(res[5], 1);

    /* WRITE DATA (C5h), then the file and a read back. */
    for (int i = 0; i < 1024; i++)
        r->dma.mem[0x8000 + i] = (uint8_t)(i * 7 + 5);
    CHECK_EQ(data_command(r, 0xC5, 1, 1, 1, 1, 18, 2, 0x8000, res), 7);
    CHECK_EQ(res[0], 0x04);
    CHECK_EQ(res[5], 3);
    uint8_t disk[1024];
    int fd = open(p, O_RDONLY);
    CHECK_EQ(pread(fd, disk, sizeof(disk), (off_t)lba_of(1, 1, 1) * 512), 1024);
    close(fd);
    CHECK(memcmp(disk, &r->dma.mem[0x8000], 1024) == 0);
    memset(&r->dma.mem[0x9000], 0, 1024);
    CHECK_EQ(data_command(r, 0xE6, 1, 1, 1, 1, 18, 2, 0x9000, res), 7);
    CHECK(memcmp(&r->dma.mem[0x9000], &r->dma.mem[0x8000], 1024) == 0);
    /* A short DMA count in a write: the rest of the sector is zeros. */
    CHECK_EQ(data_command(r, 0xC5, 0, 1, 0, 9, 18, 0, 0x8000, res), 7);
    CHECK_EQ(res[0] & 0xC0, 0x40);          /* count 0: overrun */
    CHECK_EQ(res[1], 0x10);
    r->dma.addr = 0x8000;
    r->dma.count = 100;
    uint8_t cmd[9] = { 0xC5, 0, 1, 0, 9, 2, 18, 0x1B, 0xFF };
    int e = r->edges;
    send(r, cmd, 9);
    CHECK(wait_irq(r, e, 1000000));
    CHECK_EQ(result(r, res), 7);
    CHECK_EQ(res[0], 0x00);
    fd = open(p, O_RDONLY);
    CHECK_EQ(pread(fd, disk, 512, (off_t)lba_of(1, 0, 9) * 512), 512);
    close(fd);
    CHECK_EQ(disk[99], r->dma.mem[0x8000 + 99]);
    CHECK_EQ(disk[100], 0);
    CHECK_EQ(disk[511], 0);

    /* Errors: wrong cylinder (after two revolutions), wrong rate, no DMA. */
    uint64_t t0 = r->clock.now;
    CHECK_EQ(data_command(r, 0xE6, 0, 7, 0, 1, 18, 1, 0x1000, res), 7);
    CHECK(r->clock.now - t0 >= clock_ns_to_cycles(&r->clock, FDC_NOT_FOUND_NS));
    CHECK_EQ(res[0], 0x40);
    CHECK_EQ(res[1], 0x04);                 /* no data */
    CHECK_EQ(res[2], 0x10);                 /* wrong cylinder */
    CHECK_EQ(data_command(r, 0xE6, 0, 1, 0, 19, 19, 1, 0x1000, res), 7);
    CHECK_EQ(res[1], 0x04);                 /* sector 19 does not exist */
    out8(r, DIR, 0x02);                     /* 250 kb/s: a 1.44 MB diskette is unreadable */
    CHECK_EQ(data_command(r, 0xE6, 0, 1, 0, 1, 18, 1, 0x1000, res), 7);
    CHECK_EQ(res[1], 0x01);                 /* missing address mark */
    out8(r, DIR, 0x00);
    r->dma.masked = 1;
    CHECK_EQ(data_command(r, 0xE6, 0, 1, 0, 1, 18, 1, 0x1000, res), 7);
    CHECK_EQ(res[1], 0x10);                 /* overrun */
    r->dma.masked = 0;
    free(r);
    disk_image_close(&img);

    /* A read-only image is a write-protected diskette. */
    CHECK_EQ(disk_image_open(&img, p, DISK_READ_ONLY, 512, NULL, why, sizeof(why)), 0);
    r = booted(&img);
    CHECK_EQ(data_command(r, 0xC5, 0, 0, 0, 1, 18, 1, 0x8000, res), 7);
    CHECK_EQ(res[0], 0x40);
    CHECK_EQ(res[1], 0x02);                 /* not writable */
    uint8_t c[2] = { 0x04, 0x00 };
    send(r, c, 2);
    result(r, res);
    CHECK_EQ(res[0] & 0x40, 0x40);
    free(r);
    disk_image_close(&img);
}

static void test_format_and_read_id(void)
{
    char p[512], why[200];
    make_image("c.img", p, sizeof(p), 1474560, 3);
    struct disk_image img;
    CHECK_EQ(disk_image_open(&img, p, DISK_READ_WRITE, 512, NULL, why, sizeof(why)), 0);
    struct rig *r = booted(&img);
    seek_to(r, 0, 0, 2);
    for (int s = 0; s < 18; s++) {
        uint8_t *id = &r->dma.mem[0x4000 + 4 * s];
        id[0] = 2, id[1] = 0, id[2] = (uint8_t)(s + 1), id[3] = 2;
    }
    r->dma.addr = 0x4000;
    r->dma.count = 18 * 4;
    int e = r->edges;
    uint8_t fmt[6] = { 0x4D, 0x00, 2, 18, 0x6C, 0xF6 }, res[16];
    send(r, fmt, 6);
    CHECK(wait_irq(r, e, 1000000));
    CHECK_EQ(result(r, res), 7);
    CHECK_EQ(res[0], 0x00);
    uint8_t disk[18 * 512];
    int fd = open(p, O_RDONLY);
    CHECK_EQ(pread(fd, disk, sizeof(disk), (off_t)lba_of(2, 0, 1) * 512), (ssize_t)sizeof(disk));
    close(fd);
    int ok = 1;
    for (size_t i = 0; i < sizeof(disk); i++)
        ok &= disk[i] == 0xF6;
    CHECK(ok);

    /* READ ID on head 1 of cylinder 2. */
    e = r->edges;
    uint8_t rid[2] = { 0x4A, 0x04 };
    send(r, rid, 2);
    CHECK(wait_irq(r, e, 100000));
    CHECK_EQ(result(r, res), 7);
    CHECK_EQ(res[0], 0x04);
    CHECK_EQ(res[3], 2);
    CHECK_EQ(res[4], 1);
    CHECK(res[5] >= 1 && res[5] <= 18);
    CHECK_EQ(res[6], 2);
    /* SeaBIOS media sense: READ ID at the 720 KB rate fails on this diskette. */
    out8(r, DIR, 0x02);
    e = r->edges;
    send(r, rid, 2);
    CHECK(wait_irq(r, e, 1000000));
    result(r, res);
    CHECK_EQ(res[0] & 0xC0, 0x40);
    CHECK_EQ(res[1], 0x01);
    free(r);
    disk_image_close(&img);

    /* A 720 KB diskette is read at 250 kb/s, 9 sectors a track. */
    make_image("d.img", p, sizeof(p), 737280, 4);
    CHECK_EQ(disk_image_open(&img, p, DISK_READ_ONLY, 512, NULL, why, sizeof(why)), 0);
    r = booted(&img);
    CHECK_EQ(r->fdc.drive[0].cmos_type, 3);
    out8(r, DIR, 0x02);
    CHECK_EQ(data_command(r, 0xE6, 0, 0, 0, 9, 9, 1, 0x1000, res), 7);
    CHECK_EQ(res[0], 0x04);                 /* multi-track moved on to head 1 */
    CHECK_EQ(res[4], 1);
    CHECK_EQ(r->dma.mem[0x1000], image_byte(8 * 512, 4));
    free(r);
    disk_image_close(&img);
}

static void test_media(void)
{
    char p[512], q[512], why[200];
    make_image("e.img", p, sizeof(p), 1474560, 5);
    make_image("odd.img", q, sizeof(q), 1474560 + 512, 5);
    struct disk_image img, odd;
    CHECK_EQ(disk_image_open(&img, p, DISK_READ_WRITE, 512, NULL, why, sizeof(why)), 0);
    CHECK_EQ(disk_image_open(&odd, q, DISK_READ_WRITE, 512, NULL, why, sizeof(why)), 0);
    struct rig *r = booted(&img);
    why[0] = 0;
    CHECK_EQ(fdc_insert(&r->fdc, 1, &odd, why, sizeof(why)), -1);
    CHECK(strstr(why, "not a floppy image size") != NULL);
    CHECK_EQ(fdc_insert(&r->fdc, 2, &img, why, sizeof(why)), -1);

    seek_to(r, 0, 0, 3);
    CHECK_EQ(in8(r, DIR) & 0x80, 0);
    CHECK_EQ(fdc_insert(&r->fdc, 0, NULL, why, sizeof(why)), 0);   /* eject */
    CHECK_EQ(in8(r, DIR) & 0x80, 0x80);
    seek_to(r, 0, 0, 5);                    /* steps without a diskette: still changed */
    CHECK_EQ(in8(r, DIR) & 0x80, 0x80);

    /* No diskette: READ waits for index pulses that never come. */
    uint8_t res[16], cmd[9] = { 0xE6, 0, 5, 0, 1, 2, 18, 0x1B, 0xFF };
    int e = r->edges;
    send(r, cmd, 9);
    advance_us(r, 2000000);
    CHECK_EQ(r->edges, e);
    CHECK_EQ(in8(r, MSR), 0x10);            /* busy, no request */
    bios_reset(r);                          /* the host's way out */
    specify(r, 0xAF, 0x02);
    out8(r, DIR, 0x00);

    CHECK_EQ(fdc_insert(&r->fdc, 0, &img, why, sizeof(why)), 0);
    CHECK_EQ(in8(r, DIR) & 0x80, 0x80);
    /* After the reset the controller believes PCN 0 while the head is on
     * cylinder 5: a SEEK to 5 lands on 10, and the IDs there say so. */
    seek_to(r, 0, 0, 5);
    CHECK_EQ(in8(r, DIR) & 0x80, 0);
    CHECK_EQ(data_command(r, 0xE6, 0, 5, 0, 1, 18, 1, 0x1000, res), 7);
    CHECK_EQ(res[1], 0x04);
    CHECK_EQ(res[2], 0x10);
    recalibrate(r, 0);
    seek_to(r, 0, 0, 5);
    CHECK_EQ(data_command(r, 0xE6, 0, 5, 0, 1, 18, 1, 0x1000, res), 7);
    CHECK_EQ(res[0], 0x00);
    CHECK_EQ(r->dma.mem[0x1000 + 7], image_byte(lba_of(5, 0, 1) * 512 + 7, 5));

    /* Motor off: no index pulses either. */
    out8(r, DOR, 0x0C);
    e = r->edges;
    send(r, cmd, 9);
    advance_us(r, 1000000);
    CHECK_EQ(r->edges, e);
    free(r);
    disk_image_close(&img);
    disk_image_close(&odd);
}

/* SeaBIOS from power-on: no reset of its own, one SENSE INTERRUPT STATUS
 * after RECALIBRATE, the media sense by READ ID, then READ (E6h) with the
 * DMA count ending on the last byte. */
static void test_seabios_flow(void)
{
    char p[512], why[200];
    make_image("s.img", p, sizeof(p), 1474560, 8);
    struct disk_image img;
    CHECK_EQ(disk_image_open(&img, p, DISK_READ_WRITE, 512, NULL, why, sizeof(why)), 0);
    struct rig *r = rig_new();
    fdc_insert(&r->fdc, 0, &img, why, sizeof(why));
    device_reset_all(&r->reg);
    CHECK_EQ(in8(r, DOR) & 0x04, 0x04);     /* floppy_select_drive: no enable needed */
    out8(r, DOR, 0x1C);
    recalibrate(r, 0);
    out8(r, DIR, 0x00);
    int e = r->edges;
    uint8_t rid[2] = { 0x4A, 0x00 }, res[16];
    send(r, rid, 2);
    CHECK(wait_irq(r, e, 100000));
    CHECK_EQ(result(r, res), 7);
    CHECK_EQ(res[0] & 0xC0, 0);
    CHECK_EQ(data_command(r, 0xE6, 0, 0, 0, 1, 18, 1, 0x7C00, res), 7);
    CHECK_EQ(res[0] & 0xC0, 0);
    CHECK_EQ(r->dma.mem[0x7C00 + 510], image_byte(510, 8));
    /* Its disable/enable after a timeout: DOR bit 2 off and on again. */
    out8(r, DOR, 0x18);
    e = r->edges;
    out8(r, DOR, 0x1C);
    CHECK(wait_irq(r, e, 10000));
    uint8_t st0, pcn;
    CHECK_EQ(sensei(r, &st0, &pcn), 2);
    CHECK_EQ(st0, 0xC0);
    e = r->edges;
    uint8_t recal[2] = { 0x07, 0x00 };
    send(r, recal, 2);
    CHECK(wait_irq(r, e, 100000));          /* the seek end still interrupts */
    CHECK_EQ(sensei(r, &st0, &pcn), 2);
    CHECK_EQ(st0, 0xC1);                    /* its one SENSE gets a leftover polling status */
    free(r);
    disk_image_close(&img);
}

/* SPECIFY with ND: the data goes through the FIFO, and without a TC the
 * command ends past EOT with EN (as Linux's pseudo-DMA expects). */
static void test_non_dma(void)
{
    char p[512], why[200];
    make_image("f.img", p, sizeof(p), 1474560, 6);
    struct disk_image img;
    CHECK_EQ(disk_image_open(&img, p, DISK_READ_WRITE, 512, NULL, why, sizeof(why)), 0);
    struct rig *r = booted(&img);
    specify(r, 0xAF, 0x03);
    seek_to(r, 0, 0, 1);
    uint8_t cmd[9] = { 0x46, 0x00, 1, 0, 18, 2, 18, 0x1B, 0xFF }, res[16], data[512];
    int e = r->edges;
    send(r, cmd, 9);
    CHECK(wait_irq(r, e, 1000000));
    CHECK_EQ(in8(r, MSR) & 0xF0, 0xF0);     /* RQM DIO NDM CB */
    for (int i = 0; i < 512; i++)
        data[i] = in8(r, FIFO);
    CHECK_EQ(data[0], image_byte(lba_of(1, 0, 18) * 512, 6));
    CHECK_EQ(data[511], image_byte(lba_of(1, 0, 18) * 512 + 511, 6));
    CHECK_EQ(result(r, res), 7);
    CHECK_EQ(res[0], 0x40);
    CHECK_EQ(res[1], 0x80);
    /* A non-DMA write. */
    uint8_t wr[9] = { 0x45, 0x00, 1, 0, 18, 2, 18, 0x1B, 0xFF };
    e = r->edges;
    send(r, wr, 9);
    CHECK(wait_irq(r, e, 1000000));
    CHECK_EQ(in8(r, MSR) & 0xF0, 0xB0);     /* RQM NDM CB, to the controller */
    for (int i = 0; i < 512; i++)
        out8(r, FIFO, (uint8_t)(i ^ 0x5A));
    CHECK_EQ(result(r, res), 7);
    int fd = open(p, O_RDONLY);
    CHECK_EQ(pread(fd, data, 512, (off_t)lba_of(1, 0, 18) * 512), 512);
    close(fd);
    CHECK_EQ(data[3], 3 ^ 0x5A);
    CHECK_EQ(data[511], (511 ^ 0x5A) & 0xFF);
    free(r);
    disk_image_close(&img);
}

/* Save in the middle of a seek, load into a second controller, and both
 * finish it the same way. */
static void test_save_load(void)
{
    char p[512], why[200];
    make_image("g.img", p, sizeof(p), 1474560, 7);
    struct disk_image img;
    CHECK_EQ(disk_image_open(&img, p, DISK_READ_WRITE, 512, NULL, why, sizeof(why)), 0);
    struct rig *a = booted(&img);
    uint8_t c[3] = { 0x0F, 0x00, 30 }, st0, pcn, st0b, pcnb;
    send(a, c, 3);
    advance_us(a, 50000);
    struct state_writer w;
    state_writer_init(&w);
    device_save_all(&a->reg, &w);
    struct rig *b = rig_new();
    CHECK_EQ(fdc_insert(&b->fdc, 0, &img, why, sizeof(why)), 0);
    b->clock.now = a->clock.now;
    struct state_reader rd;
    state_reader_init(&rd, w.buf, w.len);
    CHECK_EQ(device_load_all(&b->reg, &rd, why, sizeof(why)), 0);
    CHECK_EQ(in8(b, MSR), in8(a, MSR));
    int ea = a->edges, eb = b->edges;
    CHECK(wait_irq(a, ea, 1000000));
    CHECK(wait_irq(b, eb, 1000000));
    sensei(a, &st0, &pcn);
    sensei(b, &st0b, &pcnb);
    CHECK_EQ(st0, st0b);
    CHECK_EQ(pcn, 30);
    CHECK_EQ(pcnb, 30);
    uint8_t res[16];
    CHECK_EQ(data_command(b, 0xE6, 0, 30, 0, 2, 18, 1, 0x100, res), 7);
    CHECK_EQ(res[0], 0x00);
    CHECK_EQ(b->dma.mem[0x100], image_byte(lba_of(30, 0, 2) * 512, 7));
    CHECK_EQ(a->dma.mem[0x100], 0);         /* two machines, two memories */
    state_reader_init(&rd, w.buf, w.len - 7);
    CHECK_EQ(device_load_all(&b->reg, &rd, why, sizeof(why)), -1);
    state_writer_free(&w);
    free(a);
    free(b);
    disk_image_close(&img);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_reset_and_identify();
    test_seeks();
    test_seabios_flow();
    test_read_write();
    test_format_and_read_id();
    test_media();
    test_non_dma();
    test_save_load();
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return test_report();
}
