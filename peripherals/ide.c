/*
 * The PIIX3 IDE function: two channels' registers, the device protocols'
 * timing, the bus-master DMA engine, PCI configuration and device state.
 * The ATA command set lives in ide_ata.c, the ATAPI packet commands in
 * ide_atapi.c.
 */
#include "peripherals/ide_internal.h"

#include <stdarg.h>
#include <string.h>

#define PIIX_IDETIM 0x40        /* primary 40h-41h, secondary 42h-43h */
#define PIIX_SIDETIM 0x44
#define IDETIM_DECODE 0x80u     /* bit 15 of IDETIM: IDE Decode Enable */

void ide_log_once(struct ide_controller *ide, uint32_t bit, const char *fmt, ...)
{
    if (ide->logged & bit)
        return;
    ide->logged |= bit;
    va_list ap;
    va_start(ap, fmt);
    fputs("trapeze: piix3-ide: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static int cur_unit(const struct ide_channel *ch) { return (ch->drive[0].select & DEV_DEV) ? 1 : 0; }
static int channel_empty(const struct ide_channel *ch)
{
    return ch->drive[0].kind == IDE_NONE && ch->drive[1].kind == IDE_NONE;
}
static int channel_decodes(const struct ide_channel *ch)
{
    return (ch->ctl->pci.config[PIIX_IDETIM + 1 + 2 * ch->index] & IDETIM_DECODE) != 0;
}
static uint64_t ns_to_cycles(const struct ide_channel *ch, uint64_t ns)
{
    return clock_ns_to_cycles(ch->ctl->clock, ns);
}

/* ---- Interrupts.  A device drives INTRQ only while it is selected and
 * nIEN is clear (ATA/ATAPI-6, INTRQ signal); the PIIX3 latches each rising edge in the
 * channel's bus-master status (BMISx bit 2). */
static int irq_level(const struct ide_channel *ch)
{
    const struct ide_drive *d = &ch->drive[cur_unit(ch)];
    return d->kind != IDE_NONE && d->intrq && !(ch->devctl & DC_NIEN);
}

static void update_irq(struct ide_channel *ch)
{
    int level = irq_level(ch);
    if (level && !ch->irq.level)
        ch->bm_status |= BM_ST_IRQ;
    irq_set(&ch->irq, level);
}

void ide_raise(struct ide_channel *ch, struct ide_drive *d)
{
    d->intrq = 1;
    update_irq(ch);
}

void ide_finish(struct ide_channel *ch, struct ide_drive *d)
{
    ch->phase = PH_IDLE;
    d->status = d->kind == IDE_DISK ? (ST_DRDY | ST_DSC) : ST_DRDY;
    ide_raise(ch, d);
}

void ide_fail(struct ide_channel *ch, struct ide_drive *d, uint8_t error)
{
    ch->phase = PH_IDLE;
    d->error = error;
    d->status = (d->kind == IDE_DISK ? (ST_DRDY | ST_DSC) : ST_DRDY) | ST_ERR;
    ide_raise(ch, d);
}

void ide_busy(struct ide_channel *ch, enum ide_action act, uint64_t ns)
{
    ch->phase = PH_BUSY;
    ch->action = (uint8_t)act;
    ide_active(ch)->status = ST_BSY;
    timer_arm(ch->ctl->clock, &ch->timer, ch->ctl->clock->now + ns_to_cycles(ch, ns));
}

void ide_pio_in(struct ide_channel *ch, uint32_t len)
{
    struct ide_drive *d = ide_active(ch);
    ch->phase = PH_PIO_IN;
    ch->block_end = ch->buf_pos + len;
    d->status = (d->kind == IDE_DISK ? (ST_DRDY | ST_DSC) : ST_DRDY) | ST_DRQ;
    ide_raise(ch, d);
}

/* Signature after reset or diagnostics (ATA/ATAPI-6, "Signature and
 * persistence"): ATA devices 00h/00h, PACKET devices 14h/EBh.  A missing
 * device's registers latch writes but its status reads 00h and its
 * signature FFh/FFh, which SeaBIOS and libata classify as nothing. */
void ide_set_signature(struct ide_drive *d)
{
    d->nsector = d->lbal = 1;
    d->hob_nsector = d->hob_lbal = d->hob_lbam = d->hob_lbah = d->hob_feature = 0;
    d->lbam = d->kind == IDE_CDROM ? 0x14 : d->kind == IDE_DISK ? 0x00 : 0xFF;
    d->lbah = d->kind == IDE_CDROM ? 0xEB : d->kind == IDE_DISK ? 0x00 : 0xFF;
    d->error = 0x01;    /* diagnostics passed (device 1 passed or absent) */
    d->status = d->kind == IDE_DISK ? (ST_DRDY | ST_DSC) : 0;
    d->intrq = 0;
}

/* ATA strings: two characters a word, the first in the high byte. */
void ide_put_string(uint16_t *words, int first, int nwords, const char *s)
{
    size_t len = strlen(s);
    for (int i = 0; i < nwords * 2; i++) {
        uint8_t c = (size_t)i < len ? (uint8_t)s[i] : ' ';
        uint16_t *w = &words[first + i / 2];
        *w = (i & 1) ? (uint16_t)((*w & 0xFF00u) | c) : (uint16_t)((*w & 0x00FFu) | (uint16_t)(c << 8));
    }
}

/* Word 255: A5h signature and a checksum making all 512 bytes sum to 0. */
void ide_identify_checksum(uint16_t *id)
{
    uint8_t sum = 0xA5;
    for (int i = 0; i < 255; i++)
        sum = (uint8_t)(sum + (id[i] & 0xFF) + (id[i] >> 8));
    id[255] = (uint16_t)(0xA5 | (uint8_t)(0 - sum) << 8);
}

void ide_id_to_buf(struct ide_channel *ch, const uint16_t *id)
{
    for (int i = 0; i < 256; i++)
        le16_store(&ch->buf[2 * i], id[i]);
    ch->buf_len = 512;
    ch->buf_pos = 0;
    ch->sectors_left = 0;
}

/* ---- Task file registers. */
static uint8_t reg_read(struct ide_channel *ch, unsigned reg)
{
    if (channel_empty(ch))
        return 0x7F;    /* nothing drives the bus; the host pulls DD7 down */
    struct ide_drive *d = &ch->drive[cur_unit(ch)];
    int hob = (ch->devctl & DC_HOB) != 0;
    switch (reg) {
    case 1: return d->error;
    case 2: return hob ? d->hob_nsector : d->nsector;
    case 3: return hob ? d->hob_lbal : d->lbal;
    case 4: return hob ? d->hob_lbam : d->lbam;
    case 5: return hob ? d->hob_lbah : d->lbah;
    case 6: return d->select;
    default:
        if (d->kind == IDE_NONE)
            return 0;
        if (d->intrq) {
            d->intrq = 0;   /* reading Status acknowledges the interrupt */
            update_irq(ch);
        }
        return d->status;
    }
}

static void latch(uint8_t *reg, uint8_t *hob, uint8_t v)
{
    *hob = *reg;
    *reg = v;
}

static void command_write(struct ide_channel *ch, uint8_t cmd);

static void reg_write(struct ide_channel *ch, unsigned reg, uint8_t v)
{
    if (channel_empty(ch))
        return;
    if (reg == 7) {
        command_write(ch, v);
        return;
    }
    ch->devctl &= (uint8_t)~DC_HOB;    /* any register write clears HOB (Device Control register) */
    for (int u = 0; u < 2; u++) {
        struct ide_drive *d = &ch->drive[u];
        switch (reg) {
        case 1: latch(&d->feature, &d->hob_feature, v); break;
        case 2: latch(&d->nsector, &d->hob_nsector, v); break;
        case 3: latch(&d->lbal, &d->hob_lbal, v); break;
        case 4: latch(&d->lbam, &d->hob_lbam, v); break;
        case 5: latch(&d->lbah, &d->hob_lbah, v); break;
        case 6: d->select = v; break;
        }
    }
    if (reg == 6)
        update_irq(ch);
}

/* ---- The data register: 16-bit device transfers; a 32-bit access is
 * two of them, a byte access one with the high byte lost. */
static uint16_t data_word_read(struct ide_channel *ch)
{
    if (ch->phase != PH_PIO_IN) {
        ide_log_once(ch->ctl, LOG_DATA_IDLE, "data register accessed without DRQ (ignored)");
        return 0xFFFF;
    }
    uint16_t v = le16_load(&ch->buf[ch->buf_pos]);
    ch->buf_pos += 2;
    if (ch->buf_pos >= ch->block_end) {
        if (ide_active(ch)->kind == IDE_CDROM)
            ide_atapi_block_read(ch);
        else
            ide_ata_block_read(ch);
    }
    return v;
}

static void data_word_write(struct ide_channel *ch, uint16_t v)
{
    if (ch->phase == PH_PACKET) {
        le16_store(&ch->cdb[ch->buf_pos], v);
        ch->buf_pos += 2;
        if (ch->buf_pos >= sizeof(ch->cdb))
            ide_busy(ch, ACT_PACKET_EXEC, IDE_CMD_NS);
        return;
    }
    if (ch->phase != PH_PIO_OUT) {
        ide_log_once(ch->ctl, LOG_DATA_IDLE, "data register accessed without DRQ (ignored)");
        return;
    }
    le16_store(&ch->buf[ch->buf_pos], v);
    ch->buf_pos += 2;
    if (ch->buf_pos >= ch->buf_len)
        ide_ata_block_written(ch);
}

static uint32_t float_bits(int size) { return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1; }

static uint32_t cmd_block_read(void *opaque, uint16_t port, int size)
{
    struct ide_channel *ch = opaque;
    if (!channel_decodes(ch))
        return float_bits(size);
    unsigned reg = port & 7;
    if (reg == 0) {
        if (channel_empty(ch))
            return 0x7F7F7F7Fu & float_bits(size);
        uint32_t v = data_word_read(ch);
        if (size == 4)
            v |= (uint32_t)data_word_read(ch) << 16;
        return v & float_bits(size);
    }
    uint32_t v = 0;
    for (int i = 0; i < size; i++)
        v |= (uint32_t)(reg + i < 8 ? reg_read(ch, reg + (unsigned)i) : 0xFF) << (8 * i);
    return v;
}

static void cmd_block_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct ide_channel *ch = opaque;
    if (!channel_decodes(ch))
        return;
    unsigned reg = port & 7;
    if (reg == 0) {
        if (channel_empty(ch))
            return;
        data_word_write(ch, (uint16_t)value);
        if (size == 4)
            data_word_write(ch, (uint16_t)(value >> 16));
        return;
    }
    for (int i = 0; i < size && reg + (unsigned)i < 8; i++)
        reg_write(ch, reg + (unsigned)i, (uint8_t)(value >> (8 * i)));
}

/* ---- Device control (SRST, nIEN, HOB) and alternate status. */
static void soft_reset_begin(struct ide_channel *ch)
{
    timer_cancel(ch->ctl->clock, &ch->timer);
    ch->phase = PH_BUSY;
    ch->action = ACT_NONE;
    for (int u = 0; u < 2; u++) {
        ch->drive[u].status = ST_BSY;
        ch->drive[u].intrq = 0;
    }
}

static void soft_reset_end(struct ide_channel *ch)
{
    for (int u = 0; u < 2; u++) {
        ide_set_signature(&ch->drive[u]);
        ch->drive[u].select = 0;    /* the reset selects device 0 */
        if (ch->drive[u].kind == IDE_DISK)
            ch->drive[u].power = 0xFF;
    }
    ch->phase = PH_IDLE;
    ch->buf_len = ch->buf_pos = 0;
}

static uint32_t ctl_read(void *opaque, uint16_t port, int size)
{
    struct ide_channel *ch = opaque;
    (void)port;
    (void)size;
    if (!channel_decodes(ch))
        return 0xFF;
    if (channel_empty(ch))
        return 0x7F;
    const struct ide_drive *d = &ch->drive[cur_unit(ch)];
    return d->kind == IDE_NONE ? 0 : d->status;
}

static void ctl_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct ide_channel *ch = opaque;
    (void)port;
    (void)size;
    if (!channel_decodes(ch) || channel_empty(ch))
        return;
    uint8_t old = ch->devctl, v = (uint8_t)value;
    ch->devctl = v & (DC_NIEN | DC_SRST | DC_HOB);
    if ((v & DC_SRST) && !(old & DC_SRST)) {
        soft_reset_begin(ch);
    } else if (!(v & DC_SRST) && (old & DC_SRST)) {
        ch->action = ACT_RESET_DONE;
        timer_arm(ch->ctl->clock, &ch->timer, ch->ctl->clock->now + ns_to_cycles(ch, IDE_RESET_NS));
    }
    update_irq(ch);
}

