/*
 * Shared between the VGA's source files (vga.c registers and timing,
 * vga_mem.c the memory paths, vga_render.c and vga_text.c the display,
 * vga_vbe.c the DISPI extension).  Not for other devices.
 */
#ifndef TRAPEZE_PERIPHERALS_VGA_INTERNAL_H
#define TRAPEZE_PERIPHERALS_VGA_INTERNAL_H

#include "peripherals/vga.h"

/* Register bits used in more than one file (FreeVGA names). */
#define SEQ_CLOCKING 0x01
#define SEQ_CLK_DOT8 0x01           /* 8-dot characters (else 9) */
#define SEQ_CLK_HALF 0x08           /* dot clock / 2 */
#define SEQ_CLK_SCREEN_OFF 0x20
#define SEQ_MEMMODE 0x04
#define SEQ_MEM_ODDEVEN_OFF 0x04
#define SEQ_MEM_CHAIN4 0x08
#define GC_MODE 0x05
#define GC_MISC 0x06
#define ATTR_MODE 0x10
#define ATTR_MODE_GRAPHICS 0x01
#define ATTR_MODE_LINEGFX 0x04
#define ATTR_MODE_BLINK 0x08
#define ATTR_MODE_PAN_SPLIT 0x20
#define ATTR_MODE_8BIT 0x40
#define ATTR_MODE_P54S 0x80
#define ATTR_PAS 0x20

/* Things logged once per instance (bits of vga.warned). */
enum vga_warning {
    VGA_WARN_SEQ_INDEX, VGA_WARN_GC_INDEX, VGA_WARN_CRTC_INDEX, VGA_WARN_ATTR_INDEX,
    VGA_WARN_PORT, VGA_WARN_ATTR_3C1, VGA_WARN_DISPI_INDEX, VGA_WARN_DISPI_VALUE,
    VGA_WARN_BAR2, VGA_WARN_BIG_ENDIAN, VGA_WARN_MAP,
};
void vga_warn_once(struct vga *v, enum vga_warning w, const char *fmt, ...);

/* Display timing, in dots and scan lines. */
struct vga_timing {
    uint64_t dot_hz;
    uint32_t htotal, hdisp;         /* dots per line, displayed dots */
    uint32_t vtotal, vdisp;         /* lines per frame, displayed lines */
    uint32_t vrs, vrlen;            /* vertical retrace start line and length */
};
void vga_current_timing(const struct vga *v, struct vga_timing *t);
uint64_t vga_frame_number(const struct vga *v);

/* vga.c: the port registers, also reached through BAR2. */
uint8_t vga_port_read8(struct vga *v, uint16_t port);
void vga_port_write8(struct vga *v, uint16_t port, uint8_t value);

/* vga_mem.c */
static inline void vga_mark_dirty(struct vga *v, uint32_t vram_offset)
{
    uint32_t page = vram_offset >> PAGE_SHIFT;
    v->dirty_pages[page >> 3] |= (uint8_t)(1u << (page & 7));
}
int vga_vram_range_dirty(const struct vga *v, uint32_t offset, uint32_t len);
int vga_move_region(struct vga *v, struct vga_bar *bar, struct physmem *pm, uint64_t base, uint64_t size,
                    mmio_read_fn rd, mmio_write_fn wr, const char *name);
static inline uint32_t vga_open_bus(int size)
{
    return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

/* vga_vbe.c */
static inline int vga_vbe_enabled(const struct vga *v)
{
    return (v->r.vbe[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED) != 0;
}
struct vbe_geometry {
    uint32_t xres, yres, bpp;
    uint32_t line_bytes;            /* 4 bpp: bytes per plane */
    uint32_t start;                 /* 4 bpp: plane offset */
};
void vga_vbe_geometry(const struct vga *v, struct vbe_geometry *g);
void vga_vbe_timing(const struct vga *v, struct vga_timing *t);
void vga_vbe_reset(struct vga *v);
void vga_vbe_fixup(struct vga *v);
void vga_vbe_build_edid(struct vga *v);
int vga_vbe_register_ports(struct vga *v, struct portio *io);
void vga_vbe_render(struct vga *v, int blank);
uint16_t vga_dispi_read(struct vga *v, uint16_t index);
void vga_dispi_write(struct vga *v, uint16_t index, uint16_t value);

/* vga_render.c */
int vga_fb_resize(struct vga *v, int w, int h);
void vga_fb_fill(struct vga *v, uint32_t rgb);
uint32_t vga_dac_rgb(const struct vga *v, uint8_t index);
uint8_t vga_attr_to_dac(const struct vga *v, uint8_t colour);
int vga_display_blanked(const struct vga *v);

/* What the CRT controller's registers say about the picture, worked out
 * once per frame. */
struct vga_frame {
    int text;                       /* attribute mode control bit 0 clear */
    int chars;                      /* character clocks displayed per line */
    int char_w;                     /* dots per character clock on screen */
    int lines;                      /* scan lines displayed */
    int vdiv;                       /* scan lines per output line */
    int out_w, out_h;
    int addr_mode;                  /* 0 byte, 1 word, 2 doubleword */
    int wrap_bit;                   /* word mode: the counter bit rotated into bit 0 */
    int count_shift;                /* address counter advances every 2^n clocks */
    int sub13, sub14;               /* row scan bits replace address bits 13 / 14 */
    uint32_t start;                 /* start address + byte panning, counter units */
    uint32_t row_step;              /* counter units per character row */
    int msl, dbl, preset, line_compare;
    int pan, pan_split_reset;
    int cursor_on, blink_on;        /* blink phases now */
    uint32_t attr_rgb[16];          /* attribute colour -> pixel */
    uint8_t nibble_pal[16];         /* 256-colour mode: a nibble through the palette */
    uint32_t rgb[256];              /* DAC index -> pixel, pel mask applied */
};
void vga_frame_setup(const struct vga *v, struct vga_frame *f);
uint32_t vga_crtc_address(const struct vga_frame *f, uint32_t counter, int row_scan);

/* vga_text.c */
void vga_text_line(const struct vga *v, const struct vga_frame *f, uint32_t row_addr,
                   int row_scan, int pan, uint32_t *out);

#endif
