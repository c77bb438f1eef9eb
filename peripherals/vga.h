/*
 * The VGA: IBM's Video Graphics Array register model, with the Bochs/QEMU
 * "DISPI" VBE extension of QEMU's standard VGA (PCI 1234:1111).
 *
 * What the guest sees:
 *   - ports 0x3B4/5 and 0x3BA (monochrome) or 0x3D4/5 and 0x3DA (colour),
 *     chosen by bit 0 of the miscellaneous output register, and 0x3C0-0x3CF:
 *     sequencer, CRT controller, graphics controller, attribute controller,
 *     DAC, input status registers;
 *   - the legacy memory window 0xA0000-0xBFFFF, decoded by the graphics
 *     controller's memory map select into four 64 KiB planes with 32-bit
 *     latches, set/reset, rotate, logical operations, bit mask, write modes
 *     0-3 and read modes 0-1, chain-4 and odd/even addressing;
 *   - the Bochs VBE registers at ports 0x1CE (index) and 0x1CF/0x1D0 (data),
 *     a 16 MiB linear framebuffer (PCI BAR0) and QEMU's 4 KiB register BAR
 *     (BAR2: EDID, the VGA ports, the DISPI registers, byte order).
 *
 * Video memory is one array: byte 4*n+p is byte n of plane p, so the four
 * latches are one little-endian 32-bit word and the VBE modes see plain
 * linear memory.  Legacy VGA uses the first 256 KiB.
 *
 * References: IBM VGA Technical Reference (1987); FreeVGA register pages;
 * Bochs VBE display API (vbe.h, DISPI registers); QEMU docs/specs/standard-vga.
 *
 * Display: the frontend calls vga_render() once per host frame and then
 * vga_framebuffer(); a frame is drawn only when video memory, a register,
 * the DAC or a blink phase changed.  Pixels are uint32_t 0x00RRGGBB values.
 */
#ifndef TRAPEZE_PERIPHERALS_VGA_H
#define TRAPEZE_PERIPHERALS_VGA_H

#include <stddef.h>
#include <stdint.h>

#include "bus/clock.h"
#include "bus/device.h"
#include "bus/portio.h"
#include "memory/physmem.h"

#define VGA_VRAM_SIZE (16u << 20)       /* PCI BAR0: the VBE linear framebuffer */
#define VGA_WINDOW_BASE 0xA0000u        /* the legacy window, 128 KiB */
#define VGA_WINDOW_SIZE 0x20000u
#define VGA_MMIO_BAR_SIZE 0x1000u       /* PCI BAR2 */
#define VGA_PCI_VENDOR 0x1234u
#define VGA_PCI_DEVICE 0x1111u
#define VGA_PCI_CLASS 0x0300u
#define VGA_PCI_REVISION 2u             /* 2: the BAR2 byte-order register exists */

/* DISPI register indices and values (Bochs vbe.h). */
#define VBE_DISPI_INDEX_ID 0x0
#define VBE_DISPI_INDEX_XRES 0x1
#define VBE_DISPI_INDEX_YRES 0x2
#define VBE_DISPI_INDEX_BPP 0x3
#define VBE_DISPI_INDEX_ENABLE 0x4
#define VBE_DISPI_INDEX_BANK 0x5
#define VBE_DISPI_INDEX_VIRT_WIDTH 0x6
#define VBE_DISPI_INDEX_VIRT_HEIGHT 0x7
#define VBE_DISPI_INDEX_X_OFFSET 0x8
#define VBE_DISPI_INDEX_Y_OFFSET 0x9
#define VBE_DISPI_INDEX_VIDEO_MEMORY_64K 0xA
#define VBE_DISPI_NREGS 10
#define VBE_DISPI_ID0 0xB0C0
#define VBE_DISPI_ID5 0xB0C5
#define VBE_DISPI_ENABLED 0x01
#define VBE_DISPI_GETCAPS 0x02
#define VBE_DISPI_8BIT_DAC 0x20
#define VBE_DISPI_LFB_ENABLED 0x40
#define VBE_DISPI_NOCLEARMEM 0x80
#define VBE_DISPI_MAX_XRES 2560
#define VBE_DISPI_MAX_YRES 1600
#define VBE_DISPI_MAX_BPP 32

/* Widest line any mode produces: 256 characters of 9 dots, or the VBE maximum. */
#define VGA_MAX_LINE 2560

