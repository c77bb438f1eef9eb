/*
 * The VGA's memory paths: the legacy window at 0xA0000-0xBFFFF through the
 * graphics controller, and the VBE linear framebuffer.
 *
 * The window (IBM VGA Technical Reference, "Graphics Controller"; FreeVGA
 * "Graphics Controller Registers", "Sequencer Registers"):
 *   - memory map select (GR06 bits 2-3) picks A0000/128K, A0000/64K,
 *     B0000/32K or B8000/32K; misc output bit 1 turns CPU access off;
 *   - chain-4 (SR04 bit 3): address bits 0-1 pick the plane, the plane
 *     offset is the address with those bits clear (so mode 13h uses every
 *     fourth byte of each plane, as on the real card);
 *   - odd/even (SR04 bit 2 clear for writes, GR05 bit 4 for reads): address
 *     bit 0 picks plane 0/2 or 1/3, the offset is the address with bit 0
 *     clear;
 *   - otherwise the map mask (SR02) picks the planes written and read map
 *     select (GR04) the plane read;
 *   - every read loads the four 32-bit latches; read mode 1 answers colour
 *     compare (GR02, GR07); writes go through rotate (GR03), set/reset
 *     (GR00, GR01), the logical operation (GR03) and the bit mask (GR08) by
 *     write mode (GR05 bits 0-1).
 * With the VBE enabled the window shows 64 KiB banks (DISPI BANK) of linear
 * memory at 8 bpp and more, and of the planes at 4 bpp.
 */
#include "peripherals/vga_internal.h"

static uint32_t plane_bytes(unsigned mask4)
{
    uint32_t m = 0;
    for (int p = 0; p < 4; p++)
        if (mask4 & (1u << p))
            m |= 0xFFu << (8 * p);
    return m;
}

static uint8_t rotate_right(uint8_t value, unsigned n)
{
    n &= 7;
    return (uint8_t)((value >> n) | (value << ((8 - n) & 7)));
}

/* GR03 bits 3-4: replace, AND, OR, XOR with the latches. */
static uint32_t logical_op(const struct vga *v, uint32_t data, uint32_t latch)
{
    switch ((v->r.gc[3] >> 3) & 3) {
    case 1: return data & latch;
    case 2: return data | latch;
    case 3: return data ^ latch;
    default: return data;
    }
}

/* What a CPU byte turns into for each of the four planes. */
static uint32_t write_pipeline(const struct vga *v, uint8_t value)
{
    const uint8_t *gc = v->r.gc;
    uint32_t latch = v->r.latch;
    uint32_t mask = gc[8] * 0x01010101u, data;
    switch (gc[GC_MODE] & 3) {
    case 0: {   /* rotated byte, planes with enable set/reset take set/reset */
        uint32_t esr = plane_bytes(gc[1]);
        data = rotate_right(value, gc[3]) * 0x01010101u;
        data = logical_op(v, (data & ~esr) | (plane_bytes(gc[0]) & esr), latch);
        break;
    }
    case 1:     /* the latches, as they are */
        return latch;
    case 2:     /* bit p of the byte fills plane p */
        data = logical_op(v, plane_bytes(value & 0x0F), latch);
        break;
    default:    /* set/reset colour, the rotated byte ANDed into the bit mask */
        mask = (uint32_t)(rotate_right(value, gc[3]) & gc[8]) * 0x01010101u;
        data = logical_op(v, plane_bytes(gc[0]), latch);
        break;
    }
    return (data & mask) | (latch & ~mask);
}

/* Read mode 1: bit n is 1 where every plane in colour don't care (GR07)
 * matches colour compare (GR02). */
static uint8_t colour_compare(const struct vga *v)
{
    uint32_t care = plane_bytes(v->r.gc[7]);
    uint32_t diff = (v->r.latch ^ plane_bytes(v->r.gc[2])) & care;
    return (uint8_t)~(diff | diff >> 8 | diff >> 16 | diff >> 24);
}

