/* The 16550A UART: probed and programmed the way Linux's 8250 driver does
 * it, FIFO trigger and timeout interrupts, loopback, baud timing on the
 * cycle clock, THRE semantics, snapshots, two ports side by side. */
#include <stdlib.h>
#include <string.h>

#include "peripherals/uart16550.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

#define HZ (UART_CRYSTAL_HZ * 10ull)        /* 10 cycles per crystal cycle */
#define COM1 0x3F8
#define COM2 0x2F8

struct rig {
    struct clock clock;
    struct portio io;
    struct device_registry reg;
    struct uart16550 com1, com2;
    int irq4, irq3;
    uint8_t out[512];
    cycles_t out_at[512];
    int nout, nout2;
    uint8_t mcr_seen;
    int mcr_calls;
};

static void sink(void *opaque, int pin, int level)
{
    struct rig *r = opaque;
    if (pin == 4)
        r->irq4 = level;
    else
        r->irq3 = level;
}

static void tx1(void *opaque, uint8_t b)
{
    struct rig *r = opaque;
    if (r->nout < 512) {
        r->out_at[r->nout] = r->clock.now;
        r->out[r->nout++] = b;
    }
}

static void tx2(void *opaque, uint8_t b)
{
    struct rig *r = opaque;
    (void)b;
    r->nout2++;
}

static void modem(void *opaque, uint8_t mcr)
{
    struct rig *r = opaque;
    r->mcr_seen = mcr;
    r->mcr_calls++;
}

static struct rig *rig_new(void)
{
    struct rig *r = calloc(1, sizeof(*r));
    clock_init(&r->clock, HZ);
    portio_init(&r->io);
    device_registry_init(&r->reg);
    CHECK_EQ(uart16550_init(&r->com1, COM1, &r->clock, &r->io, &r->reg), 0);
    CHECK_EQ(uart16550_init(&r->com2, COM2, &r->clock, &r->io, &r->reg), 0);
    irq_connect(&r->com1.irq, sink, r, 4);
    irq_connect(&r->com2.irq, sink, r, 3);
    struct uart_backend b1 = { tx1, modem, r }, b2 = { tx2, NULL, r };
    uart16550_set_backend(&r->com1, &b1);
    uart16550_set_backend(&r->com2, &b2);
    return r;
}

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

static uint8_t in(struct rig *r, unsigned reg) { return (uint8_t)portio_read(&r->io, (uint16_t)(COM1 + reg), 1); }
static void out(struct rig *r, unsigned reg, uint8_t v) { portio_write(&r->io, (uint16_t)(COM1 + reg), v, 1); }

enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

static void set_baud(struct rig *r, unsigned divisor, uint8_t lcr)
{
    out(r, LCR, (uint8_t)(lcr | UART_LCR_DLAB));
    out(r, DLL, (uint8_t)divisor);
    out(r, DLM, (uint8_t)(divisor >> 8));
    out(r, LCR, lcr);
}

