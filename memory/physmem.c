/*
 * The guest-physical page map.  See physmem.h for the model.
 */
#include "memory/physmem.h"

#include <stdlib.h>
#include <string.h>

static void map_changed(struct physmem *pm)
{
    pm->generation++;
    if (pm->map_changed)
        pm->map_changed(pm->map_opaque);
}

static uint64_t page_round_up(uint64_t n) { return (n + PAGE_MASK) & ~(uint64_t)PAGE_MASK; }

int physmem_init(struct physmem *pm, uint64_t ram_size)
{
    memset(pm, 0, sizeof(*pm));
    pm->ram_size = page_round_up(ram_size);
    if (pm->ram_size > ((uint64_t)PHYS_PAGES << PAGE_SHIFT))
        return -1;
    pm->map_read = calloc(PHYS_PAGES, sizeof(uintptr_t));
    pm->map_write = calloc(PHYS_PAGES, sizeof(uintptr_t));
    if (pm->ram_size)
        pm->ram = aligned_alloc(PAGE_SIZE, (size_t)pm->ram_size);
    if (!pm->map_read || !pm->map_write || (pm->ram_size && !pm->ram)) {
        physmem_destroy(pm);
        return -1;
    }
    memset(pm->ram, 0, (size_t)pm->ram_size);
    pm->a20_enabled = 1;
    physmem_map_ram(pm, 0, pm->ram_size, 0);
    return 0;
}

void physmem_destroy(struct physmem *pm)
{
    free(pm->map_read);
    free(pm->map_write);
    free(pm->ram);
    for (int i = 0; i < pm->n_rom; i++)
        free(pm->rom_blocks[i]);
    memset(pm, 0, sizeof(*pm));
}

/* Visit the pages of [gpa, gpa+size) that lie inside the 4 GiB map. */
static int page_range(uint64_t gpa, uint64_t size, uint32_t *first, uint32_t *count)
{
    uint64_t end = gpa + size;
    uint64_t limit = (uint64_t)PHYS_PAGES << PAGE_SHIFT;
    if (gpa >= limit || size == 0)
        return 0;
    if (end > limit)
        end = limit;
    *first = (uint32_t)(gpa >> PAGE_SHIFT);
    *count = (uint32_t)((page_round_up(end) >> PAGE_SHIFT) - *first);
    return 1;
}

void physmem_route(struct physmem *pm, uint64_t gpa, uint64_t size, uint8_t *read_host,
                   uint8_t *write_host)
{
    uint32_t first, count;
    if (!page_range(gpa, size, &first, &count))
        return;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t off = (uint64_t)i << PAGE_SHIFT;
        pm->map_read[first + i] = read_host ? (uintptr_t)(read_host + off) : 0;
        pm->map_write[first + i] = write_host ? (uintptr_t)(write_host + off) : 0;
    }
    map_changed(pm);
}

void physmem_map_ram(struct physmem *pm, uint64_t gpa, uint64_t size, uint64_t ram_offset)
{
    if (ram_offset >= pm->ram_size)
        return;
    if (size > pm->ram_size - ram_offset)
        size = pm->ram_size - ram_offset;
    physmem_route(pm, gpa, size, pm->ram + ram_offset, pm->ram + ram_offset);
}

int physmem_map_rom(struct physmem *pm, uint64_t gpa, const uint8_t *image, uint64_t size)
{
    uint64_t alloc = page_round_up(size);
    if (pm->n_rom >= (int)(sizeof(pm->rom_blocks) / sizeof(pm->rom_blocks[0])) || alloc == 0)
        return -1;
    uint8_t *copy = aligned_alloc(PAGE_SIZE, (size_t)alloc);
    if (!copy)
        return -1;
    memset(copy, 0xFF, (size_t)alloc);
    memcpy(copy, image, (size_t)size);
    pm->rom_blocks[pm->n_rom++] = copy;
    physmem_route(pm, gpa, alloc, copy, NULL);
    return 0;
}

/* A region of the same device (same handlers, opaque and name) mapped
 * before: the slot is reused, and the pages of its old place unmapped --
 * a BAR that moves takes its MMIO with it. */
static int find_region(struct physmem *pm, mmio_read_fn rd, mmio_write_fn wr, void *opaque, const char *name)
{
    for (int k = 0; k < pm->n_mmio; k++) {
        const struct mmio_region *r = &pm->mmio[k];
        if (r->read == rd && r->write == wr && r->opaque == opaque && r->name == name)
            return k;
    }
    return -1;
}

static void unmap_region_pages(struct physmem *pm, int idx)
{
    uint32_t first, count;
    const struct mmio_region *r = &pm->mmio[idx];
    uintptr_t e = PM_MMIO | (uintptr_t)idx << 4;
    if (!page_range(r->base, r->size, &first, &count))
        return;
    for (uint32_t i = 0; i < count; i++) {
        if (pm->map_read[first + i] == e)
            pm->map_read[first + i] = 0;
        if (pm->map_write[first + i] == e)
            pm->map_write[first + i] = 0;
    }
}

