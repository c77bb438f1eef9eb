/* The 8042 keyboard controller with its PS/2 keyboard and mouse, driven the
 * way SeaBIOS (src/hw/ps2port.c) and Linux (drivers/input/serio/i8042.c,
 * atkbd, psmouse) drive it: polling the status register, with delays
 * measured on the cycle clock. */
#include <stdlib.h>
#include <string.h>

#include "peripherals/i8042.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

#define HZ 100000000ull                 /* 100 MHz: 1 us = 100 cycles */
#define US(n) ((cycles_t)(n) * (HZ / 1000000u))
#define MS(n) US((n) * 1000u)

struct rig {
    struct clock clock;
    struct portio io;
    struct device_registry reg;
    struct i8042 kbc;
    int irq1, irq12, irq1_edges, irq12_edges;
    int a20, a20_calls, resets;
};

static void sink(void *opaque, int pin, int level)
{
    struct rig *r = opaque;
    int *lvl = pin == 1 ? &r->irq1 : &r->irq12;
    int *edges = pin == 1 ? &r->irq1_edges : &r->irq12_edges;
    if (level && !*lvl)
        (*edges)++;
    *lvl = level;
}

static void board_a20(void *opaque, int on)
{
    struct rig *r = opaque;
    r->a20 = on;
    r->a20_calls++;
}

static void board_reset(void *opaque)
{
    struct rig *r = opaque;
    r->resets++;
}

static struct rig *rig_new(void)
{
    struct rig *r = calloc(1, sizeof(*r));
    clock_init(&r->clock, HZ);
    portio_init(&r->io);
    device_registry_init(&r->reg);
    struct i8042_board_ops ops = { board_a20, board_reset, r };
    CHECK_EQ(i8042_init(&r->kbc, &r->clock, &r->io, &r->reg, &ops), 0);
    irq_connect(&r->kbc.irq_kbd, sink, r, 1);
    irq_connect(&r->kbc.irq_aux, sink, r, 12);
    return r;
}

/* Run the clock forward, firing each timer at its own deadline. */
static void advance(struct rig *r, cycles_t n)
{
    cycles_t end = r->clock.now + n;
    while (clock_next_deadline(&r->clock) <= end) {
        if (clock_next_deadline(&r->clock) > r->clock.now)
            r->clock.now = clock_next_deadline(&r->clock);
        clock_run_due(&r->clock);
    }
    r->clock.now = end;
}

static uint8_t inb(struct rig *r, uint16_t port) { return (uint8_t)portio_read(&r->io, port, 1); }
static void outb(struct rig *r, uint16_t port, uint8_t v) { portio_write(&r->io, port, v, 1); }

/* ---- The firmware's protocol (as SeaBIOS's ps2port.c does it) ----------- */

#define CTR_KBDINT 0x01
#define CTR_AUXINT 0x02
#define CTR_KBDDIS 0x10
#define CTR_AUXDIS 0x20
#define CTR_XLATE 0x40

static int wait_write(struct rig *r)
{
    for (int i = 0; i < 10000; i++) {
        if (!(inb(r, 0x64) & I8042_STATUS_IBF))
            return 0;
        advance(r, US(50));
    }
    return -1;
}

static int wait_read(struct rig *r)
{
    for (int i = 0; i < 10000; i++) {
        if (inb(r, 0x64) & I8042_STATUS_OBF)
            return 0;
        advance(r, US(50));
    }
    return -1;
}

/* Commands encoded as in the firmware: bits 12-15 bytes sent, 8-11 received. */
static int ctl_command(struct rig *r, int command, uint8_t *param)
{
    int receive = (command >> 8) & 0xF, send = (command >> 12) & 0xF;
    if (wait_write(r))
        return -1;
    outb(r, 0x64, (uint8_t)command);
    for (int i = 0; i < send; i++) {
        if (wait_write(r))
            return -1;
        outb(r, 0x60, param[i]);
    }
    for (int i = 0; i < receive; i++) {
        if (wait_read(r))
            return -1;
        param[i] = inb(r, 0x60);
    }
    return 0;
}

static int flush(struct rig *r)
{
    int n = 0;
    while ((inb(r, 0x64) & I8042_STATUS_OBF) && n < 16) {
        advance(r, US(50));
        inb(r, 0x60);
        n++;
    }
    return n;
}

static int recv_byte(struct rig *r, int aux, int needack, int timeout_ms)
{
    cycles_t end = r->clock.now + MS(timeout_ms);
    while (r->clock.now < end) {
        uint8_t status = inb(r, 0x64);
        if (status & I8042_STATUS_OBF) {
            uint8_t data = inb(r, 0x60);
            if (!!(status & I8042_STATUS_AUXB) == aux && (!needack || data == 0xFA || data == 0xFE))
                return data;
        }
        advance(r, US(10));
    }
    return -1;
}

