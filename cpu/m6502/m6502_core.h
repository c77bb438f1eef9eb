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
    MS_FETCH,            /* issue the opcode fetch of the next instruction */
    MS_DECODE,           /* the opcode arrived */
    MS_IMPLIED,          /* dummy read done: run the implied operation */
    MS_READ_OP,          /* the operand arrived: run the read operation */
    MS_ACCESS,           /* address final (after a dummy cycle): access it */
    MS_RMW_DUMMY,        /* rmw value arrived: write it back unchanged */
    MS_RMW_WRITE,        /* write the modified value */
    MS_ZP,               /* zero-page address arrived */
    MS_ZPI,              /* zero-page base arrived: dummy read, then index */
    MS_ABS_LO, MS_ABS_HI,
    MS_ABSI_LO, MS_ABSI_HI,
    MS_IZX_PTR, MS_IZX_LO, MS_IZX_HI, MS_IZX_ADDR,
    MS_IZY_PTR, MS_IZY_LO, MS_IZY_HI,
    MS_BRANCH, MS_BRANCH_TAKEN,
    MS_JSR_STACK, MS_JSR_PCH, MS_JSR_PCL, MS_JSR_HI, MS_JSR_DONE,
    MS_RTS_STACK, MS_RTS_PCL, MS_RTS_PCH, MS_RTS_DONE,
    MS_RTI_STACK, MS_RTI_P, MS_RTI_PCL, MS_RTI_PCH, MS_RTI_DONE,
    MS_PUSH,
    MS_PULL_STACK, MS_PULL_VALUE, MS_PULL_DONE,
    MS_INT_PCH, MS_INT_PCL, MS_INT_P, MS_INT_VEC_LO, MS_INT_VEC_HI, MS_INT_DONE,
    MS_JMP_LO, MS_JMP_HI,
    MS_JMPI_LO, MS_JMPI_HI, MS_JMPI_TARGET_LO, MS_JMPI_TARGET_HI,
    MS_JAM,
};

/* What the 7-cycle interrupt sequence is doing (int_kind). */
enum { MINT_NONE, MINT_IRQ_NMI, MINT_RESET };

/* ---- bus cycles ------------------------------------------------------ */

static inline m6502_pins mc_read(m6502_pins in, uint16_t addr)
{
    return (in & M6502_INPUTS) | addr | M6502_RW;
}

static inline m6502_pins mc_write(m6502_pins in, uint16_t addr, uint8_t v)
{
    return (in & M6502_INPUTS) | addr | ((m6502_pins)v << M6502_DATA_SHIFT);
}

static inline uint16_t mc_stack(const struct m6502 *c) { return (uint16_t)(0x0100 | c->s); }


static inline m6502_pins mc_goto(struct m6502 *c, int step, m6502_pins out)
{
    c->step = (uint8_t)step;
    return out;
}

/* ---- instruction boundaries -------------------------------------------- */

/* The opcode fetch.  `take` is the interrupt poll of the previous cycle:
 * the chip decides during an instruction's last cycle from the line levels
 * seen one cycle earlier.  When an interrupt (or RESET) wins, the fetch
 * still happens on the bus, but its byte is replaced by BRK. */
static inline m6502_pins mc_fetch(struct m6502 *c, m6502_pins in, int take)
{
    if (c->reset_req) {
        c->reset_req = 0;
        c->int_kind = MINT_RESET;
    } else {
        c->int_kind = take ? MINT_IRQ_NMI : MINT_NONE;
    }
    return mc_goto(c, MS_DECODE, mc_read(in, c->pc) | M6502_SYNC);
}

/* ---- address modes ending in an access --------------------------------- */

/* The value a write operation stores at c->ad. */
static inline uint8_t mc_store_value(struct m6502 *c, int op)
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
static inline m6502_pins mc_begin_access(struct m6502 *c, m6502_pins in)
{
    int op = c->op;
    if (op < OP_FIRST_WRITE)
        return mc_goto(c, MS_READ_OP, mc_read(in, c->ad));
    if (op < OP_FIRST_RMW) {
        uint8_t v = mc_store_value(c, op);
        return mc_goto(c, MS_FETCH, mc_write(in, c->ad, v));
    }
    return mc_goto(c, MS_RMW_DUMMY, mc_read(in, c->ad));
}