/* Everything the guest can program or read back; what save/load carry. */
struct vga_regs {
    uint8_t misc;               /* miscellaneous output (0x3C2 write, 0x3CC read) */
    uint8_t feature;            /* feature control (0x3BA/0x3DA write, 0x3CA read) */
    uint8_t subsys_enable;      /* 0x3C3 */
    uint8_t seq_index, seq[8];
    uint8_t gc_index, gc[16];
    uint8_t crtc_index, crtc[32];
    uint8_t attr_index;         /* bits 0-4 index, bit 5 palette address source */
    uint8_t attr_flipflop;      /* 0: the next 0x3C0 write is an index, 1: data */
    uint8_t attr[32];
    uint8_t pel_mask;
    uint8_t dac_read_index, dac_write_index;
    uint8_t dac_step;           /* which of R, G, B the next data access is */
    uint8_t dac_state;          /* 0x3C7 read: 0 after a write index, 3 after a read index */
    uint8_t dac_pending[3];     /* a write's R and G, until B completes the entry */
    uint8_t dac[256][3];        /* 6 bits each, 8 with VBE_DISPI_8BIT_DAC */
    uint32_t latch;             /* plane p in bits 8p..8p+7 */
    uint16_t vbe_index;
    uint16_t vbe[VBE_DISPI_NREGS];
    uint32_t byteorder;         /* BAR2 0x604: 0x1e1e1e1e little, 0xbebebebe big */
};

struct vga {
    struct vga_regs r;
    uint8_t *vram;              /* VGA_VRAM_SIZE bytes, planes interleaved */
    struct clock *clock;

    /* Where the board mapped the PCI BARs.  Memory decoding off leaves
     * the region in physmem but inert (open bus), so turning it back on at
     * the same address needs no new physmem region. */
    struct vga_bar {
        struct physmem *mem;    /* NULL: never mapped */
        uint64_t base;
        int on;
    } lfb, bar2;

    /* What changed since the last frame was drawn. */
    uint8_t dirty_pages[VGA_VRAM_SIZE / PAGE_SIZE / 8];
    int dirty_full;
    int blink_drawn;            /* blink phases of the last frame, -1: none drawn */

    /* The last frame drawn. */
    uint32_t *fb;
    int fb_w, fb_h;
    size_t fb_cap;
    int fb_changed;

    uint8_t edid[128];
    uint32_t warned;            /* odd guest behaviour already logged */
};

/* Allocates video memory, claims the VGA ports (0x3B4-0x3B5, 0x3BA,
 * 0x3C0-0x3CF, 0x3D4-0x3D5, 0x3DA) and the DISPI ports (0x1CE-0x1D0), maps
 * the legacy window 0xA0000-0xBFFFF in `pm` and registers as device "vga".
 * Returns 0, or -1 when memory, a port or a physmem region cannot be had
 * (the machine being built is then unusable; vga_destroy frees memory). */
int vga_init(struct vga *v, struct portio *io, struct physmem *pm, struct device_registry *reg,
             struct clock *clock);
void vga_destroy(struct vga *v);

/* Maps the legacy window 0xA0000-0xBFFFF (vga_init does this once).  For a
 * board that routed RAM over the window (SMRAM open) and gives it back to
 * the VGA; each call takes one physmem region. */
int vga_map_window(struct vga *v, struct physmem *pm);

/* PCI BAR0 (16 MiB, prefetchable memory) and BAR2 (4 KiB memory): the board
 * calls these when the guest programs the BAR with memory decoding on, and
 * with base 0 when decoding goes off.  The old range becomes open bus.
 * Return 0, or -1 when the base is not page aligned or physmem has no room
 * for a region (each move to a new address takes one). */
int vga_lfb_map(struct vga *v, struct physmem *pm, uint64_t base);
int vga_mmio_map(struct vga *v, struct physmem *pm, uint64_t base);

/* Draw the current frame if anything changed since the last one. */
void vga_render(struct vga *v);
/* The last frame drawn (NULL before the first); *changed is 1 when it is
 * new since the previous call. */
const uint32_t *vga_framebuffer(struct vga *v, int *w, int *h, int *changed);
/* The characters of the text screen, rows ending in '\n', trailing blanks
 * dropped, non-ASCII shown as '.' (line-drawing as + - |).  Returns the
 * length written (NUL-terminated, cut to size-1); 0 in graphics modes. */
size_t vga_text_snapshot(struct vga *v, char *buf, size_t size);

#endif
