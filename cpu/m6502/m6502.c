/*
 * The cycle-stepped NMOS 6502: the exported API around the tick in
 * cpu/m6502/m6502_core.h.
 */
#include "cpu/m6502/m6502.h"

#include "cpu/m6502/m6502_core.h"

m6502_pins m6502_tick(struct m6502 *c, m6502_pins pins) { return m6502_core_tick(c, pins); }

/* ---- control ---------------------------------------------------------- */

m6502_pins m6502_init(struct m6502 *c)
{
    *c = (struct m6502){ .p = M6502_I | M6502_U };
    m6502_reset(c);
    return M6502_RDY | M6502_RW;
}

void m6502_reset(struct m6502 *c)
{
    /* RESET abandons the instruction in flight (an opcode already fetched
     * is still decoded; the sequence starts with the next fetch). */
    c->reset_req = 1;
    c->nmi_latch = 0;
    c->poll = 0;
    c->jammed = 0;
    if (c->step != MS_DECODE)
        c->step = MS_FETCH;
}

void m6502_jump(struct m6502 *c, uint16_t pc)
{
    c->pc = pc;
    c->step = MS_FETCH;
    c->int_kind = MINT_NONE;
    c->poll = 0;
    c->jammed = 0;
}

/* ---- snapshots ----------------------------------------------------------- */

void m6502_save(const struct m6502 *c, struct state_writer *w)
{
    state_put_u16(w, c->pc);
    state_put_u8(w, c->a);
    state_put_u8(w, c->x);
    state_put_u8(w, c->y);
    state_put_u8(w, c->s);
    state_put_u8(w, c->p);
    state_put_u8(w, c->ir);
    state_put_u8(w, c->step);
    state_put_u16(w, c->ad);
    state_put_u16(w, c->ba);
    state_put_u8(w, c->dl);
    state_put_u8(w, c->nmi_level);
    state_put_u8(w, c->nmi_latch);
    state_put_u8(w, c->poll);
    state_put_u8(w, c->int_kind);
    state_put_u8(w, c->reset_req);
    state_put_u8(w, c->jammed);
}

int m6502_load(struct m6502 *c, struct state_reader *r, uint32_t version)
{
    if (version != M6502_STATE_VERSION)
        return -1;
    struct m6502 n;
    n.pc = state_get_u16(r);
    n.a = state_get_u8(r);
    n.x = state_get_u8(r);
    n.y = state_get_u8(r);
    n.s = state_get_u8(r);
    n.p = (uint8_t)((state_get_u8(r) & ~M6502_B) | M6502_U);
    n.ir = state_get_u8(r);
    n.op = m6502_opcodes[n.ir].op;
    n.step = state_get_u8(r);
    n.ad = state_get_u16(r);
    n.ba = state_get_u16(r);
    n.dl = state_get_u8(r);
    n.nmi_level = state_get_u8(r) != 0;
    n.nmi_latch = state_get_u8(r) != 0;
    n.poll = state_get_u8(r) != 0;
    n.int_kind = state_get_u8(r);
    n.reset_req = state_get_u8(r) != 0;
    n.jammed = state_get_u8(r) != 0;
    if (r->error || n.step > MS_JAM || n.int_kind > MINT_RESET)
        return -1;
    *c = n;
    return 0;
}
