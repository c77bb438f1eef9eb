/*
 * fw_cfg: the signature and ID items, the file directory, item reads
 * through the ports, DMA transfers into guest RAM, malformed DMA requests
 * and targets outside RAM, save/load of the cursor, two devices at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/device.h"
#include "bus/portio.h"
#include "bus/state.h"
#include "memory/physmem.h"
#include "peripherals/fw_cfg.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

#define RAM_SIZE (1024u * 1024u)

struct rig {
    struct portio io;
    struct device_registry reg;
    struct physmem pm;
    struct fw_cfg cfg;
};

static int rig_init(struct rig *r, int with_dma)
{
    portio_init(&r->io);
    device_registry_init(&r->reg);
    if (physmem_init(&r->pm, RAM_SIZE) != 0)
        return -1;
    return fw_cfg_init(&r->cfg, &r->io, &r->reg, with_dma ? &r->pm : NULL);
}

static void rig_destroy(struct rig *r)
{
    fw_cfg_destroy(&r->cfg);
    physmem_destroy(&r->pm);
}

static void select_key(struct rig *r, uint16_t key) { portio_write(&r->io, FW_CFG_PORT_SEL, key, 2); }
static uint8_t data_byte(struct rig *r) { return (uint8_t)portio_read(&r->io, FW_CFG_PORT_DATA, 1); }

static void read_item(struct rig *r, uint16_t key, uint8_t *buf, size_t n)
{
    select_key(r, key);
    for (size_t i = 0; i < n; i++)
        buf[i] = data_byte(r);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static uint32_t swap32(uint32_t v)
{
    return (v >> 24) | ((v >> 8) & 0xFF00u) | ((v << 8) & 0xFF0000u) | (v << 24);
}

/* Write a FWCfgDmaAccess at desc and start it the way SeaBIOS does: one
 * OUTL of the byte-swapped address to the low half.  Returns the control
 * field afterwards. */
static uint32_t dma(struct rig *r, uint32_t desc, uint32_t control, uint32_t length, uint64_t addr)
{
    uint8_t d[16];
    put_be32(d, control);
    put_be32(d + 4, length);
    put_be32(d + 8, (uint32_t)(addr >> 32));
    put_be32(d + 12, (uint32_t)addr);
    physmem_copy_to(&r->pm, desc, d, sizeof(d));
    portio_write(&r->io, FW_CFG_PORT_DMA + 4, swap32(desc), 4);
    uint8_t c[4];
    physmem_copy_from(&r->pm, desc, c, 4);
    return be32(c);
}

static void test_signature_and_id(void)
{
    struct rig r;
    CHECK_EQ(rig_init(&r, 1), 0);
    uint8_t b[8];
    read_item(&r, FW_CFG_SIGNATURE, b, 5);
    CHECK(memcmp(b, "QEMU", 4) == 0);
    CHECK_EQ(b[4], 0);                          /* past the end: zeros */
    read_item(&r, FW_CFG_ID, b, 4);
    CHECK_EQ(le32_load(b), FW_CFG_ID_TRADITIONAL | FW_CFG_ID_DMA);
    /* The DMA address register reads "QEMU CFG", big-endian. */
    CHECK_EQ(portio_read(&r.io, FW_CFG_PORT_DMA, 4), 0x554D4551u);
    CHECK_EQ(portio_read(&r.io, FW_CFG_PORT_DMA + 4, 4), 0x47464320u);
    CHECK_EQ(portio_read(&r.io, FW_CFG_PORT_DMA + 1, 1), 'E');
    /* The selector port is write-only: open bus. */
    CHECK_EQ(portio_read(&r.io, FW_CFG_PORT_SEL, 1), 0xFF);
    /* Bit 14 (old write flag) does not change the item. */
    read_item(&r, 0x4000 | FW_CFG_SIGNATURE, b, 4);
    CHECK(memcmp(b, "QEMU", 4) == 0);
    /* An unknown key reads zeros. */
    read_item(&r, 0x1234, b, 4);
    CHECK_EQ(le32_load(b), 0);
    /* An empty directory: count 0. */
    read_item(&r, FW_CFG_FILE_DIR, b, 4);
    CHECK_EQ(be32(b), 0);
    rig_destroy(&r);

    /* Without DMA: the ID says so and the DMA ports are not decoded. */
    CHECK_EQ(rig_init(&r, 0), 0);
    read_item(&r, FW_CFG_ID, b, 4);
    CHECK_EQ(le32_load(b), FW_CFG_ID_TRADITIONAL);
    CHECK_EQ(portio_read(&r.io, FW_CFG_PORT_DMA, 1), 0xFF);
    rig_destroy(&r);
}