/* Indexed absolute and (zp),Y: c->ba is the base.  Reads that stay in the
 * page go straight to the operand; everything else first reads from the
 * address whose high byte has not been corrected yet. */
static inline m6502_pins mc_index_then_access(struct m6502 *c, m6502_pins in, uint8_t index)
{
    c->ad = (uint16_t)(c->ba + index);
    int crossed = ((c->ad ^ c->ba) & 0xFF00) != 0;
    if (!crossed && c->op < OP_FIRST_WRITE)
        return mc_begin_access(c, in);
    uint16_t uncorrected = (uint16_t)((c->ba & 0xFF00) | (c->ad & 0x00FF));
    return mc_goto(c, MS_ACCESS, mc_read(in, uncorrected));
}

/* Modes indexed by Y rather than X. */
static inline uint8_t mc_mode_index(const struct m6502 *c)
{
    uint8_t mode = m6502_opcodes[c->ir].mode;
    return (mode == M6502_ZPY || mode == M6502_ABSY || mode == M6502_IZY) ? c->y : c->x;
}

/* ---- decode -------------------------------------------------------------- */

/*
 * The cycle after the opcode fetch always reads the byte at PC.  Whether
 * that byte is an operand (and PC moves past it) and which step follows
 * depend only on the addressing mode, or, for the instructions with a
 * sequence of their own, on the operation: two small tables.
 */
struct mc_entry {
    uint8_t step;
    uint8_t operand;    /* 1: the byte read is an operand, PC moves on */
};

static const struct mc_entry mc_mode_entry[] = {
    [M6502_IMP] = { MS_IMPLIED, 0 },   [M6502_ACC] = { MS_IMPLIED, 0 },
    [M6502_IMM] = { MS_READ_OP, 1 },   [M6502_ZP] = { MS_ZP, 1 },
    [M6502_ZPX] = { MS_ZPI, 1 },       [M6502_ZPY] = { MS_ZPI, 1 },
    [M6502_ABS] = { MS_ABS_LO, 1 },    [M6502_ABSX] = { MS_ABSI_LO, 1 },
    [M6502_ABSY] = { MS_ABSI_LO, 1 },  [M6502_IND] = { MS_JMPI_LO, 1 },
    [M6502_IZX] = { MS_IZX_PTR, 1 },   [M6502_IZY] = { MS_IZY_PTR, 1 },
    [M6502_REL] = { MS_BRANCH, 1 },
};

/* Indexed by op - OP_FIRST_SPECIAL.  BRK's entry is fixed up in
 * mc_decode(): an interrupt sequence does not skip the byte. */
static const struct mc_entry mc_special_entry[] = {
    [OP_BRK - OP_FIRST_SPECIAL] = { MS_INT_PCH, 1 },
    [OP_JSR - OP_FIRST_SPECIAL] = { MS_JSR_STACK, 1 },
    [OP_RTS - OP_FIRST_SPECIAL] = { MS_RTS_STACK, 0 },
    [OP_RTI - OP_FIRST_SPECIAL] = { MS_RTI_STACK, 0 },
    [OP_PHA - OP_FIRST_SPECIAL] = { MS_PUSH, 0 },
    [OP_PHP - OP_FIRST_SPECIAL] = { MS_PUSH, 0 },
    [OP_PLA - OP_FIRST_SPECIAL] = { MS_PULL_STACK, 0 },
    [OP_PLP - OP_FIRST_SPECIAL] = { MS_PULL_STACK, 0 },
    [OP_JMP - OP_FIRST_SPECIAL] = { MS_JMP_LO, 1 },
    [OP_JMPI - OP_FIRST_SPECIAL] = { MS_JMPI_LO, 1 },
    /* JAM: the byte after the opcode is read, then the CPU stops. */
    [OP_JAM - OP_FIRST_SPECIAL] = { MS_JAM, 0 },
};

