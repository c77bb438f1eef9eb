/*
 * System control ports A (0x92) and B (0x61).  References: IBM PC AT
 * Technical Reference, "System Board I/O Port 61h"; IBM PS/2 Hardware
 * Interface Technical Reference, "System Control Port A/B"; Intel 82371
 * (PIIX) datasheet, "Port 92h".
 */
#include "peripherals/sysctl_ports.h"

#include <string.h>

/* Refresh requests since cycle 0: PIT clocks elapsed / 18.  Split so the
 * product cannot overflow for any cycle count. */
static int refresh_toggle(const struct sysctl_ports *s)
{
    uint64_t hz = s->clock->hz, now = s->clock->now;
    uint64_t ticks = (now / hz) * SYSCTL_PIT_HZ + (now % hz) * SYSCTL_PIT_HZ / hz;
    return (int)((ticks / SYSCTL_REFRESH_TICKS) & 1u);
}

static void update_nmi(struct sysctl_ports *s)
{
    irq_set(&s->nmi, s->parity_latched || s->iochk_latched);
}

static uint8_t read_port_b(const struct sysctl_ports *s)
{
    uint8_t v = s->port_b & 0x0Fu;
    v |= refresh_toggle(s) ? SYSCTL_B_REFRESH : 0;
    v |= s->ops.get_out2 && s->ops.get_out2(s->ops.opaque) ? SYSCTL_B_OUT2 : 0;
    v |= s->iochk_latched ? SYSCTL_B_IOCHK : 0;
    v |= s->parity_latched ? SYSCTL_B_PARITY : 0;
    return v;
}

static void write_port_b(struct sysctl_ports *s, uint8_t v)
{
    uint8_t was = s->port_b;
    s->port_b = v & 0x0Fu;
    /* Disabling a check also clears what it latched. */
    if (s->port_b & SYSCTL_B_PARITY_OFF)
        s->parity_latched = 0;
    if (s->port_b & SYSCTL_B_IOCHK_OFF)
        s->iochk_latched = 0;
    update_nmi(s);
    if (((was ^ s->port_b) & SYSCTL_B_GATE2) && s->ops.set_gate2)
        s->ops.set_gate2(s->ops.opaque, s->port_b & SYSCTL_B_GATE2);
    if (((was ^ s->port_b) & (SYSCTL_B_GATE2 | SYSCTL_B_SPEAKER)) && s->ops.speaker_changed)
        s->ops.speaker_changed(s->ops.opaque, sysctl_speaker_gate(s), sysctl_speaker_data(s), s->clock->now);
}

/* Fast reset fires on a 0 -> 1 transition of bit 0; the reset callback
 * comes last since it may reset this device too. */
static void write_port_a(struct sysctl_ports *s, uint8_t v)
{
    uint8_t was = s->port_a;
    s->port_a = v;
    if (((was ^ v) & SYSCTL_A_A20) && s->ops.set_a20)
        s->ops.set_a20(s->ops.opaque, (v & SYSCTL_A_A20) != 0);
    if (!(was & SYSCTL_A_RESET) && (v & SYSCTL_A_RESET) && s->ops.reset)
        s->ops.reset(s->ops.opaque);
}

uint8_t sysctl_ports_read(struct sysctl_ports *s, uint16_t port)
{
    return port == SYSCTL_PORT_A ? s->port_a : read_port_b(s);
}

void sysctl_ports_write(struct sysctl_ports *s, uint16_t port, uint8_t v)
{
    if (port == SYSCTL_PORT_A)
        write_port_a(s, v);
    else
        write_port_b(s, v);
}

void sysctl_ports_parity_error(struct sysctl_ports *s)
{
    if (!(s->port_b & SYSCTL_B_PARITY_OFF))
        s->parity_latched = 1;
    update_nmi(s);
}

void sysctl_ports_channel_check(struct sysctl_ports *s)
{
    if (!(s->port_b & SYSCTL_B_IOCHK_OFF))
        s->iochk_latched = 1;
    update_nmi(s);
}

static uint32_t port_read(void *opaque, uint16_t port, int size)
{
    (void)size;
    return sysctl_ports_read(opaque, port);
}

static void port_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    (void)size;
    sysctl_ports_write(opaque, port, (uint8_t)value);
}

