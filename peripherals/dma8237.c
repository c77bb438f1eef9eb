/*
 * Intel 8237A DMA controllers as cascaded in the PC/AT, with the 74LS612
 * style page registers.  Register behaviour follows the Intel 8237A
 * datasheet ("Register Description", "Software Commands").
 */
#include "peripherals/dma8237.h"

#include <string.h>

/* Mode register */
#define MODE_TYPE(m) (((m) >> 2) & 3u)
#define TYPE_VERIFY 0u
#define TYPE_WRITE 1u           /* I/O to memory */
#define TYPE_READ 2u            /* memory to I/O */
#define MODE_AUTOINIT 0x10u
#define MODE_DECREMENT 0x20u
#define MODE_SELECT(m) (((m) >> 6) & 3u)
#define SELECT_CASCADE 3u
/* Command register */
#define CMD_MEM_TO_MEM 0x01u
#define CMD_DISABLE 0x04u

enum dma_warning {
    WARN_DIRECTION = 1u << 0,
    WARN_ILLEGAL_TYPE = 1u << 1,
    WARN_MEM_TO_MEM = 1u << 2,
    WARN_UNDECODED = 1u << 3,
    WARN_SOFT_REQUEST = 1u << 4,
    WARN_WRITE_ONLY = 1u << 5,
};

static void warn_once(struct dma8237 *d, uint32_t which, const char *what)
{
    if (d->warned & which)
        return;
    d->warned |= which;
    fprintf(stderr, "trapeze: dma8237: %s\n", what);
}

/* Page register (offset from 0x80) of each channel. */
static const uint8_t page_port[8] = { 7, 3, 1, 2, 15, 11, 9, 10 };

/* ---- the device side ------------------------------------------------- */

int dma_channel_ready(const struct dma8237 *d, int channel)
{
    if (channel < 0 || channel > 7)
        return 0;
    const struct dma_controller *c = &d->ctl[channel >> 2];
    int n = channel & 3;
    if ((c->command & CMD_DISABLE) || (c->mask & (1u << n)) || MODE_SELECT(c->ch[n].mode) == SELECT_CASCADE)
        return 0;
    /* DMA1 holds the bus only through DMA2's channel 4 (HRQ -> DREQ4,
     * DACK4 -> HLDA). */
    if (channel < 4) {
        const struct dma_controller *m = &d->ctl[1];
        if ((m->command & CMD_DISABLE) || (m->mask & 1u) || MODE_SELECT(m->ch[0].mode) != SELECT_CASCADE)
            return 0;
    }
    return 1;
}

/* Guest-physical address of the channel's current address. */
static uint32_t phys_addr(const struct dma8237 *d, int channel, uint16_t addr)
{
    uint32_t page = d->page[page_port[channel]];
    if (channel < 4)
        return page << 16 | addr;
    /* Word addressing: A16 comes from address bit 15, page bit 0 is unused. */
    return (page & 0xFEu) << 16 | (uint32_t)addr << 1;
}

/* Move `bytes` at the channel's current address (a run that does not cross
 * the address counter's wrap) between guest memory and buf. */
static void move_block(struct dma8237 *d, int channel, uint8_t type, uint8_t *buf, uint32_t bytes,
                       int to_memory)
{
    uint32_t gpa = phys_addr(d, channel, d->ctl[channel >> 2].ch[channel & 3].cur_addr);
    if (type == TYPE_WRITE && to_memory) {
        physmem_copy_to(d->mem, gpa, buf, bytes);
    } else if (type == TYPE_READ && !to_memory) {
        physmem_copy_from(d->mem, gpa, buf, bytes);
    } else {
        if (type == TYPE_WRITE || type == TYPE_READ)
            warn_once(d, WARN_DIRECTION, "device transfer direction disagrees with the channel's mode: data lost");
        else if (type != TYPE_VERIFY)
            warn_once(d, WARN_ILLEGAL_TYPE, "transfer type 11 (illegal) in the mode register: treated as verify");
        /* Nobody drives the data bus: the memory side sees no strobe, a
         * device reading gets a floating bus. */
        if (!to_memory)
            memset(buf, 0xFF, bytes);
    }
}

/* Terminal count: "the channel's mask bit is set ... unless the channel is
 * programmed for autoinitialization", which restores the base registers. */