static inline m6502_pins mc_decode(struct m6502 *c, m6502_pins in, uint8_t opcode)
{
    if (c->int_kind != MINT_NONE) {
        c->ir = 0x00;           /* the fetched opcode is dropped; PC stays */
    } else {
        c->ir = opcode;
        c->pc++;
    }
    const struct m6502_opinfo *info = &m6502_opcodes[c->ir];
    c->op = info->op;
    struct mc_entry e = c->op >= OP_FIRST_SPECIAL ? mc_special_entry[c->op - OP_FIRST_SPECIAL]
                                                  : mc_mode_entry[info->mode];
    /* BRK skips the byte after it (its "signature"); IRQ, NMI and RESET
     * read the same byte but leave PC on it. */
    if (c->int_kind != MINT_NONE)
        e.operand = 0;
    m6502_pins out = mc_read(in, c->pc);
    c->pc = (uint16_t)(c->pc + e.operand);
    return mc_goto(c, e.step, out);
}

/* ---- branches ---------------------------------------------------------- */

/* Offset arrived.  A taken branch reads the next opcode's address (and
 * discards it) while adding the offset to PCL; a page crossing costs one
 * more cycle reading from the uncorrected address.  The chip does not poll
 * interrupts in the cycle after a taken branch's offset fetch: *skip_poll. */
static inline m6502_pins mc_branch(struct m6502 *c, m6502_pins in, uint8_t offset, int take, int *skip_poll)
{
    if (!alu_branch_taken(c, c->op))
        return mc_fetch(c, in, take);
    c->ad = (uint16_t)(c->pc + (int8_t)offset);
    *skip_poll = 1;
    return mc_goto(c, MS_BRANCH_TAKEN, mc_read(in, c->pc));
}

static inline m6502_pins mc_branch_taken(struct m6502 *c, m6502_pins in, int take)
{
    if (((c->ad ^ c->pc) & 0xFF00) == 0) {
        c->pc = c->ad;
        return mc_fetch(c, in, take);
    }
    uint16_t uncorrected = (uint16_t)((c->pc & 0xFF00) | (c->ad & 0x00FF));
    c->pc = c->ad;
    return mc_goto(c, MS_FETCH, mc_read(in, uncorrected));
}

/* ---- interrupts ---------------------------------------------------------- */

/* Push of PCH, PCL or P in the interrupt sequence.  RESET holds R/W high,
 * so its three "pushes" are reads of the stack: S still drops by three. */
static inline m6502_pins mc_int_push(struct m6502 *c, m6502_pins in, uint8_t v, int next)
{
    uint16_t addr = mc_stack(c);
    c->s--;
    if (c->int_kind == MINT_RESET)
        return mc_goto(c, next, mc_read(in, addr));
    return mc_goto(c, next, mc_write(in, addr, v));
}

/* Third push: P.  B is set in the pushed copy only for BRK.  The vector is
 * chosen now, so an NMI that arrived during a BRK or IRQ sequence up to
 * this cycle takes it over ("NMI hijack"): the handler at $FFFA runs, and
 * the pushed B flag is all that tells it a BRK happened. */
