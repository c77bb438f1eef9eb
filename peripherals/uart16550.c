/*
 * The 16550A UART.  Reference: National Semiconductor / Texas Instruments
 * PC16550D "Universal Asynchronous Receiver/Transmitter with FIFOs"
 * datasheet (SNLS378): Table II (registers), Table IV (interrupt control:
 * priority and reset conditions), sections 8.4 (FIFO interrupt mode
 * operation, character timeout) and 8.6 (MCR, loopback).
 */
#include "peripherals/uart16550.h"

#include <string.h>

#define LSR_ERRORS (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)
#define WARN_DIVISOR 0x01u
#define WARN_TX_FULL 0x02u
#define WARN_READONLY 0x04u

static void warn_once(struct uart16550 *u, uint8_t flag, const char *what)
{
    if (u->warned & flag)
        return;
    u->warned |= flag;
    fprintf(stderr, "trapeze: %s: %s\n", u->name, what);
}

/* ---- FIFOs ----------------------------------------------------------- */

/* In 16450 mode (FCR bit 0 clear) each FIFO is a single holding register. */
static unsigned fifo_cap(const struct uart16550 *u) { return u->r.fifo_enabled ? UART_FIFO_SIZE : 1; }

static void fifo_push(struct uart_fifo *f, uint8_t b)
{
    f->data[(f->head + f->count) % UART_FIFO_SIZE] = b;
    f->count++;
}

static uint8_t fifo_pop(struct uart_fifo *f)
{
    uint8_t b = f->data[f->head];
    f->head = (uint8_t)((f->head + 1) % UART_FIFO_SIZE);
    f->count--;
    return b;
}

static void fifo_clear(struct uart_fifo *f) { f->head = f->count = 0; }

/* ---- Line timing ----------------------------------------------------- */

static unsigned data_bits(const struct uart16550 *u) { return 5u + (u->r.lcr & 3u); }

static uint8_t data_mask(const struct uart16550 *u) { return (uint8_t)((1u << data_bits(u)) - 1u); }

/* Counted in half bits, for the 1.5 stop bits of 5-bit characters.  A bit
 * lasts 16 x divisor crystal cycles. */
cycles_t uart_char_cycles(const struct uart16550 *u)
{
    uint32_t divisor = (uint32_t)u->r.dll | ((uint32_t)u->r.dlm << 8);
    if (divisor == 0)
        divisor = 65536;                    /* the baud counter wraps */
    unsigned half = 2 * (1 + data_bits(u) + ((u->r.lcr & 0x08) ? 1 : 0));
    half += (u->r.lcr & 0x04) ? (data_bits(u) == 5 ? 3 : 4) : 2;
    uint64_t crystal_cycles = (uint64_t)half * 8u * divisor;
    return (cycles_t)(crystal_cycles * u->clock->hz / UART_CRYSTAL_HZ);
}

/* ---- Interrupts (Table IV) ------------------------------------------- */

static int rx_at_trigger(const struct uart16550 *u)
{
    return u->r.fifo_enabled ? u->r.rx.count >= u->r.rx_trigger : u->r.rx.count > 0;
}

/* The highest-priority pending interrupt: line status, received data or
 * character timeout, transmitter empty, modem status. */
static uint8_t pending_id(const struct uart16550 *u)
{
    const struct uart16550_regs *r = &u->r;
    if ((r->ier & UART_IER_RLSI) && (r->lsr & LSR_ERRORS))
        return UART_IIR_RLSI;
    if ((r->ier & UART_IER_RDI) && rx_at_trigger(u))
        return UART_IIR_RDI;
    if ((r->ier & UART_IER_RDI) && r->timeout_pending)
        return UART_IIR_TIMEOUT;
    if ((r->ier & UART_IER_THRI) && r->thre_pending)
        return UART_IIR_THRI;
    if ((r->ier & UART_IER_MSI) && (r->msr & 0x0F))
        return UART_IIR_MSI;
    return UART_IIR_NO_INT;
}

