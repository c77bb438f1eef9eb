/*
 * The 8042 keyboard controller: command and status registers, output
 * buffer, IRQ1/IRQ12, the output port (A20, reset) and the set 2 -> set 1
 * translation.  Reference: IBM PS/2 Hardware Interface Technical Reference,
 * "Keyboard/Auxiliary Device Controller".  The keyboard and mouse behind it
 * are in ps2_keyboard.c and ps2_mouse.c; their state is saved here, with
 * the controller's, as one device.
 */
#include "peripherals/i8042.h"

#include <string.h>

#define POWER_ON_CTR (I8042_CTR_XLATE | I8042_CTR_KBDDIS)
#define POWER_ON_OUTPORT 0xCFu      /* not in reset, A20 on, clock/data lines high */
#define INPUT_PORT 0xA3u            /* not inhibited, no test jumper, data lines high */

/* ---- Scan codes ------------------------------------------------------ */

/* The 8042's set 2 -> set 1 translation for bytes 0x00-0x7F, from the
 * IBM keyboard controller documentation.  Entries for positions no key
 * uses hold what the controller's table holds there. */
static const uint8_t xlate_table[128] = {
    0xFF, 0x43, 0x41, 0x3F, 0x3D, 0x3B, 0x3C, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3E, 0x0F, 0x29, 0x59,
    0x65, 0x38, 0x2A, 0x70, 0x1D, 0x10, 0x02, 0x5A, 0x66, 0x71, 0x2C, 0x1F, 0x1E, 0x11, 0x03, 0x5B,
    0x67, 0x2E, 0x2D, 0x20, 0x12, 0x05, 0x04, 0x5C, 0x68, 0x39, 0x2F, 0x21, 0x14, 0x13, 0x06, 0x5D,
    0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5E, 0x6A, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5F,
    0x6B, 0x33, 0x25, 0x17, 0x18, 0x0B, 0x0A, 0x60, 0x6C, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0C, 0x61,
    0x6D, 0x73, 0x28, 0x74, 0x1A, 0x0D, 0x62, 0x6E, 0x3A, 0x36, 0x1C, 0x1B, 0x75, 0x2B, 0x63, 0x76,
    0x55, 0x56, 0x77, 0x78, 0x79, 0x7A, 0x0E, 0x7B, 0x7C, 0x4F, 0x7D, 0x4B, 0x47, 0x7E, 0x7F, 0x6F,
    0x52, 0x53, 0x50, 0x4C, 0x4D, 0x48, 0x01, 0x45, 0x57, 0x4E, 0x51, 0x4A, 0x37, 0x49, 0x46, 0x54,
};

/* Bytes from 0x80 pass through, except the two set-2 codes above 0x7F:
 * 83 (F7) and 84 (Alt+SysRq). */
static uint8_t xlate_byte(uint8_t b)
{
    if (b < 0x80)
        return xlate_table[b];
    if (b == 0x83)
        return 0x41;
    if (b == 0x84)
        return 0x54;
    return b;
}

/* One byte through the translator: F0 is swallowed and sets bit 7 of the
 * next byte.  Returns -1 for a swallowed byte. */
int i8042_translate(uint8_t *break_pending, uint8_t b)
{
    if (b == 0xF0) {
        *break_pending = 1;
        return -1;
    }
    uint8_t t = xlate_byte(b);
    if (*break_pending) {
        t |= 0x80;
        *break_pending = 0;
    }
    return t;
}

/* ---- Small helpers --------------------------------------------------- */

void i8042_warn_once(uint8_t *flags, unsigned bit, const char *what, unsigned value)
{
    if (flags[bit / 8] & (1u << (bit % 8)))
        return;
    flags[bit / 8] |= (uint8_t)(1u << (bit % 8));
    fprintf(stderr, "trapeze: i8042: %s %#04x ignored\n", what, value);
}

static int kbd_port_open(const struct i8042 *c) { return !(c->ctrl.ram[0] & I8042_CTR_KBDDIS); }
static int aux_port_open(const struct i8042 *c) { return !(c->ctrl.ram[0] & I8042_CTR_AUXDIS); }

/* ---- Output buffer and interrupts ------------------------------------ */