/* Linux 8250: autoconfig() and autoconfig_16550a(), then size_fifo(). */
static void test_linux_probe(void)
{
    struct rig *r = rig_new();
    uint8_t scratch = in(r, IER);
    out(r, IER, 0);
    CHECK_EQ(in(r, IER) & 0x0F, 0);
    out(r, IER, 0x0F);
    CHECK_EQ(in(r, IER) & 0x0F, 0x0F);
    out(r, IER, scratch);
    uint8_t save_mcr = in(r, MCR);
    out(r, MCR, UART_MCR_LOOP | 0x0A);
    CHECK_EQ(in(r, MSR) & 0xF0, 0x90);
    out(r, MCR, save_mcr);
    out(r, LCR, 0xBF);
    out(r, 2, 0);                                   /* "EFR": the FCR on a 16550A */
    out(r, LCR, 0);
    out(r, FCR, UART_FCR_ENABLE);
    CHECK_EQ(in(r, IIR) >> 6, 3);                   /* FIFOs: a 16550A */
    out(r, LCR, 0x80);
    CHECK(in(r, 2) != 0);                           /* no EFR behind DLAB */
    out(r, LCR, 0xBF);
    CHECK(in(r, 2) != 0);
    out(r, LCR, 0);
    uint8_t s1 = in(r, MCR);
    out(r, LCR, 0xE0);
    uint8_t s2 = in(r, 2);
    CHECK(!((s1 ^ s2) & UART_MCR_LOOP));           /* not a National SuperIO */
    out(r, LCR, 0);
    out(r, FCR, UART_FCR_ENABLE | 0x20);
    CHECK_EQ(in(r, IIR) >> 5, 6);                   /* not a 16750 */
    out(r, FCR, UART_FCR_ENABLE);
    out(r, LCR, 0x80);
    out(r, FCR, UART_FCR_ENABLE | 0x20);
    CHECK_EQ(in(r, IIR) >> 5, 6);
    out(r, FCR, UART_FCR_ENABLE);
    out(r, LCR, 0);
    out(r, IER, 0x40);                              /* no UUE bit: not an XScale */
    CHECK_EQ(in(r, IER) & 0x40, 0);
    out(r, IER, 0);

    /* size_fifo: 256 bytes through loopback at 115200 baud, count what
     * arrived after 20 ms. */
    out(r, FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX);
    out(r, MCR, UART_MCR_LOOP);
    set_baud(r, 1, 0x03);
    for (int i = 0; i < 256; i++)
        out(r, THR, (uint8_t)i);
    advance(r, HZ / 50);
    int count = 0;
    while ((in(r, LSR) & UART_LSR_DR) && count < 256) {
        CHECK_EQ(in(r, RBR), count);
        count++;
    }
    CHECK_EQ(count, 16);
    CHECK_EQ(r->nout, 0);                           /* loopback: nothing on the wire */
    out(r, MCR, save_mcr);
    free(r);
}

