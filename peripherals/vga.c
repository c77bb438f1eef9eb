/*
 * The VGA's registers: miscellaneous output, sequencer, CRT controller,
 * graphics controller, attribute controller, DAC, input status; the display
 * timing the status bits follow; reset, save, load and dump.
 *
 * Register layouts are from the IBM VGA Technical Reference and the FreeVGA
 * pages (sequencer, CRTC, graphics and attribute registers, DAC operation).
 * Memory is in vga_mem.c, drawing in vga_render.c and vga_text.c, the VBE
 * extension in vga_vbe.c.
 */
#include "peripherals/vga_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VGA_SAVE_VERSION 1

/* Bits each register implements; the rest read back as 0. */
static const uint8_t seq_bits[5] = { 0x03, 0x3D, 0x0F, 0x3F, 0x0E };
static const uint8_t gc_bits[9] = { 0x0F, 0x0F, 0x0F, 0x1F, 0x03, 0x7B, 0x0F, 0x0F, 0xFF };
#define SEQ_REGS 5
#define GC_REGS 9
#define CRTC_REGS 0x19
#define ATTR_REGS 0x15

void vga_warn_once(struct vga *v, enum vga_warning w, const char *fmt, ...)
{
    if (v->warned & (1u << w))
        return;
    v->warned |= 1u << w;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "trapeze: vga: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (logged once)\n");
    va_end(ap);
}

static uint8_t attr_bits(unsigned index)
{
    if (index < 0x10)
        return 0x3F;
    static const uint8_t bits[5] = { 0xEF, 0xFF, 0x3F, 0x0F, 0x0F };
    return bits[index - 0x10];
}

/* ---- Timing -------------------------------------------------------------- */

/* The CRTC's horizontal and vertical counters (FreeVGA "CRTC Registers"):
 * horizontal total is CR00+5 character clocks, vertical total the 10-bit
 * CR06+2 lines, vertical retrace runs from the 10-bit CR10 until the line
 * counter's low four bits equal CR11 bits 0-3.  The dot clock is 25.175 or
 * 28.322 MHz by misc bits 2-3, halved by sequencer clocking mode bit 3. */
void vga_current_timing(const struct vga *v, struct vga_timing *t)
{
    if (vga_vbe_enabled(v)) {
        vga_vbe_timing(v, t);
        return;
    }
    const uint8_t *cr = v->r.crtc;
    uint32_t dots = (v->r.seq[SEQ_CLOCKING] & SEQ_CLK_DOT8) ? 8 : 9;
    uint64_t hz = ((v->r.misc >> 2) & 3) == 1 ? 28322000u : 25175000u;
    if (v->r.seq[SEQ_CLOCKING] & SEQ_CLK_HALF)
        hz /= 2;
    t->dot_hz = hz;
    t->htotal = (cr[0x00] + 5u) * dots;
    t->hdisp = (cr[0x01] + 1u) * dots;
    uint32_t ov = cr[0x07];
    t->vtotal = (cr[0x06] | (ov & 0x01) << 8 | (ov & 0x20) << 4) + 2u;
    t->vdisp = (cr[0x12] | (ov & 0x02) << 7 | (ov & 0x40) << 3) + 1u;
    t->vrs = cr[0x10] | (ov & 0x04) << 6 | (ov & 0x80) << 2;
    t->vrlen = ((cr[0x11] & 0x0Fu) - t->vrs) & 0x0Fu;
    if (t->vrlen == 0)
        t->vrlen = 16;
    if (cr[0x17] & 0x04) {      /* vertical counter clocked every second line */
        t->vtotal *= 2;
        t->vdisp *= 2;
        t->vrs *= 2;
        t->vrlen *= 2;
    }
    /* Out-of-spec programming: keep a retrace in every frame, so software
     * that waits for one keeps going (a monitor would lose sync instead). */
    if (t->hdisp > t->htotal)
        t->hdisp = t->htotal;
    if (t->vdisp > t->vtotal)
        t->vdisp = t->vtotal;
    if (t->vrs >= t->vtotal)
        t->vrs = t->vtotal - 1;
    if (t->vrlen > t->vtotal)
        t->vrlen = t->vtotal;
}