/* ---- Commands. */
static void command_write(struct ide_channel *ch, uint8_t cmd)
{
    int unit = cur_unit(ch);
    struct ide_drive *d = &ch->drive[unit];
    if (d->kind == IDE_NONE)
        return;
    /* Only DEVICE RESET to a PACKET device is taken while BSY or DRQ. */
    if ((d->status & (ST_BSY | ST_DRQ)) || (ch->devctl & DC_SRST)) {
        if (cmd != 0x08 || d->kind != IDE_CDROM || (ch->devctl & DC_SRST))
            return;
        timer_cancel(ch->ctl->clock, &ch->timer);
    }
    d->intrq = 0;
    update_irq(ch);
    ch->active = (uint8_t)unit;
    ch->cmd = cmd;
    ch->pending_error = 0;
    ch->dma = 0;
    ch->buf_len = ch->buf_pos = ch->block_end = 0;
    if (cmd == 0x90) {
        /* EXECUTE DEVICE DIAGNOSTIC: both devices run it. */
        for (int u = 0; u < 2; u++)
            if (ch->drive[u].kind != IDE_NONE)
                ch->drive[u].status = ST_BSY;
        ide_busy(ch, ACT_DIAG_DONE, IDE_CMD_NS);
        return;
    }
    if (d->kind == IDE_DISK)
        ide_ata_command(ch, d, cmd);
    else
        ide_atapi_command(ch, d, cmd);
}