/* On the PC the INTR pin reaches the PIC through a buffer enabled by OUT2;
 * loopback forces the OUT2 pin inactive. */
static void update_irq(struct uart16550 *u)
{
    int out2 = (u->r.mcr & UART_MCR_OUT2) && !(u->r.mcr & UART_MCR_LOOP);
    irq_set(&u->irq, out2 && pending_id(u) != UART_IIR_NO_INT);
}

/* ---- Modem lines ----------------------------------------------------- */

/* In loopback the outputs feed the inputs: RTS->CTS, DTR->DSR, OUT1->RI,
 * OUT2->DCD. */
static uint8_t modem_lines(const struct uart16550 *u)
{
    uint8_t m = u->r.mcr;
    if (!(m & UART_MCR_LOOP))
        return u->r.modem_in;
    return (uint8_t)((m & UART_MCR_RTS ? UART_MSR_CTS : 0) | (m & UART_MCR_DTR ? UART_MSR_DSR : 0) |
                     (m & UART_MCR_OUT1 ? UART_MSR_RI : 0) | (m & UART_MCR_OUT2 ? UART_MSR_DCD : 0));
}

/* The delta bits latch changes until MSR is read; TERI only for RI going
 * inactive. */
static void update_msr(struct uart16550 *u)
{
    uint8_t now = modem_lines(u), was = u->r.msr & 0xF0, changed = now ^ was;
    uint8_t delta = (uint8_t)((changed & UART_MSR_CTS ? UART_MSR_DCTS : 0) |
                              (changed & UART_MSR_DSR ? UART_MSR_DDSR : 0) |
                              (changed & UART_MSR_DCD ? UART_MSR_DDCD : 0) |
                              ((was & UART_MSR_RI) && !(now & UART_MSR_RI) ? UART_MSR_TERI : 0));
    u->r.msr = (uint8_t)(now | (u->r.msr & 0x0F) | delta);
    update_irq(u);
}

/* ---- Receiver -------------------------------------------------------- */

/* The character timeout counts four character times from the last
 * character received or read (section 8.4); only in FIFO mode. */
static void rx_activity(struct uart16550 *u)
{
    if (u->r.fifo_enabled && u->r.rx.count)
        timer_arm(u->clock, &u->rx_timeout, u->clock->now + 4 * uart_char_cycles(u));
    else
        timer_cancel(u->clock, &u->rx_timeout);
}

static void rx_timeout_fire(void *opaque, cycles_t now)
{
    struct uart16550 *u = opaque;
    (void)now;
    if (u->r.fifo_enabled && u->r.rx.count)
        u->r.timeout_pending = 1;
    update_irq(u);
}

/* A character is complete in the receiver.  With no room it is lost and
 * OE set; in 16450 mode it overwrites the unread one in RBR. */
static void rx_char(struct uart16550 *u, uint8_t b)
{
    struct uart16550_regs *r = &u->r;
    b &= data_mask(u);
    if (r->rx.count < fifo_cap(u)) {
        fifo_push(&r->rx, b);
    } else {
        r->lsr |= UART_LSR_OE;
        if (!r->fifo_enabled)
            r->rx.data[r->rx.head] = b;
    }
    rx_activity(u);
    update_irq(u);
}

static int can_take_input(const struct uart16550 *u)
{
    return !(u->r.mcr & UART_MCR_LOOP) && u->r.rx.count < fifo_cap(u);
}

/* Start the next staged character on the line when the receiver can take
 * it: a sender throttled by a full FIFO. */
static void stage_kick(struct uart16550 *u)
{
    if (u->r.stage_count && !timer_armed(&u->rx_arrive) && can_take_input(u))
        timer_arm(u->clock, &u->rx_arrive, u->clock->now + uart_char_cycles(u));
}

static void rx_arrive_fire(void *opaque, cycles_t now)
{
    struct uart16550 *u = opaque;
    struct uart16550_regs *r = &u->r;
    (void)now;
    if (r->stage_count && can_take_input(u)) {
        uint8_t b = r->stage[r->stage_head];
        r->stage_head = (uint8_t)((r->stage_head + 1) % UART_STAGE_SIZE);
        r->stage_count--;
        rx_char(u, b);
    }
    stage_kick(u);
}

