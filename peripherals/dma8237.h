/*
 * The PC/AT's two Intel 8237A DMA controllers and the page registers.
 *
 *   DMA1  ports 0x00-0x0F: 8-bit channels 0-3 (byte addresses and counts)
 *   DMA2  ports 0xC0-0xDE, even addresses: 16-bit channels 4-7 (word
 *         addresses and counts; channel 4 cascades DMA1 and must be in
 *         cascade mode and unmasked for channels 0-3 to get the bus)
 *   page  ports 0x80-0x8F: address bits 23-16 per channel (0x87 0x83 0x81
 *         0x82 for channels 0-3, 0x8B 0x89 0x8A for 5-7); the others are
 *         plain storage.  Port 0x80 is where firmware writes its POST codes:
 *         dma_post_code() returns the last one, `post_hook` sees each.
 *
 * Per controller: address and count registers through the byte-pointer
 * flip-flop, command, mode, request, single and all-mask registers, status
 * (terminal count bits cleared on read, request bits), master clear and
 * auto-initialisation, following the Intel 8237A datasheet.
 *
 * The device side: a DMA-using device (the floppy controller) calls
 * dma_transfer() with its data; the controller moves it between the device
 * and guest memory through physmem's bounds-checked copies, in the direction
 * and with the addressing the guest programmed, advancing the current
 * address and count, and stops at terminal count.  An 8-bit channel's
 * address wraps within its 64 KiB page, a 16-bit channel's within its
 * 128 KiB block: the page register does not count.
 */
#ifndef TRAPEZE_PERIPHERALS_DMA8237_H
#define TRAPEZE_PERIPHERALS_DMA8237_H

#include <stdint.h>
#include <stdio.h>

#include "bus/device.h"
#include "bus/portio.h"
#include "memory/physmem.h"

#define DMA_STATE_VERSION 1u

struct dma_channel {
    uint16_t base_addr, base_count;     /* reloaded by auto-initialisation */
    uint16_t cur_addr, cur_count;
    uint8_t mode;                       /* mode register as written */
};

struct dma_controller {
    struct dma_channel ch[4];
    uint8_t command;
    uint8_t status;         /* bits 0-3 terminal count reached, 4-7 requests */
    uint8_t request;        /* software requests (request register) */
    uint8_t dreq;           /* hardware DREQ lines */
    uint8_t mask;           /* bits 0-3 */
    uint8_t temp;
    uint8_t flipflop;       /* byte pointer: 1 = high byte next */
};

struct dma8237 {
    struct physmem *mem;
    struct dma_controller ctl[2];   /* [0] channels 0-3, [1] channels 4-7 */
    uint8_t page[16];               /* ports 0x80-0x8F */
    uint8_t tc[8];                  /* device side: the last transfer hit terminal count */
    void (*post_hook)(void *opaque, uint8_t code);
    void *post_opaque;
    uint32_t warned;
};

/* Registers 0x00-0x0F, 0x80-0x8F, 0xC0-0xDF and the device "dma".  DMA
 * reaches guest memory only through `mem`.  Returns 0 or -1. */
int dma_init(struct dma8237 *d, struct physmem *mem, struct portio *io, struct device_registry *reg);

/* Move up to `len` bytes between the device's `buf` and guest memory on
 * `channel` (0-7): to_memory = 1 for a device that produces data (a disk
 * read), 0 for one that consumes it.  Returns the bytes moved, 0 when the
 * channel cannot run (masked, controller disabled, cascade mode, or DMA1
 * not granted the bus through channel 4).  The memory side follows the
 * channel's programmed transfer type: a verify moves no memory, and a
 * direction that disagrees with the device's moves nothing either (the
 * device side then reads 0xFF).  16-bit channels move whole words. */
int dma_transfer(struct dma8237 *d, int channel, void *buf, int len, int to_memory);
/* Whether the last dma_transfer on `channel` ended at terminal count (the
 * TC line a device such as the floppy controller watches). */
int dma_terminal_count(const struct dma8237 *d, int channel);
/* Whether `channel` would transfer now. */
int dma_channel_ready(const struct dma8237 *d, int channel);
/* DREQ line of `channel`, as a device drives it; shows in the status
 * register's request bits. */
void dma_request(struct dma8237 *d, int channel, int level);
/* The last byte written to port 0x80. */
uint8_t dma_post_code(const struct dma8237 *d);

uint8_t dma_read(struct dma8237 *d, uint16_t port);
void dma_write(struct dma8237 *d, uint16_t port, uint8_t value);

extern const struct device_ops dma_ops;

#endif