/* On the PS/2 board the 8042's OBF outputs are wired to IRQ1 and IRQ12;
 * the command byte enables each. */
static void update_irqs(struct i8042 *c)
{
    const struct i8042_ctrl *k = &c->ctrl;
    irq_set(&c->irq_kbd, k->obf && k->out_src == I8042_SRC_KBD && (k->ram[0] & I8042_CTR_KBDINT));
    irq_set(&c->irq_aux, k->obf && k->out_src == I8042_SRC_AUX && (k->ram[0] & I8042_CTR_AUXINT));
}

static int have_pending(const struct i8042 *c)
{
    return c->ctrl.reply_count || (kbd_port_open(c) && c->kbd.q.count) ||
           (aux_port_open(c) && c->mouse.q.count);
}

/* Arm the delivery timer for the next byte: the controller's own replies
 * take its command turnaround, device bytes a PS/2 frame. */
void i8042_schedule_delivery(struct i8042 *c)
{
    if (c->ctrl.obf || !have_pending(c))
        return;
    cycles_t when = i8042_after_ns(c, c->ctrl.reply_count ? I8042_CMD_NS : I8042_BYTE_NS);
    if (!timer_armed(&c->deliver) || c->deliver.when > when)
        timer_arm(c->clock, &c->deliver, when);
}

static void load_output(struct i8042 *c, uint8_t b, uint8_t src)
{
    c->ctrl.out = b;
    c->ctrl.obf = 1;
    c->ctrl.out_src = src;
    update_irqs(c);
}

static void reply(struct i8042 *c, uint8_t b, uint8_t src)
{
    struct i8042_ctrl *k = &c->ctrl;
    if (k->reply_count < sizeof(k->reply)) {
        k->reply[k->reply_count] = b;
        k->reply_src[k->reply_count++] = src;
    }
    i8042_schedule_delivery(c);
}

/* Take the next keyboard byte, translating to set 1 when the command byte
 * says so.  A swallowed F0 leaves the buffer empty for one more frame. */
static void deliver_kbd_byte(struct i8042 *c)
{
    uint8_t b = ps2_queue_pop(&c->kbd.q);
    c->kbd.last_sent = b;
    if (c->ctrl.ram[0] & I8042_CTR_XLATE) {
        int t = i8042_translate(&c->ctrl.xlate_break, b);
        if (t < 0)
            return;
        b = (uint8_t)t;
    }
    load_output(c, b, I8042_SRC_KBD);
}

static void deliver_fire(void *opaque, cycles_t now)
{
    struct i8042 *c = opaque;
    struct i8042_ctrl *k = &c->ctrl;
    (void)now;
    if (k->obf)
        return;
    if (k->reply_count) {
        uint8_t b = k->reply[0], src = k->reply_src[0];
        k->reply_count--;
        memmove(k->reply, k->reply + 1, k->reply_count);
        memmove(k->reply_src, k->reply_src + 1, k->reply_count);
        load_output(c, b, src);
    } else if (kbd_port_open(c) && c->kbd.q.count) {
        deliver_kbd_byte(c);
    } else if (aux_port_open(c) && c->mouse.q.count) {
        load_output(c, ps2_queue_pop(&c->mouse.q), I8042_SRC_AUX);
        ps2_mouse_try_stream(c);
    }
    i8042_schedule_delivery(c);
}

/* ---- Controller ------------------------------------------------------ */

static uint8_t outport_value(const struct i8042 *c)
{
    return (uint8_t)((c->ctrl.outport & ~(I8042_OUT_KBD_OBF | I8042_OUT_AUX_OBF)) |
                     (c->irq_kbd.level ? I8042_OUT_KBD_OBF : 0) |
                     (c->irq_aux.level ? I8042_OUT_AUX_OBF : 0));
}

/* Bit 1 drives the A20 gate; bit 0 low holds the CPU in reset.  The board
 * resets the CPU, and the line is taken as released again (a pulse).  The
 * OBF bits are the controller's own outputs and not writable. */
static void write_outport(struct i8042 *c, uint8_t v)
{
    c->ctrl.outport = (uint8_t)(v | I8042_OUT_RESET);
    if (c->board.set_a20)
        c->board.set_a20(c->board.opaque, (v & I8042_OUT_A20) != 0);
    if (!(v & I8042_OUT_RESET) && c->board.reset)
        c->board.reset(c->board.opaque);
}

