/*
 * Direct kernel boot (`-kernel bzImage -initrd FILE -append "..."`).
 *
 * The emulator does what a boot loader does before the guest starts: it
 * checks the bzImage's setup header (Documentation/arch/x86/boot.rst),
 * chooses where everything goes, fills in the header fields a loader must
 * write, and hands the pieces to the firmware through fw_cfg.  At boot,
 * SeaBIOS runs our option ROM (roms/linuxboot.asm) as a boot device; it
 * copies each piece to its address with fw_cfg DMA and enters the kernel's
 * real-mode setup code, so the BIOS path (INT 10h/15h/E820, EDD) stays real.
 *
 * Layout (the boot protocol's sample configuration, real-mode code below
 * 0x90000 using the whole 64 KiB segment):
 *   0x10000-0x17FFF  boot sector + setup code (at most 32 KiB)
 *   0x18000-0x1DFFF  setup stack and heap (heap_end_ptr = 0xDE00)
 *   0x1E000-0x1FFFF  command line
 *   0x100000         protected-mode kernel
 *   initrd           as high as allowed: below initrd_addr_max, below the
 *                    top of RAM less what SeaBIOS keeps for its tables,
 *                    above the memory the kernel decompresses into.
 * Bad input (not a bzImage, truncated, too old a protocol, command line too
 * long, initrd or kernel not fitting in RAM) is refused with a one-line
 * reason before the guest starts.
 */
#ifndef TRAPEZE_BUS_LINUX_LOADER_H
#define TRAPEZE_BUS_LINUX_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "peripherals/fw_cfg.h"

#define LINUX_SETUP_ADDR 0x10000u
#define LINUX_SETUP_MAX 0x8000u             /* real-mode code, boot sector included */
#define LINUX_HEAP_END 0xE000u              /* offset in the real-mode segment */
#define LINUX_CMDLINE_ADDR (LINUX_SETUP_ADDR + LINUX_HEAP_END)
#define LINUX_CMDLINE_MAX 0x2000u           /* bytes up to 0x20000, NUL included */
#define LINUX_KERNEL_ADDR 0x100000u
/* Top of RAM kept free of the initrd: SeaBIOS puts its ACPI, SMBIOS and MP
 * tables there (its "ZoneHigh"), after the board has chosen the layout. */
#define LINUX_HIGH_RESERVE 0x100000u
#define LINUX_MIN_PROTOCOL 0x0202u          /* cmd_line_ptr: needed by our layout */
#define LINUX_TYPE_OF_LOADER 0xFFu          /* "undefined": no assigned ID */

#define LINUX_ROM_FILE "genroms/linuxboot.bin"
#define LINUX_ROM_BOOTORDER "/rom@genroms/linuxboot.bin"

struct linux_boot {
    uint16_t protocol;
    uint8_t *setup;             /* boot sector + setup, header filled in */
    uint32_t setup_size;
    uint8_t *kernel;            /* protected-mode part */
    uint32_t kernel_size;
    uint8_t *initrd;            /* NULL: none */
    uint32_t initrd_size;
    char *cmdline;
    uint32_t cmdline_size;      /* with the terminating NUL */
    uint32_t setup_addr, kernel_addr, initrd_addr, cmdline_addr;
    uint32_t kernel_end;        /* end of the memory the kernel needs while decompressing */
};

struct linux_boot_input {
    const uint8_t *image;       /* the bzImage file's bytes */
    size_t image_len;
    const char *image_name;     /* for messages */
    const uint8_t *initrd;      /* NULL: no initrd */
    size_t initrd_len;
    const char *initrd_name;
    const char *cmdline;        /* NULL: empty */
    uint64_t ram_below_4g;      /* contiguous RAM from address 0 */
};

/* Check the input and lay it out.  Returns 0, or -1 with a one-line reason
 * in err.  On success lb owns copies: release with linux_boot_free. */
int linux_boot_prepare(struct linux_boot *lb, const struct linux_boot_input *in, char *err, size_t errlen);
/* The same from files (initrd_path may be NULL). */
int linux_boot_load_files(struct linux_boot *lb, const char *kernel_path, const char *initrd_path,
                          const char *cmdline, uint64_t ram_below_4g, char *err, size_t errlen);
void linux_boot_free(struct linux_boot *lb);

/* Read and check an option ROM image (0x55AA, length byte). */
int linux_boot_read_rom(const char *path, uint8_t **rom, size_t *len, char *err, size_t errlen);

/* Give the prepared boot to the firmware: the SETUP/KERNEL/INITRD/CMDLINE
 * address, size and data items, the option ROM as LINUX_ROM_FILE (its
 * checksum made right), and a "bootorder" file naming the ROM first unless
 * the board added one already (then its first line should be
 * LINUX_ROM_BOOTORDER).  Returns 0, or -1 when the fw_cfg table is full or
 * the ROM is not one. */
int linux_boot_to_fw_cfg(const struct linux_boot *lb, struct fw_cfg *cfg, const uint8_t *rom, size_t rom_len);

#endif