static int send_byte(struct rig *r, int aux, uint8_t b, int timeout_ms)
{
    int ret;
    if (aux) {
        ret = ctl_command(r, 0x10D4, &b);
    } else {
        ret = wait_write(r);
        if (!ret)
            outb(r, 0x60, b);
    }
    if (ret)
        return ret;
    return recv_byte(r, aux, 1, timeout_ms) == 0xFA ? 0 : -1;
}

static int ps2_command(struct rig *r, uint8_t *ctr, int aux, int command, uint8_t *param)
{
    int receive = (command >> 8) & 0xF, send = (command >> 12) & 0xF, ret = 0;
    uint8_t newctr = (uint8_t)((*ctr | CTR_AUXDIS | CTR_KBDDIS) & ~(CTR_KBDINT | CTR_AUXINT));
    if (ctl_command(r, 0x1060, &newctr))
        return -1;
    newctr &= (uint8_t)~(aux ? CTR_AUXDIS : CTR_KBDDIS);
    if (ctl_command(r, 0x1060, &newctr))
        return -1;
    if ((command & 0xFF) == 0xFF) {                 /* reset: ACK, BAT code, maybe an ID */
        ret = send_byte(r, aux, 0xFF, 1000);
        int b = ret ? -1 : recv_byte(r, aux, 0, 4000);
        if (b < 0)
            ret = -1;
        param[0] = (uint8_t)b;
        b = recv_byte(r, aux, 0, 100);
        param[1] = (uint8_t)(b < 0 ? 0 : b);
    } else if ((command & 0xFF) == 0xF2) {          /* identify: 1 or 2 bytes */
        ret = send_byte(r, aux, 0xF2, 200);
        int b = ret ? -1 : recv_byte(r, aux, 0, 500);
        param[0] = (uint8_t)b;
        param[1] = 0;
        if (b == 0xAB && (b = recv_byte(r, aux, 0, 500)) >= 0)
            param[1] = (uint8_t)b;
        if (b < 0)
            ret = -1;
    } else {
        ret = send_byte(r, aux, (uint8_t)command, 200);
        for (int i = 0; !ret && i < send; i++)
            ret = send_byte(r, aux, param[i], 200);
        for (int i = 0; !ret && i < receive; i++) {
            int b = recv_byte(r, aux, 0, 500);
            ret = b < 0;
            param[i] = (uint8_t)b;
        }
    }
    if (ctl_command(r, 0x1060, ctr))
        return -1;
    return ret;
}

static void test_seabios_init(void)
{
    struct rig *r = rig_new();
    uint8_t param[4];
    CHECK(flush(r) < 16);
    CHECK_EQ(ctl_command(r, 0x01AA, param), 0);
    CHECK_EQ(param[0], 0x55);
    CHECK(inb(r, 0x64) & I8042_STATUS_SYS);
    CHECK_EQ(ctl_command(r, 0x01AB, param), 0);
    CHECK_EQ(param[0], 0x00);
    uint8_t ctr = CTR_KBDDIS | CTR_AUXDIS;
    CHECK_EQ(ps2_command(r, &ctr, 0, 0x02FF, param), 0);
    CHECK_EQ(param[0], 0xAA);
    CHECK_EQ(param[1], 0x00);                       /* the keyboard sends no second byte */
    CHECK_EQ(ps2_command(r, &ctr, 0, 0x00F5, NULL), 0);
    param[0] = 2;
    CHECK_EQ(ps2_command(r, &ctr, 0, 0x10F0, param), 0);
    ctr = CTR_AUXDIS | CTR_XLATE | CTR_KBDINT;
    CHECK_EQ(ps2_command(r, &ctr, 0, 0x00F4, NULL), 0);
    CHECK_EQ(ctl_command(r, 0x0120, param), 0);
    CHECK_EQ(param[0], 0x61);
    CHECK_EQ(ps2_command(r, &ctr, 0, 0x02F2, param), 0);
    CHECK_EQ(param[0], 0xAB);
    CHECK_EQ(param[1], 0x41);                       /* 83 through the translator */

    /* A key: IRQ1 rises one frame later; the INT 9 handler reads set 1. */
    int edges = r->irq1_edges;
    i8042_key(&r->kbc, PC_KEY_A, 1);
    advance(r, US(999));
    CHECK(!r->irq1);
    advance(r, US(1));
    CHECK(r->irq1);
    CHECK_EQ(r->irq1_edges, edges + 1);
    CHECK(!(inb(r, 0x64) & I8042_STATUS_AUXB));
    CHECK_EQ(inb(r, 0x60), 0x1E);
    CHECK(!r->irq1);
    i8042_key(&r->kbc, PC_KEY_A, 0);
    CHECK_EQ(recv_byte(r, 0, 0, 10), 0x9E);

    /* The mouse through INT 15h C2: reset, identify, enable. */
    CHECK_EQ(ps2_command(r, &ctr, 1, 0x02FF, param), 0);
    CHECK_EQ(param[0], 0xAA);
    CHECK_EQ(param[1], 0x00);
    CHECK_EQ(ps2_command(r, &ctr, 1, 0x02F2, param), 0);
    CHECK_EQ(param[0], 0x00);
    CHECK_EQ(ps2_command(r, &ctr, 1, 0x03E9, param), 0);
    CHECK_EQ(param[0], 0x00);                       /* stream, disabled, 1:1 */
    CHECK_EQ(param[1], 2);
    CHECK_EQ(param[2], 100);
    free(r);
}

