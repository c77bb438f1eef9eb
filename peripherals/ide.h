/*
 * The PIIX3 IDE function (PCI 8086:7010, class 01h/01h, prog-if 80h) with
 * two ATA channels of two devices each: ATA hard disks on raw images and
 * ATAPI CD-ROM drives on ISO images.
 *
 * Channels are in legacy ("compatibility") mode, as the PIIX3 hard-wires
 * them: primary at 0x1F0-0x1F7 + 0x3F6 on IRQ14, secondary at 0x170-0x177
 * + 0x376 on IRQ15.  Port 0x3F7/0x377 (the old drive address register) is
 * not decoded: the floppy controller owns 0x3F7.  Each channel decodes only
 * while its IDETIM register (config 40h/42h) has bit 15 "IDE Decode Enable"
 * set; the PIIX3 resets it to 0 and firmware (SeaBIOS piix_ide_setup)
 * turns it on.  BAR4 (config 20h) holds the 16-byte bus-master block:
 * command, status and PRD table pointer for each channel (PIIX3 datasheet,
 * "Bus Master IDE I/O Registers").
 *
 * Devices follow ATA/ATAPI-6 (T13/1410D) for the ATA command set, the
 * register protocols (PIO data-in/out, DMA, PACKET with the byte-count
 * limit, non-data) and the signatures, and MMC-3 for the CD-ROM commands.
 * Nothing completes instantly: a command sets BSY, and the drive finishes
 * its step on the cycle clock (IDE_*_NS below) before DRQ or the interrupt.
 *
 * Board wiring:
 *   ide_init(ide, pci_bus, devfn, io, physmem, clock, registry)
 *   irq_connect(&ide->ch[0].irq, ...14);  irq_connect(&ide->ch[1].irq, ...15);
 *   ide_attach_disk(ide, channel, unit, image)    image: 512-byte sectors
 *   ide_attach_cdrom(ide, channel, unit, image)   image: 2048-byte sectors or NULL
 * Images stay owned by the caller and must outlive their use.  Attach
 * drives before the machine's first reset; ide_cdrom_change() swaps CD
 * media at run time.
 */
#ifndef TRAPEZE_PERIPHERALS_IDE_H
#define TRAPEZE_PERIPHERALS_IDE_H

#include <stdint.h>
#include <stdio.h>

#include "bus/clock.h"
#include "bus/device.h"
#include "bus/irq.h"
#include "bus/pci.h"
#include "bus/portio.h"
#include "memory/physmem.h"
#include "peripherals/disk_image.h"

#define IDE_PCI_VENDOR 0x8086
#define IDE_PCI_DEVICE 0x7010
#define IDE_STATE_VERSION 1

#define IDE_SECTOR 512u
#define IDE_CD_SECTOR 2048u
#define IDE_BUF_SIZE (16u * IDE_CD_SECTOR)  /* 16 CD sectors or 64 disk sectors */
#define IDE_MAX_MULTIPLE 16                 /* READ/WRITE MULTIPLE block limit */

/* Drive timing (nanoseconds of emulated time). */
#define IDE_CMD_NS 20000u       /* command accepted -> first data or completion */
#define IDE_SECTOR_NS 4000u     /* per 512-byte sector moved to or from the media */
#define IDE_DRQ_NS 2000u        /* ready for the next PIO block or the CDB */
#define IDE_RESET_NS 1000000u   /* SRST released -> devices ready */

enum ide_kind { IDE_NONE, IDE_DISK, IDE_CDROM };

