/*
 * The NMOS 6502, one clock cycle at a time.
 *
 * The CPU is a value: its registers plus the state of the instruction in
 * flight.  It knows no memory and no device, only its pins.  Each call of
 * m6502_tick() is one clock cycle:
 *
 *   - it takes the pins as the machine left them: the data bus holds the
 *     byte the previous read cycle returned, and IRQ, NMI and RDY hold the
 *     levels of those inputs;
 *   - it returns the pins of the next bus cycle: the address, R/W (set for
 *     a read), SYNC (set on an opcode fetch) and, for a write, the data.
 *
 * The machine then performs exactly that access (a read puts the byte on
 * the data bus with m6502_set_data(), a write stores m6502_data()) and calls
 * m6502_tick() again.  Every cycle is a bus access, as on the chip: dummy
 * reads (page-crossing fix-ups, the second cycle of implied instructions)
 * and the dummy write of read-modify-write instructions included.
 *
 *   struct m6502 cpu;
 *   m6502_pins pins = m6502_init(&cpu);       // starts the RESET sequence
 *   for (;;) {
 *       pins = m6502_tick(&cpu, pins);
 *       uint16_t addr = m6502_addr(pins);
 *       if (pins & M6502_RW) pins = m6502_set_data(pins, mem[addr]);
 *       else mem[addr] = m6502_data(pins);
 *   }
 *
 * When a tick returns SYNC, the previous instruction has completed: every
 * register holds its result and `pc` is the address being fetched.
 *
 * Interrupts follow the chip: IRQ is a level, polled at the end of each
 * instruction while the I flag is clear; NMI is taken on the edge (the pin
 * going active) and latched until served; BRK, IRQ, NMI and RESET share one
 * seven-cycle sequence (RESET reads where the others push).  RDY low stalls
 * the CPU on read cycles (the read is repeated) and is ignored on writes,
 * as on the NMOS part.
 */
#ifndef TRAPEZE_CPU_M6502_H
#define TRAPEZE_CPU_M6502_H

#include <stddef.h>
#include <stdint.h>

#include "bus/state.h"

typedef uint32_t m6502_pins;

/* Pins.  Bits 0-15: address bus.  Bits 16-23: data bus. */
#define M6502_ADDR_MASK 0x0000FFFFu
#define M6502_DATA_SHIFT 16
#define M6502_DATA_MASK 0x00FF0000u
#define M6502_RW (1u << 24)     /* output: 1 = read cycle, 0 = write cycle */
#define M6502_SYNC (1u << 25)   /* output: this read is an opcode fetch */
#define M6502_JAM (1u << 26)    /* output: a JAM opcode has stopped the CPU */
#define M6502_IRQ (1u << 27)    /* input: /IRQ pulled low (a level) */
#define M6502_NMI (1u << 28)    /* input: /NMI pulled low (the CPU acts on the edge) */
#define M6502_RDY (1u << 29)    /* input: RDY high lets the CPU run; low stalls reads */
#define M6502_INPUTS (M6502_IRQ | M6502_NMI | M6502_RDY)

/* Status register bits. */
#define M6502_C 0x01u   /* carry */
#define M6502_Z 0x02u   /* zero */
#define M6502_I 0x04u   /* IRQ disable */
#define M6502_D 0x08u   /* decimal mode */
#define M6502_B 0x10u   /* only in pushed copies: set by BRK and PHP */
#define M6502_U 0x20u   /* always reads as 1 */
#define M6502_V 0x40u   /* overflow */
#define M6502_N 0x80u   /* negative */

struct m6502 {
    /* Programmer-visible registers.  Bit 5 of p is always 1 and bit 4 (B)
     * always 0: B exists only in the copy BRK and PHP push. */
    uint16_t pc;
    uint8_t a, x, y, s, p;