int physmem_map_mmio(struct physmem *pm, uint64_t gpa, uint64_t size, mmio_read_fn rd,
                     mmio_write_fn wr, void *opaque, const char *name)
{
    uint32_t first, count;
    if (!page_range(gpa, size, &first, &count))
        return -1;
    int idx = find_region(pm, rd, wr, opaque, name);
    if (idx >= 0) {
        unmap_region_pages(pm, idx);
    } else {
        if (pm->n_mmio >= PHYSMEM_MAX_MMIO)
            return -1;
        idx = pm->n_mmio++;
    }
    pm->mmio[idx] = (struct mmio_region){ name, gpa, size, rd, wr, opaque };
    uintptr_t e = PM_MMIO | (uintptr_t)idx << 4;
    for (uint32_t i = 0; i < count; i++) {
        pm->map_read[first + i] = e;
        pm->map_write[first + i] = e;
    }
    map_changed(pm);
    return 0;
}

void physmem_unmap(struct physmem *pm, uint64_t gpa, uint64_t size)
{
    physmem_route(pm, gpa, size, NULL, NULL);
}

void physmem_set_a20(struct physmem *pm, int enabled)
{
    if (pm->a20_enabled != !!enabled) {
        pm->a20_enabled = !!enabled;
        map_changed(pm);
    }
}

void physmem_mark_code(struct physmem *pm, uint64_t gpa)
{
    if (gpa >> 32)
        return;
    uintptr_t *e = &pm->map_write[gpa >> PAGE_SHIFT];
    if (*e && !(*e & PM_MMIO))
        *e |= PM_CODE;
}

static uint8_t read_byte(struct physmem *pm, uint64_t gpa)
{
    if (gpa >> 32)
        return 0xFF;
    uintptr_t e = pm->map_read[gpa >> PAGE_SHIFT];
    if (!(e & PM_FLAGS))
        return e ? ((uint8_t *)e)[gpa & PAGE_MASK] : 0xFF;
    const struct mmio_region *r = &pm->mmio[(e >> 4) & 0xFF];
    return (uint8_t)r->read(r->opaque, gpa - r->base, 1);
}

static void write_byte(struct physmem *pm, uint64_t gpa, uint8_t v)
{
    if (gpa >> 32)
        return;
    uintptr_t *e = &pm->map_write[gpa >> PAGE_SHIFT];
    if (*e & PM_MMIO) {
        const struct mmio_region *r = &pm->mmio[(*e >> 4) & 0xFF];
        r->write(r->opaque, gpa - r->base, v, 1);
        return;
    }
    if (*e & PM_CODE) {
        *e &= ~(uintptr_t)PM_CODE;
        if (pm->code_write)
            pm->code_write(pm->code_opaque, gpa);
    }
    if (*e)
        ((uint8_t *)*e)[gpa & PAGE_MASK] = v;
}

uint32_t physmem_read(struct physmem *pm, uint64_t gpa, int size)
{
    /* Within one page an MMIO region sees the access whole. */
    if (!(gpa >> 32) && ((gpa & PAGE_MASK) + (uint64_t)size) <= PAGE_SIZE) {
        uintptr_t e = pm->map_read[gpa >> PAGE_SHIFT];
        if (e & PM_MMIO) {
            const struct mmio_region *r = &pm->mmio[(e >> 4) & 0xFF];
            return r->read(r->opaque, gpa - r->base, size);
        }
        if (e) {
            const uint8_t *p = (const uint8_t *)(e & ~(uintptr_t)PM_FLAGS) + (gpa & PAGE_MASK);
            return size == 1 ? p[0] : size == 2 ? le16_load(p) : le32_load(p);
        }
    }
    uint32_t v = 0;
    for (int i = 0; i < size; i++)
        v |= (uint32_t)read_byte(pm, gpa + (uint64_t)i) << (8 * i);
    return v;
}

void physmem_write(struct physmem *pm, uint64_t gpa, uint32_t value, int size)
{
    if (!(gpa >> 32) && ((gpa & PAGE_MASK) + (uint64_t)size) <= PAGE_SIZE) {
        uintptr_t e = pm->map_write[gpa >> PAGE_SHIFT];
        if (e & PM_MMIO) {
            const struct mmio_region *r = &pm->mmio[(e >> 4) & 0xFF];
            r->write(r->opaque, gpa - r->base, value, size);
            return;
        }
    }
    for (int i = 0; i < size; i++)
        write_byte(pm, gpa + (uint64_t)i, (uint8_t)(value >> (8 * i)));
}

int physmem_copy_from(struct physmem *pm, uint64_t gpa, void *dst, size_t len)
{
    uint8_t *d = dst;
    int status = 0;
    for (size_t i = 0; i < len; i++) {
        uint64_t a = gpa + i;
        if ((a >> 32) || !pm->map_read[a >> PAGE_SHIFT])
            status = -1;
        d[i] = read_byte(pm, a);
    }
    return status;
}

int physmem_copy_to(struct physmem *pm, uint64_t gpa, const void *src, size_t len)
{
    const uint8_t *s = src;
    int status = 0;
    for (size_t i = 0; i < len; i++) {
        uint64_t a = gpa + i;
        if ((a >> 32) || !pm->map_write[a >> PAGE_SHIFT])
            status = -1;
        write_byte(pm, a, s[i]);
    }
    return status;
}
