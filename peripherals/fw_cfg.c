/*
 * The fw_cfg firmware configuration device.  See fw_cfg.h for the model and
 * QEMU's docs/specs/fw_cfg.rst for the interface it follows.
 */
#include "peripherals/fw_cfg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MASK 0xBFFFu            /* bit 14, the old write flag, is not part of the key */
#define FILE_DIR_ENTRY 64           /* size, select, reserved, name[56] */

/* Out-of-spec uses, each logged once. */
#define WARN_SEL_READ 0x01u
#define WARN_SEL_BYTE 0x02u
#define WARN_DATA_WRITE 0x04u
#define WARN_DMA_SIZE 0x08u
#define WARN_DMA_DESC 0x10u
#define WARN_DMA_TARGET 0x20u
#define WARN_DMA_WRITE 0x40u

static const char dma_signature[8] = { 'Q', 'E', 'M', 'U', ' ', 'C', 'F', 'G' };

static void warn_once(struct fw_cfg *cfg, uint32_t which, const char *what)
{
    if (cfg->warned & which)
        return;
    cfg->warned |= which;
    fprintf(stderr, "trapeze: fw_cfg: %s\n", what);
}

static uint32_t be32_load(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void be32_store(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static uint32_t byte_swap32(uint32_t v)
{
    return (v >> 24) | ((v >> 8) & 0xFF00u) | ((v << 8) & 0xFF0000u) | (v << 24);
}

/* ---- the item table ---------------------------------------------------- */

static int find_index(const struct fw_cfg *cfg, uint16_t key)
{
    key &= KEY_MASK;
    for (int i = 0; i < cfg->n_items; i++)
        if (cfg->items[i].key == key)
            return i;
    return -1;
}

const struct fw_cfg_item *fw_cfg_find(const struct fw_cfg *cfg, uint16_t key)
{
    int i = find_index(cfg, key);
    return i < 0 ? NULL : &cfg->items[i];
}

/* Store a copy of data under key, replacing what was there.  Returns the
 * item index or -1. */
static int put_item(struct fw_cfg *cfg, uint16_t key, const void *data, size_t len)
{
    if (len > FW_CFG_MAX_ITEM_SIZE)
        return -1;
    key &= KEY_MASK;
    int i = find_index(cfg, key);
    if (i < 0) {
        if (cfg->n_items >= FW_CFG_MAX_ITEMS)
            return -1;
        i = cfg->n_items;
    }
    uint8_t *copy = NULL;
    if (len) {
        copy = malloc(len);
        if (!copy)
            return -1;
        memcpy(copy, data, len);
    }
    struct fw_cfg_item *it = &cfg->items[i];
    if (i == cfg->n_items) {
        memset(it, 0, sizeof(*it));
        cfg->n_items++;
    }
    free(it->data);
    it->key = key;
    it->data = copy;
    it->len = (uint32_t)len;
    return i;
}

static int is_reserved_key(uint16_t key)
{
    uint16_t k = key & KEY_MASK;
    return k == FW_CFG_FILE_DIR || (k >= FW_CFG_FILE_FIRST && k < FW_CFG_ARCH_LOCAL);
}

int fw_cfg_add_bytes(struct fw_cfg *cfg, uint16_t key, const void *data, size_t len)
{
    if (is_reserved_key(key) || (len && !data))
        return -1;
    return put_item(cfg, key, data, len) < 0 ? -1 : 0;
}

int fw_cfg_add_u16(struct fw_cfg *cfg, uint16_t key, uint16_t v)
{
    uint8_t b[2];
    le16_store(b, v);
    return fw_cfg_add_bytes(cfg, key, b, sizeof(b));
}

int fw_cfg_add_u32(struct fw_cfg *cfg, uint16_t key, uint32_t v)
{
    uint8_t b[4];
    le32_store(b, v);
    return fw_cfg_add_bytes(cfg, key, b, sizeof(b));
}

int fw_cfg_add_u64(struct fw_cfg *cfg, uint16_t key, uint64_t v)
{
    uint8_t b[8];
    le32_store(b, (uint32_t)v);
    le32_store(b + 4, (uint32_t)(v >> 32));
    return fw_cfg_add_bytes(cfg, key, b, sizeof(b));
}

int fw_cfg_add_string(struct fw_cfg *cfg, uint16_t key, const char *s)
{
    return fw_cfg_add_bytes(cfg, key, s, strlen(s) + 1);
}

/* The directory (key 0x19): a big-endian count, then one 64-byte entry per
 * file with big-endian size and key (fw_cfg.rst, "File Directory"). */
static int rebuild_directory(struct fw_cfg *cfg)
{
    size_t len = 4 + (size_t)cfg->n_files * FILE_DIR_ENTRY;
    uint8_t *dir = calloc(1, len);
    if (!dir)
        return -1;
    be32_store(dir, (uint32_t)cfg->n_files);
    uint8_t *e = dir + 4;
    for (int i = 0; i < cfg->n_items; i++) {
        const struct fw_cfg_item *it = &cfg->items[i];
        if (!it->name[0])
            continue;
        be32_store(e, it->len);
        e[4] = (uint8_t)(it->key >> 8);
        e[5] = (uint8_t)it->key;
        memcpy(e + 8, it->name, strlen(it->name));
        e += FILE_DIR_ENTRY;
    }
    int r = put_item(cfg, FW_CFG_FILE_DIR, dir, len);
    free(dir);
    return r < 0 ? -1 : 0;
}

int fw_cfg_find_file(const struct fw_cfg *cfg, const char *name)
{
    for (int i = 0; i < cfg->n_items; i++)
        if (cfg->items[i].name[0] && strcmp(cfg->items[i].name, name) == 0)
            return cfg->items[i].key;
    return -1;
}

int fw_cfg_add_file(struct fw_cfg *cfg, const char *name, const void *data, size_t len)
{
    if (!name || !name[0] || strlen(name) >= FW_CFG_NAME_SIZE || fw_cfg_find_file(cfg, name) >= 0)
        return -1;
    if ((len && !data) || FW_CFG_FILE_FIRST + cfg->n_files >= FW_CFG_ARCH_LOCAL)
        return -1;
    uint16_t key = (uint16_t)(FW_CFG_FILE_FIRST + cfg->n_files);
    /* Keep one slot for the directory, should it not exist yet. */
    if (cfg->n_items >= FW_CFG_MAX_ITEMS - (find_index(cfg, FW_CFG_FILE_DIR) < 0))
        return -1;
    int i = put_item(cfg, key, data, len);
    if (i < 0)
        return -1;
    memcpy(cfg->items[i].name, name, strlen(name) + 1);
    cfg->n_files++;
    if (rebuild_directory(cfg) != 0)
        return -1;
    return key;
}

int fw_cfg_add_e820(struct fw_cfg *cfg, uint64_t ram_below_4g, uint64_t ram_above_4g)
{
    uint8_t table[40];
    size_t n = 0;
    const uint64_t entries[2][2] = { { 0, ram_below_4g }, { 0x100000000ull, ram_above_4g } };
    for (int i = 0; i < 2; i++) {
        if (!entries[i][1])
            continue;
        uint8_t *e = table + n * 20;
        le32_store(e, (uint32_t)entries[i][0]);
        le32_store(e + 4, (uint32_t)(entries[i][0] >> 32));
        le32_store(e + 8, (uint32_t)entries[i][1]);
        le32_store(e + 12, (uint32_t)(entries[i][1] >> 32));
        le32_store(e + 16, FW_CFG_E820_RAM);
        n++;
    }
    return fw_cfg_add_file(cfg, "etc/e820", table, n * 20) < 0 ? -1 : 0;
}

/* ---- the traditional interface ------------------------------------------ */

static void select_item(struct fw_cfg *cfg, uint16_t key)
{
    cfg->selector = key;
    cfg->cur = find_index(cfg, key);
    cfg->offset = 0;
}

static uint32_t remaining(const struct fw_cfg *cfg)
{
    if (cfg->cur < 0 || cfg->offset >= cfg->items[cfg->cur].len)
        return 0;
    return cfg->items[cfg->cur].len - cfg->offset;
}

/* The next data byte; past the item's end (or with no item) 0x00. */
static uint8_t next_byte(struct fw_cfg *cfg)
{
    if (!remaining(cfg))
        return 0;
    return cfg->items[cfg->cur].data[cfg->offset++];
}

static uint32_t ctl_data_read(void *opaque, uint16_t port, int size)
{
    struct fw_cfg *cfg = opaque;
    if (port == FW_CFG_PORT_DATA && size == 1)
        return next_byte(cfg);
    warn_once(cfg, WARN_SEL_READ, "read of the write-only selector port (open bus)");
    return size == 1 ? 0xFFu : 0xFFFFu;
}

static void ctl_data_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct fw_cfg *cfg = opaque;
    if (port == FW_CFG_PORT_SEL && size == 2) {
        select_item(cfg, (uint16_t)value);
    } else if (port == FW_CFG_PORT_SEL) {
        warn_once(cfg, WARN_SEL_BYTE, "byte write to the 16-bit selector ignored");
    } else {
        /* Writes through the data port are gone since QEMU 2.4 (fw_cfg.rst). */
        warn_once(cfg, WARN_DATA_WRITE, "write to the data port ignored");
    }
}

/* ---- the DMA interface ----------------------------------------------------- */

/* Whether [gpa, gpa+len) is host memory in the given map: RAM (or ROM for
 * reads), never MMIO, open bus or beyond 4 GiB. */
static int guest_memory_ok(const struct physmem *pm, uint64_t gpa, uint64_t len, int for_write)
{
    if (len == 0)
        return 1;
    if (gpa >= 0x100000000ull || len > 0x100000000ull - gpa)
        return 0;
    const uintptr_t *map = for_write ? pm->map_write : pm->map_read;
    for (uint64_t page = gpa >> PAGE_SHIFT; page <= (gpa + len - 1) >> PAGE_SHIFT; page++) {
        uintptr_t e = map[page];
        if (!e || (e & PM_MMIO))
            return 0;
    }
    return 1;
}

/* Copy into guest memory already checked by guest_memory_ok.  src NULL
 * writes zeros.  Pages holding decoded code go through physmem_copy_to so
 * the CPU hears about the write. */
static void copy_to_guest(struct physmem *pm, uint64_t gpa, const uint8_t *src, uint64_t len)
{
    static const uint8_t zeros[PAGE_SIZE];
    while (len) {
        uint64_t in_page = PAGE_SIZE - (gpa & PAGE_MASK);
        size_t n = (size_t)(len < in_page ? len : in_page);
        const uint8_t *from = src ? src : zeros;
        uint8_t *host = physmem_host_write_page(pm, gpa);
        if (host)
            memcpy(host + (gpa & PAGE_MASK), from, n);
        else
            physmem_copy_to(pm, gpa, from, n);
        gpa += n;
        len -= n;
        if (src)
            src += n;
    }
}

/* A read transfer: the item's bytes from the offset, zeros past its end. */
static uint32_t dma_read(struct fw_cfg *cfg, uint64_t addr, uint32_t length)
{
    if (!guest_memory_ok(cfg->pm, addr, length, 1)) {
        warn_once(cfg, WARN_DMA_TARGET, "DMA read into memory that is not RAM refused");
        return FW_CFG_DMA_ERROR;
    }
    uint32_t avail = remaining(cfg);
    uint32_t n = length < avail ? length : avail;
    if (n) {
        copy_to_guest(cfg->pm, addr, cfg->items[cfg->cur].data + cfg->offset, n);
        cfg->offset += n;
    }
    if (length > n)
        copy_to_guest(cfg->pm, addr + n, NULL, length - n);
    return 0;
}

static void dma_skip(struct fw_cfg *cfg, uint32_t length)
{
    uint32_t avail = remaining(cfg);
    cfg->offset += length < avail ? length : avail;
}

/* Run the transfer whose FWCfgDmaAccess structure is at desc, then store
 * the result in its control field: 0, or the error bit. */
static void dma_transfer(struct fw_cfg *cfg, uint64_t desc)
{
    uint8_t d[16];
    if (!guest_memory_ok(cfg->pm, desc, sizeof(d), 0) || !guest_memory_ok(cfg->pm, desc, 4, 1)) {
        warn_once(cfg, WARN_DMA_DESC, "DMA descriptor outside RAM ignored");
        cfg->dma_errors++;
        return;
    }
    physmem_copy_from(cfg->pm, desc, d, sizeof(d));
    uint32_t control = be32_load(d);
    uint32_t length = be32_load(d + 4);
    uint64_t addr = (uint64_t)be32_load(d + 8) << 32 | be32_load(d + 12);
    uint32_t result = 0;
    if (control & FW_CFG_DMA_SELECT)
        select_item(cfg, (uint16_t)(control >> 16));
    if (control & FW_CFG_DMA_READ) {
        result = dma_read(cfg, addr, length);
    } else if (control & FW_CFG_DMA_WRITE) {
        /* Every item here is read-only: the spec has such writes fail. */
        warn_once(cfg, WARN_DMA_WRITE, "DMA write to a read-only item refused");
        result = length ? FW_CFG_DMA_ERROR : 0;
    } else if (control & FW_CFG_DMA_SKIP) {
        dma_skip(cfg, length);
    }
    cfg->dma_transfers++;
    if (result)
        cfg->dma_errors++;
    uint8_t status[4];
    be32_store(status, result);
    physmem_copy_to(cfg->pm, desc, status, sizeof(status));
}

/* The address register reads as "QEMU CFG", first byte at the lowest port. */
static uint32_t dma_port_read(void *opaque, uint16_t port, int size)
{
    (void)opaque;
    unsigned off = (unsigned)(port - FW_CFG_PORT_DMA);
    uint32_t v = 0;
    for (int i = 0; i < size; i++)
        if (off + (unsigned)i < sizeof(dma_signature))
            v |= (uint32_t)(uint8_t)dma_signature[off + (unsigned)i] << (8 * i);
    return v;
}

/* The register is big-endian: the guest's little-endian OUTL of the byte-
 * swapped address puts its bytes on the ports most significant first. */
static void dma_port_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct fw_cfg *cfg = opaque;
    unsigned off = (unsigned)(port - FW_CFG_PORT_DMA);
    if (size != 4 || (off != 0 && off != 4)) {
        warn_once(cfg, WARN_DMA_SIZE, "DMA address written other than by 32-bit halves: ignored");
        return;
    }
    if (off == 0) {
        cfg->dma_high = byte_swap32(value);
        return;
    }
    uint64_t desc = (uint64_t)cfg->dma_high << 32 | byte_swap32(value);
    cfg->dma_high = 0;      /* the register reads back as 0 after an operation */
    dma_transfer(cfg, desc);
}

