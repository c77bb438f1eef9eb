/*
 * Drawing the VGA's picture: the CRT controller's scan (start address,
 * offset, row scan counter, doubling, line compare, panning), the graphics
 * serializers (planar, CGA interleave, 256-colour), the attribute
 * controller's palette and the DAC.  Text rows are in vga_text.c, the VBE
 * modes in vga_vbe.c.
 *
 * The output has one pixel per serializer output (mode 13h is 320x200, mode
 * 12h 640x480, 80x25 text 720x400): doubled scan lines are drawn once.
 * References: FreeVGA "CRTC Registers" (offset, underline location, mode
 * control, line compare), "Attribute Controller Registers", IBM VGA
 * Technical Reference "CRT Controller" address generation.
 */
#include "peripherals/vga_internal.h"

#include <stdlib.h>
#include <string.h>

/* A DAC entry as a pixel: 6-bit components are widened by repeating their
 * top bits, so 0x3F becomes 0xFF. */
uint32_t vga_dac_rgb(const struct vga *v, uint8_t index)
{
    const uint8_t *e = v->r.dac[index];
    uint32_t c[3];
    for (int i = 0; i < 3; i++)
        c[i] = (v->r.vbe[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC) ? e[i]
                                                                       : (uint32_t)((e[i] & 0x3F) << 2 | (e[i] & 0x3F) >> 4);
    return c[0] << 16 | c[1] << 8 | c[2];
}

/* The attribute controller's path from a 4-bit colour to a DAC index:
 * colour plane enable (AR12), the palette register, and the colour select
 * bits (AR14) for bits 4-5 (when AR10 bit 7 says so) and 6-7. */
uint8_t vga_attr_to_dac(const struct vga *v, uint8_t colour)
{
    const uint8_t *ar = v->r.attr;
    uint8_t pal = ar[colour & ar[0x12] & 0x0F];
    uint8_t idx = (ar[ATTR_MODE] & ATTR_MODE_P54S) ? (uint8_t)((pal & 0x0F) | (ar[0x14] & 0x03) << 4)
                                                   : (uint8_t)(pal & 0x3F);
    return (uint8_t)(idx | (ar[0x14] & 0x0C) << 4);
}

/* Blanked: palette address source clear (the CPU owns the palette),
 * screen off (SR01 bit 5), or the sequencer held in reset (SR00). */
int vga_display_blanked(const struct vga *v)
{
    return !(v->r.attr_index & ATTR_PAS) || (v->r.seq[SEQ_CLOCKING] & SEQ_CLK_SCREEN_OFF) ||
           (!vga_vbe_enabled(v) && (v->r.seq[0] & 3) != 3);
}

int vga_fb_resize(struct vga *v, int w, int h)
{
    if (w < 1)
        w = 1;
    if (h < 1)
        h = 1;
    size_t need = (size_t)w * (size_t)h;
    if (need > v->fb_cap) {
        uint32_t *fb = realloc(v->fb, need * sizeof(*fb));
        if (!fb)
            return -1;
        v->fb = fb;
        v->fb_cap = need;
    }
    if (w == v->fb_w && h == v->fb_h)
        return 0;
    v->fb_w = w;
    v->fb_h = h;
    return 1;
}

void vga_fb_fill(struct vga *v, uint32_t rgb)
{
    size_t n = (size_t)v->fb_w * (size_t)v->fb_h;
    for (size_t i = 0; i < n; i++)
        v->fb[i] = rgb;
}

static void setup_colours(const struct vga *v, struct vga_frame *f)
{
    for (int i = 0; i < 256; i++)
        f->rgb[i] = vga_dac_rgb(v, (uint8_t)(i & v->r.pel_mask));
    for (int c = 0; c < 16; c++) {
        f->attr_rgb[c] = f->rgb[vga_attr_to_dac(v, (uint8_t)c)];
        f->nibble_pal[c] = v->r.attr[c & v->r.attr[0x12] & 0x0F] & 0x0F;
    }
}

/* Horizontal pixel panning (AR13): 8-dot characters shift by 0-7, 9-dot
 * text by 1-8 with 8 meaning none, 256-colour mode by whole pixels. */
static int pixel_pan(const struct vga *v, const struct vga_frame *f)
{
    unsigned p = v->r.attr[0x13] & 0x0F;
    if (f->text && f->char_w == 9)
        return p >= 8 ? 0 : (int)p + 1;
    if (!f->text && (v->r.attr[ATTR_MODE] & ATTR_MODE_8BIT))
        return (int)(p & 7) >> 1;
    return (int)(p & 7);
}

void vga_frame_setup(const struct vga *v, struct vga_frame *f)
{
    const uint8_t *cr = v->r.crtc, *ar = v->r.attr;
    f->text = !(ar[ATTR_MODE] & ATTR_MODE_GRAPHICS);
    f->chars = cr[0x01] + 1;
    if (f->text)
        f->char_w = (v->r.seq[SEQ_CLOCKING] & SEQ_CLK_DOT8) ? 8 : 9;
    else
        f->char_w = (ar[ATTR_MODE] & ATTR_MODE_8BIT) ? 4 : 8;
    f->lines = (cr[0x12] | (cr[0x07] & 0x02) << 7 | (cr[0x07] & 0x40) << 3) + 1;
    f->msl = cr[0x09] & 0x1F;
    f->dbl = cr[0x09] >> 7;
    /* Doubleword mode (CR14 bit 6) wins over word mode (CR17 bit 6 clear). */
    f->addr_mode = (cr[0x14] & 0x40) ? 2 : (cr[0x17] & 0x40) ? 0 : 1;
    f->wrap_bit = (cr[0x17] & 0x20) ? 15 : 13;
    f->count_shift = (cr[0x14] & 0x20) ? 2 : (cr[0x17] & 0x08) ? 1 : 0;
    f->sub13 = !(cr[0x17] & 0x01);
    f->sub14 = !(cr[0x17] & 0x02);
    f->start = ((uint32_t)(cr[0x0C] << 8 | cr[0x0D]) + ((cr[0x08] >> 5) & 3u)) & 0xFFFF;
    f->row_step = cr[0x13] * 2u;
    f->preset = cr[0x08] & 0x1F;
    f->line_compare = cr[0x18] | (cr[0x07] & 0x10) << 4 | (cr[0x09] & 0x40) << 3;
    /* One output line per distinct scan line: double scan always repeats a
     * line; in graphics, so do the row scans of a character row unless the
     * CGA bank bits (MA13/MA14 from the row scan counter) tell them apart. */
    f->vdiv = f->dbl ? 2 : 1;
    if (!f->text && !f->sub13 && !f->sub14)
        f->vdiv *= f->msl + 1;
    f->out_w = f->chars * f->char_w;
    if (f->out_w > VGA_MAX_LINE)
        f->out_w = VGA_MAX_LINE;
    f->out_h = (f->lines + f->vdiv - 1) / f->vdiv;
    f->pan = pixel_pan(v, f);
    f->pan_split_reset = (ar[ATTR_MODE] & ATTR_MODE_PAN_SPLIT) != 0;
    /* Cursor: 8 frames on, 8 off; blinking characters: 16 and 16. */
    uint64_t frame = vga_frame_number(v);
    f->cursor_on = !((frame >> 3) & 1);
    f->blink_on = !((frame >> 4) & 1);
    setup_colours(v, f);
}

/* The CRTC's address counter -> plane offset: doubleword mode rotates the
 * counter left by two, word mode by one (bit 13 or 15 into bit 0, CR17
 * bit 5); CR17 bits 0-1 clear put row scan bits 0-1 on address bits 13-14
 * (the CGA's interleaved banks). */
uint32_t vga_crtc_address(const struct vga_frame *f, uint32_t counter, int row_scan)
{
    uint32_t m;
    if (f->addr_mode == 2)
        m = counter << 2 | ((counter >> 14) & 3);
    else if (f->addr_mode == 1)
        m = counter << 1 | ((counter >> f->wrap_bit) & 1);
    else
        m = counter;
    m &= 0xFFFF;
    if (f->sub13)
        m = (m & ~0x2000u) | ((uint32_t)row_scan & 1u) << 13;
    if (f->sub14)
        m = (m & ~0x4000u) | ((uint32_t)row_scan & 2u) << 13;
    return m;
}

/* The graphics controller's serializer: four plane bytes -> eight 4-bit
 * dots.  GR05 bit 6 (256-colour): each byte gives two dots, high nibble
 * first.  GR05 bit 5 (CGA interleave): 2-bit pixels, planes 0/2 for the
 * first four dots and 1/3 for the next four.  Otherwise bit 7-i of each
 * plane makes dot i. */
static void serialize(unsigned shift_mode, const uint8_t *p, uint8_t dot[8])
{
    if (shift_mode & 0x40) {
        for (int i = 0; i < 4; i++) {
            dot[2 * i] = p[i] >> 4;
            dot[2 * i + 1] = p[i] & 0x0F;
        }
    } else if (shift_mode & 0x20) {
        for (int i = 0; i < 8; i++) {
            int s = 6 - 2 * (i & 3);
            uint8_t lo = i < 4 ? p[0] : p[1], hi = i < 4 ? p[2] : p[3];
            dot[i] = (uint8_t)(((lo >> s) & 3) | ((hi >> s) & 3) << 2);
        }
    } else {
        for (int i = 0; i < 8; i++) {
            int s = 7 - i;
            dot[i] = (uint8_t)(((p[0] >> s) & 1) | ((p[1] >> s) & 1) << 1 | ((p[2] >> s) & 1) << 2 |
                               ((p[3] >> s) & 1) << 3);
        }
    }
}

/* One scan line of a graphics mode.  In 256-colour mode (AR10 bit 6) two
 * dots, each through the palette, make one 8-bit pixel. */
static void graphics_line(const struct vga *v, const struct vga_frame *f, uint32_t row_addr, int row_scan,
                          int pan, uint32_t *out)
{
    unsigned shift_mode = v->r.gc[GC_MODE] & 0x60;
    int eight = (v->r.attr[ATTR_MODE] & ATTR_MODE_8BIT) != 0;
    int w = f->out_w, x = -pan;
    for (uint32_t k = 0; x < w; k++) {
        uint32_t counter = (row_addr + (k >> f->count_shift)) & 0xFFFF;
        uint8_t dot[8];
        serialize(shift_mode, v->vram + vga_crtc_address(f, counter, row_scan) * 4, dot);
        if (eight) {
            for (int j = 0; j < 4; j++, x++)
                if (x >= 0 && x < w)
                    out[x] = f->rgb[f->nibble_pal[dot[2 * j]] << 4 | f->nibble_pal[dot[2 * j + 1]]];
        } else {
            for (int j = 0; j < 8; j++, x++)
                if (x >= 0 && x < w)
                    out[x] = f->attr_rgb[dot[j]];
        }
    }
}

/* The vertical scan: the row scan counter counts scan lines of a character
 * row (twice each with double scan, CR09 bit 7), the address moves on by
 * the offset at each new row, and the line compare (CR18, CR07 bit 4,
 * CR09 bit 6) restarts the address at 0 after its line. */
static void draw_frame(struct vga *v, const struct vga_frame *f)
{
    uint32_t row_addr = f->start;
    int row_scan = f->preset, second_of_pair = 0, pan = f->pan;
    for (int y = 0; y < f->lines; y++) {
        if (y % f->vdiv == 0 && y / f->vdiv < v->fb_h) {
            uint32_t *out = v->fb + (size_t)(y / f->vdiv) * (size_t)v->fb_w;
            if (f->text)
                vga_text_line(v, f, row_addr, row_scan, pan, out);
            else
                graphics_line(v, f, row_addr, row_scan, pan, out);
        }
        if (y == f->line_compare) {
            row_addr = 0;
            row_scan = 0;
            second_of_pair = 0;
            if (f->pan_split_reset)
                pan = 0;
            continue;
        }
        if (f->dbl) {
            second_of_pair ^= 1;
            if (second_of_pair)
                continue;
        }
        if (row_scan >= f->msl) {
            row_scan = 0;
            row_addr = (row_addr + f->row_step) & 0xFFFF;
        } else {
            row_scan++;
        }
    }
}

static void clear_dirty(struct vga *v)
{
    memset(v->dirty_pages, 0, sizeof(v->dirty_pages));
    v->dirty_full = 0;
    v->fb_changed = 1;
}

void vga_render(struct vga *v)
{
    int blank = vga_display_blanked(v);
    if (vga_vbe_enabled(v)) {
        vga_vbe_render(v, blank);
        return;
    }
    struct vga_frame f;
    vga_frame_setup(v, &f);
    int phases = f.text ? (f.cursor_on | f.blink_on << 1) : 0;
    int resized = vga_fb_resize(v, f.out_w, f.out_h);
    if (resized < 0)
        return;
    /* Legacy modes use the first 256 KiB of video memory. */
    if (!resized && !v->dirty_full && phases == v->blink_drawn && !vga_vram_range_dirty(v, 0, 0x40000))
        return;
    if (blank)
        vga_fb_fill(v, 0);
    else
        draw_frame(v, &f);
    v->blink_drawn = phases;
    clear_dirty(v);
}

const uint32_t *vga_framebuffer(struct vga *v, int *w, int *h, int *changed)
{
    if (w)
        *w = v->fb_w;
    if (h)
        *h = v->fb_h;
    if (changed)
        *changed = v->fb_changed;
    v->fb_changed = 0;
    return v->fb;
}