size_t uart_receive_room(const struct uart16550 *u) { return UART_STAGE_SIZE - u->r.stage_count; }

size_t uart_receive(struct uart16550 *u, const uint8_t *buf, size_t n)
{
    struct uart16550_regs *r = &u->r;
    size_t taken = 0;
    while (taken < n && r->stage_count < UART_STAGE_SIZE) {
        r->stage[(r->stage_head + r->stage_count) % UART_STAGE_SIZE] = buf[taken++];
        r->stage_count++;
    }
    stage_kick(u);
    return taken;
}

static uint8_t read_rbr(struct uart16550 *u)
{
    struct uart16550_regs *r = &u->r;
    if (r->rx.count)
        r->rbr = fifo_pop(&r->rx);
    r->timeout_pending = 0;
    rx_activity(u);
    stage_kick(u);
    update_irq(u);
    return r->rbr;
}

/* ---- Transmitter ----------------------------------------------------- */

/* Move the next character into the shift register; THRE (and its
 * interrupt) when that empties the holding register or FIFO. */
static void tx_start_next(struct uart16550 *u)
{
    struct uart16550_regs *r = &u->r;
    if (r->tsr_busy || !r->tx.count)
        return;
    if (!r->dll && !r->dlm)
        warn_once(u, WARN_DIVISOR, "divisor latch 0 (taken as 65536)");
    r->tsr = fifo_pop(&r->tx);
    r->tsr_busy = 1;
    timer_arm(u->clock, &u->tx_done, u->clock->now + uart_char_cycles(u));
    if (!r->tx.count)
        r->thre_pending = 1;
}

/* The stop bit is out: the character reaches the backend, or in loopback
 * the receiver (SOUT stays marking). */
static void tx_done_fire(void *opaque, cycles_t now)
{
    struct uart16550 *u = opaque;
    struct uart16550_regs *r = &u->r;
    (void)now;
    uint8_t b = r->tsr & data_mask(u);
    r->tsr_busy = 0;
    if (r->mcr & UART_MCR_LOOP)
        rx_char(u, b);
    else if (u->backend.tx)
        u->backend.tx(u->backend.opaque, b);
    tx_start_next(u);
    update_irq(u);
}

static void write_thr(struct uart16550 *u, uint8_t v)
{
    struct uart16550_regs *r = &u->r;
    if (r->tx.count < fifo_cap(u))
        fifo_push(&r->tx, v);
    else if (!r->fifo_enabled)
        r->tx.data[r->tx.head] = v;         /* 16450: THR overwritten */
    else
        warn_once(u, WARN_TX_FULL, "write to a full transmit FIFO (character lost)");
    r->thre_pending = 0;
    tx_start_next(u);
    update_irq(u);
}

/* ---- Registers ------------------------------------------------------- */

static uint8_t lsr_value(const struct uart16550 *u)
{
    const struct uart16550_regs *r = &u->r;
    uint8_t v = r->lsr & LSR_ERRORS;
    if (r->rx.count)
        v |= UART_LSR_DR;
    if (!r->tx.count)
        v |= (uint8_t)(UART_LSR_THRE | (r->tsr_busy ? 0 : UART_LSR_TEMT));
    return v;
}

static uint8_t read_iir(struct uart16550 *u)
{
    uint8_t id = pending_id(u);
    if (id == UART_IIR_THRI) {              /* reading IIR acknowledges THRE */
        u->r.thre_pending = 0;
        update_irq(u);
    }
    return (uint8_t)(id | (u->r.fifo_enabled ? UART_IIR_FIFO : 0));
}

