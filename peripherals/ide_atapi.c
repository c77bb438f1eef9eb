/*
 * An ATAPI CD-ROM drive: the PACKET command protocol of ATA/ATAPI-6 (with
 * the byte-count limit for PIO, and bus-master DMA)
 * and the MMC-3 commands firmware and operating systems send to a CD-ROM:
 * TEST UNIT READY, REQUEST SENSE, INQUIRY, START STOP UNIT, PREVENT ALLOW
 * MEDIUM REMOVAL, READ CAPACITY, READ(10), READ(12), SEEK(10), READ TOC
 * (formats 0 and 1, LBA or MSF), MODE SENSE(10) (pages 01h, 0Dh, 2Ah,
 * 3Fh), GET CONFIGURATION, GET EVENT STATUS NOTIFICATION, SET CD SPEED.
 * Anything else is CHECK CONDITION, ILLEGAL REQUEST / INVALID COMMAND
 * OPERATION CODE.  Bootable (El Torito) discs need nothing special: the
 * BIOS reads the boot catalog as data.
 */
#include "peripherals/ide_internal.h"

#include <string.h>

#define CHUNK_SECTORS (IDE_BUF_SIZE / IDE_CD_SECTOR)

/* Sense keys (SPC-3, sense key table). */
#define SK_NO_SENSE 0x0
#define SK_NOT_READY 0x2
#define SK_MEDIUM_ERROR 0x3
#define SK_ILLEGAL_REQUEST 0x5
#define SK_UNIT_ATTENTION 0x6

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void put_be16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }
static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static int medium_present(const struct ide_drive *d) { return d->img && !d->tray_open; }
static uint32_t medium_sectors(const struct ide_drive *d)
{
    uint64_t n = disk_image_sectors(d->img);
    return n > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)n;
}

void ide_atapi_power_on(struct ide_drive *d)
{
    d->sense_key = d->asc = d->ascq = 0;
    d->ua_asc = 0x29;           /* POWER ON, RESET, OR BUS DEVICE RESET OCCURRED */
    d->media_event = 0;
    d->tray_open = 0;
    d->locked = 0;
}

/* ---- Ending a packet command: the status phase, interrupt reason
 * I/O=1 C/D=1 (ATA/ATAPI-6 PACKET protocol). */
static void good_status(struct ide_channel *ch, struct ide_drive *d)
{
    d->sense_key = d->asc = d->ascq = 0;
    d->nsector = IR_IO | IR_COD;
    ide_finish(ch, d);
}

static void check_condition(struct ide_channel *ch, struct ide_drive *d, uint8_t key, uint8_t asc, uint8_t ascq)
{
    d->sense_key = key;
    d->asc = asc;
    d->ascq = ascq;
    d->nsector = IR_IO | IR_COD;
    ide_fail(ch, d, (uint8_t)(key << 4));
}

static void not_ready(struct ide_channel *ch, struct ide_drive *d)
{
    check_condition(ch, d, SK_NOT_READY, 0x3A, d->tray_open ? 0x02 : 0x01);    /* MEDIUM NOT PRESENT */
}

static void invalid_field(struct ide_channel *ch, struct ide_drive *d)
{
    check_condition(ch, d, SK_ILLEGAL_REQUEST, 0x24, 0x00);
}

/* ---- The data phase. */
static int load_chunk(struct ide_channel *ch, struct ide_drive *d)
{
    uint32_t n = ch->sectors_left < CHUNK_SECTORS ? ch->sectors_left : CHUNK_SECTORS;
    if (!medium_present(d)) {
        not_ready(ch, d);
        return -1;
    }
    if (n == 0 || disk_image_read(d->img, ch->lba, n, ch->buf) != 0) {
        check_condition(ch, d, SK_MEDIUM_ERROR, 0x11, 0x00);   /* UNRECOVERED READ ERROR */
        return -1;
    }
    ch->lba += n;
    ch->sectors_left -= n;
    ch->buf_len = n * IDE_CD_SECTOR;
    ch->buf_pos = 0;
    return 0;
}

/* Offers the host the next DRQ block: at most the byte-count limit, and
 * the byte count registers say how much it is. */
