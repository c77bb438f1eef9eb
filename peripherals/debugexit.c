#include "peripherals/debugexit.h"

static void debugexit_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct debugexit *d = opaque;
    (void)port;
    (void)size;
    d->exited = 1;
    d->code = (int)(value & 0xFF);
    if (d->on_exit)
        d->on_exit(d->opaque, d->code);
}

static void debugexit_reset(void *opaque)
{
    struct debugexit *d = opaque;
    d->exited = 0;
    d->code = 0;
}

static void debugexit_save(void *opaque, struct state_writer *w)
{
    struct debugexit *d = opaque;
    state_put_u8(w, (uint8_t)d->exited);
    state_put_u8(w, (uint8_t)d->code);
}

static int debugexit_load(void *opaque, struct state_reader *r, uint32_t version)
{
    struct debugexit *d = opaque;
    if (version != 1)
        return -1;
    d->exited = state_get_u8(r);
    d->code = state_get_u8(r);
    return r->error ? -1 : 0;
}

static void debugexit_dump(void *opaque, FILE *out)
{
    struct debugexit *d = opaque;
    fprintf(out, "test-exit port %#x: %s (code %d)\n", d->port, d->exited ? "written" : "idle", d->code);
}

static const struct device_ops debugexit_ops = {
    "debugexit", 1, debugexit_reset, debugexit_save, debugexit_load, debugexit_dump,
};

int debugexit_init(struct debugexit *d, uint16_t port, struct portio *io, struct device_registry *reg,
                   void (*on_exit)(void *opaque, int code), void *opaque)
{
    d->port = port;
    d->exited = 0;
    d->code = 0;
    d->on_exit = on_exit;
    d->opaque = opaque;
    if (portio_register(io, port, 1, PORTIO_SIZE_8, NULL, debugexit_write, d, "debugexit") != 0)
        return -1;
    return device_register(reg, &debugexit_ops, d);
}
