/*
 * The firmware configuration device ("fw_cfg") of QEMU's PC machines.
 *
 * It is how a virtual board hands configuration to its firmware: a list of
 * items (byte strings), each under a 16-bit key, some also named in a file
 * directory.  SeaBIOS built for QEMU finds it at I/O ports 0x510-0x51B and
 * reads the RAM layout, the CPU count, the boot order and option ROMs from
 * it; a direct kernel boot passes the kernel, initrd and command line
 * through it.  Interface as in QEMU's docs/specs/fw_cfg.rst:
 *
 *   0x510  selector, 16-bit write: selects an item, data offset back to 0.
 *   0x511  data, 8-bit read: the next byte of the item; past its end 0x00.
 *   0x514  DMA address, 64-bit big-endian register as two 32-bit halves,
 *          high half at 0x514, low half at 0x518.  Writing the low half
 *          starts a transfer described by a FWCfgDmaAccess structure in
 *          guest RAM (big-endian control, length, address); reading the
 *          register gives "QEMU CFG".
 *
 * Keys with bit 15 set are architecture-specific; bit 14 (the old write
 * flag) is ignored when items are looked up.  The items are configuration
 * the board adds before the machine starts; only the guest-visible cursor
 * (selector, offset, half-written DMA address) is device state.
 */
#ifndef TRAPEZE_PERIPHERALS_FW_CFG_H
#define TRAPEZE_PERIPHERALS_FW_CFG_H

#include <stddef.h>
#include <stdint.h>

#include "bus/device.h"
#include "bus/portio.h"
#include "memory/physmem.h"

#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_PORT_DMA 0x514

/* Well-known keys (QEMU's numbering, which SeaBIOS's QEMU path reads). */
#define FW_CFG_SIGNATURE 0x00       /* "QEMU" */
#define FW_CFG_ID 0x01              /* u32 feature bits: FW_CFG_ID_* */
#define FW_CFG_UUID 0x02            /* 16 bytes */
#define FW_CFG_RAM_SIZE 0x03        /* u64 */
#define FW_CFG_NOGRAPHIC 0x04       /* u16: non-zero makes SeaBIOS use the serial console */
#define FW_CFG_NB_CPUS 0x05         /* u16 */
#define FW_CFG_MACHINE_ID 0x06
#define FW_CFG_KERNEL_ADDR 0x07     /* u32: where the protected-mode kernel goes */
#define FW_CFG_KERNEL_SIZE 0x08     /* u32 */
#define FW_CFG_KERNEL_CMDLINE 0x09  /* u32: command line address (legacy) */
#define FW_CFG_INITRD_ADDR 0x0a     /* u32 */
#define FW_CFG_INITRD_SIZE 0x0b     /* u32 */
#define FW_CFG_BOOT_DEVICE 0x0c
#define FW_CFG_NUMA 0x0d            /* u64 node count, then per-CPU and per-node u64s */
#define FW_CFG_BOOT_MENU 0x0e       /* u16: SeaBIOS "etc/show-boot-menu" */
#define FW_CFG_MAX_CPUS 0x0f        /* u16 */
#define FW_CFG_KERNEL_ENTRY 0x10
#define FW_CFG_KERNEL_DATA 0x11
#define FW_CFG_INITRD_DATA 0x12
#define FW_CFG_CMDLINE_ADDR 0x13    /* u32 */
#define FW_CFG_CMDLINE_SIZE 0x14    /* u32, with the terminating NUL */
#define FW_CFG_CMDLINE_DATA 0x15
#define FW_CFG_SETUP_ADDR 0x16      /* u32: where the real-mode setup goes */
#define FW_CFG_SETUP_SIZE 0x17      /* u32 */
#define FW_CFG_SETUP_DATA 0x18
#define FW_CFG_FILE_DIR 0x19        /* the file directory, built here */
#define FW_CFG_FILE_FIRST 0x20      /* named files get keys from here up */
#define FW_CFG_ARCH_LOCAL 0x8000
#define FW_CFG_IRQ0_OVERRIDE (FW_CFG_ARCH_LOCAL + 2)  /* u8: SeaBIOS "etc/irq0-override" */

