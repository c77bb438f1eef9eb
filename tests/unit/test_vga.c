/* The VGA: registers, memory paths, rendering of text and graphics modes,
 * timing, the VBE extension, BAR2, save/load, two instances. */
#include <stdlib.h>
#include <string.h>

#include "peripherals/vga.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

/* A clock that runs at the 28.322 MHz dot clock: in mode 3 one cycle is one
 * dot, a line 900 cycles and a frame 900 * 449. */
#define DOT_HZ 28322000u
#define MODE3_LINE 900u
#define MODE3_FRAME (900u * 449u)

struct rig {
    struct clock clock;
    struct portio io;
    struct physmem pm;
    struct device_registry reg;
    struct vga vga;
};

static struct rig *rig_new(void)
{
    struct rig *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    clock_init(&r->clock, DOT_HZ);
    portio_init(&r->io);
    device_registry_init(&r->reg);
    if (physmem_init(&r->pm, 1u << 20) != 0 || vga_init(&r->vga, &r->io, &r->pm, &r->reg, &r->clock) != 0) {
        free(r);
        return NULL;
    }
    return r;
}

static void rig_free(struct rig *r)
{
    vga_destroy(&r->vga);
    physmem_destroy(&r->pm);
    free(r);
}

static void outb(struct rig *r, uint16_t port, uint8_t v) { portio_write(&r->io, port, v, 1); }
static uint8_t inb(struct rig *r, uint16_t port) { return (uint8_t)portio_read(&r->io, port, 1); }
static void outw(struct rig *r, uint16_t port, uint16_t v) { portio_write(&r->io, port, v, 2); }
static uint16_t inw(struct rig *r, uint16_t port) { return (uint16_t)portio_read(&r->io, port, 2); }
/* Index/data pairs written as one 16-bit OUT, as VGA BIOSes do. */
static void seq_w(struct rig *r, uint8_t i, uint8_t v) { outw(r, 0x3C4, (uint16_t)(v << 8 | i)); }
static void gc_w(struct rig *r, uint8_t i, uint8_t v) { outw(r, 0x3CE, (uint16_t)(v << 8 | i)); }
static void crtc_w(struct rig *r, uint8_t i, uint8_t v) { outw(r, 0x3D4, (uint16_t)(v << 8 | i)); }
static uint8_t crtc_r(struct rig *r, uint8_t i) { outb(r, 0x3D4, i); return inb(r, 0x3D5); }
static uint8_t gc_r(struct rig *r, uint8_t i) { outb(r, 0x3CE, i); return inb(r, 0x3CF); }
static void attr_w(struct rig *r, uint8_t i, uint8_t v)
{
    inb(r, 0x3DA);
    outb(r, 0x3C0, i);
    outb(r, 0x3C0, v);
}
static void dispi_w(struct rig *r, uint16_t i, uint16_t v) { outw(r, 0x1CE, i); outw(r, 0x1CF, v); }
static uint16_t dispi_r(struct rig *r, uint16_t i) { outw(r, 0x1CE, i); return inw(r, 0x1CF); }
/* A run of bytes to one port; and whether a run of reads gives these bytes. */
static void out_run(struct rig *r, uint16_t port, const uint8_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        outb(r, port, v[i]);
}
static int in_run(struct rig *r, uint16_t port, const uint8_t *want, size_t n)
{
    int ok = 1;
    for (size_t i = 0; i < n; i++)
        ok &= inb(r, port) == want[i];
    return ok;
}
#define BYTES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })
static void dac_set(struct rig *r, uint8_t i, uint8_t red, uint8_t green, uint8_t blue)
{
    outb(r, 0x3C8, i);
    outb(r, 0x3C9, red);
    outb(r, 0x3C9, green);
    outb(r, 0x3C9, blue);
}
/* The order SeaBIOS's bochsvga and Linux's bochs-drm use: off, geometry, on. */
static void vbe_set(struct rig *r, uint16_t x, uint16_t y, uint16_t bpp, uint16_t enable)
{
    dispi_w(r, VBE_DISPI_INDEX_ENABLE, 0);
    dispi_w(r, VBE_DISPI_INDEX_BPP, bpp);
    dispi_w(r, VBE_DISPI_INDEX_XRES, x);
    dispi_w(r, VBE_DISPI_INDEX_YRES, y);
    dispi_w(r, VBE_DISPI_INDEX_BANK, 0);
    dispi_w(r, VBE_DISPI_INDEX_ENABLE, enable);
}

/* The IBM standard mode register sets (sequencer 1-4, misc, CRTC 0-18h,
 * attribute 0-13h, graphics 0-8). */
struct mode_regs {
    uint8_t seq[4], misc, crtc[25], attr[20], gc[9];
};
static const struct mode_regs mode03 = {
    { 0x00, 0x03, 0x00, 0x02 }, 0x67,
    { 0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00,
      0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF },
    { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
      0x0C, 0x00, 0x0F, 0x08 },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0E, 0x0F, 0xFF },
};
static const struct mode_regs mode13 = {
    { 0x01, 0x0F, 0x00, 0x0E }, 0x63,
    { 0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x9C, 0x8E, 0x8F, 0x28, 0x40, 0x96, 0xB9, 0xA3, 0xFF },
    { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
      0x41, 0x00, 0x0F, 0x00 },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0F, 0xFF },
};
static const struct mode_regs mode12 = {
    { 0x01, 0x0F, 0x00, 0x06 }, 0xE3,
    { 0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0x0B, 0x3E, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0xEA, 0x8C, 0xDF, 0x28, 0x00, 0xE7, 0x04, 0xE3, 0xFF },
    { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
      0x01, 0x00, 0x0F, 0x00 },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0F, 0xFF },
};
static const struct mode_regs mode04 = {
    { 0x09, 0x03, 0x00, 0x02 }, 0x63,
    { 0x2D, 0x27, 0x28, 0x90, 0x2B, 0x80, 0xBF, 0x1F, 0x00, 0xC1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x9C, 0x8E, 0x8F, 0x14, 0x00, 0x96, 0xB9, 0xA2, 0xFF },
    { 0x00, 0x13, 0x15, 0x17, 0x02, 0x04, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
      0x01, 0x00, 0x03, 0x00 },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x0F, 0x0F, 0xFF },
};
static const struct mode_regs mode06 = {
    { 0x01, 0x01, 0x00, 0x06 }, 0x63,
    { 0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0xC1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x9C, 0x8E, 0x8F, 0x28, 0x00, 0x96, 0xB9, 0xC2, 0xFF },
    { 0x00, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17,
      0x01, 0x00, 0x01, 0x00 },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0D, 0x0F, 0xFF },
};

