/*
 * The x86 instruction decoder: bytes in, one decoded instruction out.
 *
 * Decoding happens once per instruction (the result is cached, see
 * codecache.c), so this file favours clarity over speed.  It reads the
 * prefixes, the opcode, the ModR/M and SIB bytes, displacement and
 * immediates, and chooses the handler for the exact form: register or
 * memory operand, operand size, model.  Model differences in the opcode
 * map (the 8086's aliases, the 186's additions, the 386's 0F map) are
 * decided here, so handlers never test them.
 */
#include <string.h>

#include "cpu/x86/ops.h"
#include "cpu/x86/timing.h"

#define NONE 8  /* "no register" in EA sums: gpr[8] is always zero */

struct dec {
    const uint8_t *b;
    int avail, pos, short_input;
    enum x86_model model;
    int code32;
    int seg_override;   /* -1 or the segment */
    struct x86_insn *i;
};

static uint8_t fetch8(struct dec *d)
{
    if (d->pos >= d->avail) {
        d->short_input = 1;
        return 0;
    }
    return d->b[d->pos++];
}
static uint16_t fetch16(struct dec *d)
{
    uint16_t lo = fetch8(d);
    return (uint16_t)(lo | fetch8(d) << 8);
}
static uint32_t fetch32(struct dec *d)
{
    uint32_t lo = fetch16(d);
    return lo | (uint32_t)fetch16(d) << 16;
}

/* Immediates: size index 0/1/2. */
static uint32_t fetch_imm(struct dec *d, int sz)
{
    return sz == 0 ? fetch8(d) : sz == 1 ? fetch16(d) : fetch32(d);
}
static uint32_t fetch_simm8(struct dec *d) { return (uint32_t)(int32_t)(int8_t)fetch8(d); }

/* ------------------------------------------------------------------ */
/* ModR/M                                                              */

static void modrm_16(struct dec *d, int mod, int rm)
{
    static const uint8_t base[8] = { X86_EBX, X86_EBX, X86_EBP, X86_EBP, NONE, NONE, X86_EBP, X86_EBX };
    static const uint8_t index[8] = { X86_ESI, X86_EDI, X86_ESI, X86_EDI, X86_ESI, X86_EDI, NONE, NONE };
    struct x86_insn *i = d->i;
    i->base = base[rm];
    i->index = index[rm];
    if (rm == 4 || rm == 5) {   /* [si], [di] */
        i->base = index[rm];
        i->index = NONE;
    }
    if (mod == 0 && rm == 6) {
        i->base = NONE;
        i->disp = fetch16(d);
    } else if (mod == 1) {
        i->disp = fetch_simm8(d);
    } else if (mod == 2) {
        i->disp = fetch16(d);
    }
    i->seg = i->base == X86_EBP ? X86_SS : X86_DS;
}

static void modrm_32(struct dec *d, int mod, int rm)
{
    struct x86_insn *i = d->i;
    i->index = NONE;
    if (rm == 4) {
        uint8_t sib = fetch8(d);
        int ss = sib >> 6, idx = (sib >> 3) & 7, b = sib & 7;
        i->scale = (uint8_t)ss;
        i->index = idx == 4 ? NONE : (uint8_t)idx;
        if (b == 5 && mod == 0) {
            i->base = NONE;
            i->disp = fetch32(d);
        } else {
            i->base = (uint8_t)b;
        }
    } else if (rm == 5 && mod == 0) {
        i->base = NONE;
        i->disp = fetch32(d);
    } else {
        i->base = (uint8_t)rm;
    }
    if (mod == 1)
        i->disp = fetch_simm8(d);
    else if (mod == 2)
        i->disp = fetch32(d);
    i->seg = (i->base == X86_ESP || i->base == X86_EBP) ? X86_SS : X86_DS;
}

/* Reads the ModR/M byte (and SIB, displacement). */
static void modrm(struct dec *d)
{
    struct x86_insn *i = d->i;
    uint8_t m = fetch8(d);
    int mod = m >> 6, rm = m & 7;
    i->modrm = m;
    i->reg = (uint8_t)((m >> 3) & 7);
    i->rm = (uint8_t)rm;
    i->is_mem = mod != 3;
    if (mod == 3)
        return;
    if (i->a32)
        modrm_32(d, mod, rm);
    else
        modrm_16(d, mod, rm);
    if (d->seg_override >= 0)
        i->seg = (uint8_t)d->seg_override;
    if (d->model == X86_8086 && !i->a32)
        i->cycles = (uint16_t)(i->cycles + x86_ea_time_8086(mod, rm, d->seg_override >= 0));
}

static void set_timing(struct dec *d, enum x86_timing_class t)
{
    d->i->cycles = (uint16_t)(d->i->cycles + x86_timing(d->model, t, d->i->is_mem));
}

/* Pick the register or memory form of a handler pair. */
#define FORM(d, table_r, table_m) ((d)->i->is_mem ? (table_m) : (table_r))

static int osz(const struct dec *d) { return d->i->o32 ? 2 : 1; }