static inline m6502_pins mc_int_push_p(struct m6502 *c, m6502_pins in)
{
    uint8_t pushed = (uint8_t)(c->p | M6502_U | (c->int_kind == MINT_NONE ? M6502_B : 0));
    m6502_pins out = mc_int_push(c, in, pushed, MS_INT_VEC_LO);
    c->p |= M6502_I;
    if (c->int_kind == MINT_RESET) {
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

static inline m6502_pins mc_run_step(struct m6502 *c, m6502_pins in, int take, int *skip_poll)
{
    uint8_t d = m6502_data(in);
    switch (c->step) {
    case MS_FETCH: return mc_fetch(c, in, take);
    case MS_DECODE: return mc_decode(c, in, d);
    case MS_IMPLIED:
        alu_implied_op(c, c->op);
        return mc_fetch(c, in, take);
    case MS_READ_OP:
        alu_read_op(c, c->op, d);
        return mc_fetch(c, in, take);
    case MS_ACCESS: return mc_begin_access(c, in);
    case MS_RMW_DUMMY:
        c->dl = d;
        return mc_goto(c, MS_RMW_WRITE, mc_write(in, c->ad, d));
    case MS_RMW_WRITE:
        return mc_goto(c, MS_FETCH, mc_write(in, c->ad, alu_rmw_op(c, c->op, c->dl)));

    case MS_ZP:
        c->ad = d;
        return mc_begin_access(c, in);
    case MS_ZPI:
        c->ad = (uint8_t)(d + mc_mode_index(c));
        return mc_goto(c, MS_ACCESS, mc_read(in, d));
    case MS_ABS_LO:
        c->ad = d;
        return mc_goto(c, MS_ABS_HI, mc_read(in, c->pc++));
    case MS_ABS_HI:
        c->ad = (uint16_t)(c->ad | d << 8);
        return mc_begin_access(c, in);
    case MS_ABSI_LO:
        c->ba = d;
        return mc_goto(c, MS_ABSI_HI, mc_read(in, c->pc++));
    case MS_ABSI_HI:
        c->ba = (uint16_t)(c->ba | d << 8);
        return mc_index_then_access(c, in, mc_mode_index(c));
    case MS_IZX_PTR:
        c->dl = (uint8_t)(d + c->x);
        return mc_goto(c, MS_IZX_LO, mc_read(in, d));
    case MS_IZX_LO: return mc_goto(c, MS_IZX_HI, mc_read(in, c->dl));
    case MS_IZX_HI:
        c->ad = d;
        return mc_goto(c, MS_IZX_ADDR, mc_read(in, (uint8_t)(c->dl + 1)));
    case MS_IZX_ADDR:
        c->ad = (uint16_t)(c->ad | d << 8);
        return mc_begin_access(c, in);
    case MS_IZY_PTR:
        c->dl = d;
        return mc_goto(c, MS_IZY_LO, mc_read(in, d));
    case MS_IZY_LO:
        c->ba = d;
        return mc_goto(c, MS_IZY_HI, mc_read(in, (uint8_t)(c->dl + 1)));
    case MS_IZY_HI:
        c->ba = (uint16_t)(c->ba | d << 8);
        return mc_index_then_access(c, in, c->y);

    case MS_BRANCH: return mc_branch(c, in, d, take, skip_poll);
    case MS_BRANCH_TAKEN: return mc_branch_taken(c, in, take);

    /* JSR: the low byte of the target is fetched first, the high byte only
     * after the return address is pushed, so a JSR whose push overwrites
     * its own operand jumps to the new value. */
    case MS_JSR_STACK:
        c->ad = d;
        return mc_goto(c, MS_JSR_PCH, mc_read(in, mc_stack(c)));
    case MS_JSR_PCH:
        return mc_goto(c, MS_JSR_PCL, mc_write(in, mc_stack(c), (uint8_t)(c->pc >> 8)));
    case MS_JSR_PCL:
        c->s--;
        return mc_goto(c, MS_JSR_HI, mc_write(in, mc_stack(c), (uint8_t)c->pc));
    case MS_JSR_HI:
        c->s--;
        return mc_goto(c, MS_JSR_DONE, mc_read(in, c->pc));
    case MS_JSR_DONE:
        c->pc = (uint16_t)(c->ad | d << 8);
        return mc_fetch(c, in, take);

    case MS_RTS_STACK: return mc_goto(c, MS_RTS_PCL, mc_read(in, mc_stack(c)));
    case MS_RTS_PCL:
        c->s++;
        return mc_goto(c, MS_RTS_PCH, mc_read(in, mc_stack(c)));
    case MS_RTS_PCH:
        c->ad = d;
        c->s++;
        return mc_goto(c, MS_RTS_DONE, mc_read(in, mc_stack(c)));
    case MS_RTS_DONE:
        c->pc = (uint16_t)(c->ad | d << 8);
        return mc_goto(c, MS_FETCH, mc_read(in, c->pc++));

    case MS_RTI_STACK: return mc_goto(c, MS_RTI_P, mc_read(in, mc_stack(c)));
    case MS_RTI_P:
        c->s++;
        return mc_goto(c, MS_RTI_PCL, mc_read(in, mc_stack(c)));
    case MS_RTI_PCL:
        c->p = (uint8_t)((d & ~M6502_B) | M6502_U);
        c->s++;
        return mc_goto(c, MS_RTI_PCH, mc_read(in, mc_stack(c)));
    case MS_RTI_PCH:
        c->ad = d;
        c->s++;
        return mc_goto(c, MS_RTI_DONE, mc_read(in, mc_stack(c)));
    case MS_RTI_DONE:
        c->pc = (uint16_t)(c->ad | d << 8);
        return mc_fetch(c, in, take);

    case MS_PUSH: {
        uint8_t v = c->op == OP_PHA ? c->a : (uint8_t)(c->p | M6502_B | M6502_U);
        m6502_pins out = mc_write(in, mc_stack(c), v);
        c->s--;
        return mc_goto(c, MS_FETCH, out);
    }
    case MS_PULL_STACK: return mc_goto(c, MS_PULL_VALUE, mc_read(in, mc_stack(c)));
    case MS_PULL_VALUE:
        c->s++;
        return mc_goto(c, MS_PULL_DONE, mc_read(in, mc_stack(c)));
    case MS_PULL_DONE:
        if (c->op == OP_PLA) {
            c->a = d;
            alu_nz(c, d);
        } else {
            c->p = (uint8_t)((d & ~M6502_B) | M6502_U);
        }
        return mc_fetch(c, in, take);

    case MS_INT_PCH: return mc_int_push(c, in, (uint8_t)(c->pc >> 8), MS_INT_PCL);
    case MS_INT_PCL: return mc_int_push(c, in, (uint8_t)c->pc, MS_INT_P);
    case MS_INT_P: return mc_int_push_p(c, in);
    case MS_INT_VEC_LO: return mc_goto(c, MS_INT_VEC_HI, mc_read(in, c->ad));
    case MS_INT_VEC_HI:
        c->dl = d;
        return mc_goto(c, MS_INT_DONE, mc_read(in, (uint16_t)(c->ad + 1)));
    case MS_INT_DONE:
        /* The first instruction of the handler always runs before the
         * next interrupt can be taken. */
        c->pc = (uint16_t)(c->dl | d << 8);
        c->int_kind = MINT_NONE;
        *skip_poll = 1;
        c->poll = 0;
        return mc_fetch(c, in, 0);

    case MS_JMP_LO:
        c->ad = d;
        return mc_goto(c, MS_JMP_HI, mc_read(in, c->pc));
    case MS_JMP_HI:
        c->pc = (uint16_t)(c->ad | d << 8);
        return mc_fetch(c, in, take);
    case MS_JMPI_LO:
        c->ad = d;
        return mc_goto(c, MS_JMPI_HI, mc_read(in, c->pc++));
    case MS_JMPI_HI:
        c->ad = (uint16_t)(c->ad | d << 8);
        return mc_goto(c, MS_JMPI_TARGET_LO, mc_read(in, c->ad));
    case MS_JMPI_TARGET_LO:
        c->dl = d;
        /* The pointer's low byte wraps without carrying into its page. */
        return mc_goto(c, MS_JMPI_TARGET_HI,
                         mc_read(in, (uint16_t)((c->ad & 0xFF00) | ((c->ad + 1) & 0x00FF))));
    case MS_JMPI_TARGET_HI:
        c->pc = (uint16_t)(c->dl | d << 8);
        return mc_fetch(c, in, take);

    default:    /* MS_JAM: the bus reads $FFFF forever; only RESET helps */
        c->jammed = 1;
        c->step = MS_JAM;
        return mc_read(in, 0xFFFF) | M6502_JAM;
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
    m6502_pins out = mc_run_step(c, pins, take, &skip_poll);
    /* The poll for the next cycle: a latched NMI, or /IRQ low with I clear. */
    if (!skip_poll)
        c->poll = (uint8_t)(c->nmi_latch || ((pins & M6502_IRQ) && !(c->p & M6502_I)));
    return out;
}

#endif
