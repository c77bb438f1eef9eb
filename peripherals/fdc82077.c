/*
 * The Intel 82077AA floppy disk controller, PC-AT mode.  Section numbers
 * and table numbers refer to the Intel 82077AA CHMOS Single-Chip Floppy
 * Disk Controller datasheet.
 */
#include "peripherals/fdc82077.h"

#include <stdarg.h>
#include <string.h>

/* Main status register and digital output register (register descriptions). */
enum { MSR_RQM = 0x80, MSR_DIO = 0x40, MSR_NDM = 0x20, MSR_CB = 0x10, DOR_NRESET = 0x04, DOR_DMAGATE = 0x08 };
/* Status registers ST0-ST3 (status register encoding tables). */
enum { ST0_POLL = 0xC0, ST0_INVALID = 0x80, ST0_ABNORMAL = 0x40, ST0_SE = 0x20, ST0_EC = 0x10 };
enum { ST1_EN = 0x80, ST1_DE = 0x20, ST1_OR = 0x10, ST1_ND = 0x04, ST1_NW = 0x02, ST1_MA = 0x01 };
enum { ST2_CM = 0x40, ST2_DD = 0x20, ST2_WC = 0x10, ST2_BC = 0x02, ST3_WP = 0x40, ST3_T0 = 0x10, ST3_ONES = 0x28 };
/* Command flag bits, and the CONFIGURE byte (0 EIS EFIFO POLL FIFOTHR):
 * after reset the FIFO is off, polling on, the threshold 1. */
enum { F_MT = 0x80, F_MFM = 0x40, F_SK = 0x20, CFG_EIS = 0x40, CFG_POLL_OFF = 0x10, CFG_DEFAULT = 0x20 };

#define RECAL_STEPS 79
#define MAX_TRACK 83            /* the head stop of an 80-track drive */

enum { PH_RESET, PH_COMMAND, PH_EXEC, PH_RESULT };
enum { A_NONE, A_RESET_DONE, A_SECTOR, A_READ_ID, A_FORMAT, A_FAIL };
enum { LOG_FIFO = 1u << 0, LOG_CMD = 1u << 1, LOG_FORMAT = 1u << 2 };

