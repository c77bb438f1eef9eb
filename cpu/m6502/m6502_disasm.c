#include "cpu/m6502/m6502_disasm.h"

#include <stdio.h>

#include "cpu/m6502/m6502.h"

int m6502_disasm(uint16_t pc, const uint8_t bytes[3], char *out, size_t outlen)
{
    const struct m6502_opinfo *info = &m6502_opcodes[bytes[0]];
    enum m6502_mode mode = (enum m6502_mode)info->mode;
    int len = m6502_mode_length(mode);
    unsigned b1 = bytes[1];
    unsigned w = (unsigned)bytes[1] | (unsigned)bytes[2] << 8;
    const char *mn = info->mnemonic;

    if (!out || outlen == 0)
        return len;
    switch (mode) {
    case M6502_IMP: snprintf(out, outlen, "%s", mn); break;
    case M6502_ACC: snprintf(out, outlen, "%s A", mn); break;
    case M6502_IMM: snprintf(out, outlen, "%s #$%02X", mn, b1); break;
    case M6502_ZP: snprintf(out, outlen, "%s $%02X", mn, b1); break;
    case M6502_ZPX: snprintf(out, outlen, "%s $%02X,X", mn, b1); break;
    case M6502_ZPY: snprintf(out, outlen, "%s $%02X,Y", mn, b1); break;
    case M6502_ABS: snprintf(out, outlen, "%s $%04X", mn, w); break;
    case M6502_ABSX: snprintf(out, outlen, "%s $%04X,X", mn, w); break;
    case M6502_ABSY: snprintf(out, outlen, "%s $%04X,Y", mn, w); break;
    case M6502_IND: snprintf(out, outlen, "%s ($%04X)", mn, w); break;
    case M6502_IZX: snprintf(out, outlen, "%s ($%02X,X)", mn, b1); break;
    case M6502_IZY: snprintf(out, outlen, "%s ($%02X),Y", mn, b1); break;
    case M6502_REL: {
        unsigned target = (unsigned)(pc + 2 + (int8_t)bytes[1]) & 0xFFFFu;
        snprintf(out, outlen, "%s $%04X", mn, target);
        break;
    }
    }
    return len;
}