static void offer_block(struct ide_channel *ch, struct ide_drive *d)
{
    if (ch->buf_pos >= ch->buf_len && load_chunk(ch, d) != 0)
        return;
    uint32_t n = ch->buf_len - ch->buf_pos;
    if (n > ch->bytes_left)
        n = ch->bytes_left;
    if (n > ch->byte_limit)
        n = ch->byte_limit;
    d->lbam = (uint8_t)n;
    d->lbah = (uint8_t)(n >> 8);
    d->nsector = IR_IO;
    ide_pio_in(ch, n);
}

void ide_atapi_block_read(struct ide_channel *ch)
{
    struct ide_drive *d = ide_active(ch);
    if (ch->cmd == 0xA1) {      /* IDENTIFY PACKET DEVICE data-in ends quietly */
        ch->phase = PH_IDLE;
        d->status = ST_DRDY;
        return;
    }
    uint32_t n = (uint32_t)d->lbah << 8 | d->lbam;
    ch->bytes_left -= n < ch->bytes_left ? n : ch->bytes_left;
    ch->buf_pos = ch->block_end;    /* an odd last block was padded to a word */
    if (ch->bytes_left == 0)
        ide_busy(ch, ACT_ATAPI_DONE, IDE_DRQ_NS);
    else if (ch->buf_pos >= ch->buf_len)
        ide_busy(ch, ACT_ATAPI_BLOCK, IDE_DRQ_NS + (uint64_t)CHUNK_SECTORS * 4 * IDE_SECTOR_NS);
    else
        ide_busy(ch, ACT_ATAPI_BLOCK, IDE_DRQ_NS);
}

/* The data phase: through the bus master, or PIO blocks after the time
 * the first `delay_sectors` take to read. */
static void start_data(struct ide_channel *ch, uint32_t delay_sectors)
{
    if (ch->dma)
        ide_start_dma(ch);
    else
        ide_busy(ch, ACT_ATAPI_BLOCK, IDE_DRQ_NS + (uint64_t)delay_sectors * 4 * IDE_SECTOR_NS);
}

/* A response built in buf: the host gets at most `alloc` bytes of it. */
static void reply(struct ide_channel *ch, struct ide_drive *d, uint32_t len, uint32_t alloc)
{
    uint32_t n = len < alloc ? len : alloc;
    if (n == 0) {
        good_status(ch, d);
        return;
    }
    ch->buf_len = ch->bytes_left = n;
    ch->buf_pos = 0;
    ch->sectors_left = 0;
    start_data(ch, 0);
}

int ide_atapi_dma_fill(struct ide_channel *ch)
{
    struct ide_drive *d = ide_active(ch);
    if (ch->bytes_left == 0 || ch->sectors_left == 0)
        return 0;
    return load_chunk(ch, d) == 0 ? 1 : -1;
}

void ide_atapi_dma_done(struct ide_channel *ch) { good_status(ch, ide_active(ch)); }

/* ---- The commands. */
static void read_sectors(struct ide_channel *ch, struct ide_drive *d, uint32_t lba, uint32_t count)
{
    uint32_t total = medium_sectors(d);
    if (lba > total || count > total - lba) {
        check_condition(ch, d, SK_ILLEGAL_REQUEST, 0x21, 0x00);    /* LBA OUT OF RANGE */
        return;
    }
    if (count == 0) {
        good_status(ch, d);
        return;
    }
    if (count > 0xFFFFFFFFu / IDE_CD_SECTOR)
        count = 0xFFFFFFFFu / IDE_CD_SECTOR;
    ch->lba = lba;
    ch->sectors_left = count;
    ch->bytes_left = count * IDE_CD_SECTOR;
    ch->buf_len = ch->buf_pos = 0;
    start_data(ch, count < CHUNK_SECTORS ? count : CHUNK_SECTORS);
}

static void request_sense(struct ide_channel *ch, struct ide_drive *d)
{
    uint8_t *b = ch->buf;
    memset(b, 0, 18);
    b[0] = 0x70;        /* current error, fixed format */
    if (d->ua_asc) {
        b[2] = SK_UNIT_ATTENTION;
        b[12] = d->ua_asc;
        d->ua_asc = 0;
    } else {
        b[2] = d->sense_key;
        b[12] = d->asc;
        b[13] = d->ascq;
    }
    b[7] = 10;
    d->sense_key = d->asc = d->ascq = 0;
    reply(ch, d, 18, ch->cdb[4]);
}