uint8_t uart16550_read(struct uart16550 *u, unsigned reg)
{
    struct uart16550_regs *r = &u->r;
    int dlab = (r->lcr & UART_LCR_DLAB) != 0;
    switch (reg & 7) {
    case 0: return dlab ? r->dll : read_rbr(u);
    case 1: return dlab ? r->dlm : r->ier;
    case 2: return read_iir(u);
    case 3: return r->lcr;
    case 4: return r->mcr;
    case 5: {
        uint8_t v = lsr_value(u);
        r->lsr &= (uint8_t)~LSR_ERRORS;
        update_irq(u);
        return v;
    }
    case 6: {
        uint8_t v = r->msr;
        r->msr &= 0xF0;
        update_irq(u);
        return v;
    }
    default: return r->scr;
    }
}

/* Enabling ETBEI while the transmitter is empty raises THRE at once. */
static void write_ier(struct uart16550 *u, uint8_t v)
{
    struct uart16550_regs *r = &u->r;
    uint8_t was = r->ier;
    r->ier = v & 0x0F;
    if (!(was & UART_IER_THRI) && (r->ier & UART_IER_THRI) && !r->tx.count)
        r->thre_pending = 1;
    update_irq(u);
}

static void clear_tx_fifo(struct uart16550 *u)
{
    if (u->r.tx.count)
        u->r.thre_pending = 1;
    fifo_clear(&u->r.tx);
}

static void clear_rx_fifo(struct uart16550 *u)
{
    fifo_clear(&u->r.rx);
    u->r.timeout_pending = 0;
    timer_cancel(u->clock, &u->rx_timeout);
}

/* Switching FIFO mode on or off empties both FIFOs; the other bits are
 * only taken while bit 0 is set. */
static void write_fcr(struct uart16550 *u, uint8_t v)
{
    static const uint8_t trigger[4] = { 1, 4, 8, 14 };
    struct uart16550_regs *r = &u->r;
    uint8_t enable = v & UART_FCR_ENABLE;
    if (enable != r->fifo_enabled) {
        clear_rx_fifo(u);
        clear_tx_fifo(u);
        r->fifo_enabled = enable;
    }
    if (enable) {
        if (v & UART_FCR_CLEAR_RX)
            clear_rx_fifo(u);
        if (v & UART_FCR_CLEAR_TX)
            clear_tx_fifo(u);
        r->dma_mode = (v & UART_FCR_DMA) != 0;
        r->rx_trigger = trigger[v >> 6];
    }
    stage_kick(u);
    update_irq(u);
}

static void write_mcr(struct uart16550 *u, uint8_t v)
{
    uint8_t was = u->r.mcr;
    u->r.mcr = v & 0x1F;
    update_msr(u);
    stage_kick(u);
    if (was != u->r.mcr && u->backend.modem_control)
        u->backend.modem_control(u->backend.opaque, u->r.mcr);
}

void uart16550_write(struct uart16550 *u, unsigned reg, uint8_t v)
{
    struct uart16550_regs *r = &u->r;
    int dlab = (r->lcr & UART_LCR_DLAB) != 0;
    switch (reg & 7) {
    case 0:
        if (dlab)
            r->dll = v;
        else
            write_thr(u, v);
        break;
    case 1:
        if (dlab)
            r->dlm = v;
        else
            write_ier(u, v);
        break;
    case 2: write_fcr(u, v); break;
    case 3: r->lcr = v; break;
    case 4: write_mcr(u, v); break;
    case 5: case 6:
        warn_once(u, WARN_READONLY, "write to LSR/MSR (factory test only) ignored");
        break;
    default: r->scr = v; break;
    }
}

void uart_set_modem_inputs(struct uart16550 *u, uint8_t lines)
{
    u->r.modem_in = lines & 0xF0;
    update_msr(u);
}

void uart16550_set_backend(struct uart16550 *u, const struct uart_backend *backend)
{
    if (backend)
        u->backend = *backend;
    else
        memset(&u->backend, 0, sizeof(u->backend));
}

static uint32_t port_read(void *opaque, uint16_t port, int size)
{
    struct uart16550 *u = opaque;
    (void)size;
    return uart16550_read(u, (unsigned)(port - u->base));
}