static void terminal_count(struct dma8237 *d, int channel)
{
    struct dma_controller *c = &d->ctl[channel >> 2];
    int n = channel & 3;
    struct dma_channel *ch = &c->ch[n];
    c->status |= (uint8_t)(1u << n);
    c->request &= (uint8_t)~(1u << n);
    d->tc[channel] = 1;
    if (ch->mode & MODE_AUTOINIT) {
        ch->cur_addr = ch->base_addr;
        ch->cur_count = ch->base_count;
    } else {
        c->mask |= (uint8_t)(1u << n);
    }
}

int dma_transfer(struct dma8237 *d, int channel, void *buf, int len, int to_memory)
{
    if (channel < 0 || channel > 7 || !buf || len <= 0)
        return 0;
    d->tc[channel] = 0;
    if (!dma_channel_ready(d, channel))
        return 0;
    struct dma_controller *c = &d->ctl[channel >> 2];
    struct dma_channel *ch = &c->ch[channel & 3];
    uint32_t unit = channel < 4 ? 1u : 2u;
    uint8_t type = (uint8_t)MODE_TYPE(ch->mode);
    uint8_t *p = buf;
    uint32_t moved = 0, total = (uint32_t)len / unit * unit;
    while (moved < total) {
        /* Units before the count passes zero, and before the address
         * counter wraps (one at a time when decrementing). */
        uint32_t units = (total - moved) / unit;
        uint32_t to_tc = (uint32_t)ch->cur_count + 1u;
        uint32_t to_wrap = (ch->mode & MODE_DECREMENT) ? 1u : 0x10000u - ch->cur_addr;
        if (units > to_tc)
            units = to_tc;
        if (units > to_wrap)
            units = to_wrap;
        move_block(d, channel, type, p + moved, units * unit, to_memory);
        moved += units * unit;
        if (ch->mode & MODE_DECREMENT)
            ch->cur_addr = (uint16_t)(ch->cur_addr - units);
        else
            ch->cur_addr = (uint16_t)(ch->cur_addr + units);
        ch->cur_count = (uint16_t)(ch->cur_count - units);
        if (units == to_tc) {   /* the count went from 0 to FFFFh */
            terminal_count(d, channel);
            break;
        }
    }
    return (int)moved;
}

int dma_terminal_count(const struct dma8237 *d, int channel)
{
    return channel >= 0 && channel <= 7 && d->tc[channel];
}

void dma_request(struct dma8237 *d, int channel, int level)
{
    if (channel < 0 || channel > 7)
        return;
    struct dma_controller *c = &d->ctl[channel >> 2];
    uint8_t bit = (uint8_t)(1u << (channel & 3));
    c->dreq = level ? (uint8_t)(c->dreq | bit) : (uint8_t)(c->dreq & ~bit);
}

uint8_t dma_post_code(const struct dma8237 *d) { return d->page[0]; }

/* ---- registers ------------------------------------------------------- */

/* "Master Clear: This software instruction has the same effect as the
 * hardware Reset.  The Command, Status, Request, Temporary, and Internal
 * First/Last Flip-Flop registers are cleared and the Mask register is set." */
static void master_clear(struct dma_controller *c)
{
    c->command = 0;
    c->status = 0;
    c->request = 0;
    c->temp = 0;
    c->flipflop = 0;
    c->mask = 0x0F;
}

/* Address and count registers: writes load base and current, reads see
 * current, a byte at a time through the flip-flop. */
static uint8_t read_addr_count(struct dma_controller *c, unsigned reg)
{
    const struct dma_channel *ch = &c->ch[reg >> 1];
    uint16_t v = (reg & 1u) ? ch->cur_count : ch->cur_addr;
    uint8_t b = (uint8_t)(c->flipflop ? v >> 8 : v);
    c->flipflop ^= 1u;
    return b;
}

static void write_addr_count(struct dma_controller *c, unsigned reg, uint8_t v)
{
    struct dma_channel *ch = &c->ch[reg >> 1];
    uint16_t *base = (reg & 1u) ? &ch->base_count : &ch->base_addr;
    uint16_t *cur = (reg & 1u) ? &ch->cur_count : &ch->cur_addr;
    if (c->flipflop)
        *base = (uint16_t)((*base & 0x00FFu) | v << 8);
    else
        *base = (uint16_t)((*base & 0xFF00u) | v);
    *cur = *base;
    c->flipflop ^= 1u;
}

