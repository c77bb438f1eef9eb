/*
 * Intel 8259A programmable interrupt controller, master and slave as wired
 * in the PC/AT, plus the PIIX3 ELCR registers.  Section references are to
 * the Intel 8259A datasheet (order number 231468).
 */
#include "peripherals/pic8259.h"

#include <string.h>

/* ICW1 */
#define ICW1_IC4 0x01u          /* ICW4 will be written */
#define ICW1_SNGL 0x02u         /* single chip: no ICW3, no cascade */
#define ICW1_ADI 0x04u          /* MCS-80 call address interval 4 */
#define ICW1_LTIM 0x08u         /* level triggered */
#define ICW1_INIT 0x10u
/* ICW4 */
#define ICW4_UPM 0x01u          /* 8086/8088 mode (else MCS-80/85) */
#define ICW4_AEOI 0x02u
#define ICW4_SFNM 0x10u         /* special fully nested mode */
/* OCW3 */
#define OCW3_SELECT 0x08u
#define OCW3_POLL 0x04u
#define OCW3_RR 0x02u
#define OCW3_RIS 0x01u
#define OCW3_ESMM 0x40u
#define OCW3_SMM 0x20u

/* Out-of-spec uses, each logged once per machine. */
enum pic_warning {
    WARN_PIN2 = 1u << 0,
    WARN_PIN_RANGE = 1u << 1,
    WARN_MCS80 = 1u << 2,
    WARN_NO_SLAVE = 1u << 3,
};

static void warn_once(struct pic8259 *p, uint32_t which, const char *what)
{
    if (p->warned & which)
        return;
    p->warned |= which;
    fprintf(stderr, "trapeze: pic8259: %s\n", what);
}

static int is_master(const struct pic8259 *p, const struct pic8259_chip *c) { return c == &p->chip[0]; }

/* Inputs the chip treats as level triggered: ICW1's LTIM applies to all
 * eight, the ELCR selects them one by one. */
static uint8_t level_inputs(const struct pic8259_chip *c)
{
    return (uint8_t)(((c->icw1 & ICW1_LTIM) ? 0xFFu : 0u) | c->elcr);
}

/* Priority rank of IR `ir`: 0 is the highest.  The IR after `lowest` has the
 * highest priority (section "Interrupt Sequence", rotation). */
static int rank(const struct pic8259_chip *c, int ir) { return (ir - c->lowest - 1) & 7; }

/* The highest-priority IR among `bits`, or -1. */
static int highest_of(const struct pic8259_chip *c, uint8_t bits)
{
    for (int r = 0; r < 8; r++) {
        int ir = (c->lowest + 1 + r) & 7;
        if (bits & (1u << ir))
            return ir;
    }
    return -1;
}

static int is_cascade_input(const struct pic8259 *p, const struct pic8259_chip *c, int ir)
{
    return is_master(p, c) && !(c->icw1 & ICW1_SNGL) && (c->icw3 & (1u << ir));
}

/* The IR this chip would put on INT now, or -1.  In the fully nested mode a
 * request interrupts only a lower-priority service routine; in the special
 * fully nested mode (master only) a cascade input may also interrupt its own
 * service routine, so the slave's higher-priority requests get through; in
 * the special mask mode every unmasked request not in service is enabled,
 * "lower as well as higher" (OCW3, special mask mode). */
static int chip_pending(const struct pic8259 *p, const struct pic8259_chip *c)
{
    uint8_t req = (uint8_t)(c->irr & ~c->imr);
    if (!req)
        return -1;
    if (c->special_mask)
        return highest_of(c, (uint8_t)(req & ~c->isr));
    int ir = highest_of(c, req);
    int cur = highest_of(c, c->isr);
    if (cur < 0 || rank(c, ir) < rank(c, cur))
        return ir;
    if (ir == cur && (c->icw4 & ICW4_SFNM) && is_cascade_input(p, c, ir))
        return ir;
    return -1;
}

/* Drive one IR input.  Edge mode latches a rising edge; level mode follows
 * the line (the request latch is transparent). */
static void chip_drive(struct pic8259_chip *c, int ir, int level)
{
    uint8_t bit = (uint8_t)(1u << ir);
    if (level) {
        if (!(c->pins & bit) || (level_inputs(c) & bit))
            c->irr |= bit;
        c->pins |= bit;
    } else {
        c->pins &= (uint8_t)~bit;
        if (level_inputs(c) & bit)
            c->irr &= (uint8_t)~bit;
    }
}

/* After the slave or master changed: the slave's INT drives master IR2, the
 * master's INT drives the CPU. */
static void update_outputs(struct pic8259 *p)
{
    chip_drive(&p->chip[0], PIC_CASCADE_IR, chip_pending(p, &p->chip[1]) >= 0);
    irq_set(&p->intr, chip_pending(p, &p->chip[0]) >= 0);
}