static void diagnostics_done(struct ide_channel *ch)
{
    for (int u = 0; u < 2; u++) {
        struct ide_drive *d = &ch->drive[u];
        uint8_t sel = d->select;
        ide_set_signature(d);
        d->select = sel & 0xF0;
        if (d->kind != IDE_NONE)
            d->intrq = 1;
    }
    ch->phase = PH_IDLE;
    update_irq(ch);
}

static void channel_timer(void *opaque, cycles_t now)
{
    struct ide_channel *ch = opaque;
    (void)now;
    enum ide_action act = (enum ide_action)ch->action;
    ch->action = ACT_NONE;
    switch (act) {
    case ACT_COMPLETE:
        if (ch->pending_error)
            ide_fail(ch, ide_active(ch), ch->pending_error);
        else
            ide_finish(ch, ide_active(ch));
        break;
    case ACT_READ_BLOCK:
    case ACT_WRITE_READY:
    case ACT_WRITE_BLOCK:
        ide_ata_timer(ch, act);
        break;
    case ACT_PACKET_READY:
    case ACT_PACKET_EXEC:
    case ACT_ATAPI_BLOCK:
    case ACT_ATAPI_DONE:
    case ACT_DEVICE_RESET:
        ide_atapi_timer(ch, act);
        break;
    case ACT_DMA:
        ide_dma_run(ch);
        break;
    case ACT_RESET_DONE:
        soft_reset_end(ch);
        update_irq(ch);
        break;
    case ACT_DIAG_DONE:
        diagnostics_done(ch);
        break;
    default:
        break;
    }
}

