/*
 * x86 disassembler, Intel syntax.
 *
 * Decoding is table-driven: one table for the one-byte opcode map, one for
 * the 0F two-byte map, and per-"group" tables for the opcodes whose ModR/M
 * reg field selects the operation.  Each entry names a mnemonic and up to
 * three operand forms (enum form); the decoder fetches prefixes, looks the
 * opcode up, reads the ModR/M byte and displacement when a form needs them,
 * then prints the operands in order, which also fetches the immediates in
 * the order the encoding stores them.  The x87 escapes D8-DF have tables of
 * their own at the end.
 *
 * Prefixes that the instruction does not use are printed in nasm style in
 * front of the mnemonic ("o32 nop", "cs movsb", "a32 loop 0x10").
 */
#include "cpu/x86/disasm.h"

#include <string.h>

#define MAX_INSN_LEN 15

/* ---- Text output ------------------------------------------------------ */

struct text {
    char buf[128];
    size_t n;
};

/* Appends at most n characters of s, silently truncating at the buffer's end. */
static void put_n(struct text *t, const char *s, size_t n)
{
    while (n-- && *s && t->n + 1 < sizeof t->buf)
        t->buf[t->n++] = *s++;
    t->buf[t->n] = '\0';
}

static void put(struct text *t, const char *s)
{
    put_n(t, s, SIZE_MAX);
}