/* ---- device hooks ----------------------------------------------------------- */

static void fw_cfg_reset(void *opaque)
{
    struct fw_cfg *cfg = opaque;
    select_item(cfg, FW_CFG_SIGNATURE);
    cfg->dma_high = 0;
}

/* The items are configuration the board adds again; only the cursor is state. */
static void fw_cfg_save(void *opaque, struct state_writer *w)
{
    struct fw_cfg *cfg = opaque;
    state_put_u16(w, cfg->selector);
    state_put_u32(w, cfg->offset);
    state_put_u32(w, cfg->dma_high);
}

static int fw_cfg_load(void *opaque, struct state_reader *r, uint32_t version)
{
    struct fw_cfg *cfg = opaque;
    if (version != 1)
        return -1;
    uint16_t selector = state_get_u16(r);
    uint32_t offset = state_get_u32(r);
    uint32_t dma_high = state_get_u32(r);
    if (r->error)
        return -1;
    select_item(cfg, selector);
    cfg->offset = offset;   /* past the end only reads zeros */
    cfg->dma_high = dma_high;
    return 0;
}

static void fw_cfg_dump(void *opaque, FILE *out)
{
    struct fw_cfg *cfg = opaque;
    const struct fw_cfg_item *cur = cfg->cur >= 0 ? &cfg->items[cfg->cur] : NULL;
    fprintf(out, "fw_cfg: selector %#06x (%s), offset %u of %u\n", cfg->selector,
            cur ? (cur->name[0] ? cur->name : "numbered item") : "no item", cfg->offset, cur ? cur->len : 0);
    fprintf(out, "  %d items, %d files; DMA %s, %llu transfers, %llu errors\n", cfg->n_items, cfg->n_files,
            cfg->pm ? "on" : "off", (unsigned long long)cfg->dma_transfers, (unsigned long long)cfg->dma_errors);
    for (int i = 0; i < cfg->n_items; i++)
        if (cfg->items[i].name[0])
            fprintf(out, "  %#06x %8u  %s\n", cfg->items[i].key, cfg->items[i].len, cfg->items[i].name);
}