static void set_port_disabled(struct i8042 *c, uint8_t bit, int disabled)
{
    if (disabled)
        c->ctrl.ram[0] |= bit;
    else
        c->ctrl.ram[0] &= (uint8_t)~bit;
    i8042_schedule_delivery(c);
}

static void controller_command(struct i8042 *c, uint8_t cmd)
{
    struct i8042_ctrl *k = &c->ctrl;
    if (cmd >= 0x20 && cmd <= 0x3F) {
        reply(c, k->ram[cmd & 0x1F], I8042_SRC_KBD);
        return;
    }
    if (cmd >= 0x60 && cmd <= 0x7F) {
        k->pending = cmd;
        return;
    }
    switch (cmd) {
    case 0xA4: reply(c, 0xF1, I8042_SRC_KBD); break;   /* no password installed */
    case 0xA7: set_port_disabled(c, I8042_CTR_AUXDIS, 1); break;
    case 0xA8: set_port_disabled(c, I8042_CTR_AUXDIS, 0); break;
    case 0xA9: reply(c, 0x00, I8042_SRC_KBD); break;   /* AUX lines OK */
    case 0xAA:                                          /* self test passed */
        k->ram[0] |= I8042_CTR_SYS;
        reply(c, 0x55, I8042_SRC_KBD);
        break;
    case 0xAB: reply(c, 0x00, I8042_SRC_KBD); break;   /* keyboard lines OK */
    case 0xAD: set_port_disabled(c, I8042_CTR_KBDDIS, 1); break;
    case 0xAE: set_port_disabled(c, I8042_CTR_KBDDIS, 0); break;
    case 0xC0: reply(c, INPUT_PORT, I8042_SRC_KBD); break;
    case 0xD0: reply(c, outport_value(c), I8042_SRC_KBD); break;
    case 0xD1: case 0xD2: case 0xD3: case 0xD4: k->pending = cmd; break;
    case 0xDD: write_outport(c, (uint8_t)(k->outport & ~I8042_OUT_A20)); break;
    case 0xDF: write_outport(c, (uint8_t)(k->outport | I8042_OUT_A20)); break;
    default:
        if (cmd >= 0xF0) {
            /* Pulse the output lines whose bits are 0 for ~6 us: only the
             * reset line (bit 0) has an effect worth modelling. */
            if (!(cmd & 1) && c->board.reset)
                c->board.reset(c->board.opaque);
            break;
        }
        i8042_warn_once(c->warned, cmd, "unknown controller command", cmd);
        break;
    }
}

static void controller_data(struct i8042 *c, uint8_t cmd, uint8_t v)
{
    struct i8042_ctrl *k = &c->ctrl;
    if (cmd >= 0x60 && cmd <= 0x7F) {
        k->ram[cmd & 0x1F] = v;
        if (cmd == 0x60) {
            update_irqs(c);
            i8042_schedule_delivery(c);
        }
        return;
    }
    switch (cmd) {
    case 0xD1: write_outport(c, v); break;
    case 0xD2: reply(c, v, I8042_SRC_KBD); break;
    case 0xD3: reply(c, v, I8042_SRC_AUX); break;
    case 0xD4:
        k->ibf_until = i8042_after_ns(c, I8042_BYTE_NS);
        ps2_mouse_receive(c, v);
        break;
    default: break;
    }
}

uint8_t i8042_read(struct i8042 *c, uint16_t port)
{
    struct i8042_ctrl *k = &c->ctrl;
    if (port & 4) {
        uint8_t s = I8042_STATUS_INH;
        s |= k->obf ? I8042_STATUS_OBF : 0;
        s |= k->out_src == I8042_SRC_AUX ? I8042_STATUS_AUXB : 0;
        s |= c->clock->now < k->ibf_until ? I8042_STATUS_IBF : 0;
        s |= k->ram[0] & I8042_CTR_SYS ? I8042_STATUS_SYS : 0;
        s |= k->a2 ? I8042_STATUS_A2 : 0;
        return s;
    }
    /* With the buffer empty the last byte reads again, as on the chip. */
    if (k->obf) {
        k->obf = 0;
        update_irqs(c);
        i8042_schedule_delivery(c);
    }
    return k->out;
}

