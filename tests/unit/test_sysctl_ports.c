/* System control ports 0x61 and 0x92: PIT gate and OUT2 through the board's
 * callbacks, the refresh toggle on the cycle clock, speaker edges with
 * their timestamps, NMI latches, fast A20 and fast reset, snapshots and two
 * machines. */
#include <stdlib.h>
#include <string.h>

#include "peripherals/sysctl_ports.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

#define HZ (SYSCTL_PIT_HZ * 10ull)          /* a refresh request every 180 cycles */

struct rig {
    struct clock clock;
    struct portio io;
    struct device_registry reg;
    struct sysctl_ports sc;
    int out2, gate2, gate_calls;
    int a20, a20_calls, resets;
    int spk_gate, spk_data, spk_calls;
    cycles_t spk_when;
    int nmi;
};

static int get_out2(void *o) { return ((struct rig *)o)->out2; }
static void set_gate2(void *o, int level)
{
    struct rig *r = o;
    r->gate2 = level;
    r->gate_calls++;
}
static void set_a20(void *o, int on)
{
    struct rig *r = o;
    r->a20 = on;
    r->a20_calls++;
}
static void do_reset(void *o) { ((struct rig *)o)->resets++; }
static void speaker(void *o, int gate, int data, cycles_t when)
{
    struct rig *r = o;
    r->spk_gate = gate;
    r->spk_data = data;
    r->spk_when = when;
    r->spk_calls++;
}
static void nmi_sink(void *o, int pin, int level)
{
    (void)pin;
    ((struct rig *)o)->nmi = level;
}

static struct rig *rig_new(void)
{
    struct rig *r = calloc(1, sizeof(*r));
    clock_init(&r->clock, HZ);
    portio_init(&r->io);
    device_registry_init(&r->reg);
    struct sysctl_ports_ops ops = { get_out2, set_gate2, set_a20, do_reset, speaker, r };
    CHECK_EQ(sysctl_ports_init(&r->sc, &r->clock, &r->io, &r->reg, &ops), 0);
    irq_connect(&r->sc.nmi, nmi_sink, r, 0);
    return r;
}

static uint8_t inb(struct rig *r, uint16_t p) { return (uint8_t)portio_read(&r->io, p, 1); }
static void outb(struct rig *r, uint16_t p, uint8_t v) { portio_write(&r->io, p, v, 1); }

static void test_port_b(void)
{
    struct rig *r = rig_new();
    CHECK_EQ(r->gate_calls, 1);                     /* reset announced gate low */
    CHECK_EQ(r->gate2, 0);
    CHECK_EQ(r->spk_calls, 1);
    CHECK_EQ(inb(r, 0x61) & 0xEF, 0);
    /* Bit 5 is the PIT's OUT2, read through the board. */
    r->out2 = 1;
    CHECK(inb(r, 0x61) & SYSCTL_B_OUT2);
    r->out2 = 0;
    CHECK(!(inb(r, 0x61) & SYSCTL_B_OUT2));
    /* Bit 4 flips every 18 PIT clocks = 180 cycles here. */
    r->clock.now = 179;
    CHECK(!(inb(r, 0x61) & SYSCTL_B_REFRESH));
    r->clock.now = 180;
    CHECK(inb(r, 0x61) & SYSCTL_B_REFRESH);
    r->clock.now = 359;
    CHECK(inb(r, 0x61) & SYSCTL_B_REFRESH);
    r->clock.now = 360;
    CHECK(!(inb(r, 0x61) & SYSCTL_B_REFRESH));
    /* A firmware delay loop: count flips for 1 ms of cycle time. */
    int flips = 0, last = inb(r, 0x61) & SYSCTL_B_REFRESH;
    for (cycles_t end = r->clock.now + HZ / 1000; r->clock.now < end; r->clock.now += 7) {
        int now = inb(r, 0x61) & SYSCTL_B_REFRESH;
        flips += now != last;
        last = now;
    }
    CHECK(flips >= 65 && flips <= 67);              /* 1 ms / 15.085 us */
    /* Very late in a long run the toggle still follows the clock. */
    r->clock.now = (cycles_t)HZ * 3600u * 24u * 365u * 50u + 180u * 7u;
    CHECK(inb(r, 0x61) & SYSCTL_B_REFRESH);

    /* Gate and speaker bits: callbacks on change only, with the cycle. */
    r->clock.now = 1000;
    outb(r, 0x61, 0x03);
    CHECK_EQ(r->gate2, 1);
    CHECK_EQ(r->gate_calls, 2);
    CHECK(r->spk_gate && r->spk_data);
    CHECK_EQ(r->spk_when, 1000);
    CHECK_EQ(r->spk_calls, 2);
    CHECK(sysctl_speaker_gate(&r->sc) && sysctl_speaker_data(&r->sc));
    outb(r, 0x61, 0x03);
    CHECK_EQ(r->spk_calls, 2);
    CHECK_EQ(r->gate_calls, 2);
    r->clock.now = 1234;
    outb(r, 0x61, 0x01);
    CHECK_EQ(r->spk_calls, 3);
    CHECK(r->spk_gate && !r->spk_data);
    CHECK_EQ(r->spk_when, 1234);
    CHECK_EQ(r->gate_calls, 2);
    CHECK_EQ(inb(r, 0x61) & 0x0F, 0x01);
    /* Writes to the read-only bits do nothing. */
    outb(r, 0x61, 0xF1);
    CHECK_EQ(inb(r, 0x61) & 0xCF, 0x01);
    free(r);
}