/* The EGA's 64 colours: bits 0-2 are 2/3 blue, green, red, bits 3-5 1/3. */
static void ega_dac(uint8_t i, uint8_t rgb[3])
{
    rgb[0] = (uint8_t)(((i >> 2) & 1) * 0x2A + ((i >> 5) & 1) * 0x15);
    rgb[1] = (uint8_t)(((i >> 1) & 1) * 0x2A + ((i >> 4) & 1) * 0x15);
    rgb[2] = (uint8_t)((i & 1) * 0x2A + ((i >> 3) & 1) * 0x15);
}
static uint32_t wide(uint8_t c) { return (uint32_t)(c << 2 | c >> 4); }
static uint32_t ega_rgb(uint8_t i)
{
    uint8_t c[3];
    ega_dac(i, c);
    return wide(c[0]) << 16 | wide(c[1]) << 8 | wide(c[2]);
}

/* What a VGA BIOS does to set a mode (and what SeaBIOS's stdvga does). */
static void set_mode(struct rig *r, const struct mode_regs *m)
{
    outb(r, 0x3C2, 0xC3);
    outb(r, 0x3C6, 0xFF);
    outb(r, 0x3C8, 0);
    for (int i = 0; i < 256; i++) {
        uint8_t c[3];
        ega_dac((uint8_t)(i & 63), c);
        for (int k = 0; k < 3; k++)
            outb(r, 0x3C9, c[k]);
    }
    for (int i = 0; i < 20; i++)
        attr_w(r, (uint8_t)i, m->attr[i]);
    attr_w(r, 0x14, 0);
    seq_w(r, 0, 0x03);
    for (int i = 0; i < 4; i++)
        seq_w(r, (uint8_t)(i + 1), m->seq[i]);
    for (int i = 0; i < 9; i++)
        gc_w(r, (uint8_t)i, m->gc[i]);
    crtc_w(r, 0x11, 0x00);
    for (int i = 0; i < 25; i++)
        crtc_w(r, (uint8_t)i, m->crtc[i]);
    outb(r, 0x3C2, m->misc);
    inb(r, 0x3DA);
    outb(r, 0x3C0, 0x20);
}

static void render(struct rig *r, int *w, int *h, int *changed, const uint32_t **fb)
{
    vga_render(&r->vga);
    *fb = vga_framebuffer(&r->vga, w, h, changed);
}

/* Render and check the frame's size; the pixels. */
static const uint32_t *frame(struct rig *r, int want_w, int want_h)
{
    int w, h, changed;
    vga_render(&r->vga);
    const uint32_t *fb = vga_framebuffer(&r->vga, &w, &h, &changed);
    CHECK_EQ(w, want_w);
    CHECK_EQ(h, want_h);
    return fb;
}

struct px {
    int x, y;
    uint32_t rgb;
};
static void check_pixels(const uint32_t *fb, int w, const struct px *p, size_t n, int line)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t got = fb[p[i].y * w + p[i].x];
        CHECK(got == p[i].rgb);
        if (got != p[i].rgb)
            fprintf(stderr, "  (line %d) pixel (%d,%d) is %06x, not %06x\n", line, p[i].x, p[i].y, got, p[i].rgb);
    }
}
#define CHECK_PIXELS(fb, w, ...) \
    check_pixels(fb, w, (const struct px[]){ __VA_ARGS__ }, \
                 sizeof((const struct px[]){ __VA_ARGS__ }) / sizeof(struct px), __LINE__)

/* Plane 2 through the font-loading sequence, then back to text access. */
static void load_glyph(struct rig *r, uint8_t ch, const uint8_t rows[16])
{
    seq_w(r, 0, 1); seq_w(r, 2, 4); seq_w(r, 4, 7); seq_w(r, 0, 3);
    gc_w(r, 4, 2); gc_w(r, 5, 0); gc_w(r, 6, 4);
    for (int i = 0; i < 16; i++)
        physmem_write(&r->pm, 0xA0000 + ch * 32u + (uint32_t)i, rows[i], 1);
    seq_w(r, 0, 1); seq_w(r, 2, 3); seq_w(r, 4, 3); seq_w(r, 0, 3);
    gc_w(r, 6, 0x0E); gc_w(r, 4, 0); gc_w(r, 5, 0x10);
}

static void put_char(struct rig *r, int row, int col, uint8_t ch, uint8_t attr)
{
    physmem_write(&r->pm, 0xB8000 + 2u * (uint32_t)(row * 80 + col), (uint32_t)(ch | attr << 8), 2);
}

