#include "bus/portio.h"

#include <stdio.h>
#include <string.h>

void portio_init(struct portio *io)
{
    memset(io, 0, sizeof(*io));
}

int portio_register(struct portio *io, uint16_t base, uint32_t count, unsigned sizes,
                    io_read_fn rd, io_write_fn wr, void *opaque, const char *name)
{
    if (io->n >= PORTIO_MAX_HANDLERS || count == 0 || base + count > 65536u)
        return -1;
    for (uint32_t p = base; p < base + count; p++)
        if (io->owner[p])
            return -1;
    io->handlers[io->n] = (struct io_handler){ name, base, count, sizes | PORTIO_SIZE_8, rd, wr, opaque };
    io->n++;
    for (uint32_t p = base; p < base + count; p++)
        io->owner[p] = (uint8_t)io->n;
    return 0;
}

static void log_unclaimed(struct portio *io, uint16_t port, int is_write)
{
    if (!io->log_unclaimed || (io->warned[port >> 3] & (1u << (port & 7))))
        return;
    io->warned[port >> 3] |= (uint8_t)(1u << (port & 7));
    fprintf(stderr, "trapeze: %s of unclaimed I/O port %#06x (floats)\n", is_write ? "write" : "read", port);
}

static uint8_t read_byte(struct portio *io, uint16_t port)
{
    int owner = io->owner[port];
    if (!owner || !io->handlers[owner - 1].read) {
        if (!owner)
            log_unclaimed(io, port, 0);
        return 0xFF;
    }
    const struct io_handler *h = &io->handlers[owner - 1];
    return (uint8_t)h->read(h->opaque, port, 1);
}

static void write_byte(struct portio *io, uint16_t port, uint8_t v)
{
    int owner = io->owner[port];
    if (!owner || !io->handlers[owner - 1].write) {
        if (!owner)
            log_unclaimed(io, port, 1);
        return;
    }
    const struct io_handler *h = &io->handlers[owner - 1];
    h->write(h->opaque, port, v, 1);
}

/* The handler that takes the whole access, or NULL if it must be split. */
static const struct io_handler *whole_access(const struct portio *io, uint16_t port, int size)
{
    int owner = io->owner[port];
    if (!owner)
        return NULL;
    const struct io_handler *h = &io->handlers[owner - 1];
    if (!(h->sizes & (unsigned)size) || (uint32_t)port + (uint32_t)size > (uint32_t)h->base + h->count)
        return NULL;
    return h;
}

uint32_t portio_read(struct portio *io, uint16_t port, int size)
{
    uint32_t v;
    const struct io_handler *h = size > 1 ? whole_access(io, port, size) : NULL;
    if (h && h->read) {
        v = h->read(h->opaque, port, size);
    } else {
        v = 0;
        for (int i = 0; i < size; i++)
            v |= (uint32_t)read_byte(io, (uint16_t)(port + i)) << (8 * i);
    }
    if (size < 4)
        v &= (1u << (8 * size)) - 1;
    if (io->observe)
        io->observe(io->observe_opaque, port, v, size, 0);
    return v;
}

void portio_write(struct portio *io, uint16_t port, uint32_t value, int size)
{
    if (io->observe)
        io->observe(io->observe_opaque, port, value, size, 1);
    const struct io_handler *h = size > 1 ? whole_access(io, port, size) : NULL;
    if (h && h->write) {
        h->write(h->opaque, port, value, size);
        return;
    }
    for (int i = 0; i < size; i++)
        write_byte(io, (uint16_t)(port + i), (uint8_t)(value >> (8 * i)));
}