static void pad_copy(uint8_t *dst, const char *s, size_t n)
{
    size_t len = strlen(s);
    for (size_t i = 0; i < n; i++)
        dst[i] = i < len ? (uint8_t)s[i] : ' ';
}

static void inquiry(struct ide_channel *ch, struct ide_drive *d)
{
    if (ch->cdb[1] & 1) {       /* vital product data pages are not implemented */
        invalid_field(ch, d);
        return;
    }
    uint8_t *b = ch->buf;
    memset(b, 0, 36);
    b[0] = 0x05;                /* CD/DVD device */
    b[1] = 0x80;                /* removable */
    b[3] = 0x21;                /* ATAPI, response data format 1 */
    b[4] = 31;
    pad_copy(b + 8, "TRAPEZE", 8);
    pad_copy(b + 16, "CD-ROM", 16);
    pad_copy(b + 32, d->firmware, 4);
    reply(ch, d, 36, be16(ch->cdb + 3));
}

static void start_stop_unit(struct ide_channel *ch, struct ide_drive *d)
{
    int loej = (ch->cdb[4] & 2) != 0, start = (ch->cdb[4] & 1) != 0;
    if (loej && !start) {
        if (d->locked) {
            check_condition(ch, d, SK_ILLEGAL_REQUEST, 0x53, 0x02);    /* MEDIUM REMOVAL PREVENTED */
            return;
        }
        if (!d->tray_open && d->img)
            d->media_event = 3;     /* media removal */
        d->tray_open = 1;
    } else if (loej && start && d->tray_open) {
        d->tray_open = 0;
        if (d->img) {
            d->ua_asc = 0x28;
            d->media_event = 2;     /* new media */
        }
    }
    good_status(ch, d);
}

static void read_capacity(struct ide_channel *ch, struct ide_drive *d)
{
    put_be32(ch->buf, medium_sectors(d) - 1);   /* the last block's address */
    put_be32(ch->buf + 4, IDE_CD_SECTOR);
    reply(ch, d, 8, 8);
}

static void put_address(uint8_t *p, uint32_t lba, int msf)
{
    if (!msf) {
        put_be32(p, lba);
        return;
    }
    lba += 150;                 /* the 2-second pregap: LBA 0 is 00:02:00 */
    p[0] = 0;
    p[1] = (uint8_t)(lba / (75 * 60));
    p[2] = (uint8_t)(lba / 75 % 60);
    p[3] = (uint8_t)(lba % 75);
}

static uint8_t *toc_descriptor(uint8_t *p, uint8_t track, uint32_t lba, int msf)
{
    p[0] = 0;
    p[1] = 0x14;                /* ADR 1 (position), control 4: data track */
    p[2] = track;
    p[3] = 0;
    put_address(p + 4, lba, msf);
    return p + 8;
}

/* READ TOC/PMA/ATIP (MMC-3): one data track, formats 0 and 1. */
static void read_toc(struct ide_channel *ch, struct ide_drive *d)
{
    const uint8_t *c = ch->cdb;
    int msf = (c[1] & 2) != 0, format = c[2] & 0x0F;
    if (format == 0 && (c[9] & 0xC0))
        format = c[9] >> 6;     /* the older SFF-8020 place of the format */
    uint8_t *b = ch->buf, *p = b + 4;
    if (format == 0) {
        uint8_t track = c[6];
        if (track > 1 && track != 0xAA) {
            invalid_field(ch, d);
            return;
        }
        if (track <= 1)
            p = toc_descriptor(p, 1, 0, msf);
        p = toc_descriptor(p, 0xAA, medium_sectors(d), msf);     /* lead-out */
    } else if (format == 1) {
        p = toc_descriptor(p, 1, 0, msf);   /* first track of the last session */
    } else {
        invalid_field(ch, d);
        return;
    }
    uint32_t len = (uint32_t)(p - b);
    put_be16(b, len - 2);
    b[2] = 1;                   /* first track, or first session */
    b[3] = 1;
    reply(ch, d, len, be16(c + 7));
}

