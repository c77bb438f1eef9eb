/*
 * The operations of the 6502, grouped by how they use the bus.  The order
 * matters: the core tells an operation's group by its range.
 */
#ifndef TRAPEZE_CPU_M6502_OPS_H
#define TRAPEZE_CPU_M6502_OPS_H

enum m6502_op {
    /* Read: the operand is read once, then used. */
    OP_LDA, OP_LDX, OP_LDY, OP_LAX, OP_LAS,
    OP_ORA, OP_AND, OP_EOR, OP_ADC, OP_SBC,
    OP_CMP, OP_CPX, OP_CPY, OP_BIT, OP_NOP,
    OP_ANC, OP_ALR, OP_ARR, OP_SBX, OP_ANE, OP_LXA,
    /* Write: the operand address is written once. */
    OP_STA, OP_STX, OP_STY, OP_SAX, OP_SHA, OP_SHX, OP_SHY, OP_TAS,
    /* Read-modify-write: read, write back unchanged, write the result. */
    OP_ASL, OP_LSR, OP_ROL, OP_ROR, OP_INC, OP_DEC,
    OP_SLO, OP_RLA, OP_SRE, OP_RRA, OP_DCP, OP_ISC,
    /* Implied: registers only. */
    OP_CLC, OP_SEC, OP_CLI, OP_SEI, OP_CLV, OP_CLD, OP_SED,
    OP_TAX, OP_TXA, OP_TAY, OP_TYA, OP_TSX, OP_TXS,
    OP_INX, OP_INY, OP_DEX, OP_DEY,
    /* Branches, in opcode order ($10, $30, ... $F0). */
    OP_BPL, OP_BMI, OP_BVC, OP_BVS, OP_BCC, OP_BCS, OP_BNE, OP_BEQ,
    /* Instructions with a bus sequence of their own. */
    OP_BRK, OP_JSR, OP_RTS, OP_RTI, OP_PHA, OP_PHP, OP_PLA, OP_PLP,
    OP_JMP, OP_JMPI, OP_JAM,
    OP_COUNT
};

#define OP_FIRST_WRITE OP_STA
#define OP_FIRST_RMW OP_ASL
#define OP_FIRST_IMPLIED OP_CLC
#define OP_FIRST_BRANCH OP_BPL
#define OP_FIRST_SPECIAL OP_BRK

#endif
