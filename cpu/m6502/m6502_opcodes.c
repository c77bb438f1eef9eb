/*
 * The NMOS 6502 opcode matrix: mnemonic, addressing mode and operation for
 * all 256 opcodes.  Rows are the high nibble.  The undocumented opcodes use
 * the names most references use today (SLO, RLA, SRE, RRA, SAX, LAX, DCP,
 * ISC, ANC, ALR, ARR, SBX, ANE, LXA, LAS, SHA, SHX, SHY, TAS, JAM).
 */
#include "cpu/m6502/m6502.h"
#include "cpu/m6502/m6502_ops.h"

#define D(mn, mode, op) { mn, M6502_##mode, OP_##op, 0 }     /* documented */
#define U(mn, mode, op) { mn, M6502_##mode, OP_##op, 1 }     /* undocumented */

const struct m6502_opinfo m6502_opcodes[256] = {
    /* $0x */
    D("BRK", IMP, BRK), D("ORA", IZX, ORA), U("JAM", IMP, JAM), U("SLO", IZX, SLO),
    U("NOP", ZP, NOP),  D("ORA", ZP, ORA),  D("ASL", ZP, ASL),  U("SLO", ZP, SLO),
    D("PHP", IMP, PHP), D("ORA", IMM, ORA), D("ASL", ACC, ASL), U("ANC", IMM, ANC),
    U("NOP", ABS, NOP), D("ORA", ABS, ORA), D("ASL", ABS, ASL), U("SLO", ABS, SLO),
    /* $1x */
    D("BPL", REL, BPL), D("ORA", IZY, ORA), U("JAM", IMP, JAM), U("SLO", IZY, SLO),
    U("NOP", ZPX, NOP), D("ORA", ZPX, ORA), D("ASL", ZPX, ASL), U("SLO", ZPX, SLO),
    D("CLC", IMP, CLC), D("ORA", ABSY, ORA), U("NOP", IMP, NOP), U("SLO", ABSY, SLO),
    U("NOP", ABSX, NOP), D("ORA", ABSX, ORA), D("ASL", ABSX, ASL), U("SLO", ABSX, SLO),
    /* $2x */
    D("JSR", ABS, JSR), D("AND", IZX, AND), U("JAM", IMP, JAM), U("RLA", IZX, RLA),
    D("BIT", ZP, BIT),  D("AND", ZP, AND),  D("ROL", ZP, ROL),  U("RLA", ZP, RLA),
    D("PLP", IMP, PLP), D("AND", IMM, AND), D("ROL", ACC, ROL), U("ANC", IMM, ANC),
    D("BIT", ABS, BIT), D("AND", ABS, AND), D("ROL", ABS, ROL), U("RLA", ABS, RLA),
    /* $3x */
    D("BMI", REL, BMI), D("AND", IZY, AND), U("JAM", IMP, JAM), U("RLA", IZY, RLA),
    U("NOP", ZPX, NOP), D("AND", ZPX, AND), D("ROL", ZPX, ROL), U("RLA", ZPX, RLA),
    D("SEC", IMP, SEC), D("AND", ABSY, AND), U("NOP", IMP, NOP), U("RLA", ABSY, RLA),
    U("NOP", ABSX, NOP), D("AND", ABSX, AND), D("ROL", ABSX, ROL), U("RLA", ABSX, RLA),
    /* $4x */
    D("RTI", IMP, RTI), D("EOR", IZX, EOR), U("JAM", IMP, JAM), U("SRE", IZX, SRE),
    U("NOP", ZP, NOP),  D("EOR", ZP, EOR),  D("LSR", ZP, LSR),  U("SRE", ZP, SRE),
    D("PHA", IMP, PHA), D("EOR", IMM, EOR), D("LSR", ACC, LSR), U("ALR", IMM, ALR),
    D("JMP", ABS, JMP), D("EOR", ABS, EOR), D("LSR", ABS, LSR), U("SRE", ABS, SRE),
    /* $5x */
    D("BVC", REL, BVC), D("EOR", IZY, EOR), U("JAM", IMP, JAM), U("SRE", IZY, SRE),
    U("NOP", ZPX, NOP), D("EOR", ZPX, EOR), D("LSR", ZPX, LSR), U("SRE", ZPX, SRE),
    D("CLI", IMP, CLI), D("EOR", ABSY, EOR), U("NOP", IMP, NOP), U("SRE", ABSY, SRE),
    U("NOP", ABSX, NOP), D("EOR", ABSX, EOR), D("LSR", ABSX, LSR), U("SRE", ABSX, SRE),
    /* $6x */
    D("RTS", IMP, RTS), D("ADC", IZX, ADC), U("JAM", IMP, JAM), U("RRA", IZX, RRA),
    U("NOP", ZP, NOP),  D("ADC", ZP, ADC),  D("ROR", ZP, ROR),  U("RRA", ZP, RRA),
    D("PLA", IMP, PLA), D("ADC", IMM, ADC), D("ROR", ACC, ROR), U("ARR", IMM, ARR),
    D("JMP", IND, JMPI), D("ADC", ABS, ADC), D("ROR", ABS, ROR), U("RRA", ABS, RRA),
    /* $7x */
    D("BVS", REL, BVS), D("ADC", IZY, ADC), U("JAM", IMP, JAM), U("RRA", IZY, RRA),
    U("NOP", ZPX, NOP), D("ADC", ZPX, ADC), D("ROR", ZPX, ROR), U("RRA", ZPX, RRA),
    D("SEI", IMP, SEI), D("ADC", ABSY, ADC), U("NOP", IMP, NOP), U("RRA", ABSY, RRA),
    U("NOP", ABSX, NOP), D("ADC", ABSX, ADC), D("ROR", ABSX, ROR), U("RRA", ABSX, RRA),
    /* $8x */
    U("NOP", IMM, NOP), D("STA", IZX, STA), U("NOP", IMM, NOP), U("SAX", IZX, SAX),
    D("STY", ZP, STY),  D("STA", ZP, STA),  D("STX", ZP, STX),  U("SAX", ZP, SAX),
    D("DEY", IMP, DEY), U("NOP", IMM, NOP), D("TXA", IMP, TXA), U("ANE", IMM, ANE),
    D("STY", ABS, STY), D("STA", ABS, STA), D("STX", ABS, STX), U("SAX", ABS, SAX),
    /* $9x */
    D("BCC", REL, BCC), D("STA", IZY, STA), U("JAM", IMP, JAM), U("SHA", IZY, SHA),
    D("STY", ZPX, STY), D("STA", ZPX, STA), D("STX", ZPY, STX), U("SAX", ZPY, SAX),
    D("TYA", IMP, TYA), D("STA", ABSY, STA), D("TXS", IMP, TXS), U("TAS", ABSY, TAS),
    U("SHY", ABSX, SHY), D("STA", ABSX, STA), U("SHX", ABSY, SHX), U("SHA", ABSY, SHA),
    /* $Ax */
    D("LDY", IMM, LDY), D("LDA", IZX, LDA), D("LDX", IMM, LDX), U("LAX", IZX, LAX),
    D("LDY", ZP, LDY),  D("LDA", ZP, LDA),  D("LDX", ZP, LDX),  U("LAX", ZP, LAX),
    D("TAY", IMP, TAY), D("LDA", IMM, LDA), D("TAX", IMP, TAX), U("LXA", IMM, LXA),
    D("LDY", ABS, LDY), D("LDA", ABS, LDA), D("LDX", ABS, LDX), U("LAX", ABS, LAX),
    /* $Bx */
    D("BCS", REL, BCS), D("LDA", IZY, LDA), U("JAM", IMP, JAM), U("LAX", IZY, LAX),
    D("LDY", ZPX, LDY), D("LDA", ZPX, LDA), D("LDX", ZPY, LDX), U("LAX", ZPY, LAX),
    D("CLV", IMP, CLV), D("LDA", ABSY, LDA), D("TSX", IMP, TSX), U("LAS", ABSY, LAS),
    D("LDY", ABSX, LDY), D("LDA", ABSX, LDA), D("LDX", ABSY, LDX), U("LAX", ABSY, LAX),
    /* $Cx */
    D("CPY", IMM, CPY), D("CMP", IZX, CMP), U("NOP", IMM, NOP), U("DCP", IZX, DCP),
    D("CPY", ZP, CPY),  D("CMP", ZP, CMP),  D("DEC", ZP, DEC),  U("DCP", ZP, DCP),
    D("INY", IMP, INY), D("CMP", IMM, CMP), D("DEX", IMP, DEX), U("SBX", IMM, SBX),
    D("CPY", ABS, CPY), D("CMP", ABS, CMP), D("DEC", ABS, DEC), U("DCP", ABS, DCP),
    /* $Dx */
    D("BNE", REL, BNE), D("CMP", IZY, CMP), U("JAM", IMP, JAM), U("DCP", IZY, DCP),
    U("NOP", ZPX, NOP), D("CMP", ZPX, CMP), D("DEC", ZPX, DEC), U("DCP", ZPX, DCP),
    D("CLD", IMP, CLD), D("CMP", ABSY, CMP), U("NOP", IMP, NOP), U("DCP", ABSY, DCP),
    U("NOP", ABSX, NOP), D("CMP", ABSX, CMP), D("DEC", ABSX, DEC), U("DCP", ABSX, DCP),
    /* $Ex */
    D("CPX", IMM, CPX), D("SBC", IZX, SBC), U("NOP", IMM, NOP), U("ISC", IZX, ISC),
    D("CPX", ZP, CPX),  D("SBC", ZP, SBC),  D("INC", ZP, INC),  U("ISC", ZP, ISC),
    D("INX", IMP, INX), D("SBC", IMM, SBC), D("NOP", IMP, NOP), U("SBC", IMM, SBC),
    D("CPX", ABS, CPX), D("SBC", ABS, SBC), D("INC", ABS, INC), U("ISC", ABS, ISC),
    /* $Fx */
    D("BEQ", REL, BEQ), D("SBC", IZY, SBC), U("JAM", IMP, JAM), U("ISC", IZY, ISC),
    U("NOP", ZPX, NOP), D("SBC", ZPX, SBC), D("INC", ZPX, INC), U("ISC", ZPX, ISC),
    D("SED", IMP, SED), D("SBC", ABSY, SBC), U("NOP", IMP, NOP), U("ISC", ABSY, ISC),
    U("NOP", ABSX, NOP), D("SBC", ABSX, SBC), D("INC", ABSX, INC), U("ISC", ABSX, ISC),
};

int m6502_mode_length(enum m6502_mode mode)
{
    switch (mode) {
    case M6502_IMP:
    case M6502_ACC:
        return 1;
    case M6502_ABS:
    case M6502_ABSX:
    case M6502_ABSY:
    case M6502_IND:
        return 3;
    default:
        return 2;
    }
}
