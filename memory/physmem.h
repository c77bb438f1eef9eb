/*
 * physmem: the guest-physical address space, page by page.
 *
 * This is the emulator's equivalent of a hypervisor's EPT: for every 4 KiB
 * guest-physical page (GPA) it says where reads and where writes go:
 *   - a host page (RAM, or a ROM image for reads), reached with one load;
 *   - an MMIO region, whose handlers see the access;
 *   - nothing: open bus (reads see all ones, writes vanish).
 * Reads and writes have separate maps, because PC chipsets route them
 * separately (ROM: reads from the image, writes dropped; the i440FX PAM
 * registers: reads from ROM while writes fill the RAM below it).
 *
 * The map covers 4 GiB.  Accesses beyond it are open bus.  Changing the map
 * bumps `generation`; a CPU's TLB compares it and flushes when it moved.
 * A write map entry may carry PM_CODE: the page holds instructions a CPU
 * has decoded, so writes to it take the slow path and tell that CPU.
 */
#ifndef TRAPEZE_MEMORY_PHYSMEM_H
#define TRAPEZE_MEMORY_PHYSMEM_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE 4096u
#define PAGE_MASK (PAGE_SIZE - 1)
#define PHYS_PAGES (1u << 20)
#define PHYSMEM_MAX_MMIO 48

/* Low bits of a map entry (host pages are page aligned, so these are free). */
#define PM_MMIO 0x001u          /* bits 4..11: region index */
#define PM_CODE 0x002u          /* write map: page holds decoded code */
#define PM_FLAGS 0xFFFu

typedef uint32_t (*mmio_read_fn)(void *opaque, uint64_t offset, int size);
typedef void (*mmio_write_fn)(void *opaque, uint64_t offset, uint32_t value, int size);

struct mmio_region {
    const char *name;
    uint64_t base;
    uint64_t size;
    mmio_read_fn read;      /* size 1, 2 or 4; never crosses a page */
    mmio_write_fn write;
    void *opaque;
};

struct physmem {
    uint8_t *ram;                   /* guest RAM, page aligned */
    uint64_t ram_size;
    uintptr_t *map_read;            /* PHYS_PAGES entries */
    uintptr_t *map_write;
    uint8_t *rom_blocks[8];         /* ROM images we own */
    int n_rom;
    struct mmio_region mmio[PHYSMEM_MAX_MMIO];
    int n_mmio;
    uint32_t generation;            /* bumped on every map change */
    int a20_enabled;                /* the chipset's A20 gate; CPUs mask bit 20 when off */
    /* Called when a write lands on a PM_CODE page (flag already cleared). */
    void (*code_write)(void *opaque, uint64_t gpa);
    void *code_opaque;
    /* Called after the map changed (A20, shadowing, a BAR moved): caches of
     * the old map (a CPU's TLB and decoded code) must go. */
    void (*map_changed)(void *opaque);
    void *map_opaque;
};

/* Allocates ram_size bytes of RAM (rounded up to whole pages) and maps it at
 * GPA 0.  Returns 0, or -1 when memory cannot be had. */
int physmem_init(struct physmem *pm, uint64_t ram_size);
void physmem_destroy(struct physmem *pm);

/* Map changes.  Ranges are page aligned. */
void physmem_map_ram(struct physmem *pm, uint64_t gpa, uint64_t size, uint64_t ram_offset);
int physmem_map_rom(struct physmem *pm, uint64_t gpa, const uint8_t *image, uint64_t size);
int physmem_map_mmio(struct physmem *pm, uint64_t gpa, uint64_t size, mmio_read_fn rd,
                     mmio_write_fn wr, void *opaque, const char *name);
void physmem_unmap(struct physmem *pm, uint64_t gpa, uint64_t size);
/* Route reads and writes of one range separately (PAM-style shadowing):
 * `read_host`/`write_host` are host page pointers, or NULL for open bus. */
void physmem_route(struct physmem *pm, uint64_t gpa, uint64_t size, uint8_t *read_host,
                   uint8_t *write_host);
void physmem_set_a20(struct physmem *pm, int enabled);

/* Mark the page holding gpa as holding decoded code. */
void physmem_mark_code(struct physmem *pm, uint64_t gpa);

/* Single accesses (the CPU's slow path).  size is 1, 2 or 4; the access
 * may cross a page boundary.  Values are little-endian guest values. */
uint32_t physmem_read(struct physmem *pm, uint64_t gpa, int size);
void physmem_write(struct physmem *pm, uint64_t gpa, uint32_t value, int size);

/* Bounds-checked block copies for DMA, loaders and debuggers.  Every byte
 * goes where the map says (open bus reads 0xFF).  They return 0 when the
 * whole range was RAM, ROM or MMIO, -1 when some of it was open bus. */
int physmem_copy_from(struct physmem *pm, uint64_t gpa, void *dst, size_t len);
int physmem_copy_to(struct physmem *pm, uint64_t gpa, const void *src, size_t len);

/* Host page for the page holding gpa, or NULL (MMIO, open bus, or code
 * page when writing).  This is what a TLB caches. */
static inline uint8_t *physmem_host_read_page(const struct physmem *pm, uint64_t gpa)
{
    if (gpa >> 32)
        return NULL;
    uintptr_t e = pm->map_read[gpa >> PAGE_SHIFT];
    return (e & PM_FLAGS) ? NULL : (uint8_t *)e;
}
static inline uint8_t *physmem_host_write_page(const struct physmem *pm, uint64_t gpa)
{
    if (gpa >> 32)
        return NULL;
    uintptr_t e = pm->map_write[gpa >> PAGE_SHIFT];
    return (e & PM_FLAGS) ? NULL : (uint8_t *)e;
}

/* Little-endian loads and stores on host memory, whatever the host's order. */
static inline uint16_t le16_load(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t le32_load(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void le16_store(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void le32_store(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

#endif