void i8042_write(struct i8042 *c, uint16_t port, uint8_t v)
{
    struct i8042_ctrl *k = &c->ctrl;
    k->ibf_until = i8042_after_ns(c, I8042_CMD_NS);
    if (port & 4) {
        k->a2 = 1;
        k->pending = 0;                     /* a new command cancels a pending one */
        controller_command(c, v);
        return;
    }
    k->a2 = 0;
    if (k->pending) {
        uint8_t cmd = k->pending;
        k->pending = 0;
        controller_data(c, cmd, v);
        return;
    }
    /* A byte for the keyboard: the input buffer stays full while it is
     * clocked out. */
    k->ibf_until = i8042_after_ns(c, I8042_BYTE_NS);
    ps2_kbd_receive(c, v);
}

static uint32_t port_read(void *opaque, uint16_t port, int size)
{
    (void)size;
    return i8042_read(opaque, port);
}

static void port_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    (void)size;
    i8042_write(opaque, port, (uint8_t)value);
}

/* ---- Device hooks ---------------------------------------------------- */

static void i8042_reset(void *opaque)
{
    struct i8042 *c = opaque;
    timer_cancel(c->clock, &c->deliver);
    memset(&c->ctrl, 0, sizeof(c->ctrl));
    c->ctrl.ram[0] = POWER_ON_CTR;
    ps2_kbd_reset(c);
    ps2_mouse_reset(c);
    update_irqs(c);
    write_outport(c, POWER_ON_OUTPORT);
}

static void put_queue(struct state_writer *w, const struct ps2_queue *q)
{
    state_put_u8(w, q->count);
    for (unsigned i = 0; i < q->count; i++)
        state_put_u8(w, q->data[(q->head + i) % I8042_QUEUE_CAP]);
}

static int get_queue(struct state_reader *r, struct ps2_queue *q)
{
    q->head = 0;
    q->count = state_get_u8(r);
    if (q->count > I8042_QUEUE_CAP)
        return -1;
    state_get_bytes(r, q->data, q->count);
    return 0;
}

static void put_timer(struct state_writer *w, const struct timer *t)
{
    state_put_u8(w, (uint8_t)timer_armed(t));
    state_put_u64(w, timer_armed(t) ? t->when : 0);
}

struct saved_timer {
    uint8_t armed;
    uint64_t when;
};

static int get_timer(struct state_reader *r, struct saved_timer *t)
{
    t->armed = state_get_u8(r);
    t->when = state_get_u64(r);
    return t->armed <= 1 ? 0 : -1;
}

static void restore_timer(struct clock *clock, struct timer *t, const struct saved_timer *s)
{
    if (s->armed)
        timer_arm(clock, t, s->when);
    else
        timer_cancel(clock, t);
}

/* Two's complement from the blob, without implementation-defined casts. */
static int32_t get_s32(struct state_reader *r)
{
    uint32_t v = state_get_u32(r);
    return v < 0x80000000u ? (int32_t)v : -(int32_t)(~v) - 1;
}

static void i8042_save(void *opaque, struct state_writer *w)
{
    const struct i8042 *c = opaque;
    const struct i8042_ctrl *k = &c->ctrl;
    const struct ps2_kbd *kb = &c->kbd;
    const struct ps2_mouse *m = &c->mouse;
    state_put_bytes(w, k->ram, sizeof(k->ram));
    const uint8_t cb[] = { k->out, k->obf, k->out_src, k->a2, k->pending, k->outport, k->xlate_break,
                           k->reply_count };
    state_put_bytes(w, cb, sizeof(cb));
    state_put_bytes(w, k->reply, sizeof(k->reply));
    state_put_bytes(w, k->reply_src, sizeof(k->reply_src));
    state_put_u64(w, k->ibf_until);
    put_queue(w, &kb->q);
    const uint8_t kbb[] = { kb->pending, kb->scanning, kb->set, kb->leds, kb->typematic, kb->last_sent,
                            kb->repeat_key, kb->set1_break, kb->in_bat };
    state_put_bytes(w, kbb, sizeof(kbb));
    state_put_bytes(w, kb->held, sizeof(kb->held));
    put_queue(w, &m->q);
    const uint8_t mb[] = { m->pending, m->enabled, m->remote, m->wrap, m->scale21, m->resolution, m->rate,
                           m->id, m->knock[0], m->knock[1], m->knock[2], m->buttons, m->reported_buttons,
                           m->in_bat, m->last_len };
    state_put_bytes(w, mb, sizeof(mb));
    state_put_bytes(w, m->last, sizeof(m->last));
    state_put_u32(w, (uint32_t)m->dx);
    state_put_u32(w, (uint32_t)m->dy);
    state_put_u32(w, (uint32_t)m->dz);
    state_put_u64(w, m->next_sample);
    put_timer(w, &c->deliver);
    put_timer(w, &c->kbd_bat);
    put_timer(w, &c->kbd_repeat);
    put_timer(w, &c->mouse_bat);
    put_timer(w, &c->mouse_sample);
}