static void test_text_mode(void)
{
    struct rig *r = rig_new();
    set_mode(r, &mode03);
    uint8_t a[16] = { 0 }, box[16] = { 0 }, b[16] = { 0 };
    a[2] = 0x81;
    box[5] = 0xFF;
    b[3] = 0x01;
    load_glyph(r, 'A', a);
    load_glyph(r, 0xC4, box);
    load_glyph(r, 'B', b);
    for (int i = 0; i < 80 * 25; i++)
        put_char(r, i / 80, i % 80, ' ', 0x07);
    put_char(r, 3, 10, 'A', 0x1E);
    put_char(r, 3, 11, 0xC4, 0x1E);
    put_char(r, 3, 12, 'B', 0x1E);
    const char *hello = "HELLO, VGA";
    for (int i = 0; hello[i]; i++)
        put_char(r, 0, i, (uint8_t)hello[i], 0x07);
    CHECK_EQ(physmem_read(&r->pm, 0xB8000 + 2 * (3 * 80 + 10), 2), 0x1E41);

    int w, h, changed;
    const uint32_t *fb;
    render(r, &w, &h, &changed, &fb);
    CHECK_EQ(w, 720);
    CHECK_EQ(h, 400);
    CHECK(changed);
    uint32_t yellow = 0xFFFF55, blue = 0x0000AA;
    int x0 = 10 * 9, y0 = 3 * 16;
    /* 'A' row 2 is 10000001, the 9th column background; C4h (line graphics)
     * continues into its 9th column, 'B' does not. */
    CHECK_PIXELS(fb, w, { x0, y0 + 2, yellow }, { x0 + 1, y0 + 2, blue }, { x0 + 7, y0 + 2, yellow },
                 { x0 + 8, y0 + 2, blue }, { x0, y0 + 3, blue }, { x0 + 17, y0 + 5, yellow },
                 { x0 + 25, y0 + 3, yellow }, { x0 + 26, y0 + 3, blue });

    /* Nothing changed: no new frame. */
    render(r, &w, &h, &changed, &fb);
    CHECK_EQ(changed, 0);

    /* The cursor: scan lines 13-14 of its cell, in the cell's foreground. */
    crtc_w(r, 0x0E, 0);
    crtc_w(r, 0x0F, 3 * 80 + 12);
    render(r, &w, &h, &changed, &fb);
    CHECK(changed);
    CHECK_PIXELS(fb, w, { x0 + 21, y0 + 13, yellow }, { x0 + 26, y0 + 14, yellow }, { x0 + 21, y0 + 12, blue });
    /* Eight frames later the cursor blinks off. */
    r->clock.now = 8u * MODE3_FRAME + 10;
    render(r, &w, &h, &changed, &fb);
    CHECK(changed);
    CHECK_EQ(fb[(y0 + 13) * w + x0 + 18 + 3], blue);
    r->clock.now = 16u * MODE3_FRAME + 10;
    render(r, &w, &h, &changed, &fb);
    CHECK_EQ(fb[(y0 + 13) * w + x0 + 18 + 3], yellow);
    /* Cursor disable bit. */
    crtc_w(r, 0x0A, 0x2D);
    render(r, &w, &h, &changed, &fb);
    CHECK_EQ(fb[(y0 + 13) * w + x0 + 18 + 3], blue);

    /* A blinking character vanishes in the off phase (frames 16-31). */
    put_char(r, 3, 10, 'A', 0x9E);
    render(r, &w, &h, &changed, &fb);
    CHECK_EQ(fb[(y0 + 2) * w + x0], blue);
    r->clock.now = 32u * MODE3_FRAME + 10;
    render(r, &w, &h, &changed, &fb);
    CHECK_EQ(fb[(y0 + 2) * w + x0], yellow);

    /* 8-dot characters make 640 pixels. */
    seq_w(r, 1, 0x01);
    render(r, &w, &h, &changed, &fb);
    CHECK_EQ(w, 640);
    seq_w(r, 1, 0x00);

    char snap[4096];
    size_t n = vga_text_snapshot(&r->vga, snap, sizeof(snap));
    CHECK(n > 0);
    CHECK(strncmp(snap, "HELLO, VGA\n", 11) == 0);
    CHECK(strstr(snap, "A-") != NULL);
    /* Start address: scrolling by one row moves row 3 to row 2. */
    crtc_w(r, 0x0C, 0);
    crtc_w(r, 0x0D, 80);
    vga_text_snapshot(&r->vga, snap, sizeof(snap));
    CHECK(strncmp(snap, "\n\n          A-B\n", 16) == 0);
    /* A tiny buffer is cut, NUL-terminated. */
    char tiny[4];
    CHECK_EQ(vga_text_snapshot(&r->vga, tiny, sizeof(tiny)), 3);
    CHECK_EQ(tiny[3], 0);
    rig_free(r);
}

static void test_registers(void)
{
    struct rig *r = rig_new();
    outb(r, 0x3C2, 0x67);
    CHECK_EQ(inb(r, 0x3CC), 0x67);
    /* Colour addressing: the CRTC answers at 3D4/3D5 only. */
    crtc_w(r, 0x0E, 0x12);
    CHECK_EQ(crtc_r(r, 0x0E), 0x12);
    CHECK_EQ(inb(r, 0x3B5), 0xFF);
    outb(r, 0x3C2, 0x66);
    outb(r, 0x3B4, 0x0E);
    CHECK_EQ(inb(r, 0x3B5), 0x12);
    CHECK_EQ(inb(r, 0x3D5), 0xFF);
    outb(r, 0x3C2, 0x67);

    /* Write protect: CR00-07 locked except CR07 bit 4. */
    crtc_w(r, 0x00, 0x5F); crtc_w(r, 0x07, 0x00); crtc_w(r, 0x11, 0x8E);
    crtc_w(r, 0x00, 0x11); crtc_w(r, 0x07, 0xFF);
    CHECK_EQ(crtc_r(r, 0x00), 0x5F);
    CHECK_EQ(crtc_r(r, 0x07), 0x10);
    crtc_w(r, 0x11, 0x0E); crtc_w(r, 0x00, 0x11);
    CHECK_EQ(crtc_r(r, 0x00), 0x11);
    /* Out-of-range indices: open bus, no crash. */
    CHECK_EQ(crtc_r(r, 0x40), 0xFF);
    crtc_w(r, 0xFF, 0x55);
    CHECK_EQ(crtc_r(r, 0xFF), 0xFF);
    outb(r, 0x3C4, 7);
    CHECK_EQ(inb(r, 0x3C5), 0xFF);
    outb(r, 0x3C5, 1);
    CHECK_EQ(gc_r(r, 0x0F), 0xFF);
    CHECK_EQ(inb(r, 0x3CD), 0xFF);
    /* Implemented bits only. */
    seq_w(r, 4, 0xFF);
    outb(r, 0x3C4, 4);
    CHECK_EQ(inb(r, 0x3C5), 0x0E);
    gc_w(r, 5, 0xFF);
    CHECK_EQ(gc_r(r, 5), 0x7B);

    /* The attribute flip-flop: index, data, index... reset by 0x3DA. */
    inb(r, 0x3DA);
    out_run(r, 0x3C0, BYTES(0x01, 0x2A));
    CHECK_EQ(inb(r, 0x3C0), 0x01);
    CHECK_EQ(inb(r, 0x3C1), 0x2A);
    out_run(r, 0x3C0, BYTES(0x05, 0x11, 0x05));
    CHECK_EQ(inb(r, 0x3C1), 0x11);
    outb(r, 0x3C0, 0x02);           /* an index, then a status read resets */
    inb(r, 0x3DA);
    out_run(r, 0x3C0, BYTES(0x03, 0x33));
    CHECK_EQ(inb(r, 0x3C0), 0x03);
    CHECK_EQ(inb(r, 0x3C1), 0x33);
    outb(r, 0x3C0, 0x02);
    CHECK_EQ(inb(r, 0x3C1), 0x00);
    /* Palette address source set: the palette is locked, overscan is not. */
    inb(r, 0x3DA);
    out_run(r, 0x3C0, BYTES(0x21, 0x3F, 0x31, 0x09));
    attr_w(r, 0x01, 0x15);
    inb(r, 0x3DA);
    outb(r, 0x3C0, 0x11);
    CHECK_EQ(inb(r, 0x3C1), 0x09);
    out_run(r, 0x3C0, BYTES(0x01, 0x01));
    CHECK_EQ(inb(r, 0x3C1), 0x15);
    outb(r, 0x3C1, 0x00);           /* read-only port */
    CHECK_EQ(inb(r, 0x3C1), 0x15);
    inb(r, 0x3DA);
    outb(r, 0x3C0, 0x3F);
    CHECK_EQ(inb(r, 0x3C1), 0xFF);  /* no register 1Fh */

    /* The DAC: three writes make an entry, indices advance, 6 bits kept. */
    uint8_t before[3];
    memcpy(before, r->vga.r.dac[5], 3);
    outb(r, 0x3C8, 5);
    out_run(r, 0x3C9, BYTES(1, 2));
    CHECK(memcmp(r->vga.r.dac[5], before, 3) == 0);
    outb(r, 0x3C9, 3);
    CHECK_EQ(r->vga.r.dac[5][2], 3);
    CHECK_EQ(inb(r, 0x3C8), 6);
    CHECK_EQ(inb(r, 0x3C7), 0);
    out_run(r, 0x3C9, BYTES(0xFF, 0x40, 0x21));
    outb(r, 0x3C7, 5);
    CHECK_EQ(inb(r, 0x3C7), 3);
    CHECK(in_run(r, 0x3C9, BYTES(1, 2, 3, 0x3F, 0x00, 0x21)));
    outb(r, 0x3C6, 0x0F);
    CHECK_EQ(inb(r, 0x3C6), 0x0F);
    outb(r, 0x3C8, 0xFF);           /* wraps from 255 to 0 */
    out_run(r, 0x3C9, BYTES(0x10, 0x10, 0x10, 0x10, 0x10, 0x10));
    CHECK_EQ(r->vga.r.dac[0][0], 0x10);
    rig_free(r);
}