/* Offset `w` from 0xA0000 -> offset in the selected map, or 0 when the
 * card does not answer there. */
static int window_decode(const struct vga *v, uint32_t w, uint32_t *a)
{
    if (!(v->r.misc & 0x02))
        return 0;
    switch ((v->r.gc[GC_MISC] >> 2) & 3) {
    case 0: *a = w; return 1;
    case 1: *a = w; return w < 0x10000;
    case 2: *a = w - 0x10000; return w >= 0x10000 && w < 0x18000;
    default: *a = w - 0x18000; return w >= 0x18000;
    }
}

static int vbe_linear_window(const struct vga *v)
{
    return vga_vbe_enabled(v) && v->r.vbe[VBE_DISPI_INDEX_BPP] != 4;
}

static uint32_t vbe_bank_base(const struct vga *v)
{
    return (uint32_t)v->r.vbe[VBE_DISPI_INDEX_BANK] << 16;
}

/* A plane offset, wrapped to the planes' size: 64 KiB on the VGA, all of
 * video memory in a 4 bpp VBE mode. */
static uint32_t plane_offset(const struct vga *v, uint32_t off)
{
    if (vga_vbe_enabled(v))
        return (vbe_bank_base(v) + off) & (VGA_VRAM_SIZE / 4 - 1);
    return off & 0xFFFF;
}

static uint8_t window_read8(struct vga *v, uint32_t w)
{
    uint32_t a;
    if (!window_decode(v, w, &a))
        return 0xFF;
    if (vbe_linear_window(v))
        return v->vram[(vbe_bank_base(v) + a) & (VGA_VRAM_SIZE - 1)];
    const uint8_t *gc = v->r.gc;
    unsigned plane;
    uint32_t off;
    if (v->r.seq[SEQ_MEMMODE] & SEQ_MEM_CHAIN4) {
        plane = a & 3;
        off = a & ~3u;
    } else if (gc[GC_MODE] & 0x10) {
        plane = (gc[4] & 2) | (a & 1);
        off = a & ~1u;
    } else {
        plane = gc[4] & 3;
        off = a;
    }
    off = plane_offset(v, off);
    v->r.latch = le32_load(v->vram + off * 4);
    if (gc[GC_MODE] & 0x08)
        return colour_compare(v);
    return (uint8_t)(v->r.latch >> (8 * plane));
}

static void window_write8(struct vga *v, uint32_t w, uint8_t value)
{
    uint32_t a;
    if (!window_decode(v, w, &a))
        return;
    if (vbe_linear_window(v)) {
        uint32_t off = (vbe_bank_base(v) + a) & (VGA_VRAM_SIZE - 1);
        v->vram[off] = value;
        vga_mark_dirty(v, off);
        return;
    }
    unsigned planes;
    uint32_t off;
    if (v->r.seq[SEQ_MEMMODE] & SEQ_MEM_CHAIN4) {
        planes = 1u << (a & 3);
        off = a & ~3u;
    } else if (!(v->r.seq[SEQ_MEMMODE] & SEQ_MEM_ODDEVEN_OFF)) {
        planes = (a & 1) ? 0x0A : 0x05;
        off = a & ~1u;
    } else {
        planes = 0x0F;
        off = a;
    }
    planes &= v->r.seq[2];
    if (!planes)
        return;
    off = plane_offset(v, off);
    uint32_t data = write_pipeline(v, value);
    uint8_t *p = v->vram + off * 4;
    for (int i = 0; i < 4; i++)
        if (planes & (1u << i))
            p[i] = (uint8_t)(data >> (8 * i));
    vga_mark_dirty(v, off * 4);
}

/* Wider accesses reach the card as bytes, lowest address first. */
static uint32_t window_mmio_read(void *opaque, uint64_t offset, int size)
{
    uint32_t value = 0;
    for (int i = 0; i < size; i++)
        value |= (uint32_t)window_read8(opaque, (uint32_t)offset + (uint32_t)i) << (8 * i);
    return value;
}

