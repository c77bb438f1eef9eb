/*
 * The ATA command set of an IDE hard disk (ATA/ATAPI-6, T13/1410D,
 * chapter 8): IDENTIFY DEVICE, PIO, multiple-block and DMA reads and
 * writes in CHS, LBA28 and LBA48 addressing, READ VERIFY, SEEK,
 * INITIALIZE DEVICE PARAMETERS, SET MULTIPLE MODE, SET FEATURES, FLUSH
 * CACHE and the power management commands.  Commands the drive does not
 * implement end with ABRT, as the standard asks.
 */
#include "peripherals/ide_internal.h"

#define LBA28_LIMIT 0x0FFFFFFFull
#define CHS_CAPACITY_LIMIT 16514064u    /* 16383 x 16 x 63 */
#define DMA_CHUNK_SECTORS (IDE_BUF_SIZE / IDE_SECTOR)

/* The translation BIOSes expect (ATA-6 Annex, and what every BIOS assumes
 * for drives it has no table entry for): 16 heads and 63 sectors a track,
 * as many cylinders as fit, at most 16383.  Images too small for one such
 * cylinder get fewer heads, then fewer sectors. */
void ide_disk_geometry(uint64_t total, uint16_t *c, uint16_t *h, uint16_t *s)
{
    if (total >= CHS_CAPACITY_LIMIT) {
        *c = 16383, *h = 16, *s = 63;
    } else if (total >= 16 * 63) {
        *c = (uint16_t)(total / (16 * 63)), *h = 16, *s = 63;
    } else if (total >= 63) {
        *c = 1, *h = (uint16_t)(total / 63), *s = 63;
    } else {
        *c = 1, *h = 1, *s = (uint16_t)(total ? total : 1);
    }
}

/* ---- Addresses in the task file. */
static uint64_t command_limit(const struct ide_channel *ch, const struct ide_drive *d)
{
    return ch->lba48 || d->total < LBA28_LIMIT ? d->total : LBA28_LIMIT;
}

/* The starting sector the host asked for; -1 for an impossible CHS address. */
static int decode_address(struct ide_channel *ch, const struct ide_drive *d, uint64_t *lba)
{
    ch->chs = 0;
    if (ch->lba48) {
        *lba = (uint64_t)d->hob_lbah << 40 | (uint64_t)d->hob_lbam << 32 | (uint64_t)d->hob_lbal << 24 |
               (uint64_t)d->lbah << 16 | (uint64_t)d->lbam << 8 | d->lbal;
        return 0;
    }
    if (d->select & DEV_LBA) {
        *lba = (uint64_t)(d->select & 0x0F) << 24 | (uint64_t)d->lbah << 16 | (uint64_t)d->lbam << 8 | d->lbal;
        return 0;
    }
    ch->chs = 1;
    unsigned cyl = (unsigned)d->lbah << 8 | d->lbam, head = d->select & 0x0F, sec = d->lbal;
    if (sec == 0 || sec > d->cur_spt || head >= d->cur_heads || cyl >= d->cur_cyls)
        return -1;
    *lba = ((uint64_t)cyl * d->cur_heads + head) * d->cur_spt + sec - 1;
    return 0;
}

static uint32_t decode_count(const struct ide_channel *ch, const struct ide_drive *d)
{
    if (ch->lba48) {
        uint32_t n = (uint32_t)d->hob_nsector << 8 | d->nsector;
        return n ? n : 65536;
    }
    return d->nsector ? d->nsector : 256;
}

/* Writes a sector address back, in the form the command used: the
 * registers track the transfer and point at the failing sector on errors. */