/* Dots since cycle 0, without overflowing for any plausible run length. */
static uint64_t dots_elapsed(const struct vga *v, const struct vga_timing *t)
{
    uint64_t now = v->clock->now, hz = v->clock->hz ? v->clock->hz : 1;
    return (now / hz) * t->dot_hz + (now % hz) * t->dot_hz / hz;
}

uint64_t vga_frame_number(const struct vga *v)
{
    struct vga_timing t;
    vga_current_timing(v, &t);
    return dots_elapsed(v, &t) / ((uint64_t)t.htotal * t.vtotal);
}

/* Input status 1 (FreeVGA "External Registers"): bit 0 "display disabled"
 * during horizontal or vertical blanking, bit 3 vertical retrace.  Worked out
 * from the cycle clock, so a guest polling it sees the beam move. */
static uint8_t input_status1(const struct vga *v)
{
    struct vga_timing t;
    vga_current_timing(v, &t);
    uint64_t pos = dots_elapsed(v, &t) % ((uint64_t)t.htotal * t.vtotal);
    uint32_t line = (uint32_t)(pos / t.htotal), dot = (uint32_t)(pos % t.htotal);
    uint8_t st = 0;
    if (line >= t.vdisp || dot >= t.hdisp)
        st |= 0x01;
    if ((line + t.vtotal - t.vrs) % t.vtotal < t.vrlen)
        st |= 0x08;
    return st;
}

/* ---- Register files ------------------------------------------------------ */

static void set_reg(struct vga *v, uint8_t *reg, uint8_t value)
{
    if (*reg != value) {
        *reg = value;
        v->dirty_full = 1;
    }
}

static uint8_t seq_read(struct vga *v)
{
    unsigned i = v->r.seq_index;
    if (i < SEQ_REGS)
        return v->r.seq[i];
    vga_warn_once(v, VGA_WARN_SEQ_INDEX, "read of sequencer register %#x (none)", i);
    return 0xFF;
}

static void seq_write(struct vga *v, uint8_t value)
{
    unsigned i = v->r.seq_index;
    if (i < SEQ_REGS)
        set_reg(v, &v->r.seq[i], value & seq_bits[i]);
    else
        vga_warn_once(v, VGA_WARN_SEQ_INDEX, "write of sequencer register %#x (none)", i);
}

static uint8_t gc_read(struct vga *v)
{
    unsigned i = v->r.gc_index;
    if (i < GC_REGS)
        return v->r.gc[i];
    vga_warn_once(v, VGA_WARN_GC_INDEX, "read of graphics register %#x (none)", i);
    return 0xFF;
}

static void gc_write(struct vga *v, uint8_t value)
{
    unsigned i = v->r.gc_index;
    if (i >= GC_REGS) {
        vga_warn_once(v, VGA_WARN_GC_INDEX, "write of graphics register %#x (none)", i);
        return;
    }
    value &= gc_bits[i];
    if (i == GC_MODE || i == GC_MISC)       /* the others only steer CPU access */
        set_reg(v, &v->r.gc[i], value);
    else
        v->r.gc[i] = value;
}

static uint8_t crtc_read(struct vga *v)
{
    unsigned i = v->r.crtc_index;
    if (i < CRTC_REGS)
        return v->r.crtc[i];
    vga_warn_once(v, VGA_WARN_CRTC_INDEX, "read of CRTC register %#x (none)", i);
    return 0xFF;
}

/* CR11 bit 7 write-protects CR00-CR07, except the line compare bit 8 in
 * CR07 bit 4 (FreeVGA "Vertical Retrace End Register"). */