static void test_numeric_items(void)
{
    struct rig r;
    CHECK_EQ(rig_init(&r, 1), 0);
    CHECK_EQ(fw_cfg_add_u16(&r.cfg, FW_CFG_NB_CPUS, 1), 0);
    CHECK_EQ(fw_cfg_add_u32(&r.cfg, FW_CFG_KERNEL_SIZE, 0x12345678u), 0);
    CHECK_EQ(fw_cfg_add_u64(&r.cfg, FW_CFG_RAM_SIZE, 0x0000000110000000ull), 0);
    CHECK_EQ(fw_cfg_add_string(&r.cfg, FW_CFG_CMDLINE_DATA, "console=ttyS0"), 0);
    uint8_t b[16];
    read_item(&r, FW_CFG_NB_CPUS, b, 3);
    CHECK_EQ(b[0], 1); CHECK_EQ(b[1], 0); CHECK_EQ(b[2], 0);
    read_item(&r, FW_CFG_KERNEL_SIZE, b, 4);
    CHECK_EQ(le32_load(b), 0x12345678u);
    read_item(&r, FW_CFG_RAM_SIZE, b, 8);
    CHECK_EQ(le32_load(b), 0x10000000u);
    CHECK_EQ(le32_load(b + 4), 1);
    read_item(&r, FW_CFG_CMDLINE_DATA, b, 15);
    CHECK(memcmp(b, "console=ttyS0", 14) == 0);
    CHECK_EQ(b[14], 0);
    /* Replacing an item keeps one entry. */
    int n = r.cfg.n_items;
    CHECK_EQ(fw_cfg_add_u16(&r.cfg, FW_CFG_NB_CPUS, 2), 0);
    CHECK_EQ(r.cfg.n_items, n);
    read_item(&r, FW_CFG_NB_CPUS, b, 2);
    CHECK_EQ(le16_load(b), 2);
    /* Arch-local keys work; the directory and file keys are not for numbers. */
    CHECK_EQ(fw_cfg_add_bytes(&r.cfg, FW_CFG_IRQ0_OVERRIDE, "\x01", 1), 0);
    read_item(&r, FW_CFG_IRQ0_OVERRIDE, b, 1);
    CHECK_EQ(b[0], 1);
    CHECK_EQ(fw_cfg_add_u32(&r.cfg, FW_CFG_FILE_DIR, 0), -1);
    CHECK_EQ(fw_cfg_add_u32(&r.cfg, FW_CFG_FILE_FIRST, 0), -1);
    CHECK_EQ(fw_cfg_add_bytes(&r.cfg, 0x1A, NULL, 4), -1);
    /* Byte writes to the selector and data writes change nothing. */
    select_key(&r, FW_CFG_SIGNATURE);
    portio_write(&r.io, FW_CFG_PORT_SEL, 0x01, 1);
    portio_write(&r.io, FW_CFG_PORT_DATA, 0x55, 1);
    CHECK_EQ(data_byte(&r), 'Q');
    rig_destroy(&r);
}