/* Undefined opcode: #UD on the 286 and later.  (The 8086 has none: every
 * byte does something, handled where it occurs.) */
static void undefined(struct dec *d)
{
    d->i->exec = x86_invalid;
    d->i->flags |= X86_I_ENDS_TRACE;
    set_timing(d, X86_T_UD);
}

static void ends(struct dec *d) { d->i->flags |= X86_I_ENDS_TRACE; }

/* ------------------------------------------------------------------ */
/* One-byte opcodes                                                    */

static void decode_alu(struct dec *d, uint8_t op)
{
    struct x86_insn *i = d->i;
    int alu = op >> 3;
    int form = op & 7;
    int sz = (form & 1) ? osz(d) : 0;
    switch (form) {
    case 0:
    case 1:
        modrm(d);
        i->exec = FORM(d, x86_alu_EG_r, x86_alu_EG_m)[alu][sz];
        set_timing(d, alu == 7 ? X86_T_ALU : X86_T_ALU_RMW);
        break;
    case 2:
    case 3:
        modrm(d);
        i->exec = FORM(d, x86_alu_GE_r, x86_alu_GE_m)[alu][sz];
        set_timing(d, X86_T_ALU);
        break;
    case 4:
    case 5:
        i->imm = fetch_imm(d, form == 4 ? 0 : osz(d));
        i->exec = x86_alu_AI[alu][form == 4 ? 0 : osz(d)];
        set_timing(d, X86_T_ACC_IMM);
        break;
    }
}

static void decode_group1(struct dec *d, uint8_t op)
{
    struct x86_insn *i = d->i;
    int sz = op == 0x80 || op == 0x82 ? 0 : osz(d);
    modrm(d);
    if (op == 0x83)
        i->imm = fetch_simm8(d) & size_mask(sz);
    else
        i->imm = fetch_imm(d, sz);
    i->exec = FORM(d, x86_alu_EI_r, x86_alu_EI_m)[i->reg][sz];
    set_timing(d, i->reg == 7 ? X86_T_CMP_IMM : X86_T_ALU_IMM);
}

/* D0-D3 and C0/C1: shifts.  On the 8086, /6 is SETMO (the 186 and later
 * make it an alias of SHL). */
static void decode_shift(struct dec *d, uint8_t op)
{
    struct x86_insn *i = d->i;
    int sz = (op & 1) ? osz(d) : 0;
    modrm(d);
    int kind = i->reg;
    if (kind == 6 && d->model != X86_8086)
        kind = 4;
    if (op == 0xC0 || op == 0xC1) {
        i->imm = fetch8(d);
        i->exec = x86_shift_I[kind][sz];
        set_timing(d, X86_T_SHIFTN);
    } else if (op >= 0xD2) {
        i->exec = x86_shift_CL[kind][sz];
        set_timing(d, X86_T_SHIFTN);
    } else {
        i->exec = x86_shift_1[kind][sz];
        set_timing(d, X86_T_SHIFT1);
    }
}

/* F6/F7: TEST NOT NEG MUL IMUL DIV IDIV. */
static void decode_group3(struct dec *d, uint8_t op)
{
    struct x86_insn *i = d->i;
    int sz = op == 0xF6 ? 0 : osz(d);
    modrm(d);
    switch (i->reg) {
    case 0:
    case 1:     /* /1 is an alias of TEST on every model measured */
        i->imm = fetch_imm(d, sz);
        i->exec = FORM(d, x86_test_EI_r, x86_test_EI_m)[sz];
        set_timing(d, X86_T_CMP_IMM);
        break;
    case 2: i->exec = FORM(d, x86_not_r, x86_not_m)[sz]; set_timing(d, X86_T_INCDEC); break;
    case 3: i->exec = FORM(d, x86_neg_r, x86_neg_m)[sz]; set_timing(d, X86_T_INCDEC); break;
    case 4:
    case 5:
        i->exec = i->reg == 4 ? x86_mul_E[sz] : x86_imul_E[sz];
        set_timing(d, sz == 0 ? X86_T_MUL8 : sz == 1 ? X86_T_MUL16 : X86_T_MUL32);
        break;
    default:
        i->exec = i->reg == 6 ? x86_div_E[sz] : x86_idiv_E[sz];
        set_timing(d, sz == 0 ? X86_T_DIV8 : sz == 1 ? X86_T_DIV16 : X86_T_DIV32);
        break;
    }
}

