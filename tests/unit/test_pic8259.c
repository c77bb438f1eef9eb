/* The 8259A pair: programmed as SeaBIOS and Linux program it. */
#include <string.h>

#include "bus/device.h"
#include "bus/portio.h"
#include "peripherals/pic8259.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

struct rig {
    struct portio io;
    struct device_registry reg;
    struct pic8259 pic;
    int intr;           /* the CPU's INTR pin as the PIC drives it */
    int intr_edges;
};

static void cpu_intr(void *opaque, int pin, int level)
{
    struct rig *r = opaque;
    (void)pin;
    r->intr = level;
    r->intr_edges += level;
}

static void rig_init(struct rig *r)
{
    memset(r, 0, sizeof(*r));
    portio_init(&r->io);
    device_registry_init(&r->reg);
    CHECK_EQ(pic_init(&r->pic, &r->io, &r->reg), 0);
    irq_connect(&r->pic.intr, cpu_intr, r, 0);
}

static void outb(struct rig *r, uint16_t port, uint8_t v) { portio_write(&r->io, port, v, 1); }
static uint8_t inb(struct rig *r, uint16_t port) { return (uint8_t)portio_read(&r->io, port, 1); }
static void irq(struct rig *r, int n, int level) { pic_irq_sink(&r->pic, n, level); }

/* SeaBIOS pic_reset(0x08, 0x70) followed by its default mask. */
static void bios_init(struct rig *r, uint8_t master_icw4, uint8_t slave_icw4)
{
    outb(r, 0x20, 0x11);
    outb(r, 0xA0, 0x11);
    outb(r, 0x21, 0x08);
    outb(r, 0xA1, 0x70);
    outb(r, 0x21, 0x04);
    outb(r, 0xA1, 0x02);
    outb(r, 0x21, master_icw4);
    outb(r, 0xA1, slave_icw4);
    outb(r, 0x21, 0xFB);
    outb(r, 0xA1, 0xFF);
}

static uint8_t read_irr(struct rig *r, uint16_t cmd)
{
    outb(r, cmd, 0x0A);
    return inb(r, cmd);
}

static uint8_t read_isr(struct rig *r, uint16_t cmd)
{
    outb(r, cmd, 0x0B);
    uint8_t v = inb(r, cmd);
    outb(r, cmd, 0x0A);
    return v;
}

static void test_bios_init_and_basic_cycle(void)
{
    struct rig r;
    rig_init(&r);
    bios_init(&r, 0x01, 0x01);
    CHECK_EQ(inb(&r, 0x21), 0xFB);
    CHECK_EQ(inb(&r, 0xA1), 0xFF);
    CHECK_EQ(r.intr, 0);

    /* A masked request shows in IRR but does not interrupt. */
    irq(&r, 0, 1);
    CHECK_EQ(read_irr(&r, 0x20), 0x01);
    CHECK_EQ(r.intr, 0);
    outb(&r, 0x21, 0xFA);                   /* unmask IRQ0 */
    CHECK_EQ(r.intr, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x08);
    CHECK_EQ(r.intr, 0);
    CHECK_EQ(read_isr(&r, 0x20), 0x01);
    CHECK_EQ(read_irr(&r, 0x20), 0x00);     /* edge: the request was taken */
    /* The line stays high: no second request without a new edge. */
    outb(&r, 0x20, 0x20);                   /* non-specific EOI */
    CHECK_EQ(read_isr(&r, 0x20), 0x00);
    CHECK_EQ(r.intr, 0);
    irq(&r, 0, 0);
    irq(&r, 0, 1);
    CHECK_EQ(r.intr, 1);
    CHECK_EQ(pic_intr_ack(&r.pic), 0x08);
    outb(&r, 0x20, 0x20);
    irq(&r, 0, 0);

    /* Fixed priority and nesting on the master. */
    outb(&r, 0x21, 0x00);
    irq(&r, 3, 1);
    irq(&r, 1, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x09);
    CHECK_EQ(r.intr, 0);                    /* IRQ3 waits for IRQ1's EOI */
    outb(&r, 0x20, 0x20);
    CHECK_EQ(r.intr, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x0B);
    irq(&r, 1, 0);
    irq(&r, 1, 1);                          /* higher priority nests */
    CHECK_EQ(r.intr, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x09);
    CHECK_EQ(read_isr(&r, 0x20), 0x0A);
    outb(&r, 0x20, 0x20);                   /* clears the highest: IRQ1 */
    CHECK_EQ(read_isr(&r, 0x20), 0x08);
    outb(&r, 0x20, 0x63);                   /* specific EOI for IRQ3 */
    CHECK_EQ(read_isr(&r, 0x20), 0x00);
    irq(&r, 1, 0);
    irq(&r, 3, 0);

    /* A short pulse is latched in edge mode. */
    irq(&r, 4, 1);
    irq(&r, 4, 0);
    CHECK_EQ(read_irr(&r, 0x20), 0x10);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x0C);
    outb(&r, 0x20, 0x20);

    /* Port reads through the bus see the same registers; the IRQ2 input is
     * the cascade and takes no device. */
    irq(&r, 2, 1);
    CHECK_EQ(read_irr(&r, 0x20), 0x00);
}

