/* The PIIX3 IDE function's ATAPI CD-ROM on an ISO image the test makes:
 * signature, IDENTIFY PACKET DEVICE, the PACKET protocol with the
 * byte-count limit, INQUIRY, READ CAPACITY, READ(10)/(12), READ TOC,
 * MODE SENSE, GET CONFIGURATION, GET EVENT STATUS NOTIFICATION, sense data
 * and UNIT ATTENTION on media changes, tray locking, DMA; and a disk with
 * a CD-ROM on one cable (reset, classification, nIEN, DEVICE RESET). */
#include "tests/unit/ide_rig.h"

TEST_MAIN_COUNTS;

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

int main(void)
{
    if (rig_begin() != 0)
        return 1;
    test_atapi();
    test_two_devices();
    rig_end();
    return test_report();
}