/* ---- Linux: i8042 probe, then atkbd and psmouse ------------------------- */

static int wait_irq(struct rig *r, int *edges, int before, int ms)
{
    for (cycles_t end = r->clock.now + MS(ms); r->clock.now < end; advance(r, US(10)))
        if (*edges != before)
            return 0;
    return -1;
}

/* What an interrupt handler sees: status, then the byte. */
static int irq_byte(struct rig *r, int aux)
{
    int *edges = aux ? &r->irq12_edges : &r->irq1_edges;
    if (wait_irq(r, edges, *edges, 50))
        return -1;
    uint8_t st = inb(r, 0x64);
    if (!(st & I8042_STATUS_OBF) || !!(st & I8042_STATUS_AUXB) != aux)
        return -2;
    return inb(r, 0x60);
}

static void aux_write(struct rig *r, uint8_t b)
{
    CHECK_EQ(ctl_command(r, 0x10D4, &b), 0);
}

static void test_linux_init(void)
{
    struct rig *r = rig_new();
    uint8_t p, ctr[2];
    CHECK(flush(r) < 16);                           /* i8042_controller_check */
    CHECK_EQ(ctl_command(r, 0x01AA, &p), 0);
    CHECK_EQ(p, 0x55);
    int n = 0;
    do {                                            /* stable CTR read */
        CHECK_EQ(ctl_command(r, 0x0120, &ctr[n++ % 2]), 0);
    } while (n < 2 || ctr[0] != ctr[1]);
    uint8_t ctl = ctr[0];
    CHECK(ctl & CTR_XLATE);
    CHECK(inb(r, 0x64) & I8042_STATUS_INH);         /* no keylock warning */
    ctl = (uint8_t)((ctl | CTR_KBDDIS) & ~CTR_KBDINT);
    CHECK_EQ(ctl_command(r, 0x1060, &ctl), 0);

    /* i8042_check_aux: loopback, bit assignment, IRQ delivery. */
    flush(r);
    p = 0x5A;
    CHECK_EQ(ctl_command(r, 0x11D3, &p), 0);
    CHECK_EQ(p, 0x5A);
    CHECK(inb(r, 0x64) & I8042_STATUS_AUXB);
    CHECK_EQ(ctl_command(r, 0x00A7, NULL), 0);
    CHECK_EQ(ctl_command(r, 0x0120, &p), 0);
    CHECK(p & CTR_AUXDIS);
    CHECK_EQ(ctl_command(r, 0x00A8, NULL), 0);
    CHECK_EQ(ctl_command(r, 0x0120, &p), 0);
    CHECK(!(p & CTR_AUXDIS));
    ctl = (uint8_t)((ctl & ~CTR_AUXDIS) | CTR_AUXINT);
    CHECK_EQ(ctl_command(r, 0x1060, &ctl), 0);
    p = 0xA5;
    int e12 = r->irq12_edges;
    CHECK_EQ(ctl_command(r, 0x10D3, &p), 0);
    CHECK_EQ(wait_irq(r, &r->irq12_edges, e12, 250), 0);
    CHECK_EQ(inb(r, 0x64) & (I8042_STATUS_OBF | I8042_STATUS_AUXB), I8042_STATUS_OBF | I8042_STATUS_AUXB);
    CHECK_EQ(inb(r, 0x60), 0xA5);
    ctl = (uint8_t)((ctl | CTR_AUXDIS) & ~CTR_AUXINT);
    CHECK_EQ(ctl_command(r, 0x1060, &ctl), 0);

    /* i8042_check_mux: the third loop byte comes back unchanged: no MUX. */
    static const uint8_t mux[3] = { 0xF0, 0x56, 0xA4 };
    for (int i = 0; i < 3; i++) {
        p = mux[i];
        CHECK_EQ(ctl_command(r, 0x11D3, &p), 0);
        CHECK_EQ(p, mux[i]);
    }

    /* Enable both ports with interrupts, as setup_aux/setup_kbd do. */
    ctl = (uint8_t)((ctl & ~(CTR_AUXDIS | CTR_KBDDIS)) | CTR_AUXINT | CTR_KBDINT);
    CHECK_EQ(ctl_command(r, 0x1060, &ctl), 0);

    /* atkbd: identify (translated), LEDs, typematic rate. */
    outb(r, 0x60, 0xF2);
    CHECK_EQ(irq_byte(r, 0), 0xFA);
    CHECK_EQ(irq_byte(r, 0), 0xAB);
    CHECK_EQ(irq_byte(r, 0), 0x41);
    outb(r, 0x60, 0xED);
    CHECK_EQ(irq_byte(r, 0), 0xFA);
    outb(r, 0x60, 0x02);
    CHECK_EQ(irq_byte(r, 0), 0xFA);
    CHECK_EQ(i8042_leds(&r->kbc), 2);
    outb(r, 0x60, 0xF3);
    CHECK_EQ(irq_byte(r, 0), 0xFA);
    outb(r, 0x60, 0x20);
    CHECK_EQ(irq_byte(r, 0), 0xFA);
    outb(r, 0x60, 0xF0);                            /* get scan set: 02 translated */
    CHECK_EQ(irq_byte(r, 0), 0xFA);
    outb(r, 0x60, 0x00);
    CHECK_EQ(irq_byte(r, 0), 0xFA);
    CHECK_EQ(irq_byte(r, 0), 0x41);

    /* psmouse: reset, ID, the IntelliMouse knock, status, enable. */
    aux_write(r, 0xFF);
    CHECK_EQ(irq_byte(r, 1), 0xFA);
    CHECK_EQ(irq_byte(r, 1), 0xAA);
    CHECK_EQ(irq_byte(r, 1), 0x00);
    aux_write(r, 0xF2);
    CHECK_EQ(irq_byte(r, 1), 0xFA);
    CHECK_EQ(irq_byte(r, 1), 0x00);
    static const uint8_t knock[3] = { 200, 100, 80 };
    for (int i = 0; i < 3; i++) {
        aux_write(r, 0xF3);
        CHECK_EQ(irq_byte(r, 1), 0xFA);
        aux_write(r, knock[i]);
        CHECK_EQ(irq_byte(r, 1), 0xFA);
    }
    aux_write(r, 0xF2);
    CHECK_EQ(irq_byte(r, 1), 0xFA);
    CHECK_EQ(irq_byte(r, 1), 0x03);
    aux_write(r, 0xF3);                             /* a bad rate is refused */
    CHECK_EQ(irq_byte(r, 1), 0xFA);
    aux_write(r, 55);
    CHECK_EQ(irq_byte(r, 1), 0xFE);
    aux_write(r, 100);
    CHECK_EQ(irq_byte(r, 1), 0xFA);
    aux_write(r, 0xE8);
    CHECK_EQ(irq_byte(r, 1), 0xFA);
    aux_write(r, 3);
    CHECK_EQ(irq_byte(r, 1), 0xFA);
    aux_write(r, 0xE7);
    CHECK_EQ(irq_byte(r, 1), 0xFA);
    aux_write(r, 0xF4);
    CHECK_EQ(irq_byte(r, 1), 0xFA);
    aux_write(r, 0xE9);
    CHECK_EQ(irq_byte(r, 1), 0xFA);
    CHECK_EQ(irq_byte(r, 1), 0x30);                 /* enabled, 2:1 */
    CHECK_EQ(irq_byte(r, 1), 3);
    CHECK_EQ(irq_byte(r, 1), 100);
    aux_write(r, 0xE6);
    CHECK_EQ(irq_byte(r, 1), 0xFA);

    /* A movement: 4-byte packet, Y counts up, a notch away from the user
     * is -1.  The next packet waits for the 10 ms sample period. */
    cycles_t t0 = r->clock.now;
    i8042_mouse_move(&r->kbc, 5, -3, 1, I8042_MOUSE_LEFT);
    CHECK_EQ(irq_byte(r, 1), 0x09);
    CHECK_EQ(irq_byte(r, 1), 5);
    CHECK_EQ(irq_byte(r, 1), 3);
    CHECK_EQ(irq_byte(r, 1), 0xFF);
    i8042_mouse_move(&r->kbc, -300, 400, 0, 0);     /* overflow and sign bits */
    CHECK_EQ(irq_byte(r, 1), 0xF8);                 /* Y ovf, X ovf, Y sign, X sign */
    CHECK(r->clock.now - t0 >= MS(11));
    CHECK_EQ(irq_byte(r, 1), 0x00);
    CHECK_EQ(irq_byte(r, 1), 0x00);
    CHECK_EQ(irq_byte(r, 1), 0x00);
    /* Remote mode: nothing streams, EB reads the counters. */
    aux_write(r, 0xF0);
    CHECK_EQ(irq_byte(r, 1), 0xFA);
    i8042_mouse_move(&r->kbc, 7, 0, 0, I8042_MOUSE_RIGHT);
    advance(r, MS(30));
    CHECK(!(inb(r, 0x64) & I8042_STATUS_OBF));
    aux_write(r, 0xEB);
    CHECK_EQ(irq_byte(r, 1), 0xFA);
    CHECK_EQ(irq_byte(r, 1), 0x0A);
    CHECK_EQ(irq_byte(r, 1), 7);
    CHECK_EQ(irq_byte(r, 1), 0);
    CHECK_EQ(irq_byte(r, 1), 0);
    free(r);
}