static void test_cascade(void)
{
    struct rig r;
    rig_init(&r);
    bios_init(&r, 0x01, 0x01);
    outb(&r, 0xA1, 0x00);
    outb(&r, 0x21, 0x00);

    irq(&r, 8, 1);
    CHECK_EQ(r.intr, 1);
    CHECK_EQ(read_irr(&r, 0x20), 0x04);     /* the slave's INT on master IR2 */
    CHECK_EQ(pic_acknowledge(&r.pic), 0x70);
    CHECK_EQ(read_isr(&r, 0x20), 0x04);
    CHECK_EQ(read_isr(&r, 0xA0), 0x01);
    outb(&r, 0xA0, 0x20);
    outb(&r, 0x20, 0x20);
    CHECK_EQ(read_isr(&r, 0x20) | read_isr(&r, 0xA0), 0);
    irq(&r, 8, 0);

    /* Priority across the cascade: IRQ 8-15 sit between IRQ1 and IRQ3. */
    irq(&r, 3, 1);
    irq(&r, 12, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x74);
    CHECK_EQ(r.intr, 0);                    /* IR3 is below the IR2 in service */
    irq(&r, 1, 1);
    CHECK_EQ(r.intr, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x09);
    outb(&r, 0x20, 0x20);                   /* EOI IRQ1 */
    outb(&r, 0xA0, 0x20);                   /* EOI IRQ12 on the slave... */
    CHECK_EQ(r.intr, 0);                    /* ...master IR2 still in service */
    outb(&r, 0x20, 0x20);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x0B);
    outb(&r, 0x20, 0x20);
    irq(&r, 1, 0);
    irq(&r, 3, 0);
    irq(&r, 12, 0);

    /* Fully nested mode: a higher slave request waits for the master EOI;
     * the special fully nested mode lets it through. */
    irq(&r, 12, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x74);
    irq(&r, 9, 1);
    CHECK_EQ(r.intr, 0);
    outb(&r, 0xA0, 0x20);
    outb(&r, 0x20, 0x20);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x71);
    outb(&r, 0xA0, 0x20);
    outb(&r, 0x20, 0x20);
    irq(&r, 9, 0);
    irq(&r, 12, 0);

    bios_init(&r, 0x11, 0x01);              /* master in SFNM */
    outb(&r, 0xA1, 0x00);
    outb(&r, 0x21, 0x00);
    irq(&r, 12, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x74);
    irq(&r, 5, 1);
    CHECK_EQ(r.intr, 0);                    /* IR5 is still below IR2 */
    irq(&r, 9, 1);
    CHECK_EQ(r.intr, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x71);
    CHECK_EQ(read_isr(&r, 0xA0), 0x12);
    outb(&r, 0xA0, 0x20);                   /* IRQ9 done; slave still has 12 */
    CHECK_EQ(read_isr(&r, 0xA0), 0x10);
    outb(&r, 0xA0, 0x20);
    outb(&r, 0x20, 0x20);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x0D);
    outb(&r, 0x20, 0x20);

    /* A master ICW3 naming IR2 while the slave answers to another ID:
     * nobody drives the bus. */
    irq(&r, 5, 0);
    irq(&r, 9, 0);
    irq(&r, 12, 0);
    outb(&r, 0xA0, 0x11);
    outb(&r, 0xA1, 0x70);
    outb(&r, 0xA1, 0x05);
    outb(&r, 0xA1, 0x01);
    irq(&r, 10, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0xFF);
}

