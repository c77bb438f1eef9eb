/*
 * VGA text modes: character and attribute from planes 0 and 1, the glyph
 * from the font in plane 2, the cursor from the CRTC; and a snapshot of the
 * characters for tests and headless runs.
 *
 * References: FreeVGA "Sequencer Registers" (character map select, 8/9 dot
 * clocking), "Attribute Controller Registers" (line graphics, blink),
 * "CRTC Registers" (cursor start/end/location/skew, underline location);
 * IBM VGA Technical Reference, "Alphanumeric Modes".
 */
#include "peripherals/vga_internal.h"

#include <string.h>

/* Character map n of SR03 lives at plane 2 offset 0x0000, 0x4000, 0x8000,
 * 0xC000, 0x2000, 0x6000, 0xA000, 0xE000 for n = 0..7. */
static uint32_t font_map_offset(unsigned n)
{
    return ((n & 3u) * 2u + (n >> 2)) * 0x2000u;
}

/* Map A (SR03 bits 5,3,2) serves attribute bit 3 set, map B (bits 4,1,0)
 * attribute bit 3 clear: with different maps, 512 characters. */
static void font_maps(const struct vga *v, uint32_t *map_a, uint32_t *map_b)
{
    unsigned sr3 = v->r.seq[3];
    *map_a = font_map_offset(((sr3 >> 2) & 3) | ((sr3 >> 3) & 4));
    *map_b = font_map_offset((sr3 & 3) | ((sr3 >> 2) & 4));
}

struct text_row_state {
    uint32_t map_a, map_b;
    uint32_t cursor;            /* cursor location + skew, counter units */
    int cursor_row;             /* this scan line is inside the visible cursor */
    int underline_row;
    int blink_attr;             /* AR10 bit 3: attribute bit 7 blinks */
    int line_gfx;               /* AR10 bit 2: 9th column copies the 8th for C0-DF */
};

static void row_state(const struct vga *v, const struct vga_frame *f, int row_scan, struct text_row_state *s)
{
    const uint8_t *cr = v->r.crtc;
    font_maps(v, &s->map_a, &s->map_b);
    s->cursor = ((uint32_t)(cr[0x0E] << 8 | cr[0x0F]) + ((cr[0x0B] >> 5) & 3u)) & 0xFFFF;
    /* VGA: start after end means no cursor (the EGA wrapped instead). */
    int start = cr[0x0A] & 0x1F, end = cr[0x0B] & 0x1F;
    s->cursor_row = !(cr[0x0A] & 0x20) && f->cursor_on && row_scan >= start && row_scan <= end;
    s->underline_row = (cr[0x14] & 0x1F) == row_scan;
    s->blink_attr = (v->r.attr[ATTR_MODE] & ATTR_MODE_BLINK) != 0;
    s->line_gfx = (v->r.attr[ATTR_MODE] & ATTR_MODE_LINEGFX) != 0;
}

void vga_text_line(const struct vga *v, const struct vga_frame *f, uint32_t row_addr, int row_scan, int pan,
                   uint32_t *out)
{
    struct text_row_state s;
    row_state(v, f, row_scan, &s);
    int w = f->out_w, x = -pan;
    for (uint32_t k = 0; x < w; k++) {
        uint32_t counter = (row_addr + (k >> f->count_shift)) & 0xFFFF;
        const uint8_t *cell = v->vram + vga_crtc_address(f, counter, row_scan) * 4;
        uint8_t ch = cell[0], at = cell[1];
        uint32_t font = (at & 0x08) ? s.map_a : s.map_b;
        uint8_t bits = v->vram[((font + ch * 32u + (uint32_t)row_scan) & 0xFFFF) * 4 + 2];
        uint8_t fg = at & 0x0F, bg = at >> 4;
        int solid = 0;
        if (s.blink_attr) {
            bg &= 7;
            if ((at & 0x80) && !f->blink_on)
                bits = 0;
        }
        /* The underline goes under the monochrome underline attributes. */
        if (s.underline_row && (at & 0x77) == 0x01)
            solid = 1;
        if (s.cursor_row && counter == s.cursor)
            solid = 1;
        if (solid)
            bits = 0xFF;
        uint32_t fg_rgb = f->attr_rgb[fg], bg_rgb = f->attr_rgb[bg];
        for (int i = 0; i < 8; i++, x++)
            if (x >= 0 && x < w)
                out[x] = (bits & (0x80 >> i)) ? fg_rgb : bg_rgb;
        if (f->char_w == 9) {
            int ninth = solid || (s.line_gfx && (ch & 0xE0) == 0xC0 && (bits & 1));
            if (x >= 0 && x < w)
                out[x] = ninth ? fg_rgb : bg_rgb;
            x++;
        }
    }
}

/* Code page 437 as plain ASCII for the snapshot. */
static char cp437_to_ascii(uint8_t ch)
{
    if (ch >= 0x20 && ch < 0x7F)
        return (char)ch;
    if (ch == 0x00 || ch == 0xFF)
        return ' ';
    if (ch == 0xB3 || ch == 0xBA)
        return '|';
    if (ch == 0xC4 || ch == 0xCD)
        return '-';
    if ((ch >= 0xB4 && ch <= 0xDA))
        return '+';
    if (ch >= 0xB0 && ch <= 0xDF)
        return '#';
    return '.';
}

size_t vga_text_snapshot(struct vga *v, char *buf, size_t size)
{
    if (!buf || size == 0)
        return 0;
    buf[0] = 0;
    if (vga_vbe_enabled(v))
        return 0;
    struct vga_frame f;
    vga_frame_setup(v, &f);
    if (!f.text)
        return 0;
    int rows = f.lines / ((f.msl + 1) * (f.dbl ? 2 : 1));
    size_t n = 0;
    for (int r = 0; r < rows; r++) {
        char line[257];
        int len = 0;
        uint32_t row_addr = (f.start + (uint32_t)r * f.row_step) & 0xFFFF;
        for (int col = 0; col < f.chars && col < 256; col++) {
            uint32_t counter = (row_addr + ((uint32_t)col >> f.count_shift)) & 0xFFFF;
            line[len++] = cp437_to_ascii(v->vram[vga_crtc_address(&f, counter, 0) * 4]);
        }
        while (len > 0 && line[len - 1] == ' ')
            len--;
        line[len++] = '\n';
        size_t room = size - 1 - n;
        size_t take = (size_t)len < room ? (size_t)len : room;
        memcpy(buf + n, line, take);
        n += take;
        if (take < (size_t)len)
            break;
    }
    buf[n] = 0;
    return n;
}