/* FE/FF. */
static void decode_group45(struct dec *d, uint8_t op)
{
    struct x86_insn *i = d->i;
    int sz = op == 0xFE ? 0 : osz(d);
    modrm(d);
    int r = i->reg;
    if (op == 0xFE && r >= 2) {
        if (d->model != X86_8086) {
            undefined(d);
            return;
        }
        /* The 8086 runs FE /2../7 through the FF microcode with a byte
         * operand; treated here as the word form. */
        sz = 1;
    }
    switch (r) {
    case 0: i->exec = FORM(d, x86_inc_E_r, x86_inc_E_m)[sz]; set_timing(d, X86_T_INCDEC); return;
    case 1: i->exec = FORM(d, x86_dec_E_r, x86_dec_E_m)[sz]; set_timing(d, X86_T_INCDEC); return;
    case 2: i->exec = i->o32 ? x86_call_E32 : x86_call_E16; set_timing(d, X86_T_CALL_IND); break;
    case 4: i->exec = i->o32 ? x86_jmp_E32 : x86_jmp_E16; set_timing(d, X86_T_JMP_IND); break;
    case 3:
    case 5:
        if (!i->is_mem && d->model != X86_8086) {
            undefined(d);
            return;
        }
        if (r == 3)
            i->exec = i->o32 ? x86_call_farE32 : x86_call_farE16;
        else
            i->exec = i->o32 ? x86_jmp_farE32 : x86_jmp_farE16;
        set_timing(d, r == 3 ? X86_T_CALL_FAR : X86_T_JMP_FAR);
        break;
    case 6:
        i->exec = i->o32 ? x86_push_E32 : x86_push_E16;
        if (d->model == X86_8086 && !i->is_mem && i->rm == X86_ESP)
            i->exec = x86_push_sp_8086;
        set_timing(d, X86_T_PUSH);
        return;
    default:
        if (d->model != X86_8086) {
            undefined(d);
            return;
        }
        /* 8086: FF /7 behaves as PUSH r/m. */
        i->exec = !i->is_mem && i->rm == X86_ESP ? x86_push_sp_8086 : x86_push_E16;
        set_timing(d, X86_T_PUSH);
        return;
    }
    ends(d);
}

static void decode_string(struct dec *d, uint8_t op)
{
    struct x86_insn *i = d->i;
    int sz = (op & 1) ? osz(d) : 0;
    int rep = i->rep != 0;
    i->seg = d->seg_override >= 0 ? (uint8_t)d->seg_override : X86_DS;
    switch (op & 0xFE) {
    case 0xA4: i->exec = rep ? x86_rep_movs[sz] : x86_movs[sz]; break;
    case 0xA6: i->exec = rep ? x86_rep_cmps[sz] : x86_cmps[sz]; break;
    case 0xAA: i->exec = rep ? x86_rep_stos[sz] : x86_stos[sz]; break;
    case 0xAC: i->exec = rep ? x86_rep_lods[sz] : x86_lods[sz]; break;
    case 0xAE: i->exec = rep ? x86_rep_scas[sz] : x86_scas[sz]; break;
    case 0x6C: i->exec = rep ? x86_rep_ins[sz] : x86_ins[sz]; break;
    default: i->exec = rep ? x86_rep_outs[sz] : x86_outs[sz]; break;   /* 6E */
    }
    set_timing(d, rep ? X86_T_REP : X86_T_STRING);
}

static void decode_one_byte(struct dec *d, uint8_t op);
static void decode_0f(struct dec *d);

/* 8086 aliases: 60-6F act as 70-7F, C0/C1 as C2/C3, C8/C9 as CA/CB. */
static uint8_t alias_8086(uint8_t op)
{
    if (op >= 0x60 && op <= 0x6F)
        return (uint8_t)(op + 0x10);
    if (op == 0xC0 || op == 0xC1 || op == 0xC8 || op == 0xC9)
        return (uint8_t)(op + 2);
    return op;
}

