/*
 * The cycle-stepped NMOS 6502: the tick itself, as a static inline
 * function.  cpu/m6502/m6502.c exports it as m6502_tick(); a machine whose
 * cycle loop is hot may include this header and call m6502_core_tick()
 * directly so the compiler can inline it (same behaviour, same state).
 * Everything else here is internal to the core.
 *
 * An instruction is a chain of micro-steps.  Each tick runs one step: it
 * takes the byte the previous bus cycle read (if that was a read) and
 * issues the next bus cycle.  Addressing modes are shared chains that end
 * in one of three access patterns, chosen by the operation:
 *
 *   read   (LDA, ADC, CMP, ...):   read the operand, then use it
 *   write  (STA, SAX, ...):        write the operand address once
 *   rmw    (INC, ASL, DCP, ...):   read it, write it back unchanged (the
 *                                  NMOS "dummy write"), write the result
 *
 * Timing facts from the MCS6500 datasheet and the visual6502 netlist that
 * shape the steps below:
 *   - every cycle is a bus cycle: the second cycle of a one-byte
 *     instruction reads the byte after the opcode and throws it away;
 *   - indexed modes add the index to the low byte first and read from the
 *     not-yet-corrected address ("dummy read"); read instructions stop
 *     there when no page was crossed, writes and rmw always take the extra
 *     cycle;
 *   - zero-page indexing reads the unindexed address first and wraps in
 *     page zero; (zp,X) and (zp),Y pointers wrap in page zero too;
 *   - JMP ($xxFF) takes the high byte from $xx00 (no carry into the page).
 */
#ifndef TRAPEZE_CPU_M6502_CORE_H
#define TRAPEZE_CPU_M6502_CORE_H

#include "cpu/m6502/m6502.h"
#include "cpu/m6502/m6502_alu.h"
#include "cpu/m6502/m6502_ops.h"

enum step {
    S_FETCH,            /* issue the opcode fetch of the next instruction */
    S_DECODE,           /* the opcode arrived */
    S_IMPLIED,          /* dummy read done: run the implied operation */
    S_READ_OP,          /* the operand arrived: run the read operation */
    S_ACCESS,           /* address final (after a dummy cycle): access it */
    S_RMW_DUMMY,        /* rmw value arrived: write it back unchanged */
    S_RMW_WRITE,        /* write the modified value */
    S_ZP,               /* zero-page address arrived */
    S_ZPI,              /* zero-page base arrived: dummy read, then index */
    S_ABS_LO, S_ABS_HI,
    S_ABSI_LO, S_ABSI_HI,
    S_IZX_PTR, S_IZX_LO, S_IZX_HI, S_IZX_ADDR,
    S_IZY_PTR, S_IZY_LO, S_IZY_HI,
    S_BRANCH, S_BRANCH_TAKEN,
    S_JSR_STACK, S_JSR_PCH, S_JSR_PCL, S_JSR_HI, S_JSR_DONE,
    S_RTS_STACK, S_RTS_PCL, S_RTS_PCH, S_RTS_DONE,
    S_RTI_STACK, S_RTI_P, S_RTI_PCL, S_RTI_PCH, S_RTI_DONE,
    S_PUSH,
    S_PULL_STACK, S_PULL_VALUE, S_PULL_DONE,
    S_INT_PCH, S_INT_PCL, S_INT_P, S_INT_VEC_LO, S_INT_VEC_HI, S_INT_DONE,
    S_JMP_LO, S_JMP_HI,
    S_JMPI_LO, S_JMPI_HI, S_JMPI_TARGET_LO, S_JMPI_TARGET_HI,
    S_JAM,
};

/* What the 7-cycle interrupt sequence is doing (int_kind). */
enum { INT_NONE, INT_IRQ_NMI, INT_RESET };

/* ---- bus cycles ------------------------------------------------------ */

static inline m6502_pins bus_read(m6502_pins in, uint16_t addr)
{
    return (in & M6502_INPUTS) | addr | M6502_RW;
}

static inline m6502_pins bus_write(m6502_pins in, uint16_t addr, uint8_t v)
{
    return (in & M6502_INPUTS) | addr | ((m6502_pins)v << M6502_DATA_SHIFT);
}

static inline uint16_t stack_addr(const struct m6502 *c) { return (uint16_t)(0x0100 | c->s); }


static inline m6502_pins goto_step(struct m6502 *c, int step, m6502_pins out)
{
    c->step = (uint8_t)step;
    return out;
}