/* The INTA pulses on one chip for IR `ir`: set ISR (or not, in AEOI mode,
 * where the second INTA ends the interrupt) and clear the request.  A
 * level-triggered input still high requests again at once. */
static void chip_ack(struct pic8259_chip *c, int ir)
{
    uint8_t bit = (uint8_t)(1u << ir);
    c->irr &= (uint8_t)~bit;
    if ((level_inputs(c) & bit) && (c->pins & bit))
        c->irr |= bit;
    if (c->icw4 & ICW4_AEOI) {
        if (c->rotate_aeoi)
            c->lowest = (uint8_t)ir;
    } else {
        c->isr |= bit;
    }
}

/* The vector byte of the second INTA.  In MCS-80/85 mode the chip sends a
 * CALL's address bytes instead; an x86 reads the low byte (ICW1 A7-A5 and
 * the IR times the call interval). */
static uint8_t chip_vector(struct pic8259 *p, const struct pic8259_chip *c, int ir)
{
    if (c->icw4 & ICW4_UPM)
        return (uint8_t)((c->icw2 & 0xF8u) | (unsigned)ir);
    warn_once(p, WARN_MCS80, "INTA in MCS-80/85 mode (ICW4 bit 0 clear): vector is a CALL address byte");
    if (c->icw1 & ICW1_ADI)
        return (uint8_t)((c->icw1 & 0xE0u) | ((unsigned)ir << 2));
    return (uint8_t)((c->icw1 & 0xC0u) | ((unsigned)ir << 3));
}

uint8_t pic_acknowledge(struct pic8259 *p)
{
    struct pic8259_chip *m = &p->chip[0], *s = &p->chip[1];
    uint8_t vector;
    int ir = chip_pending(p, m);
    if (ir < 0) {
        /* No request at INTA: "the 8259A will issue an interrupt level 7"
         * (Interrupt Sequence), without setting ISR bit 7. */
        p->spurious++;
        vector = chip_vector(p, m, 7);
    } else {
        chip_ack(m, ir);
        if (!is_cascade_input(p, m, ir)) {
            vector = chip_vector(p, m, ir);
        } else if ((s->icw3 & 7u) != (unsigned)ir) {
            /* The CAS lines name a slave that is not there: nobody drives
             * the data bus on the second INTA. */
            warn_once(p, WARN_NO_SLAVE, "INTA for a cascade input with no slave of that ID (floating bus)");
            vector = 0xFF;
        } else {
            int sir = chip_pending(p, s);
            if (sir < 0) {
                p->spurious++;
                vector = chip_vector(p, s, 7);
            } else {
                chip_ack(s, sir);
                vector = chip_vector(p, s, sir);
            }
        }
    }
    update_outputs(p);
    return vector;
}

uint8_t pic_intr_ack(void *opaque) { return pic_acknowledge(opaque); }

void pic_irq_sink(void *opaque, int pin, int level)
{
    struct pic8259 *p = opaque;
    if (pin < 0 || pin > 15) {
        warn_once(p, WARN_PIN_RANGE, "IRQ pin outside 0-15 ignored");
        return;
    }
    if (pin == PIC_CASCADE_IR) {
        warn_once(p, WARN_PIN2, "a device drives IRQ2, the cascade input; an AT board routes it to IRQ9");
        return;
    }
    chip_drive(&p->chip[pin >> 3], pin & 7, level);
    update_outputs(p);
}

/* ICW1: "a. The edge sense circuit is reset ... b. The Interrupt Mask
 * Register is cleared. c. IR7 input is assigned priority 7. d. The slave
 * mode address is set to 7. e. Special Mask Mode is cleared and Status Read
 * is set to IRR. f. If IC4 = 0, then all functions selected in ICW4 are set
 * to zero."  (Initialization Command Words.)  The in-service register is
 * cleared as well, so a re-initialised chip starts with no routine pending. */
static void write_icw1(struct pic8259 *p, struct pic8259_chip *c, uint8_t v)
{
    c->icw1 = v;
    c->init_step = 1;
    c->imr = 0;
    c->isr = 0;
    c->irr = (uint8_t)(c->pins & level_inputs(c));
    c->lowest = 7;
    c->special_mask = 0;
    c->read_isr = 0;
    c->poll = 0;
    c->rotate_aeoi = 0;
    if (!is_master(p, c))
        c->icw3 = 7;
    if (!(v & ICW1_IC4))
        c->icw4 = 0;
}