struct ide_drive {
    uint8_t kind;                   /* enum ide_kind */
    struct disk_image *img;         /* disk image, or the CD medium (NULL: none) */
    /* The task file as this device latched it.  Both devices latch every
     * register write; reads come from the selected device. */
    uint8_t feature, nsector, lbal, lbam, lbah;
    uint8_t hob_feature, hob_nsector, hob_lbal, hob_lbam, hob_lbah;
    uint8_t select, status, error;
    uint8_t intrq;                  /* interrupt pending (INTRQ asserted when selected) */
    /* ATA disks */
    uint64_t total;                 /* sectors */
    uint16_t cyls, heads, spt;      /* default translation, IDENTIFY words 1/3/6 */
    uint16_t cur_cyls, cur_heads, cur_spt;  /* INITIALIZE DEVICE PARAMETERS */
    uint8_t multiple;               /* sectors per READ/WRITE MULTIPLE block, 0 = off */
    uint8_t xfer_mode;              /* SET FEATURES 03h value last accepted */
    uint8_t write_cache, look_ahead;
    uint8_t power;                  /* CHECK POWER MODE answer: FFh active, 80h idle, 00h standby */
    /* ATAPI */
    uint8_t sense_key, asc, ascq;
    uint8_t ua_asc;                 /* pending UNIT ATTENTION's ASC, 0 = none */
    uint8_t media_event;            /* GET EVENT STATUS media event code, 0 = none */
    uint8_t tray_open, locked;
    char model[41], serial[21], firmware[9];
};

struct ide_controller;

struct ide_channel {
    struct ide_controller *ctl;
    int index;
    struct ide_drive drive[2];
    uint8_t devctl;                 /* device control: nIEN, SRST, HOB */
    struct irq_line irq;            /* IRQ14 / IRQ15: the board connects it */
    struct timer timer;
    uint8_t action;                 /* what the timer does when it fires */
    /* The command in progress. */
    uint8_t active;                 /* the device executing it */
    uint8_t cmd, phase;
    uint8_t lba48, is_write, dma, chs;
    uint64_t lba;                   /* next sector between media and buffer */
    uint32_t sectors_left;          /* sectors not yet moved between media and buffer */
    uint32_t block_sectors;         /* ATA PIO: sectors per DRQ block */
    uint32_t byte_limit;            /* ATAPI PIO byte count limit */
    uint32_t bytes_left;            /* ATAPI: bytes still to reach the host */
    uint32_t buf_len, buf_pos;      /* valid bytes in buf, next byte for the host */
    uint32_t block_end;             /* PIO: end of the current DRQ block in buf */
    uint8_t cdb[12];
    uint8_t pending_error;          /* error register for a delayed failure */
    /* Bus master (PIIX3 BMICx / BMISx / BMIDTPx). */
    uint8_t bm_cmd, bm_status;
    uint32_t bm_prd;
    uint32_t prd_next, prd_addr, prd_left, prd_fetched;
    uint8_t prd_eot;
    uint8_t buf[IDE_BUF_SIZE + 4];
};

struct ide_controller {
    struct pci_function pci;
    struct pci_bus *bus;
    struct ide_channel ch[2];
    struct portio *io;
    struct physmem *pm;
    struct clock *clock;
    uint32_t bm_base;               /* where BAR4 decodes, or PCI_BAR_UNMAPPED */
    int bm_registrations;           /* port handler ranges taken for BAR4 */
    uint32_t logged;                /* one-time messages already printed */
};

/* Registers the function on the PCI bus at `devfn` (the PIIX3 is function
 * 1 of its device: devfn = dev << 3 | 1), claims the legacy ports and the
 * device registry entry "piix3-ide".  Returns 0 or -1. */
int ide_init(struct ide_controller *ide, struct pci_bus *bus, uint8_t devfn, struct portio *io,
             struct physmem *pm, struct clock *clock, struct device_registry *reg);

/* Attach drives.  Return 0, or -1 with a reason in `why` (slot taken, bad
 * slot, image with the wrong sector size). */
int ide_attach_disk(struct ide_controller *ide, int channel, int unit, struct disk_image *img, char *why,
                    size_t whylen);
int ide_attach_cdrom(struct ide_controller *ide, int channel, int unit, struct disk_image *img, char *why,
                     size_t whylen);

/* Insert (img != NULL) or remove (img == NULL) CD media.  The guest sees
 * a UNIT ATTENTION (6/28/00) and a media event.  While the guest holds the
 * tray locked (PREVENT ALLOW MEDIUM REMOVAL) the change is refused with -1
 * and an "eject request" event is queued for the guest, unless `force`.
 * The old image, if any, is no longer used after the call. */
int ide_cdrom_change(struct ide_controller *ide, int channel, int unit, struct disk_image *img, int force);

void ide_dump(struct ide_controller *ide, FILE *out);

#endif