static void test_level_and_spurious(void)
{
    struct rig r;
    rig_init(&r);
    bios_init(&r, 0x01, 0x01);
    outb(&r, 0xA1, 0x00);
    outb(&r, 0x21, 0x00);

    /* ELCR: reserved bits (IRQ 0, 1, 2, 8, 13) stay edge. */
    outb(&r, 0x4D0, 0xFF);
    outb(&r, 0x4D1, 0xFF);
    CHECK_EQ(inb(&r, 0x4D0), 0xF8);
    CHECK_EQ(inb(&r, 0x4D1), 0xDE);
    outb(&r, 0x4D0, 0x20);                  /* IRQ5 level */
    outb(&r, 0x4D1, 0x08);                  /* IRQ11 level */

    /* Level: the request follows the line and repeats after EOI. */
    irq(&r, 11, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x73);
    CHECK_EQ(read_irr(&r, 0xA0), 0x08);
    outb(&r, 0xA0, 0x20);
    outb(&r, 0x20, 0x20);
    CHECK_EQ(r.intr, 1);                    /* still asserted: interrupts again */
    CHECK_EQ(pic_acknowledge(&r.pic), 0x73);
    irq(&r, 11, 0);
    outb(&r, 0xA0, 0x20);
    outb(&r, 0x20, 0x20);
    CHECK_EQ(r.intr, 0);

    /* Default IR7: the level request vanishes before INTA. */
    irq(&r, 5, 1);
    CHECK_EQ(r.intr, 1);
    irq(&r, 5, 0);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x0F);
    CHECK_EQ(read_isr(&r, 0x20), 0x00);     /* a default IR7 sets no ISR bit */
    CHECK_EQ(r.pic.spurious, 1);

    /* A request masked between INTR and INTA: the same. */
    irq(&r, 4, 1);
    CHECK_EQ(r.intr, 1);
    outb(&r, 0x21, 0x10);
    CHECK_EQ(r.intr, 0);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x0F);
    CHECK_EQ(read_isr(&r, 0x20), 0x00);
    outb(&r, 0x21, 0x00);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x0C);  /* the latched edge is still there */
    outb(&r, 0x20, 0x20);
    irq(&r, 4, 0);

    /* Default IR7 of the slave (IRQ 15): its level request vanished while
     * master IR2 held the edge.  The master's ISR bit 2 is set, so the
     * handler must EOI the master (Linux: specific EOI 0x62). */
    irq(&r, 11, 1);
    irq(&r, 11, 0);
    CHECK_EQ(r.intr, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x77);
    CHECK_EQ(read_isr(&r, 0xA0), 0x00);
    CHECK_EQ(read_isr(&r, 0x20), 0x04);
    outb(&r, 0x20, 0x62);
    CHECK_EQ(read_isr(&r, 0x20), 0x00);
    CHECK_EQ(r.pic.spurious, 3);

    /* A real IR7 sets its ISR bit, which is how handlers tell them apart. */
    irq(&r, 7, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x0F);
    CHECK_EQ(read_isr(&r, 0x20), 0x80);
    outb(&r, 0x20, 0x20);
    irq(&r, 7, 0);

    /* ICW1 resets the edge sense: a line already high needs a new edge. */
    irq(&r, 6, 1);
    bios_init(&r, 0x01, 0x01);
    outb(&r, 0x21, 0x00);
    CHECK_EQ(read_irr(&r, 0x20), 0x00);
    CHECK_EQ(r.intr, 0);
}