static void test_file_directory(void)
{
    struct rig r;
    CHECK_EQ(rig_init(&r, 1), 0);
    static const char order[] = "/rom@genroms/linuxboot.bin\n";
    uint8_t rom[1024];
    for (unsigned i = 0; i < sizeof(rom); i++)
        rom[i] = (uint8_t)(i * 7);
    CHECK_EQ(fw_cfg_add_file(&r.cfg, "bootorder", order, sizeof(order) - 1), FW_CFG_FILE_FIRST);
    CHECK_EQ(fw_cfg_add_file(&r.cfg, "genroms/linuxboot.bin", rom, sizeof(rom)), FW_CFG_FILE_FIRST + 1);
    CHECK_EQ(fw_cfg_add_e820(&r.cfg, 0x8000000, 0), 0);
    CHECK_EQ(fw_cfg_add_file(&r.cfg, "bootorder", "x", 1), -1);          /* duplicate */
    char longname[FW_CFG_NAME_SIZE + 1];
    memset(longname, 'a', FW_CFG_NAME_SIZE);
    longname[FW_CFG_NAME_SIZE] = 0;
    CHECK_EQ(fw_cfg_add_file(&r.cfg, longname, "x", 1), -1);            /* 56 chars: no room for NUL */
    longname[FW_CFG_NAME_SIZE - 1] = 0;
    CHECK_EQ(fw_cfg_add_file(&r.cfg, longname, "x", 1), FW_CFG_FILE_FIRST + 3);   /* 55 chars fit */
    CHECK_EQ(fw_cfg_add_file(&r.cfg, "", "x", 1), -1);
    CHECK_EQ(fw_cfg_find_file(&r.cfg, "genroms/linuxboot.bin"), FW_CFG_FILE_FIRST + 1);
    CHECK_EQ(fw_cfg_find_file(&r.cfg, "nothere"), -1);

    uint8_t dir[4 + 4 * 64 + 4];
    read_item(&r, FW_CFG_FILE_DIR, dir, sizeof(dir));
    CHECK_EQ(be32(dir), 4);
    const uint8_t *e = dir + 4;
    CHECK_EQ(be32(e), sizeof(order) - 1);
    CHECK_EQ(e[4] << 8 | e[5], FW_CFG_FILE_FIRST);
    CHECK(strcmp((const char *)e + 8, "bootorder") == 0);
    e += 64;
    CHECK_EQ(be32(e), sizeof(rom));
    CHECK_EQ(e[4] << 8 | e[5], FW_CFG_FILE_FIRST + 1);
    CHECK(strcmp((const char *)e + 8, "genroms/linuxboot.bin") == 0);
    e += 64;
    CHECK_EQ(be32(e), 20);
    CHECK(strcmp((const char *)e + 8, "etc/e820") == 0);
    e += 64;
    CHECK_EQ(e[63], 0);                                                  /* name NUL-terminated */
    CHECK_EQ(le32_load(dir + 4 + 4 * 64), 0);                           /* past the end: zeros */

    /* The files read back through their keys. */
    uint8_t buf[1024];
    read_item(&r, FW_CFG_FILE_FIRST + 1, buf, sizeof(buf));
    CHECK(memcmp(buf, rom, sizeof(rom)) == 0);
    read_item(&r, (uint16_t)fw_cfg_find_file(&r.cfg, "etc/e820"), buf, 20);
    CHECK_EQ(le32_load(buf), 0);
    CHECK_EQ(le32_load(buf + 8), 0x8000000);
    CHECK_EQ(le32_load(buf + 12), 0);
    CHECK_EQ(le32_load(buf + 16), FW_CFG_E820_RAM);
    rig_destroy(&r);

    /* RAM above 4 GiB gives a second entry. */
    CHECK_EQ(rig_init(&r, 1), 0);
    CHECK_EQ(fw_cfg_add_e820(&r.cfg, 0xE0000000u, 0x20000000u), 0);
    const struct fw_cfg_item *it = fw_cfg_find(&r.cfg, (uint16_t)fw_cfg_find_file(&r.cfg, "etc/e820"));
    CHECK(it != NULL);
    if (it) {
        CHECK_EQ(it->len, 40);
        CHECK_EQ(le32_load(it->data + 20 + 4), 1);          /* base 4 GiB, high half */
        CHECK_EQ(le32_load(it->data + 20 + 8), 0x20000000u);
    }
    rig_destroy(&r);

    /* The table fills up cleanly. */
    CHECK_EQ(rig_init(&r, 1), 0);
    int last = 0;
    for (int i = 0; i < FW_CFG_MAX_ITEMS + 4; i++) {
        char name[32];
        snprintf(name, sizeof(name), "opt/file%d", i);
        last = fw_cfg_add_file(&r.cfg, name, name, strlen(name));
        if (last < 0)
            break;
    }
    CHECK_EQ(last, -1);
    CHECK(r.cfg.n_items <= FW_CFG_MAX_ITEMS);
    uint8_t cnt[4];
    read_item(&r, FW_CFG_FILE_DIR, cnt, 4);
    CHECK_EQ(be32(cnt), (uint32_t)r.cfg.n_files);
    rig_destroy(&r);
}