/* ---- Drives. */
static void drive_power_on(struct ide_drive *d)
{
    ide_set_signature(d);
    d->select = 0;
    d->feature = d->hob_feature = 0;
    d->multiple = 0;
    d->xfer_mode = 0;
    d->write_cache = d->look_ahead = 1;
    d->power = 0xFF;
    d->cur_cyls = d->cyls;
    d->cur_heads = d->heads;
    d->cur_spt = d->spt;
    if (d->kind == IDE_CDROM)
        ide_atapi_power_on(d);
}

static struct ide_drive *slot(struct ide_controller *ide, int channel, int unit, char *why, size_t whylen)
{
    if (channel < 0 || channel > 1 || unit < 0 || unit > 1) {
        snprintf(why, whylen, "no IDE position %d:%d", channel, unit);
        return NULL;
    }
    struct ide_drive *d = &ide->ch[channel].drive[unit];
    if (d->kind != IDE_NONE) {
        snprintf(why, whylen, "IDE position %d:%d is taken", channel, unit);
        return NULL;
    }
    return d;
}

int ide_attach_disk(struct ide_controller *ide, int channel, int unit, struct disk_image *img, char *why,
                    size_t whylen)
{
    struct ide_drive *d = slot(ide, channel, unit, why, whylen);
    if (!d)
        return -1;
    if (!img || img->sector_size != IDE_SECTOR) {
        snprintf(why, whylen, "an IDE disk needs an image of 512-byte sectors");
        return -1;
    }
    d->kind = IDE_DISK;
    d->img = img;
    d->total = disk_image_sectors(img);
    ide_disk_geometry(d->total, &d->cyls, &d->heads, &d->spt);
    snprintf(d->model, sizeof(d->model), "TRAPEZE HARDDISK");
    snprintf(d->serial, sizeof(d->serial), "TRPZ%d%d%012llX", channel, unit,
             (unsigned long long)(d->total & 0xFFFFFFFFFFFFull));
    snprintf(d->firmware, sizeof(d->firmware), "1.0");
    drive_power_on(d);
    return 0;
}

