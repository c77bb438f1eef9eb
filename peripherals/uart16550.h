/*
 * The 16550A UART (National Semiconductor / TI PC16550D), as on a PC's
 * COM ports: COM1 at 0x3F8 on IRQ4, COM2 at 0x2F8 on IRQ3.
 *
 *   base+0  RBR (read) / THR (write); DLL when LCR bit 7 (DLAB) is set
 *   base+1  IER; DLM when DLAB is set
 *   base+2  IIR (read) / FCR (write)
 *   base+3  LCR      base+4  MCR      base+5  LSR      base+6  MSR
 *   base+7  SCR
 *
 * Time: a character occupies the line for (start + data + parity + stop)
 * bits of 16 x divisor cycles of the 1.8432 MHz crystal, converted to the
 * machine's cycle clock.  The transmitter hands each character to the
 * backend when its last stop bit has gone; the receiver takes one
 * character from the backend per character time.  Input the RX FIFO has no
 * room for waits in the line (a small staging buffer), so nothing the
 * frontend offers is lost; uart_receive() says how much it took.
 *
 * The interrupt output is gated by MCR OUT2, as the PC's board wires it,
 * and loopback (MCR bit 4) forces OUT2 inactive, so a PC sees no interrupt
 * from a UART in loopback (PC16550D datasheet, MCR bit 4).  The board
 * connects `irq` with irq_connect().
 */
#ifndef TRAPEZE_PERIPHERALS_UART16550_H
#define TRAPEZE_PERIPHERALS_UART16550_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bus/clock.h"
#include "bus/device.h"
#include "bus/irq.h"
#include "bus/portio.h"

#define UART_CRYSTAL_HZ 1843200u
#define UART_FIFO_SIZE 16
#define UART_STAGE_SIZE 64          /* input waiting "in the line" */

/* Register bits (PC16550D datasheet, Table II). */
#define UART_IER_RDI 0x01u          /* received data available (and timeout) */
#define UART_IER_THRI 0x02u         /* transmitter holding register empty */
#define UART_IER_RLSI 0x04u         /* receiver line status */
#define UART_IER_MSI 0x08u          /* modem status */
#define UART_IIR_NO_INT 0x01u
#define UART_IIR_MSI 0x00u
#define UART_IIR_THRI 0x02u
#define UART_IIR_RDI 0x04u
#define UART_IIR_RLSI 0x06u
#define UART_IIR_TIMEOUT 0x0Cu
#define UART_IIR_FIFO 0xC0u         /* FIFOs enabled */
#define UART_FCR_ENABLE 0x01u
#define UART_FCR_CLEAR_RX 0x02u
#define UART_FCR_CLEAR_TX 0x04u
#define UART_FCR_DMA 0x08u
#define UART_LCR_DLAB 0x80u
#define UART_LCR_BREAK 0x40u
#define UART_MCR_DTR 0x01u
#define UART_MCR_RTS 0x02u
#define UART_MCR_OUT1 0x04u
#define UART_MCR_OUT2 0x08u
#define UART_MCR_LOOP 0x10u
#define UART_LSR_DR 0x01u
#define UART_LSR_OE 0x02u
#define UART_LSR_PE 0x04u
#define UART_LSR_FE 0x08u
#define UART_LSR_BI 0x10u
#define UART_LSR_THRE 0x20u
#define UART_LSR_TEMT 0x40u
#define UART_LSR_FIFOERR 0x80u
#define UART_MSR_DCTS 0x01u
#define UART_MSR_DDSR 0x02u
#define UART_MSR_TERI 0x04u
#define UART_MSR_DDCD 0x08u
#define UART_MSR_CTS 0x10u
#define UART_MSR_DSR 0x20u
#define UART_MSR_RI 0x40u
#define UART_MSR_DCD 0x80u

/* Where characters go, supplied by the frontend (frontends/serial_backend.h
 * has one for stdio and files).  Any hook may be NULL. */
struct uart_backend {
    void (*tx)(void *opaque, uint8_t b);                /* a character was sent */
    void (*modem_control)(void *opaque, uint8_t mcr);   /* DTR/RTS/OUT1/OUT2 changed */
    void *opaque;
};

struct uart_fifo {
    uint8_t data[UART_FIFO_SIZE];
    uint8_t head, count;
};

/* The registers and line state (no timers: a load is checked whole first). */
struct uart16550_regs {
    uint8_t ier, lcr, mcr, lsr, msr, scr, dll, dlm;
    uint8_t fifo_enabled, dma_mode, rx_trigger;     /* from FCR; trigger in bytes */
    struct uart_fifo rx, tx;
    uint8_t rbr;                /* the last character read, for reads of an empty RBR */
    uint8_t tsr;                /* the character being shifted out */
    uint8_t tsr_busy;
    uint8_t thre_pending;       /* THRE interrupt latched, cleared by IIR read or THR write */
    uint8_t timeout_pending;    /* character timeout latched */
    uint8_t modem_in;           /* CTS/DSR/RI/DCD from the backend, MSR bit positions */
    uint8_t stage[UART_STAGE_SIZE];
    uint8_t stage_head, stage_count;
};

struct uart16550 {
    struct clock *clock;
    struct irq_line irq;
    struct uart_backend backend;
    uint16_t base;
    struct uart16550_regs r;
    struct timer tx_done;       /* the character in the TSR has been sent */
    struct timer rx_arrive;     /* the next staged character is in */
    struct timer rx_timeout;    /* four character times without FIFO activity */
    uint8_t warned;
    char name[16];
};

/* Registers ports base..base+7 and a device named "uart@<base>". */
int uart16550_init(struct uart16550 *u, uint16_t base, struct clock *clock, struct portio *io,
                   struct device_registry *reg);
void uart16550_set_backend(struct uart16550 *u, const struct uart_backend *backend);

/* Input from the frontend: returns how many bytes were taken (the rest must
 * be offered again later).  They arrive one character time apart. */
size_t uart_receive(struct uart16550 *u, const uint8_t *buf, size_t n);
/* Room for input right now. */
size_t uart_receive_room(const struct uart16550 *u);
/* The modem inputs, as MSR bits 4-7 (UART_MSR_CTS | DSR | RI | DCD). */
void uart_set_modem_inputs(struct uart16550 *u, uint8_t lines);

/* One character time in cycles at the current divisor and line format. */
cycles_t uart_char_cycles(const struct uart16550 *u);

uint8_t uart16550_read(struct uart16550 *u, unsigned reg);
void uart16550_write(struct uart16550 *u, unsigned reg, uint8_t v);

#define UART16550_STATE_VERSION 1u
extern const struct device_ops uart16550_ops;

#endif