static void test_dma_transfers(void)
{
    struct rig r;
    CHECK_EQ(rig_init(&r, 1), 0);
    static uint8_t kernel[3 * PAGE_SIZE + 123];
    for (unsigned i = 0; i < sizeof(kernel); i++)
        kernel[i] = (uint8_t)(i ^ (i >> 8));
    CHECK_EQ(fw_cfg_add_bytes(&r.cfg, FW_CFG_KERNEL_DATA, kernel, sizeof(kernel)), 0);

    /* Select + read of the whole item, to an unaligned address. */
    uint32_t ctl = (uint32_t)FW_CFG_KERNEL_DATA << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_READ;
    CHECK_EQ(dma(&r, 0x1000, ctl, sizeof(kernel), 0x20003), 0);
    static uint8_t back[sizeof(kernel)];
    physmem_copy_from(&r.pm, 0x20003, back, sizeof(back));
    CHECK(memcmp(back, kernel, sizeof(kernel)) == 0);
    CHECK_EQ(r.cfg.offset, sizeof(kernel));

    /* Reads past the end fill zeros; the offset stops at the end. */
    uint8_t pre[64];
    memset(pre, 0xAA, sizeof(pre));
    physmem_copy_to(&r.pm, 0x30000, pre, sizeof(pre));
    ctl = (uint32_t)FW_CFG_SIGNATURE << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_READ;
    CHECK_EQ(dma(&r, 0x1000, ctl, 16, 0x30000), 0);
    physmem_copy_from(&r.pm, 0x30000, pre, sizeof(pre));
    CHECK(memcmp(pre, "QEMU\0\0\0\0\0\0\0\0\0\0\0\0", 16) == 0);
    CHECK_EQ(pre[16], 0xAA);

    /* Skip, then a read without select continues at the offset. */
    ctl = (uint32_t)FW_CFG_KERNEL_DATA << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_SKIP;
    CHECK_EQ(dma(&r, 0x1000, ctl, 100, 0), 0);
    CHECK_EQ(dma(&r, 0x1000, FW_CFG_DMA_READ, 8, 0x31000), 0);
    physmem_copy_from(&r.pm, 0x31000, pre, 8);
    CHECK(memcmp(pre, kernel + 100, 8) == 0);
    /* A skip past the end stops at the end. */
    CHECK_EQ(dma(&r, 0x1000, FW_CFG_DMA_SKIP, 0xFFFFFFF0u, 0), 0);
    CHECK_EQ(r.cfg.offset, sizeof(kernel));
    /* Port reads follow the DMA cursor. */
    ctl = (uint32_t)FW_CFG_SIGNATURE << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_SKIP;
    CHECK_EQ(dma(&r, 0x1000, ctl, 2, 0), 0);
    CHECK_EQ(data_byte(&r), 'M');

    /* A control word with no operation, and a zero-length read, succeed. */
    CHECK_EQ(dma(&r, 0x1000, 0, 0, 0), 0);
    CHECK_EQ(dma(&r, 0x1000, FW_CFG_DMA_READ, 0, 0xFFFFFFFFu), 0);

    /* Writing into a page holding decoded code tells the CPU. */
    physmem_mark_code(&r.pm, 0x40000);
    CHECK(physmem_host_write_page(&r.pm, 0x40000) == NULL);
    ctl = (uint32_t)FW_CFG_KERNEL_DATA << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_READ;
    CHECK_EQ(dma(&r, 0x1000, ctl, 32, 0x40010), 0);
    physmem_copy_from(&r.pm, 0x40010, pre, 32);
    CHECK(memcmp(pre, kernel, 32) == 0);
    CHECK(physmem_host_write_page(&r.pm, 0x40000) != NULL);     /* code flag cleared */

    /* Two OUTLs: the high half first, then the low half. */
    uint8_t d[16];
    put_be32(d, (uint32_t)FW_CFG_SIGNATURE << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_READ);
    put_be32(d + 4, 4);
    put_be32(d + 8, 0);
    put_be32(d + 12, 0x32000);
    physmem_copy_to(&r.pm, 0x1100, d, 16);
    portio_write(&r.io, FW_CFG_PORT_DMA, 0, 4);
    portio_write(&r.io, FW_CFG_PORT_DMA + 4, swap32(0x1100), 4);
    physmem_copy_from(&r.pm, 0x32000, pre, 4);
    CHECK(memcmp(pre, "QEMU", 4) == 0);
    physmem_copy_from(&r.pm, 0x1100, d, 4);
    CHECK_EQ(be32(d), 0);
    CHECK(r.cfg.dma_transfers >= 10);
    CHECK_EQ(r.cfg.dma_errors, 0);
    rig_destroy(&r);
}