static void crtc_write(struct vga *v, uint8_t value)
{
    unsigned i = v->r.crtc_index;
    if (i >= CRTC_REGS) {
        vga_warn_once(v, VGA_WARN_CRTC_INDEX, "write of CRTC register %#x (none)", i);
        return;
    }
    if ((v->r.crtc[0x11] & 0x80) && i <= 0x07) {
        if (i == 0x07)
            set_reg(v, &v->r.crtc[7], (uint8_t)((v->r.crtc[7] & ~0x10) | (value & 0x10)));
        return;
    }
    set_reg(v, &v->r.crtc[i], value);
}

/* 0x3C0: one port for index and data, toggled by a flip-flop that a read of
 * input status 1 resets to "index" (FreeVGA "Attribute Controller"). */
static void attr_write(struct vga *v, uint8_t value)
{
    if (!v->r.attr_flipflop) {
        set_reg(v, &v->r.attr_index, value & 0x3F);
        v->r.attr_flipflop = 1;
        return;
    }
    v->r.attr_flipflop = 0;
    unsigned i = v->r.attr_index & 0x1F;
    if (i >= ATTR_REGS) {
        vga_warn_once(v, VGA_WARN_ATTR_INDEX, "write of attribute register %#x (none)", i);
        return;
    }
    /* With the palette address source set the display owns the palette:
     * the sixteen palette registers cannot be written. */
    if (i < 0x10 && (v->r.attr_index & ATTR_PAS))
        return;
    set_reg(v, &v->r.attr[i], value & attr_bits(i));
}

static uint8_t attr_read(struct vga *v)
{
    unsigned i = v->r.attr_index & 0x1F;
    if (i < ATTR_REGS)
        return v->r.attr[i];
    vga_warn_once(v, VGA_WARN_ATTR_INDEX, "read of attribute register %#x (none)", i);
    return 0xFF;
}

/* The DAC (FreeVGA "DAC Operation"): a write index and a read index, each
 * followed by red, green, blue on 0x3C9; a written entry changes only when
 * its blue arrives; indices advance after each complete entry. */