static void port_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct uart16550 *u = opaque;
    (void)size;
    uart16550_write(u, (unsigned)(port - u->base), (uint8_t)value);
}

/* ---- Device hooks ---------------------------------------------------- */

/* Master reset (datasheet, "UART Reset Configuration").  The divisor latch
 * and scratch register keep their contents. */
static void uart_reset(void *opaque)
{
    struct uart16550 *u = opaque;
    uint8_t dll = u->r.dll, dlm = u->r.dlm, scr = u->r.scr, modem_in = u->r.modem_in;
    timer_cancel(u->clock, &u->tx_done);
    timer_cancel(u->clock, &u->rx_arrive);
    timer_cancel(u->clock, &u->rx_timeout);
    memset(&u->r, 0, sizeof(u->r));
    u->r.dll = dll;
    u->r.dlm = dlm;
    u->r.scr = scr;
    u->r.modem_in = modem_in;
    u->r.rx_trigger = 1;
    u->r.msr = modem_in;
    update_irq(u);
}

static void put_fifo(struct state_writer *w, const struct uart_fifo *f)
{
    state_put_u8(w, f->count);
    for (unsigned i = 0; i < f->count; i++)
        state_put_u8(w, f->data[(f->head + i) % UART_FIFO_SIZE]);
}

static int get_fifo(struct state_reader *r, struct uart_fifo *f)
{
    f->head = 0;
    f->count = state_get_u8(r);
    if (f->count > UART_FIFO_SIZE)
        return -1;
    state_get_bytes(r, f->data, f->count);
    return 0;
}

static void put_timer(struct state_writer *w, const struct timer *t)
{
    state_put_u8(w, (uint8_t)timer_armed(t));
    state_put_u64(w, timer_armed(t) ? t->when : 0);
}

static void uart_save(void *opaque, struct state_writer *w)
{
    const struct uart16550 *u = opaque;
    const struct uart16550_regs *r = &u->r;
    const uint8_t regs[] = { r->ier, r->lcr, r->mcr, r->lsr, r->msr, r->scr, r->dll, r->dlm,
                             r->fifo_enabled, r->dma_mode, r->rx_trigger, r->rbr, r->tsr, r->tsr_busy,
                             r->thre_pending, r->timeout_pending, r->modem_in };
    state_put_bytes(w, regs, sizeof(regs));
    put_fifo(w, &r->rx);
    put_fifo(w, &r->tx);
    state_put_u8(w, r->stage_count);
    for (unsigned i = 0; i < r->stage_count; i++)
        state_put_u8(w, r->stage[(r->stage_head + i) % UART_STAGE_SIZE]);
    put_timer(w, &u->tx_done);
    put_timer(w, &u->rx_arrive);
    put_timer(w, &u->rx_timeout);
}

static int regs_valid(const struct uart16550_regs *r)
{
    int trigger_ok = r->rx_trigger == 1 || r->rx_trigger == 4 || r->rx_trigger == 8 || r->rx_trigger == 14;
    int flags_ok = r->fifo_enabled <= 1 && r->dma_mode <= 1 && r->tsr_busy <= 1 && r->thre_pending <= 1 &&
                   r->timeout_pending <= 1;
    int fit = r->fifo_enabled || (r->rx.count <= 1 && r->tx.count <= 1);
    return trigger_ok && flags_ok && fit && !(r->ier & 0xF0) && !(r->mcr & 0xE0) && !(r->lsr & ~LSR_ERRORS) &&
           !(r->modem_in & 0x0F) && r->stage_count <= UART_STAGE_SIZE;
}