static void put_address(struct ide_channel *ch, struct ide_drive *d, uint64_t lba)
{
    if (ch->lba48) {
        d->lbal = (uint8_t)lba, d->lbam = (uint8_t)(lba >> 8), d->lbah = (uint8_t)(lba >> 16);
        d->hob_lbal = (uint8_t)(lba >> 24), d->hob_lbam = (uint8_t)(lba >> 32), d->hob_lbah = (uint8_t)(lba >> 40);
    } else if (!ch->chs) {
        d->lbal = (uint8_t)lba, d->lbam = (uint8_t)(lba >> 8), d->lbah = (uint8_t)(lba >> 16);
        d->select = (uint8_t)((d->select & 0xF0) | ((lba >> 24) & 0x0F));
    } else {
        uint64_t track = lba / d->cur_spt, cyl = track / d->cur_heads;
        d->lbal = (uint8_t)(lba % d->cur_spt + 1);
        d->lbam = (uint8_t)cyl, d->lbah = (uint8_t)(cyl >> 8);
        d->select = (uint8_t)((d->select & 0xF0) | (track % d->cur_heads));
    }
}

static void put_count(struct ide_channel *ch, struct ide_drive *d, uint32_t n)
{
    d->nsector = (uint8_t)n;
    if (ch->lba48)
        d->hob_nsector = (uint8_t)(n >> 8);
}

/* Validates the transfer the task file describes and loads the channel's
 * command state.  On failure the command ends with IDNF after the usual
 * delay, the registers naming the first sector out of reach. */
static int setup_transfer(struct ide_channel *ch, struct ide_drive *d, int lba48, int is_write)
{
    uint64_t lba;
    ch->lba48 = (uint8_t)lba48;
    ch->is_write = (uint8_t)is_write;
    uint32_t n = decode_count(ch, d);
    if (decode_address(ch, d, &lba) != 0) {
        ch->pending_error = ER_IDNF;
        ide_busy(ch, ACT_COMPLETE, IDE_CMD_NS);
        return -1;
    }
    uint64_t limit = command_limit(ch, d);
    if (lba >= limit || n > limit - lba) {
        if (lba < limit)
            put_address(ch, d, limit);
        ch->pending_error = ER_IDNF;
        ide_busy(ch, ACT_COMPLETE, IDE_CMD_NS);
        return -1;
    }
    if (is_write && d->img->read_only) {
        ch->pending_error = ER_ABRT;    /* the medium cannot be written */
        ide_busy(ch, ACT_COMPLETE, IDE_CMD_NS);
        return -1;
    }
    ch->lba = lba;
    ch->sectors_left = n;
    return 0;
}

static uint32_t block_now(const struct ide_channel *ch)
{
    return ch->sectors_left < ch->block_sectors ? ch->sectors_left : ch->block_sectors;
}

static void start_pio(struct ide_channel *ch, struct ide_drive *d, int lba48, int is_write, int multiple)
{
    if (multiple && !d->multiple) {
        ch->pending_error = ER_ABRT;    /* SET MULTIPLE MODE was not issued */
        ide_busy(ch, ACT_COMPLETE, IDE_CMD_NS);
        return;
    }
    if (setup_transfer(ch, d, lba48, is_write) != 0)
        return;
    ch->block_sectors = multiple ? d->multiple : 1;
    if (is_write)
        ide_busy(ch, ACT_WRITE_READY, IDE_DRQ_NS);
    else
        ide_busy(ch, ACT_READ_BLOCK, IDE_CMD_NS + (uint64_t)block_now(ch) * IDE_SECTOR_NS);
}

static void start_dma(struct ide_channel *ch, struct ide_drive *d, int lba48, int is_write)
{
    if (setup_transfer(ch, d, lba48, is_write) != 0)
        return;
    ch->buf_len = ch->buf_pos = 0;
    ide_start_dma(ch);
}

/* ---- PIO steps. */
static void read_block(struct ide_channel *ch)
{
    struct ide_drive *d = ide_active(ch);
    if (ch->cmd == 0xEC) {      /* IDENTIFY DEVICE: the block is already built */
        ide_pio_in(ch, 512);
        return;
    }
    uint32_t n = block_now(ch);
    if (disk_image_read(d->img, ch->lba, n, ch->buf) != 0) {
        put_address(ch, d, ch->lba);
        ide_fail(ch, d, ER_UNC);
        return;
    }
    ch->lba += n;
    ch->sectors_left -= n;
    put_address(ch, d, ch->lba - 1);
    put_count(ch, d, ch->sectors_left);
    ch->buf_len = n * IDE_SECTOR;
    ch->buf_pos = 0;
    ide_pio_in(ch, ch->buf_len);
}

