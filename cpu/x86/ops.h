/*
 * The instruction handlers, one per instruction form.  The decoder picks
 * one and fills in the operands; the handler does no decoding.
 *
 * Naming: operand forms follow Intel's opcode-map notation -- E = ModR/M
 * r/m operand, G = ModR/M reg, I = immediate; b/w/d = byte/word/dword.  A
 * `_r` or `_m` suffix says whether the r/m operand is a register or memory.
 */
#ifndef TRAPEZE_CPU_X86_OPS_H
#define TRAPEZE_CPU_X86_OPS_H

#include "cpu/x86/internal.h"

#define X86_OP(name) void name(struct x86_cpu *c, const struct x86_insn *i)

/* ALU: ADD OR ADC SBB AND SUB XOR CMP, indexed by the operation (reg field
 * of 80-83, or opcode bits 3..5) and the size index 0/1/2. */
extern const x86_exec_fn x86_alu_EG_r[8][3], x86_alu_EG_m[8][3];  /* E = E op G */
extern const x86_exec_fn x86_alu_GE_r[8][3], x86_alu_GE_m[8][3];  /* G = G op E */
extern const x86_exec_fn x86_alu_EI_r[8][3], x86_alu_EI_m[8][3];  /* E = E op imm */
extern const x86_exec_fn x86_alu_AI[8][3];                         /* AL/AX/EAX op imm */

/* Size-indexed families [0]=8 [1]=16 [2]=32; _r/_m forms. */
extern const x86_exec_fn x86_inc_E_r[3], x86_inc_E_m[3], x86_dec_E_r[3], x86_dec_E_m[3];
extern const x86_exec_fn x86_inc_reg[3], x86_dec_reg[3];
extern const x86_exec_fn x86_test_EG_r[3], x86_test_EG_m[3], x86_test_EI_r[3], x86_test_EI_m[3];
extern const x86_exec_fn x86_test_AI[3];
extern const x86_exec_fn x86_not_r[3], x86_not_m[3], x86_neg_r[3], x86_neg_m[3];
extern const x86_exec_fn x86_mul_E[3], x86_imul_E[3], x86_div_E[3], x86_idiv_E[3];
X86_OP(x86_imul_GEI16); X86_OP(x86_imul_GEI32); X86_OP(x86_imul_GE16); X86_OP(x86_imul_GE32);
X86_OP(x86_daa); X86_OP(x86_das); X86_OP(x86_aaa); X86_OP(x86_aas); X86_OP(x86_aam); X86_OP(x86_aad);
X86_OP(x86_cbw); X86_OP(x86_cwde); X86_OP(x86_cwd); X86_OP(x86_cdq); X86_OP(x86_salc);

/* Shifts and rotates: [operation 0..7][size]; count from 1, CL or imm8. */
extern const x86_exec_fn x86_shift_1[8][3], x86_shift_CL[8][3], x86_shift_I[8][3];
X86_OP(x86_shld_I16); X86_OP(x86_shld_I32); X86_OP(x86_shld_CL16); X86_OP(x86_shld_CL32);
X86_OP(x86_shrd_I16); X86_OP(x86_shrd_I32); X86_OP(x86_shrd_CL16); X86_OP(x86_shrd_CL32);
/* BT/BTS/BTR/BTC [op 0..3][0=16,1=32] with a register or immediate bit offset. */
extern const x86_exec_fn x86_bt_G[4][2], x86_bt_I[4][2];
X86_OP(x86_bsf16); X86_OP(x86_bsf32); X86_OP(x86_bsr16); X86_OP(x86_bsr32);

