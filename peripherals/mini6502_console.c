#include "peripherals/mini6502_console.h"

void mini6502_console_init(struct mini6502_console *con, void (*put)(void *, uint8_t),
                           int (*get)(void *), void *opaque)
{
    *con = (struct mini6502_console){ .put = put, .get = get, .opaque = opaque };
}

uint8_t mini6502_console_read(struct mini6502_console *con, unsigned reg)
{
    if (reg != MINI6502_CONSOLE_DATA)
        return mini6502_console_peek(con, reg);
    int c = (con->status & MINI6502_CONSOLE_STATUS_EOF) || !con->get ? -1 : con->get(con->opaque);
    if (c < 0) {
        con->status |= MINI6502_CONSOLE_STATUS_EOF;
        con->last_in = 0;
    } else {
        con->last_in = (uint8_t)c;
        con->bytes_in++;
    }
    return con->last_in;
}

uint8_t mini6502_console_peek(const struct mini6502_console *con, unsigned reg)
{
    if (reg == MINI6502_CONSOLE_DATA)
        return con->last_in;
    return (uint8_t)(con->status | MINI6502_CONSOLE_STATUS_READY);
}

void mini6502_console_write(struct mini6502_console *con, unsigned reg, uint8_t v)
{
    if (reg != MINI6502_CONSOLE_DATA)
        return;
    con->bytes_out++;
    if (con->put)
        con->put(con->opaque, v);
}

static void console_reset(void *opaque)
{
    struct mini6502_console *con = opaque;
    con->status = 0;
    con->last_in = 0;
}

static void console_save(void *opaque, struct state_writer *w)
{
    const struct mini6502_console *con = opaque;
    state_put_u8(w, con->status);
    state_put_u8(w, con->last_in);
    state_put_u64(w, con->bytes_out);
    state_put_u64(w, con->bytes_in);
}

static int console_load(void *opaque, struct state_reader *r, uint32_t version)
{
    struct mini6502_console *con = opaque;
    if (version != MINI6502_CONSOLE_STATE_VERSION)
        return -1;
    uint8_t status = state_get_u8(r);
    uint8_t last_in = state_get_u8(r);
    uint64_t out = state_get_u64(r), in = state_get_u64(r);
    if (r->error)
        return -1;
    con->status = status & MINI6502_CONSOLE_STATUS_EOF;
    con->last_in = last_in;
    con->bytes_out = out;
    con->bytes_in = in;
    return 0;
}

static void console_dump(void *opaque, FILE *out)
{
    const struct mini6502_console *con = opaque;
    fprintf(out, "console: status $%02X (%s), last input $%02X, %llu bytes out, %llu in\n",
            mini6502_console_peek(con, MINI6502_CONSOLE_STATUS),
            (con->status & MINI6502_CONSOLE_STATUS_EOF) ? "input exhausted" : "input open",
            con->last_in, (unsigned long long)con->bytes_out, (unsigned long long)con->bytes_in);
}

const struct device_ops mini6502_console_ops = {
    .name = "console",
    .version = MINI6502_CONSOLE_STATE_VERSION,
    .reset = console_reset,
    .save = console_save,
    .load = console_load,
    .dump = console_dump,
};
