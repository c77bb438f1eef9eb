/*
 * The Intel 82077AA floppy disk controller in PC-AT mode (Intel 82077AA
 * CHMOS Single-Chip Floppy Disk Controller datasheet; section and table
 * numbers below refer to it), with two 3.5"/5.25" drives.
 *
 *   0x3F0/0x3F1  SRA/SRB: PS/2 mode only; float in AT mode
 *   0x3F2        DOR  digital output: drive select, nRESET, DMAGATE, motors
 *   0x3F3        TDR  tape drive register (bits 1-0)
 *   0x3F4        MSR (read) main status / DSR (write) data rate select
 *   0x3F5        FIFO: command, parameter, result and non-DMA data bytes
 *   0x3F7        DIR (read) bit 7 = disk change / CCR (write) data rate
 * Port 0x3F6 belongs to the IDE controller.  INT reaches IRQ6 and DRQ the
 * DMA controller's channel 2 only while DOR's DMAGATE bit is set (AT
 * mode).
 *
 * Commands (section 5, table 5-1): SPECIFY, SENSE DRIVE STATUS, RECALIBRATE,
 * SEEK, RELATIVE SEEK, SENSE INTERRUPT STATUS, READ DATA, READ DELETED
 * DATA, WRITE DATA, WRITE DELETED DATA, VERIFY, READ ID, FORMAT TRACK,
 * VERSION, CONFIGURE, LOCK/UNLOCK, DUMPREG, PERPENDICULAR MODE.  READ TRACK
 * and the SCAN commands are answered as invalid (ST0 = 80h).  Data moves
 * by DMA through the board's callback, or through the FIFO when SPECIFY
 * chose non-DMA mode.
 *
 * Media: raw images of 720 KB, 1.2 MB, 1.44 MB or 2.88 MB; the geometry
 * and the data rate the medium needs (250 kb/s, 500 kb/s, 500 kb/s,
 * 1 Mb/s) come from the image size.  A command at another data rate finds
 * no address marks, which is how BIOSes sense the medium.  A read-only
 * image is a write-protected diskette.  A drive without a diskette (or
 * with its motor off) has no index pulses, so a read, write, READ ID or
 * FORMAT on it waits until the host resets the controller, as on real
 * hardware (the datasheet's programming guidelines, 8.1).
 *
 * Timing is on the cycle clock: steps at the SPECIFY step rate, then the
 * FDC_*_NS delays below per sector.  They are those of a quick drive, not
 * a 300 rpm one, so booting from a floppy does not take half a minute.
 *
 * Board wiring:
 *   fdc_init(fdc, io, clock, registry, dma_fn, dma_opaque)
 *   irq_connect(&fdc->irq, ...6)
 *   fdc_insert(fdc, drive, image, why, whylen)   image may be NULL (eject)
 * fdc->drive[n].cmos_type is the CMOS drive type (4 = 1.44 MB) for the
 * board's CMOS byte 10h, 0 for no drive.
 */
#ifndef TRAPEZE_PERIPHERALS_FDC82077_H
#define TRAPEZE_PERIPHERALS_FDC82077_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bus/clock.h"
#include "bus/device.h"
#include "bus/irq.h"
#include "bus/portio.h"
#include "peripherals/disk_image.h"

#define FDC_STATE_VERSION 1
#define FDC_DMA_CHANNEL 2

#define FDC_CMD_NS 200000u          /* head load and settle before the first sector */
#define FDC_SECTOR_NS 1000000u      /* one 512-byte sector under the head */
#define FDC_NOT_FOUND_NS 400000000u /* two index pulses (two revolutions) without the sector */
#define FDC_RESET_NS 100000u        /* reset released -> polling interrupt */

/* Moves up to `len` bytes between `buf` and guest memory on DMA `channel`
 * (to_memory = 1 for a read from the diskette) and returns how many moved;
 * sets *terminal_count when the DMA controller reached terminal count
 * (TC) during this transfer.  With dma8237.c the board wraps dma_transfer()
 * and dma_terminal_count(). */
typedef int (*fdc_dma_fn)(void *opaque, int channel, void *buf, int len, int to_memory, int *terminal_count);

struct fdc_drive {
    struct disk_image *img;     /* NULL: no diskette */
    uint8_t cmos_type;          /* drive type: 2 1.2M, 3 720K, 4 1.44M, 5 2.88M; 0 none */
    uint8_t cyls, heads, spt;   /* the medium's geometry */
    uint8_t rate;               /* data rate code the medium needs (DSR bits 1-0) */
    uint8_t track;              /* where the head is */
    uint8_t dskchg;             /* the drive's disk change latch */
};

struct fdc82077 {
    struct clock *clock;
    struct irq_line irq;        /* IRQ6: the board connects it */
    fdc_dma_fn dma;
    void *dma_opaque;
    struct fdc_drive drive[4];  /* 2 and 3 are never connected */
    struct timer cmd_timer, seek_timer[4];
    /* Registers. */
    uint8_t dor, tdr, dsr;      /* DSR bits 1-0 are also the CCR data rate */
    uint8_t phase;
    uint8_t cmd[9], cmd_len, cmd_pos;
    uint8_t res[10], res_len, res_pos;
    uint8_t intr;               /* the INT pin before DMAGATE */
    uint8_t pcn[4];             /* present cylinder numbers */
    uint8_t seek_st0[4], seek_pending, seek_busy;
    uint8_t reset_polls;        /* polling statuses still to report after a reset */
    uint8_t specify[2];         /* SRT|HUT, HLT|ND */
    uint8_t config;             /* 0 EIS EFIFO POLL FIFOTHR */
    uint8_t pretrk, lock, perpendicular, sc_eot;
    /* The data command in progress. */
    uint8_t action, op, flags;  /* timer step; opcode bits 4-0; MT/MFM/SK bits */
    uint8_t unit, head, c, h, r, n, eot, fill;
    uint8_t st0, st1, st2;
    uint8_t formatted;          /* FORMAT TRACK: IDs taken so far */
    uint16_t pio_pos, pio_len;  /* non-DMA execution phase */
    uint8_t buf[512];
    uint32_t logged;
};

/* Registers ports 0x3F0-0x3F5 and 0x3F7 and the device "fdc".  Returns 0 or -1. */
int fdc_init(struct fdc82077 *f, struct portio *io, struct clock *clock, struct device_registry *reg,
             fdc_dma_fn dma, void *dma_opaque);
/* Inserts a diskette image in drive 0 or 1 (the drive comes into existence
 * with the type of its first diskette), or ejects with img = NULL.  Either
 * sets the drive's disk change line.  Returns 0, or -1 with a reason for
 * an image whose size is not one of the four formats. */
int fdc_insert(struct fdc82077 *f, int drive, struct disk_image *img, char *why, size_t whylen);
void fdc_dump(struct fdc82077 *f, FILE *out);

#endif