static const struct device_ops fw_cfg_ops = {
    "fw_cfg", 1, fw_cfg_reset, fw_cfg_save, fw_cfg_load, fw_cfg_dump,
};

int fw_cfg_init(struct fw_cfg *cfg, struct portio *io, struct device_registry *reg, struct physmem *pm)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->pm = pm;
    cfg->cur = -1;
    static const char signature[4] = { 'Q', 'E', 'M', 'U' };
    uint32_t id = FW_CFG_ID_TRADITIONAL | (pm ? FW_CFG_ID_DMA : 0);
    if (fw_cfg_add_bytes(cfg, FW_CFG_SIGNATURE, signature, sizeof(signature)) != 0 ||
        fw_cfg_add_u32(cfg, FW_CFG_ID, id) != 0 || rebuild_directory(cfg) != 0) {
        fw_cfg_destroy(cfg);
        return -1;
    }
    select_item(cfg, FW_CFG_SIGNATURE);
    if (portio_register(io, FW_CFG_PORT_SEL, 2, PORTIO_SIZE_8 | PORTIO_SIZE_16, ctl_data_read, ctl_data_write,
                        cfg, "fw_cfg") != 0)
        return -1;
    if (pm && portio_register(io, FW_CFG_PORT_DMA, 8, PORTIO_SIZE_8 | PORTIO_SIZE_16 | PORTIO_SIZE_32,
                              dma_port_read, dma_port_write, cfg, "fw_cfg-dma") != 0)
        return -1;
    return device_register(reg, &fw_cfg_ops, cfg);
}

void fw_cfg_destroy(struct fw_cfg *cfg)
{
    for (int i = 0; i < cfg->n_items; i++) {
        free(cfg->items[i].data);
        cfg->items[i].data = NULL;
    }
    cfg->n_items = 0;
    cfg->n_files = 0;
    cfg->cur = -1;
}