static void test_nmi_sources(void)
{
    struct rig *r = rig_new();
    sysctl_ports_parity_error(&r->sc);
    CHECK(inb(r, 0x61) & SYSCTL_B_PARITY);
    CHECK(r->nmi);
    outb(r, 0x61, SYSCTL_B_PARITY_OFF);             /* disable: clears the latch */
    CHECK(!(inb(r, 0x61) & SYSCTL_B_PARITY));
    CHECK(!r->nmi);
    sysctl_ports_parity_error(&r->sc);              /* not latched while disabled */
    CHECK(!r->nmi);
    outb(r, 0x61, 0);
    sysctl_ports_channel_check(&r->sc);
    CHECK_EQ(inb(r, 0x61) & 0xC0, SYSCTL_B_IOCHK);
    CHECK(r->nmi);
    outb(r, 0x61, SYSCTL_B_IOCHK_OFF);
    CHECK(!r->nmi);
    CHECK_EQ(inb(r, 0x61) & 0xC0, 0);
    free(r);
}

static void test_port_a(void)
{
    struct rig *r = rig_new();
    CHECK_EQ(r->a20_calls, 1);                      /* reset: A20 not forced here */
    CHECK_EQ(r->a20, 0);
    CHECK_EQ(inb(r, 0x92), 0);
    outb(r, 0x92, SYSCTL_A_A20);
    CHECK_EQ(r->a20, 1);
    CHECK_EQ(inb(r, 0x92), SYSCTL_A_A20);
    CHECK_EQ(r->resets, 0);
    outb(r, 0x92, SYSCTL_A_A20 | SYSCTL_A_RESET);   /* Linux: inb | 1 */
    CHECK_EQ(r->resets, 1);
    CHECK_EQ(r->a20_calls, 2);                      /* A20 did not change */
    outb(r, 0x92, SYSCTL_A_A20 | SYSCTL_A_RESET);   /* no new edge */
    CHECK_EQ(r->resets, 1);
    outb(r, 0x92, SYSCTL_A_A20);
    outb(r, 0x92, SYSCTL_A_A20 | SYSCTL_A_RESET);
    CHECK_EQ(r->resets, 2);
    outb(r, 0x92, 0xC0);                            /* activity lights, A20 off */
    CHECK_EQ(r->a20, 0);
    CHECK_EQ(inb(r, 0x92), 0xC0);
    /* Device reset returns everything to 0 and says so. */
    outb(r, 0x61, 0x03);
    int gates = r->gate_calls;
    device_reset_all(&r->reg);
    CHECK_EQ(inb(r, 0x92), 0);
    CHECK_EQ(inb(r, 0x61) & 0x0F, 0);
    CHECK_EQ(r->gate_calls, gates + 1);
    CHECK_EQ(r->gate2, 0);
    CHECK(!r->spk_gate && !r->spk_data);
    free(r);
}