static void put_hex(struct text *t, uint32_t v)
{
    char tmp[12];
    size_t i = sizeof tmp;
    tmp[--i] = '\0';
    do {
        tmp[--i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    tmp[--i] = 'x';
    tmp[--i] = '0';
    put(t, tmp + i);
}

/* A displacement added to a base register: "+0x12" or "-0x12". */
static void put_disp(struct text *t, uint32_t v, uint32_t sign_bit)
{
    if (v & sign_bit) {
        put(t, "-");
        put_hex(t, (uint32_t)(0u - (v | (0u - sign_bit))));
    } else {
        put(t, "+");
        put_hex(t, v);
    }
}

/* ---- Names ------------------------------------------------------------ */

static const char *const reg8[8] = { "al", "cl", "dl", "bl", "ah", "ch", "dh", "bh" };
static const char *const reg16[8] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di" };
static const char *const reg32[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
static const char *const sreg[8] = { "es", "cs", "ss", "ds", "fs", "gs", NULL, NULL };
static const char *const cond[16] = { "o", "no", "b", "ae", "e", "ne", "be", "a",
                                      "s", "ns", "p", "np", "l", "ge", "le", "g" };
/* The 16-bit ModR/M base/index pairs, by r/m. */
static const char *const ea16[8] = { "bx+si", "bx+di", "bp+si", "bp+di", "si", "di", "bp", "bx" };

static const char *reg_name(int size, int n)
{
    return size == 1 ? reg8[n & 7] : size == 2 ? reg16[n & 7] : reg32[n & 7];
}

static const char *size_keyword(int size)
{
    switch (size) {
    case 1: return "byte";
    case 2: return "word";
    case 4: return "dword";
    case 6: return "fword";
    case 8: return "qword";
    case 10: return "tword";
    default: return NULL;
    }
}

/* ---- Opcode tables ---------------------------------------------------- */

/*
 * Operand forms, after the Intel opcode-map letters: E = ModR/M r/m
 * (register or memory), G = ModR/M reg, M = r/m that must be memory,
 * I = immediate, J = relative branch, A = far pointer, O = moffs,
 * Z = register in the opcode's low three bits, S = segment register in
 * ModR/M reg.  Sizes: b byte, w word, d dword, v word or dword by the
 * operand size.
 */
enum form {
    O_NONE,
    O_Eb, O_Ew, O_Ev,
    O_Ewv,              /* word in memory, but an operand-size register (mov ax, es) */
    O_Gb, O_Gw, O_Gv,
    O_M,                /* memory of no particular size (lea, lgdt) */
    O_Mp,               /* far pointer m16:16 or m16:32 */
    O_Mq, O_Ma,         /* cmpxchg8b; bound's pair of bounds */
    O_Ib, O_Iw, O_Iv,
    O_Ibs,              /* imm8 sign-extended to the operand size */
    O_Ib10,             /* aam/aad base: omitted when it is the usual 10 */
    O_Jb, O_Jv, O_Ap, O_Ob, O_Ov,
    O_Zb, O_Zv,
    O_AL, O_CL, O_DX, O_eAX, O_ONE,
    O_Sw, O_ES, O_CS, O_SS, O_DS, O_FS, O_GS,
    O_Cd, O_Dd, O_Td,   /* control, debug, test register in ModR/M reg */
    O_Rd,               /* ModR/M r/m as a 32-bit register */
};

enum {
    F_CC = 1,       /* mnemonic takes a condition code from the opcode's low nibble */
    F_STRZ = 2,     /* cmps/scas: F3 prints as "repe" rather than "rep" */
    F_ASZ = 4,      /* "x/y" mnemonic chosen by address size, not operand size */
    F_REGONLY = 8,  /* r/m always names a register, whatever mod says (mov crN) */
    F_X87 = 16,
};

/* Group tables, selected by the ModR/M reg field. */
enum {
    G_NONE, G_1, G_2, G_3B, G_3V, G_4, G_5, G_8F, G_C6, G_C7,
    G_0F00, G_0F01, G_0FBA, G_0FC7, G_COUNT
};

struct opdef {
    const char *mnem;   /* NULL: undefined; "a/b": a in 16-bit, b in 32-bit size */
    uint8_t opnd[3];
    uint8_t grp;        /* nonzero: the ModR/M reg field picks from groups[grp] */
    uint8_t flags;
};

#define OP(m, a, b, c, f) { m, { a, b, c }, G_NONE, f }
#define N0(m) OP(m, O_NONE, O_NONE, O_NONE, 0)
#define N1(m, a) OP(m, a, O_NONE, O_NONE, 0)
#define N2(m, a, b) OP(m, a, b, O_NONE, 0)
#define N3(m, a, b, c) OP(m, a, b, c, 0)
#define STR(m, f) OP(m, O_NONE, O_NONE, O_NONE, f) /* string instruction */
#define GRP(g, a, b) { NULL, { a, b, O_NONE }, g, 0 }
#define BAD { NULL, { O_NONE, O_NONE, O_NONE }, G_NONE, 0 }
#define X87 OP(NULL, O_NONE, O_NONE, O_NONE, F_X87)     /* see decode_x87() */

/* add/or/adc/sbb/and/sub/xor/cmp: six opcodes each, at 00, 08, ... 38. */
#define ALU(op, m)                                                                   \
    [op] = N2(m, O_Eb, O_Gb), [op + 1] = N2(m, O_Ev, O_Gv), [op + 2] = N2(m, O_Gb, O_Eb), \
    [op + 3] = N2(m, O_Gv, O_Ev), [op + 4] = N2(m, O_AL, O_Ib), [op + 5] = N2(m, O_eAX, O_Iv)
/* Eight opcodes naming a register in their low bits. */
#define ROW8(op, m, a, b)                                                            \
    [op] = N2(m, a, b), [op + 1] = N2(m, a, b), [op + 2] = N2(m, a, b),               \
    [op + 3] = N2(m, a, b), [op + 4] = N2(m, a, b), [op + 5] = N2(m, a, b),           \
    [op + 6] = N2(m, a, b), [op + 7] = N2(m, a, b)
/* Sixteen opcodes with the condition code in their low nibble. */
#define CC8(op, m, a, b)                                                             \
    [op] = OP(m, a, b, O_NONE, F_CC), [op + 1] = OP(m, a, b, O_NONE, F_CC),           \
    [op + 2] = OP(m, a, b, O_NONE, F_CC), [op + 3] = OP(m, a, b, O_NONE, F_CC),       \
    [op + 4] = OP(m, a, b, O_NONE, F_CC), [op + 5] = OP(m, a, b, O_NONE, F_CC),       \
    [op + 6] = OP(m, a, b, O_NONE, F_CC), [op + 7] = OP(m, a, b, O_NONE, F_CC)
#define CC16(op, m, a, b) CC8(op, m, a, b), CC8(op + 8, m, a, b)

/* The one-byte map.  Prefix bytes are consumed before the lookup. */
static const struct opdef onebyte[256] = {
    ALU(0x00, "add"), [0x06] = N1("push", O_ES), [0x07] = N1("pop", O_ES),
    ALU(0x08, "or"), [0x0E] = N1("push", O_CS),
    ALU(0x10, "adc"), [0x16] = N1("push", O_SS), [0x17] = N1("pop", O_SS),
    ALU(0x18, "sbb"), [0x1E] = N1("push", O_DS), [0x1F] = N1("pop", O_DS),
    ALU(0x20, "and"), [0x27] = N0("daa"),
    ALU(0x28, "sub"), [0x2F] = N0("das"),
    ALU(0x30, "xor"), [0x37] = N0("aaa"),
    ALU(0x38, "cmp"), [0x3F] = N0("aas"),
    ROW8(0x40, "inc", O_Zv, O_NONE), ROW8(0x48, "dec", O_Zv, O_NONE),
    ROW8(0x50, "push", O_Zv, O_NONE), ROW8(0x58, "pop", O_Zv, O_NONE),
    [0x60] = N0("pusha/pushad"), [0x61] = N0("popa/popad"),
    [0x62] = N2("bound", O_Gv, O_Ma), [0x63] = N2("arpl", O_Ew, O_Gw),
    [0x68] = N1("push", O_Iv), [0x69] = N3("imul", O_Gv, O_Ev, O_Iv),
    [0x6A] = N1("push", O_Ibs), [0x6B] = N3("imul", O_Gv, O_Ev, O_Ibs),
    [0x6C] = STR("insb", 0), [0x6D] = STR("insw/insd", 0),
    [0x6E] = STR("outsb", 0), [0x6F] = STR("outsw/outsd", 0),
    CC16(0x70, "j", O_Jb, O_NONE),
    [0x80] = GRP(G_1, O_Eb, O_Ib), [0x81] = GRP(G_1, O_Ev, O_Iv),
    [0x82] = GRP(G_1, O_Eb, O_Ib), [0x83] = GRP(G_1, O_Ev, O_Ibs),
    [0x84] = N2("test", O_Eb, O_Gb), [0x85] = N2("test", O_Ev, O_Gv),
    [0x86] = N2("xchg", O_Eb, O_Gb), [0x87] = N2("xchg", O_Ev, O_Gv),
    [0x88] = N2("mov", O_Eb, O_Gb), [0x89] = N2("mov", O_Ev, O_Gv),
    [0x8A] = N2("mov", O_Gb, O_Eb), [0x8B] = N2("mov", O_Gv, O_Ev),
    [0x8C] = N2("mov", O_Ewv, O_Sw), [0x8D] = N2("lea", O_Gv, O_M),
    [0x8E] = N2("mov", O_Sw, O_Ewv), [0x8F] = GRP(G_8F, O_NONE, O_NONE),
    [0x90] = N0("nop"), /* xchg ax, ax */
    [0x91] = N2("xchg", O_Zv, O_eAX), [0x92] = N2("xchg", O_Zv, O_eAX),
    [0x93] = N2("xchg", O_Zv, O_eAX), [0x94] = N2("xchg", O_Zv, O_eAX),
    [0x95] = N2("xchg", O_Zv, O_eAX), [0x96] = N2("xchg", O_Zv, O_eAX),
    [0x97] = N2("xchg", O_Zv, O_eAX),
    [0x98] = N0("cbw/cwde"), [0x99] = N0("cwd/cdq"), [0x9A] = N1("call", O_Ap),
    [0x9B] = N0("fwait"), [0x9C] = N0("pushf/pushfd"), [0x9D] = N0("popf/popfd"),
    [0x9E] = N0("sahf"), [0x9F] = N0("lahf"),
    [0xA0] = N2("mov", O_AL, O_Ob), [0xA1] = N2("mov", O_eAX, O_Ov),
    [0xA2] = N2("mov", O_Ob, O_AL), [0xA3] = N2("mov", O_Ov, O_eAX),
    [0xA4] = STR("movsb", 0), [0xA5] = STR("movsw/movsd", 0),
    [0xA6] = STR("cmpsb", F_STRZ), [0xA7] = STR("cmpsw/cmpsd", F_STRZ),
    [0xA8] = N2("test", O_AL, O_Ib), [0xA9] = N2("test", O_eAX, O_Iv),
    [0xAA] = STR("stosb", 0), [0xAB] = STR("stosw/stosd", 0),
    [0xAC] = STR("lodsb", 0), [0xAD] = STR("lodsw/lodsd", 0),
    [0xAE] = STR("scasb", F_STRZ), [0xAF] = STR("scasw/scasd", F_STRZ),
    ROW8(0xB0, "mov", O_Zb, O_Ib), ROW8(0xB8, "mov", O_Zv, O_Iv),
    [0xC0] = GRP(G_2, O_Eb, O_Ib), [0xC1] = GRP(G_2, O_Ev, O_Ib),
    [0xC2] = N1("ret", O_Iw), [0xC3] = N0("ret"),
    [0xC4] = N2("les", O_Gv, O_Mp), [0xC5] = N2("lds", O_Gv, O_Mp),
    [0xC6] = GRP(G_C6, O_NONE, O_NONE), [0xC7] = GRP(G_C7, O_NONE, O_NONE),
    [0xC8] = N2("enter", O_Iw, O_Ib), [0xC9] = N0("leave"),
    [0xCA] = N1("retf", O_Iw), [0xCB] = N0("retf"),
    [0xCC] = N0("int3"), [0xCD] = N1("int", O_Ib), [0xCE] = N0("into"),
    [0xCF] = N0("iret/iretd"),
    [0xD0] = GRP(G_2, O_Eb, O_ONE), [0xD1] = GRP(G_2, O_Ev, O_ONE),
    [0xD2] = GRP(G_2, O_Eb, O_CL), [0xD3] = GRP(G_2, O_Ev, O_CL),
    [0xD4] = N1("aam", O_Ib10), [0xD5] = N1("aad", O_Ib10),
    [0xD6] = N0("salc"), /* undocumented: al = CF ? 0xff : 0 */
    [0xD7] = N0("xlatb"),
    [0xD8] = X87, [0xD9] = X87, [0xDA] = X87, [0xDB] = X87,
    [0xDC] = X87, [0xDD] = X87, [0xDE] = X87, [0xDF] = X87,
    [0xE0] = N1("loopne", O_Jb), [0xE1] = N1("loope", O_Jb), [0xE2] = N1("loop", O_Jb),
    [0xE3] = OP("jcxz/jecxz", O_Jb, O_NONE, O_NONE, F_ASZ),
    [0xE4] = N2("in", O_AL, O_Ib), [0xE5] = N2("in", O_eAX, O_Ib),
    [0xE6] = N2("out", O_Ib, O_AL), [0xE7] = N2("out", O_Ib, O_eAX),
    [0xE8] = N1("call", O_Jv), [0xE9] = N1("jmp", O_Jv),
    [0xEA] = N1("jmp", O_Ap), [0xEB] = N1("jmp", O_Jb),
    [0xEC] = N2("in", O_AL, O_DX), [0xED] = N2("in", O_eAX, O_DX),
    [0xEE] = N2("out", O_DX, O_AL), [0xEF] = N2("out", O_DX, O_eAX),
    [0xF1] = N0("int1"), [0xF4] = N0("hlt"), [0xF5] = N0("cmc"),
    [0xF6] = GRP(G_3B, O_NONE, O_NONE), [0xF7] = GRP(G_3V, O_NONE, O_NONE),
    [0xF8] = N0("clc"), [0xF9] = N0("stc"), [0xFA] = N0("cli"), [0xFB] = N0("sti"),
    [0xFC] = N0("cld"), [0xFD] = N0("std"),
    [0xFE] = GRP(G_4, O_NONE, O_NONE), [0xFF] = GRP(G_5, O_NONE, O_NONE),
};

/* The 0F two-byte map (80286 and later). */
static const struct opdef twobyte[256] = {
    [0x00] = GRP(G_0F00, O_NONE, O_NONE), [0x01] = GRP(G_0F01, O_NONE, O_NONE),
    [0x02] = N2("lar", O_Gv, O_Ewv), [0x03] = N2("lsl", O_Gv, O_Ewv),
    [0x05] = N0("loadall286"), [0x06] = N0("clts"), [0x07] = N0("loadall"),
    [0x08] = N0("invd"), [0x09] = N0("wbinvd"), [0x0B] = N0("ud2"),
    /* 0F 19-1F are reserved NOPs taking a ModR/M operand (P6). */
    [0x19] = N1("nop", O_Ev), [0x1A] = N1("nop", O_Ev), [0x1B] = N1("nop", O_Ev),
    [0x1C] = N1("nop", O_Ev), [0x1D] = N1("nop", O_Ev), [0x1E] = N1("nop", O_Ev),
    [0x1F] = N1("nop", O_Ev),
    [0x20] = OP("mov", O_Rd, O_Cd, O_NONE, F_REGONLY), [0x21] = OP("mov", O_Rd, O_Dd, O_NONE, F_REGONLY),
    [0x22] = OP("mov", O_Cd, O_Rd, O_NONE, F_REGONLY), [0x23] = OP("mov", O_Dd, O_Rd, O_NONE, F_REGONLY),
    [0x24] = OP("mov", O_Rd, O_Td, O_NONE, F_REGONLY), [0x26] = OP("mov", O_Td, O_Rd, O_NONE, F_REGONLY),
    [0x30] = N0("wrmsr"), [0x31] = N0("rdtsc"), [0x32] = N0("rdmsr"), [0x33] = N0("rdpmc"),
    [0x34] = N0("sysenter"), [0x35] = N0("sysexit"),
    CC16(0x40, "cmov", O_Gv, O_Ev),
    CC16(0x80, "j", O_Jv, O_NONE),
    CC16(0x90, "set", O_Eb, O_NONE),
    [0xA0] = N1("push", O_FS), [0xA1] = N1("pop", O_FS), [0xA2] = N0("cpuid"),
    [0xA3] = N2("bt", O_Ev, O_Gv), [0xA4] = N3("shld", O_Ev, O_Gv, O_Ib),
    [0xA5] = N3("shld", O_Ev, O_Gv, O_CL),
    [0xA8] = N1("push", O_GS), [0xA9] = N1("pop", O_GS), [0xAA] = N0("rsm"),
    [0xAB] = N2("bts", O_Ev, O_Gv), [0xAC] = N3("shrd", O_Ev, O_Gv, O_Ib),
    [0xAD] = N3("shrd", O_Ev, O_Gv, O_CL), [0xAF] = N2("imul", O_Gv, O_Ev),
    [0xB0] = N2("cmpxchg", O_Eb, O_Gb), [0xB1] = N2("cmpxchg", O_Ev, O_Gv),
    [0xB2] = N2("lss", O_Gv, O_Mp), [0xB3] = N2("btr", O_Ev, O_Gv),
    [0xB4] = N2("lfs", O_Gv, O_Mp), [0xB5] = N2("lgs", O_Gv, O_Mp),
    [0xB6] = N2("movzx", O_Gv, O_Eb), [0xB7] = N2("movzx", O_Gv, O_Ew),
    [0xB9] = N2("ud1", O_Gv, O_Ev), [0xBA] = GRP(G_0FBA, O_NONE, O_NONE),
    [0xBB] = N2("btc", O_Ev, O_Gv), [0xBC] = N2("bsf", O_Gv, O_Ev), [0xBD] = N2("bsr", O_Gv, O_Ev),
    [0xBE] = N2("movsx", O_Gv, O_Eb), [0xBF] = N2("movsx", O_Gv, O_Ew),
    [0xC0] = N2("xadd", O_Eb, O_Gb), [0xC1] = N2("xadd", O_Ev, O_Gv),
    [0xC7] = GRP(G_0FC7, O_NONE, O_NONE),
    ROW8(0xC8, "bswap", O_Zv, O_NONE),
};

/*
 * Group members.  A member whose first operand is O_NONE takes the
 * operands of the opcode that led to it (group 1 and 2 share one list of
 * mnemonics between several operand shapes).
 */
static const struct opdef groups[G_COUNT][8] = {
    [G_1] = { N0("add"), N0("or"), N0("adc"), N0("sbb"), N0("and"), N0("sub"), N0("xor"), N0("cmp") },
    [G_2] = { N0("rol"), N0("ror"), N0("rcl"), N0("rcr"), N0("shl"), N0("shr"), N0("sal"), N0("sar") },
    /* /1 is an undocumented alias of test. */
    [G_3B] = { N2("test", O_Eb, O_Ib), N2("test", O_Eb, O_Ib), N1("not", O_Eb), N1("neg", O_Eb),
               N1("mul", O_Eb), N1("imul", O_Eb), N1("div", O_Eb), N1("idiv", O_Eb) },
    [G_3V] = { N2("test", O_Ev, O_Iv), N2("test", O_Ev, O_Iv), N1("not", O_Ev), N1("neg", O_Ev),
               N1("mul", O_Ev), N1("imul", O_Ev), N1("div", O_Ev), N1("idiv", O_Ev) },
    [G_4] = { N1("inc", O_Eb), N1("dec", O_Eb), BAD, BAD, BAD, BAD, BAD, BAD },
    [G_5] = { N1("inc", O_Ev), N1("dec", O_Ev), N1("call", O_Ev), N1("call far", O_Mp),
              N1("jmp", O_Ev), N1("jmp far", O_Mp), N1("push", O_Ev), BAD },
    [G_8F] = { N1("pop", O_Ev), BAD, BAD, BAD, BAD, BAD, BAD, BAD },
    [G_C6] = { N2("mov", O_Eb, O_Ib), BAD, BAD, BAD, BAD, BAD, BAD, BAD },
    [G_C7] = { N2("mov", O_Ev, O_Iv), BAD, BAD, BAD, BAD, BAD, BAD, BAD },
    [G_0F00] = { N1("sldt", O_Ewv), N1("str", O_Ewv), N1("lldt", O_Ew), N1("ltr", O_Ew),
                 N1("verr", O_Ew), N1("verw", O_Ew), BAD, BAD },
    [G_0F01] = { N1("sgdt", O_M), N1("sidt", O_M), N1("lgdt", O_M), N1("lidt", O_M),
                 N1("smsw", O_Ewv), BAD, N1("lmsw", O_Ew), N1("invlpg", O_M) },
    [G_0FBA] = { BAD, BAD, BAD, BAD, N2("bt", O_Ev, O_Ib), N2("bts", O_Ev, O_Ib),
                 N2("btr", O_Ev, O_Ib), N2("btc", O_Ev, O_Ib) },
    [G_0FC7] = { BAD, N1("cmpxchg8b", O_Mq), BAD, BAD, BAD, BAD, BAD, BAD },
};

/* 8086-only decodings (see struct x86_disasm_opts). */
static const struct opdef pop_cs = N1("pop", O_CS);

/* ---- Decoder state ---------------------------------------------------- */

enum { FAIL_NONE, FAIL_SHORT, FAIL_LONG };

struct dis {
    const uint8_t *bytes;
    int avail, pos;
    int fail;                   /* FAIL_SHORT: ran past avail; FAIL_LONG: past 15 bytes */
    int invalid;                /* undefined encoding: print "(bad)" */
    int model8086;
    uint32_t eip;
    int opsize32, addrsize32;   /* effective sizes, prefixes applied */
    int pfx66, pfx67, seg, rep, lock;   /* seg: -1 or a segment number; rep: 0, 0xF2, 0xF3 */
    int used66, used67, used_seg, used_rep;
    uint8_t op;                 /* the opcode byte (the second byte for 0F xx) */
    int mod, reg, rm;
    struct text ea;             /* memory operand without size: "es:[bx+si+0x12]" */
};

/* Fetches n bytes little-endian; on running out, records why and returns 0. */
static uint32_t fetch(struct dis *d, int n)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++) {
        if (d->fail)
            return 0;
        if (d->pos >= MAX_INSN_LEN) {
            d->fail = FAIL_LONG;
            return 0;
        }
        if (d->pos >= d->avail) {
            d->fail = FAIL_SHORT;
            return 0;
        }
        v |= (uint32_t)d->bytes[d->pos++] << (8 * i);
    }
    return v;
}

static uint32_t sext8(uint32_t v) { return ((v & 0xFFu) ^ 0x80u) - 0x80u; }
static uint32_t sext16(uint32_t v) { return ((v & 0xFFFFu) ^ 0x8000u) - 0x8000u; }

static int vsize(struct dis *d)
{
    d->used66 = 1;
    return d->opsize32 ? 4 : 2;
}

/* Consumes a prefix byte; returns 0 when b is not one. */
static int take_prefix(struct dis *d, uint8_t b)
{
    switch (b) {
    case 0x26: d->seg = 0; return 1;
    case 0x2E: d->seg = 1; return 1;
    case 0x36: d->seg = 2; return 1;
    case 0x3E: d->seg = 3; return 1;
    case 0xF0: d->lock = 1; return 1;
    case 0xF2: case 0xF3: d->rep = b; return 1;
    default: break;
    }
    if (d->model8086) {
        /* 64-67 are Jcc aliases on the 8086, and F1 is a second LOCK. */
        if (b == 0xF1)
            d->lock = 1;
        return b == 0xF1;
    }
    switch (b) {
    case 0x64: d->seg = 4; return 1;
    case 0x65: d->seg = 5; return 1;
    case 0x66: d->pfx66 = 1; return 1;
    case 0x67: d->pfx67 = 1; return 1;
    default: return 0;
    }
}

/* ---- ModR/M ----------------------------------------------------------- */

/* 16-bit forms: [bx+si], [bp+disp8], [disp16], ...  Returns 0 for a
 * bare displacement, 1 when a register appears. */
static int modrm16(struct dis *d)
{
    if (d->mod == 0 && d->rm == 6) {
        put_hex(&d->ea, fetch(d, 2));
        return 0;
    }
    put(&d->ea, ea16[d->rm]);
    if (d->mod == 1)
        put_disp(&d->ea, fetch(d, 1), 0x80u);
    else if (d->mod == 2)
        put_disp(&d->ea, fetch(d, 2), 0x8000u);
    return 1;
}

/*
 * 32-bit forms.  r/m 4 brings a SIB byte (scale, index, base); index 4
 * means no index.  With mod 0, r/m 5 (or SIB base 5) means a bare disp32
 * instead of a base register.  Returns as modrm16.
 */
static int modrm32(struct dis *d)
{
    int base = d->rm, index = -1, scale = 0;
    if (d->rm == 4) {
        uint32_t sib = fetch(d, 1);
        scale = (int)(sib >> 6);
        index = (int)(sib >> 3) & 7;
        base = (int)sib & 7;
        if (index == 4)
            index = -1;
    }
    int nobase = d->mod == 0 && base == 5;
    uint32_t disp = 0;
    if (d->mod == 1)
        disp = fetch(d, 1);
    else if (d->mod == 2 || nobase)
        disp = fetch(d, 4);

    if (!nobase)
        put(&d->ea, reg32[base]);
    if (index >= 0) {
        if (!nobase)
            put(&d->ea, "+");
        put(&d->ea, reg32[index]);
        if (scale) {
            const char mul[3] = { '*', (char)('0' + (1 << scale)), '\0' };
            put(&d->ea, mul);
        }
    }
    if (nobase && index < 0) {
        put_hex(&d->ea, disp);
        return 0;
    }
    if (d->mod == 1)
        put_disp(&d->ea, disp, 0x80u);
    else if (d->mod == 2 || nobase)
        put_disp(&d->ea, disp, 0x80000000u);
    return 1;
}

/* Reads ModR/M and, for a memory operand, SIB and displacement into d->ea. */
static void parse_modrm(struct dis *d, int regonly)
{
    uint32_t m = fetch(d, 1);
    d->mod = regonly ? 3 : (int)(m >> 6);
    d->reg = (int)(m >> 3) & 7;
    d->rm = (int)m & 7;
    if (d->mod == 3)
        return;
    if (d->seg >= 0) {
        d->used_seg = 1;
        put(&d->ea, sreg[d->seg]);
        put(&d->ea, ":");
    }
    put(&d->ea, "[");
    /* Register names show the address size; with a bare displacement an
     * address-size prefix stays visible as "a16"/"a32". */
    if (d->addrsize32 ? modrm32(d) : modrm16(d))
        d->used67 = 1;
    put(&d->ea, "]");
}

/* ---- Operands --------------------------------------------------------- */

static int needs_modrm(int f)
{
    return (f >= O_Eb && f <= O_Ma) || f == O_Sw || (f >= O_Cd && f <= O_Rd);
}

/* r/m operand: a register of regsize, or memory with a size keyword. */
static void put_rm(struct dis *d, struct text *t, int regsize, int memsize)
{
    if (d->mod == 3) {
        put(t, reg_name(regsize, d->rm));
        return;
    }
    const char *kw = size_keyword(memsize);
    if (kw) {
        put(t, kw);
        put(t, " ");
    }
    put(t, d->ea.buf);
}

static void put_mem(struct dis *d, struct text *t, int memsize)
{
    if (d->mod == 3)
        d->invalid = 1;
    else
        put_rm(d, t, 0, memsize);
}

/* A branch target: the address after the instruction plus rel, wrapped
 * to 16 bits under a 16-bit operand size as the CPU wraps IP.  (Only rel16
 * and rel32 count as using an operand-size prefix; "o32 jmp short" keeps it.) */
static void put_target(struct dis *d, struct text *t, uint32_t rel)
{
    uint32_t target = d->eip + (uint32_t)d->pos + rel;
    if (!d->opsize32)
        target &= 0xFFFFu;
    put_hex(t, target);
}

/* moffs: a bare address-size offset after the opcode (mov al, [0x1234]). */
static void put_moffs(struct dis *d, struct text *t, int size)
{
    uint32_t off = fetch(d, d->addrsize32 ? 4 : 2);
    put(t, size_keyword(size));
    put(t, " ");
    if (d->seg >= 0) {
        d->used_seg = 1;
        put(t, sreg[d->seg]);
        put(t, ":");
    }
    put(t, "[");
    put_hex(t, off);
    put(t, "]");
}

static void put_special_reg(struct text *t, const char *prefix, int n)
{
    const char num[2] = { (char)('0' + n), '\0' };
    put(t, prefix);
    put(t, num);
}

static void put_operand(struct dis *d, struct text *t, int form)
{
    int size;
    uint32_t v;
    switch (form) {
    case O_Eb: put_rm(d, t, 1, 1); break;
    case O_Ew: put_rm(d, t, 2, 2); break;
    case O_Ev: size = vsize(d); put_rm(d, t, size, size); break;
    case O_Ewv: put_rm(d, t, vsize(d), 2); break;
    case O_Gb: put(t, reg8[d->reg]); break;
    case O_Gw: put(t, reg16[d->reg]); break;
    case O_Gv: put(t, reg_name(vsize(d), d->reg)); break;
    case O_M: put_mem(d, t, 0); break;
    case O_Mp: put_mem(d, t, vsize(d) + 2); break;
    case O_Mq: put_mem(d, t, 8); break;
    case O_Ma: put_mem(d, t, vsize(d) * 2); break;
    case O_Ib: put_hex(t, fetch(d, 1)); break;
    case O_Iw: put_hex(t, fetch(d, 2)); break;
    case O_Iv: put_hex(t, fetch(d, vsize(d))); break;
    case O_Ibs:
        v = sext8(fetch(d, 1));
        put_hex(t, vsize(d) == 2 ? v & 0xFFFFu : v);
        break;
    case O_Ib10:
        v = fetch(d, 1);
        if (v != 10)
            put_hex(t, v);
        break;
    case O_Jb: v = sext8(fetch(d, 1)); put_target(d, t, v); break;
    case O_Jv:
        size = vsize(d);
        v = fetch(d, size);
        put_target(d, t, size == 2 ? sext16(v) : v);
        break;
    case O_Ap:
        v = fetch(d, vsize(d));     /* offset first, then the selector */
        put_hex(t, fetch(d, 2));
        put(t, ":");
        put_hex(t, v);
        break;
    case O_Ob: put_moffs(d, t, 1); break;
    case O_Ov: put_moffs(d, t, vsize(d)); break;
    case O_Zb: put(t, reg8[d->op & 7]); break;
    case O_Zv: put(t, reg_name(vsize(d), d->op)); break;
    case O_AL: put(t, "al"); break;
    case O_CL: put(t, "cl"); break;
    case O_DX: put(t, "dx"); break;
    case O_eAX: put(t, reg_name(vsize(d), 0)); break;
    case O_ONE: put(t, "1"); break;
    case O_Sw: {
        /* The 8086 decodes only two bits of the segment register number. */
        const char *s = sreg[d->model8086 ? d->reg & 3 : d->reg];
        if (s)
            put(t, s);
        else
            d->invalid = 1;
        break;
    }
    case O_ES: case O_CS: case O_SS: case O_DS: case O_FS: case O_GS:
        put(t, sreg[form - O_ES]);
        break;
    case O_Cd: put_special_reg(t, "cr", d->reg); break;
    case O_Dd: put_special_reg(t, "dr", d->reg); break;
    case O_Td: put_special_reg(t, "tr", d->reg); break;
    case O_Rd: put(t, reg32[d->rm]); break;
    default: break;
    }
}

/* ---- x87 ---------------------------------------------------------------- */

/* Memory forms, by escape opcode (D8-DF) and ModR/M reg; size in bytes. */
struct x87mem {
    const char *mnem;
    uint8_t size;
};

#define X87_ARITH(p, s)                                                                   \
    { { p "add", s }, { p "mul", s }, { p "com", s }, { p "comp", s },                     \
      { p "sub", s }, { p "subr", s }, { p "div", s }, { p "divr", s } }

static const struct x87mem x87_mem[8][8] = {
    X87_ARITH("f", 4),
    { { "fld", 4 }, { NULL, 0 }, { "fst", 4 }, { "fstp", 4 },
      { "fldenv", 0 }, { "fldcw", 2 }, { "fnstenv", 0 }, { "fnstcw", 2 } },
    X87_ARITH("fi", 4),
    { { "fild", 4 }, { NULL, 0 }, { "fist", 4 }, { "fistp", 4 },
      { NULL, 0 }, { "fld", 10 }, { NULL, 0 }, { "fstp", 10 } },
    X87_ARITH("f", 8),
    { { "fld", 8 }, { NULL, 0 }, { "fst", 8 }, { "fstp", 8 },
      { "frstor", 0 }, { NULL, 0 }, { "fnsave", 0 }, { "fnstsw", 2 } },
    X87_ARITH("fi", 2),
    { { "fild", 2 }, { NULL, 0 }, { "fist", 2 }, { "fistp", 2 },
      { "fbld", 10 }, { "fild", 8 }, { "fbstp", 10 }, { "fistp", 8 } },
};

/* Register forms (mod 3): operand shapes. */
enum { X_BAD, X_STI, X_ST_STI, X_STI_ST, X_FIXED };

struct x87reg {
    const char *mnem;
    uint8_t form;
};

#define XB { NULL, X_BAD }
#define XF { NULL, X_FIXED }

/*
 * Note the reversed sub/div pairs in DC and DE: "DC E8+i" is fsub st(i), st,
 * and "DC E0+i" is fsubr.  Undocumented aliases (D9 /3, DC /2 /3, DD /1,
 * DE /2, DF /1-/3) print as the instruction they behave as.
 */
static const struct x87reg x87_reg[8][8] = {
    { { "fadd", X_ST_STI }, { "fmul", X_ST_STI }, { "fcom", X_STI }, { "fcomp", X_STI },
      { "fsub", X_ST_STI }, { "fsubr", X_ST_STI }, { "fdiv", X_ST_STI }, { "fdivr", X_ST_STI } },
    { { "fld", X_STI }, { "fxch", X_STI }, XF, { "fstp", X_STI }, XF, XF, XF, XF },
    { { "fcmovb", X_ST_STI }, { "fcmove", X_ST_STI }, { "fcmovbe", X_ST_STI }, { "fcmovu", X_ST_STI },
      XB, XF, XB, XB },
    { { "fcmovnb", X_ST_STI }, { "fcmovne", X_ST_STI }, { "fcmovnbe", X_ST_STI }, { "fcmovnu", X_ST_STI },
      XF, { "fucomi", X_ST_STI }, { "fcomi", X_ST_STI }, XB },
    { { "fadd", X_STI_ST }, { "fmul", X_STI_ST }, { "fcom", X_STI }, { "fcomp", X_STI },
      { "fsubr", X_STI_ST }, { "fsub", X_STI_ST }, { "fdivr", X_STI_ST }, { "fdiv", X_STI_ST } },
    { { "ffree", X_STI }, { "fxch", X_STI }, { "fst", X_STI }, { "fstp", X_STI },
      { "fucom", X_STI }, { "fucomp", X_STI }, XB, XB },
    { { "faddp", X_STI_ST }, { "fmulp", X_STI_ST }, { "fcomp", X_STI }, XF,
      { "fsubrp", X_STI_ST }, { "fsubp", X_STI_ST }, { "fdivrp", X_STI_ST }, { "fdivp", X_STI_ST } },
    { { "ffreep", X_STI }, { "fxch", X_STI }, { "fstp", X_STI }, { "fstp", X_STI },
      XF, { "fucomip", X_ST_STI }, { "fcomip", X_ST_STI }, XB },
};

/* X_FIXED rows: whole-byte encodings without a register operand. */
static const struct {
    uint8_t op, modrm;
    const char *text;
} x87_fixed[] = {
    { 0xD9, 0xD0, "fnop" }, { 0xD9, 0xE0, "fchs" }, { 0xD9, 0xE1, "fabs" },
    { 0xD9, 0xE4, "ftst" }, { 0xD9, 0xE5, "fxam" }, { 0xD9, 0xE8, "fld1" },
    { 0xD9, 0xE9, "fldl2t" }, { 0xD9, 0xEA, "fldl2e" }, { 0xD9, 0xEB, "fldpi" },
    { 0xD9, 0xEC, "fldlg2" }, { 0xD9, 0xED, "fldln2" }, { 0xD9, 0xEE, "fldz" },
    { 0xD9, 0xF0, "f2xm1" }, { 0xD9, 0xF1, "fyl2x" }, { 0xD9, 0xF2, "fptan" },
    { 0xD9, 0xF3, "fpatan" }, { 0xD9, 0xF4, "fxtract" }, { 0xD9, 0xF5, "fprem1" },
    { 0xD9, 0xF6, "fdecstp" }, { 0xD9, 0xF7, "fincstp" }, { 0xD9, 0xF8, "fprem" },
    { 0xD9, 0xF9, "fyl2xp1" }, { 0xD9, 0xFA, "fsqrt" }, { 0xD9, 0xFB, "fsincos" },
    { 0xD9, 0xFC, "frndint" }, { 0xD9, 0xFD, "fscale" }, { 0xD9, 0xFE, "fsin" },
    { 0xD9, 0xFF, "fcos" }, { 0xDA, 0xE9, "fucompp" }, { 0xDB, 0xE0, "fneni" },
    { 0xDB, 0xE1, "fndisi" }, { 0xDB, 0xE2, "fnclex" }, { 0xDB, 0xE3, "fninit" },
    { 0xDB, 0xE4, "fnsetpm" }, { 0xDB, 0xE5, "frstpm" }, { 0xDE, 0xD9, "fcompp" },
    { 0xDF, 0xE0, "fnstsw ax" },
};

static void put_sti(struct text *t, int i)
{
    const char s[6] = { 's', 't', '(', (char)('0' + i), ')', '\0' };
    put(t, s);
}

static void decode_x87(struct dis *d, uint8_t op, struct text *mn, struct text *ops)
{
    parse_modrm(d, 0);
    if (d->mod != 3) {
        const struct x87mem *m = &x87_mem[op & 7][d->reg];
        if (!m->mnem) {
            d->invalid = 1;
            return;
        }
        put(mn, m->mnem);
        put_rm(d, ops, 0, m->size);
        return;
    }
    const struct x87reg *r = &x87_reg[op & 7][d->reg];
    switch (r->form) {
    case X_STI:
        put_sti(ops, d->rm);
        break;
    case X_ST_STI:
        put(ops, "st, ");
        put_sti(ops, d->rm);
        break;
    case X_STI_ST:
        put_sti(ops, d->rm);
        put(ops, ", st");
        break;
    case X_FIXED: {
        uint8_t modrm = (uint8_t)(0xC0 | d->reg << 3 | d->rm);
        for (size_t i = 0; i < sizeof x87_fixed / sizeof x87_fixed[0]; i++) {
            if (x87_fixed[i].op == op && x87_fixed[i].modrm == modrm) {
                put(mn, x87_fixed[i].text);
                return;
            }
        }
        d->invalid = 1;
        return;
    }
    default:
        d->invalid = 1;
        return;
    }
    put(mn, r->mnem);
}

/* ---- Instructions ------------------------------------------------------- */

/* Finds the table entry for opcode byte op (reading the second byte of 0F xx). */
static const struct opdef *lookup(struct dis *d, uint8_t op)
{
    d->op = op;
    if (d->model8086) {
        if (op == 0x0F)
            return &pop_cs;
        if (op >= 0x60 && op <= 0x6F)
            return &onebyte[op + 0x10];    /* Jcc */
        if (op == 0xC0 || op == 0xC1 || op == 0xC8 || op == 0xC9)
            return &onebyte[op + 2];       /* ret / retf */
        return &onebyte[op];
    }
    if (op != 0x0F)
        return &onebyte[op];
    d->op = (uint8_t)fetch(d, 1);
    return &twobyte[d->op];
}

/* Prints the mnemonic; "a/b" picks a for a 16-bit and b for a 32-bit size. */
static void put_mnemonic(struct dis *d, struct text *t, const struct opdef *e)
{
    const char *m = e->mnem, *slash = strchr(m, '/');
    if (slash) {
        int wide;
        if (e->flags & F_ASZ) {
            d->used67 = 1;
            wide = d->addrsize32;
        } else {
            wide = vsize(d) == 4;
        }
        if (wide)
            put(t, slash + 1);
        else
            put_n(t, m, (size_t)(slash - m));
    } else {
        put(t, m);
    }
    if (e->flags & F_CC)
        put(t, cond[d->op & 15]);
}

/* Decodes the instruction after the prefixes into mnemonic and operands;
 * returns the table flags. */
static int decode(struct dis *d, uint8_t op, struct text *mn, struct text *ops)
{
    const struct opdef *e = lookup(d, op);
    if (e->flags & F_X87) {
        decode_x87(d, op, mn, ops);
        return e->flags;
    }
    const uint8_t *opnd = e->opnd;
    if (e->grp) {
        parse_modrm(d, 0);
        /* The 8086 ignores the reg field of 8F, C6 and C7. */
        int sel = d->model8086 && (e->grp == G_8F || e->grp == G_C6 || e->grp == G_C7) ? 0 : d->reg;
        const struct opdef *g = &groups[e->grp][sel];
        if (g->opnd[0] != O_NONE)
            opnd = g->opnd;
        if (d->model8086 && e->grp == G_2 && d->reg == 6) {
            /* Undocumented 8086 SETMO/SETMOC: sets the operand to all ones. */
            put(mn, (op & 2) ? "setmoc" : "setmo");
        } else if (g->mnem) {
            put_mnemonic(d, mn, g);
        } else {
            d->invalid = 1;
            return 0;
        }
    } else if (!e->mnem) {
        d->invalid = 1;
        return 0;
    } else {
        if (needs_modrm(opnd[0]) || needs_modrm(opnd[1]))
            parse_modrm(d, e->flags & F_REGONLY);
        if (op == 0x90 && d->rep == 0xF3) {
            d->used_rep = 1;
            put(mn, "pause");
        } else {
            put_mnemonic(d, mn, e);
        }
    }
    /* An operand-size prefix on push imm, a near branch or a far pointer
     * shows as a size keyword, nasm style: "push dword 0x12". */
    if (d->pfx66 && (opnd[0] == O_Iv || opnd[0] == O_Ibs || opnd[0] == O_Jv || opnd[0] == O_Ap))
        put(ops, d->opsize32 ? "dword " : "word ");
    for (int i = 0; i < 3 && opnd[i] != O_NONE; i++) {
        size_t before = ops->n;
        if (i > 0)
            put(ops, ", ");
        size_t mark = ops->n;
        put_operand(d, ops, opnd[i]);
        if (ops->n == mark) {       /* an operand that printed nothing (aam) */
            ops->n = before;
            ops->buf[before] = '\0';
        }
    }
    return e->flags;
}

static void copy_out(char *out, size_t outlen, const char *s)
{
    if (!out || outlen == 0)
        return;
    size_t n = strlen(s);
    if (n >= outlen)
        n = outlen - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

int x86_disasm(const uint8_t *bytes, int avail, const struct x86_disasm_opts *o, char *out, size_t outlen)
{
    static const struct x86_disasm_opts defaults = { 0, 0, 0 };
    struct dis d;
    memset(&d, 0, sizeof d);
    if (!o)
        o = &defaults;
    d.bytes = bytes;
    d.avail = bytes ? avail : 0;
    d.model8086 = o->model8086;
    d.eip = o->eip;
    d.seg = -1;

    uint8_t op;
    do
        op = (uint8_t)fetch(&d, 1);
    while (!d.fail && take_prefix(&d, op));
    d.opsize32 = (o->code32 != 0) ^ d.pfx66;
    d.addrsize32 = (o->code32 != 0) ^ d.pfx67;

    struct text mn = { { 0 }, 0 }, ops = { { 0 }, 0 };
    int flags = d.fail ? 0 : decode(&d, op, &mn, &ops);

    if (d.fail == FAIL_SHORT) {
        copy_out(out, outlen, "");
        return 0;
    }
    if (d.fail == FAIL_LONG || d.invalid) {
        copy_out(out, outlen, "(bad)");
        return d.fail == FAIL_LONG ? MAX_INSN_LEN : d.pos;
    }

    /* Prefixes, then mnemonic and operands. */
    struct text t = { { 0 }, 0 };
    if (d.lock)
        put(&t, "lock ");
    if (d.rep && !d.used_rep) {
        if (d.rep == 0xF2)
            put(&t, "repne ");
        else
            put(&t, (flags & F_STRZ) ? "repe " : "rep ");
    }
    if (d.seg >= 0 && !d.used_seg) {
        put(&t, sreg[d.seg]);
        put(&t, " ");
    }
    if (d.pfx66 && !d.used66)
        put(&t, d.opsize32 ? "o32 " : "o16 ");
    if (d.pfx67 && !d.used67)
        put(&t, d.addrsize32 ? "a32 " : "a16 ");
    put(&t, mn.buf);
    if (ops.n) {
        put(&t, " ");
        put(&t, ops.buf);
    }
    copy_out(out, outlen, t.buf);
    return d.pos;
}