/* ---- Scan codes and translation ---------------------------------------- */

/* Collect what the controller delivers within `ms`. */
static int drain(struct rig *r, uint8_t *out, int max, int ms)
{
    int n = 0;
    for (cycles_t end = r->clock.now + MS(ms); r->clock.now < end; advance(r, US(20)))
        if ((inb(r, 0x64) & I8042_STATUS_OBF) && n < max)
            out[n++] = inb(r, 0x60);
    return n;
}

static int same(const uint8_t *a, int na, const uint8_t *b, int nb)
{
    return na == nb && (na == 0 || memcmp(a, b, (size_t)na) == 0);
}

static void set_ctr(struct rig *r, uint8_t v)
{
    CHECK_EQ(ctl_command(r, 0x1060, &v), 0);
}

static void key_seq(struct rig *r, enum pc_key k, int down, const uint8_t *want, int nwant)
{
    uint8_t got[16];
    i8042_key(&r->kbc, k, down);
    int n = drain(r, got, 16, 20);
    CHECK(same(got, n, want, nwant));
    if (!same(got, n, want, nwant)) {
        fprintf(stderr, "  key %d %s:", (int)k, down ? "make" : "break");
        for (int i = 0; i < n; i++)
            fprintf(stderr, " %02x", got[i]);
        fputc('\n', stderr);
    }
}