static uint8_t *mode_page(struct ide_drive *d, uint8_t *p, int page, int changeable)
{
    uint8_t len = page == 0x2A ? 0x12 : page == 0x0D ? 0x06 : 0x0A;
    memset(p, 0, (size_t)len + 2);
    p[0] = (uint8_t)page;
    p[1] = len;
    if (changeable)
        return p + len + 2;
    if (page == 0x01) {         /* read error recovery */
        p[3] = 5;               /* read retry count */
    } else if (page == 0x0D) {  /* CD device parameters */
        p[5] = 60;              /* seconds per minute of MSF */
        p[7] = 75;              /* frames per second */
    } else {                    /* 2Ah: CD capabilities and mechanical status */
        p[4] = 0x70;            /* mode 2 form 1 and 2, multisession */
        p[6] = (uint8_t)(0x29 | (d->locked ? 0x02 : 0));   /* tray, eject, lock (and its state) */
        put_be16(p + 8, 4234);  /* 24x, KB/s */
        put_be16(p + 12, 512);  /* buffer, KiB */
        put_be16(p + 14, 4234);
    }
    return p + len + 2;
}

static void mode_sense_10(struct ide_channel *ch, struct ide_drive *d)
{
    const uint8_t *c = ch->cdb;
    int pc = c[2] >> 6, page = c[2] & 0x3F;
    if (pc == 3) {
        check_condition(ch, d, SK_ILLEGAL_REQUEST, 0x39, 0x00);    /* SAVING PARAMETERS NOT SUPPORTED */
        return;
    }
    if (page != 0x01 && page != 0x0D && page != 0x2A && page != 0x3F) {
        invalid_field(ch, d);
        return;
    }
    uint8_t *b = ch->buf, *p = b + 8;
    memset(b, 0, 8);
    b[2] = medium_present(d) ? 0x01 : d->tray_open ? 0x71 : 0x70;   /* medium type */
    if (page == 0x01 || page == 0x3F)
        p = mode_page(d, p, 0x01, pc == 1);
    if (page == 0x0D || page == 0x3F)
        p = mode_page(d, p, 0x0D, pc == 1);
    if (page == 0x2A || page == 0x3F)
        p = mode_page(d, p, 0x2A, pc == 1);
    uint32_t len = (uint32_t)(p - b);
    put_be16(b, len - 2);
    reply(ch, d, len, be16(c + 7));
}

/* GET CONFIGURATION (MMC-3): the CD-ROM profile with the Profile
 * List, Core, Removable Medium and Random Readable features. */
static uint8_t *feature(uint8_t *p, uint16_t code, uint8_t flags, uint8_t len)
{
    memset(p, 0, (size_t)len + 4);
    put_be16(p, code);
    p[2] = flags;
    p[3] = len;
    return p + 4;
}

static void get_configuration(struct ide_channel *ch, struct ide_drive *d)
{
    const uint8_t *c = ch->cdb;
    int rt = c[1] & 3, have = medium_present(d);
    uint16_t start = be16(c + 2);
    static const uint16_t codes[] = { 0x0000, 0x0001, 0x0003, 0x0010 };
    uint8_t *b = ch->buf, *p = b + 8;
    memset(b, 0, 8);
    put_be16(b + 6, have ? 0x0008 : 0x0000);    /* current profile: CD-ROM */
    for (int i = 0; i < 4; i++) {
        uint16_t code = codes[i];
        int current = code != 0x0010 || have;
        if (code < start || (rt == 1 && !current) || (rt == 2 && code != start))
            continue;
        uint8_t *q;
        switch (code) {
        case 0x0000:
            q = feature(p, code, 0x03, 4);
            put_be16(q, 0x0008);
            q[2] = (uint8_t)have;
            p = q + 4;
            break;
        case 0x0001:
            q = feature(p, code, 0x0B, 8);     /* version 2, persistent, current */
            put_be32(q, 2);                    /* physical interface: ATAPI */
            q[4] = 0x01;                       /* device busy events */
            p = q + 8;
            break;
        case 0x0003:
            q = feature(p, code, 0x03, 4);
            q[0] = 0x29;                       /* tray, eject, lock */
            p = q + 4;
            break;
        default:
            q = feature(p, code, (uint8_t)current, 8);
            put_be32(q, IDE_CD_SECTOR);
            put_be16(q + 4, 1);
            p = q + 8;
            break;
        }
    }
    uint32_t len = (uint32_t)(p - b);
    put_be32(b, len - 4);
    reply(ch, d, len, be16(c + 7));
}