void ide_ata_block_read(struct ide_channel *ch)
{
    if (ch->sectors_left) {
        ide_busy(ch, ACT_READ_BLOCK, IDE_DRQ_NS + (uint64_t)block_now(ch) * IDE_SECTOR_NS);
        return;
    }
    /* PIO data-in ends without an interrupt after the last block. */
    struct ide_drive *d = ide_active(ch);
    ch->phase = PH_IDLE;
    d->status = ST_DRDY | ST_DSC;
}

static void offer_write_block(struct ide_channel *ch, int interrupt)
{
    struct ide_drive *d = ide_active(ch);
    ch->buf_len = block_now(ch) * IDE_SECTOR;
    ch->buf_pos = 0;
    ch->phase = PH_PIO_OUT;
    d->status = ST_DRDY | ST_DSC | ST_DRQ;
    if (interrupt)
        ide_raise(ch, d);
}

void ide_ata_block_written(struct ide_channel *ch)
{
    ide_busy(ch, ACT_WRITE_BLOCK, (uint64_t)(ch->buf_len / IDE_SECTOR) * IDE_SECTOR_NS);
}

static void finish_write(struct ide_channel *ch, struct ide_drive *d)
{
    /* With the write cache off the data must be on the media before the
     * command completes. */
    if (!d->write_cache && disk_image_flush(d->img) != 0) {
        ide_fail(ch, d, ER_ABRT);
        return;
    }
    ide_finish(ch, d);
}

static void write_block(struct ide_channel *ch)
{
    struct ide_drive *d = ide_active(ch);
    uint32_t n = ch->buf_len / IDE_SECTOR;
    if (disk_image_write(d->img, ch->lba, n, ch->buf) != 0) {
        put_address(ch, d, ch->lba);
        ide_fail(ch, d, ER_ABRT);
        return;
    }
    ch->lba += n;
    ch->sectors_left -= n;
    put_address(ch, d, ch->lba - 1);
    put_count(ch, d, ch->sectors_left);
    if (ch->sectors_left)
        offer_write_block(ch, 1);
    else
        finish_write(ch, d);
}

void ide_ata_timer(struct ide_channel *ch, enum ide_action act)
{
    if (act == ACT_READ_BLOCK)
        read_block(ch);
    else if (act == ACT_WRITE_READY)
        offer_write_block(ch, 0);   /* the first DRQ of data-out comes without an interrupt */
    else
        write_block(ch);
}

/* ---- DMA steps. */
int ide_ata_dma_fill(struct ide_channel *ch)
{
    struct ide_drive *d = ide_active(ch);
    if (!ch->sectors_left)
        return 0;
    uint32_t n = ch->sectors_left < DMA_CHUNK_SECTORS ? ch->sectors_left : DMA_CHUNK_SECTORS;
    if (disk_image_read(d->img, ch->lba, n, ch->buf) != 0) {
        put_address(ch, d, ch->lba);
        ide_fail(ch, d, ER_UNC);
        return -1;
    }
    ch->lba += n;
    ch->sectors_left -= n;
    put_address(ch, d, ch->lba - 1);
    ch->buf_len = n * IDE_SECTOR;
    ch->buf_pos = 0;
    return 1;
}

int ide_ata_dma_drain(struct ide_channel *ch)
{
    struct ide_drive *d = ide_active(ch);
    if (ch->buf_len) {
        uint32_t n = ch->buf_len / IDE_SECTOR;
        if (disk_image_write(d->img, ch->lba, n, ch->buf) != 0) {
            put_address(ch, d, ch->lba);
            ide_fail(ch, d, ER_ABRT);
            return -1;
        }
        ch->lba += n;
        ch->sectors_left -= n;
        put_address(ch, d, ch->lba - 1);
    }
    if (!ch->sectors_left)
        return 0;
    uint32_t n = ch->sectors_left < DMA_CHUNK_SECTORS ? ch->sectors_left : DMA_CHUNK_SECTORS;
    ch->buf_len = n * IDE_SECTOR;
    ch->buf_pos = 0;
    return 1;
}