static void test_retrace(void)
{
    struct rig *r = rig_new();
    set_mode(r, &mode03);
    /* 449 lines of 900 dots, retrace from line 412 for 2 lines, 720 x 400 shown. */
    r->clock.now = 0;
    CHECK_EQ(inb(r, 0x3DA) & 0x09, 0x00);
    r->clock.now = 100 * MODE3_LINE + 800;
    CHECK_EQ(inb(r, 0x3DA) & 0x09, 0x01);
    r->clock.now = 412 * MODE3_LINE + 10;
    CHECK_EQ(inb(r, 0x3DA) & 0x09, 0x09);
    r->clock.now = 414 * MODE3_LINE + 10;
    CHECK_EQ(inb(r, 0x3DA) & 0x09, 0x01);
    r->clock.now = 5u * MODE3_FRAME + 412 * MODE3_LINE;
    CHECK_EQ(inb(r, 0x3DA) & 0x08, 0x08);
    /* A guest's wait-for-retrace loop ends, and so does wait-for-end. */
    r->clock.now = 1000;
    int steps = 0;
    while (!(inb(r, 0x3DA) & 8) && steps < 100000) {
        r->clock.now += 37;
        steps++;
    }
    CHECK(steps > 0 && steps < 100000);
    while ((inb(r, 0x3DA) & 8) && steps < 100000) {
        r->clock.now += 37;
        steps++;
    }
    CHECK(steps < 100000);
    /* Garbage timings still give a retrace. */
    crtc_w(r, 0x11, 0x00); crtc_w(r, 0x06, 0x00); crtc_w(r, 0x07, 0x00); crtc_w(r, 0x10, 0xFF);
    int seen = 0;
    for (int i = 0; i < 5000 && !seen; i++) {
        r->clock.now += 7;
        seen = inb(r, 0x3DA) & 8;
    }
    CHECK(seen);
    rig_free(r);
}

/* The byte of plane p at plane offset off (read mode 0, read map select). */
static uint8_t plane_byte(struct rig *r, int p, uint32_t off)
{
    gc_w(r, 4, (uint8_t)p);
    return (uint8_t)physmem_read(&r->pm, 0xA0000 + off, 1);
}