static uint32_t test_mmio_read(void *opaque, uint64_t off, int size)
{
    (void)opaque; (void)off; (void)size;
    return 0;
}
static void test_mmio_write(void *opaque, uint64_t off, uint32_t v, int size)
{
    (void)off; (void)v; (void)size;
    ++*(uint32_t *)opaque;
}

static void test_dma_malformed(void)
{
    struct rig r;
    CHECK_EQ(rig_init(&r, 1), 0);
    uint32_t mmio_seen = 0;
    CHECK_EQ(physmem_map_mmio(&r.pm, 0xFEC00000u, PAGE_SIZE, test_mmio_read, test_mmio_write, &mmio_seen, "t"), 0);
    uint8_t big[2 * PAGE_SIZE];
    memset(big, 0x5A, sizeof(big));
    CHECK_EQ(fw_cfg_add_bytes(&r.cfg, FW_CFG_INITRD_DATA, big, sizeof(big)), 0);
    uint32_t ctl = (uint32_t)FW_CFG_INITRD_DATA << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_READ;

    /* Target beyond RAM (open bus): error bit, nothing moves. */
    CHECK_EQ(dma(&r, 0x1000, ctl, 16, 0x200000), FW_CFG_DMA_ERROR);
    CHECK_EQ(r.cfg.offset, 0);
    /* Target straddling the end of RAM: refused whole, RAM untouched. */
    CHECK_EQ(dma(&r, 0x1000, ctl, 32, RAM_SIZE - 16), FW_CFG_DMA_ERROR);
    uint8_t tail[16];
    physmem_copy_from(&r.pm, RAM_SIZE - 16, tail, 16);
    CHECK_EQ(tail[0], 0);
    CHECK_EQ(tail[15], 0);
    /* Target in MMIO: refused, the device never sees the writes. */
    CHECK_EQ(dma(&r, 0x1000, ctl, 16, 0xFEC00000u), FW_CFG_DMA_ERROR);
    CHECK_EQ(mmio_seen, 0);
    /* Addresses that wrap or lie above 4 GiB, and huge lengths. */
    CHECK_EQ(dma(&r, 0x1000, ctl, 0x2000, 0xFFFFF000u), FW_CFG_DMA_ERROR);
    CHECK_EQ(dma(&r, 0x1000, ctl, 16, 0x100000000ull), FW_CFG_DMA_ERROR);
    CHECK_EQ(dma(&r, 0x1000, ctl, 16, 0xFFFFFFFFFFFFFFF0ull), FW_CFG_DMA_ERROR);
    CHECK_EQ(dma(&r, 0x1000, ctl, 0xFFFFFFFFu, 0x10000), FW_CFG_DMA_ERROR);
    /* A write transfer: items are read-only. */
    CHECK_EQ(dma(&r, 0x1000, (uint32_t)FW_CFG_INITRD_DATA << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_WRITE, 4, 0x2000),
             FW_CFG_DMA_ERROR);
    CHECK_EQ(fw_cfg_find(&r.cfg, FW_CFG_INITRD_DATA)->data[0], 0x5A);
    /* Read of an item that does not exist: zeros, no error. */
    uint8_t ff[8];
    memset(ff, 0xFF, sizeof(ff));
    physmem_copy_to(&r.pm, 0x3000, ff, sizeof(ff));
    CHECK_EQ(dma(&r, 0x1000, 0x3333u << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_READ, 8, 0x3000), 0);
    physmem_copy_from(&r.pm, 0x3000, ff, sizeof(ff));
    CHECK_EQ(ff[0], 0);
    CHECK_EQ(ff[7], 0);

    /* Descriptors outside RAM or straddling its end: ignored, no crash. */
    uint64_t errors = r.cfg.dma_errors;
    portio_write(&r.io, FW_CFG_PORT_DMA + 4, swap32(0x300000), 4);
    portio_write(&r.io, FW_CFG_PORT_DMA + 4, swap32(RAM_SIZE - 8), 4);
    portio_write(&r.io, FW_CFG_PORT_DMA + 4, swap32(0xFEC00000u), 4);
    portio_write(&r.io, FW_CFG_PORT_DMA + 4, swap32(0xFFFFFFF8u), 4);
    CHECK_EQ(r.cfg.dma_errors, errors + 4);
    CHECK_EQ(mmio_seen, 0);
    /* A high half above 4 GiB: the descriptor address is out of reach. */
    portio_write(&r.io, FW_CFG_PORT_DMA, swap32(1), 4);
    portio_write(&r.io, FW_CFG_PORT_DMA + 4, swap32(0x1000), 4);
    CHECK_EQ(r.cfg.dma_errors, errors + 5);
    CHECK_EQ(r.cfg.dma_high, 0);
    /* Byte and word writes to the address register are ignored. */
    uint64_t transfers = r.cfg.dma_transfers;
    portio_write(&r.io, FW_CFG_PORT_DMA + 7, 0x00, 1);
    portio_write(&r.io, FW_CFG_PORT_DMA + 6, 0x1000, 2);
    portio_write(&r.io, FW_CFG_PORT_DMA + 2, 0x1000, 4);   /* misaligned half */
    CHECK_EQ(r.cfg.dma_transfers, transfers);
    rig_destroy(&r);
}

