/* The guest-physical page map: RAM, ROM, MMIO, open bus, code pages, DMA copies. */
#include <string.h>

#include "memory/physmem.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

struct mmio_log {
    uint64_t last_off;
    uint32_t last_val;
    int last_size, reads, writes;
};

static uint32_t mmio_rd(void *o, uint64_t off, int size)
{
    struct mmio_log *l = o;
    l->reads++;
    l->last_off = off;
    l->last_size = size;
    return 0x12345678u & (size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1);
}

static void mmio_wr(void *o, uint64_t off, uint32_t v, int size)
{
    struct mmio_log *l = o;
    l->writes++;
    l->last_off = off;
    l->last_val = v;
    l->last_size = size;
}

static uint64_t code_hit;
static void on_code_write(void *o, uint64_t gpa)
{
    (void)o;
    code_hit = gpa;
}

int main(void)
{
    struct physmem pm;
    CHECK_EQ(physmem_init(&pm, 1 << 20), 0);
    uint32_t gen0 = pm.generation;

    physmem_write(&pm, 0x1000, 0xAABBCCDD, 4);
    CHECK_EQ(physmem_read(&pm, 0x1000, 4), 0xAABBCCDD);
    CHECK_EQ(physmem_read(&pm, 0x1001, 2), 0xBBCC);
    CHECK_EQ(pm.ram[0x1000], 0xDD);    /* little-endian in guest memory */

    /* Page-crossing access. */
    physmem_write(&pm, 0x1FFE, 0x11223344, 4);
    CHECK_EQ(physmem_read(&pm, 0x1FFE, 4), 0x11223344);
    CHECK_EQ(pm.ram[0x2000], 0x22);

    /* Open bus above RAM and beyond 4 GiB. */
    CHECK_EQ(physmem_read(&pm, 0x200000, 2), 0xFFFF);
    physmem_write(&pm, 0x200000, 0, 1);
    CHECK_EQ(physmem_read(&pm, 0x200000, 1), 0xFF);
    CHECK_EQ(physmem_read(&pm, 0x100000000ull, 4), 0xFFFFFFFF);
    /* A dword that straddles the end of RAM: RAM bytes, then open bus. */
    physmem_write(&pm, 0xFFFFE, 0xA5A5, 2);
    CHECK_EQ(physmem_read(&pm, 0xFFFFE, 4), 0xFFFFA5A5);

    /* ROM: reads the image, writes vanish. */
    uint8_t rom[5000];
    for (int i = 0; i < 5000; i++)
        rom[i] = (uint8_t)i;
    CHECK_EQ(physmem_map_rom(&pm, 0xF0000, rom, sizeof(rom)), 0);
    CHECK(pm.generation != gen0);
    CHECK_EQ(physmem_read(&pm, 0xF0001, 1), 1);
    physmem_write(&pm, 0xF0001, 0x99, 1);
    CHECK_EQ(physmem_read(&pm, 0xF0001, 1), 1);
    CHECK_EQ(physmem_read(&pm, 0xF0000 + 5000, 1), 0xFF); /* padding past the image */
    CHECK(physmem_host_read_page(&pm, 0xF0000) != NULL);
    CHECK(physmem_host_write_page(&pm, 0xF0000) == NULL);

    /* MMIO sees whole accesses with offsets relative to its base. */
    struct mmio_log log = { 0 };
    CHECK_EQ(physmem_map_mmio(&pm, 0xA0000, 0x20000, mmio_rd, mmio_wr, &log, "test"), 0);
    CHECK_EQ(physmem_read(&pm, 0xA0010, 2), 0x5678);
    CHECK(log.last_off == 0x10 && log.last_size == 2);
    physmem_write(&pm, 0xB0004, 0xCAFE, 2);
    CHECK(log.last_off == 0x10004 && log.last_val == 0xCAFE && log.last_size == 2);
    CHECK(physmem_host_read_page(&pm, 0xA0000) == NULL);

    /* Mapping the same region again moves it: the slot is reused and the
     * old place reads open bus. */
    int regions = pm.n_mmio;
    CHECK_EQ(physmem_map_mmio(&pm, 0x40000, 0x2000, mmio_rd, mmio_wr, &log, "test"), 0);
    CHECK_EQ(pm.n_mmio, regions);
    CHECK_EQ(physmem_read(&pm, 0xA0010, 2), 0xFFFF);
    CHECK_EQ(physmem_read(&pm, 0x40010, 2), 0x5678);
    CHECK(log.last_off == 0x10);
    CHECK_EQ(physmem_map_mmio(&pm, 0xA0000, 0x20000, mmio_rd, mmio_wr, &log, "test"), 0);
    CHECK_EQ(physmem_read(&pm, 0x40010, 1), 0xFF);

    /* Code pages: the first write tells the owner, then the flag is gone. */
    pm.code_write = on_code_write;
    physmem_mark_code(&pm, 0x3000);
    CHECK(physmem_host_write_page(&pm, 0x3000) == NULL);
    CHECK(physmem_host_read_page(&pm, 0x3000) != NULL);
    physmem_write(&pm, 0x3123, 0x90, 1);
    CHECK_EQ(code_hit, 0x3123);
    CHECK_EQ(pm.ram[0x3123], 0x90);
    CHECK(physmem_host_write_page(&pm, 0x3000) != NULL);

    /* PAM-style routing: reads from one page, writes to another. */
    physmem_route(&pm, 0x5000, PAGE_SIZE, pm.ram + 0x6000, pm.ram + 0x7000);
    pm.ram[0x6000] = 0x42;
    physmem_write(&pm, 0x5000, 0x77, 1);
    CHECK_EQ(physmem_read(&pm, 0x5000, 1), 0x42);
    CHECK_EQ(pm.ram[0x7000], 0x77);

    /* A20. */
    uint32_t g1 = pm.generation;
    physmem_set_a20(&pm, 0);
    CHECK(!pm.a20_enabled && pm.generation != g1);

    /* DMA copies are bounds checked: the RAM part lands, the rest is open bus. */
    uint8_t buf[64];
    memset(buf, 0x5A, sizeof(buf));
    CHECK_EQ(physmem_copy_to(&pm, 0x8000, buf, sizeof(buf)), 0);
    uint8_t back[64];
    CHECK_EQ(physmem_copy_from(&pm, 0x8000, back, sizeof(back)), 0);
    CHECK(memcmp(buf, back, sizeof(buf)) == 0);
    CHECK_EQ(physmem_copy_to(&pm, 0xFFFE0, buf, sizeof(buf)), -1);
    CHECK_EQ(physmem_copy_from(&pm, 0xFFFFFFF0ull, back, sizeof(back)), -1);
    CHECK_EQ(back[63], 0xFF);

    physmem_destroy(&pm);

    /* Two maps side by side share nothing. */
    struct physmem p1, p2;
    CHECK_EQ(physmem_init(&p1, 4096), 0);
    CHECK_EQ(physmem_init(&p2, 4096), 0);
    physmem_write(&p1, 0, 1, 1);
    physmem_write(&p2, 0, 2, 1);
    CHECK(physmem_read(&p1, 0, 1) == 1 && physmem_read(&p2, 0, 1) == 2);
    physmem_destroy(&p1);
    physmem_destroy(&p2);
    return test_report();
}
