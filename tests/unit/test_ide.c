/* The PIIX3 IDE function's ATA side, driven the way SeaBIOS (src/hw/ata.c)
 * and Linux (libata-sff, ata_piix) drive it: detection, SRST and
 * signatures, IDENTIFY, PIO/multiple/DMA reads and writes checked against
 * the image files, LBA48, malformed PRD tables, errors, save/load and two
 * machines at once.  The CD-ROM is in test_ide_atapi.c. */
#include "tests/unit/ide_rig.h"

TEST_MAIN_COUNTS;

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
    snprintf(p, sizeof(p), "%s/big.img", rig_dir);
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

int main(void)
{
    if (rig_begin() != 0)
        return 1;
    test_detect_and_identify();
    test_pio();
    test_lba48();
    test_multiple();
    test_dma();
    test_errors();
    test_save_load();
    test_two_instances();
    rig_end();
    return test_report();
}