#define SEQ(k, d, ...) do { static const uint8_t w_[] = { __VA_ARGS__ }; key_seq(r, k, d, w_, (int)sizeof(w_)); } while (0)
#define NOTHING(k, d) key_seq(r, k, d, NULL, 0)

static void test_scancodes(void)
{
    struct rig *r = rig_new();
    set_ctr(r, 0);                                  /* raw set 2 */
    SEQ(PC_KEY_A, 1, 0x1C);
    SEQ(PC_KEY_A, 0, 0xF0, 0x1C);
    SEQ(PC_KEY_RIGHT_CTRL, 1, 0xE0, 0x14);
    SEQ(PC_KEY_RIGHT_CTRL, 0, 0xE0, 0xF0, 0x14);
    SEQ(PC_KEY_KP_ENTER, 1, 0xE0, 0x5A);
    SEQ(PC_KEY_KP_ENTER, 0, 0xE0, 0xF0, 0x5A);
    SEQ(PC_KEY_F7, 1, 0x83);
    SEQ(PC_KEY_F7, 0, 0xF0, 0x83);
    SEQ(PC_KEY_PRINT_SCREEN, 1, 0xE0, 0x12, 0xE0, 0x7C);
    SEQ(PC_KEY_PRINT_SCREEN, 0, 0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12);
    SEQ(PC_KEY_PAUSE, 1, 0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77);
    NOTHING(PC_KEY_PAUSE, 0);                       /* no break code */
    SEQ(PC_KEY_LEFT_CTRL, 1, 0x14);
    SEQ(PC_KEY_PAUSE, 1, 0xE0, 0x7E, 0xE0, 0xF0, 0x7E);   /* Ctrl+Pause = Break */
    NOTHING(PC_KEY_PAUSE, 0);
    SEQ(PC_KEY_PRINT_SCREEN, 1, 0xE0, 0x7C);
    SEQ(PC_KEY_PRINT_SCREEN, 0, 0xE0, 0xF0, 0x7C);
    SEQ(PC_KEY_LEFT_CTRL, 0, 0xF0, 0x14);
    SEQ(PC_KEY_LEFT_ALT, 1, 0x11);
    SEQ(PC_KEY_PRINT_SCREEN, 1, 0x84);                     /* SysRq */
    SEQ(PC_KEY_PRINT_SCREEN, 0, 0xF0, 0x84);
    SEQ(PC_KEY_LEFT_ALT, 0, 0xF0, 0x11);
    NOTHING(PC_KEY_LEFT_ALT, 0);                    /* not held: ignored */

    set_ctr(r, CTR_XLATE);                          /* the 8042 translates */
    SEQ(PC_KEY_A, 1, 0x1E);
    NOTHING(PC_KEY_A, 1);                           /* host autorepeat: ignored */
    SEQ(PC_KEY_A, 0, 0x9E);
    SEQ(PC_KEY_ESC, 1, 0x01);
    SEQ(PC_KEY_ESC, 0, 0x81);
    SEQ(PC_KEY_RIGHT_CTRL, 1, 0xE0, 0x1D);
    SEQ(PC_KEY_RIGHT_CTRL, 0, 0xE0, 0x9D);
    SEQ(PC_KEY_F7, 1, 0x41);
    SEQ(PC_KEY_F7, 0, 0xC1);
    SEQ(PC_KEY_KP_DIVIDE, 1, 0xE0, 0x35);
    SEQ(PC_KEY_KP_DIVIDE, 0, 0xE0, 0xB5);
    SEQ(PC_KEY_102ND, 1, 0x56);
    SEQ(PC_KEY_102ND, 0, 0xD6);
    SEQ(PC_KEY_PRINT_SCREEN, 1, 0xE0, 0x2A, 0xE0, 0x37);
    SEQ(PC_KEY_PRINT_SCREEN, 0, 0xE0, 0xB7, 0xE0, 0xAA);
    SEQ(PC_KEY_PAUSE, 1, 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5);
    NOTHING(PC_KEY_PAUSE, 0);
    SEQ(PC_KEY_UP, 1, 0xE0, 0x48);
    SEQ(PC_KEY_UP, 0, 0xE0, 0xC8);

    /* The keyboard in set 1 itself, controller not translating. */
    set_ctr(r, 0);
    uint8_t got[8];
    outb(r, 0x60, 0xF0);
    outb(r, 0x60, 0x01);
    CHECK_EQ(drain(r, got, 8, 10), 2);
    outb(r, 0x60, 0xF0);
    outb(r, 0x60, 0x00);
    CHECK_EQ(drain(r, got, 8, 10), 3);
    CHECK(got[0] == 0xFA && got[1] == 0xFA && got[2] == 0x01);
    SEQ(PC_KEY_A, 1, 0x1E);
    SEQ(PC_KEY_A, 0, 0x9E);
    SEQ(PC_KEY_DELETE, 1, 0xE0, 0x53);
    SEQ(PC_KEY_DELETE, 0, 0xE0, 0xD3);
    outb(r, 0x60, 0xF0);                            /* set 3 is refused politely */
    outb(r, 0x60, 0x03);
    outb(r, 0x60, 0xF0);
    outb(r, 0x60, 0x00);
    CHECK_EQ(drain(r, got, 8, 10), 5);
    CHECK_EQ(got[4], 0x01);                         /* still set 1 */
    outb(r, 0x60, 0xEE);                            /* echo, and an unknown command */
    outb(r, 0x60, 0x42);
    CHECK_EQ(drain(r, got, 8, 10), 2);
    CHECK(got[0] == 0xEE && got[1] == 0xFE);
    free(r);
}