/* OCW2: the R, SL, EOI bits select the command, L2-L0 the level. */
static void write_ocw2(struct pic8259_chip *c, uint8_t v)
{
    int level = v & 7;
    int ir;
    switch (v >> 5) {
    case 0: /* rotate in AEOI mode (clear) */
        c->rotate_aeoi = 0;
        break;
    case 1: /* non-specific EOI */
    case 5: /* rotate on non-specific EOI */
        /* In special mask mode an ISR bit masked by IMR is not reset by a
         * non-specific EOI (OCW2 notes). */
        ir = highest_of(c, (uint8_t)(c->isr & (c->special_mask ? (uint8_t)~c->imr : 0xFFu)));
        if (ir >= 0) {
            c->isr &= (uint8_t)~(1u << ir);
            if ((v >> 5) == 5)
                c->lowest = (uint8_t)ir;
        }
        break;
    case 3: /* specific EOI */
        c->isr &= (uint8_t)~(1u << level);
        break;
    case 4: /* rotate in AEOI mode (set) */
        c->rotate_aeoi = 1;
        break;
    case 6: /* set priority: L becomes the lowest */
        c->lowest = (uint8_t)level;
        break;
    case 7: /* rotate on specific EOI */
        c->isr &= (uint8_t)~(1u << level);
        c->lowest = (uint8_t)level;
        break;
    default: /* 2: no operation */
        break;
    }
}

static void write_ocw3(struct pic8259_chip *c, uint8_t v)
{
    if (v & OCW3_POLL)
        c->poll = 1;
    if (v & OCW3_RR)
        c->read_isr = v & OCW3_RIS;
    if (v & OCW3_ESMM)
        c->special_mask = (v & OCW3_SMM) ? 1 : 0;
}

/* A0 = 1: the ICW expected next, or OCW1. */
static void write_data(struct pic8259_chip *c, uint8_t v)
{
    switch (c->init_step) {
    case 1:
        c->icw2 = v;
        if (!(c->icw1 & ICW1_SNGL))
            c->init_step = 2;
        else
            c->init_step = (c->icw1 & ICW1_IC4) ? 3 : 0;
        break;
    case 2:
        c->icw3 = v;
        c->init_step = (c->icw1 & ICW1_IC4) ? 3 : 0;
        break;
    case 3:
        c->icw4 = v;
        c->init_step = 0;
        break;
    default:
        c->imr = v;
        break;
    }
}

/* Poll: the read is the interrupt acknowledge; the word is I (bit 7) and
 * the highest requesting level (OCW3, Poll Command).  With no request the
 * level reads 7, as the default IR7 of an acknowledge with no request. */
static uint8_t chip_poll(struct pic8259 *p, struct pic8259_chip *c)
{
    c->poll = 0;
    int ir = chip_pending(p, c);
    if (ir < 0)
        return 0x07;
    chip_ack(c, ir);
    update_outputs(p);
    return (uint8_t)(0x80u | (unsigned)ir);
}

static struct pic8259_chip *chip_for_port(struct pic8259 *p, uint16_t port)
{
    return &p->chip[(port & 0x80u) ? 1 : 0];
}

uint8_t pic_read(struct pic8259 *p, uint16_t port)
{
    if (port == 0x4D0 || port == 0x4D1)
        return p->chip[port & 1].elcr;
    struct pic8259_chip *c = chip_for_port(p, port);
    if (c->poll)
        return chip_poll(p, c);
    if (port & 1)
        return c->imr;
    return c->read_isr ? c->isr : c->irr;
}

void pic_write(struct pic8259 *p, uint16_t port, uint8_t v)
{
    if (port == 0x4D0 || port == 0x4D1) {
        struct pic8259_chip *c = &p->chip[port & 1];
        c->elcr = (uint8_t)(v & c->elcr_mask);
        uint8_t lvl = level_inputs(c);
        c->irr = (uint8_t)((c->irr & ~lvl) | (c->pins & lvl));
    } else {
        struct pic8259_chip *c = chip_for_port(p, port);
        if (port & 1)
            write_data(c, v);
        else if (v & ICW1_INIT)
            write_icw1(p, c, v);
        else if (v & OCW3_SELECT)
            write_ocw3(c, v);
        else
            write_ocw2(c, v);
    }
    update_outputs(p);
}

static uint32_t pic_io_read(void *opaque, uint16_t port, int size)
{
    (void)size;
    return pic_read(opaque, port);
}

static void pic_io_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    (void)size;
    pic_write(opaque, port, (uint8_t)value);
}

/* Power-on: both chips as after an ICW1 with no ICW4 yet; ELCR all edge. */
static void chip_reset(struct pic8259_chip *c, uint8_t elcr_mask)
{
    uint8_t pins = c->pins;
    memset(c, 0, sizeof(*c));
    c->pins = pins;
    c->irr = 0;
    c->lowest = 7;
    c->elcr_mask = elcr_mask;
}