void ide_ata_dma_done(struct ide_channel *ch)
{
    struct ide_drive *d = ide_active(ch);
    ch->phase = PH_IDLE;
    put_count(ch, d, 0);
    if (ch->is_write)
        finish_write(ch, d);
    else
        ide_finish(ch, d);
}

/* ---- IDENTIFY DEVICE (ATA/ATAPI-6, IDENTIFY DEVICE data table). */
static uint16_t reset_result(const struct ide_channel *ch, const struct ide_drive *d)
{
    /* Word 93: how the device found its number (01b: jumper) and what it
     * saw of the other device.  Device 0 with no device 1 answers for it
     * (bit 6), which SeaBIOS reads as "skip device 1". */
    if (d == &ch->drive[1])
        return 0x4000 | 0x0100 | 0x0200 | 0x0800;    /* PDIAG- asserted */
    uint16_t w = 0x4000 | 0x0001 | 0x0002 | 0x0008;   /* diagnostics passed */
    if (ch->drive[1].kind != IDE_NONE)
        w |= 0x0010 | 0x0020;   /* PDIAG- and DASP- seen from device 1 */
    else
        w |= 0x0040;
    return w;
}

static void build_identify(const struct ide_channel *ch, const struct ide_drive *d, uint16_t *id)
{
    uint64_t lba28 = d->total < LBA28_LIMIT ? d->total : LBA28_LIMIT;
    uint32_t cur_capacity = (uint32_t)d->cur_cyls * d->cur_heads * d->cur_spt;
    for (int i = 0; i < 256; i++)
        id[i] = 0;
    id[0] = 0x0040;                 /* fixed ATA device */
    id[1] = d->cyls;
    id[3] = d->heads;
    id[4] = (uint16_t)(IDE_SECTOR * d->spt);
    id[5] = IDE_SECTOR;
    id[6] = d->spt;
    ide_put_string(id, 10, 10, d->serial);
    id[20] = 3;                     /* dual-ported buffer with read cache */
    id[21] = 512;                   /* 256 KiB of buffer */
    id[22] = 4;
    ide_put_string(id, 23, 4, d->firmware);
    ide_put_string(id, 27, 20, d->model);
    id[47] = 0x8000 | IDE_MAX_MULTIPLE;
    id[49] = 0x0F00;                /* IORDY, IORDY disable, LBA, DMA */
    id[50] = 0x4000;
    id[51] = 0x0200;                /* PIO mode 2 timing (obsolete word) */
    id[52] = 0x0200;
    id[53] = 0x0007;                /* words 54-58, 64-70 and 88 are valid */
    id[54] = d->cur_cyls;
    id[55] = d->cur_heads;
    id[56] = d->cur_spt;
    id[57] = (uint16_t)cur_capacity;
    id[58] = (uint16_t)(cur_capacity >> 16);
    id[59] = d->multiple ? (uint16_t)(0x0100 | d->multiple) : 0;
    id[60] = (uint16_t)lba28;
    id[61] = (uint16_t)(lba28 >> 16);
    id[63] = 0x0007;                /* multiword DMA 0-2 */
    if ((d->xfer_mode & 0xF8) == 0x20)
        id[63] |= (uint16_t)(0x100 << (d->xfer_mode & 7));
    id[64] = 0x0003;                /* PIO 3 and 4 */
    id[65] = id[66] = id[67] = id[68] = 120;
    id[80] = 0x007E;                /* ATA-1 to ATA-6 */
    id[82] = 0x4068;                /* NOP, look-ahead, write cache, power management */
    id[83] = 0x7400;                /* FLUSH CACHE EXT, FLUSH CACHE, 48-bit addresses */
    id[84] = 0x4000;
    id[85] = (uint16_t)(0x4008 | (d->write_cache ? 0x20 : 0) | (d->look_ahead ? 0x40 : 0));
    id[86] = 0x3400;
    id[87] = 0x4000;
    id[88] = 0x0007;                /* Ultra DMA 0-2 */
    if ((d->xfer_mode & 0xF8) == 0x40)
        id[88] |= (uint16_t)(0x100 << (d->xfer_mode & 7));
    id[93] = reset_result(ch, d);
    for (int i = 0; i < 4; i++)
        id[100 + i] = (uint16_t)(d->total >> (16 * i));
    ide_identify_checksum(id);
}