/* ---- Typematic repeat from the cycle clock ---------------------------- */

static int obf(struct rig *r) { return (inb(r, 0x64) & I8042_STATUS_OBF) != 0; }

static void test_typematic(void)
{
    struct rig *r = rig_new();
    uint8_t got[4];
    set_ctr(r, 0);
    advance(r, MS(1));
    cycles_t t0 = r->clock.now;
    i8042_key(&r->kbc, PC_KEY_B, 1);
    advance(r, MS(2));
    CHECK(obf(r));
    CHECK_EQ(inb(r, 0x60), 0x32);
    /* Default 0x2B: first repeat 500 ms after the press, then every 22/240 s. */
    cycles_t first = t0 + HZ / 2, period = 22 * HZ / 240;
    advance(r, first + US(1000) - 1 - r->clock.now);
    CHECK(!obf(r));
    advance(r, 1);
    CHECK(obf(r));
    CHECK_EQ(inb(r, 0x60), 0x32);
    advance(r, first + period + US(1000) - 1 - r->clock.now);
    CHECK(!obf(r));
    advance(r, 1);
    CHECK(obf(r));
    CHECK_EQ(inb(r, 0x60), 0x32);
    /* An extended key repeats with its prefix; releasing stops the repeat. */
    i8042_key(&r->kbc, PC_KEY_B, 0);
    i8042_key(&r->kbc, PC_KEY_LEFT, 1);
    CHECK_EQ(drain(r, got, 4, 10), 4);             /* F0 32 E0 6B */
    CHECK_EQ(drain(r, got, 4, 550), 2);
    CHECK(got[0] == 0xE0 && got[1] == 0x6B);
    i8042_key(&r->kbc, PC_KEY_LEFT, 0);
    CHECK_EQ(drain(r, got, 4, 10), 3);
    CHECK_EQ(drain(r, got, 4, 2000), 0);
    /* F3 00: 250 ms, 30 per second (8/240 s). */
    outb(r, 0x60, 0xF3);
    outb(r, 0x60, 0x00);
    CHECK_EQ(drain(r, got, 4, 10), 2);
    t0 = r->clock.now;
    i8042_key(&r->kbc, PC_KEY_C, 1);
    CHECK_EQ(drain(r, got, 4, 10), 1);
    advance(r, t0 + HZ / 4 + US(1000) - r->clock.now);
    CHECK(obf(r));
    inb(r, 0x60);
    advance(r, t0 + HZ / 4 + 8 * HZ / 240 + US(1000) - 1 - r->clock.now);
    CHECK(!obf(r));
    advance(r, 1);
    CHECK(obf(r));
    i8042_key(&r->kbc, PC_KEY_C, 0);
    free(r);
}