static void pic_reset(void *opaque)
{
    struct pic8259 *p = opaque;
    /* ELCR1 bits 0-2 and ELCR2 bits 0 and 5 (IRQ 0, 1, 2, 8, 13) are
     * reserved: those inputs are always edge triggered on the PIIX3. */
    chip_reset(&p->chip[0], 0xF8);
    chip_reset(&p->chip[1], 0xDE);
    update_outputs(p);
}

static void chip_save(const struct pic8259_chip *c, struct state_writer *w)
{
    const uint8_t b[] = { c->irr, c->isr, c->imr, c->pins, c->elcr, c->icw1, c->icw2, c->icw3, c->icw4,
                          c->init_step, c->read_isr, c->poll, c->special_mask, c->rotate_aeoi, c->lowest };
    state_put_bytes(w, b, sizeof(b));
}

static int chip_load(struct pic8259_chip *c, struct state_reader *r)
{
    uint8_t b[15];
    state_get_bytes(r, b, sizeof(b));
    if (r->error || (b[4] & ~c->elcr_mask) || b[9] > 3 || b[10] > 1 || b[11] > 1 || b[12] > 1 ||
        b[13] > 1 || b[14] > 7)
        return -1;
    c->irr = b[0];
    c->isr = b[1];
    c->imr = b[2];
    c->pins = b[3];
    c->elcr = b[4];
    c->icw1 = b[5];
    c->icw2 = b[6];
    c->icw3 = b[7];
    c->icw4 = b[8];
    c->init_step = b[9];
    c->read_isr = b[10];
    c->poll = b[11];
    c->special_mask = b[12];
    c->rotate_aeoi = b[13];
    c->lowest = b[14];
    return 0;
}

static void pic_save(void *opaque, struct state_writer *w)
{
    struct pic8259 *p = opaque;
    chip_save(&p->chip[0], w);
    chip_save(&p->chip[1], w);
    state_put_u64(w, p->spurious);
}

static int pic_load(void *opaque, struct state_reader *r, uint32_t version)
{
    struct pic8259 *p = opaque;
    struct pic8259_chip m = p->chip[0], s = p->chip[1];
    if (version != PIC_STATE_VERSION)
        return -1;
    if (chip_load(&m, r) != 0 || chip_load(&s, r) != 0)
        return -1;
    uint64_t spurious = state_get_u64(r);
    if (r->error || r->pos != r->len)
        return -1;
    p->chip[0] = m;
    p->chip[1] = s;
    p->spurious = spurious;
    update_outputs(p);
    return 0;
}

static void chip_dump(const struct pic8259_chip *c, const char *name, FILE *out)
{
    fprintf(out, "%s: IRR %02x ISR %02x IMR %02x pins %02x ELCR %02x  vectors %02x-%02x, %s triggered%s%s%s\n",
            name, c->irr, c->isr, c->imr, c->pins, c->elcr, c->icw2 & 0xF8u, (c->icw2 & 0xF8u) | 7u,
            (c->icw1 & ICW1_LTIM) ? "level" : "edge", (c->icw4 & ICW4_AEOI) ? ", auto-EOI" : "",
            c->special_mask ? ", special mask" : "", c->init_step ? ", awaiting ICW" : "");
    fprintf(out, "    lowest priority IR%u, reads %s%s%s\n", c->lowest, c->read_isr ? "ISR" : "IRR",
            c->poll ? ", poll pending" : "", c->rotate_aeoi ? ", rotate on AEOI" : "");
}

static void pic_dump(void *opaque, FILE *out)
{
    struct pic8259 *p = opaque;
    chip_dump(&p->chip[0], "master 8259A (0x20)", out);
    chip_dump(&p->chip[1], "slave 8259A (0xA0) ", out);
    fprintf(out, "INTR %s, %llu spurious acknowledges\n", p->intr.level ? "high" : "low",
            (unsigned long long)p->spurious);
}

const struct device_ops pic_ops = {
    .name = "pic",
    .version = PIC_STATE_VERSION,
    .reset = pic_reset,
    .save = pic_save,
    .load = pic_load,
    .dump = pic_dump,
};

int pic_init(struct pic8259 *p, struct portio *io, struct device_registry *reg)
{
    memset(p, 0, sizeof(*p));
    pic_reset(p);
    if (portio_register(io, 0x20, 2, PORTIO_SIZE_8, pic_io_read, pic_io_write, p, "pic-master") != 0 ||
        portio_register(io, 0xA0, 2, PORTIO_SIZE_8, pic_io_read, pic_io_write, p, "pic-slave") != 0 ||
        portio_register(io, 0x4D0, 2, PORTIO_SIZE_8, pic_io_read, pic_io_write, p, "elcr") != 0)
        return -1;
    return device_register(reg, &pic_ops, p);
}