/* ---- Non-data commands. */
static void complete_after(struct ide_channel *ch, uint8_t error, uint64_t ns)
{
    ch->pending_error = error;
    ide_busy(ch, ACT_COMPLETE, ns);
}

static void read_verify(struct ide_channel *ch, struct ide_drive *d, int lba48)
{
    if (setup_transfer(ch, d, lba48, 0) != 0)
        return;
    put_address(ch, d, ch->lba + ch->sectors_left - 1);
    complete_after(ch, 0, IDE_CMD_NS + (uint64_t)ch->sectors_left * IDE_SECTOR_NS / 8);
}

static void seek(struct ide_channel *ch, struct ide_drive *d)
{
    uint64_t lba;
    ch->lba48 = 0;
    int bad = decode_address(ch, d, &lba) != 0 || lba >= command_limit(ch, d);
    complete_after(ch, bad ? ER_IDNF : 0, IDE_CMD_NS);
}

static void initialize_device_parameters(struct ide_channel *ch, struct ide_drive *d)
{
    uint32_t heads = (d->select & 0x0F) + 1u, spt = d->nsector;
    uint64_t cyls = spt ? d->total / (heads * spt) : 0;
    if (cyls > 65535)
        cyls = 65535;
    if (cyls * heads * spt > CHS_CAPACITY_LIMIT)
        cyls = CHS_CAPACITY_LIMIT / (heads * spt);
    if (cyls == 0) {
        complete_after(ch, ER_ABRT, IDE_CMD_NS);
        return;
    }
    d->cur_cyls = (uint16_t)cyls;
    d->cur_heads = (uint16_t)heads;
    d->cur_spt = (uint16_t)spt;
    complete_after(ch, 0, IDE_CMD_NS);
}

static void set_multiple_mode(struct ide_channel *ch, struct ide_drive *d)
{
    uint8_t n = d->nsector;
    if (n > IDE_MAX_MULTIPLE || (n & (n - 1))) {
        complete_after(ch, ER_ABRT, IDE_CMD_NS);
        return;
    }
    d->multiple = n;    /* 0 turns multiple mode off */
    complete_after(ch, 0, IDE_CMD_NS);
}

/* SET FEATURES 03h: the transfer modes IDENTIFY advertises. */
static int transfer_mode_ok(uint8_t v)
{
    return v <= 0x01 || (v >= 0x08 && v <= 0x0C) || (v >= 0x20 && v <= 0x22) || (v >= 0x40 && v <= 0x42);
}

static void set_features(struct ide_channel *ch, struct ide_drive *d)
{
    uint8_t error = 0;
    switch (d->feature) {
    case 0x02: d->write_cache = 1; break;
    case 0x82:
        if (disk_image_flush(d->img) != 0)
            error = ER_ABRT;
        d->write_cache = 0;
        break;
    case 0x03:
        if (transfer_mode_ok(d->nsector))
            d->xfer_mode = d->nsector;
        else
            error = ER_ABRT;
        break;
    case 0x55: d->look_ahead = 0; break;
    case 0xAA: d->look_ahead = 1; break;
    case 0x66: case 0xCC: break;    /* reverting to power-on defaults */
    default: error = ER_ABRT; break;
    }
    complete_after(ch, error, IDE_CMD_NS);
}