/* ---- instruction boundaries -------------------------------------------- */

/* The opcode fetch.  `take` is the interrupt poll of the previous cycle:
 * the chip decides during an instruction's last cycle from the line levels
 * seen one cycle earlier.  When an interrupt (or RESET) wins, the fetch
 * still happens on the bus, but its byte is replaced by BRK. */
static inline m6502_pins fetch(struct m6502 *c, m6502_pins in, int take)
{
    if (c->reset_req) {
        c->reset_req = 0;
        c->int_kind = INT_RESET;
    } else {
        c->int_kind = take ? INT_IRQ_NMI : INT_NONE;
    }
    return goto_step(c, S_DECODE, bus_read(in, c->pc) | M6502_SYNC);
}

/* ---- address modes ending in an access --------------------------------- */

/* The value a write operation stores at c->ad. */
static inline uint8_t store_value(struct m6502 *c, int op)
{
    switch (op) {
    case OP_STA: return c->a;
    case OP_STX: return c->x;
    case OP_STY: return c->y;
    case OP_SAX: return c->a & c->x;
    default: break;
    }
    /*
     * SHA/SHX/SHY/TAS store the register ANDed with the high byte of the
     * target address plus one: the register and the address high byte
     * meet on the internal bus while the indexed address is formed.  What
     * happens when indexing crosses a page varies between chips (some
     * also put the value on the high address lines); this core follows
     * the model of the reference vectors: the corrected address is
     * written, and its high byte is the one that takes part in the AND.
     */
    uint8_t reg;
    if (op == OP_SHX) {
        reg = c->x;
    } else if (op == OP_SHY) {
        reg = c->y;
    } else if (op == OP_TAS) {
        c->s = c->a & c->x;
        reg = c->s;
    } else {
        reg = c->a & c->x;                  /* SHA */
    }
    return reg & (uint8_t)((c->ad >> 8) + 1);
}

/* The address in c->ad is final: issue the access the operation needs. */
static inline m6502_pins begin_access(struct m6502 *c, m6502_pins in)
{
    int op = c->op;
    if (op < OP_FIRST_WRITE)
        return goto_step(c, S_READ_OP, bus_read(in, c->ad));
    if (op < OP_FIRST_RMW) {
        uint8_t v = store_value(c, op);
        return goto_step(c, S_FETCH, bus_write(in, c->ad, v));
    }
    return goto_step(c, S_RMW_DUMMY, bus_read(in, c->ad));
}

/* Indexed absolute and (zp),Y: c->ba is the base.  Reads that stay in the
 * page go straight to the operand; everything else first reads from the
 * address whose high byte has not been corrected yet. */
static inline m6502_pins index_then_access(struct m6502 *c, m6502_pins in, uint8_t index)
{
    c->ad = (uint16_t)(c->ba + index);
    int crossed = ((c->ad ^ c->ba) & 0xFF00) != 0;
    if (!crossed && c->op < OP_FIRST_WRITE)
        return begin_access(c, in);
    uint16_t uncorrected = (uint16_t)((c->ba & 0xFF00) | (c->ad & 0x00FF));
    return goto_step(c, S_ACCESS, bus_read(in, uncorrected));
}

static inline uint8_t mode_index(const struct m6502 *c)
{
    uint8_t mode = m6502_opcodes[c->ir].mode;
    return (mode == M6502_ZPY || mode == M6502_ABSY || mode == M6502_IZY) ? c->y : c->x;
}

/* ---- decode -------------------------------------------------------------- */

/* First step of the instructions with a sequence of their own. */
static inline m6502_pins decode_special(struct m6502 *c, m6502_pins in, int op)
{
    switch (op) {
    case OP_BRK: {
        /* BRK skips the byte after it; an interrupt sequence does not. */
        uint16_t addr = c->pc;
        if (c->int_kind == INT_NONE)
            c->pc++;
        return goto_step(c, S_INT_PCH, bus_read(in, addr));
    }
    case OP_JSR: return goto_step(c, S_JSR_STACK, bus_read(in, c->pc++));
    case OP_RTS: return goto_step(c, S_RTS_STACK, bus_read(in, c->pc));
    case OP_RTI: return goto_step(c, S_RTI_STACK, bus_read(in, c->pc));
    case OP_PHA:
    case OP_PHP: return goto_step(c, S_PUSH, bus_read(in, c->pc));
    case OP_PLA:
    case OP_PLP: return goto_step(c, S_PULL_STACK, bus_read(in, c->pc));
    case OP_JMP: return goto_step(c, S_JMP_LO, bus_read(in, c->pc++));
    case OP_JMPI: return goto_step(c, S_JMPI_LO, bus_read(in, c->pc++));
    default:     /* OP_JAM: the byte after the opcode is read, then the CPU stops */
        return goto_step(c, S_JAM, bus_read(in, c->pc));
    }
}