static int flags_ok(const uint8_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] > 1)
            return 0;
    return 1;
}

static int ctrl_valid(const struct i8042_ctrl *k)
{
    uint8_t f[] = { k->obf, k->out_src, k->a2, k->xlate_break };
    if (!flags_ok(f, sizeof(f)) || k->reply_count > sizeof(k->reply) || !flags_ok(k->reply_src, 4))
        return 0;
    return k->pending == 0 || (k->pending >= 0x60 && k->pending <= 0x7F) ||
           (k->pending >= 0xD1 && k->pending <= 0xD4);
}

static int kbd_valid(const struct ps2_kbd *k)
{
    uint8_t f[] = { k->scanning, k->set1_break, k->in_bat };
    int pending_ok = k->pending == 0 || k->pending == 0xED || k->pending == 0xF0 || k->pending == 0xF3 ||
                     (k->pending >= 0xFB && k->pending <= 0xFD);
    return flags_ok(f, sizeof(f)) && pending_ok && (k->set == 1 || k->set == 2) &&
           k->repeat_key < PC_KEY_COUNT;
}

static int mouse_valid(const struct ps2_mouse *m)
{
    uint8_t f[] = { m->enabled, m->remote, m->wrap, m->scale21, m->in_bat };
    int motion_ok = m->dx >= -65536 && m->dx <= 65536 && m->dy >= -65536 && m->dy <= 65536 &&
                    m->dz >= -256 && m->dz <= 256;
    return flags_ok(f, sizeof(f)) && (m->pending == 0 || m->pending == 0xE8 || m->pending == 0xF3) &&
           m->resolution <= 3 && m->rate != 0 && (m->id == 0 || m->id == 3) && m->last_len <= 4 &&
           motion_ok;
}

/* Everything is read and checked before anything is replaced. */
static int i8042_load(void *opaque, struct state_reader *r, uint32_t version)
{
    struct i8042 *c = opaque;
    struct i8042_ctrl k;
    struct ps2_kbd kb;
    struct ps2_mouse m;
    struct saved_timer t[5];
    if (version != I8042_STATE_VERSION)
        return -1;
    memset(&k, 0, sizeof(k));
    memset(&kb, 0, sizeof(kb));
    memset(&m, 0, sizeof(m));
    state_get_bytes(r, k.ram, sizeof(k.ram));
    uint8_t cb[8];
    state_get_bytes(r, cb, sizeof(cb));
    k.out = cb[0], k.obf = cb[1], k.out_src = cb[2], k.a2 = cb[3];
    k.pending = cb[4], k.outport = cb[5], k.xlate_break = cb[6], k.reply_count = cb[7];
    state_get_bytes(r, k.reply, sizeof(k.reply));
    state_get_bytes(r, k.reply_src, sizeof(k.reply_src));
    k.ibf_until = state_get_u64(r);
    int bad = get_queue(r, &kb.q);
    uint8_t kbb[9];
    state_get_bytes(r, kbb, sizeof(kbb));
    kb.pending = kbb[0], kb.scanning = kbb[1], kb.set = kbb[2], kb.leds = kbb[3], kb.typematic = kbb[4];
    kb.last_sent = kbb[5], kb.repeat_key = kbb[6], kb.set1_break = kbb[7], kb.in_bat = kbb[8];
    state_get_bytes(r, kb.held, sizeof(kb.held));
    bad |= get_queue(r, &m.q);
    uint8_t mb[15];
    state_get_bytes(r, mb, sizeof(mb));
    m.pending = mb[0], m.enabled = mb[1], m.remote = mb[2], m.wrap = mb[3], m.scale21 = mb[4];
    m.resolution = mb[5], m.rate = mb[6], m.id = mb[7];
    memcpy(m.knock, mb + 8, 3);
    m.buttons = mb[11], m.reported_buttons = mb[12], m.in_bat = mb[13], m.last_len = mb[14];
    state_get_bytes(r, m.last, sizeof(m.last));
    m.dx = get_s32(r);
    m.dy = get_s32(r);
    m.dz = get_s32(r);
    m.next_sample = state_get_u64(r);
    for (int i = 0; i < 5; i++)
        bad |= get_timer(r, &t[i]);
    if (r->error || bad || r->pos != r->len || !ctrl_valid(&k) || !kbd_valid(&kb) || !mouse_valid(&m))
        return -1;
    c->ctrl = k;
    c->kbd = kb;
    c->mouse = m;
    restore_timer(c->clock, &c->deliver, &t[0]);
    restore_timer(c->clock, &c->kbd_bat, &t[1]);
    restore_timer(c->clock, &c->kbd_repeat, &t[2]);
    restore_timer(c->clock, &c->mouse_bat, &t[3]);
    restore_timer(c->clock, &c->mouse_sample, &t[4]);
    update_irqs(c);
    return 0;
}