    /* The instruction in flight. */
    uint8_t ir;         /* opcode */
    uint8_t op;         /* its operation (internal numbering) */
    uint8_t step;       /* micro-step: what the next tick does */
    uint16_t ad;        /* effective address being built */
    uint16_t ba;        /* base address before indexing */
    uint8_t dl;         /* data latch: operand, pointer or RMW value */

    /* Interrupt logic. */
    uint8_t nmi_level;  /* NMI pin as last seen (edge detector) */
    uint8_t nmi_latch;  /* an NMI edge waits to be served */
    uint8_t poll;       /* interrupt wanted, as polled in the previous cycle */
    uint8_t int_kind;   /* the 7-cycle sequence in progress: none, IRQ/NMI, RESET */
    uint8_t reset_req;  /* RESET requested: the next fetch becomes the sequence */
    uint8_t jammed;     /* a JAM opcode stopped the CPU (only RESET leaves) */
};

/* Power-on: registers cleared (S = $00, P = I|U), then the RESET sequence
 * (7 cycles, vector at $FFFC) starts with the first tick.  Returns the pins
 * to give that first tick: RDY high, no interrupt. */
m6502_pins m6502_init(struct m6502 *c);

/* Pull RESET: the next tick starts the RESET sequence, whatever the CPU is
 * doing.  S drops by 3 without writes, I is set, other registers stay. */
void m6502_reset(struct m6502 *c);

/* One clock cycle (see the top of this file). */
m6502_pins m6502_tick(struct m6502 *c, m6502_pins pins);

/* Abandon the instruction in flight and fetch the next opcode at pc (for
 * loaders, debuggers and test harnesses that set registers directly). */
void m6502_jump(struct m6502 *c, uint16_t pc);

/* True when the opcode fetch just issued will be replaced by an interrupt
 * or RESET sequence rather than executed (a machine trapping fetches of
 * particular addresses must not act on it). */
static inline int m6502_fetch_is_interrupt(const struct m6502 *c) { return c->int_kind != 0; }

static inline uint16_t m6502_addr(m6502_pins p) { return (uint16_t)(p & M6502_ADDR_MASK); }
static inline uint8_t m6502_data(m6502_pins p) { return (uint8_t)(p >> M6502_DATA_SHIFT); }
static inline m6502_pins m6502_set_data(m6502_pins p, uint8_t v)
{
    return (p & ~M6502_DATA_MASK) | ((m6502_pins)v << M6502_DATA_SHIFT);
}

/* Versioned state for snapshots (the device registry's "cpu" entry). */
#define M6502_STATE_VERSION 1u
void m6502_save(const struct m6502 *c, struct state_writer *w);
int m6502_load(struct m6502 *c, struct state_reader *r, uint32_t version);

/* Addressing modes, as the disassembler and the opcode table name them. */
enum m6502_mode {
    M6502_IMP,      /* implied:        CLC */
    M6502_ACC,      /* accumulator:    ASL A */
    M6502_IMM,      /* immediate:      LDA #$12 */
    M6502_ZP,       /* zero page:      LDA $12 */
    M6502_ZPX,      /*                 LDA $12,X */
    M6502_ZPY,      /*                 LDX $12,Y */
    M6502_ABS,      /* absolute:       LDA $1234 */
    M6502_ABSX,     /*                 LDA $1234,X */
    M6502_ABSY,     /*                 LDA $1234,Y */
    M6502_IND,      /* indirect:       JMP ($1234) */
    M6502_IZX,      /* (zp,X):         LDA ($12,X) */
    M6502_IZY,      /* (zp),Y:         LDA ($12),Y */
    M6502_REL,      /* relative:       BNE $1234 */
};

struct m6502_opinfo {
    char mnemonic[4];
    uint8_t mode;       /* enum m6502_mode */
    uint8_t op;         /* the operation (internal to the core) */
    uint8_t undocumented;
};

/* Every opcode $00-$FF of the NMOS 6502, documented or not. */
extern const struct m6502_opinfo m6502_opcodes[256];

/* Instruction length in bytes for each addressing mode. */
int m6502_mode_length(enum m6502_mode mode);

#endif