static void test_save_load(void)
{
    struct rig a, b;
    CHECK_EQ(rig_init(&a, 1), 0);
    CHECK_EQ(rig_init(&b, 1), 0);
    static const char text[] = "0123456789";
    CHECK_EQ(fw_cfg_add_file(&a.cfg, "opt/text", text, 10), FW_CFG_FILE_FIRST);
    CHECK_EQ(fw_cfg_add_file(&b.cfg, "opt/text", text, 10), FW_CFG_FILE_FIRST);
    select_key(&a, FW_CFG_FILE_FIRST);
    data_byte(&a); data_byte(&a); data_byte(&a);
    portio_write(&a.io, FW_CFG_PORT_DMA, swap32(0x12), 4);    /* half-written address */

    struct state_writer w;
    state_writer_init(&w);
    device_save_all(&a.reg, &w);
    CHECK_EQ(w.error, 0);
    CHECK_EQ(data_byte(&a), '3');
    CHECK_EQ(data_byte(&b), 'Q');                 /* b is its own machine */

    struct state_reader rd;
    char why[128] = "";
    state_reader_init(&rd, w.buf, w.len);
    CHECK_EQ(device_load_all(&b.reg, &rd, why, sizeof(why)), 0);
    CHECK_EQ(b.cfg.selector, FW_CFG_FILE_FIRST);
    CHECK_EQ(data_byte(&b), '3');
    CHECK_EQ(b.cfg.dma_high, 0x12);

    /* A truncated blob and an unknown version are refused. */
    struct device_entry *d = device_find(&b.reg, "fw_cfg");
    CHECK(d != NULL);
    if (d) {
        struct state_writer one;
        state_writer_init(&one);
        d->ops->save(d->opaque, &one);
        state_reader_init(&rd, one.buf, one.len - 1);
        CHECK_EQ(d->ops->load(d->opaque, &rd, 1), -1);
        state_reader_init(&rd, one.buf, one.len);
        CHECK_EQ(d->ops->load(d->opaque, &rd, 2), -1);
        /* An offset past the item loads and reads zeros. */
        le32_store(one.buf + 2, 0xFFFFFFFFu);
        state_reader_init(&rd, one.buf, one.len);
        CHECK_EQ(d->ops->load(d->opaque, &rd, 1), 0);
        CHECK_EQ(data_byte(&b), 0);
        state_writer_free(&one);
        /* Reset: back to the signature. */
        d->ops->reset(d->opaque);
        CHECK_EQ(data_byte(&b), 'Q');
        CHECK_EQ(b.cfg.dma_high, 0);
        FILE *null = fopen("/dev/null", "w");
        if (null) {
            d->ops->dump(d->opaque, null);
            fclose(null);
        }
    }
    state_writer_free(&w);
    rig_destroy(&a);
    rig_destroy(&b);
}

static void test_ports_taken(void)
{
    struct rig r;
    CHECK_EQ(rig_init(&r, 1), 0);
    struct fw_cfg second;
    CHECK_EQ(fw_cfg_init(&second, &r.io, &r.reg, &r.pm), -1);   /* ports already claimed */
    fw_cfg_destroy(&second);
    rig_destroy(&r);
}

int main(void)
{
    test_signature_and_id();
    test_numeric_items();
    test_file_directory();
    test_dma_transfers();
    test_dma_malformed();
    test_save_load();
    test_ports_taken();
    return test_report();
}
