/*
 * The PS/2 mouse behind the 8042's AUX port: a standard mouse (ID 00) that
 * turns into an IntelliMouse (ID 03, a fourth packet byte for the wheel)
 * after the sample-rate knock 200, 100, 80.  References: IBM PS/2
 * Technical Reference, "Pointing Device"; Microsoft IntelliMouse PS/2
 * protocol notes.
 */
#include "peripherals/i8042.h"

#include <string.h>

#define MOUSE_ACK 0xFAu
#define MOUSE_RESEND 0xFEu
#define MOUSE_BAT_OK 0xAAu

static void mouse_send(struct i8042 *c, uint8_t b)
{
    ps2_queue_push(&c->mouse.q, b);
    i8042_schedule_delivery(c);
}

static void mouse_defaults(struct ps2_mouse *m)
{
    m->rate = 100;
    m->resolution = 2;
    m->scale21 = 0;
    m->remote = 0;
    m->enabled = 0;
}

static void mouse_clear_motion(struct ps2_mouse *m) { m->dx = m->dy = m->dz = 0; }

static int clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* 2:1 scaling (stream mode only): 1->1, 2->1, 3->3, 4->6, 5->9, else x2. */
static int scale21(int v)
{
    static const int small[6] = { 0, 1, 1, 3, 6, 9 };
    int a = v < 0 ? -v : v;
    int s = a <= 5 ? small[a] : 2 * a;
    return v < 0 ? -s : s;
}

/* Byte 0: buttons, bit 3 always set, X/Y sign, X/Y overflow.  Movement
 * beyond the 9-bit range sets the overflow bit and is lost, as the counters
 * reset after each report. */
static int mouse_packet(struct ps2_mouse *m, int stream, uint8_t *p)
{
    int dx = m->dx, dy = m->dy;
    if (stream && m->scale21) {
        dx = scale21(dx);
        dy = scale21(dy);
    }
    uint8_t b0 = (uint8_t)(0x08u | (m->buttons & 7u));
    if (dx < -256 || dx > 255)
        b0 |= 0x40;
    if (dy < -256 || dy > 255)
        b0 |= 0x80;
    dx = clamp(dx, -256, 255);
    dy = clamp(dy, -256, 255);
    b0 |= (uint8_t)((dx < 0 ? 0x10 : 0) | (dy < 0 ? 0x20 : 0));
    p[0] = b0;
    p[1] = (uint8_t)dx;
    p[2] = (uint8_t)dy;
    int n = 3;
    if (m->id == 3)
        p[n++] = (uint8_t)clamp(m->dz, -8, 7);
    mouse_clear_motion(m);
    m->reported_buttons = m->buttons;
    memcpy(m->last, p, (size_t)n);
    m->last_len = (uint8_t)n;
    return n;
}

static void mouse_send_packet(struct i8042 *c, int stream)
{
    uint8_t p[4];
    int n = mouse_packet(&c->mouse, stream, p);
    for (int i = 0; i < n; i++)
        ps2_queue_push(&c->mouse.q, p[i]);
    i8042_schedule_delivery(c);
}

/* Stream mode: a packet when something changed, no more often than the
 * sample rate, and only when the last one has left the mouse. */
void ps2_mouse_try_stream(struct i8042 *c)
{
    struct ps2_mouse *m = &c->mouse;
    if (!m->enabled || m->remote || m->wrap || m->in_bat)
        return;
    if (!m->dx && !m->dy && !m->dz && m->buttons == m->reported_buttons)
        return;
    if (m->q.count)
        return;                             /* retried when the queue drains */
    if (c->clock->now < m->next_sample) {
        if (!timer_armed(&c->mouse_sample))
            timer_arm(c->clock, &c->mouse_sample, m->next_sample);
        return;
    }
    mouse_send_packet(c, 1);
    m->next_sample = c->clock->now + c->clock->hz / (m->rate ? m->rate : 100u);
}

static void mouse_sample_fire(void *opaque, cycles_t now)
{
    (void)now;
    ps2_mouse_try_stream(opaque);
}

static void mouse_bat_fire(void *opaque, cycles_t now)
{
    struct i8042 *c = opaque;
    (void)now;
    c->mouse.in_bat = 0;
    mouse_send(c, MOUSE_BAT_OK);
    mouse_send(c, 0x00);                    /* device ID */
}

void i8042_mouse_move(struct i8042 *c, int dx, int dy, int dz, unsigned buttons)
{
    struct ps2_mouse *m = &c->mouse;
    m->buttons = (uint8_t)(buttons & 7u);
    if (m->in_bat || (!m->enabled && !m->remote))
        return;
    /* PS/2 counts Y upwards and the wheel toward the user. */
    m->dx = clamp(m->dx + clamp(dx, -65536, 65536), -65536, 65536);
    m->dy = clamp(m->dy - clamp(dy, -65536, 65536), -65536, 65536);
    m->dz = clamp(m->dz - clamp(dz, -256, 256), -256, 256);
    ps2_mouse_try_stream(c);
}