int ide_attach_cdrom(struct ide_controller *ide, int channel, int unit, struct disk_image *img, char *why,
                     size_t whylen)
{
    struct ide_drive *d = slot(ide, channel, unit, why, whylen);
    if (!d)
        return -1;
    if (img && img->sector_size != IDE_CD_SECTOR) {
        snprintf(why, whylen, "an IDE CD-ROM needs an image of 2048-byte sectors");
        return -1;
    }
    d->kind = IDE_CDROM;
    d->img = img;
    snprintf(d->model, sizeof(d->model), "TRAPEZE CD-ROM");
    snprintf(d->serial, sizeof(d->serial), "TRPZCD%d%d", channel, unit);
    snprintf(d->firmware, sizeof(d->firmware), "1.0");
    drive_power_on(d);
    return 0;
}

int ide_cdrom_change(struct ide_controller *ide, int channel, int unit, struct disk_image *img, int force)
{
    if (channel < 0 || channel > 1 || unit < 0 || unit > 1)
        return -1;
    struct ide_drive *d = &ide->ch[channel].drive[unit];
    if (d->kind != IDE_CDROM || (img && img->sector_size != IDE_CD_SECTOR))
        return -1;
    if (d->locked && !force) {
        d->media_event = 1;     /* eject request: the guest may unlock and eject */
        return -1;
    }
    d->img = img;
    d->tray_open = 0;
    d->ua_asc = 0x28;           /* NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED */
    d->media_event = img ? 2 : 3;
    return 0;
}

