/*
 * Internals shared by the IDE channel core (ide.c), the ATA command set
 * (ide_ata.c) and the ATAPI packet commands (ide_atapi.c).
 */
#ifndef TRAPEZE_PERIPHERALS_IDE_INTERNAL_H
#define TRAPEZE_PERIPHERALS_IDE_INTERNAL_H

#include "peripherals/ide.h"

/* Status register (ATA/ATAPI-6). */
#define ST_ERR 0x01u
#define ST_DRQ 0x08u
#define ST_DSC 0x10u    /* seek complete (obsolete, set by disks); SERV on ATAPI */
#define ST_DF 0x20u
#define ST_DRDY 0x40u
#define ST_BSY 0x80u

/* Error register. */
#define ER_AMNF 0x01u
#define ER_ABRT 0x04u
#define ER_IDNF 0x10u
#define ER_UNC 0x40u

/* Device control register. */
#define DC_NIEN 0x02u
#define DC_SRST 0x04u
#define DC_HOB 0x80u

/* Device register. */
#define DEV_DEV 0x10u
#define DEV_LBA 0x40u

/* ATAPI interrupt reason (sector count register). */
#define IR_COD 0x01u
#define IR_IO 0x02u

/* Bus master registers. */
#define BM_CMD_START 0x01u
#define BM_CMD_WRITE 0x08u      /* 1: the bus master writes memory (device -> host) */
#define BM_ST_ACTIVE 0x01u
#define BM_ST_ERROR 0x02u
#define BM_ST_IRQ 0x04u
#define BM_ST_CAPS 0x60u

enum ide_phase {
    PH_IDLE,
    PH_BUSY,        /* a timer step is pending */
    PH_PIO_IN,      /* DRQ: the host reads buf up to block_end */
    PH_PIO_OUT,     /* DRQ: the host fills buf up to buf_len */
    PH_PACKET,      /* DRQ: the host writes the 12-byte CDB */
    PH_DMA,         /* the device transfers through the bus master */
    PH_COUNT
};

enum ide_action {
    ACT_NONE,
    ACT_COMPLETE,       /* non-data command ends (pending_error if set) */
    ACT_READ_BLOCK,     /* ATA PIO in: the next block is read from the media */
    ACT_WRITE_READY,    /* ATA PIO out: DRQ for the first block */
    ACT_WRITE_BLOCK,    /* ATA PIO out: the block written is committed */
    ACT_DMA,            /* the bus master moves the data */
    ACT_PACKET_READY,   /* DRQ for the CDB */
    ACT_PACKET_EXEC,    /* the CDB is executed */
    ACT_ATAPI_BLOCK,    /* the next ATAPI PIO block is offered */
    ACT_ATAPI_DONE,     /* ATAPI status phase */
    ACT_RESET_DONE,     /* SRST finished */
    ACT_DEVICE_RESET,   /* ATAPI DEVICE RESET finished */
    ACT_DIAG_DONE,      /* EXECUTE DEVICE DIAGNOSTIC finished */
    ACT_COUNT
};

/* One-time log messages (bits of ide_controller.logged). */
enum {
    LOG_BM_WINDOW = 1u << 0,
    LOG_PRD_LOOP = 1u << 1,
    LOG_DMA_DIR = 1u << 2,
    LOG_DATA_IDLE = 1u << 3,
    LOG_UNKNOWN_CMD = 1u << 4,
    LOG_UNKNOWN_CDB = 1u << 5,
    LOG_BM_CONFLICT = 1u << 6,
};
void ide_log_once(struct ide_controller *ide, uint32_t bit, const char *fmt, ...);

static inline struct ide_drive *ide_active(struct ide_channel *ch) { return &ch->drive[ch->active]; }

/* Core services (ide.c). */
void ide_busy(struct ide_channel *ch, enum ide_action act, uint64_t ns);
void ide_raise(struct ide_channel *ch, struct ide_drive *d);
void ide_finish(struct ide_channel *ch, struct ide_drive *d);       /* DRDY|DSC, IRQ */
void ide_fail(struct ide_channel *ch, struct ide_drive *d, uint8_t error);  /* ERR, IRQ */

/* Bus master (ide_busmaster.c). */
void ide_start_dma(struct ide_channel *ch);
void ide_dma_run(struct ide_channel *ch);
void ide_bm_bar_mapped(void *opaque, int bar, uint32_t addr);
void ide_bm_config_written(void *opaque, int reg, uint32_t value, int size);
#define IDE_PRD_MAX_ENTRIES 8192    /* a PRD table may not cross a 64 KiB boundary */
void ide_set_signature(struct ide_drive *d);
void ide_put_string(uint16_t *words, int first, int nwords, const char *s);
void ide_identify_checksum(uint16_t *id);
void ide_id_to_buf(struct ide_channel *ch, const uint16_t *id);
void ide_pio_in(struct ide_channel *ch, uint32_t len);

/* ATA command set (ide_ata.c). */
void ide_ata_command(struct ide_channel *ch, struct ide_drive *d, uint8_t cmd);
void ide_ata_timer(struct ide_channel *ch, enum ide_action act);
void ide_ata_block_read(struct ide_channel *ch);   /* host read the last word of a block */
void ide_ata_block_written(struct ide_channel *ch);
int ide_ata_dma_fill(struct ide_channel *ch);      /* 1 data, 0 end, -1 failed (done) */
int ide_ata_dma_drain(struct ide_channel *ch);     /* 0 ok, -1 failed (done) */
void ide_ata_dma_done(struct ide_channel *ch);
void ide_disk_geometry(uint64_t total, uint16_t *c, uint16_t *h, uint16_t *s);

/* ATAPI (ide_atapi.c). */
void ide_atapi_command(struct ide_channel *ch, struct ide_drive *d, uint8_t cmd);
void ide_atapi_timer(struct ide_channel *ch, enum ide_action act);
void ide_atapi_block_read(struct ide_channel *ch);
int ide_atapi_dma_fill(struct ide_channel *ch);
void ide_atapi_dma_done(struct ide_channel *ch);
void ide_atapi_power_on(struct ide_drive *d);

#endif
