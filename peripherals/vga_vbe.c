/*
 * The Bochs VBE "DISPI" extension, as QEMU's standard VGA has it: the
 * registers behind ports 0x1CE (index) and 0x1CF/0x1D0 (data), modes drawn
 * straight from linear video memory, and the PCI BAR2 register block.
 *
 * References: the Bochs VBE display API (vbe.h: ID B0C0-B0C5, XRES, YRES,
 * BPP, ENABLE with GETCAPS/8BIT_DAC/LFB_ENABLED/NOCLEARMEM, BANK,
 * VIRT_WIDTH/HEIGHT, X/Y_OFFSET, VIDEO_MEMORY_64K); QEMU
 * docs/specs/standard-vga (BAR2: EDID at 0x000, the VGA ports 0x3C0-0x3DF
 * at 0x400, the DISPI registers at 0x500 + 2 * index, the size and
 * framebuffer byte-order registers at 0x600/0x604); SeaBIOS vgasrc
 * bochsvga.c, which probes ID, reads VIDEO_MEMORY_64K, asks GETCAPS for the
 * largest XRES/BPP and sets modes by BPP, XRES, YRES, BANK, ENABLE.
 *
 * Geometry rule: registers hold what the guest wrote (BPP falls back to 8
 * when invalid, XRES/YRES stop at the maxima, BANK wraps at the banks video
 * memory has); the picture uses a clamped view of them that always fits in
 * video memory, so no value can send a read outside it.
 */
#include "peripherals/vga_internal.h"

#include <string.h>

#define BYTEORDER_LITTLE 0x1e1e1e1eu
#define BYTEORDER_BIG 0xbebebebeu

static int bpp_valid(unsigned bpp)
{
    return bpp == 4 || bpp == 8 || bpp == 15 || bpp == 16 || bpp == 24 || bpp == 32;
}

static uint32_t bank_mask(const struct vga *v)
{
    uint32_t size = v->r.vbe[VBE_DISPI_INDEX_BPP] == 4 ? VGA_VRAM_SIZE / 4 : VGA_VRAM_SIZE;
    return (size >> 16) - 1;
}

void vga_vbe_reset(struct vga *v)
{
    uint16_t *r = v->r.vbe;
    memset(r, 0, sizeof(v->r.vbe));
    r[VBE_DISPI_INDEX_ID] = VBE_DISPI_ID5;
    r[VBE_DISPI_INDEX_XRES] = 640;
    r[VBE_DISPI_INDEX_YRES] = 480;
    r[VBE_DISPI_INDEX_BPP] = 8;
    r[VBE_DISPI_INDEX_VIRT_WIDTH] = 640;
    v->r.vbe_index = 0;
    v->r.byteorder = BYTEORDER_LITTLE;
}

/* Bring stored registers (a loaded snapshot) back inside what writes allow. */
void vga_vbe_fixup(struct vga *v)
{
    uint16_t *r = v->r.vbe;
    if (r[VBE_DISPI_INDEX_ID] < VBE_DISPI_ID0 || r[VBE_DISPI_INDEX_ID] > VBE_DISPI_ID5)
        r[VBE_DISPI_INDEX_ID] = VBE_DISPI_ID5;
    if (!bpp_valid(r[VBE_DISPI_INDEX_BPP]))
        r[VBE_DISPI_INDEX_BPP] = 8;
    if (r[VBE_DISPI_INDEX_XRES] > VBE_DISPI_MAX_XRES)
        r[VBE_DISPI_INDEX_XRES] = VBE_DISPI_MAX_XRES;
    if (r[VBE_DISPI_INDEX_YRES] > VBE_DISPI_MAX_YRES)
        r[VBE_DISPI_INDEX_YRES] = VBE_DISPI_MAX_YRES;
    r[VBE_DISPI_INDEX_ENABLE] &= VBE_DISPI_ENABLED | VBE_DISPI_GETCAPS | VBE_DISPI_8BIT_DAC |
                                 VBE_DISPI_LFB_ENABLED | VBE_DISPI_NOCLEARMEM;
    r[VBE_DISPI_INDEX_BANK] &= (uint16_t)bank_mask(v);
    if (v->r.byteorder != BYTEORDER_BIG)
        v->r.byteorder = BYTEORDER_LITTLE;
}

