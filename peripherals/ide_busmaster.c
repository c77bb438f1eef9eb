/*
 * The PIIX3's bus-master IDE engine (PIIX3 datasheet, "Bus Master IDE
 * Function"): per channel a command register (start, direction), a status
 * register (active, error, interrupt, DMA-capable bits) and the PRD table
 * pointer, in the 16-byte I/O block BAR4 places.
 *
 * The engine walks the PRD table in guest memory: each entry is a dword
 * physical address (bit 0 ignored), a byte count in bits 15:1 of the next
 * word (0 = 64 KiB) and EOT in bit 31 of the second dword.  Every guest
 * memory access goes through physmem's bounds-checked copies; a range that
 * is not memory sets the status register's error bit, as a PCI master
 * abort would.
 */
#include "peripherals/ide_internal.h"

#define BM_MAX_REGISTRATIONS 8

static int bus_master_enabled(const struct ide_channel *ch)
{
    return (pci_get16(&ch->ctl->pci, PCI_COMMAND) & PCI_COMMAND_MASTER) != 0;
}

static uint32_t dma_remaining_bytes(const struct ide_channel *ch)
{
    if (ch->drive[ch->active].kind == IDE_CDROM)
        return ch->bytes_left;
    return ch->sectors_left * IDE_SECTOR + (ch->buf_len - ch->buf_pos);
}

static void dma_kick(struct ide_channel *ch)
{
    if (ch->phase != PH_DMA || !(ch->bm_cmd & BM_CMD_START) || !(ch->bm_status & BM_ST_ACTIVE) ||
        !bus_master_enabled(ch) || timer_armed(&ch->timer))
        return;
    uint64_t ns = IDE_CMD_NS + (uint64_t)(dma_remaining_bytes(ch) / IDE_SECTOR) * IDE_SECTOR_NS;
    ch->action = ACT_DMA;
    timer_arm(ch->ctl->clock, &ch->timer, ch->ctl->clock->now + clock_ns_to_cycles(ch->ctl->clock, ns));
}

void ide_start_dma(struct ide_channel *ch)
{
    ch->dma = 1;
    ch->phase = PH_DMA;
    ide_active(ch)->status = ST_BSY;
    dma_kick(ch);
}

/* Makes prd_addr/prd_left describe a region with room; 0 when the table is done. */
static int prd_region(struct ide_channel *ch)
{
    while (ch->prd_left == 0) {
        if (ch->prd_eot)
            return 0;
        if (ch->prd_fetched >= IDE_PRD_MAX_ENTRIES) {
            ide_log_once(ch->ctl, LOG_PRD_LOOP, "PRD table without an end-of-table entry; stopped");
            ch->prd_eot = 1;
            return 0;
        }
        uint8_t e[8];
        if (physmem_copy_from(ch->ctl->pm, ch->prd_next, e, sizeof(e)) != 0)
            ch->bm_status |= BM_ST_ERROR;
        ch->prd_next = (ch->prd_next & 0xFFFF0000u) | ((ch->prd_next + 8) & 0xFFFFu);
        ch->prd_fetched++;
        ch->prd_addr = le32_load(e) & ~1u;
        ch->prd_left = le16_load(e + 4) & 0xFFFEu;
        if (ch->prd_left == 0)
            ch->prd_left = 0x10000;
        ch->prd_eot = (e[7] & 0x80) != 0;
    }
    return 1;
}

static void dma_copy(struct ide_channel *ch, uint32_t n)
{
    int bad;
    if (ch->is_write)
        bad = physmem_copy_from(ch->ctl->pm, ch->prd_addr, ch->buf + ch->buf_pos, n);
    else
        bad = physmem_copy_to(ch->ctl->pm, ch->prd_addr, ch->buf + ch->buf_pos, n);
    if (bad)
        ch->bm_status |= BM_ST_ERROR;
    ch->prd_addr += n;
    ch->prd_left -= n;
    ch->buf_pos += n;
    if (ide_active(ch)->kind == IDE_CDROM)
        ch->bytes_left -= n;
}

/* Refill (reads) or commit (writes) the buffer: 1 more to move, 0 the
 * device has all its data, -1 it failed (and has ended the command). */
static int dma_turn_buffer(struct ide_channel *ch)
{
    if (ide_active(ch)->kind == IDE_CDROM)
        return ide_atapi_dma_fill(ch);
    return ch->is_write ? ide_ata_dma_drain(ch) : ide_ata_dma_fill(ch);
}

void ide_dma_run(struct ide_channel *ch)
{
    if (ch->phase != PH_DMA || !(ch->bm_status & BM_ST_ACTIVE))
        return;
    if (((ch->bm_cmd & BM_CMD_WRITE) != 0) == (ch->is_write != 0))
        ide_log_once(ch->ctl, LOG_DMA_DIR, "bus master direction disagrees with the command");
    int r = 1;
    for (;;) {
        if (ch->buf_pos >= ch->buf_len) {
            r = dma_turn_buffer(ch);
            if (r <= 0)
                break;
        }
        if (!prd_region(ch))
            break;
        uint32_t n = ch->buf_len - ch->buf_pos;
        dma_copy(ch, n < ch->prd_left ? n : ch->prd_left);
    }
    /* PIIX3 BMISx table: interrupt with Active clear = the PRD table and
     * the device ended together; interrupt with Active set = the table was
     * larger; no interrupt with Active clear = the table ran out first and
     * the device still waits for its data. */
    if (r > 0 || (ch->prd_left == 0 && ch->prd_eot))
        ch->bm_status &= (uint8_t)~BM_ST_ACTIVE;
    if (r == 0) {
        if (ide_active(ch)->kind == IDE_CDROM)
            ide_atapi_dma_done(ch);
        else
            ide_ata_dma_done(ch);
    }
}