/* ---- Buffer overrun, A20 and reset, IBF timing ------------------------- */

static void test_overrun_and_port_bits(void)
{
    struct rig *r = rig_new();
    uint8_t got[32];
    set_ctr(r, CTR_KBDDIS);                         /* keyboard clock inhibited */
    for (int k = PC_KEY_Q; k <= PC_KEY_P; k++)      /* 10 keys, make + break: 30 bytes */
        for (int d = 1; d >= 0; d--)
            i8042_key(&r->kbc, (enum pc_key)k, d);
    advance(r, MS(10));
    CHECK(!obf(r));
    CHECK_EQ(ctl_command(r, 0x00AE, NULL), 0);
    int n = drain(r, got, 32, 40);
    CHECK_EQ(n, 17);
    CHECK_EQ(got[0], 0x15);
    CHECK_EQ(got[15], 0x35);                        /* 16th byte: Y make */
    CHECK_EQ(got[16], 0x00);                        /* the overrun code */
    /* Translated, the overrun code reads FF. */
    set_ctr(r, CTR_KBDDIS | CTR_XLATE);
    for (int i = 0; i < 20; i++)
        i8042_key(&r->kbc, PC_KEY_SPACE, i % 2 == 0);
    set_ctr(r, CTR_XLATE);
    n = drain(r, got, 32, 40);
    CHECK_EQ(n, 12);                                /* 6 makes, 5 breaks (F0 swallowed), FF */
    CHECK_EQ(got[n - 1], 0xFF);

    /* Status: A2 after a command, IBF while the controller digests it. */
    outb(r, 0x64, 0x20);
    uint8_t st = inb(r, 0x64);
    CHECK(st & I8042_STATUS_A2);
    CHECK(st & I8042_STATUS_IBF);
    CHECK(!(st & I8042_STATUS_OBF));
    advance(r, US(20));
    st = inb(r, 0x64);
    CHECK(!(st & I8042_STATUS_IBF));
    CHECK(st & I8042_STATUS_OBF);
    CHECK_EQ(inb(r, 0x60), CTR_XLATE);
    CHECK_EQ(inb(r, 0x60), CTR_XLATE);              /* empty buffer reads the last byte */

    /* The output port: A20 and reset go to the board. */
    CHECK_EQ(r->a20, 1);                            /* on since power-on */
    uint8_t v = 0xDD;
    CHECK_EQ(ctl_command(r, 0x10D1, &v), 0);
    CHECK_EQ(r->a20, 0);
    CHECK_EQ(ctl_command(r, 0x01D0, &v), 0);
    CHECK_EQ(v & 0x03, 0x01);
    CHECK_EQ(ctl_command(r, 0x00DF, NULL), 0);
    CHECK_EQ(r->a20, 1);
    CHECK_EQ(ctl_command(r, 0x00DD, NULL), 0);
    CHECK_EQ(r->a20, 0);
    v = 0xDF;
    CHECK_EQ(ctl_command(r, 0x10D1, &v), 0);
    CHECK_EQ(r->a20, 1);
    CHECK_EQ(r->resets, 0);
    CHECK_EQ(ctl_command(r, 0x00FF, NULL), 0);      /* pulse nothing */
    CHECK_EQ(r->resets, 0);
    CHECK_EQ(ctl_command(r, 0x00FE, NULL), 0);
    CHECK_EQ(r->resets, 1);
    CHECK_EQ(ctl_command(r, 0x00F0, NULL), 0);
    CHECK_EQ(r->resets, 2);
    v = 0xDE;
    CHECK_EQ(ctl_command(r, 0x10D1, &v), 0);
    CHECK_EQ(r->resets, 3);
    CHECK_EQ(ctl_command(r, 0x01C0, &v), 0);        /* input port: not inhibited */
    CHECK(v & 0x80);
    /* D2: a byte that looks as if the keyboard sent it (with IRQ1). */
    set_ctr(r, CTR_KBDINT | CTR_AUXINT);
    int e1 = r->irq1_edges, e12 = r->irq12_edges;
    v = 0x5C;
    CHECK_EQ(ctl_command(r, 0x11D2, &v), 0);
    CHECK_EQ(v, 0x5C);
    CHECK_EQ(r->irq1_edges, e1 + 1);
    CHECK_EQ(r->irq12_edges, e12);
    free(r);
}

/* ---- Snapshots and two machines ---------------------------------------- */

static struct state_writer save_all(struct rig *r)
{
    struct state_writer w;
    state_writer_init(&w);
    device_save_all(&r->reg, &w);
    return w;
}