static inline m6502_pins decode(struct m6502 *c, m6502_pins in, uint8_t opcode)
{
    if (c->int_kind != INT_NONE) {
        c->ir = 0x00;           /* the fetched opcode is dropped; PC stays */
    } else {
        c->ir = opcode;
        c->pc++;
    }
    const struct m6502_opinfo *info = &m6502_opcodes[c->ir];
    if (info->op >= OP_FIRST_SPECIAL)
        return decode_special(c, in, info->op);
    switch (info->mode) {
    case M6502_IMP:
    case M6502_ACC: return goto_step(c, S_IMPLIED, bus_read(in, c->pc));
    case M6502_IMM: return goto_step(c, S_READ_OP, bus_read(in, c->pc++));
    case M6502_ZP: return goto_step(c, S_ZP, bus_read(in, c->pc++));
    case M6502_ZPX:
    case M6502_ZPY: return goto_step(c, S_ZPI, bus_read(in, c->pc++));
    case M6502_ABS: return goto_step(c, S_ABS_LO, bus_read(in, c->pc++));
    case M6502_ABSX:
    case M6502_ABSY: return goto_step(c, S_ABSI_LO, bus_read(in, c->pc++));
    case M6502_IZX: return goto_step(c, S_IZX_PTR, bus_read(in, c->pc++));
    case M6502_IZY: return goto_step(c, S_IZY_PTR, bus_read(in, c->pc++));
    default: return goto_step(c, S_BRANCH, bus_read(in, c->pc++));   /* REL */
    }
}

/* ---- branches ---------------------------------------------------------- */

/* Offset arrived.  A taken branch reads the next opcode's address (and
 * discards it) while adding the offset to PCL; a page crossing costs one
 * more cycle reading from the uncorrected address.  The chip does not poll
 * interrupts in the cycle after a taken branch's offset fetch: *skip_poll. */
static inline m6502_pins branch(struct m6502 *c, m6502_pins in, uint8_t offset, int take, int *skip_poll)
{
    if (!alu_branch_taken(c, c->op))
        return fetch(c, in, take);
    c->ad = (uint16_t)(c->pc + (int8_t)offset);
    *skip_poll = 1;
    return goto_step(c, S_BRANCH_TAKEN, bus_read(in, c->pc));
}

static inline m6502_pins branch_taken(struct m6502 *c, m6502_pins in, int take)
{
    if (((c->ad ^ c->pc) & 0xFF00) == 0) {
        c->pc = c->ad;
        return fetch(c, in, take);
    }
    uint16_t uncorrected = (uint16_t)((c->pc & 0xFF00) | (c->ad & 0x00FF));
    c->pc = c->ad;
    return goto_step(c, S_FETCH, bus_read(in, uncorrected));
}

/* ---- interrupts ---------------------------------------------------------- */

/* Push of PCH, PCL or P in the interrupt sequence.  RESET holds R/W high,
 * so its three "pushes" are reads of the stack: S still drops by three. */
static inline m6502_pins int_push(struct m6502 *c, m6502_pins in, uint8_t v, int next)
{
    uint16_t addr = stack_addr(c);
    c->s--;
    if (c->int_kind == INT_RESET)
        return goto_step(c, next, bus_read(in, addr));
    return goto_step(c, next, bus_write(in, addr, v));
}

/* Third push: P.  B is set in the pushed copy only for BRK.  The vector is
 * chosen now, so an NMI that arrived during a BRK or IRQ sequence up to
 * this cycle takes it over ("NMI hijack"): the handler at $FFFA runs, and
 * the pushed B flag is all that tells it a BRK happened. */
static inline m6502_pins int_push_p(struct m6502 *c, m6502_pins in)
{
    uint8_t pushed = (uint8_t)(c->p | M6502_U | (c->int_kind == INT_NONE ? M6502_B : 0));
    m6502_pins out = int_push(c, in, pushed, S_INT_VEC_LO);
    c->p |= M6502_I;
    if (c->int_kind == INT_RESET) {
        c->ad = 0xFFFC;
    } else if (c->nmi_latch) {
        c->nmi_latch = 0;
        c->ad = 0xFFFA;
    } else {
        c->ad = 0xFFFE;
    }
    return out;
}