static uint8_t dac_component_mask(const struct vga *v)
{
    return (v->r.vbe[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC) ? 0xFF : 0x3F;
}

static void dac_data_write(struct vga *v, uint8_t value)
{
    v->r.dac_pending[v->r.dac_step] = value & dac_component_mask(v);
    if (++v->r.dac_step < 3)
        return;
    v->r.dac_step = 0;
    uint8_t *e = v->r.dac[v->r.dac_write_index++];
    if (memcmp(e, v->r.dac_pending, 3) != 0) {
        memcpy(e, v->r.dac_pending, 3);
        v->dirty_full = 1;
    }
}

static uint8_t dac_data_read(struct vga *v)
{
    uint8_t value = v->r.dac[v->r.dac_read_index][v->r.dac_step];
    if (++v->r.dac_step == 3) {
        v->r.dac_step = 0;
        v->r.dac_read_index++;
    }
    return value;
}

/* ---- Port dispatch ------------------------------------------------------- */

/* The CRTC and input status 1 answer at 0x3Bx with misc bit 0 clear
 * (monochrome), at 0x3Dx with it set; the other block is not decoded. */
static int crtc_block_decoded(const struct vga *v, uint16_t port)
{
    int colour = v->r.misc & 1;
    if ((port & 0xFFF0) == 0x3B0)
        return !colour;
    if ((port & 0xFFF0) == 0x3D0)
        return colour;
    return 1;
}

uint8_t vga_port_read8(struct vga *v, uint16_t port)
{
    if (!crtc_block_decoded(v, port))
        return 0xFF;
    switch (port) {
    case 0x3B4: case 0x3D4: return v->r.crtc_index;
    case 0x3B5: case 0x3D5: return crtc_read(v);
    case 0x3BA: case 0x3DA:
        v->r.attr_flipflop = 0;
        return input_status1(v);
    case 0x3C0: return v->r.attr_index;
    case 0x3C1: return attr_read(v);
    case 0x3C2: return 0x00;    /* input status 0: no switch sense, no CRT interrupt */
    case 0x3C3: return v->r.subsys_enable;
    case 0x3C4: return v->r.seq_index;
    case 0x3C5: return seq_read(v);
    case 0x3C6: return v->r.pel_mask;
    case 0x3C7: return v->r.dac_state;
    case 0x3C8: return v->r.dac_write_index;
    case 0x3C9: return dac_data_read(v);
    case 0x3CA: return v->r.feature;
    case 0x3CC: return v->r.misc;
    case 0x3CE: return v->r.gc_index;
    case 0x3CF: return gc_read(v);
    default:
        vga_warn_once(v, VGA_WARN_PORT, "read of undecoded port %#x", port);
        return 0xFF;
    }
}

void vga_port_write8(struct vga *v, uint16_t port, uint8_t value)
{
    if (!crtc_block_decoded(v, port))
        return;
    switch (port) {
    case 0x3B4: case 0x3D4: v->r.crtc_index = value; break;
    case 0x3B5: case 0x3D5: crtc_write(v, value); break;
    case 0x3BA: case 0x3DA: v->r.feature = value & 0x03; break;
    case 0x3C0: attr_write(v, value); break;
    case 0x3C1:
        vga_warn_once(v, VGA_WARN_ATTR_3C1, "write to 0x3C1 (read-only on the VGA)");
        break;
    case 0x3C2: set_reg(v, &v->r.misc, value & 0xEF); break;
    case 0x3C3: v->r.subsys_enable = value & 0x01; break;
    case 0x3C4: v->r.seq_index = value & 0x07; break;
    case 0x3C5: seq_write(v, value); break;
    case 0x3C6: set_reg(v, &v->r.pel_mask, value); break;
    case 0x3C7:
        v->r.dac_read_index = value;
        v->r.dac_step = 0;
        v->r.dac_state = 3;
        break;
    case 0x3C8:
        v->r.dac_write_index = value;
        v->r.dac_step = 0;
        v->r.dac_state = 0;
        break;
    case 0x3C9: dac_data_write(v, value); break;
    case 0x3CE: v->r.gc_index = value & 0x0F; break;
    case 0x3CF: gc_write(v, value); break;
    default:
        vga_warn_once(v, VGA_WARN_PORT, "write of undecoded port %#x", port);
        break;
    }
}

static uint32_t vga_io_read(void *opaque, uint16_t port, int size)
{
    (void)size;
    return vga_port_read8(opaque, port);
}

static void vga_io_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    (void)size;
    vga_port_write8(opaque, port, (uint8_t)value);
}

/* ---- Device hooks -------------------------------------------------------- */

static void vga_reset(void *opaque)
{
    struct vga *v = opaque;
    memset(&v->r, 0, sizeof(v->r));
    v->r.pel_mask = 0xFF;
    vga_vbe_reset(v);
    memset(v->vram, 0, VGA_VRAM_SIZE);
    memset(v->dirty_pages, 0, sizeof(v->dirty_pages));
    v->dirty_full = 1;
    v->blink_drawn = -1;
}

/* Video memory is saved up to its last non-zero page. */
static uint32_t vram_used(const struct vga *v)
{
    uint32_t end = VGA_VRAM_SIZE;
    while (end > 0) {
        const uint8_t *p = v->vram + end - PAGE_SIZE;
        uint32_t i = 0;
        while (i < PAGE_SIZE && p[i] == 0)
            i++;
        if (i < PAGE_SIZE)
            break;
        end -= PAGE_SIZE;
    }
    return end;
}