static void test_save_load(void)
{
    struct rig *a = rig_new(), *b = rig_new();
    uint8_t p;
    set_ctr(a, CTR_XLATE | CTR_KBDINT | CTR_AUXINT);
    aux_write(a, 0xF4);
    drain(a, &p, 1, 5);
    i8042_key(&a->kbc, PC_KEY_LEFT_SHIFT, 1);
    i8042_key(&a->kbc, PC_KEY_Z, 1);                /* typematic armed */
    i8042_mouse_move(&a->kbc, 3, 0, 0, 0);
    advance(a, US(500));

    struct state_writer w = save_all(a);
    CHECK(!w.error);
    b->clock.now = a->clock.now;
    struct state_reader rd;
    char why[128] = "";
    state_reader_init(&rd, w.buf, w.len);
    CHECK_EQ(device_load_all(&b->reg, &rd, why, sizeof(why)), 0);
    CHECK_EQ(b->kbc.ctrl.ram[0], a->kbc.ctrl.ram[0]);
    CHECK_EQ(b->kbc.kbd_repeat.when, a->kbc.kbd_repeat.when);
    CHECK(timer_armed(&b->kbc.kbd_repeat));
    uint8_t ga[32], gb[32];
    int na = drain(a, ga, 32, 600), nb = drain(b, gb, 32, 600);
    CHECK(na >= 6);
    CHECK(same(ga, na, gb, nb));
    CHECK_EQ(a->clock.now, b->clock.now);

    /* A second save of b equals one of a: the state is all there. */
    struct state_writer wa = save_all(a), wb = save_all(b);
    CHECK(wa.len == wb.len && memcmp(wa.buf, wb.buf, wa.len) == 0);

    /* Corrupt blobs are refused and change nothing. */
    const uint8_t *blob = w.buf + 4 + 2 + 5 + 4 + 4;   /* count, name, version, length */
    size_t blen = w.len - (4 + 2 + 5 + 4 + 4);
    uint8_t *bad = malloc(blen);
    uint8_t ctr_before = b->kbc.ctrl.ram[0];
    struct { size_t off; uint8_t val; } corrupt[] = {
        { 32 + 1, 7 },                              /* obf flag */
        { 56, 200 },                                /* keyboard queue length */
    };
    for (size_t i = 0; i < sizeof(corrupt) / sizeof(corrupt[0]); i++) {
        memcpy(bad, blob, blen);
        bad[0] = (uint8_t)~ctr_before;
        bad[corrupt[i].off] = corrupt[i].val;
        state_reader_init(&rd, bad, blen);
        CHECK_EQ(i8042_ops.load(&b->kbc, &rd, I8042_STATE_VERSION), -1);
        CHECK_EQ(b->kbc.ctrl.ram[0], ctr_before);
    }
    memcpy(bad, blob, blen);
    state_reader_init(&rd, bad, blen - 1);          /* truncated */
    CHECK_EQ(i8042_ops.load(&b->kbc, &rd, I8042_STATE_VERSION), -1);
    state_reader_init(&rd, bad, blen);
    CHECK_EQ(i8042_ops.load(&b->kbc, &rd, I8042_STATE_VERSION + 1), -1);
    state_reader_init(&rd, bad, blen);
    CHECK_EQ(i8042_ops.load(&b->kbc, &rd, I8042_STATE_VERSION), 0);

    /* Two machines: input and board callbacks stay with their own. */
    i8042_key(&a->kbc, PC_KEY_Z, 0);
    i8042_key(&b->kbc, PC_KEY_Z, 0);
    set_ctr(a, 0);
    set_ctr(b, 0);
    drain(a, ga, 32, 50);
    drain(b, gb, 32, 50);                           /* what the reload left queued */
    i8042_key(&a->kbc, PC_KEY_X, 1);
    advance(b, MS(5));
    CHECK(!obf(b));
    CHECK_EQ(drain(a, ga, 32, 5), 1);
    CHECK_EQ(ga[0], 0x22);
    int a20a = a->a20_calls, a20b = b->a20_calls;
    CHECK_EQ(ctl_command(b, 0x00DD, NULL), 0);
    CHECK_EQ(b->a20, 0);
    CHECK_EQ(a->a20_calls, a20a);
    CHECK_EQ(b->a20_calls, a20b + 1);
    FILE *f = tmpfile();
    if (f) {
        i8042_ops.dump(&a->kbc, f);
        CHECK(ftell(f) > 100);
        fclose(f);
    }

    free(bad);
    state_writer_free(&w);
    state_writer_free(&wa);
    state_writer_free(&wb);
    free(a);
    free(b);
}

int main(void)
{
    test_seabios_init();
    test_linux_init();
    test_scancodes();
    test_typematic();
    test_overrun_and_port_bits();
    test_save_load();
    return test_report();
}