static void test_save_load_and_two_machines(void)
{
    struct rig *a = rig_new(), *b = rig_new();
    outb(a, 0x61, 0x03 | SYSCTL_B_IOCHK_OFF);
    outb(a, 0x92, SYSCTL_A_A20 | 0x40);
    sysctl_ports_parity_error(&a->sc);
    struct state_writer w;
    state_writer_init(&w);
    device_save_all(&a->reg, &w);
    CHECK(!w.error);
    int gates = b->gate_calls, a20s = b->a20_calls;
    struct state_reader rd;
    char why[128];
    b->clock.now = 777;
    state_reader_init(&rd, w.buf, w.len);
    CHECK_EQ(device_load_all(&b->reg, &rd, why, sizeof(why)), 0);
    CHECK_EQ(inb(b, 0x61) & 0xCF, inb(a, 0x61) & 0xCF);
    CHECK_EQ(inb(b, 0x92), SYSCTL_A_A20 | 0x40);
    CHECK(b->nmi);
    CHECK_EQ(b->gate_calls, gates);                 /* the PIT restores its own gate */
    CHECK_EQ(b->a20_calls, a20s);
    CHECK(b->spk_gate && b->spk_data);              /* the sound frontend is told */
    CHECK_EQ(b->spk_when, 777);

    /* Corrupt blobs: rejected, nothing changed. */
    struct state_writer one;
    state_writer_init(&one);
    sysctl_ports_ops.save(&b->sc, &one);
    uint8_t bad[8];
    memcpy(bad, one.buf, one.len);
    bad[0] = 0x13;                                  /* a read-only bit stored */
    state_reader_init(&rd, bad, one.len);
    CHECK_EQ(sysctl_ports_ops.load(&b->sc, &rd, SYSCTL_PORTS_STATE_VERSION), -1);
    memcpy(bad, one.buf, one.len);
    bad[2] = 2;                                     /* a latch that is not 0 or 1 */
    state_reader_init(&rd, bad, one.len);
    CHECK_EQ(sysctl_ports_ops.load(&b->sc, &rd, SYSCTL_PORTS_STATE_VERSION), -1);
    state_reader_init(&rd, one.buf, one.len - 1);
    CHECK_EQ(sysctl_ports_ops.load(&b->sc, &rd, SYSCTL_PORTS_STATE_VERSION), -1);
    state_reader_init(&rd, one.buf, one.len);
    CHECK_EQ(sysctl_ports_ops.load(&b->sc, &rd, SYSCTL_PORTS_STATE_VERSION + 1), -1);
    CHECK_EQ(inb(b, 0x92), SYSCTL_A_A20 | 0x40);

    /* Two machines: writes and callbacks stay with their own. */
    int resets_a = a->resets;
    outb(b, 0x92, 0);
    outb(b, 0x92, SYSCTL_A_RESET);
    CHECK_EQ(b->resets, 1);
    CHECK_EQ(a->resets, resets_a);
    outb(a, 0x61, 0);
    CHECK(sysctl_speaker_gate(&b->sc));
    FILE *f = tmpfile();
    if (f) {
        sysctl_ports_ops.dump(&a->sc, f);
        CHECK(ftell(f) > 60);
        fclose(f);
    }
    state_writer_free(&one);
    state_writer_free(&w);
    free(a);
    free(b);
}

int main(void)
{
    test_port_b();
    test_nmi_sources();
    test_port_a();
    test_save_load_and_two_machines();
    return test_report();
}