static void test_rotation_aeoi_smm_poll(void)
{
    struct rig r;
    rig_init(&r);
    bios_init(&r, 0x01, 0x01);
    outb(&r, 0x21, 0x00);

    /* Rotate on non-specific EOI: the serviced IR becomes the lowest. */
    irq(&r, 0, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x08);
    outb(&r, 0x20, 0xA0);
    irq(&r, 0, 0);
    irq(&r, 0, 1);
    irq(&r, 1, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x09);  /* IR1 now has the highest priority */
    outb(&r, 0x20, 0x20);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x08);
    outb(&r, 0x20, 0x20);
    irq(&r, 0, 0);
    irq(&r, 1, 0);

    /* Set priority: lowest = IR4, so IR5 is the highest. */
    outb(&r, 0x20, 0xC4);
    irq(&r, 3, 1);
    irq(&r, 6, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x0E);
    CHECK_EQ(r.intr, 0);                    /* IR3 ranks below IR6 now */
    outb(&r, 0x20, 0xE6);                   /* rotate on specific EOI: lowest = 6 */
    CHECK_EQ(pic_acknowledge(&r.pic), 0x0B);
    outb(&r, 0x20, 0x63);
    irq(&r, 3, 0);
    irq(&r, 6, 0);
    outb(&r, 0x20, 0xC7);                   /* back to IR0 highest */

    /* Automatic EOI: no ISR bit stays set; with rotation the serviced IR
     * drops to the lowest priority. */
    bios_init(&r, 0x03, 0x01);
    outb(&r, 0x21, 0x00);
    irq(&r, 1, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x09);
    CHECK_EQ(read_isr(&r, 0x20), 0x00);
    irq(&r, 1, 0);
    outb(&r, 0x20, 0x80);                   /* rotate in AEOI mode */
    irq(&r, 1, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x09);
    irq(&r, 1, 0);
    irq(&r, 1, 1);
    irq(&r, 5, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x0D);  /* IR1 is the lowest now */
    CHECK_EQ(pic_acknowledge(&r.pic), 0x09);
    irq(&r, 1, 0);
    irq(&r, 5, 0);
    outb(&r, 0x20, 0x00);                   /* rotate in AEOI off */

    /* Special mask mode: the routine masks its own level and lets lower
     * ones in; a non-specific EOI skips the masked ISR bit. */
    bios_init(&r, 0x01, 0x01);
    outb(&r, 0x21, 0x00);
    irq(&r, 3, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x0B);
    irq(&r, 5, 1);
    CHECK_EQ(r.intr, 0);
    outb(&r, 0x21, 0x08);
    outb(&r, 0x20, 0x68);                   /* set special mask */
    CHECK_EQ(r.intr, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x0D);
    CHECK_EQ(read_isr(&r, 0x20), 0x28);
    outb(&r, 0x20, 0x20);                   /* clears IR5, not the masked IR3 */
    CHECK_EQ(read_isr(&r, 0x20), 0x08);
    outb(&r, 0x20, 0x48);                   /* reset special mask */
    outb(&r, 0x21, 0x00);
    outb(&r, 0x20, 0x20);
    CHECK_EQ(read_isr(&r, 0x20), 0x00);
    irq(&r, 3, 0);
    irq(&r, 5, 0);

    /* Poll: the read acknowledges. */
    outb(&r, 0x21, 0xFF);                   /* polled systems mask INT... */
    irq(&r, 6, 1);
    CHECK_EQ(r.intr, 0);
    outb(&r, 0x21, 0x00);
    outb(&r, 0x20, 0x0C);
    CHECK_EQ(inb(&r, 0x20), 0x86);
    CHECK_EQ(read_isr(&r, 0x20), 0x40);
    outb(&r, 0x20, 0x20);
    outb(&r, 0x20, 0x0C);
    CHECK_EQ(inb(&r, 0x21), 0x07);          /* nothing requesting: I = 0 */
    CHECK_EQ(inb(&r, 0x21), 0x00);          /* poll is one read only: IMR again */
    irq(&r, 6, 0);

    /* MCS-80/85 mode (no ICW4): the vector byte is a CALL address byte. */
    outb(&r, 0x20, 0x16);                   /* single, interval 4 */
    outb(&r, 0x21, 0x12);
    outb(&r, 0x21, 0x00);
    irq(&r, 3, 1);
    CHECK_EQ(pic_acknowledge(&r.pic), 0x0C);
}