static uint8_t bm_read_byte(struct ide_controller *ide, unsigned off)
{
    struct ide_channel *ch = &ide->ch[off >> 3];
    switch (off & 7) {
    case 0: return ch->bm_cmd;
    case 2: return ch->bm_status;
    case 4: case 5: case 6: case 7: return (uint8_t)(ch->bm_prd >> (8 * ((off & 7) - 4)));
    default: return 0;
    }
}

static void bm_command_write(struct ide_channel *ch, uint8_t v)
{
    uint8_t old = ch->bm_cmd;
    if (ch->bm_status & BM_ST_ACTIVE)
        v = (uint8_t)((v & BM_CMD_START) | (old & BM_CMD_WRITE));   /* RWCON is frozen */
    ch->bm_cmd = v & (BM_CMD_START | BM_CMD_WRITE);
    if ((v & BM_CMD_START) && !(old & BM_CMD_START)) {
        ch->bm_status |= BM_ST_ACTIVE;
        ch->prd_next = ch->bm_prd;
        ch->prd_left = ch->prd_fetched = 0;
        ch->prd_eot = 0;
        dma_kick(ch);
    } else if (!(v & BM_CMD_START) && (old & BM_CMD_START)) {
        /* Stopping loses the engine's state; the device keeps waiting. */
        ch->bm_status &= (uint8_t)~BM_ST_ACTIVE;
        if (ch->action == ACT_DMA) {
            timer_cancel(ch->ctl->clock, &ch->timer);
            ch->action = ACT_NONE;
        }
    }
}

static void bm_write_byte(struct ide_controller *ide, unsigned off, uint8_t v)
{
    struct ide_channel *ch = &ide->ch[off >> 3];
    switch (off & 7) {
    case 0:
        bm_command_write(ch, v);
        break;
    case 2:
        ch->bm_status = (uint8_t)((ch->bm_status & ~(v & (BM_ST_ERROR | BM_ST_IRQ)) & ~BM_ST_CAPS) |
                                  (v & BM_ST_CAPS));
        break;
    case 4: case 5: case 6: case 7: {
        unsigned shift = 8 * ((off & 7) - 4);
        ch->bm_prd = ((ch->bm_prd & ~(0xFFu << shift)) | ((uint32_t)v << shift)) & ~3u;
        break;
    }
    default:
        break;
    }
}

static uint32_t bm_read(void *opaque, uint16_t port, int size)
{
    struct ide_controller *ide = opaque;
    uint32_t v = 0;
    for (int i = 0; i < size; i++) {
        uint32_t off = (uint32_t)port + (uint32_t)i - ide->bm_base;
        uint8_t b = (ide->bm_base != PCI_BAR_UNMAPPED && off < 16) ? bm_read_byte(ide, off) : 0xFF;
        v |= (uint32_t)b << (8 * i);
    }
    return v;
}

static void bm_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct ide_controller *ide = opaque;
    for (int i = 0; i < size; i++) {
        uint32_t off = (uint32_t)port + (uint32_t)i - ide->bm_base;
        if (ide->bm_base != PCI_BAR_UNMAPPED && off < 16)
            bm_write_byte(ide, off, (uint8_t)(value >> (8 * i)));
    }
}

/* Port ranges cannot be unregistered, so a moved BAR4 claims the ports of
 * its new place that nobody owns yet; handlers check the current base. */
static int port_is_ours(const struct ide_controller *ide, uint32_t p)
{
    int owner = ide->io->owner[p];
    return owner && ide->io->handlers[owner - 1].read == bm_read && ide->io->handlers[owner - 1].opaque == ide;
}

static void claim_bm_ports(struct ide_controller *ide, uint32_t base)
{
    uint32_t p = base, end = base + 16;
    while (p < end) {
        if (ide->io->owner[p]) {
            if (!port_is_ours(ide, p))
                ide_log_once(ide, LOG_BM_CONFLICT, "BAR4 at %#x overlaps another device's ports", base);
            p++;
            continue;
        }
        uint32_t q = p;
        while (q < end && !ide->io->owner[q])
            q++;
        if (ide->bm_registrations >= BM_MAX_REGISTRATIONS ||
            portio_register(ide->io, (uint16_t)p, q - p, PORTIO_SIZE_8 | PORTIO_SIZE_16 | PORTIO_SIZE_32,
                            bm_read, bm_write, ide, "piix3-ide-bm") != 0) {
            ide_log_once(ide, LOG_BM_WINDOW, "cannot decode BAR4 at %#x (too many moves)", base);
            return;
        }
        ide->bm_registrations++;
        p = q;
    }
}

void ide_bm_bar_mapped(void *opaque, int bar, uint32_t addr)
{
    struct ide_controller *ide = opaque;
    if (bar != 4)
        return;
    ide->bm_base = addr;
    if (addr != PCI_BAR_UNMAPPED)
        claim_bm_ports(ide, addr);
}

void ide_bm_config_written(void *opaque, int reg, uint32_t value, int size)
{
    struct ide_controller *ide = opaque;
    (void)value;
    if (reg <= PCI_COMMAND && reg + size > PCI_COMMAND)
        for (int c = 0; c < 2; c++)
            dma_kick(&ide->ch[c]);
}