/* The picture the registers describe, clamped into video memory. */
void vga_vbe_geometry(const struct vga *v, struct vbe_geometry *g)
{
    const uint16_t *r = v->r.vbe;
    g->bpp = bpp_valid(r[VBE_DISPI_INDEX_BPP]) ? r[VBE_DISPI_INDEX_BPP] : 8;
    uint32_t xres = r[VBE_DISPI_INDEX_XRES];
    if (xres < 8)
        xres = 8;
    if (xres > VBE_DISPI_MAX_XRES)
        xres = VBE_DISPI_MAX_XRES;
    if (g->bpp == 4)
        xres &= ~7u;        /* planar: whole bytes of each plane */
    uint32_t vw = r[VBE_DISPI_INDEX_VIRT_WIDTH] < xres ? xres : r[VBE_DISPI_INDEX_VIRT_WIDTH];
    uint32_t capacity;
    if (g->bpp == 4) {
        vw &= ~7u;
        g->line_bytes = vw / 8;
        capacity = VGA_VRAM_SIZE / 4;
    } else {
        g->line_bytes = vw * ((g->bpp + 7) / 8);
        capacity = VGA_VRAM_SIZE;
    }
    uint32_t max_lines = capacity / g->line_bytes;
    uint32_t yres = r[VBE_DISPI_INDEX_YRES];
    if (yres < 1)
        yres = 1;
    if (yres > VBE_DISPI_MAX_YRES)
        yres = VBE_DISPI_MAX_YRES;
    if (yres > max_lines)
        yres = max_lines;
    uint32_t xoff = r[VBE_DISPI_INDEX_X_OFFSET], yoff = r[VBE_DISPI_INDEX_Y_OFFSET];
    if (xoff > vw - xres)
        xoff = vw - xres;
    if (yoff > max_lines - yres)
        yoff = max_lines - yres;
    g->xres = xres;
    g->yres = yres;
    if (g->bpp == 4)
        g->start = (yoff * vw + xoff) / 8;
    else
        g->start = yoff * g->line_bytes + xoff * ((g->bpp + 7) / 8);
}

static uint16_t virt_height(const struct vga *v)
{
    struct vbe_geometry g;
    vga_vbe_geometry(v, &g);
    uint32_t capacity = g.bpp == 4 ? VGA_VRAM_SIZE / 4 : VGA_VRAM_SIZE;
    uint32_t lines = capacity / g.line_bytes;
    return (uint16_t)(lines > 0xFFFF ? 0xFFFF : lines);
}

/* A 60 Hz frame around the VBE picture, so the retrace bit keeps moving. */
void vga_vbe_timing(const struct vga *v, struct vga_timing *t)
{
    struct vbe_geometry g;
    vga_vbe_geometry(v, &g);
    t->hdisp = g.xres;
    t->htotal = g.xres + g.xres / 4;
    t->vdisp = g.yres;
    t->vtotal = g.yres + g.yres / 20 + 8;
    t->vrs = g.yres + 2;
    t->vrlen = 3;
    t->dot_hz = (uint64_t)t->htotal * t->vtotal * 60u;
}

