/*
 * The pc-test board: the smallest x86 machine that runs a program.
 *
 * RAM from address 0, the program as a ROM whose last byte sits just below
 * 1 MiB (so its reset vector is at F000:FFF0) and again just below the top
 * of the CPU's address bus (where the 286 and later fetch their first
 * instruction), a debug console on port 0xE9, and the test-exit port on
 * 0xF4.  No interrupt controller, no timers: it is the board for CPU tests,
 * benchmarks and the first program a student writes.
 */
#include <stdlib.h>
#include <string.h>

#include "bus/machine_impl.h"

#define PCTEST_MAX_ROM (128u * 1024u)

static void on_exit_port(void *opaque, int code)
{
    struct machine *m = opaque;
    (void)code;
    x86_request_stop(&m->cpu);
}

/* Place `image` so that it ends at `top` (exclusive), padded in front with
 * 0xFF to whole pages. */
static int map_rom_ending_at(struct physmem *pm, uint64_t top, const uint8_t *image, size_t len)
{
    size_t padded = (len + PAGE_MASK) & ~(size_t)PAGE_MASK;
    uint8_t *buf = malloc(padded);
    if (!buf)
        return -1;
    memset(buf, 0xFF, padded - len);
    memcpy(buf + (padded - len), image, len);
    int r = physmem_map_rom(pm, top - padded, buf, padded);
    free(buf);
    return r;
}

int pctest_wire(struct machine *m, char *err, size_t errlen)
{
    if (!m->cfg.image) {
        snprintf(err, errlen, "the pc-test machine needs a program image");
        return -1;
    }
    size_t len;
    uint8_t *image = machine_load_file(m->cfg.image, PCTEST_MAX_ROM, &len, err, errlen);
    if (!image)
        return -1;
    int r = map_rom_ending_at(&m->mem, 0x100000, image, len);
    uint64_t bus_top = (uint64_t)m->cpu.addr_mask + 1;
    if (r == 0 && bus_top > 0x100000)
        r = map_rom_ending_at(&m->mem, bus_top, image, len);
    free(image);
    if (r != 0) {
        snprintf(err, errlen, "cannot map the program ROM");
        return -1;
    }
    m->io.log_unclaimed = 0;
    if (debugcon_init(&m->console, 0xE9, m->cfg.console, &m->io, &m->devices) != 0 ||
        debugexit_init(&m->exit_port, 0xF4, &m->io, &m->devices, on_exit_port, m) != 0) {
        snprintf(err, errlen, "cannot wire the pc-test devices");
        return -1;
    }
    return 0;
}