/* GET EVENT STATUS NOTIFICATION (MMC-3), polled, media class only. */
static void get_event_status(struct ide_channel *ch, struct ide_drive *d)
{
    const uint8_t *c = ch->cdb;
    if (!(c[1] & 1)) {          /* asynchronous notification is not supported */
        invalid_field(ch, d);
        return;
    }
    uint8_t *b = ch->buf;
    memset(b, 0, 8);
    b[3] = 0x10;                /* supported: media class */
    uint32_t len = 4;
    if (c[4] & 0x10) {
        b[2] = 0x04;
        b[4] = d->media_event;
        b[5] = (uint8_t)((medium_present(d) ? 0x02 : 0) | (d->tray_open ? 0x01 : 0));
        d->media_event = 0;
        len = 8;
    } else {
        b[2] = 0x80;            /* no event available */
    }
    put_be16(b, len - 2);
    reply(ch, d, len, be16(c + 7));
}

enum { NEEDS_MEDIUM = 1, ALLOWS_UA = 2 };

static int cdb_flags(uint8_t op)
{
    switch (op) {
    case 0x00: case 0x25: case 0x28: case 0xA8: case 0x2B: case 0x43: return NEEDS_MEDIUM;
    case 0x03: case 0x12: case 0x46: case 0x4A: return ALLOWS_UA;
    case 0x1B: case 0x1E: case 0x5A: case 0xBB: return 0;
    default: return -1;
    }
}

static void execute_cdb(struct ide_channel *ch, struct ide_drive *d)
{
    const uint8_t *c = ch->cdb;
    int flags = cdb_flags(c[0]);
    ch->buf_len = ch->buf_pos = 0;
    ch->bytes_left = ch->sectors_left = 0;
    if (flags < 0) {
        ide_log_once(ch->ctl, LOG_UNKNOWN_CDB, "ATAPI command %#04x not implemented (CHECK CONDITION)", c[0]);
        check_condition(ch, d, SK_ILLEGAL_REQUEST, 0x20, 0x00);    /* INVALID COMMAND OPERATION CODE */
        return;
    }
    if (d->ua_asc && !(flags & ALLOWS_UA)) {
        uint8_t asc = d->ua_asc;
        d->ua_asc = 0;
        check_condition(ch, d, SK_UNIT_ATTENTION, asc, 0x00);
        return;
    }
    if ((flags & NEEDS_MEDIUM) && !medium_present(d)) {
        not_ready(ch, d);
        return;
    }
    switch (c[0]) {
    case 0x03: request_sense(ch, d); break;
    case 0x12: inquiry(ch, d); break;
    case 0x1B: start_stop_unit(ch, d); break;
    case 0x1E: d->locked = c[4] & 1; good_status(ch, d); break;
    case 0x25: read_capacity(ch, d); break;
    case 0x28: read_sectors(ch, d, be32(c + 2), be16(c + 7)); break;
    case 0xA8: read_sectors(ch, d, be32(c + 2), be32(c + 6)); break;
    case 0x2B:
        if (be32(c + 2) >= medium_sectors(d))
            check_condition(ch, d, SK_ILLEGAL_REQUEST, 0x21, 0x00);
        else
            good_status(ch, d);
        break;
    case 0x43: read_toc(ch, d); break;
    case 0x46: get_configuration(ch, d); break;
    case 0x4A: get_event_status(ch, d); break;
    case 0x5A: mode_sense_10(ch, d); break;
    default: good_status(ch, d); break;     /* TEST UNIT READY, SET CD SPEED */
    }
}