uint16_t vga_dispi_read(struct vga *v, uint16_t index)
{
    const uint16_t *r = v->r.vbe;
    int caps = (r[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_GETCAPS) != 0;
    switch (index) {
    case VBE_DISPI_INDEX_XRES: return caps ? VBE_DISPI_MAX_XRES : r[index];
    case VBE_DISPI_INDEX_YRES: return caps ? VBE_DISPI_MAX_YRES : r[index];
    case VBE_DISPI_INDEX_BPP: return caps ? VBE_DISPI_MAX_BPP : r[index];
    case VBE_DISPI_INDEX_VIRT_HEIGHT: return virt_height(v);
    case VBE_DISPI_INDEX_VIDEO_MEMORY_64K: return (uint16_t)(VGA_VRAM_SIZE >> 16);
    default:
        if (index < VBE_DISPI_NREGS)
            return r[index];
        vga_warn_once(v, VGA_WARN_DISPI_INDEX, "read of DISPI register %#x (none)", index);
        return 0xFFFF;
    }
}

/* Enabling (0 -> 1) starts with the virtual width equal to XRES and no
 * offset, and clears the picture's memory unless NOCLEARMEM is set. */
static void dispi_enable(struct vga *v, uint16_t value)
{
    uint16_t *r = v->r.vbe;
    value &= VBE_DISPI_ENABLED | VBE_DISPI_GETCAPS | VBE_DISPI_8BIT_DAC | VBE_DISPI_LFB_ENABLED |
             VBE_DISPI_NOCLEARMEM;
    if ((value & VBE_DISPI_ENABLED) && !(r[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED)) {
        r[VBE_DISPI_INDEX_VIRT_WIDTH] = r[VBE_DISPI_INDEX_XRES];
        r[VBE_DISPI_INDEX_X_OFFSET] = 0;
        r[VBE_DISPI_INDEX_Y_OFFSET] = 0;
        if (!(value & VBE_DISPI_NOCLEARMEM)) {
            struct vbe_geometry g;
            vga_vbe_geometry(v, &g);
            uint32_t bytes = g.yres * g.line_bytes * (g.bpp == 4 ? 4u : 1u);
            memset(v->vram, 0, bytes);
        }
    }
    if (r[VBE_DISPI_INDEX_ENABLE] != value)
        v->dirty_full = 1;
    r[VBE_DISPI_INDEX_ENABLE] = value;
}

static void set_vbe_reg(struct vga *v, uint16_t index, uint16_t value)
{
    if (v->r.vbe[index] != value) {
        v->r.vbe[index] = value;
        v->dirty_full = 1;
    }
}

static uint16_t at_most(struct vga *v, uint16_t value, uint16_t max, const char *what)
{
    if (value <= max)
        return value;
    vga_warn_once(v, VGA_WARN_DISPI_VALUE, "DISPI %s %u beyond the maximum %u", what, value, max);
    return max;
}

void vga_dispi_write(struct vga *v, uint16_t index, uint16_t value)
{
    switch (index) {
    case VBE_DISPI_INDEX_ID:
        if (value >= VBE_DISPI_ID0 && value <= VBE_DISPI_ID5)
            v->r.vbe[index] = value;
        break;
    case VBE_DISPI_INDEX_XRES:
        set_vbe_reg(v, index, at_most(v, value, VBE_DISPI_MAX_XRES, "XRES"));
        break;
    case VBE_DISPI_INDEX_YRES:
        set_vbe_reg(v, index, at_most(v, value, VBE_DISPI_MAX_YRES, "YRES"));
        break;
    case VBE_DISPI_INDEX_BPP:
        if (!bpp_valid(value)) {
            vga_warn_once(v, VGA_WARN_DISPI_VALUE, "DISPI BPP %u (not 4/8/15/16/24/32), using 8", value);
            value = 8;
        }
        set_vbe_reg(v, index, value);
        break;
    case VBE_DISPI_INDEX_ENABLE:
        dispi_enable(v, value);
        break;
    case VBE_DISPI_INDEX_BANK:
        /* Banks beyond video memory wrap; SeaBIOS reads the bank back to
         * tell the guest the window did not move where asked. */
        v->r.vbe[index] = (uint16_t)(value & bank_mask(v));
        break;
    case VBE_DISPI_INDEX_VIRT_WIDTH:
    case VBE_DISPI_INDEX_X_OFFSET:
    case VBE_DISPI_INDEX_Y_OFFSET:
        set_vbe_reg(v, index, value);
        break;
    case VBE_DISPI_INDEX_VIRT_HEIGHT:   /* worked out from video memory and the width */
    case VBE_DISPI_INDEX_VIDEO_MEMORY_64K:
        break;
    default:
        vga_warn_once(v, VGA_WARN_DISPI_INDEX, "write of DISPI register %#x (none)", index);
        break;
    }
}

/* Ports 0x1CE (index), 0x1CF and 0x1D0 (data); 16-bit as the Bochs BIOS
 * uses them, bytes zero-extended. */
static uint32_t dispi_io_read(void *opaque, uint16_t port, int size)
{
    struct vga *v = opaque;
    uint16_t value = port == 0x1CE ? v->r.vbe_index : vga_dispi_read(v, v->r.vbe_index);
    return size == 1 ? (value & 0xFFu) : value;
}

static void dispi_io_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct vga *v = opaque;
    (void)size;
    if (port == 0x1CE)
        v->r.vbe_index = (uint16_t)value;
    else
        vga_dispi_write(v, v->r.vbe_index, (uint16_t)value);
}

int vga_vbe_register_ports(struct vga *v, struct portio *io)
{
    return portio_register(io, 0x1CE, 3, PORTIO_SIZE_8 | PORTIO_SIZE_16, dispi_io_read, dispi_io_write, v,
                           "vga dispi");
}

/* ---- Drawing ------------------------------------------------------------- */

static uint32_t expand5(uint32_t c) { return c << 3 | c >> 2; }
static uint32_t expand6(uint32_t c) { return c << 2 | c >> 4; }

static void packed_line(const struct vga *v, const struct vbe_geometry *g, const uint32_t *rgb,
                        const uint8_t *src, uint32_t *out)
{
    int big = v->r.byteorder == BYTEORDER_BIG;
    for (uint32_t x = 0; x < g->xres; x++) {
        uint32_t p;
        switch (g->bpp) {
        case 8:
            out[x] = rgb[src[x]];
            break;
        case 15:
            p = big ? (uint32_t)(src[2 * x] << 8 | src[2 * x + 1]) : le16_load(src + 2 * x);
            out[x] = expand5(p >> 10 & 31) << 16 | expand5(p >> 5 & 31) << 8 | expand5(p & 31);
            break;
        case 16:
            p = big ? (uint32_t)(src[2 * x] << 8 | src[2 * x + 1]) : le16_load(src + 2 * x);
            out[x] = expand5(p >> 11) << 16 | expand6(p >> 5 & 63) << 8 | expand5(p & 31);
            break;
        case 24:
            out[x] = (uint32_t)src[3 * x + 2] << 16 | (uint32_t)src[3 * x + 1] << 8 | src[3 * x];
            break;
        default: {
            const uint8_t *s = src + 4 * x;
            out[x] = big ? (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | s[3]
                         : (uint32_t)s[2] << 16 | (uint32_t)s[1] << 8 | s[0];
            break;
        }
        }
    }
}

/* 4 bpp: four planes, bit 7-(x%8) of each plane byte, through the
 * attribute palette like the VGA's 16-colour modes. */
static void planar_line(const struct vga *v, const struct vbe_geometry *g, uint32_t offset,
                        const uint32_t *attr_rgb, uint32_t *out)
{
    for (uint32_t x = 0; x < g->xres; x++) {
        const uint8_t *p = v->vram + (offset + x / 8) * 4;
        int s = 7 - (int)(x & 7);
        unsigned c = ((p[0] >> s) & 1) | ((p[1] >> s) & 1) << 1 | ((p[2] >> s) & 1) << 2 | ((p[3] >> s) & 1) << 3;
        out[x] = attr_rgb[c];
    }
}

void vga_vbe_render(struct vga *v, int blank)
{
    struct vbe_geometry g;
    vga_vbe_geometry(v, &g);
    int resized = vga_fb_resize(v, (int)g.xres, (int)g.yres);
    if (resized < 0)
        return;
    int full = resized || v->dirty_full;
    uint32_t rgb[256], attr_rgb[16];
    for (int i = 0; i < 256; i++)
        rgb[i] = vga_dac_rgb(v, (uint8_t)(i & v->r.pel_mask));
    for (int c = 0; c < 16; c++)
        attr_rgb[c] = rgb[vga_attr_to_dac(v, (uint8_t)c)];
    int drew = 0;
    if (blank) {
        if (full)
            vga_fb_fill(v, 0);
        drew = full;
    } else {
        for (uint32_t y = 0; y < g.yres; y++) {
            uint32_t off = g.start + y * g.line_bytes;
            uint32_t *out = v->fb + (size_t)y * g.xres;
            if (g.bpp == 4) {
                if (full || vga_vram_range_dirty(v, off * 4, g.xres / 2)) {
                    planar_line(v, &g, off, attr_rgb, out);
                    drew = 1;
                }
            } else if (full || vga_vram_range_dirty(v, off, g.xres * ((g.bpp + 7) / 8))) {
                packed_line(v, &g, rgb, v->vram + off, out);
                drew = 1;
            }
        }
    }
    memset(v->dirty_pages, 0, sizeof(v->dirty_pages));
    v->dirty_full = 0;
    v->blink_drawn = -1;
    if (drew)
        v->fb_changed = 1;
}

/* ---- BAR2: QEMU's register block ----------------------------------------- */

static uint8_t bar2_read8(struct vga *v, uint32_t off)
{
    if (off < 0x400)
        return off < sizeof(v->edid) ? v->edid[off] : 0;
    if (off >= 0x400 && off < 0x420)
        return vga_port_read8(v, (uint16_t)(0x3C0 + off - 0x400));
    if (off >= 0x500 && off < 0x500 + 2 * (VBE_DISPI_INDEX_VIDEO_MEMORY_64K + 1))
        return (uint8_t)(vga_dispi_read(v, (uint16_t)((off - 0x500) >> 1)) >> (8 * (off & 1)));
    if (off >= 0x600 && off < 0x604)
        return (uint8_t)(8u >> (8 * (off & 3)));     /* size of the extension registers */
    if (off >= 0x604 && off < 0x608)
        return (uint8_t)(v->r.byteorder >> (8 * (off & 3)));
    vga_warn_once(v, VGA_WARN_BAR2, "read of BAR2 offset %#x (nothing there)", off);
    return 0xFF;
}

static uint32_t bar2_read(void *opaque, uint64_t offset, int size)
{
    struct vga *v = opaque;
    if (!v->bar2.on)
        return vga_open_bus(size);
    uint32_t value = 0;
    for (int i = 0; i < size; i++)
        value |= (uint32_t)bar2_read8(v, (uint32_t)offset + (uint32_t)i) << (8 * i);
    return value;
}

static void bar2_write(void *opaque, uint64_t offset, uint32_t value, int size)
{
    struct vga *v = opaque;
    uint32_t off = (uint32_t)offset;
    if (!v->bar2.on)
        return;
    if (off >= 0x400 && off < 0x420) {
        /* Bytes in address order: a 16-bit write sets an index and its data. */
        for (int i = 0; i < size && off + (uint32_t)i < 0x420; i++)
            vga_port_write8(v, (uint16_t)(0x3C0 + off + (uint32_t)i - 0x400), (uint8_t)(value >> (8 * i)));
    } else if (off >= 0x500 && off < 0x500 + 2 * (VBE_DISPI_INDEX_VIDEO_MEMORY_64K + 1)) {
        uint16_t index = (uint16_t)((off - 0x500) >> 1);
        if (size == 1) {
            int shift = 8 * (int)(off & 1);
            uint16_t cur = index < VBE_DISPI_NREGS ? v->r.vbe[index] : 0;
            value = (cur & ~(0xFFu << shift)) | (value & 0xFFu) << shift;
        }
        vga_dispi_write(v, index, (uint16_t)value);
        if (size == 4 && index + 1u <= VBE_DISPI_INDEX_VIDEO_MEMORY_64K)
            vga_dispi_write(v, (uint16_t)(index + 1), (uint16_t)(value >> 16));
    } else if (off == 0x604 && size == 4) {
        if (value == BYTEORDER_LITTLE || value == BYTEORDER_BIG) {
            if (value == BYTEORDER_BIG)
                vga_warn_once(v, VGA_WARN_BIG_ENDIAN, "guest asked for a big-endian framebuffer");
            if (v->r.byteorder != value)
                v->dirty_full = 1;
            v->r.byteorder = value;
        }
    } else if (off >= 0x400) {
        vga_warn_once(v, VGA_WARN_BAR2, "write of BAR2 offset %#x (nothing there)", off);
    }
}

int vga_mmio_map(struct vga *v, struct physmem *pm, uint64_t base)
{
    return vga_move_region(v, &v->bar2, pm, base, VGA_MMIO_BAR_SIZE, bar2_read, bar2_write, "vga registers");
}

/* ---- EDID ---------------------------------------------------------------- */

/* An 18-byte detailed timing descriptor (VESA E-EDID 1.4, section 3.10.2). */
struct edid_timing {
    uint32_t khz;
    uint16_t hact, hblank, hso, hsw, vact, vblank, vso, vsw;
};

static void edid_detailed(uint8_t *d, const struct edid_timing *t, uint16_t hmm, uint16_t vmm)
{
    uint32_t clk = t->khz / 10;
    d[0] = (uint8_t)clk;
    d[1] = (uint8_t)(clk >> 8);
    d[2] = (uint8_t)t->hact;
    d[3] = (uint8_t)t->hblank;
    d[4] = (uint8_t)((t->hact >> 8) << 4 | (t->hblank >> 8));
    d[5] = (uint8_t)t->vact;
    d[6] = (uint8_t)t->vblank;
    d[7] = (uint8_t)((t->vact >> 8) << 4 | (t->vblank >> 8));
    d[8] = (uint8_t)t->hso;
    d[9] = (uint8_t)t->hsw;
    d[10] = (uint8_t)((t->vso & 15) << 4 | (t->vsw & 15));
    d[11] = (uint8_t)((t->hso >> 8) << 6 | (t->hsw >> 8) << 4 | (t->vso >> 4) << 2 | (t->vsw >> 4));
    d[12] = (uint8_t)hmm;
    d[13] = (uint8_t)vmm;
    d[14] = (uint8_t)((hmm >> 8) << 4 | (vmm >> 8));
    d[17] = 0x18;       /* digital separate sync, both polarities negative */
}

static void edid_text(uint8_t *d, uint8_t tag, const char *text)
{
    d[3] = tag;
    size_t n = strlen(text);
    for (size_t i = 0; i < 13; i++)
        d[5 + i] = i < n ? (uint8_t)text[i] : i == n ? 0x0A : 0x20;
}

/* A monitor that prefers 1024x768 at 60 Hz and lists the common larger
 * modes, so guests that read EDID offer them. */
void vga_vbe_build_edid(struct vga *v)
{
    uint8_t *e = v->edid;
    memset(e, 0, sizeof(v->edid));
    static const uint8_t header[8] = { 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00 };
    memcpy(e, header, 8);
    uint16_t maker = (uint16_t)(('T' - '@') << 10 | ('P' - '@') << 5 | ('Z' - '@'));
    e[8] = (uint8_t)(maker >> 8);
    e[9] = (uint8_t)maker;
    e[10] = (uint8_t)VGA_PCI_DEVICE;
    e[11] = (uint8_t)(VGA_PCI_DEVICE >> 8);
    e[17] = 2024 - 1990;    /* model year */
    e[18] = 1;              /* EDID 1.4 */
    e[19] = 4;
    e[20] = 0x08;           /* analog input, separate syncs */
    e[21] = 40;             /* 40 x 30 cm */
    e[22] = 30;
    e[23] = 120;            /* gamma 2.2 */
    e[24] = 0x0A;           /* RGB colour; the first detailed timing is the preferred one */
    /* sRGB primaries and D65 white, as 10-bit fractions of 1024. */
    static const uint16_t chroma[8] = { 655, 338, 307, 614, 154, 61, 320, 337 };
    e[25] = (uint8_t)((chroma[0] & 3) << 6 | (chroma[1] & 3) << 4 | (chroma[2] & 3) << 2 | (chroma[3] & 3));
    e[26] = (uint8_t)((chroma[4] & 3) << 6 | (chroma[5] & 3) << 4 | (chroma[6] & 3) << 2 | (chroma[7] & 3));
    for (int i = 0; i < 8; i++)
        e[27 + i] = (uint8_t)(chroma[i] >> 2);
    e[35] = 0x21;           /* established: 640x480@60, 800x600@60 */
    e[36] = 0x08;           /* 1024x768@60 */
    /* Standard timings at 60 Hz: (width / 8 - 31), aspect in bits 6-7. */
    static const struct { uint16_t w; uint8_t aspect; } std[8] = {
        { 1280, 2 }, { 1600, 1 }, { 1920, 3 }, { 1280, 3 }, { 1280, 0 }, { 1440, 0 }, { 1680, 0 }, { 1920, 0 },
    };
    for (int i = 0; i < 8; i++) {
        e[38 + 2 * i] = (uint8_t)(std[i].w / 8 - 31);
        e[39 + 2 * i] = (uint8_t)(std[i].aspect << 6);
    }
    static const struct edid_timing xga = { 65000, 1024, 320, 24, 136, 768, 38, 3, 6 };
    edid_detailed(e + 54, &xga, 400, 300);
    uint8_t *range = e + 72;    /* range limits: 50-75 Hz, 30-160 kHz, 300 MHz */
    range[3] = 0xFD;
    range[5] = 50;
    range[6] = 75;
    range[7] = 30;
    range[8] = 160;
    range[9] = 30;
    range[10] = 0x01;
    for (int i = 11; i < 18; i++)
        range[i] = i == 11 ? 0x0A : 0x20;
    edid_text(e + 90, 0xFC, "TRAPEZE VGA");
    e[108 + 3] = 0x10;      /* dummy descriptor */
    uint8_t sum = 0;
    for (int i = 0; i < 127; i++)
        sum = (uint8_t)(sum + e[i]);
    e[127] = (uint8_t)(0x100 - sum);
}