static void test_linux_init_and_state(void)
{
    struct rig a, b;
    rig_init(&a);
    rig_init(&b);
    /* Linux init_8259A(0). */
    outb(&a, 0x21, 0xFF);
    outb(&a, 0xA1, 0xFF);
    outb(&a, 0x20, 0x11);
    outb(&a, 0x21, 0x30);
    outb(&a, 0x21, 0x04);
    outb(&a, 0x21, 0x01);
    outb(&a, 0xA0, 0x11);
    outb(&a, 0xA1, 0x38);
    outb(&a, 0xA1, 0x02);
    outb(&a, 0xA1, 0x01);
    outb(&a, 0x21, 0xF8);
    outb(&a, 0xA1, 0xEE);
    outb(&a, 0x4D1, 0x08);

    irq(&a, 0, 1);
    irq(&a, 8, 1);
    irq(&a, 11, 1);
    CHECK_EQ(pic_acknowledge(&a.pic), 0x30);
    /* The second instance saw none of it. */
    CHECK_EQ(b.intr, 0);
    CHECK_EQ(read_irr(&b, 0x20), 0x00);
    CHECK_EQ(inb(&b, 0x21), 0x00);

    /* Save, then load into the second machine: same registers, same INTR. */
    struct state_writer w;
    state_writer_init(&w);
    pic_ops.save(&a.pic, &w);
    CHECK(!w.error);
    struct state_reader rd;
    state_reader_init(&rd, w.buf, w.len);
    CHECK_EQ(pic_ops.load(&b.pic, &rd, PIC_STATE_VERSION), 0);
    CHECK_EQ(inb(&b, 0x21), 0xF8);
    CHECK_EQ(inb(&b, 0xA1), 0xEE);
    CHECK_EQ(read_isr(&b, 0x20), 0x01);
    CHECK_EQ(read_irr(&b, 0xA0), 0x09);
    CHECK_EQ(inb(&b, 0x4D1), 0x08);
    CHECK_EQ(b.intr, 0);                    /* IR2 waits behind IR0 in service */
    outb(&b, 0x20, 0x20);
    CHECK_EQ(b.intr, 1);
    CHECK_EQ(pic_acknowledge(&b.pic), 0x38);
    outb(&a, 0x20, 0x20);
    CHECK_EQ(pic_acknowledge(&a.pic), 0x38);  /* both agree */
    CHECK_EQ(a.pic.spurious, b.pic.spurious);

    /* Corrupt and truncated blobs are refused and change nothing. */
    uint8_t bad[64];
    CHECK(w.len <= sizeof(bad));
    memcpy(bad, w.buf, w.len);
    bad[9] = 5;                             /* master init_step out of range */
    state_reader_init(&rd, bad, w.len);
    CHECK_EQ(pic_ops.load(&b.pic, &rd, PIC_STATE_VERSION), -1);
    memcpy(bad, w.buf, w.len);
    bad[15 + 4] = 0x01;                     /* slave ELCR bit 0 does not exist */
    state_reader_init(&rd, bad, w.len);
    CHECK_EQ(pic_ops.load(&b.pic, &rd, PIC_STATE_VERSION), -1);
    state_reader_init(&rd, w.buf, w.len - 3);
    CHECK_EQ(pic_ops.load(&b.pic, &rd, PIC_STATE_VERSION), -1);
    state_reader_init(&rd, w.buf, w.len);
    CHECK_EQ(pic_ops.load(&b.pic, &rd, PIC_STATE_VERSION + 1), -1);
    CHECK_EQ(inb(&b, 0xA1), 0xEE);
    CHECK_EQ(read_isr(&b, 0xA0), 0x01);
    state_writer_free(&w);

    /* Whole-registry save and reset through the device hooks. */
    struct state_writer all;
    state_writer_init(&all);
    device_save_all(&a.reg, &all);
    char why[128];
    state_reader_init(&rd, all.buf, all.len);
    CHECK_EQ(device_load_all(&b.reg, &rd, why, sizeof(why)), 0);
    state_writer_free(&all);
    device_reset_all(&b.reg);
    CHECK_EQ(inb(&b, 0x21), 0x00);
    CHECK_EQ(read_isr(&b, 0x20), 0x00);
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        pic_ops.dump(&a.pic, null);
        fclose(null);
    }
}

int main(void)
{
    test_bios_init_and_basic_cycle();
    test_cascade();
    test_level_and_spurious();
    test_rotation_aeoi_smm_poll();
    test_linux_init_and_state();
    return test_report();
}