/* serial8250_do_startup(): clear, the THRE re-assertion tests, enable. */
static void test_linux_startup(void)
{
    struct rig *r = rig_new();
    out(r, FCR, UART_FCR_ENABLE);
    out(r, FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX);
    out(r, FCR, 0);
    in(r, LSR);
    in(r, RBR);
    in(r, IIR);
    in(r, MSR);
    CHECK(in(r, LSR) != 0xFF);
    out(r, LCR, 0x03);
    out(r, MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
    CHECK_EQ(r->mcr_seen, 0x0B);
    CHECK(!r->irq4);
    /* THRE must assert when ETBEI is enabled with the transmitter idle, and
     * again after IER is cleared and set (UART_BUG_THRE test). */
    CHECK(in(r, LSR) & UART_LSR_THRE);
    out(r, IER, UART_IER_THRI);
    CHECK(r->irq4);
    CHECK_EQ(in(r, IIR), UART_IIR_THRI);
    CHECK(!r->irq4);                                /* the IIR read acknowledged it */
    CHECK_EQ(in(r, IIR), UART_IIR_NO_INT);
    out(r, IER, 0);
    out(r, IER, UART_IER_THRI);
    CHECK_EQ(in(r, IIR), UART_IIR_THRI);
    out(r, IER, 0);
    out(r, IER, UART_IER_THRI);                     /* UART_BUG_TXEN test */
    CHECK(in(r, LSR) & UART_LSR_TEMT);
    CHECK(!(in(r, IIR) & UART_IIR_NO_INT));
    out(r, IER, 0);
    CHECK(!r->irq4);
    out(r, IER, UART_IER_RLSI | UART_IER_RDI);
    /* set_termios: 115200 8N1, FIFO trigger 8. */
    set_baud(r, 1, 0x03);
    out(r, FCR, 0x81);
    CHECK_EQ(in(r, IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
    CHECK_EQ(r->com1.r.rx_trigger, 8);

    /* A console write: poll LSR for THRE|TEMT, one character at a time. */
    const char *msg = "ok\n";
    for (const char *p = msg; *p; p++) {
        int spins = 0;
        while ((in(r, LSR) & (UART_LSR_THRE | UART_LSR_TEMT)) != (UART_LSR_THRE | UART_LSR_TEMT) && spins++ < 1000)
            advance(r, 100);
        out(r, THR, (uint8_t)*p);
    }
    advance(r, uart_char_cycles(&r->com1));
    CHECK_EQ(r->nout, 3);
    CHECK(memcmp(r->out, "ok\n", 3) == 0);
    free(r);
}

static void test_baud_timing(void)
{
    struct rig *r = rig_new();
    out(r, FCR, UART_FCR_ENABLE);
    set_baud(r, 12, 0x03);                          /* 9600 8N1: 10 bits x 16 x 12 */
    CHECK_EQ(uart_char_cycles(&r->com1), 10u * 16u * 12u * 10u);
    cycles_t t0 = r->clock.now;
    out(r, THR, 'A');
    CHECK_EQ(in(r, LSR) & (UART_LSR_THRE | UART_LSR_TEMT), UART_LSR_THRE);   /* shifting */
    advance(r, 19200 - 1);
    CHECK_EQ(r->nout, 0);
    advance(r, 1);
    CHECK_EQ(r->nout, 1);
    CHECK_EQ(r->out_at[0] - t0, 19200);
    CHECK_EQ(in(r, LSR) & (UART_LSR_THRE | UART_LSR_TEMT), UART_LSR_THRE | UART_LSR_TEMT);
    /* Back-to-back through the FIFO: one character time apart. */
    for (int i = 0; i < 3; i++)
        out(r, THR, (uint8_t)('a' + i));
    CHECK(!(in(r, LSR) & UART_LSR_THRE));
    advance(r, 3 * 19200);
    CHECK_EQ(r->nout, 4);
    CHECK_EQ(r->out_at[3] - r->out_at[1], 2 * 19200);
    /* 7 data bits, even parity, 2 stop bits: 11 bits; the top bit is not sent. */
    set_baud(r, 12, 0x02 | 0x04 | 0x08 | 0x10);
    CHECK_EQ(uart_char_cycles(&r->com1), 11u * 16u * 12u * 10u);
    out(r, THR, 0xC1);
    advance(r, 11u * 16u * 12u * 10u);
    CHECK_EQ(r->nout, 5);
    CHECK_EQ(r->out[4], 0x41);
    /* 5 data bits and 1.5 stop bits: 7.5 bits.  115200 baud, 8N1: 868 us / 10. */
    set_baud(r, 12, 0x04);
    CHECK_EQ(uart_char_cycles(&r->com1), 15u * 8u * 12u * 10u);
    set_baud(r, 1, 0x03);
    CHECK_EQ(uart_char_cycles(&r->com1), 1600u);
    free(r);
}

static void test_rx_fifo(void)
{
    struct rig *r = rig_new();
    set_baud(r, 1, 0x03);
    cycles_t ch = uart_char_cycles(&r->com1);
    out(r, FCR, 0x81);                              /* trigger level 8 */
    out(r, MCR, UART_MCR_OUT2);
    out(r, IER, UART_IER_RDI);
    const uint8_t in5[5] = { 'h', 'e', 'l', 'l', 'o' };
    CHECK_EQ(uart_receive(&r->com1, in5, 5), 5);
    advance(r, 5 * ch - 1);
    CHECK_EQ(r->com1.r.rx.count, 4);
    advance(r, 1);
    CHECK(in(r, LSR) & UART_LSR_DR);
    CHECK_EQ(in(r, IIR), UART_IIR_FIFO | UART_IIR_NO_INT);   /* below the trigger */
    CHECK(!r->irq4);
    /* Character timeout: four character times with no FIFO activity. */
    advance(r, 4 * ch - 1);
    CHECK(!r->irq4);
    advance(r, 1);
    CHECK(r->irq4);
    CHECK_EQ(in(r, IIR), UART_IIR_FIFO | UART_IIR_TIMEOUT);
    CHECK_EQ(in(r, RBR), 'h');                      /* reading clears it and restarts the count */
    CHECK(!r->irq4);
    advance(r, 4 * ch);
    CHECK_EQ(in(r, IIR), UART_IIR_FIFO | UART_IIR_TIMEOUT);
    for (int i = 1; i < 5; i++)
        CHECK_EQ(in(r, RBR), in5[i]);
    CHECK_EQ(in(r, IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
    advance(r, 8 * ch);
    CHECK(!r->irq4);                                /* empty FIFO: no timeout */

    /* The trigger level: the 8th character raises RDA, the 7th does not. */
    uint8_t many[100];
    for (int i = 0; i < 100; i++)
        many[i] = (uint8_t)i;
    CHECK_EQ(uart_receive(&r->com1, many, 100), UART_STAGE_SIZE);
    advance(r, 7 * ch);
    CHECK(!r->irq4);
    advance(r, ch);
    CHECK(r->irq4);
    CHECK_EQ(in(r, IIR), UART_IIR_FIFO | UART_IIR_RDI);
    CHECK_EQ(in(r, RBR), 0);
    CHECK(!r->irq4);                                /* 7 left: below the trigger */
    /* Nobody reads: the FIFO fills and the sender waits; nothing is lost. */
    advance(r, 40 * ch);
    CHECK_EQ(r->com1.r.rx.count, 16);
    CHECK(!(in(r, LSR) & UART_LSR_OE));
    size_t got = 1, offered = 0, left = 100 - (size_t)UART_STAGE_SIZE;
    for (int spin = 0; spin < 1000 && got < 100; spin++) {
        while ((in(r, LSR) & UART_LSR_DR) && got < 100) {
            CHECK_EQ(in(r, RBR), got);
            got++;
        }
        if (offered < left)
            offered += uart_receive(&r->com1, many + UART_STAGE_SIZE + offered, left - offered);
        advance(r, ch);
    }
    CHECK_EQ(got, 100);
    free(r);
}

static void test_loopback(void)
{
    struct rig *r = rig_new();
    set_baud(r, 1, 0x03);
    out(r, FCR, UART_FCR_ENABLE);
    in(r, MSR);
    out(r, MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS | UART_MCR_DTR | UART_MCR_OUT1);
    uint8_t msr = in(r, MSR);
    CHECK_EQ(msr & 0xF0, 0xF0);
    CHECK_EQ(msr & 0x0F, UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
    CHECK_EQ(in(r, MSR) & 0x0F, 0);                 /* reading cleared the deltas */
    out(r, IER, UART_IER_RDI | UART_IER_MSI | UART_IER_RLSI);
    out(r, THR, 'x');
    advance(r, uart_char_cycles(&r->com1));
    CHECK_EQ(in(r, IIR), UART_IIR_FIFO | UART_IIR_RDI);
    CHECK(!r->irq4);                                /* OUT2 pin forced off in loopback */
    CHECK_EQ(in(r, RBR), 'x');
    CHECK_EQ(r->nout, 0);
    /* Modem-status interrupt from MCR; TERI on OUT1 (RI) going inactive. */
    out(r, MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_DTR);
    CHECK_EQ(in(r, IIR), UART_IIR_FIFO | UART_IIR_MSI);
    msr = in(r, MSR);
    CHECK_EQ(msr & 0x0F, UART_MSR_DCTS | UART_MSR_TERI);
    CHECK_EQ(msr & 0xF0, UART_MSR_DSR | UART_MSR_DCD);
    CHECK_EQ(in(r, IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
    /* Overrun: 16 in the FIFO, the 17th is lost and OE raises line status. */
    for (int i = 0; i < 17; i++)
        out(r, THR, (uint8_t)i);
    advance(r, 17 * uart_char_cycles(&r->com1));
    CHECK_EQ(in(r, IIR), UART_IIR_FIFO | UART_IIR_RLSI);
    CHECK_EQ(in(r, LSR) & (UART_LSR_OE | UART_LSR_DR), UART_LSR_OE | UART_LSR_DR);
    CHECK_EQ(in(r, IIR), UART_IIR_FIFO | UART_IIR_RDI);     /* LSR read cleared OE */
    /* Leaving loopback: the same pending interrupt now reaches the PIC. */
    out(r, MCR, UART_MCR_OUT2);
    CHECK(r->irq4);
    for (int i = 0; i < 16; i++)
        CHECK_EQ(in(r, RBR), i);
    in(r, MSR);
    CHECK(!r->irq4);
    /* Modem inputs from the backend outside loopback. */
    uart_set_modem_inputs(&r->com1, UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
    CHECK(r->irq4);
    CHECK_EQ(in(r, MSR), 0xB0 | UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
    CHECK(!r->irq4);
    free(r);
}

static void test_thre_and_priority(void)
{
    struct rig *r = rig_new();
    set_baud(r, 1, 0x03);
    cycles_t ch = uart_char_cycles(&r->com1);
    out(r, FCR, UART_FCR_ENABLE);
    out(r, MCR, UART_MCR_OUT2);
    out(r, IER, UART_IER_THRI);
    CHECK_EQ(in(r, IIR), UART_IIR_FIFO | UART_IIR_THRI);
    CHECK(!r->irq4);
    out(r, THR, '1');                               /* straight into the shift register */
    out(r, THR, '2');                               /* waits in the FIFO */
    CHECK(!r->irq4);
    advance(r, ch - 1);
    CHECK(!r->irq4);
    advance(r, 1);                                  /* '2' moves on: FIFO empty, THRE */
    CHECK(r->irq4);
    CHECK_EQ(in(r, IIR), UART_IIR_FIFO | UART_IIR_THRI);
    CHECK(!r->irq4);
    out(r, THR, '3');
    out(r, THR, '4');
    CHECK(!r->irq4);                                /* writing THR clears THRE */
    advance(r, 3 * ch);
    CHECK(r->irq4);
    CHECK_EQ(r->nout, 4);
    /* Priority: line status > received data > THRE > modem status. */
    out(r, IER, 0x0F);
    uart_set_modem_inputs(&r->com1, UART_MSR_CTS);
    out(r, MCR, UART_MCR_OUT2 | UART_MCR_LOOP);
    for (int i = 0; i < 17; i++)
        out(r, THR, (uint8_t)i);
    advance(r, 18 * ch);
    out(r, MCR, UART_MCR_OUT2);
    CHECK_EQ(in(r, IIR) & 0x0F, UART_IIR_RLSI);
    in(r, LSR);
    CHECK_EQ(in(r, IIR) & 0x0F, UART_IIR_RDI);
    out(r, FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX);
    CHECK_EQ(in(r, IIR) & 0x0F, UART_IIR_THRI);
    CHECK_EQ(in(r, IIR) & 0x0F, UART_IIR_MSI);
    in(r, MSR);
    CHECK_EQ(in(r, IIR) & 0x0F, UART_IIR_NO_INT);
    CHECK(!r->irq4);
    /* OUT2 gates the line on the PC. */
    out(r, IER, 0);
    out(r, IER, UART_IER_THRI);
    CHECK(r->irq4);
    out(r, MCR, 0);
    CHECK(!r->irq4);
    CHECK_EQ(in(r, IIR) & 0x0F, UART_IIR_THRI);
    /* 16450 mode: a one-byte THR and RBR, no FIFO bits in IIR. */
    out(r, FCR, 0);
    CHECK_EQ(in(r, IIR) & 0xC0, 0);
    free(r);
}

static void test_save_load(void)
{
    struct rig *a = rig_new(), *b = rig_new();
    set_baud(a, 3, 0x03);
    out(a, FCR, 0x41);
    out(a, MCR, UART_MCR_OUT2 | UART_MCR_DTR);
    out(a, IER, UART_IER_RDI | UART_IER_THRI);
    out(a, SCR, 0x5A);
    const char *msg = "snapshot";
    for (int i = 0; i < 8; i++)
        out(a, THR, (uint8_t)msg[i]);
    uint8_t data[20];
    for (int i = 0; i < 20; i++)
        data[i] = (uint8_t)(0x40 + i);
    uart_receive(&a->com1, data, 20);
    advance(a, 3 * uart_char_cycles(&a->com1) + 17);

    struct state_writer w;
    state_writer_init(&w);
    device_save_all(&a->reg, &w);
    CHECK(!w.error);
    b->clock.now = a->clock.now;
    struct state_reader rd;
    char why[128];
    state_reader_init(&rd, w.buf, w.len);
    CHECK_EQ(device_load_all(&b->reg, &rd, why, sizeof(why)), 0);
    CHECK_EQ(b->irq4, a->irq4);
    advance(a, 40 * uart_char_cycles(&a->com1));
    advance(b, 40 * uart_char_cycles(&b->com1));
    CHECK_EQ(a->nout - 3, b->nout);
    CHECK(memcmp(a->out + 3, b->out, (size_t)b->nout) == 0);
    CHECK(memcmp(a->out_at + 3, b->out_at, sizeof(cycles_t) * (size_t)b->nout) == 0);
    for (int i = 0; i < 20; i++) {
        uint8_t x = (uint8_t)portio_read(&a->io, COM1, 1), y = (uint8_t)portio_read(&b->io, COM1, 1);
        CHECK_EQ(x, y);
    }
    CHECK_EQ(portio_read(&b->io, COM1 + 7, 1), 0x5A);

    /* Corrupt or foreign blobs are refused without touching the port. */
    struct state_writer one;
    state_writer_init(&one);
    uart16550_ops.save(&a->com1, &one);
    uint8_t *bad = malloc(one.len);
    struct { size_t off; uint8_t val; } corrupt[] = {
        { 10, 3 },                                  /* trigger level 3 */
        { 0, 0x10 },                                /* IER bit 4 */
        { 17, 17 },                                 /* RX FIFO holding 17 */
    };
    uint8_t ier_before = b->com1.r.ier;
    for (size_t i = 0; i < sizeof(corrupt) / sizeof(corrupt[0]); i++) {
        memcpy(bad, one.buf, one.len);
        bad[corrupt[i].off] = corrupt[i].val;
        state_reader_init(&rd, bad, one.len);
        CHECK_EQ(uart16550_ops.load(&b->com1, &rd, UART16550_STATE_VERSION), -1);
        CHECK_EQ(b->com1.r.ier, ier_before);
    }
    state_reader_init(&rd, one.buf, one.len - 1);
    CHECK_EQ(uart16550_ops.load(&b->com1, &rd, UART16550_STATE_VERSION), -1);
    state_reader_init(&rd, one.buf, one.len);
    CHECK_EQ(uart16550_ops.load(&b->com1, &rd, 99), -1);
    state_reader_init(&rd, one.buf, one.len);
    CHECK_EQ(uart16550_ops.load(&b->com1, &rd, UART16550_STATE_VERSION), 0);

    /* COM2 is its own port with its own line and backend. */
    portio_write(&a->io, COM2 + 4, UART_MCR_OUT2, 1);
    portio_write(&a->io, COM2 + 1, UART_IER_THRI, 1);
    CHECK(a->irq3);
    portio_write(&a->io, COM2, 'z', 1);
    advance(a, uart_char_cycles(&a->com2));
    CHECK_EQ(a->nout2, 1);
    CHECK(device_find(&a->reg, "uart@2f8") != NULL);
    FILE *f = tmpfile();
    if (f) {
        uart16550_ops.dump(&a->com1, f);
        CHECK(ftell(f) > 80);
        fclose(f);
    }
    free(bad);
    state_writer_free(&one);
    state_writer_free(&w);
    free(a);
    free(b);
}

int main(void)
{
    test_linux_probe();
    test_linux_startup();
    test_baud_timing();
    test_rx_fifo();
    test_loopback();
    test_thre_and_priority();
    test_save_load();
    return test_report();
}