static void decode_one_byte(struct dec *d, uint8_t op)
{
    struct x86_insn *i = d->i;
    enum x86_model m = d->model;
    int o = osz(d);

    if (m == X86_8086)
        op = alias_8086(op);
    i->opcode = op;

    if (op < 0x40 && (op & 7) < 6) {
        decode_alu(d, op);
        return;
    }
    switch (op) {
    case 0x06: case 0x0E: case 0x16: case 0x1E:
        i->reg = (uint8_t)(op >> 3);
        i->exec = i->o32 ? x86_push_sreg32 : x86_push_sreg16;
        set_timing(d, X86_T_PUSHSEG);
        return;
    case 0x07: case 0x17: case 0x1F:
        i->reg = (uint8_t)(op >> 3);
        i->exec = i->o32 ? x86_pop_sreg32 : x86_pop_sreg16;
        set_timing(d, X86_T_POPSEG);
        return;
    case 0x0F:
        if (m == X86_8086) {    /* POP CS */
            i->reg = X86_CS;
            i->exec = x86_pop_sreg16;
            set_timing(d, X86_T_POPSEG);
            ends(d);
            return;
        }
        decode_0f(d);
        return;
    case 0x27: i->exec = x86_daa; set_timing(d, X86_T_BCD); return;
    case 0x2F: i->exec = x86_das; set_timing(d, X86_T_BCD); return;
    case 0x37: i->exec = x86_aaa; set_timing(d, X86_T_BCD); return;
    case 0x3F: i->exec = x86_aas; set_timing(d, X86_T_BCD); return;
    default: break;
    }
    if (op >= 0x40 && op <= 0x4F) {
        i->reg = op & 7;
        i->exec = op < 0x48 ? x86_inc_reg[o] : x86_dec_reg[o];
        set_timing(d, X86_T_INCREG);
        return;
    }
    if (op >= 0x50 && op <= 0x57) {
        i->reg = op & 7;
        if (m == X86_8086 && i->reg == X86_ESP)
            i->exec = x86_push_sp_8086;
        else
            i->exec = i->o32 ? x86_push_reg32 : x86_push_reg16;
        set_timing(d, X86_T_PUSH);
        return;
    }
    if (op >= 0x58 && op <= 0x5F) {
        i->reg = op & 7;
        i->exec = i->o32 ? x86_pop_reg32 : x86_pop_reg16;
        set_timing(d, X86_T_POP);
        return;
    }
    if (op >= 0x70 && op <= 0x7F) {
        i->imm = fetch_simm8(d);
        i->exec = i->o32 ? x86_jcc32 : x86_jcc16;
        set_timing(d, X86_T_JCC);
        return;
    }
    if (op >= 0x91 && op <= 0x97) {
        i->reg = op & 7;
        i->exec = i->o32 ? x86_xchg_AX32 : x86_xchg_AX16;
        set_timing(d, X86_T_XCHG);
        return;
    }
    if (op >= 0xB0 && op <= 0xBF) {
        int sz = op < 0xB8 ? 0 : o;
        i->reg = op & 7;
        i->imm = fetch_imm(d, sz);
        i->exec = x86_mov_regI[sz];
        set_timing(d, X86_T_MOV_IMM);
        return;
    }
    if (op >= 0xD8 && op <= 0xDF) {
        modrm(d);
        i->exec = x86_esc;
        set_timing(d, X86_T_ESC);
        return;
    }

    switch (op) {
    case 0x60:
        i->exec = i->o32 ? x86_pusha32 : x86_pusha16;
        set_timing(d, X86_T_PUSHA);
        return;
    case 0x61:
        i->exec = i->o32 ? x86_popa32 : x86_popa16;
        set_timing(d, X86_T_POPA);
        return;
    case 0x63:
        if (m == X86_8086)
            break;
        modrm(d);
        i->exec = x86_arpl;
        set_timing(d, X86_T_SYS);
        return;
    case 0x62:
        modrm(d);
        if (!i->is_mem) {
            undefined(d);
            return;
        }
        i->exec = i->o32 ? x86_bound32 : x86_bound16;
        set_timing(d, X86_T_BOUND);
        return;
    case 0x68:
        i->imm = fetch_imm(d, o);
        i->exec = i->o32 ? x86_push_I32 : x86_push_I16;
        set_timing(d, X86_T_PUSH);
        return;
    case 0x6A:
        i->imm = fetch_simm8(d);
        if (!i->o32)
            i->imm &= 0xFFFF;
        i->exec = i->o32 ? x86_push_I32 : x86_push_I16;
        set_timing(d, X86_T_PUSH);
        return;
    case 0x69:
    case 0x6B:
        modrm(d);
        i->imm = op == 0x69 ? fetch_imm(d, o) : fetch_simm8(d);
        i->exec = i->o32 ? x86_imul_GEI32 : x86_imul_GEI16;
        set_timing(d, X86_T_IMUL3);
        return;
    case 0x6C: case 0x6D: case 0x6E: case 0x6F:
        decode_string(d, op);
        i->cycles = (uint16_t)(i->cycles + x86_timing(m, X86_T_IO, 0));
        return;
    case 0x80: case 0x81: case 0x82: case 0x83:
        decode_group1(d, op);
        return;
    case 0x84: case 0x85:
        modrm(d);
        i->exec = FORM(d, x86_test_EG_r, x86_test_EG_m)[op == 0x84 ? 0 : o];
        set_timing(d, X86_T_ALU);
        return;
    case 0x86: case 0x87:
        modrm(d);
        i->exec = FORM(d, x86_xchg_EG_r, x86_xchg_EG_m)[op == 0x86 ? 0 : o];
        set_timing(d, X86_T_XCHG);
        return;
    case 0x88: case 0x89:
        modrm(d);
        i->exec = FORM(d, x86_mov_EG_r, x86_mov_EG_m)[op == 0x88 ? 0 : o];
        set_timing(d, X86_T_MOV_ST);
        return;
    case 0x8A: case 0x8B:
        modrm(d);
        i->exec = FORM(d, x86_mov_GE_r, x86_mov_GE_m)[op == 0x8A ? 0 : o];
        set_timing(d, X86_T_MOV);
        return;
    case 0x8C:
        modrm(d);
        if (m == X86_8086)
            i->reg &= 3;
        else if (i->reg >= (m == X86_286 ? 4 : 6)) {
            undefined(d);
            return;
        }
        i->exec = x86_mov_E_sreg;
        set_timing(d, X86_T_MOVSEG);
        return;
    case 0x8D:
        modrm(d);
        if (!i->is_mem) {
            /* The 8086 has no #UD: LEA with a register operand yields an
             * undefined value; not modelled beyond leaving it unchanged. */
            if (m == X86_8086)
                i->exec = x86_nop;
            else
                undefined(d);
            return;
        }
        i->exec = i->o32 ? x86_lea32 : x86_lea16;
        set_timing(d, X86_T_LEA);
        return;
    case 0x8E:
        modrm(d);
        if (m == X86_8086)
            i->reg &= 3;
        else if (i->reg == X86_CS || i->reg >= (m == X86_286 ? 4 : 6)) {
            undefined(d);
            return;
        }
        i->exec = x86_mov_sreg_E;
        set_timing(d, X86_T_MOVSEG);
        if (i->reg == X86_CS)
            ends(d);
        return;
    case 0x8F:
        modrm(d);
        if (i->reg != 0 && m != X86_8086) {
            undefined(d);
            return;
        }
        i->exec = i->o32 ? x86_pop_E32 : x86_pop_E16;
        set_timing(d, X86_T_POP);
        return;
    case 0x90:
        /* XCHG AX, AX; with F3 it is PAUSE, also a no-op here. */
        i->exec = x86_nop;
        set_timing(d, X86_T_NOP);
        return;
    case 0x98: i->exec = i->o32 ? x86_cwde : x86_cbw; set_timing(d, X86_T_CBW); return;
    case 0x99: i->exec = i->o32 ? x86_cdq : x86_cwd; set_timing(d, X86_T_CWD); return;
    case 0x9A:
        i->imm = fetch_imm(d, o);
        i->imm2 = fetch16(d);
        i->exec = i->o32 ? x86_call_far32 : x86_call_far16;
        set_timing(d, X86_T_CALL_FAR);
        ends(d);
        return;
    case 0x9B: i->exec = x86_wait; set_timing(d, X86_T_NOP); return;
    case 0x9C: i->exec = i->o32 ? x86_pushf32 : x86_pushf16; set_timing(d, X86_T_PUSHF); return;
    case 0x9D:
        i->exec = i->o32 ? x86_popf32 : x86_popf16;
        set_timing(d, X86_T_POPF);
        ends(d);
        return;
    case 0x9E: i->exec = x86_sahf; set_timing(d, X86_T_SAHF); return;
    case 0x9F: i->exec = x86_lahf; set_timing(d, X86_T_SAHF); return;
    case 0xA0: case 0xA1: case 0xA2: case 0xA3: {
        int sz = (op & 1) ? o : 0;
        i->disp = i->a32 ? fetch32(d) : fetch16(d);
        i->seg = d->seg_override >= 0 ? (uint8_t)d->seg_override : X86_DS;
        i->exec = op < 0xA2 ? x86_mov_A_moffs[sz] : x86_mov_moffs_A[sz];
        set_timing(d, X86_T_MOV_ACC);
        return;
    }
    case 0xA4: case 0xA5: case 0xA6: case 0xA7: case 0xAA: case 0xAB:
    case 0xAC: case 0xAD: case 0xAE: case 0xAF:
        decode_string(d, op);
        return;
    case 0xA8: case 0xA9: {
        int sz = op == 0xA8 ? 0 : o;
        i->imm = fetch_imm(d, sz);
        i->exec = x86_test_AI[sz];
        set_timing(d, X86_T_ACC_IMM);
        return;
    }
    case 0xC0: case 0xC1: case 0xD0: case 0xD1: case 0xD2: case 0xD3:
        decode_shift(d, op);
        return;
    case 0xC2: case 0xC3:
        i->imm = op == 0xC2 ? fetch16(d) : 0;
        i->exec = i->o32 ? x86_ret32 : x86_ret16;
        set_timing(d, X86_T_RET);
        ends(d);
        return;
    case 0xC4: case 0xC5:
        modrm(d);
        if (!i->is_mem && m != X86_8086) {
            undefined(d);
            return;
        }
        i->imm2 = op == 0xC4 ? X86_ES : X86_DS;
        i->exec = i->o32 ? x86_load_far32 : x86_load_far16;
        set_timing(d, X86_T_LOADFAR);
        return;
    case 0xC6: case 0xC7: {
        int sz = op == 0xC6 ? 0 : o;
        modrm(d);
        if (i->reg != 0 && m != X86_8086) {
            undefined(d);
            return;
        }
        i->imm = fetch_imm(d, sz);
        i->exec = FORM(d, x86_mov_EI_r, x86_mov_EI_m)[sz];
        set_timing(d, X86_T_MOV_IMM);
        return;
    }
    case 0xC8:
        i->imm = fetch16(d);
        i->imm2 = fetch8(d);
        i->exec = i->o32 ? x86_enter32 : x86_enter16;
        set_timing(d, X86_T_ENTER);
        return;
    case 0xC9: i->exec = i->o32 ? x86_leave32 : x86_leave16; set_timing(d, X86_T_LEAVE); return;
    case 0xCA: case 0xCB:
        i->imm = op == 0xCA ? fetch16(d) : 0;
        i->exec = i->o32 ? x86_retf32 : x86_retf16;
        set_timing(d, X86_T_RETF);
        ends(d);
        return;
    case 0xCC: i->exec = x86_int3; set_timing(d, X86_T_INT3); ends(d); return;
    case 0xCD: i->imm = fetch8(d); i->exec = x86_int; set_timing(d, X86_T_INT); ends(d); return;
    case 0xCE: i->exec = x86_into; set_timing(d, X86_T_INT); ends(d); return;
    case 0xCF: i->exec = i->o32 ? x86_iret32 : x86_iret16; set_timing(d, X86_T_IRET); ends(d); return;
    case 0xD4: i->imm = fetch8(d); i->exec = x86_aam; set_timing(d, X86_T_AAM); return;
    case 0xD5: i->imm = fetch8(d); i->exec = x86_aad; set_timing(d, X86_T_AAD); return;
    case 0xD6: i->exec = x86_salc; set_timing(d, X86_T_FLAGOP); return;
    case 0xD7:
        i->seg = d->seg_override >= 0 ? (uint8_t)d->seg_override : X86_DS;
        i->exec = x86_xlat;
        set_timing(d, X86_T_XLAT);
        return;
    case 0xE0: case 0xE1: case 0xE2: case 0xE3:
        i->imm = fetch_simm8(d);
        i->exec = op == 0xE0 ? x86_loopne : op == 0xE1 ? x86_loope : op == 0xE2 ? x86_loop : x86_jcxz;
        set_timing(d, X86_T_LOOP);
        return;
    case 0xE4: case 0xE5: case 0xE6: case 0xE7:
        i->imm = fetch8(d);
        i->exec = op < 0xE6 ? x86_in_I : x86_out_I;
        set_timing(d, X86_T_IO);
        return;
    case 0xE8:
        i->imm = i->o32 ? fetch32(d) : fetch16(d);
        i->exec = i->o32 ? x86_call_rel32 : x86_call_rel16;
        set_timing(d, X86_T_CALL);
        ends(d);
        return;
    case 0xE9:
        i->imm = i->o32 ? fetch32(d) : fetch16(d);
        i->exec = i->o32 ? x86_jmp_rel32 : x86_jmp_rel16;
        set_timing(d, X86_T_JMP);
        ends(d);
        return;
    case 0xEA:
        i->imm = fetch_imm(d, o);
        i->imm2 = fetch16(d);
        i->exec = x86_jmp_far;
        set_timing(d, X86_T_JMP_FAR);
        ends(d);
        return;
    case 0xEB:
        i->imm = fetch_simm8(d);
        i->exec = i->o32 ? x86_jmp_rel32 : x86_jmp_rel16;
        set_timing(d, X86_T_JMP);
        ends(d);
        return;
    case 0xEC: case 0xED: case 0xEE: case 0xEF:
        i->exec = op < 0xEE ? x86_in_DX : x86_out_DX;
        set_timing(d, X86_T_IO);
        return;
    case 0xF1:
        /* INT1 (ICEBP) on the 386 and later; undefined on the 286. */
        if (m < X86_386)
            break;
        i->exec = x86_int1;
        set_timing(d, X86_T_INT);
        ends(d);
        return;
    case 0xF4: i->exec = x86_hlt; set_timing(d, X86_T_HLT); ends(d); return;
    case 0xF5: i->exec = x86_cmc; set_timing(d, X86_T_FLAGOP); return;
    case 0xF6: case 0xF7: decode_group3(d, op); return;
    case 0xF8: i->exec = x86_clc; set_timing(d, X86_T_FLAGOP); return;
    case 0xF9: i->exec = x86_stc; set_timing(d, X86_T_FLAGOP); return;
    case 0xFA: i->exec = x86_cli; set_timing(d, X86_T_FLAGOP); return;
    case 0xFB: i->exec = x86_sti; set_timing(d, X86_T_FLAGOP); ends(d); return;
    case 0xFC: i->exec = x86_cld; set_timing(d, X86_T_FLAGOP); return;
    case 0xFD: i->exec = x86_std; set_timing(d, X86_T_FLAGOP); return;
    case 0xFE: case 0xFF: decode_group45(d, op); return;
    default:
        break;
    }
    undefined(d);
}