static void flush_cache(struct ide_channel *ch, struct ide_drive *d)
{
    int r = disk_image_flush(d->img);
    complete_after(ch, r ? ER_ABRT : 0, IDE_CMD_NS);
}

static void identify(struct ide_channel *ch, struct ide_drive *d)
{
    uint16_t id[256];
    build_identify(ch, d, id);
    ide_id_to_buf(ch, id);
    ide_busy(ch, ACT_READ_BLOCK, IDE_CMD_NS);
}

static void power_command(struct ide_channel *ch, struct ide_drive *d, uint8_t cmd)
{
    switch (cmd) {
    case 0xE5: case 0x98: d->nsector = d->power; break;    /* CHECK POWER MODE */
    case 0xE0: case 0xE2: case 0xE6: case 0x94: case 0x96: case 0x99: d->power = 0x00; break;
    default: d->power = 0xFF; break;        /* IDLE, IDLE IMMEDIATE */
    }
    complete_after(ch, 0, IDE_CMD_NS);
}

void ide_ata_command(struct ide_channel *ch, struct ide_drive *d, uint8_t cmd)
{
    if (cmd != 0xE5 && cmd != 0x98)
        d->power = 0xFF;    /* media access spins the drive up */
    switch (cmd) {
    case 0x20: case 0x21: start_pio(ch, d, 0, 0, 0); break;    /* READ SECTORS */
    case 0x24: start_pio(ch, d, 1, 0, 0); break;               /* READ SECTORS EXT */
    case 0xC4: start_pio(ch, d, 0, 0, 1); break;               /* READ MULTIPLE */
    case 0x29: start_pio(ch, d, 1, 0, 1); break;               /* READ MULTIPLE EXT */
    case 0x30: case 0x31: start_pio(ch, d, 0, 1, 0); break;    /* WRITE SECTORS */
    case 0x34: start_pio(ch, d, 1, 1, 0); break;               /* WRITE SECTORS EXT */
    case 0xC5: start_pio(ch, d, 0, 1, 1); break;               /* WRITE MULTIPLE */
    case 0x39: start_pio(ch, d, 1, 1, 1); break;               /* WRITE MULTIPLE EXT */
    case 0xC8: case 0xC9: start_dma(ch, d, 0, 0); break;       /* READ DMA */
    case 0x25: start_dma(ch, d, 1, 0); break;                  /* READ DMA EXT */
    case 0xCA: case 0xCB: start_dma(ch, d, 0, 1); break;       /* WRITE DMA */
    case 0x35: start_dma(ch, d, 1, 1); break;                  /* WRITE DMA EXT */
    case 0x40: case 0x41: read_verify(ch, d, 0); break;
    case 0x42: read_verify(ch, d, 1); break;
    case 0x91: initialize_device_parameters(ch, d); break;
    case 0xC6: set_multiple_mode(ch, d); break;
    case 0xEF: set_features(ch, d); break;
    case 0xE7: case 0xEA: flush_cache(ch, d); break;
    case 0xEC: identify(ch, d); break;
    case 0xE0: case 0xE1: case 0xE2: case 0xE3: case 0xE5: case 0xE6:
    case 0x94: case 0x95: case 0x96: case 0x97: case 0x98: case 0x99:
        power_command(ch, d, cmd);
        break;
    default:
        if ((cmd & 0xF0) == 0x70) {
            seek(ch, d);
        } else if ((cmd & 0xF0) == 0x10) {
            complete_after(ch, 0, IDE_CMD_NS);      /* RECALIBRATE (obsolete) */
        } else {
            /* NOP, DEVICE RESET and PACKET commands, and everything not
             * implemented: ABRT (NOP always aborts). */
            if (cmd != 0x00 && cmd != 0x08 && cmd != 0xA0 && cmd != 0xA1)
                ide_log_once(ch->ctl, LOG_UNKNOWN_CMD, "ATA command %#04x not implemented (aborted)", cmd);
            complete_after(ch, ER_ABRT, IDE_CMD_NS);
        }
        break;
    }
}