static int valid_rate(uint8_t r)
{
    return r == 10 || r == 20 || r == 40 || r == 60 || r == 80 || r == 100 || r == 200;
}

/* Parameters of F3 (sample rate) and E8 (resolution).  A bad value gets a
 * resend request and the mouse keeps waiting for the parameter. */
static void mouse_param(struct i8042 *c, uint8_t cmd, uint8_t b)
{
    struct ps2_mouse *m = &c->mouse;
    int ok = cmd == 0xF3 ? valid_rate(b) : b <= 3;
    if (!ok) {
        m->pending = cmd;
        mouse_send(c, MOUSE_RESEND);
        return;
    }
    if (cmd == 0xE8) {
        m->resolution = b;
    } else {
        m->rate = b;
        m->knock[0] = m->knock[1];
        m->knock[1] = m->knock[2];
        m->knock[2] = b;
        if (m->knock[0] == 200 && m->knock[1] == 100 && m->knock[2] == 80)
            m->id = 3;                      /* IntelliMouse: wheel byte from now on */
    }
    mouse_send(c, MOUSE_ACK);
}

static void mouse_status(struct i8042 *c)
{
    const struct ps2_mouse *m = &c->mouse;
    uint8_t s = (uint8_t)((m->remote ? 0x40 : 0) | (m->enabled ? 0x20 : 0) | (m->scale21 ? 0x10 : 0) |
                          (m->buttons & I8042_MOUSE_LEFT ? 0x04 : 0) |
                          (m->buttons & I8042_MOUSE_MIDDLE ? 0x02 : 0) |
                          (m->buttons & I8042_MOUSE_RIGHT ? 0x01 : 0));
    mouse_send(c, MOUSE_ACK);
    mouse_send(c, s);
    mouse_send(c, m->resolution);
    mouse_send(c, m->rate);
}

static void mouse_command(struct i8042 *c, uint8_t b)
{
    struct ps2_mouse *m = &c->mouse;
    if (b != 0xFE)
        ps2_queue_clear(&m->q);                     /* a command aborts pending output */
    if (b != 0xF3)
        memset(m->knock, 0, sizeof(m->knock));
    switch (b) {
    case 0xE6: m->scale21 = 0; break;
    case 0xE7: m->scale21 = 1; break;
    case 0xE8: case 0xF3: m->pending = b; break;
    case 0xE9: mouse_status(c); return;
    case 0xEA: m->remote = 0; mouse_clear_motion(m); break;
    case 0xEB:
        mouse_send(c, MOUSE_ACK);
        mouse_send_packet(c, 0);
        return;
    case 0xEC: m->wrap = 0; break;
    case 0xEE: m->wrap = 1; mouse_clear_motion(m); break;
    case 0xF0: m->remote = 1; mouse_clear_motion(m); break;
    case 0xF2:
        mouse_send(c, MOUSE_ACK);
        mouse_send(c, m->id);
        return;
    case 0xF4: case 0xF5:
        m->enabled = b == 0xF4;
        mouse_clear_motion(m);
        break;
    case 0xF6: mouse_defaults(m); mouse_clear_motion(m); break;
    case 0xFE:
        for (int i = 0; i < m->last_len; i++)
            mouse_send(c, m->last[i]);
        return;
    case 0xFF:
        mouse_defaults(m);
        mouse_clear_motion(m);
        m->wrap = 0;
        m->id = 0;
        m->in_bat = 1;
        timer_arm(c->clock, &c->mouse_bat, i8042_after_ns(c, I8042_BAT_NS));
        break;
    default:
        i8042_warn_once(&c->warned_other, 2, "mouse command", b);
        mouse_send(c, MOUSE_RESEND);
        return;
    }
    mouse_send(c, MOUSE_ACK);
}

void ps2_mouse_receive(struct i8042 *c, uint8_t b)
{
    struct ps2_mouse *m = &c->mouse;
    if (m->wrap && b != 0xEC && b != 0xFF) {
        mouse_send(c, b);                   /* wrap mode echoes */
        return;
    }
    if (m->pending) {
        uint8_t cmd = m->pending;
        m->pending = 0;
        mouse_param(c, cmd, b);
        return;
    }
    mouse_command(c, b);
}

void ps2_mouse_reset(struct i8042 *c)
{
    timer_cancel(c->clock, &c->mouse_bat);
    timer_cancel(c->clock, &c->mouse_sample);
    memset(&c->mouse, 0, sizeof(c->mouse));
    mouse_defaults(&c->mouse);
}

void ps2_mouse_init_timers(struct i8042 *c)
{
    timer_init(&c->mouse_bat, "ps2mouse-bat", mouse_bat_fire, c);
    timer_init(&c->mouse_sample, "ps2mouse-sample", mouse_sample_fire, c);
}