static void window_mmio_write(void *opaque, uint64_t offset, uint32_t value, int size)
{
    for (int i = 0; i < size; i++)
        window_write8(opaque, (uint32_t)offset + (uint32_t)i, (uint8_t)(value >> (8 * i)));
}

int vga_map_window(struct vga *v, struct physmem *pm)
{
    return physmem_map_mmio(pm, VGA_WINDOW_BASE, VGA_WINDOW_SIZE, window_mmio_read, window_mmio_write, v,
                            "vga window");
}

/* The linear framebuffer: video memory as it is (physmem never hands a
 * region an access that crosses a page, so it stays inside). */
static uint32_t lfb_read(void *opaque, uint64_t offset, int size)
{
    struct vga *v = opaque;
    if (!v->lfb.on || offset + (uint64_t)size > VGA_VRAM_SIZE)
        return vga_open_bus(size);
    const uint8_t *p = v->vram + offset;
    return size == 1 ? p[0] : size == 2 ? le16_load(p) : le32_load(p);
}

static void lfb_write(void *opaque, uint64_t offset, uint32_t value, int size)
{
    struct vga *v = opaque;
    if (!v->lfb.on || offset + (uint64_t)size > VGA_VRAM_SIZE)
        return;
    uint8_t *p = v->vram + offset;
    if (size == 1)
        p[0] = (uint8_t)value;
    else if (size == 2)
        le16_store(p, (uint16_t)value);
    else
        le32_store(p, value);
    vga_mark_dirty(v, (uint32_t)offset);
}

/* Does physmem still send this BAR's first page to us (nothing mapped over
 * it since)? */
static int region_still_ours(const struct vga *v, const struct vga_bar *bar, mmio_read_fn rd)
{
    if (!bar->mem || (bar->base >> 32))
        return 0;
    uintptr_t e = bar->mem->map_read[bar->base >> PAGE_SHIFT];
    if (!(e & PM_MMIO))
        return 0;
    const struct mmio_region *r = &bar->mem->mmio[(e >> 4) & 0xFF];
    return r->read == rd && r->opaque == v && r->base == bar->base;
}

/* Move one of the card's PCI memory regions.  Base 0 turns decoding off
 * (the region stays in physmem, answering as open bus); the same base again
 * turns it back on; a new base unmaps the old range and maps the new. */
int vga_move_region(struct vga *v, struct vga_bar *bar, struct physmem *pm, uint64_t base, uint64_t size,
                    mmio_read_fn rd, mmio_write_fn wr, const char *name)
{
    if (!base) {
        bar->on = 0;
        return 0;
    }
    if (bar->mem == pm && bar->base == base && region_still_ours(v, bar, rd)) {
        bar->on = 1;
        return 0;
    }
    if (region_still_ours(v, bar, rd))
        physmem_unmap(bar->mem, bar->base, size);
    bar->mem = NULL;
    bar->on = 0;
    if ((base & PAGE_MASK) || physmem_map_mmio(pm, base, size, rd, wr, v, name) != 0) {
        vga_warn_once(v, VGA_WARN_MAP, "cannot map the %s at %#llx", name, (unsigned long long)base);
        return -1;
    }
    bar->mem = pm;
    bar->base = base;
    bar->on = 1;
    return 0;
}

int vga_lfb_map(struct vga *v, struct physmem *pm, uint64_t base)
{
    return vga_move_region(v, &v->lfb, pm, base, VGA_VRAM_SIZE, lfb_read, lfb_write, "vga framebuffer");
}

int vga_vram_range_dirty(const struct vga *v, uint32_t offset, uint32_t len)
{
    if (len == 0 || offset >= VGA_VRAM_SIZE)
        return 0;
    uint32_t last = len > VGA_VRAM_SIZE - offset ? VGA_VRAM_SIZE - 1 : offset + len - 1;
    for (uint32_t page = offset >> PAGE_SHIFT; page <= last >> PAGE_SHIFT; page++)
        if (v->dirty_pages[page >> 3] & (1u << (page & 7)))
            return 1;
    return 0;
}