/* ---- Device hooks. */
static void ide_reset(void *opaque)
{
    struct ide_controller *ide = opaque;
    for (int c = 0; c < 2; c++) {
        struct ide_channel *ch = &ide->ch[c];
        timer_cancel(ide->clock, &ch->timer);
        ch->action = ACT_NONE;
        ch->phase = PH_IDLE;
        ch->devctl = 0;
        ch->bm_cmd = ch->bm_status = 0;
        ch->bm_prd = ch->prd_next = ch->prd_addr = ch->prd_left = ch->prd_fetched = 0;
        ch->prd_eot = 0;
        ch->buf_len = ch->buf_pos = ch->block_end = 0;
        for (int u = 0; u < 2; u++)
            drive_power_on(&ch->drive[u]);
        irq_set(&ch->irq, 0);
    }
    /* RESET# returns the configuration registers to their defaults. */
    memset(&ide->pci.config[PIIX_IDETIM], 0, 5);
    pci_set32(&ide->pci, PCI_BAR0 + 16, 1);
    pci_config_write(ide->bus, ide->pci.devfn, PCI_COMMAND, 0, 2);
}

static void save_drive(const struct ide_drive *d, struct state_writer *w)
{
    const uint8_t b[] = {
        d->kind, d->feature, d->nsector, d->lbal, d->lbam, d->lbah, d->hob_feature, d->hob_nsector,
        d->hob_lbal, d->hob_lbam, d->hob_lbah, d->select, d->status, d->error, d->intrq, d->multiple,
        d->xfer_mode, d->write_cache, d->look_ahead, d->power, d->sense_key, d->asc, d->ascq, d->ua_asc,
        d->media_event, d->tray_open, d->locked,
    };
    state_put_bytes(w, b, sizeof(b));
    state_put_u16(w, d->cur_cyls);
    state_put_u16(w, d->cur_heads);
    state_put_u16(w, d->cur_spt);
}

static int load_drive(struct ide_drive *d, struct state_reader *r)
{
    uint8_t b[27];
    state_get_bytes(r, b, sizeof(b));
    uint16_t cc = state_get_u16(r), ch = state_get_u16(r), cs = state_get_u16(r);
    if (r->error || b[0] != d->kind || b[15] > IDE_MAX_MULTIPLE || (d->kind == IDE_DISK && (ch == 0 || ch > 16 ||
                                                                                          cs == 0 || cs > 255)))
        return -1;
    uint8_t *f[] = {
        &d->kind, &d->feature, &d->nsector, &d->lbal, &d->lbam, &d->lbah, &d->hob_feature, &d->hob_nsector,
        &d->hob_lbal, &d->hob_lbam, &d->hob_lbah, &d->select, &d->status, &d->error, &d->intrq, &d->multiple,
        &d->xfer_mode, &d->write_cache, &d->look_ahead, &d->power, &d->sense_key, &d->asc, &d->ascq,
        &d->ua_asc, &d->media_event, &d->tray_open, &d->locked,
    };
    for (size_t i = 0; i < sizeof(b); i++)
        *f[i] = b[i];
    d->cur_cyls = cc;
    d->cur_heads = ch;
    d->cur_spt = cs;
    return 0;
}

static void ide_save(void *opaque, struct state_writer *w)
{
    struct ide_controller *ide = opaque;
    pci_save(&ide->pci, w);
    for (int c = 0; c < 2; c++) {
        const struct ide_channel *ch = &ide->ch[c];
        for (int u = 0; u < 2; u++)
            save_drive(&ch->drive[u], w);
        const uint8_t b[] = { ch->devctl, ch->action, ch->active, ch->cmd, ch->phase, ch->lba48,
                              ch->is_write, ch->dma, ch->chs, ch->pending_error, ch->bm_cmd, ch->bm_status,
                              ch->prd_eot, (uint8_t)timer_armed(&ch->timer) };
        state_put_bytes(w, b, sizeof(b));
        state_put_u64(w, ch->timer.when);
        state_put_u64(w, ch->lba);
        const uint32_t v[] = { ch->sectors_left, ch->block_sectors, ch->byte_limit, ch->bytes_left, ch->buf_len,
                               ch->buf_pos, ch->block_end, ch->bm_prd, ch->prd_next, ch->prd_addr, ch->prd_left,
                               ch->prd_fetched };
        for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
            state_put_u32(w, v[i]);
        state_put_bytes(w, ch->cdb, sizeof(ch->cdb));
        state_put_bytes(w, ch->buf, ch->buf_len);
    }
}