static uint8_t controller_read(struct dma8237 *d, struct dma_controller *c, unsigned reg)
{
    if (reg < 8)
        return read_addr_count(c, reg);
    switch (reg) {
    case 8: { /* status: reading clears the terminal-count bits */
        uint8_t v = (uint8_t)((c->status & 0x0Fu) | (uint8_t)((c->dreq | c->request) << 4));
        c->status &= 0xF0u;
        return v;
    }
    case 13:
        return c->temp;
    case 15: /* the mask register reads back, as on the PIIX's ISA bridge */
        return (uint8_t)(0xF0u | c->mask);
    default:
        warn_once(d, WARN_WRITE_ONLY, "read of a write-only DMA register (floats)");
        return 0xFF;
    }
}

static void controller_write(struct dma8237 *d, struct dma_controller *c, unsigned reg, uint8_t v)
{
    if (reg < 8) {
        write_addr_count(c, reg, v);
        return;
    }
    switch (reg) {
    case 8:
        c->command = v;
        if (v & CMD_MEM_TO_MEM)
            warn_once(d, WARN_MEM_TO_MEM, "memory-to-memory mode is not wired on a PC: ignored");
        break;
    case 9:
        if (v & 4u) {
            c->request |= (uint8_t)(1u << (v & 3u));
            warn_once(d, WARN_SOFT_REQUEST, "software DMA request: recorded, no device to serve it");
        } else {
            c->request &= (uint8_t)~(1u << (v & 3u));
        }
        break;
    case 10: /* single mask bit */
        if (v & 4u)
            c->mask |= (uint8_t)(1u << (v & 3u));
        else
            c->mask &= (uint8_t)~(1u << (v & 3u));
        break;
    case 11:
        c->ch[v & 3u].mode = v;
        break;
    case 12:
        c->flipflop = 0;
        break;
    case 13:
        master_clear(c);
        break;
    case 14: /* clear mask register */
        c->mask = 0;
        break;
    default: /* 15: write all mask bits */
        c->mask = v & 0x0Fu;
        break;
    }
}

uint8_t dma_read(struct dma8237 *d, uint16_t port)
{
    if (port >= 0x80 && port <= 0x8F)
        return d->page[port - 0x80];
    if (port <= 0x0F)
        return controller_read(d, &d->ctl[0], port);
    if (port >= 0xC0 && port <= 0xDF && !(port & 1u))
        return controller_read(d, &d->ctl[1], (port - 0xC0u) >> 1);
    warn_once(d, WARN_UNDECODED, "access to an odd port in 0xC0-0xDF (not decoded)");
    return 0xFF;
}

void dma_write(struct dma8237 *d, uint16_t port, uint8_t value)
{
    if (port >= 0x80 && port <= 0x8F) {
        d->page[port - 0x80] = value;
        if (port == 0x80 && d->post_hook)
            d->post_hook(d->post_opaque, value);
    } else if (port <= 0x0F) {
        controller_write(d, &d->ctl[0], port, value);
    } else if (port >= 0xC0 && port <= 0xDF && !(port & 1u)) {
        controller_write(d, &d->ctl[1], (port - 0xC0u) >> 1, value);
    } else {
        warn_once(d, WARN_UNDECODED, "access to an odd port in 0xC0-0xDF (not decoded)");
    }
}

static uint32_t dma_io_read(void *opaque, uint16_t port, int size)
{
    (void)size;
    return dma_read(opaque, port);
}

static void dma_io_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    (void)size;
    dma_write(opaque, port, (uint8_t)value);
}

/* ---- device hooks ---------------------------------------------------- */

static void dma_reset(void *opaque)
{
    struct dma8237 *d = opaque;
    for (int i = 0; i < 2; i++) {
        memset(d->ctl[i].ch, 0, sizeof(d->ctl[i].ch));
        for (int n = 0; n < 4; n++)
            d->ctl[i].ch[n].mode = (uint8_t)n;     /* the mode register's channel bits */
        master_clear(&d->ctl[i]);
        d->ctl[i].dreq = 0;
    }
    memset(d->page, 0, sizeof(d->page));
    memset(d->tc, 0, sizeof(d->tc));
}

static void dma_save(void *opaque, struct state_writer *w)
{
    struct dma8237 *d = opaque;
    for (int i = 0; i < 2; i++) {
        const struct dma_controller *c = &d->ctl[i];
        for (int n = 0; n < 4; n++) {
            state_put_u16(w, c->ch[n].base_addr);
            state_put_u16(w, c->ch[n].base_count);
            state_put_u16(w, c->ch[n].cur_addr);
            state_put_u16(w, c->ch[n].cur_count);
            state_put_u8(w, c->ch[n].mode);
        }
        const uint8_t b[] = { c->command, c->status, c->request, c->dreq, c->mask, c->temp, c->flipflop };
        state_put_bytes(w, b, sizeof(b));
    }
    state_put_bytes(w, d->page, sizeof(d->page));
    state_put_bytes(w, d->tc, sizeof(d->tc));
}