static void put_regs(struct state_writer *w, const struct vga_regs *r)
{
    state_put_u8(w, r->misc);
    state_put_u8(w, r->feature);
    state_put_u8(w, r->subsys_enable);
    state_put_u8(w, r->seq_index);
    state_put_bytes(w, r->seq, sizeof(r->seq));
    state_put_u8(w, r->gc_index);
    state_put_bytes(w, r->gc, sizeof(r->gc));
    state_put_u8(w, r->crtc_index);
    state_put_bytes(w, r->crtc, sizeof(r->crtc));
    state_put_u8(w, r->attr_index);
    state_put_u8(w, r->attr_flipflop);
    state_put_bytes(w, r->attr, sizeof(r->attr));
    state_put_u8(w, r->pel_mask);
    state_put_u8(w, r->dac_read_index);
    state_put_u8(w, r->dac_write_index);
    state_put_u8(w, r->dac_step);
    state_put_u8(w, r->dac_state);
    state_put_bytes(w, r->dac_pending, sizeof(r->dac_pending));
    state_put_bytes(w, r->dac, sizeof(r->dac));
    state_put_u32(w, r->latch);
    state_put_u16(w, r->vbe_index);
    for (int i = 0; i < VBE_DISPI_NREGS; i++)
        state_put_u16(w, r->vbe[i]);
    state_put_u32(w, r->byteorder);
}

static void get_regs(struct state_reader *rd, struct vga_regs *r)
{
    r->misc = state_get_u8(rd);
    r->feature = state_get_u8(rd);
    r->subsys_enable = state_get_u8(rd);
    r->seq_index = state_get_u8(rd);
    state_get_bytes(rd, r->seq, sizeof(r->seq));
    r->gc_index = state_get_u8(rd);
    state_get_bytes(rd, r->gc, sizeof(r->gc));
    r->crtc_index = state_get_u8(rd);
    state_get_bytes(rd, r->crtc, sizeof(r->crtc));
    r->attr_index = state_get_u8(rd);
    r->attr_flipflop = state_get_u8(rd);
    state_get_bytes(rd, r->attr, sizeof(r->attr));
    r->pel_mask = state_get_u8(rd);
    r->dac_read_index = state_get_u8(rd);
    r->dac_write_index = state_get_u8(rd);
    r->dac_step = state_get_u8(rd);
    r->dac_state = state_get_u8(rd);
    state_get_bytes(rd, r->dac_pending, sizeof(r->dac_pending));
    state_get_bytes(rd, r->dac, sizeof(r->dac));
    r->latch = state_get_u32(rd);
    r->vbe_index = state_get_u16(rd);
    for (int i = 0; i < VBE_DISPI_NREGS; i++)
        r->vbe[i] = state_get_u16(rd);
    r->byteorder = state_get_u32(rd);
}

/* Values a real card could never hold mean the blob is corrupt. */
static int regs_plausible(const struct vga_regs *r)
{
    return r->seq_index < 8 && r->gc_index < 16 && r->attr_index < 0x40 && r->attr_flipflop <= 1 &&
           r->dac_step < 3 && (r->dac_state == 0 || r->dac_state == 3);
}

static void vga_save(void *opaque, struct state_writer *w)
{
    struct vga *v = opaque;
    put_regs(w, &v->r);
    uint32_t used = vram_used(v);
    state_put_u32(w, used);
    state_put_bytes(w, v->vram, used);
}

static int vga_load(void *opaque, struct state_reader *rd, uint32_t version)
{
    struct vga *v = opaque;
    if (version != VGA_SAVE_VERSION)
        return -1;
    struct vga_regs r;
    memset(&r, 0, sizeof(r));
    get_regs(rd, &r);
    uint32_t used = state_get_u32(rd);
    if (rd->error || !regs_plausible(&r) || used > VGA_VRAM_SIZE || used != rd->len - rd->pos)
        return -1;
    /* Everything checked: only now does the device change. */
    memcpy(&v->r, &r, sizeof(r));
    memcpy(v->vram, rd->buf + rd->pos, used);
    memset(v->vram + used, 0, VGA_VRAM_SIZE - used);
    rd->pos += used;
    vga_vbe_fixup(v);
    v->dirty_full = 1;
    v->blink_drawn = -1;
    return 0;
}