static int load_channel(struct ide_channel *ch, struct state_reader *r)
{
    for (int u = 0; u < 2; u++)
        if (load_drive(&ch->drive[u], r) != 0)
            return -1;
    uint8_t b[14];
    state_get_bytes(r, b, sizeof(b));
    uint64_t when = state_get_u64(r), lba = state_get_u64(r);
    uint32_t v[12];
    for (int i = 0; i < 12; i++)
        v[i] = state_get_u32(r);
    if (r->error || b[1] >= ACT_COUNT || b[2] > 1 || b[4] >= PH_COUNT || v[4] > IDE_BUF_SIZE ||
        v[5] > v[4] + 2 || v[6] > v[4] + 2 || v[1] > IDE_MAX_MULTIPLE || v[11] > IDE_PRD_MAX_ENTRIES)
        return -1;
    uint8_t *f[] = { &ch->devctl, &ch->action, &ch->active, &ch->cmd, &ch->phase, &ch->lba48, &ch->is_write,
                     &ch->dma, &ch->chs, &ch->pending_error, &ch->bm_cmd, &ch->bm_status, &ch->prd_eot };
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        *f[i] = b[i];
    uint32_t *g[] = { &ch->sectors_left, &ch->block_sectors, &ch->byte_limit, &ch->bytes_left, &ch->buf_len,
                      &ch->buf_pos, &ch->block_end, &ch->bm_prd, &ch->prd_next, &ch->prd_addr, &ch->prd_left,
                      &ch->prd_fetched };
    for (size_t i = 0; i < 12; i++)
        *g[i] = v[i];
    ch->lba = lba;
    state_get_bytes(r, ch->cdb, sizeof(ch->cdb));
    memset(ch->buf, 0, sizeof(ch->buf));
    state_get_bytes(r, ch->buf, ch->buf_len);
    if (b[13])
        timer_arm(ch->ctl->clock, &ch->timer, when);
    else
        timer_cancel(ch->ctl->clock, &ch->timer);
    irq_set(&ch->irq, irq_level(ch));   /* BMISx already holds its saved edge bit */
    return r->error ? -1 : 0;
}

static int ide_load(void *opaque, struct state_reader *r, uint32_t version)
{
    struct ide_controller *ide = opaque;
    if (version != IDE_STATE_VERSION || pci_load(&ide->pci, r) != 0)
        return -1;
    for (int c = 0; c < 2; c++)
        if (load_channel(&ide->ch[c], r) != 0)
            return -1;
    return 0;
}

static const char *kind_name(int kind) { return kind == IDE_DISK ? "disk" : kind == IDE_CDROM ? "cd-rom" : "none"; }