/* Data movement. */
extern const x86_exec_fn x86_mov_EG_r[3], x86_mov_EG_m[3], x86_mov_GE_r[3], x86_mov_GE_m[3];
extern const x86_exec_fn x86_mov_EI_r[3], x86_mov_EI_m[3], x86_mov_regI[3];
extern const x86_exec_fn x86_mov_A_moffs[3], x86_mov_moffs_A[3];
extern const x86_exec_fn x86_xchg_EG_r[3], x86_xchg_EG_m[3];
X86_OP(x86_xchg_AX16); X86_OP(x86_xchg_AX32);
X86_OP(x86_mov_E_sreg); X86_OP(x86_mov_sreg_E);
X86_OP(x86_lea16); X86_OP(x86_lea32);
X86_OP(x86_load_far16); X86_OP(x86_load_far32);   /* LES/LDS/LSS/LFS/LGS: seg in imm2 */
X86_OP(x86_push_reg16); X86_OP(x86_push_reg32); X86_OP(x86_pop_reg16); X86_OP(x86_pop_reg32);
X86_OP(x86_push_sp_8086);
X86_OP(x86_push_I16); X86_OP(x86_push_I32);
X86_OP(x86_push_E16); X86_OP(x86_push_E32); X86_OP(x86_pop_E16); X86_OP(x86_pop_E32);
X86_OP(x86_push_sreg16); X86_OP(x86_push_sreg32); X86_OP(x86_pop_sreg16); X86_OP(x86_pop_sreg32);
X86_OP(x86_pusha16); X86_OP(x86_pusha32); X86_OP(x86_popa16); X86_OP(x86_popa32);
X86_OP(x86_pushf16); X86_OP(x86_pushf32); X86_OP(x86_popf16); X86_OP(x86_popf32);
X86_OP(x86_sahf); X86_OP(x86_lahf); X86_OP(x86_xlat);
X86_OP(x86_movzx_b16); X86_OP(x86_movzx_b32); X86_OP(x86_movzx_w32);
X86_OP(x86_movsx_b16); X86_OP(x86_movsx_b32); X86_OP(x86_movsx_w32);
X86_OP(x86_setcc); X86_OP(x86_cmov16); X86_OP(x86_cmov32); X86_OP(x86_bswap);
extern const x86_exec_fn x86_xadd[3], x86_cmpxchg[3];
X86_OP(x86_cmpxchg8b);
X86_OP(x86_enter16); X86_OP(x86_enter32); X86_OP(x86_leave16); X86_OP(x86_leave32);

/* Strings: [size] for the plain form and the REP form. */
extern const x86_exec_fn x86_movs[3], x86_rep_movs[3], x86_stos[3], x86_rep_stos[3];
extern const x86_exec_fn x86_lods[3], x86_rep_lods[3], x86_cmps[3], x86_rep_cmps[3];
extern const x86_exec_fn x86_scas[3], x86_rep_scas[3], x86_ins[3], x86_rep_ins[3];
extern const x86_exec_fn x86_outs[3], x86_rep_outs[3];

/* Control transfer. */
X86_OP(x86_jmp_rel16); X86_OP(x86_jmp_rel32); X86_OP(x86_jcc16); X86_OP(x86_jcc32);
X86_OP(x86_jmp_E16); X86_OP(x86_jmp_E32); X86_OP(x86_jmp_far); X86_OP(x86_jmp_farE16);
X86_OP(x86_jmp_farE32);
X86_OP(x86_call_rel16); X86_OP(x86_call_rel32); X86_OP(x86_call_E16); X86_OP(x86_call_E32);
X86_OP(x86_call_far16); X86_OP(x86_call_far32); X86_OP(x86_call_farE16); X86_OP(x86_call_farE32);
X86_OP(x86_ret16); X86_OP(x86_ret32); X86_OP(x86_retf16); X86_OP(x86_retf32);
X86_OP(x86_loop); X86_OP(x86_loope); X86_OP(x86_loopne); X86_OP(x86_jcxz);
X86_OP(x86_int); X86_OP(x86_int3); X86_OP(x86_into); X86_OP(x86_iret16); X86_OP(x86_iret32);
X86_OP(x86_bound16); X86_OP(x86_bound32);

/* System and miscellaneous. */
X86_OP(x86_in_I); X86_OP(x86_in_DX); X86_OP(x86_out_I); X86_OP(x86_out_DX);
X86_OP(x86_hlt); X86_OP(x86_nop); X86_OP(x86_wait); X86_OP(x86_esc);
X86_OP(x86_clc); X86_OP(x86_stc); X86_OP(x86_cmc); X86_OP(x86_cld); X86_OP(x86_std);
X86_OP(x86_cli); X86_OP(x86_sti);
X86_OP(x86_invalid);        /* #UD on the 286 and later */
X86_OP(x86_fault_gp0);      /* instruction too long */
X86_OP(x86_cpuid); X86_OP(x86_rdtsc); X86_OP(x86_rdmsr); X86_OP(x86_wrmsr);
X86_OP(x86_mov_cr_r); X86_OP(x86_mov_r_cr); X86_OP(x86_mov_dr_r); X86_OP(x86_mov_r_dr);
X86_OP(x86_smsw); X86_OP(x86_lmsw); X86_OP(x86_clts); X86_OP(x86_invd); X86_OP(x86_invlpg);
X86_OP(x86_lgdt); X86_OP(x86_lidt); X86_OP(x86_sgdt); X86_OP(x86_sidt);
X86_OP(x86_sldt); X86_OP(x86_str); X86_OP(x86_lldt); X86_OP(x86_ltr); X86_OP(x86_lar); X86_OP(x86_lsl);
X86_OP(x86_verr); X86_OP(x86_verw); X86_OP(x86_arpl); X86_OP(x86_int1);
X86_OP(x86_sysenter); X86_OP(x86_sysexit); X86_OP(x86_rsm);
/* MOV to CR0..CR4 with all its side effects (also used by task switches). */
void x86_write_cr(struct x86_cpu *c, int n, uint32_t v);

#endif