static void i8042_dump(void *opaque, FILE *out)
{
    struct i8042 *c = opaque;
    const struct i8042_ctrl *k = &c->ctrl;
    fprintf(out, "i8042: command byte %02x (%s, kbd %s%s, aux %s%s), output port %02x\n", k->ram[0],
            k->ram[0] & I8042_CTR_XLATE ? "translating" : "raw",
            k->ram[0] & I8042_CTR_KBDDIS ? "off" : "on", k->ram[0] & I8042_CTR_KBDINT ? "+irq" : "",
            k->ram[0] & I8042_CTR_AUXDIS ? "off" : "on", k->ram[0] & I8042_CTR_AUXINT ? "+irq" : "",
            outport_value(c));
    fprintf(out, "  output buffer %02x %s from %s; %u controller replies queued\n", k->out,
            k->obf ? "full" : "empty", k->out_src == I8042_SRC_AUX ? "mouse" : "keyboard",
            (unsigned)k->reply_count);
    fprintf(out, "  keyboard: set %u, %s, LEDs %x, typematic %02x, %u bytes queued%s\n", c->kbd.set,
            c->kbd.scanning ? "scanning" : "not scanning", c->kbd.leds, c->kbd.typematic,
            (unsigned)c->kbd.q.count, c->kbd.in_bat ? ", self test running" : "");
    fprintf(out, "  mouse: id %u, %s, %s mode, %u/s, resolution %u, scaling %s, %u bytes queued\n",
            c->mouse.id, c->mouse.enabled ? "enabled" : "disabled", c->mouse.remote ? "remote" : "stream",
            c->mouse.rate, c->mouse.resolution, c->mouse.scale21 ? "2:1" : "1:1", (unsigned)c->mouse.q.count);
}

const struct device_ops i8042_ops = {
    .name = "i8042",
    .version = I8042_STATE_VERSION,
    .reset = i8042_reset,
    .save = i8042_save,
    .load = i8042_load,
    .dump = i8042_dump,
};

int i8042_init(struct i8042 *c, struct clock *clock, struct portio *io, struct device_registry *reg,
               const struct i8042_board_ops *board)
{
    memset(c, 0, sizeof(*c));
    c->clock = clock;
    if (board)
        c->board = *board;
    timer_init(&c->deliver, "i8042-output", deliver_fire, c);
    ps2_kbd_init_timers(c);
    ps2_mouse_init_timers(c);
    i8042_reset(c);
    if (portio_register(io, I8042_DATA_PORT, 1, PORTIO_SIZE_8, port_read, port_write, c, "i8042") != 0 ||
        portio_register(io, I8042_COMMAND_PORT, 1, PORTIO_SIZE_8, port_read, port_write, c, "i8042") != 0)
        return -1;
    return device_register(reg, &i8042_ops, c);
}