static void dump_bytes(FILE *out, const char *name, const uint8_t *p, int n)
{
    fprintf(out, "  %-5s", name);
    for (int i = 0; i < n; i++)
        fprintf(out, "%s%02x", (i && i % 16 == 0) ? "\n       " : " ", p[i]);
    fputc('\n', out);
}

static void vga_dump(void *opaque, FILE *out)
{
    struct vga *v = opaque;
    const struct vga_regs *r = &v->r;
    struct vga_timing t;
    vga_current_timing(v, &t);
    fprintf(out, "VGA: misc %02x (%s, RAM %s), %s mode, memory map %s\n", r->misc,
            (r->misc & 1) ? "colour 3Dx" : "mono 3Bx", (r->misc & 2) ? "on" : "off",
            (r->attr[ATTR_MODE] & ATTR_MODE_GRAPHICS) ? "graphics" : "text",
            (const char *[]){ "A0000 128K", "A0000 64K", "B0000 32K", "B8000 32K" }[(r->gc[GC_MISC] >> 2) & 3]);
    fprintf(out, "  timing: %u x %u dots of %u x %u, %.2f Hz\n", t.hdisp, t.vdisp, t.htotal, t.vtotal,
            (double)t.dot_hz / ((double)t.htotal * t.vtotal));
    dump_bytes(out, "seq", r->seq, SEQ_REGS);
    dump_bytes(out, "crtc", r->crtc, CRTC_REGS);
    dump_bytes(out, "gc", r->gc, GC_REGS);
    dump_bytes(out, "attr", r->attr, ATTR_REGS);
    fprintf(out, "  attr index %02x (flip-flop at %s), pel mask %02x, latches %08x\n", r->attr_index,
            r->attr_flipflop ? "data" : "index", r->pel_mask, r->latch);
    fprintf(out, "  VBE: %s %ux%ux%u, bank %u, virtual %ux%u, offset %u,%u\n",
            vga_vbe_enabled(v) ? "on" : "off", r->vbe[VBE_DISPI_INDEX_XRES], r->vbe[VBE_DISPI_INDEX_YRES],
            r->vbe[VBE_DISPI_INDEX_BPP], r->vbe[VBE_DISPI_INDEX_BANK], r->vbe[VBE_DISPI_INDEX_VIRT_WIDTH],
            vga_dispi_read(v, VBE_DISPI_INDEX_VIRT_HEIGHT), r->vbe[VBE_DISPI_INDEX_X_OFFSET],
            r->vbe[VBE_DISPI_INDEX_Y_OFFSET]);
}

static const struct device_ops vga_ops = {
    "vga", VGA_SAVE_VERSION, vga_reset, vga_save, vga_load, vga_dump,
};

int vga_init(struct vga *v, struct portio *io, struct physmem *pm, struct device_registry *reg,
             struct clock *clock)
{
    memset(v, 0, sizeof(*v));
    v->clock = clock;
    v->vram = malloc(VGA_VRAM_SIZE);
    if (!v->vram)
        return -1;
    vga_reset(v);
    vga_vbe_build_edid(v);
    static const struct { uint16_t base, count; } blocks[] = {
        { 0x3B4, 2 }, { 0x3BA, 1 }, { 0x3C0, 16 }, { 0x3D4, 2 }, { 0x3DA, 1 },
    };
    for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
        if (portio_register(io, blocks[i].base, blocks[i].count, PORTIO_SIZE_8, vga_io_read, vga_io_write, v,
                            "vga") != 0)
            return -1;
    if (vga_vbe_register_ports(v, io) != 0 || vga_map_window(v, pm) != 0)
        return -1;
    return device_register(reg, &vga_ops, v);
}

void vga_destroy(struct vga *v)
{
    free(v->vram);
    free(v->fb);
    v->vram = NULL;
    v->fb = NULL;
}
