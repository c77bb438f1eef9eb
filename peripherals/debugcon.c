#include "peripherals/debugcon.h"

#include <string.h>

static uint32_t debugcon_read(void *opaque, uint16_t port, int size)
{
    (void)opaque;
    (void)port;
    (void)size;
    return 0xE9;
}

static void debugcon_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct debugcon *d = opaque;
    (void)port;
    (void)size;
    uint8_t ch = (uint8_t)value;
    if (d->out) {
        fputc(ch, d->out);
        if (ch == '\n')
            fflush(d->out);
    }
    if (d->tail_len == sizeof(d->tail) - 1) {
        memmove(d->tail, d->tail + 1, sizeof(d->tail) - 2);
        d->tail_len--;
    }
    d->tail[d->tail_len++] = (char)ch;
    d->tail[d->tail_len] = 0;
    d->bytes++;
}

static void debugcon_reset(void *opaque)
{
    struct debugcon *d = opaque;
    d->tail_len = 0;
    d->tail[0] = 0;
}

/* The console has no state the guest can read back; the byte count is kept. */
static void debugcon_save(void *opaque, struct state_writer *w)
{
    struct debugcon *d = opaque;
    state_put_u64(w, d->bytes);
}

static int debugcon_load(void *opaque, struct state_reader *r, uint32_t version)
{
    struct debugcon *d = opaque;
    if (version != 1)
        return -1;
    d->bytes = state_get_u64(r);
    return r->error ? -1 : 0;
}

static void debugcon_dump(void *opaque, FILE *out)
{
    struct debugcon *d = opaque;
    fprintf(out, "debug console at port %#x: %llu bytes written\n", d->port, (unsigned long long)d->bytes);
}

static const struct device_ops debugcon_ops = {
    "debugcon", 1, debugcon_reset, debugcon_save, debugcon_load, debugcon_dump,
};

int debugcon_init(struct debugcon *d, uint16_t port, FILE *out, struct portio *io, struct device_registry *reg)
{
    memset(d, 0, sizeof(*d));
    d->port = port;
    d->out = out;
    if (portio_register(io, port, 1, PORTIO_SIZE_8, debugcon_read, debugcon_write, d, "debugcon") != 0)
        return -1;
    snprintf(d->name, sizeof(d->name), "debugcon@%x", port);
    return device_register_named(reg, &debugcon_ops, d, d->name);
}