/* ------------------------------------------------------------------ */
/* Two-byte opcodes (0F xx): the 286's system group, the 386's map      */

static void decode_0f(struct dec *d)
{
    struct x86_insn *i = d->i;
    enum x86_model m = d->model;
    uint8_t op = fetch8(d);
    int o = osz(d);
    i->opcode = (uint16_t)(0x0F00 | op);

    switch (op) {
    case 0x00:  /* group 6 */
        modrm(d);
        switch (i->reg) {
        case 0: i->exec = x86_sldt; break;
        case 1: i->exec = x86_str; break;
        case 2: i->exec = x86_lldt; break;
        case 3: i->exec = x86_ltr; break;
        case 4: i->exec = x86_verr; break;
        case 5: i->exec = x86_verw; break;
        default: undefined(d); return;
        }
        set_timing(d, X86_T_SYS);
        return;
    case 0x01:  /* group 7 */
        modrm(d);
        switch (i->reg) {
        case 0: i->exec = x86_sgdt; break;
        case 1: i->exec = x86_sidt; break;
        case 2: i->exec = x86_lgdt; break;
        case 3: i->exec = x86_lidt; break;
        case 4: i->exec = x86_smsw; break;
        case 6: i->exec = x86_lmsw; ends(d); break;
        case 7:
            if (m < X86_486 || !i->is_mem) {
                undefined(d);
                return;
            }
            i->exec = x86_invlpg;
            ends(d);
            break;
        default: undefined(d); return;
        }
        set_timing(d, X86_T_SYS);
        return;
    case 0x02:
    case 0x03:
        modrm(d);
        i->exec = op == 0x02 ? x86_lar : x86_lsl;
        set_timing(d, X86_T_SYS);
        return;
    case 0x06:
        i->exec = x86_clts;
        set_timing(d, X86_T_SYS);
        return;
    default:
        break;
    }
    if (m < X86_386) {
        undefined(d);
        return;
    }
    switch (op) {
    case 0x08:
    case 0x09:
        if (m < X86_486)
            break;
        i->exec = x86_invd;
        set_timing(d, X86_T_SYS);
        return;
    case 0x20: case 0x21: case 0x22: case 0x23:
        /* MOV to/from CRn/DRn: the ModR/M mod field is ignored, the
         * operand is always a register (SDM vol. 2, MOV-Control Registers). */
        modrm(d);
        i->is_mem = 0;
        i->exec = op == 0x20 ? x86_mov_r_cr : op == 0x21 ? x86_mov_r_dr : op == 0x22 ? x86_mov_cr_r : x86_mov_dr_r;
        set_timing(d, X86_T_SYS);
        if (op == 0x22)
            ends(d);
        return;
    case 0x30: case 0x31: case 0x32:
        if (m < X86_PENTIUM)
            break;
        i->exec = op == 0x30 ? x86_wrmsr : op == 0x31 ? x86_rdtsc : x86_rdmsr;
        set_timing(d, X86_T_SYS);
        return;
    case 0x34: case 0x35:
        if (m < X86_P6)
            break;
        i->exec = op == 0x34 ? x86_sysenter : x86_sysexit;
        set_timing(d, X86_T_SYS);
        ends(d);
        return;
    case 0xAA:
        if (m < X86_486)
            break;
        i->exec = x86_rsm;
        set_timing(d, X86_T_SYS);
        ends(d);
        return;
    case 0xA2:
        if (m < X86_PENTIUM)
            break;
        i->exec = x86_cpuid;
        set_timing(d, X86_T_SYS);
        return;
    default:
        break;
    }
    if (op >= 0x80 && op <= 0x8F) {
        i->imm = i->o32 ? fetch32(d) : (uint32_t)(int32_t)(int16_t)fetch16(d);
        i->exec = i->o32 ? x86_jcc32 : x86_jcc16;
        set_timing(d, X86_T_JCC);
        return;
    }
    if (op >= 0x90 && op <= 0x9F) {
        modrm(d);
        i->exec = x86_setcc;
        set_timing(d, X86_T_SETCC);
        return;
    }
    if (op >= 0x40 && op <= 0x4F && m >= X86_P6) {
        modrm(d);
        i->exec = i->o32 ? x86_cmov32 : x86_cmov16;
        set_timing(d, X86_T_MOV);
        return;
    }
    if (op >= 0xC8 && m >= X86_486) {
        i->reg = op & 7;
        i->exec = x86_bswap;
        set_timing(d, X86_T_CBW);
        return;
    }
    switch (op) {
    case 0xA0: case 0xA8:
        i->reg = op == 0xA0 ? X86_FS : X86_GS;
        i->exec = i->o32 ? x86_push_sreg32 : x86_push_sreg16;
        set_timing(d, X86_T_PUSHSEG);
        return;
    case 0xA1: case 0xA9:
        i->reg = op == 0xA1 ? X86_FS : X86_GS;
        i->exec = i->o32 ? x86_pop_sreg32 : x86_pop_sreg16;
        set_timing(d, X86_T_POPSEG);
        return;
    case 0xA3: case 0xAB: case 0xB3: case 0xBB:
        modrm(d);
        i->exec = x86_bt_G[(op >> 3) & 3][o - 1];
        set_timing(d, X86_T_BT);
        return;
    case 0xBA:
        modrm(d);
        if (i->reg < 4) {
            undefined(d);
            return;
        }
        i->imm = fetch8(d);
        i->exec = x86_bt_I[i->reg - 4][o - 1];
        set_timing(d, X86_T_BT);
        return;
    case 0xA4: case 0xAC:
        modrm(d);
        i->imm = fetch8(d);
        i->exec = op == 0xA4 ? (i->o32 ? x86_shld_I32 : x86_shld_I16) : (i->o32 ? x86_shrd_I32 : x86_shrd_I16);
        set_timing(d, X86_T_SHXD);
        return;
    case 0xA5: case 0xAD:
        modrm(d);
        i->exec = op == 0xA5 ? (i->o32 ? x86_shld_CL32 : x86_shld_CL16) : (i->o32 ? x86_shrd_CL32 : x86_shrd_CL16);
        set_timing(d, X86_T_SHXD);
        return;
    case 0xAF:
        modrm(d);
        i->exec = i->o32 ? x86_imul_GE32 : x86_imul_GE16;
        set_timing(d, X86_T_IMUL3);
        return;
    case 0xB2: case 0xB4: case 0xB5:
        modrm(d);
        if (!i->is_mem) {
            undefined(d);
            return;
        }
        i->imm2 = op == 0xB2 ? X86_SS : op == 0xB4 ? X86_FS : X86_GS;
        i->exec = i->o32 ? x86_load_far32 : x86_load_far16;
        set_timing(d, X86_T_LOADFAR);
        return;
    case 0xB6: case 0xB7: case 0xBE: case 0xBF:
        modrm(d);
        if (op & 1)
            i->exec = op == 0xB7 ? x86_movzx_w32 : x86_movsx_w32;
        else if (op == 0xB6)
            i->exec = i->o32 ? x86_movzx_b32 : x86_movzx_b16;
        else
            i->exec = i->o32 ? x86_movsx_b32 : x86_movsx_b16;
        /* MOVZX/MOVSX r16, r/m16 is a plain move of the word. */
        if ((op & 1) && !i->o32)
            i->exec = FORM(d, x86_mov_GE_r, x86_mov_GE_m)[1];
        set_timing(d, X86_T_MOVX);
        return;
    case 0xBC: case 0xBD:
        modrm(d);
        i->exec = op == 0xBC ? (i->o32 ? x86_bsf32 : x86_bsf16) : (i->o32 ? x86_bsr32 : x86_bsr16);
        set_timing(d, X86_T_BITSCAN);
        return;
    case 0xB0: case 0xB1:
        if (m < X86_486)
            break;
        modrm(d);
        i->exec = x86_cmpxchg[op == 0xB0 ? 0 : o];
        set_timing(d, X86_T_XCHG);
        return;
    case 0xC0: case 0xC1:
        if (m < X86_486)
            break;
        modrm(d);
        i->exec = x86_xadd[op == 0xC0 ? 0 : o];
        set_timing(d, X86_T_XCHG);
        return;
    case 0xC7:
        if (m < X86_PENTIUM)
            break;
        modrm(d);
        if (i->reg != 1)
            break;
        i->exec = x86_cmpxchg8b;
        set_timing(d, X86_T_XCHG);
        return;
    case 0x0B:
        break;  /* UD2: #UD by definition */
    default:
        break;
    }
    undefined(d);
}