static void log_once(struct fdc82077 *f, uint32_t bit, const char *fmt, ...)
{
    if (f->logged & bit)
        return;
    f->logged |= bit;
    va_list ap;
    va_start(ap, fmt);
    fputs("trapeze: fdc82077: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static cycles_t after(struct fdc82077 *f, uint64_t ns) { return f->clock->now + clock_ns_to_cycles(f->clock, ns); }

/* ---- The INT pin, gated by DOR's DMAGATE bit in AT mode. */
static void update_irq(struct fdc82077 *f)
{
    irq_set(&f->irq, f->intr && (f->dor & DOR_DMAGATE) && f->phase != PH_RESET);
}

static void set_intr(struct fdc82077 *f, int on)
{
    f->intr = (uint8_t)on;
    update_irq(f);
}

static int non_dma(const struct fdc82077 *f) { return f->specify[1] & 1; }

/* ---- Phases. */
static void to_command_phase(struct fdc82077 *f)
{
    f->phase = PH_COMMAND;
    f->cmd_pos = 0;
    f->pio_len = 0;
}

static void to_result_phase(struct fdc82077 *f, const uint8_t *res, int len, int interrupt)
{
    memcpy(f->res, res, (size_t)len);
    f->res_len = (uint8_t)len;
    f->res_pos = 0;
    f->phase = PH_RESULT;
    f->pio_len = 0;
    if (interrupt)
        set_intr(f, 1);
}

static void invalid_command(struct fdc82077 *f)
{
    const uint8_t st0 = ST0_INVALID;
    to_result_phase(f, &st0, 1, 0);
}

/* Ends a data command: ST0 ST1 ST2 and the ID the command reached. */
static void finish(struct fdc82077 *f, uint8_t ic, uint8_t st1, uint8_t st2)
{
    f->action = A_NONE;
    f->st0 = (uint8_t)(ic | f->head << 2 | f->unit);
    f->st1 = st1;
    f->st2 = st2;
    const uint8_t res[7] = { f->st0, st1, st2, f->c, f->h, f->r, f->n };
    to_result_phase(f, res, 7, 1);
}

/* A failure found only after searching the track for two index pulses. */
static void fail_after_search(struct fdc82077 *f, uint8_t st1, uint8_t st2)
{
    f->st1 = st1;
    f->st2 = st2;
    f->action = A_FAIL;
    timer_arm(f->clock, &f->cmd_timer, after(f, FDC_NOT_FOUND_NS));
}

/* ---- Reset through DOR or DSR, and 7.4 drive polling.  Software resets
 * keep SPECIFY, the data rate, the perpendicular drive bits and, under
 * LOCK, CONFIGURE and PRETRK; a hardware reset clears everything. */
static void controller_reset(struct fdc82077 *f, int hard)
{
    timer_cancel(f->clock, &f->cmd_timer);
    for (int u = 0; u < 4; u++)
        timer_cancel(f->clock, &f->seek_timer[u]);
    f->phase = PH_RESET;
    f->cmd_pos = f->res_pos = f->res_len = 0;
    f->action = A_NONE;
    f->pio_len = f->pio_pos = 0;
    f->seek_pending = f->seek_busy = 0;
    f->reset_polls = 0;
    memset(f->pcn, 0, sizeof(f->pcn));
    f->perpendicular &= 0x3C;   /* GAP and WGATE clear */
    if (hard) {
        f->lock = 0;
        f->perpendicular = 0;
        f->specify[0] = f->specify[1] = 0;
        f->dsr = 0x02;          /* 250 kb/s */
        f->dor = f->tdr = 0;
        f->sc_eot = 0;
    }
    if (!f->lock) {
        f->config = CFG_DEFAULT;
        f->pretrk = 0;
    }
    set_intr(f, 0);
}

static void reset_release(struct fdc82077 *f)
{
    to_command_phase(f);
    f->action = A_RESET_DONE;
    timer_arm(f->clock, &f->cmd_timer, after(f, FDC_RESET_NS));
}

/* After a reset with polling on, the simulated polling finds each of the
 * four drives "not ready -> ready": one interrupt, and four statuses for
 * SENSE INTERRUPT STATUS (C0h-C3h, 7.4). */
static void reset_done(struct fdc82077 *f)
{
    if (f->config & CFG_POLL_OFF)
        return;
    f->reset_polls = 4;
    set_intr(f, 1);
}

/* ---- Seeks run in the drives, in parallel with other commands. */
static uint64_t step_ns(const struct fdc82077 *f)
{
    static const uint32_t kbps[4] = { 500, 300, 250, 1000 };
    uint64_t srt = 16u - (f->specify[0] >> 4);    /* ms per step at 500 kb/s */
    return srt * 1000000u * 500u / kbps[f->dsr & 3];
}

/* Steps the head of `unit` from PCN towards `target` (the drive's head
 * stops at its ends) and returns the number of step pulses. */
static int step_head(struct fdc82077 *f, int unit, int target)
{
    struct fdc_drive *d = &f->drive[unit];
    int steps = target - f->pcn[unit];
    if (d->cmos_type) {
        int t = d->track + steps;
        d->track = (uint8_t)(t < 0 ? 0 : t > MAX_TRACK ? MAX_TRACK : t);
    }
    if (steps < 0)
        steps = -steps;
    if (steps && d->img)
        d->dskchg = 0;      /* a step pulse with a diskette in resets the change latch */
    f->pcn[unit] = (uint8_t)target;
    return steps;
}

static void start_seek(struct fdc82077 *f, int unit, int head, int target, int recalibrate, uint8_t extra_st0)
{
    struct fdc_drive *d = &f->drive[unit];
    int steps, ec = 0;
    if (recalibrate) {
        /* Step out until TRK0, at most 79 pulses. */
        int from = d->cmos_type ? d->track : RECAL_STEPS + 1;
        steps = from < RECAL_STEPS ? from : RECAL_STEPS;
        ec = from > RECAL_STEPS;
        if (d->cmos_type)
            d->track = (uint8_t)(from - steps);
        if (steps && d->img)
            d->dskchg = 0;
        f->pcn[unit] = 0;
    } else {
        steps = step_head(f, unit, target);
    }
    f->seek_st0[unit] = (uint8_t)(ST0_SE | (ec ? ST0_ABNORMAL | ST0_EC : 0) | extra_st0 | head << 2 | unit);
    f->seek_busy |= (uint8_t)(1u << unit);
    f->seek_pending &= (uint8_t)~(1u << unit);
    timer_arm(f->clock, &f->seek_timer[unit], after(f, (uint64_t)steps * step_ns(f) + FDC_CMD_NS));
}

static void seek_done(struct fdc82077 *f, int unit)
{
    f->seek_busy &= (uint8_t)~(1u << unit);
    f->seek_pending |= (uint8_t)(1u << unit);
    set_intr(f, 1);
}

#define SEEK_TIMER_FN(n)                                                                   \
    static void seek_timer_##n(void *opaque, cycles_t now)                                 \
    {                                                                                      \
        (void)now;                                                                         \
        seek_done(opaque, n);                                                              \
    }
SEEK_TIMER_FN(0)
SEEK_TIMER_FN(1)
SEEK_TIMER_FN(2)
SEEK_TIMER_FN(3)

static void sense_interrupt_status(struct fdc82077 *f)
{
    uint8_t res[2];
    set_intr(f, 0);
    if (f->reset_polls) {
        int unit = 4 - f->reset_polls--;
        res[0] = (uint8_t)(ST0_POLL | unit);
        res[1] = f->pcn[unit];
    } else if (f->seek_pending) {
        int unit = 0;
        while (!(f->seek_pending & (1u << unit)))
            unit++;
        f->seek_pending &= (uint8_t)~(1u << unit);
        res[0] = f->seek_st0[unit];
        res[1] = f->pcn[unit];
    } else {
        invalid_command(f);     /* no interrupt to report */
        return;
    }
    to_result_phase(f, res, 2, 0);
}

/* ---- Media. */
static int medium_spinning(const struct fdc82077 *f, const struct fdc_drive *d)
{
    int unit = (int)(d - f->drive);
    return d->img && (f->dor & (0x10u << unit));
}

/* Whether the track under the selected head has address marks the
 * controller can read: the medium's data rate, MFM, a recorded track. */
static int track_readable(const struct fdc82077 *f, const struct fdc_drive *d)
{
    return (f->dsr & 3) == d->rate && (f->flags & F_MFM) && f->head < d->heads && d->track < d->cyls;
}

/* The sector the current C/H/R/N names on the track under the head, or -1
 * with the status bits of the failed search. */
static int64_t find_sector(struct fdc82077 *f, const struct fdc_drive *d, uint8_t *st1, uint8_t *st2)
{
    *st1 = *st2 = 0;
    if (!track_readable(f, d)) {
        *st1 = ST1_MA;          /* no address mark readable at this rate and encoding */
        return -1;
    }
    if (f->c != d->track) {
        *st1 = ST1_ND;
        *st2 = f->c == 0xFF ? ST2_BC : ST2_WC;
        return -1;
    }
    if (f->h != f->head || f->r == 0 || f->r > d->spt || f->n != 2) {
        *st1 = ST1_ND;
        return -1;
    }
    return ((int64_t)d->track * d->heads + f->head) * d->spt + f->r - 1;
}

/* ---- Data commands: READ DATA, READ DELETED DATA, VERIFY, WRITE DATA,
 * WRITE DELETED DATA (5.1).  One sector a timer step. */
static int is_write(const struct fdc82077 *f) { return f->op == 0x05 || f->op == 0x09; }

static void next_sector_step(struct fdc82077 *f)
{
    f->action = A_SECTOR;
    timer_arm(f->clock, &f->cmd_timer, after(f, FDC_SECTOR_NS));
}

/* After a sector: the next ID as table 5-6 gives it, then either go on,
 * or end normally at terminal count, or abnormally past EOT (EN). */
static void sector_done(struct fdc82077 *f, int tc, int stop_after)
{
    int end_of_cylinder = 0;
    if (f->r != f->eot) {
        f->r++;
    } else {
        f->r = 1;
        if ((f->flags & F_MT) && f->head == 0) {
            f->head = 1;
            f->h ^= 1;
        } else {
            if (f->flags & F_MT) {
                f->h ^= 1;
                f->head = 0;
            }
            f->c++;
            end_of_cylinder = 1;
        }
    }
    if (tc || stop_after)
        finish(f, 0, 0, stop_after ? ST2_CM : 0);
    else if (end_of_cylinder)
        finish(f, ST0_ABNORMAL, ST1_EN, 0);
    else
        next_sector_step(f);
}

static int dma_move(struct fdc82077 *f, void *buf, int len, int to_memory, int *tc)
{
    *tc = 0;
    if (!f->dma || !(f->dor & DOR_DMAGATE))
        return 0;
    return f->dma(f->dma_opaque, FDC_DMA_CHANNEL, buf, len, to_memory, tc);
}

static void commit_write(struct fdc82077 *f, int64_t lba, int tc)
{
    if (disk_image_write(f->drive[f->unit].img, (uint64_t)lba, 1, f->buf) != 0) {
        finish(f, ST0_ABNORMAL | ST0_EC, 0, 0);
        return;
    }
    sector_done(f, tc, 0);
}

static void sector_step(struct fdc82077 *f)
{
    struct fdc_drive *d = &f->drive[f->unit];
    uint8_t st1, st2;
    if (!medium_spinning(f, d))
        return;                 /* no index pulses: the command waits for a reset */
    int64_t lba = find_sector(f, d, &st1, &st2);
    if (lba < 0) {
        fail_after_search(f, st1, st2);
        return;
    }
    int tc = 0;
    if (is_write(f)) {
        if (non_dma(f)) {
            f->pio_pos = 0;
            f->pio_len = 512;
            set_intr(f, 1);
            return;
        }
        memset(f->buf, 0, sizeof(f->buf));  /* after TC the sector is padded with zeros */
        if (dma_move(f, f->buf, 512, 0, &tc) == 0 && !tc) {
            finish(f, ST0_ABNORMAL, ST1_OR, 0);
            return;
        }
        commit_write(f, lba, tc);
        return;
    }
    /* Our sectors carry normal data address marks: READ DELETED DATA
     * skips them with SK, or transfers one and stops (CM). */
    int deleted = f->op == 0x0C;
    if (deleted && (f->flags & F_SK)) {
        sector_done(f, 0, 0);
        return;
    }
    if (disk_image_read(d->img, (uint64_t)lba, 1, f->buf) != 0) {
        finish(f, ST0_ABNORMAL, ST1_DE, ST2_DD);
        return;
    }
    if (f->op != 0x16) {        /* VERIFY moves no data */
        if (non_dma(f)) {
            f->pio_pos = 0;
            f->pio_len = 512;
            set_intr(f, 1);
            return;
        }
        if (dma_move(f, f->buf, 512, 1, &tc) == 0 && !tc) {
            finish(f, ST0_ABNORMAL, ST1_OR, 0);
            return;
        }
    }
    sector_done(f, tc, deleted);
}

static int write_protected(const struct fdc_drive *d) { return !d->img || d->img->read_only; }

static void start_data_command(struct fdc82077 *f)
{
    f->unit = f->cmd[1] & 3;
    f->head = (f->cmd[1] >> 2) & 1;
    f->c = f->cmd[2], f->h = f->cmd[3], f->r = f->cmd[4], f->n = f->cmd[5], f->eot = f->cmd[6];
    f->sc_eot = f->eot;
    f->phase = PH_EXEC;
    struct fdc_drive *d = &f->drive[f->unit];
    uint64_t ns = FDC_CMD_NS + FDC_SECTOR_NS;
    if (f->config & CFG_EIS)    /* implied seek: the controller steps to C first */
        ns += (uint64_t)step_head(f, f->unit, f->c) * step_ns(f);
    if (!medium_spinning(f, d))
        return;
    if (is_write(f) && write_protected(d)) {
        finish(f, ST0_ABNORMAL, ST1_NW, 0);
        return;
    }
    f->action = A_SECTOR;
    timer_arm(f->clock, &f->cmd_timer, after(f, ns));
}

/* ---- READ ID and FORMAT TRACK (5.1). */
static void read_id(struct fdc82077 *f)
{
    struct fdc_drive *d = &f->drive[f->unit];
    if (!medium_spinning(f, d))
        return;
    if (!track_readable(f, d)) {
        fail_after_search(f, ST1_MA, 0);
        return;
    }
    /* The next ID under the head follows from the rotation. */
    f->c = d->track;
    f->h = f->head;
    f->r = (uint8_t)((f->clock->now / clock_ns_to_cycles(f->clock, FDC_SECTOR_NS)) % d->spt + 1);
    f->n = 2;
    finish(f, 0, 0, 0);
}

static void format_id(struct fdc82077 *f, const uint8_t *id)
{
    struct fdc_drive *d = &f->drive[f->unit];
    f->c = id[0], f->h = id[1], f->r = id[2], f->n = id[3];
    if (id[0] == d->track && id[1] == f->head && id[2] >= 1 && id[2] <= d->spt && id[3] == 2 &&
        f->eot == d->spt && f->cmd[2] == 2) {
        memset(f->buf, f->fill, sizeof(f->buf));
        uint64_t lba = ((uint64_t)d->track * d->heads + f->head) * d->spt + id[2] - 1;
        if (disk_image_write(d->img, lba, 1, f->buf) != 0) {
            finish(f, ST0_ABNORMAL | ST0_EC, 0, 0);
            return;
        }
    } else {
        log_once(f, LOG_FORMAT, "FORMAT TRACK with a layout the image cannot hold (IDs not stored)");
    }
    if (++f->formatted >= f->eot) {
        finish(f, 0, 0, 0);
        return;
    }
    f->action = A_FORMAT;
    timer_arm(f->clock, &f->cmd_timer, after(f, FDC_SECTOR_NS));
}

static void format_step(struct fdc82077 *f)
{
    struct fdc_drive *d = &f->drive[f->unit];
    if (!medium_spinning(f, d))
        return;
    if (!track_readable(f, d)) {
        log_once(f, LOG_FORMAT, "FORMAT TRACK at a data rate the medium does not use (refused)");
        finish(f, ST0_ABNORMAL, ST1_MA, 0);
        return;
    }
    if (non_dma(f)) {
        f->pio_pos = 0;
        f->pio_len = 4;
        set_intr(f, 1);
        return;
    }
    uint8_t id[4];
    int tc;
    int got = dma_move(f, id, 4, 0, &tc);
    if (got < 4) {
        if (got == 0 && tc)
            finish(f, 0, 0, 0);
        else
            finish(f, ST0_ABNORMAL, ST1_OR, 0);
        return;
    }
    format_id(f, id);
}

static void start_format(struct fdc82077 *f)
{
    f->unit = f->cmd[1] & 3;
    f->head = (f->cmd[1] >> 2) & 1;
    f->n = f->cmd[2];
    f->eot = f->sc_eot = f->cmd[3];
    f->fill = f->cmd[5];
    f->formatted = 0;
    f->phase = PH_EXEC;
    struct fdc_drive *d = &f->drive[f->unit];
    if (!medium_spinning(f, d))
        return;
    if (write_protected(d)) {
        f->c = f->pcn[f->unit], f->h = f->head, f->r = 1;
        finish(f, ST0_ABNORMAL, ST1_NW, 0);
        return;
    }
    f->action = A_FORMAT;
    timer_arm(f->clock, &f->cmd_timer, after(f, FDC_CMD_NS + FDC_SECTOR_NS));
}

static void cmd_timer_fired(void *opaque, cycles_t now)
{
    struct fdc82077 *f = opaque;
    (void)now;
    int act = f->action;
    f->action = A_NONE;
    switch (act) {
    case A_RESET_DONE: reset_done(f); break;
    case A_SECTOR: sector_step(f); break;
    case A_READ_ID: read_id(f); break;
    case A_FORMAT: format_step(f); break;
    case A_FAIL: finish(f, ST0_ABNORMAL, f->st1, f->st2); break;
    default: break;
    }
}

/* ---- Non-DMA execution phase: the data goes through the FIFO. */
static uint8_t pio_read(struct fdc82077 *f)
{
    uint8_t v = f->buf[f->pio_pos++];
    if (f->pio_pos >= f->pio_len) {
        f->pio_len = 0;
        set_intr(f, 0);
        sector_done(f, 0, f->op == 0x0C);
    }
    return v;
}

static void pio_write(struct fdc82077 *f, uint8_t v)
{
    f->buf[f->pio_pos++] = v;
    if (f->pio_pos < f->pio_len)
        return;
    f->pio_len = 0;
    set_intr(f, 0);
    if (f->op == 0x0D) {
        format_id(f, f->buf);
        return;
    }
    uint8_t st1, st2;
    commit_write(f, find_sector(f, &f->drive[f->unit], &st1, &st2), 0);
}

/* ---- Commands (table 5-1).  Returns the command length, 0 if invalid. */
static int command_length(uint8_t b)
{
    uint8_t op = b & 0x1F, flags = b & 0xE0;
    switch (op) {
    case 0x06: case 0x0C: case 0x16: return 9;                      /* MT MFM SK */
    case 0x05: case 0x09: return (flags & F_SK) ? 0 : 9;            /* MT MFM */
    case 0x0A: return (flags & ~F_MFM) ? 0 : 2;
    case 0x0D: return (flags & ~F_MFM) ? 0 : 6;
    case 0x0F: return (b == 0x0F || b == 0x8F || b == 0xCF) ? 3 : 0;
    case 0x14: return (flags & 0x60) ? 0 : 1;                       /* LOCK bit 7 */
    case 0x03: return flags ? 0 : 3;
    case 0x04: case 0x07: case 0x12: return flags ? 0 : 2;
    case 0x08: case 0x0E: case 0x10: return flags ? 0 : 1;
    case 0x13: return flags ? 0 : 4;
    default: return 0;          /* READ TRACK, SCAN, PARTID and the undefined codes */
    }
}

static void execute(struct fdc82077 *f)
{
    const uint8_t *c = f->cmd;
    f->op = c[0] & 0x1F;
    f->flags = c[0] & 0xE0;
    uint8_t res[10];
    switch (f->op) {
    case 0x03:
        f->specify[0] = c[1];
        f->specify[1] = c[2];
        to_command_phase(f);
        break;
    case 0x04: {
        const struct fdc_drive *d = &f->drive[c[1] & 3];
        res[0] = (uint8_t)(ST3_ONES | (c[1] & 7) | (write_protected(d) ? ST3_WP : 0) |
                           (d->cmos_type && d->track == 0 ? ST3_T0 : 0));
        to_result_phase(f, res, 1, 0);
        break;
    }
    case 0x07:
        start_seek(f, c[1] & 3, 0, 0, 1, 0);
        to_command_phase(f);
        break;
    case 0x0F:
        if (c[0] == 0x0F) {
            start_seek(f, c[1] & 3, (c[1] >> 2) & 1, c[2], 0, 0);
        } else {
            int unit = c[1] & 3, target = f->pcn[unit] + ((c[0] & 0x40) ? c[2] : -(int)c[2]);
            /* Stepping out past track 0 is an equipment check. */
            start_seek(f, unit, (c[1] >> 2) & 1, target < 0 ? 0 : target > 255 ? 255 : target, 0,
                       target < 0 ? ST0_ABNORMAL | ST0_EC : 0);
        }
        to_command_phase(f);
        break;
    case 0x08:
        sense_interrupt_status(f);
        break;
    case 0x05: case 0x06: case 0x09: case 0x0C: case 0x16:
        start_data_command(f);
        break;
    case 0x0A:
        f->unit = c[1] & 3;
        f->head = (c[1] >> 2) & 1;
        f->phase = PH_EXEC;
        if (medium_spinning(f, &f->drive[f->unit])) {
            f->action = A_READ_ID;
            timer_arm(f->clock, &f->cmd_timer, after(f, FDC_CMD_NS + FDC_SECTOR_NS));
        }
        break;
    case 0x0D:
        start_format(f);
        break;
    case 0x0E:
        memcpy(res, f->pcn, 4);
        res[4] = f->specify[0];
        res[5] = f->specify[1];
        res[6] = f->sc_eot;
        res[7] = (uint8_t)(f->lock << 7 | (f->perpendicular & 0x3F));
        res[8] = f->config;
        res[9] = f->pretrk;
        to_result_phase(f, res, 10, 0);
        break;
    case 0x10:
        res[0] = 0x90;          /* enhanced controller */
        to_result_phase(f, res, 1, 0);
        break;
    case 0x12:
        if (c[1] & 0x80)        /* OW: the drive bits are written too */
            f->perpendicular = c[1] & 0x3F;
        else
            f->perpendicular = (uint8_t)((f->perpendicular & 0x3C) | (c[1] & 0x03));
        to_command_phase(f);
        break;
    case 0x13:
        f->config = c[2] & 0x7F;
        f->pretrk = c[3];
        to_command_phase(f);
        break;
    case 0x14:
        f->lock = c[0] >> 7;
        res[0] = (uint8_t)(f->lock << 4);
        to_result_phase(f, res, 1, 0);
        break;
    default:
        invalid_command(f);
        break;
    }
}

static void fifo_write(struct fdc82077 *f, uint8_t v)
{
    if (f->phase == PH_EXEC && f->pio_len && (is_write(f) || f->op == 0x0D)) {
        pio_write(f, v);
        return;
    }
    if (f->phase != PH_COMMAND) {
        log_once(f, LOG_FIFO, "FIFO written outside the command phase (ignored)");
        return;
    }
    if (f->cmd_pos == 0) {
        f->cmd_len = (uint8_t)command_length(v);
        if (f->cmd_len == 0) {
            log_once(f, LOG_CMD, "command %#04x is not implemented (answered as invalid)", v);
            invalid_command(f);
            return;
        }
    }
    f->cmd[f->cmd_pos++] = v;
    if (f->cmd_pos == f->cmd_len)
        execute(f);
}

static uint8_t fifo_read(struct fdc82077 *f)
{
    if (f->phase == PH_EXEC && f->pio_len && !is_write(f) && f->op != 0x0D)
        return pio_read(f);
    if (f->phase != PH_RESULT) {
        log_once(f, LOG_FIFO, "FIFO read outside the result phase");
        return 0xFF;
    }
    uint8_t v = f->res[f->res_pos++];
    if (f->res_pos == 1)
        set_intr(f, 0);         /* reading the result acknowledges the interrupt */
    if (f->res_pos >= f->res_len) {
        to_command_phase(f);
        if (f->seek_pending && !f->reset_polls)
            set_intr(f, 1);     /* another drive's seek ended meanwhile */
    }
    return v;
}

static uint8_t main_status(const struct fdc82077 *f)
{
    uint8_t busy = f->seek_busy;
    switch (f->phase) {
    case PH_COMMAND: return (uint8_t)(MSR_RQM | (f->cmd_pos ? MSR_CB : 0) | busy);
    case PH_RESULT: return (uint8_t)(MSR_RQM | MSR_DIO | MSR_CB | busy);
    case PH_EXEC:
        if (f->pio_len)
            return (uint8_t)(MSR_RQM | MSR_NDM | MSR_CB | (is_write(f) || f->op == 0x0D ? 0 : MSR_DIO) | busy);
        return (uint8_t)(MSR_CB | (non_dma(f) ? MSR_NDM : 0) | busy);
    default: return 0;
    }
}

/* ---- Ports. */
static uint32_t fdc_read(void *opaque, uint16_t port, int size)
{
    struct fdc82077 *f = opaque;
    (void)size;
    switch (port & 7) {
    case 2: return f->dor;
    case 3: return 0xFC | f->tdr;
    case 4: return main_status(f);
    case 5: return fifo_read(f);
    case 7: {
        const struct fdc_drive *d = &f->drive[f->dor & 3];
        return 0x7Fu | (d->cmos_type && d->dskchg ? 0x80u : 0);
    }
    default: return 0xFF;       /* SRA/SRB exist only in PS/2 modes */
    }
}

static void fdc_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct fdc82077 *f = opaque;
    uint8_t v = (uint8_t)value;
    (void)size;
    switch (port & 7) {
    case 2: {
        uint8_t old = f->dor;
        f->dor = v;
        if (!(v & DOR_NRESET) && (old & DOR_NRESET))
            controller_reset(f, 0);
        else if ((v & DOR_NRESET) && (f->phase == PH_RESET))
            reset_release(f);
        update_irq(f);
        break;
    }
    case 3: f->tdr = v & 3; break;
    case 4:
        f->dsr = v & 0x7F;
        if ((v & 0x80) && (f->dor & DOR_NRESET)) {     /* self-clearing software reset */
            controller_reset(f, 0);
            reset_release(f);
        }
        break;
    case 5: fifo_write(f, v); break;
    case 7: f->dsr = (uint8_t)((f->dsr & ~3u) | (v & 3)); break;     /* CCR */
    default: break;
    }
}

/* ---- Media and device hooks. */
struct floppy_format {
    uint32_t bytes;
    uint8_t cmos_type, cyls, heads, spt, rate;
};
static const struct floppy_format formats[] = {
    { 737280, 3, 80, 2, 9, 2 },     /* 720 KB, 250 kb/s */
    { 1228800, 2, 80, 2, 15, 0 },   /* 1.2 MB, 500 kb/s */
    { 1474560, 4, 80, 2, 18, 0 },   /* 1.44 MB, 500 kb/s */
    { 2949120, 5, 80, 2, 36, 3 },   /* 2.88 MB, 1 Mb/s */
};

int fdc_insert(struct fdc82077 *f, int drive, struct disk_image *img, char *why, size_t whylen)
{
    if (drive < 0 || drive > 1) {
        snprintf(why, whylen, "no floppy drive %d", drive);
        return -1;
    }
    struct fdc_drive *d = &f->drive[drive];
    if (img) {
        const struct floppy_format *fmt = NULL;
        for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
            if (img->file_bytes == formats[i].bytes && img->sector_size == 512)
                fmt = &formats[i];
        if (!fmt) {
            snprintf(why, whylen,
                     "%s: %llu bytes is not a floppy image size (720 KB, 1.2 MB, 1.44 MB or 2.88 MB)",
                     img->path, (unsigned long long)img->file_bytes);
            return -1;
        }
        if (!d->cmos_type)
            d->cmos_type = fmt->cmos_type;
        d->cyls = fmt->cyls, d->heads = fmt->heads, d->spt = fmt->spt, d->rate = fmt->rate;
    }
    d->img = img;
    d->dskchg = 1;
    return 0;
}

/* Power-on.  The chip itself comes up with DOR = 00h, held in reset; PC
 * firmware enables it (DOR = 0Ch) early in POST, and SeaBIOS relies on
 * finding it that way (as QEMU presents it): its first floppy access only
 * sets nRESET if it was clear, keeping DMAGATE as found.  So the machine
 * starts with the controller running, idle, and no reset interrupt. */
static void fdc_reset(void *opaque)
{
    struct fdc82077 *f = opaque;
    controller_reset(f, 1);
    f->dor = DOR_NRESET | DOR_DMAGATE;
    to_command_phase(f);
    for (int u = 0; u < 4; u++)
        f->drive[u].dskchg = f->drive[u].cmos_type != 0;    /* the latch is set at power-on */
}

/* The byte-sized registers, in the order the state format keeps them. */
static int byte_fields(struct fdc82077 *f, uint8_t **p)
{
    uint8_t *list[] = { &f->dor, &f->tdr, &f->dsr, &f->phase, &f->cmd_len, &f->cmd_pos, &f->res_len, &f->res_pos,
                        &f->intr, &f->seek_pending, &f->seek_busy, &f->reset_polls, &f->specify[0], &f->specify[1],
                        &f->config, &f->pretrk, &f->lock, &f->perpendicular, &f->sc_eot, &f->action, &f->op,
                        &f->flags, &f->unit, &f->head, &f->c, &f->h, &f->r, &f->n, &f->eot, &f->fill, &f->st0,
                        &f->st1, &f->st2, &f->formatted };
    int n = (int)(sizeof(list) / sizeof(list[0]));
    for (int i = 0; i < n; i++)
        p[i] = list[i];
    return n;
}
#define BYTE_FIELDS 34

static struct timer *timer_at(struct fdc82077 *f, int i) { return i == 0 ? &f->cmd_timer : &f->seek_timer[i - 1]; }

static void fdc_save(void *opaque, struct state_writer *w)
{
    struct fdc82077 *f = opaque;
    uint8_t *p[BYTE_FIELDS];
    int n = byte_fields(f, p);
    for (int i = 0; i < n; i++)
        state_put_u8(w, *p[i]);
    state_put_bytes(w, f->cmd, sizeof(f->cmd));
    state_put_bytes(w, f->res, sizeof(f->res));
    state_put_bytes(w, f->pcn, sizeof(f->pcn));
    state_put_bytes(w, f->seek_st0, sizeof(f->seek_st0));
    for (int u = 0; u < 4; u++) {
        state_put_u8(w, f->drive[u].track);
        state_put_u8(w, f->drive[u].dskchg);
    }
    state_put_u16(w, f->pio_pos);
    state_put_u16(w, f->pio_len);
    state_put_bytes(w, f->buf, sizeof(f->buf));
    for (int i = 0; i < 5; i++) {
        state_put_u8(w, (uint8_t)timer_armed(timer_at(f, i)));
        state_put_u64(w, timer_at(f, i)->when);
    }
}

static int fdc_load(void *opaque, struct state_reader *r, uint32_t version)
{
    struct fdc82077 *f = opaque;
    uint8_t b[BYTE_FIELDS], *p[BYTE_FIELDS];
    state_get_bytes(r, b, sizeof(b));
    if (version != FDC_STATE_VERSION || r->error || b[3] > PH_RESULT || b[4] > 9 || b[5] > b[4] || b[6] > 10 ||
        b[7] > b[6] || b[11] > 4 || b[19] > A_FAIL || b[22] > 3 || b[23] > 1)
        return -1;
    int n = byte_fields(f, p);
    for (int i = 0; i < n; i++)
        *p[i] = b[i];
    state_get_bytes(r, f->cmd, sizeof(f->cmd));
    state_get_bytes(r, f->res, sizeof(f->res));
    state_get_bytes(r, f->pcn, sizeof(f->pcn));
    state_get_bytes(r, f->seek_st0, sizeof(f->seek_st0));
    for (int u = 0; u < 4; u++) {
        f->drive[u].track = state_get_u8(r);
        f->drive[u].dskchg = state_get_u8(r);
        if (f->drive[u].track > MAX_TRACK)
            return -1;
    }
    f->pio_pos = state_get_u16(r);
    f->pio_len = state_get_u16(r);
    if (f->pio_len > sizeof(f->buf) || f->pio_pos > f->pio_len)
        return -1;
    state_get_bytes(r, f->buf, sizeof(f->buf));
    for (int i = 0; i < 5; i++) {
        uint8_t armed = state_get_u8(r);
        uint64_t when = state_get_u64(r);
        if (armed)
            timer_arm(f->clock, timer_at(f, i), when);
        else
            timer_cancel(f->clock, timer_at(f, i));
    }
    update_irq(f);
    return r->error ? -1 : 0;
}

void fdc_dump(struct fdc82077 *f, FILE *out)
{
    static const char *const phases[] = { "reset", "command", "execution", "result" };
    fprintf(out, "82077AA FDC: DOR %02x MSR %02x rate %u, %s phase, INT %d, SRT/HUT %02x HLT/ND %02x, config %02x%s\n",
            f->dor, main_status(f), f->dsr & 3, phases[f->phase & 3], f->intr, f->specify[0], f->specify[1],
            f->config, f->lock ? " (locked)" : "");
    for (int u = 0; u < 2; u++) {
        const struct fdc_drive *d = &f->drive[u];
        if (!d->cmos_type)
            continue;
        fprintf(out, " drive %d: type %u, %s, head on track %u (PCN %u)%s%s\n", u, d->cmos_type,
                d->img ? "diskette in" : "empty", d->track, f->pcn[u], d->dskchg ? ", disk changed" : "",
                d->img && d->img->read_only ? ", write-protected" : "");
    }
}

static void dump_hook(void *opaque, FILE *out) { fdc_dump(opaque, out); }

static const struct device_ops fdc_ops = {
    "fdc", FDC_STATE_VERSION, fdc_reset, fdc_save, fdc_load, dump_hook,
};

int fdc_init(struct fdc82077 *f, struct portio *io, struct clock *clock, struct device_registry *reg,
             fdc_dma_fn dma, void *dma_opaque)
{
    memset(f, 0, sizeof(*f));
    f->clock = clock;
    f->dma = dma;
    f->dma_opaque = dma_opaque;
    timer_init(&f->cmd_timer, "fdc", cmd_timer_fired, f);
    timer_init(&f->seek_timer[0], "fdc-seek0", seek_timer_0, f);
    timer_init(&f->seek_timer[1], "fdc-seek1", seek_timer_1, f);
    timer_init(&f->seek_timer[2], "fdc-seek2", seek_timer_2, f);
    timer_init(&f->seek_timer[3], "fdc-seek3", seek_timer_3, f);
    fdc_reset(f);
    if (portio_register(io, 0x3F0, 6, PORTIO_SIZE_8, fdc_read, fdc_write, f, "fdc") != 0 ||
        portio_register(io, 0x3F7, 1, PORTIO_SIZE_8, fdc_read, fdc_write, f, "fdc-dir") != 0)
        return -1;
    return device_register(reg, &fdc_ops, f);
}