/* ---- Device hooks ---------------------------------------------------- */

/* Both ports read 0 after reset: gate low, speaker off, checks enabled,
 * A20 not forced by port A.  The state is announced to every callback so
 * the PIT, the board's A20 gate and the sound frontend agree with it. */
static void sysctl_reset(void *opaque)
{
    struct sysctl_ports *s = opaque;
    s->port_b = 0;
    s->port_a = 0;
    s->parity_latched = s->iochk_latched = 0;
    update_nmi(s);
    if (s->ops.set_gate2)
        s->ops.set_gate2(s->ops.opaque, 0);
    if (s->ops.set_a20)
        s->ops.set_a20(s->ops.opaque, 0);
    if (s->ops.speaker_changed)
        s->ops.speaker_changed(s->ops.opaque, 0, 0, s->clock->now);
}

static void sysctl_save(void *opaque, struct state_writer *w)
{
    const struct sysctl_ports *s = opaque;
    state_put_u8(w, s->port_b);
    state_put_u8(w, s->port_a);
    state_put_u8(w, s->parity_latched);
    state_put_u8(w, s->iochk_latched);
}

/* The PIT gate and the A20 gate are restored by their owners; only the
 * sound frontend is told about the speaker state it now has. */
static int sysctl_load(void *opaque, struct state_reader *r, uint32_t version)
{
    struct sysctl_ports *s = opaque;
    if (version != SYSCTL_PORTS_STATE_VERSION)
        return -1;
    uint8_t b = state_get_u8(r), a = state_get_u8(r), parity = state_get_u8(r), iochk = state_get_u8(r);
    if (r->error || r->pos != r->len || (b & 0xF0) || parity > 1 || iochk > 1 ||
        (parity && (b & SYSCTL_B_PARITY_OFF)) || (iochk && (b & SYSCTL_B_IOCHK_OFF)))
        return -1;
    s->port_b = b;
    s->port_a = a;
    s->parity_latched = parity;
    s->iochk_latched = iochk;
    update_nmi(s);
    if (s->ops.speaker_changed)
        s->ops.speaker_changed(s->ops.opaque, sysctl_speaker_gate(s), sysctl_speaker_data(s), s->clock->now);
    return 0;
}

static void sysctl_dump(void *opaque, FILE *out)
{
    struct sysctl_ports *s = opaque;
    uint8_t b = read_port_b(s);
    fprintf(out, "port 61h = %02x: PIT gate 2 %s, speaker data %s, OUT2 %u, refresh %u, parity check %s%s, "
                 "channel check %s%s\n",
            b, b & SYSCTL_B_GATE2 ? "high" : "low", b & SYSCTL_B_SPEAKER ? "on" : "off", (b >> 5) & 1u,
            (b >> 4) & 1u, b & SYSCTL_B_PARITY_OFF ? "off" : "on", s->parity_latched ? " (error latched)" : "",
            b & SYSCTL_B_IOCHK_OFF ? "off" : "on", s->iochk_latched ? " (error latched)" : "");
    fprintf(out, "port 92h = %02x: A20 %s\n", s->port_a, s->port_a & SYSCTL_A_A20 ? "on" : "off");
}

const struct device_ops sysctl_ports_ops = {
    .name = "sysctl",
    .version = SYSCTL_PORTS_STATE_VERSION,
    .reset = sysctl_reset,
    .save = sysctl_save,
    .load = sysctl_load,
    .dump = sysctl_dump,
};

int sysctl_ports_init(struct sysctl_ports *s, struct clock *clock, struct portio *io,
                      struct device_registry *reg, const struct sysctl_ports_ops *ops)
{
    memset(s, 0, sizeof(*s));
    s->clock = clock;
    if (ops)
        s->ops = *ops;
    sysctl_reset(s);
    if (portio_register(io, SYSCTL_PORT_B, 1, PORTIO_SIZE_8, port_read, port_write, s, "sysctl-b") != 0 ||
        portio_register(io, SYSCTL_PORT_A, 1, PORTIO_SIZE_8, port_read, port_write, s, "sysctl-a") != 0)
        return -1;
    return device_register(reg, &sysctl_ports_ops, s);
}