/* ------------------------------------------------------------------ */

int x86_decode(enum x86_model model, int code32, const uint8_t *buf, int avail, struct x86_insn *out)
{
    struct dec d = { buf, avail, 0, 0, model, code32, -1, out };
    memset(out, 0, sizeof(*out));
    out->o32 = (uint8_t)code32;
    out->a32 = (uint8_t)code32;
    out->base = out->index = NONE;
    out->seg = X86_DS;
    /* Longest legal instruction: 10 bytes on the 286 (longer ones raise
     * #GP, as the 80286 data shows), 15 from the 386 on.  The 8086 has no
     * limit; prefixes past 15 bytes are treated as one no-op here. */
    const int max_len = model == X86_286 ? 10 : 15;

    for (;;) {
        if (d.pos >= max_len) {
            if (model == X86_8086) {
                out->exec = x86_nop;
                out->len = (uint8_t)d.pos;
                return d.pos;
            }
            break;
        }
        uint8_t b = fetch8(&d);
        if (d.short_input)
            return 0;
        switch (b) {
        case 0x26: case 0x2E: case 0x36: case 0x3E:
            d.seg_override = (b >> 3) & 3;
            out->flags |= X86_I_SEG_OVERRIDE;
            continue;
        case 0x64: case 0x65:
            if (model < X86_386)
                break;
            d.seg_override = b == 0x64 ? X86_FS : X86_GS;
            out->flags |= X86_I_SEG_OVERRIDE;
            continue;
        case 0x66:
            if (model < X86_386)
                break;
            out->o32 = (uint8_t)!code32;
            continue;
        case 0x67:
            if (model < X86_386)
                break;
            out->a32 = (uint8_t)!code32;
            continue;
        case 0xF0:
            out->flags |= X86_I_LOCK;
            continue;
        case 0xF1:
            if (model != X86_8086)
                break;
            out->flags |= X86_I_LOCK;   /* the 8086 decodes F1 as LOCK */
            continue;
        case 0xF2: out->rep = X86_REP_NE; continue;
        case 0xF3: out->rep = X86_REP_E; continue;
        default: break;
        }
        out->nprefix = (uint8_t)(d.pos - 1);
        decode_one_byte(&d, b);
        if (d.short_input)
            return 0;
        if (d.pos > max_len)
            break;
        out->len = (uint8_t)d.pos;
        return d.pos;
    }
    /* Too long: #GP(0) before anything executes. */
    if (d.short_input)
        return 0;
    memset(out, 0, sizeof(*out));
    out->exec = x86_fault_gp0;
    out->len = (uint8_t)max_len;
    out->base = out->index = NONE;
    out->flags = X86_I_ENDS_TRACE;
    return max_len;
}