/* ---- ATA commands to the packet device. */
static void build_identify_packet(const struct ide_drive *d, uint16_t *id)
{
    for (int i = 0; i < 256; i++)
        id[i] = 0;
    /* ATAPI, CD-ROM, removable, DRQ within 50 us of PACKET, 12-byte CDBs. */
    id[0] = 0x8000 | 0x0500 | 0x0080 | 0x0040;
    ide_put_string(id, 10, 10, d->serial);
    ide_put_string(id, 23, 4, d->firmware);
    ide_put_string(id, 27, 20, d->model);
    id[49] = 0x0F00;            /* IORDY, IORDY disable, LBA, DMA */
    id[50] = 0x4000;
    id[53] = 0x0006;            /* words 64-70 and 88 are valid */
    id[63] = 0x0007;
    if ((d->xfer_mode & 0xF8) == 0x20)
        id[63] |= (uint16_t)(0x100 << (d->xfer_mode & 7));
    id[64] = 0x0003;
    id[65] = id[66] = id[67] = id[68] = 120;
    id[80] = 0x0070;            /* ATAPI-4 to ATAPI-6 */
    id[82] = 0x4210;            /* NOP, DEVICE RESET, PACKET */
    id[83] = 0x4000;
    id[84] = 0x4000;
    id[85] = 0x4210;
    id[87] = 0x4000;
    id[88] = 0x0007;
    if ((d->xfer_mode & 0xF8) == 0x40)
        id[88] |= (uint16_t)(0x100 << (d->xfer_mode & 7));
    id[93] = 0x4000;
    ide_identify_checksum(id);
}

static void complete_after(struct ide_channel *ch, uint8_t error)
{
    ch->pending_error = error;
    ide_busy(ch, ACT_COMPLETE, IDE_CMD_NS);
}

static void packet(struct ide_channel *ch, struct ide_drive *d)
{
    if (d->feature & 0x02) {    /* overlapped commands are not supported */
        complete_after(ch, ER_ABRT);
        return;
    }
    ch->dma = d->feature & 1;
    uint32_t limit = (uint32_t)d->lbah << 8 | d->lbam;
    if (limit == 0 || limit == 0xFFFF)
        limit = 0xFFFE;
    ch->byte_limit = limit & ~1u;   /* transfers stay whole words below an odd limit */
    d->nsector = IR_COD;
    ide_busy(ch, ACT_PACKET_READY, IDE_DRQ_NS);
}

void ide_atapi_command(struct ide_channel *ch, struct ide_drive *d, uint8_t cmd)
{
    switch (cmd) {
    case 0xA0: packet(ch, d); break;
    case 0xA1: {
        uint16_t id[256];
        build_identify_packet(d, id);
        ide_id_to_buf(ch, id);
        ide_busy(ch, ACT_ATAPI_BLOCK, IDE_CMD_NS);
        break;
    }
    case 0x08: ide_busy(ch, ACT_DEVICE_RESET, IDE_CMD_NS); break;
    case 0xEF:
        if (d->feature == 0x03 && (d->nsector <= 0x01 || (d->nsector >= 0x08 && d->nsector <= 0x0C) ||
                                   (d->nsector >= 0x20 && d->nsector <= 0x22) ||
                                   (d->nsector >= 0x40 && d->nsector <= 0x42)))
            d->xfer_mode = d->nsector;
        else if (d->feature != 0x66 && d->feature != 0xCC)
            ch->pending_error = ER_ABRT;
        ide_busy(ch, ACT_COMPLETE, IDE_CMD_NS);
        break;
    case 0xE5: d->nsector = 0xFF; complete_after(ch, 0); break;    /* CHECK POWER MODE */
    case 0xE0: case 0xE1: case 0xE6: complete_after(ch, 0); break;
    case 0xEC: case 0x20: case 0x21: case 0x24: case 0x29: case 0xC4:
        /* ATA reads to a packet device abort with its signature in the
         * registers, which is how hosts find out. */
        ide_set_signature(d);
        complete_after(ch, ER_ABRT);
        break;
    default:
        complete_after(ch, ER_ABRT);
        break;
    }
}

void ide_atapi_timer(struct ide_channel *ch, enum ide_action act)
{
    struct ide_drive *d = ide_active(ch);
    switch (act) {
    case ACT_PACKET_READY:
        ch->phase = PH_PACKET;
        ch->buf_pos = 0;
        d->status = ST_DRDY | ST_DRQ;   /* no interrupt: DRQ type "accelerated" in word 0 */
        break;
    case ACT_PACKET_EXEC:
        execute_cdb(ch, d);
        break;
    case ACT_ATAPI_BLOCK:
        if (ch->cmd == 0xA1)
            ide_pio_in(ch, 512);
        else
            offer_block(ch, d);
        break;
    case ACT_ATAPI_DONE:
        good_status(ch, d);
        break;
    default:                            /* ACT_DEVICE_RESET: no interrupt */
        ch->phase = PH_IDLE;
        ide_set_signature(d);
        break;
    }
}