#define FW_CFG_ID_TRADITIONAL 0x1u
#define FW_CFG_ID_DMA 0x2u

/* DMA control bits (FWCfgDmaAccess.control). */
#define FW_CFG_DMA_ERROR 0x01u
#define FW_CFG_DMA_READ 0x02u
#define FW_CFG_DMA_SKIP 0x04u
#define FW_CFG_DMA_SELECT 0x08u
#define FW_CFG_DMA_WRITE 0x10u

#define FW_CFG_MAX_ITEMS 64
#define FW_CFG_NAME_SIZE 56         /* a file name with its NUL */
#define FW_CFG_MAX_ITEM_SIZE 0x40000000u    /* 1 GiB: more than any guest RAM we give */

/* One "etc/e820" entry as SeaBIOS reads it: packed, little-endian, 20 bytes. */
#define FW_CFG_E820_RAM 1
#define FW_CFG_E820_RESERVED 2

struct fw_cfg_item {
    uint16_t key;
    uint32_t len;
    uint8_t *data;                  /* owned; NULL when len is 0 */
    char name[FW_CFG_NAME_SIZE];    /* "" for items without a directory entry */
};

struct fw_cfg {
    struct physmem *pm;             /* NULL: no DMA interface */
    struct fw_cfg_item items[FW_CFG_MAX_ITEMS];
    int n_items;
    int n_files;
    /* Guest-visible cursor. */
    uint16_t selector;
    int cur;                        /* item index of the selector, -1 for none */
    uint32_t offset;
    uint32_t dma_high;              /* high half written, low half pending */
    /* Statistics and logging. */
    uint64_t dma_transfers;
    uint64_t dma_errors;
    uint32_t warned;
};

/* Registers the ports and the device.  `pm` gives the DMA interface guest
 * memory to work on; with NULL there is no DMA (the ID item says so).
 * Adds the signature, ID and (empty) file directory items.  Returns 0, or
 * -1 when a port or the registry is taken. */
int fw_cfg_init(struct fw_cfg *cfg, struct portio *io, struct device_registry *reg, struct physmem *pm);
/* Frees the items' data. */
void fw_cfg_destroy(struct fw_cfg *cfg);

/* Add (or replace) the item under `key`: the data is copied.  Numbers are
 * stored little-endian, as the well-known items are.  They return 0, or -1
 * for a full table, an item over FW_CFG_MAX_ITEM_SIZE, or a key in the
 * file range or the directory's own key. */
int fw_cfg_add_bytes(struct fw_cfg *cfg, uint16_t key, const void *data, size_t len);
int fw_cfg_add_u16(struct fw_cfg *cfg, uint16_t key, uint16_t v);
int fw_cfg_add_u32(struct fw_cfg *cfg, uint16_t key, uint32_t v);
int fw_cfg_add_u64(struct fw_cfg *cfg, uint16_t key, uint64_t v);
int fw_cfg_add_string(struct fw_cfg *cfg, uint16_t key, const char *s);   /* with its NUL */

/* Add a named file: it gets the next free key from FW_CFG_FILE_FIRST and an
 * entry in the directory.  Returns the key, or -1 for a duplicate name, a
 * name of 56 bytes or more, a full table or an oversized item. */
int fw_cfg_add_file(struct fw_cfg *cfg, const char *name, const void *data, size_t len);
/* The key of a named file, or -1. */
int fw_cfg_find_file(const struct fw_cfg *cfg, const char *name);
/* The item under a key (bit 14 ignored), or NULL. */
const struct fw_cfg_item *fw_cfg_find(const struct fw_cfg *cfg, uint16_t key);

/* "etc/e820" for a PC: RAM from 0 to `ram_below_4g` and, when non-zero,
 * `ram_above_4g` bytes from 4 GiB.  SeaBIOS takes its RAM size from this
 * and cuts the legacy holes (0xA0000-0xFFFFF, its own tables) itself. */
int fw_cfg_add_e820(struct fw_cfg *cfg, uint64_t ram_below_4g, uint64_t ram_above_4g);

#endif