static void test_mode12_write_modes(void)
{
    struct rig *r = rig_new();
    set_mode(r, &mode12);
    int w, h, changed;
    const uint32_t *fb;
    fb = frame(r, 640, 480);

    /* Write mode 0 with set/reset on all planes: colour 12. */
    gc_w(r, 1, 0x0F);
    gc_w(r, 0, 0x0C);
    physmem_write(&r->pm, 0xA0000 + 10 * 80 + 2, 0x00, 1);
    render(r, &w, &h, &changed, &fb);
    CHECK(changed);
    CHECK_EQ(fb[10 * 640 + 16], ega_rgb(0x3C));
    CHECK_EQ(fb[10 * 640 + 23], ega_rgb(0x3C));
    CHECK_EQ(fb[10 * 640 + 24], ega_rgb(0));
    /* Bit mask keeps the latched left half: load latches, write colour 1. */
    (void)physmem_read(&r->pm, 0xA0000 + 10 * 80 + 2, 1);
    gc_w(r, 0, 0x01);
    gc_w(r, 8, 0x0F);
    physmem_write(&r->pm, 0xA0000 + 10 * 80 + 2, 0xFF, 1);
    CHECK_EQ(plane_byte(r, 0, 10 * 80 + 2), 0x0F);
    CHECK_EQ(plane_byte(r, 1, 10 * 80 + 2), 0x00);
    CHECK_EQ(plane_byte(r, 2, 10 * 80 + 2), 0xF0);
    CHECK_EQ(plane_byte(r, 3, 10 * 80 + 2), 0xF0);
    render(r, &w, &h, &changed, &fb);
    CHECK_EQ(fb[10 * 640 + 16], ega_rgb(0x3C));
    CHECK_EQ(fb[10 * 640 + 23], ega_rgb(0x01));

    /* Write mode 2: the low nibble is the colour, bit mask picks pixel 0. */
    gc_w(r, 1, 0x00); gc_w(r, 5, 0x02); gc_w(r, 8, 0x80);
    (void)physmem_read(&r->pm, 0xA0000 + 10 * 80 + 2, 1);
    physmem_write(&r->pm, 0xA0000 + 10 * 80 + 2, 0x05, 1);
    render(r, &w, &h, &changed, &fb);
    CHECK_EQ(fb[10 * 640 + 16], ega_rgb(0x05));
    CHECK_EQ(fb[10 * 640 + 17], ega_rgb(0x3C));

    /* Write mode 3: set/reset colour, the rotated byte ANDed with the mask. */
    gc_w(r, 5, 0x03); gc_w(r, 8, 0xFF); gc_w(r, 0, 0x0A);
    gc_w(r, 3, 0x01);               /* rotate right by one */
    (void)physmem_read(&r->pm, 0xA0000 + 20 * 80, 1);
    physmem_write(&r->pm, 0xA0000 + 20 * 80, 0x78, 1);  /* -> 0x3C: pixels 2-5 */
    gc_w(r, 3, 0x00);
    gc_w(r, 5, 0x00);
    CHECK_EQ(plane_byte(r, 1, 20 * 80), 0x3C);
    CHECK_EQ(plane_byte(r, 3, 20 * 80), 0x3C);
    CHECK_EQ(plane_byte(r, 0, 20 * 80), 0x00);

    /* Read mode 1: colour compare finds the colour-10 pixels. */
    gc_w(r, 5, 0x08); gc_w(r, 2, 0x0A); gc_w(r, 7, 0x0F);
    CHECK_EQ(physmem_read(&r->pm, 0xA0000 + 20 * 80, 1), 0x3C);
    gc_w(r, 7, 0x00);               /* nothing cared about: all match */
    CHECK_EQ(physmem_read(&r->pm, 0xA0000 + 20 * 80, 1), 0xFF);
    gc_w(r, 5, 0x00);

    /* Write mode 1 copies the latches (a screen-to-screen copy). */
    (void)physmem_read(&r->pm, 0xA0000 + 20 * 80, 1);
    gc_w(r, 5, 0x01);
    physmem_write(&r->pm, 0xA0000 + 30 * 80 + 5, 0x00, 1);
    gc_w(r, 5, 0x00);
    CHECK_EQ(plane_byte(r, 1, 30 * 80 + 5), 0x3C);
    CHECK_EQ(plane_byte(r, 3, 30 * 80 + 5), 0x3C);

    /* XOR with the latches; the map mask limits the planes written. */
    gc_w(r, 3, 0x18);
    seq_w(r, 2, 0x02);
    (void)physmem_read(&r->pm, 0xA0000 + 30 * 80 + 5, 1);
    physmem_write(&r->pm, 0xA0000 + 30 * 80 + 5, 0xFF, 1);
    gc_w(r, 3, 0x00);
    seq_w(r, 2, 0x0F);
    CHECK_EQ(plane_byte(r, 1, 30 * 80 + 5), 0xC3);
    CHECK_EQ(plane_byte(r, 3, 30 * 80 + 5), 0x3C);

    /* Plane writes outside the chosen window are not decoded. */
    CHECK_EQ(physmem_read(&r->pm, 0xB8000, 1), 0xFF);
    gc_w(r, 6, 0x0A);               /* B0000, 32 KiB */
    physmem_write(&r->pm, 0xB0000 + 7, 0x81, 1);
    CHECK_EQ(physmem_read(&r->pm, 0xB0007, 1), 0x81);
    CHECK_EQ(physmem_read(&r->pm, 0xA0000, 1), 0xFF);
    gc_w(r, 6, 0x05);
    CHECK_EQ(plane_byte(r, 0, 7), 0x81);
    outb(r, 0x3C2, 0xE1);           /* RAM access off */
    CHECK_EQ(physmem_read(&r->pm, 0xA0007, 1), 0xFF);
    rig_free(r);
}

static void test_mode13_and_x(void)
{
    struct rig *r = rig_new();
    set_mode(r, &mode13);
    dac_set(r, 0x33, 0x3F, 0, 0);
    dac_set(r, 0x44, 0, 0x3F, 0);
    physmem_write(&r->pm, 0xA0000 + 5 * 320 + 10, 0x33, 1);
    physmem_write(&r->pm, 0xA0000 + 199 * 320 + 316, 0x44330044u, 4);
    CHECK_EQ(physmem_read(&r->pm, 0xA0000 + 5 * 320 + 10, 1), 0x33);
    /* Chain-4 keeps pixel a in plane a&3 at offset a&~3. */
    uint32_t a = 5 * 320 + 10;
    CHECK_EQ(r->vga.vram[(a & ~3u) * 4 + (a & 3)], 0x33);
    int w, h, changed;
    const uint32_t *fb = frame(r, 320, 200);
    CHECK_PIXELS(fb, 320, { 10, 5, 0xFF0000 }, { 11, 5, 0 }, { 316, 199, 0x00FF00 }, { 317, 199, 0 },
                 { 318, 199, 0xFF0000 });
    /* The pel mask applies before the DAC. */
    outb(r, 0x3C6, 0x0F);
    render(r, &w, &h, &changed, &fb);
    CHECK_EQ(fb[5 * 320 + 10], ega_rgb(0x03));
    outb(r, 0x3C6, 0xFF);

    /* Mode X: chain-4 off, byte addressing, planes by the map mask. */
    seq_w(r, 4, 0x06); crtc_w(r, 0x14, 0x00); crtc_w(r, 0x17, 0xE3);
    for (int p = 0; p < 4; p++) {   /* clear both pages */
        seq_w(r, 2, (uint8_t)(1 << p));
        for (uint32_t i = 0; i < 32000; i++)
            physmem_write(&r->pm, 0xA0000 + i, 0, 1);
    }
    seq_w(r, 2, 1 << (13 & 3));
    physmem_write(&r->pm, 0xA0000 + 7 * 80 + 13 / 4, 0x33, 1);
    seq_w(r, 2, 1 << (2 & 3));
    physmem_write(&r->pm, 0xA0000 + 16000 + 2 / 4, 0x44, 1);   /* page 2, pixel (2,0) */
    fb = frame(r, 320, 200);
    CHECK_PIXELS(fb, 320, { 13, 7, 0xFF0000 }, { 12, 7, 0 });
    /* Page flip to page 2 with the start address (byte mode: plane offsets). */
    crtc_w(r, 0x0C, 16000 >> 8); crtc_w(r, 0x0D, 16000 & 0xFF);
    render(r, &w, &h, &changed, &fb);
    CHECK_PIXELS(fb, 320, { 2, 0, 0x00FF00 }, { 13, 7, 0 });
    /* Split screen: line compare 199 (scan lines) -> output line 100 on
     * shows page 1 from its top. */
    crtc_w(r, 0x07, 0x0F);          /* protected, but bit 4 (LC8) is writable */
    crtc_w(r, 0x09, 0x01); crtc_w(r, 0x18, 199);
    render(r, &w, &h, &changed, &fb);
    CHECK_PIXELS(fb, 320, { 2, 0, 0x00FF00 }, { 13, 107, 0xFF0000 }, { 12, 107, 0 });
    /* Pixel panning (256-colour: pairs of dots) shifts the picture left. */
    attr_w(r, 0x13, 0x02);
    inb(r, 0x3DA); outb(r, 0x3C0, 0x20);
    render(r, &w, &h, &changed, &fb);
    CHECK_EQ(fb[1], 0x00FF00);
    /* Blanked while the palette address source is clear. */
    attr_w(r, 0x13, 0x00);
    render(r, &w, &h, &changed, &fb);
    CHECK(changed);
    CHECK_EQ(fb[1], 0);
    rig_free(r);
}