void ide_dump(struct ide_controller *ide, FILE *out)
{
    fprintf(out, "PIIX3 IDE: BAR4 %s", ide->bm_base == PCI_BAR_UNMAPPED ? "unmapped" : "");
    if (ide->bm_base != PCI_BAR_UNMAPPED)
        fprintf(out, "at %#x", ide->bm_base);
    fputc('\n', out);
    for (int c = 0; c < 2; c++) {
        const struct ide_channel *ch = &ide->ch[c];
        fprintf(out, " channel %d: %s, devctl %02x%s%s, phase %d, IRQ %d, BM cmd %02x status %02x PRD %08x\n", c,
                channel_decodes(ch) ? "decoding" : "disabled (IDETIM)", ch->devctl,
                (ch->devctl & DC_NIEN) ? " nIEN" : "", (ch->devctl & DC_SRST) ? " SRST" : "", ch->phase,
                ch->irq.level, ch->bm_cmd, ch->bm_status, ch->bm_prd);
        for (int u = 0; u < 2; u++) {
            const struct ide_drive *d = &ch->drive[u];
            fprintf(out, "  %s %s: status %02x error %02x count %02x lba %02x %02x %02x dev %02x", u ? "slave " : "master",
                    kind_name(d->kind), d->status, d->error, d->nsector, d->lbal, d->lbam, d->lbah, d->select);
            if (d->kind == IDE_DISK)
                fprintf(out, ", %llu sectors, CHS %u/%u/%u, multiple %u", (unsigned long long)d->total,
                        d->cur_cyls, d->cur_heads, d->cur_spt, d->multiple);
            if (d->kind == IDE_CDROM)
                fprintf(out, ", %s%s, sense %x/%02x/%02x", d->img ? "medium" : "empty",
                        d->locked ? ", locked" : "", d->sense_key, d->asc, d->ascq);
            fputc('\n', out);
        }
    }
}

static void dump_hook(void *opaque, FILE *out) { ide_dump(opaque, out); }

static const struct device_ops ide_ops = {
    "piix3-ide", IDE_STATE_VERSION, ide_reset, ide_save, ide_load, dump_hook,
};

static int register_channel_ports(struct ide_channel *ch, uint16_t cmd_base, uint16_t ctl_port)
{
    static const char *const names[2][2] = { { "ide0-cmd", "ide0-ctl" }, { "ide1-cmd", "ide1-ctl" } };
    if (portio_register(ch->ctl->io, cmd_base, 8, PORTIO_SIZE_8 | PORTIO_SIZE_16 | PORTIO_SIZE_32, cmd_block_read,
                        cmd_block_write, ch, names[ch->index][0]) != 0)
        return -1;
    return portio_register(ch->ctl->io, ctl_port, 1, PORTIO_SIZE_8, ctl_read, ctl_write, ch, names[ch->index][1]);
}

int ide_init(struct ide_controller *ide, struct pci_bus *bus, uint8_t devfn, struct portio *io,
             struct physmem *pm, struct clock *clock, struct device_registry *reg)
{
    memset(ide, 0, sizeof(*ide));
    ide->bus = bus;
    ide->io = io;
    ide->pm = pm;
    ide->clock = clock;
    ide->bm_base = PCI_BAR_UNMAPPED;
    static const char *const timer_names[2] = { "ide0", "ide1" };
    for (int c = 0; c < 2; c++) {
        ide->ch[c].ctl = ide;
        ide->ch[c].index = c;
        timer_init(&ide->ch[c].timer, timer_names[c], channel_timer, &ide->ch[c]);
    }
    struct pci_function *f = &ide->pci;
    f->name = "piix3-ide";
    f->opaque = ide;
    f->bar_mapped = ide_bm_bar_mapped;
    f->config_written = ide_bm_config_written;
    pci_declare_bar(f, 4, 16, 1);
    if (pci_register(bus, f, devfn, IDE_PCI_VENDOR, IDE_PCI_DEVICE, 0x00, 0x010180) != 0)
        return -1;
    f->wmask[PCI_COMMAND] &= (uint8_t)~PCI_COMMAND_MEMORY;     /* the function has no memory space */
    pci_set16(f, PCI_STATUS, 0x0280);       /* fast back-to-back, medium DEVSEL */
    memset(&f->wmask[PIIX_IDETIM], 0xFF, 5); /* IDETIM primary/secondary, SIDETIM */
    if (register_channel_ports(&ide->ch[0], 0x1F0, 0x3F6) != 0 ||
        register_channel_ports(&ide->ch[1], 0x170, 0x376) != 0)
        return -1;
    return device_register(reg, &ide_ops, ide);
}