static int dma_load(void *opaque, struct state_reader *r, uint32_t version)
{
    struct dma8237 *d = opaque;
    struct dma_controller ctl[2];
    uint8_t page[16], tc[8];
    if (version != DMA_STATE_VERSION)
        return -1;
    for (int i = 0; i < 2; i++) {
        struct dma_controller *c = &ctl[i];
        for (int n = 0; n < 4; n++) {
            c->ch[n].base_addr = state_get_u16(r);
            c->ch[n].base_count = state_get_u16(r);
            c->ch[n].cur_addr = state_get_u16(r);
            c->ch[n].cur_count = state_get_u16(r);
            c->ch[n].mode = state_get_u8(r);
            if ((c->ch[n].mode & 3u) != (unsigned)n)
                return -1;
        }
        uint8_t b[7];
        state_get_bytes(r, b, sizeof(b));
        c->command = b[0];
        c->status = b[1];
        c->request = b[2];
        c->dreq = b[3];
        c->mask = b[4];
        c->temp = b[5];
        c->flipflop = b[6];
        if ((c->status & 0xF0u) || (c->request | c->dreq | c->mask) > 0x0F || c->flipflop > 1)
            return -1;
    }
    state_get_bytes(r, page, sizeof(page));
    state_get_bytes(r, tc, sizeof(tc));
    if (r->error || r->pos != r->len)
        return -1;
    for (int i = 0; i < 8; i++)
        if (tc[i] > 1)
            return -1;
    memcpy(d->ctl, ctl, sizeof(ctl));
    memcpy(d->page, page, sizeof(page));
    memcpy(d->tc, tc, sizeof(tc));
    return 0;
}

static const char *const type_names[4] = { "verify", "write (to memory)", "read (from memory)", "illegal" };
static const char *const select_names[4] = { "demand", "single", "block", "cascade" };

static void dma_dump(void *opaque, FILE *out)
{
    struct dma8237 *d = opaque;
    for (int i = 0; i < 2; i++) {
        const struct dma_controller *c = &d->ctl[i];
        fprintf(out, "DMA%d: command %02x status %02x mask %x request %x%s\n", i + 1, c->command, c->status,
                c->mask, c->request | c->dreq, c->flipflop ? ", flip-flop high" : "");
        for (int n = 0; n < 4; n++) {
            const struct dma_channel *ch = &c->ch[n];
            int channel = i * 4 + n;
            fprintf(out, "  ch%d: page %02x addr %04x/%04x count %04x/%04x, %s %s%s%s%s\n", channel,
                    d->page[page_port[channel]], ch->cur_addr, ch->base_addr, ch->cur_count, ch->base_count,
                    select_names[MODE_SELECT(ch->mode)], type_names[MODE_TYPE(ch->mode)],
                    (ch->mode & MODE_AUTOINIT) ? ", auto-init" : "", (ch->mode & MODE_DECREMENT) ? ", down" : "",
                    (c->mask & (1u << n)) ? ", masked" : "");
        }
    }
    fprintf(out, "POST code (port 0x80): %02x\n", d->page[0]);
}

const struct device_ops dma_ops = {
    .name = "dma",
    .version = DMA_STATE_VERSION,
    .reset = dma_reset,
    .save = dma_save,
    .load = dma_load,
    .dump = dma_dump,
};

int dma_init(struct dma8237 *d, struct physmem *mem, struct portio *io, struct device_registry *reg)
{
    memset(d, 0, sizeof(*d));
    d->mem = mem;
    dma_reset(d);
    if (portio_register(io, 0x00, 16, PORTIO_SIZE_8, dma_io_read, dma_io_write, d, "dma1") != 0 ||
        portio_register(io, 0x80, 16, PORTIO_SIZE_8, dma_io_read, dma_io_write, d, "dma-page") != 0 ||
        portio_register(io, 0xC0, 32, PORTIO_SIZE_8, dma_io_read, dma_io_write, d, "dma2") != 0)
        return -1;
    return device_register(reg, &dma_ops, d);
}