/* Everything is read and checked before anything is replaced. */
static int uart_load(void *opaque, struct state_reader *rd, uint32_t version)
{
    struct uart16550 *u = opaque;
    struct uart16550_regs r;
    uint8_t regs[17], armed[3];
    uint64_t when[3];
    if (version != UART16550_STATE_VERSION)
        return -1;
    memset(&r, 0, sizeof(r));
    state_get_bytes(rd, regs, sizeof(regs));
    r.ier = regs[0], r.lcr = regs[1], r.mcr = regs[2], r.lsr = regs[3], r.msr = regs[4], r.scr = regs[5];
    r.dll = regs[6], r.dlm = regs[7], r.fifo_enabled = regs[8], r.dma_mode = regs[9];
    r.rx_trigger = regs[10], r.rbr = regs[11], r.tsr = regs[12], r.tsr_busy = regs[13];
    r.thre_pending = regs[14], r.timeout_pending = regs[15], r.modem_in = regs[16];
    int bad = get_fifo(rd, &r.rx) | get_fifo(rd, &r.tx);
    r.stage_count = state_get_u8(rd);
    if (r.stage_count > UART_STAGE_SIZE)
        return -1;
    state_get_bytes(rd, r.stage, r.stage_count);
    for (int i = 0; i < 3; i++) {
        armed[i] = state_get_u8(rd);
        when[i] = state_get_u64(rd);
        bad |= armed[i] > 1;
    }
    if (rd->error || bad || rd->pos != rd->len || !regs_valid(&r))
        return -1;
    u->r = r;
    struct timer *t[3] = { &u->tx_done, &u->rx_arrive, &u->rx_timeout };
    for (int i = 0; i < 3; i++) {
        if (armed[i])
            timer_arm(u->clock, t[i], when[i]);
        else
            timer_cancel(u->clock, t[i]);
    }
    update_irq(u);
    return 0;
}

static void uart_dump(void *opaque, FILE *out)
{
    struct uart16550 *u = opaque;
    const struct uart16550_regs *r = &u->r;
    unsigned divisor = (unsigned)r->dll | ((unsigned)r->dlm << 8);
    static const char parity[8] = { 'N', 'O', 'N', 'E', 'N', 'M', 'N', 'S' };   /* by LCR bits 3-5 */
    fprintf(out, "%s: %u baud %u%c%s, IER %02x, IIR %02x, LCR %02x, MCR %02x, LSR %02x, MSR %02x, SCR %02x\n",
            u->name, divisor ? UART_CRYSTAL_HZ / 16u / divisor : 0u, data_bits(u),
            parity[(r->lcr >> 3) & 7], (r->lcr & 4) ? "2" : "1", r->ier,
            pending_id(u) | (r->fifo_enabled ? UART_IIR_FIFO : 0), r->lcr, r->mcr, lsr_value(u), r->msr, r->scr);
    fprintf(out, "  FIFOs %s (trigger %u): %u received, %u to send%s, %u waiting on the line; IRQ %s\n",
            r->fifo_enabled ? "on" : "off", r->rx_trigger, (unsigned)r->rx.count, (unsigned)r->tx.count,
            r->tsr_busy ? " + 1 shifting" : "", (unsigned)r->stage_count, u->irq.level ? "high" : "low");
}

const struct device_ops uart16550_ops = {
    .name = "uart16550",
    .version = UART16550_STATE_VERSION,
    .reset = uart_reset,
    .save = uart_save,
    .load = uart_load,
    .dump = uart_dump,
};

int uart16550_init(struct uart16550 *u, uint16_t base, struct clock *clock, struct portio *io,
                   struct device_registry *reg)
{
    memset(u, 0, sizeof(*u));
    u->clock = clock;
    u->base = base;
    snprintf(u->name, sizeof(u->name), "uart@%x", base);
    timer_init(&u->tx_done, "uart-tx", tx_done_fire, u);
    timer_init(&u->rx_arrive, "uart-rx", rx_arrive_fire, u);
    timer_init(&u->rx_timeout, "uart-timeout", rx_timeout_fire, u);
    u->r.dll = 1;                           /* power-on: 115200 baud, until programmed */
    uart_reset(u);
    if (portio_register(io, base, 8, PORTIO_SIZE_8, port_read, port_write, u, u->name) != 0)
        return -1;
    return device_register_named(reg, &uart16550_ops, u, u->name);
}