static void test_cga_modes(void)
{
    struct rig *r = rig_new();
    set_mode(r, &mode04);
    physmem_write(&r->pm, 0xB8000, 0x1B, 1);            /* pixels 0,1,2,3 */
    physmem_write(&r->pm, 0xB8001, 0xE4, 1);            /* pixels 3,2,1,0 */
    physmem_write(&r->pm, 0xB8000 + 0x2000, 0xFF, 1);   /* odd line bank */
    CHECK_EQ(physmem_read(&r->pm, 0xB8001, 1), 0xE4);
    const uint32_t *fb = frame(r, 320, 200);
    CHECK_PIXELS(fb, 320, { 0, 0, ega_rgb(0x00) }, { 1, 0, ega_rgb(0x13) }, { 2, 0, ega_rgb(0x15) },
                 { 3, 0, ega_rgb(0x17) }, { 4, 0, ega_rgb(0x17) }, { 7, 0, ega_rgb(0x00) },
                 { 0, 1, ega_rgb(0x17) }, { 0, 2, ega_rgb(0x00) });

    set_mode(r, &mode06);
    for (uint32_t i = 0; i < 0x4000; i++)
        physmem_write(&r->pm, 0xB8000 + i, 0, 1);
    physmem_write(&r->pm, 0xB8000, 0x80, 1);
    physmem_write(&r->pm, 0xB8000 + 0x2000 + 1, 0x01, 1);
    fb = frame(r, 640, 200);
    CHECK_PIXELS(fb, 640, { 0, 0, ega_rgb(0x17) }, { 1, 0, ega_rgb(0x00) }, { 15, 1, ega_rgb(0x17) },
                 { 14, 1, ega_rgb(0x00) });
    rig_free(r);
}

static uint32_t lfb_pixel_addr(uint32_t base, int x, int y, int width)
{
    return base + (uint32_t)(y * width + x) * 4u;
}