/* ---- the tick -------------------------------------------------------------- */

static inline m6502_pins run_step(struct m6502 *c, m6502_pins in, int take, int *skip_poll)
{
    uint8_t d = m6502_data(in);
    switch (c->step) {
    case S_FETCH: return fetch(c, in, take);
    case S_DECODE: return decode(c, in, d);
    case S_IMPLIED:
        alu_implied_op(c, c->op);
        return fetch(c, in, take);
    case S_READ_OP:
        alu_read_op(c, c->op, d);
        return fetch(c, in, take);
    case S_ACCESS: return begin_access(c, in);
    case S_RMW_DUMMY:
        c->dl = d;
        return goto_step(c, S_RMW_WRITE, bus_write(in, c->ad, d));
    case S_RMW_WRITE:
        return goto_step(c, S_FETCH, bus_write(in, c->ad, alu_rmw_op(c, c->op, c->dl)));

    case S_ZP:
        c->ad = d;
        return begin_access(c, in);
    case S_ZPI:
        c->ad = (uint8_t)(d + mode_index(c));
        return goto_step(c, S_ACCESS, bus_read(in, d));
    case S_ABS_LO:
        c->ad = d;
        return goto_step(c, S_ABS_HI, bus_read(in, c->pc++));
    case S_ABS_HI:
        c->ad = (uint16_t)(c->ad | d << 8);
        return begin_access(c, in);
    case S_ABSI_LO:
        c->ba = d;
        return goto_step(c, S_ABSI_HI, bus_read(in, c->pc++));
    case S_ABSI_HI:
        c->ba = (uint16_t)(c->ba | d << 8);
        return index_then_access(c, in, mode_index(c));
    case S_IZX_PTR:
        c->dl = (uint8_t)(d + c->x);
        return goto_step(c, S_IZX_LO, bus_read(in, d));
    case S_IZX_LO: return goto_step(c, S_IZX_HI, bus_read(in, c->dl));
    case S_IZX_HI:
        c->ad = d;
        return goto_step(c, S_IZX_ADDR, bus_read(in, (uint8_t)(c->dl + 1)));
    case S_IZX_ADDR:
        c->ad = (uint16_t)(c->ad | d << 8);
        return begin_access(c, in);
    case S_IZY_PTR:
        c->dl = d;
        return goto_step(c, S_IZY_LO, bus_read(in, d));
    case S_IZY_LO:
        c->ba = d;
        return goto_step(c, S_IZY_HI, bus_read(in, (uint8_t)(c->dl + 1)));
    case S_IZY_HI:
        c->ba = (uint16_t)(c->ba | d << 8);
        return index_then_access(c, in, c->y);

    case S_BRANCH: return branch(c, in, d, take, skip_poll);
    case S_BRANCH_TAKEN: return branch_taken(c, in, take);

    /* JSR: the low byte of the target is fetched first, the high byte only
     * after the return address is pushed, so a JSR whose push overwrites
     * its own operand jumps to the new value. */
    case S_JSR_STACK:
        c->ad = d;
        return goto_step(c, S_JSR_PCH, bus_read(in, stack_addr(c)));
    case S_JSR_PCH:
        return goto_step(c, S_JSR_PCL, bus_write(in, stack_addr(c), (uint8_t)(c->pc >> 8)));
    case S_JSR_PCL:
        c->s--;
        return goto_step(c, S_JSR_HI, bus_write(in, stack_addr(c), (uint8_t)c->pc));
    case S_JSR_HI:
        c->s--;
        return goto_step(c, S_JSR_DONE, bus_read(in, c->pc));
    case S_JSR_DONE:
        c->pc = (uint16_t)(c->ad | d << 8);
        return fetch(c, in, take);

    case S_RTS_STACK: return goto_step(c, S_RTS_PCL, bus_read(in, stack_addr(c)));
    case S_RTS_PCL:
        c->s++;
        return goto_step(c, S_RTS_PCH, bus_read(in, stack_addr(c)));
    case S_RTS_PCH:
        c->ad = d;
        c->s++;
        return goto_step(c, S_RTS_DONE, bus_read(in, stack_addr(c)));
    case S_RTS_DONE:
        c->pc = (uint16_t)(c->ad | d << 8);
        return goto_step(c, S_FETCH, bus_read(in, c->pc++));

    case S_RTI_STACK: return goto_step(c, S_RTI_P, bus_read(in, stack_addr(c)));
    case S_RTI_P:
        c->s++;
        return goto_step(c, S_RTI_PCL, bus_read(in, stack_addr(c)));
    case S_RTI_PCL:
        c->p = (uint8_t)((d & ~M6502_B) | M6502_U);
        c->s++;
        return goto_step(c, S_RTI_PCH, bus_read(in, stack_addr(c)));
    case S_RTI_PCH:
        c->ad = d;
        c->s++;
        return goto_step(c, S_RTI_DONE, bus_read(in, stack_addr(c)));
    case S_RTI_DONE:
        c->pc = (uint16_t)(c->ad | d << 8);
        return fetch(c, in, take);

    case S_PUSH: {
        uint8_t v = c->op == OP_PHA ? c->a : (uint8_t)(c->p | M6502_B | M6502_U);
        m6502_pins out = bus_write(in, stack_addr(c), v);
        c->s--;
        return goto_step(c, S_FETCH, out);
    }
    case S_PULL_STACK: return goto_step(c, S_PULL_VALUE, bus_read(in, stack_addr(c)));
    case S_PULL_VALUE:
        c->s++;
        return goto_step(c, S_PULL_DONE, bus_read(in, stack_addr(c)));
    case S_PULL_DONE:
        if (c->op == OP_PLA) {
            c->a = d;
            alu_nz(c, d);
        } else {
            c->p = (uint8_t)((d & ~M6502_B) | M6502_U);
        }
        return fetch(c, in, take);

    case S_INT_PCH: return int_push(c, in, (uint8_t)(c->pc >> 8), S_INT_PCL);
    case S_INT_PCL: return int_push(c, in, (uint8_t)c->pc, S_INT_P);
    case S_INT_P: return int_push_p(c, in);
    case S_INT_VEC_LO: return goto_step(c, S_INT_VEC_HI, bus_read(in, c->ad));
    case S_INT_VEC_HI:
        c->dl = d;
        return goto_step(c, S_INT_DONE, bus_read(in, (uint16_t)(c->ad + 1)));
    case S_INT_DONE:
        /* The first instruction of the handler always runs before the
         * next interrupt can be taken. */
        c->pc = (uint16_t)(c->dl | d << 8);
        c->int_kind = INT_NONE;
        *skip_poll = 1;
        c->poll = 0;
        return fetch(c, in, 0);

    case S_JMP_LO:
        c->ad = d;
        return goto_step(c, S_JMP_HI, bus_read(in, c->pc));
    case S_JMP_HI:
        c->pc = (uint16_t)(c->ad | d << 8);
        return fetch(c, in, take);
    case S_JMPI_LO:
        c->ad = d;
        return goto_step(c, S_JMPI_HI, bus_read(in, c->pc++));
    case S_JMPI_HI:
        c->ad = (uint16_t)(c->ad | d << 8);
        return goto_step(c, S_JMPI_TARGET_LO, bus_read(in, c->ad));
    case S_JMPI_TARGET_LO:
        c->dl = d;
        /* The pointer's low byte wraps without carrying into its page. */
        return goto_step(c, S_JMPI_TARGET_HI,
                         bus_read(in, (uint16_t)((c->ad & 0xFF00) | ((c->ad + 1) & 0x00FF))));
    case S_JMPI_TARGET_HI:
        c->pc = (uint16_t)(c->dl | d << 8);
        return fetch(c, in, take);

    default:    /* S_JAM: the bus reads $FFFF forever; only RESET helps */
        c->jammed = 1;
        c->step = S_JAM;
        return bus_read(in, 0xFFFF) | M6502_JAM;
    }
}

static inline m6502_pins m6502_core_tick(struct m6502 *c, m6502_pins pins)
{
    /* NMI is edge-sensitive: a high-to-low transition of /NMI is latched
     * whenever it happens, even while RDY holds the CPU. */
    uint8_t nmi = (pins & M6502_NMI) != 0;
    if (nmi && !c->nmi_level)
        c->nmi_latch = 1;
    c->nmi_level = nmi;

    /* RDY low stops the NMOS 6502 on read cycles only: the read repeats. */
    if (!(pins & M6502_RDY) && (pins & M6502_RW))
        return pins;

    int take = c->poll;
    int skip_poll = 0;
    m6502_pins out = run_step(c, pins, take, &skip_poll);
    if (!skip_poll)
        c->poll = (uint8_t)(c->nmi_latch || ((pins & M6502_IRQ) && !(c->p & M6502_I)));
    return out;
}

#endif