static void test_vbe(void)
{
    struct rig *r = rig_new();
    set_mode(r, &mode03);
    CHECK_EQ(dispi_r(r, VBE_DISPI_INDEX_ID), VBE_DISPI_ID5);
    dispi_w(r, VBE_DISPI_INDEX_ID, VBE_DISPI_ID0);
    CHECK_EQ(dispi_r(r, VBE_DISPI_INDEX_ID), VBE_DISPI_ID0);
    dispi_w(r, VBE_DISPI_INDEX_ID, 0x1234);
    CHECK_EQ(dispi_r(r, VBE_DISPI_INDEX_ID), VBE_DISPI_ID0);
    dispi_w(r, VBE_DISPI_INDEX_ID, VBE_DISPI_ID5);
    CHECK_EQ(dispi_r(r, VBE_DISPI_INDEX_VIDEO_MEMORY_64K), 256);
    dispi_w(r, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_GETCAPS);
    CHECK_EQ(dispi_r(r, VBE_DISPI_INDEX_XRES), VBE_DISPI_MAX_XRES);
    CHECK_EQ(dispi_r(r, VBE_DISPI_INDEX_BPP), 32);
    dispi_w(r, VBE_DISPI_INDEX_ENABLE, 0);

    /* 1024x768x32 the way SeaBIOS's bochsvga sets it. */
    CHECK_EQ(vga_lfb_map(&r->vga, &r->pm, 0xE0000000u), 0);
    vbe_set(r, 1024, 768, 32, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
    gc_w(r, 6, 0x05);
    CHECK_EQ(dispi_r(r, VBE_DISPI_INDEX_VIRT_WIDTH), 1024);
    CHECK_EQ(dispi_r(r, VBE_DISPI_INDEX_VIRT_HEIGHT), (16u << 20) / 4096u);
    physmem_write(&r->pm, lfb_pixel_addr(0xE0000000u, 10, 20, 1024), 0x00123456u, 4);
    CHECK_EQ(physmem_read(&r->pm, lfb_pixel_addr(0xE0000000u, 10, 20, 1024), 4), 0x00123456u);
    /* Banked: pixel (0,100) is at 409600 = bank 6 + 16384. */
    dispi_w(r, VBE_DISPI_INDEX_BANK, 6);
    CHECK_EQ(dispi_r(r, VBE_DISPI_INDEX_BANK), 6);
    physmem_write(&r->pm, 0xA0000 + 16384, 0x00ABCDEFu, 4);
    CHECK_EQ(physmem_read(&r->pm, lfb_pixel_addr(0xE0000000u, 0, 100, 1024), 4), 0x00ABCDEFu);
    int w, h, changed;
    const uint32_t *fb;
    render(r, &w, &h, &changed, &fb);
    CHECK_EQ(w, 1024);
    CHECK_EQ(h, 768);
    CHECK(changed);
    CHECK_EQ(fb[20 * 1024 + 10], 0x123456);
    CHECK_EQ(fb[100 * 1024], 0xABCDEF);
    CHECK_EQ(fb[0], 0);
    CHECK_EQ(vga_text_snapshot(&r->vga, (char[8]){ 0 }, 8), 0);
    render(r, &w, &h, &changed, &fb);
    CHECK_EQ(changed, 0);
    physmem_write(&r->pm, lfb_pixel_addr(0xE0000000u, 1023, 767, 1024), 0x00FFFFFFu, 4);
    render(r, &w, &h, &changed, &fb);
    CHECK(changed);
    CHECK_EQ(fb[767 * 1024 + 1023], 0xFFFFFF);
    /* Panning by Y offset. */
    dispi_w(r, VBE_DISPI_INDEX_Y_OFFSET, 20);
    render(r, &w, &h, &changed, &fb);
    CHECK_EQ(fb[10], 0x123456);
    dispi_w(r, VBE_DISPI_INDEX_Y_OFFSET, 0);
    /* Palette blanking via the attribute index, as bochs-drm does. */
    inb(r, 0x3DA);
    outb(r, 0x3C0, 0x00);
    render(r, &w, &h, &changed, &fb);
    CHECK_EQ(fb[20 * 1024 + 10], 0);
    inb(r, 0x3DA);
    outb(r, 0x3C0, 0x20);

    /* 1920x1080x32 fits; so does its last pixel. */
    vbe_set(r, 1920, 1080, 32, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
    physmem_write(&r->pm, lfb_pixel_addr(0xE0000000u, 1919, 1079, 1920), 0x00FF8000u, 4);
    fb = frame(r, 1920, 1080);
    CHECK_EQ(fb[1079 * 1920 + 1919], 0xFF8000);

    /* 16 bpp and 8 bpp with the 8-bit DAC. */
    vbe_set(r, 640, 480, 16, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
    physmem_write(&r->pm, 0xE0000000u + 2, 0xF800, 2);
    physmem_write(&r->pm, 0xE0000000u + 4, 0x07E0, 2);
    render(r, &w, &h, &changed, &fb);
    CHECK_EQ(fb[1], 0xFF0000);
    CHECK_EQ(fb[2], 0x00FF00);
    vbe_set(r, 640, 480, 8, VBE_DISPI_ENABLED | VBE_DISPI_8BIT_DAC | VBE_DISPI_NOCLEARMEM);
    dac_set(r, 0x80, 0xFE, 0x01, 0x80);
    outb(r, 0x3C7, 0x80);
    CHECK_EQ(inb(r, 0x3C9), 0xFE);
    physmem_write(&r->pm, 0xE0000000u + 3, 0x80, 1);
    render(r, &w, &h, &changed, &fb);
    CHECK_EQ(fb[3], 0xFE0180);

    /* Odd values never crash and read back clamped. */
    vbe_set(r, 0, 0, 8, VBE_DISPI_ENABLED);
    render(r, &w, &h, &changed, &fb);
    CHECK(w >= 1 && h >= 1);
    dispi_w(r, VBE_DISPI_INDEX_XRES, 0xFFFF);
    CHECK_EQ(dispi_r(r, VBE_DISPI_INDEX_XRES), VBE_DISPI_MAX_XRES);
    dispi_w(r, VBE_DISPI_INDEX_YRES, 0xFFFF);
    CHECK_EQ(dispi_r(r, VBE_DISPI_INDEX_YRES), VBE_DISPI_MAX_YRES);
    dispi_w(r, VBE_DISPI_INDEX_BPP, 7);
    CHECK_EQ(dispi_r(r, VBE_DISPI_INDEX_BPP), 8);
    dispi_w(r, VBE_DISPI_INDEX_BPP, 32);
    dispi_w(r, VBE_DISPI_INDEX_VIRT_WIDTH, 0xFFFF);
    dispi_w(r, VBE_DISPI_INDEX_X_OFFSET, 0xFFFF);
    dispi_w(r, VBE_DISPI_INDEX_Y_OFFSET, 0xFFFF);
    dispi_w(r, VBE_DISPI_INDEX_BANK, 0xFFFF);
    CHECK_EQ(dispi_r(r, VBE_DISPI_INDEX_BANK), 255);
    physmem_write(&r->pm, 0xA0000 + 0xFFFE, 0x1234, 2);
    physmem_write(&r->pm, 0xE0000000u + (16u << 20) - 4, 0x55, 4);
    render(r, &w, &h, &changed, &fb);
    CHECK(w == VBE_DISPI_MAX_XRES);
    dispi_w(r, VBE_DISPI_INDEX_BPP, 4);
    dispi_w(r, VBE_DISPI_INDEX_BANK, 0xFFFF);
    CHECK_EQ(dispi_r(r, VBE_DISPI_INDEX_BANK), 63);
    physmem_write(&r->pm, 0xA0000 + 0xFFFF, 0xFF, 1);
    render(r, &w, &h, &changed, &fb);
    CHECK_EQ(dispi_r(r, 0x55), 0xFFFF);
    dispi_w(r, 0x55, 1);
    outb(r, 0x1CE, 0x03);           /* byte access to the index port */
    CHECK_EQ(inb(r, 0x1CF), 4);

    /* Back to VGA text: the VGA registers draw again. */
    dispi_w(r, VBE_DISPI_INDEX_ENABLE, 0);
    fb = frame(r, 720, 400);

    /* The LFB moves with BAR0; the old range floats. */
    CHECK_EQ(vga_lfb_map(&r->vga, &r->pm, 0xF0000000u), 0);
    CHECK_EQ(physmem_read(&r->pm, 0xE0000000u, 4), 0xFFFFFFFFu);
    physmem_write(&r->pm, 0xF0000000u, 0xCAFEBABEu, 4);
    CHECK_EQ(r->vga.vram[0], 0xBE);
    int regions = r->pm.n_mmio;
    CHECK_EQ(vga_lfb_map(&r->vga, &r->pm, 0), 0);        /* decoding off */
    CHECK_EQ(physmem_read(&r->pm, 0xF0000000u, 4), 0xFFFFFFFFu);
    CHECK_EQ(physmem_read(&r->pm, 0xF0000000u, 1), 0xFF);
    physmem_write(&r->pm, 0xF0000000u, 0, 4);
    CHECK_EQ(r->vga.vram[0], 0xBE);
    CHECK_EQ(vga_lfb_map(&r->vga, &r->pm, 0xF0000000u), 0);   /* and on again */
    CHECK_EQ(physmem_read(&r->pm, 0xF0000000u, 4), 0xCAFEBABEu);
    CHECK_EQ(r->pm.n_mmio, regions);
    CHECK_EQ(vga_lfb_map(&r->vga, &r->pm, 0xF0000800u), -1);  /* not page aligned */
    CHECK_EQ(physmem_read(&r->pm, 0xF0000000u, 4), 0xFFFFFFFFu);
    rig_free(r);
}

static void test_bar2(void)
{
    struct rig *r = rig_new();
    const uint64_t base = 0xFEBF0000u;
    CHECK_EQ(vga_mmio_map(&r->vga, &r->pm, base), 0);
    CHECK_EQ(physmem_read(&r->pm, base, 4), 0xFFFFFF00u);
    CHECK_EQ(physmem_read(&r->pm, base + 4, 4), 0x00FFFFFFu);
    uint8_t sum = 0;
    for (int i = 0; i < 128; i++)
        sum = (uint8_t)(sum + physmem_read(&r->pm, base + (uint64_t)i, 1));
    CHECK_EQ(sum, 0);
    CHECK_EQ(physmem_read(&r->pm, base + 0x500, 2), VBE_DISPI_ID5);
    physmem_write(&r->pm, base + 0x500 + 2 * VBE_DISPI_INDEX_XRES, 800, 2);
    CHECK_EQ(dispi_r(r, VBE_DISPI_INDEX_XRES), 800);
    CHECK_EQ(physmem_read(&r->pm, base + 0x500 + 2 * VBE_DISPI_INDEX_VIDEO_MEMORY_64K, 2), 256);
    CHECK_EQ(physmem_read(&r->pm, base + 0x600, 4), 8);
    CHECK_EQ(physmem_read(&r->pm, base + 0x604, 4), 0x1e1e1e1eu);
    outb(r, 0x3C2, 0x67);
    CHECK_EQ(physmem_read(&r->pm, base + 0x400 + 0x0C, 1), 0x67);
    physmem_write(&r->pm, base + 0x400 + 0x14, 0x3C0E, 2);   /* CRTC index + data */
    CHECK_EQ(crtc_r(r, 0x0E), 0x3C);
    CHECK_EQ(physmem_read(&r->pm, base + 0x800, 1), 0xFF);
    physmem_write(&r->pm, base + 0x800, 1, 4);
    CHECK_EQ(vga_mmio_map(&r->vga, &r->pm, 0), 0);
    CHECK_EQ(physmem_read(&r->pm, base + 0x500, 2), 0xFFFF);
    rig_free(r);
}

static int save_vga(struct rig *r, struct state_writer *w)
{
    struct device_entry *d = device_find(&r->reg, "vga");
    if (!d)
        return -1;
    state_writer_init(w);
    d->ops->save(d->opaque, w);
    return w->error ? -1 : (int)d->ops->version;
}

static int load_vga(struct rig *r, const uint8_t *buf, size_t len, uint32_t version)
{
    struct device_entry *d = device_find(&r->reg, "vga");
    struct state_reader rd;
    state_reader_init(&rd, buf, len);
    return d->ops->load(d->opaque, &rd, version);
}

static void test_save_load_and_two_instances(void)
{
    struct rig *a = rig_new(), *b = rig_new();
    CHECK(a && b);
    set_mode(a, &mode03);
    put_char(a, 0, 0, 'Z', 0x07);
    put_char(a, 24, 79, '!', 0x07);
    crtc_w(a, 0x0F, 0x42);
    (void)physmem_read(&a->pm, 0xB8000, 1);  /* latches */
    set_mode(b, &mode13);
    physmem_write(&b->pm, 0xA0000, 0x0F, 1);
    /* Side by side: neither sees the other's memory or registers. */
    CHECK_EQ(physmem_read(&a->pm, 0xB8000, 1), 'Z');
    CHECK_EQ(b->vga.vram[0], 0x0F);
    CHECK_EQ(a->vga.vram[0], 'Z');
    CHECK_EQ(crtc_r(b, 0x0F), 0x00);
    int w, h, changed;
    const uint32_t *fa, *fbuf;
    render(a, &w, &h, &changed, &fa);
    CHECK_EQ(w, 720);
    render(b, &w, &h, &changed, &fbuf);
    CHECK_EQ(w, 320);

    struct state_writer sw;
    int version = save_vga(a, &sw);
    CHECK(version > 0);
    CHECK_EQ(load_vga(b, sw.buf, sw.len, (uint32_t)version), 0);
    CHECK(memcmp(&a->vga.r, &b->vga.r, sizeof(a->vga.r)) == 0);
    CHECK(memcmp(a->vga.vram, b->vga.vram, VGA_VRAM_SIZE) == 0);
    char sa[4096], sb[4096];
    vga_text_snapshot(&a->vga, sa, sizeof(sa));
    vga_text_snapshot(&b->vga, sb, sizeof(sb));
    CHECK(strcmp(sa, sb) == 0);
    CHECK(strchr(sb, '!') != NULL);
    render(b, &w, &h, &changed, &fbuf);
    CHECK_EQ(w, 720);

    /* Corrupt blobs are rejected and leave the device as it was. */
    uint8_t misc_before = b->vga.r.misc;
    CHECK_EQ(load_vga(b, sw.buf, sw.len / 2, (uint32_t)version), -1);
    CHECK_EQ(load_vga(b, sw.buf, sw.len, (uint32_t)version + 1), -1);
    uint8_t *bad = malloc(sw.len + 1);
    memcpy(bad, sw.buf, sw.len);
    bad[sw.len] = 0;
    CHECK_EQ(load_vga(b, bad, sw.len + 1, (uint32_t)version), -1);   /* trailing byte */
    memcpy(bad, sw.buf, sw.len);
    bad[3] = 0x40;                                                     /* sequencer index 0x40 */
    CHECK_EQ(load_vga(b, bad, sw.len, (uint32_t)version), -1);
    bad[0] = 0x00;
    CHECK_EQ(b->vga.r.misc, misc_before);
    free(bad);
    state_writer_free(&sw);

    /* The monitor's dump says what the registers mean. */
    FILE *out = tmpfile();
    if (out) {
        struct device_entry *d = device_find(&b->reg, "vga");
        d->ops->dump(d->opaque, out);
        CHECK(ftell(out) > 100);
        fclose(out);
    }

    /* A reset returns to power-on state. */
    device_reset_all(&b->reg);
    CHECK_EQ(b->vga.r.misc, 0);
    CHECK_EQ(b->vga.vram[0], 0);
    CHECK_EQ(dispi_r(b, VBE_DISPI_INDEX_ID), VBE_DISPI_ID5);
    rig_free(a);
    rig_free(b);
}

int main(void)
{
    test_registers();
    test_text_mode();
    test_retrace();
    test_mode12_write_modes();
    test_mode13_and_x();
    test_cga_modes();
    test_vbe();
    test_bar2();
    test_save_load_and_two_instances();
    return test_report();
}
