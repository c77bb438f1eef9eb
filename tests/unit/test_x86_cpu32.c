/*
 * The 386's 32-bit pieces in real mode: operand- and address-size
 * prefixes, MOVZX/MOVSX, the bit-test family with memory bit offsets,
 * BSF/BSR, SHLD/SHRD, SETcc, Jcc with 16- and 32-bit displacements, the
 * IMUL forms, LSS/LFS/LGS, CWDE/CDQ, 32-bit string instructions under REP
 * and the 0x67 prefix, PUSHAD/POPAD and ENTER with nesting levels.
 *
 * Each case runs on the 386, the 486 and the P6.  Programs are
 * hand-assembled; each byte line carries its assembly.
 */
#include "tests/testlib.h"
#include "tests/unit/x86_rig.h"

TEST_MAIN_COUNTS;

#define GPR(r, n) ((r)->cpu.gpr[n])
#define CF_OF (X86_CF | X86_OF)

static uint32_t flags_of(struct rig *r) { return x86_get_flags(&r->cpu); }

/* Runs the program at RIG_CODE to its HLT. */
static void run_to_hlt(struct rig *r)
{
    CHECK_EQ(rig_run(r, 1000000), X86_STOP_HALT);
}

static void steps(struct rig *r, int n)
{
    while (n-- > 0)
        x86_step(&r->cpu);
}

static void test_size_prefixes(struct rig *r)
{
    static const uint8_t code[] = {
        0x66, 0xB8, 0x78, 0x56, 0x34, 0x12,     /* mov eax, 0x12345678 */
        0x66, 0xBB, 0x11, 0x11, 0x11, 0x11,     /* mov ebx, 0x11111111 */
        0x66, 0x01, 0xD8,                       /* add eax, ebx */
        0x66, 0xC1, 0xE0, 0x04,                 /* shl eax, 4 */
        0x66, 0x50,                             /* push eax */
        0x66, 0x5A,                             /* pop edx */
        0xB8, 0xFF, 0xFF,                       /* mov ax, 0xFFFF */
        0x41,                                   /* inc cx */
        0xF4,                                   /* hlt */
    };
    rig_program(r, code, sizeof(code));
    GPR(r, X86_ECX) = 0xABCDFFFF;
    run_to_hlt(r);
    CHECK_EQ(GPR(r, X86_EAX), 0x3456FFFF);     /* a 16-bit write keeps the top half */
    CHECK_EQ(GPR(r, X86_EDX), 0x34567890);
    CHECK_EQ(GPR(r, X86_ECX), 0xABCD0000);     /* INC CX wraps in 16 bits */
    CHECK_EQ(GPR(r, X86_ESP), RIG_STACK);
    CHECK_EQ(rig_peek(r, RIG_STACK - 4, 4), 0x34567890);

    /* Address size: SIB forms; 16-bit addressing ignores the top half of
     * the registers; a 32-bit offset beyond the 64 KiB limit faults. */
    static const uint8_t addr[] = {
        0x67, 0x8B, 0x04, 0x1E,                 /* mov ax, [esi+ebx] */
        0x67, 0x8B, 0x0C, 0x9E,                 /* mov cx, [esi+ebx*4] */
        0x67, 0x66, 0x8B, 0x54, 0x1E, 0x02,     /* mov edx, [esi+ebx+2] */
        0x8B, 0x3C,                             /* mov di, [si]   (SI of ESI) */
        0xF4,                                   /* hlt */
    };
    rig_program(r, addr, sizeof(addr));
    rig_poke(r, 0x3010, 0xBEEF, 2);
    rig_poke(r, 0x3012, 0x12345678, 4);
    rig_poke(r, 0x3040, 0xCAFE, 2);
    rig_poke(r, 0x3000, 0x5151, 2);
    GPR(r, X86_ESI) = 0x3000;
    GPR(r, X86_EBX) = 0x10;
    steps(r, 3);
    GPR(r, X86_ESI) = 0xFFFF3000;
    run_to_hlt(r);
    CHECK_EQ(GPR(r, X86_EAX) & 0xFFFF, 0xBEEF);
    CHECK_EQ(GPR(r, X86_ECX) & 0xFFFF, 0xCAFE);
    CHECK_EQ(GPR(r, X86_EDX), 0x12345678);
    CHECK_EQ(GPR(r, X86_EDI) & 0xFFFF, 0x5151);

    static const uint8_t far[] = { 0x67, 0x8B, 0x06, 0xF4 };   /* mov ax, [esi]; hlt */
    rig_program(r, far, sizeof(far));
    GPR(r, X86_ESI) = 0x10000;
    x86_step(&r->cpu);
    const struct rig_event *e = rig_event_of(r, X86_EXC_GP, 0);
    CHECK(e != NULL && e->eip == 0x1000);
}

static void test_movzx_movsx(struct rig *r)
{
    static const uint8_t code[] = {
        0x0F, 0xB6, 0xC3,                   /* movzx ax, bl */
        0x66, 0x0F, 0xB6, 0xCB,             /* movzx ecx, bl */
        0x66, 0x0F, 0xBE, 0xD3,             /* movsx edx, bl */
        0x66, 0x0F, 0xBF, 0xF3,             /* movsx esi, bx */
        0x66, 0x0F, 0xB7, 0xFB,             /* movzx edi, bx */
        0x0F, 0xBE, 0x2E, 0x00, 0x30,       /* movsx bp, byte [0x3000] */
        0xF4,                               /* hlt */
    };
    rig_program(r, code, sizeof(code));
    rig_poke(r, RIG_DATA, 0xFE, 1);
    GPR(r, X86_EAX) = 0xFFFFFFFF;
    GPR(r, X86_EBX) = 0x1234F080;
    GPR(r, X86_EBP) = 0x55550000;
    run_to_hlt(r);
    CHECK_EQ(GPR(r, X86_EAX), 0xFFFF0080);
    CHECK_EQ(GPR(r, X86_ECX), 0x00000080);
    CHECK_EQ(GPR(r, X86_EDX), 0xFFFFFF80);
    CHECK_EQ(GPR(r, X86_ESI), 0xFFFFF080);
    CHECK_EQ(GPR(r, X86_EDI), 0x0000F080);
    CHECK_EQ(GPR(r, X86_EBP), 0x5555FFFE);
}

/* With a register bit offset and a memory operand the offset is signed and
 * selects a word/dword anywhere around the address; an immediate offset
 * is taken modulo the operand size (Intel SDM vol. 2, BT). */
static void test_bit_tests(struct rig *r)
{
    static const uint8_t code[] = {
        0x0F, 0xAB, 0x1E, 0x00, 0x30,               /* 1000 bts [0x3000], bx      (BX = 35) */
        0x0F, 0xA3, 0x1E, 0x00, 0x30,               /* 1005 bt [0x3000], bx */
        0xBB, 0xFF, 0xFF,                           /* 100A mov bx, -1 */
        0x0F, 0xAB, 0x1E, 0x00, 0x30,               /* 100D bts [0x3000], bx */
        0x0F, 0xBB, 0x1E, 0x00, 0x30,               /* 1012 btc [0x3000], bx */
        0x66, 0xBB, 0x41, 0x00, 0x00, 0x00,         /* 1017 mov ebx, 65 */
        0x66, 0x0F, 0xAB, 0x1E, 0x00, 0x30,         /* 101D bts dword [0x3000], ebx */
        0x66, 0x0F, 0xB3, 0x1E, 0x00, 0x30,         /* 1023 btr dword [0x3000], ebx */
        0x0F, 0xBA, 0x2E, 0x00, 0x30, 0x23,         /* 1029 bts word [0x3000], 35 */
        0x0F, 0xBA, 0x36, 0x00, 0x30, 0x03,         /* 102F btr word [0x3000], 3 */
        0x0F, 0xBA, 0xE0, 0x11,                     /* 1035 bt ax, 17 */
        0xF4,                                       /* 1039 hlt */
    };
    rig_program(r, code, sizeof(code));
    for (uint32_t a = 0x2FF0; a < 0x3010; a += 4)
        rig_poke(r, a, 0, 4);
    GPR(r, X86_EBX) = 35;
    GPR(r, X86_EAX) = 0x0002;

    x86_step(&r->cpu);                              /* bts, BX = 35 */
    CHECK_EQ(rig_peek(r, 0x3004, 1), 0x08);         /* word 2, bit 3 */
    CHECK_EQ(rig_peek(r, 0x3000, 1), 0x00);
    CHECK(!(flags_of(r) & X86_CF));
    x86_step(&r->cpu);                              /* bt */
    CHECK(flags_of(r) & X86_CF);
    steps(r, 2);                                    /* mov bx, -1; bts */
    CHECK_EQ(rig_peek(r, 0x2FFF, 1), 0x80);         /* the word below, bit 15 */
    CHECK(!(flags_of(r) & X86_CF));
    x86_step(&r->cpu);                              /* btc */
    CHECK_EQ(rig_peek(r, 0x2FFF, 1), 0x00);
    CHECK(flags_of(r) & X86_CF);
    steps(r, 2);                                    /* mov ebx, 65; bts dword */
    CHECK_EQ(rig_peek(r, 0x3008, 4), 0x00000002);   /* dword 2, bit 1 */
    x86_step(&r->cpu);                              /* btr dword */
    CHECK_EQ(rig_peek(r, 0x3008, 4), 0);
    CHECK(flags_of(r) & X86_CF);
    x86_step(&r->cpu);                              /* bts word [0x3000], 35 */
    CHECK_EQ(rig_peek(r, 0x3000, 1), 0x08);         /* 35 mod 16 = 3, same word */
    CHECK_EQ(rig_peek(r, 0x3004, 1), 0x08);         /* untouched since the first BTS */
    x86_step(&r->cpu);                              /* btr word [0x3000], 3 */
    CHECK_EQ(rig_peek(r, 0x3000, 1), 0x00);
    CHECK(flags_of(r) & X86_CF);
    x86_step(&r->cpu);                              /* bt ax, 17: bit 1 */
    CHECK(flags_of(r) & X86_CF);
}

static void test_bit_scans(struct rig *r)
{
    static const uint8_t code[] = {
        0x0F, 0xBC, 0xC3,               /* bsf ax, bx */
        0x0F, 0xBD, 0xCB,               /* bsr cx, bx */
        0x66, 0x0F, 0xBD, 0xD6,         /* bsr edx, esi */
        0x66, 0x0F, 0xBC, 0xFE,         /* bsf edi, esi */
        0x0F, 0xBC, 0xEA,               /* bsf bp, dx   (DX = 31 by then) */
        0xF4,                           /* hlt */
    };
    rig_program(r, code, sizeof(code));
    GPR(r, X86_EBX) = 0x0180;
    GPR(r, X86_ESI) = 0x80000010;
    steps(r, 2);
    CHECK_EQ(GPR(r, X86_EAX) & 0xFFFF, 7);
    CHECK_EQ(GPR(r, X86_ECX) & 0xFFFF, 8);
    CHECK(!(flags_of(r) & X86_ZF));
    steps(r, 2);
    CHECK_EQ(GPR(r, X86_EDX), 31);
    CHECK_EQ(GPR(r, X86_EDI), 4);
    steps(r, 1);
    CHECK_EQ(GPR(r, X86_EBP) & 0xFFFF, 0);          /* bsf of 31 (0b11111) */

    static const uint8_t zero[] = { 0x0F, 0xBC, 0xC2, 0xF4 };  /* bsf ax, dx (DX = 0); hlt */
    rig_program(r, zero, sizeof(zero));
    run_to_hlt(r);
    CHECK(flags_of(r) & X86_ZF);
}

static void test_double_shifts(struct rig *r)
{
    static const uint8_t code[] = {
        0x66, 0x0F, 0xA4, 0xD8, 0x04,   /* shld eax, ebx, 4 */
        0x66, 0x0F, 0xAC, 0xD9, 0x04,   /* shrd ecx, ebx, 4 */
        0x0F, 0xA5, 0xDA,               /* shld dx, bx, cl   (CL = 8) */
        0xF4,                           /* hlt */
    };
    rig_program(r, code, sizeof(code));
    GPR(r, X86_EAX) = 0x12345678;
    GPR(r, X86_EBX) = 0x9ABCDEF1;
    GPR(r, X86_ECX) = 0x12345678;
    GPR(r, X86_EDX) = 0x1234;
    x86_step(&r->cpu);
    CHECK_EQ(GPR(r, X86_EAX), 0x23456789);
    CHECK(flags_of(r) & X86_CF);                    /* bit 28 of the old EAX */
    x86_step(&r->cpu);
    CHECK_EQ(GPR(r, X86_ECX), 0x11234567);
    CHECK(flags_of(r) & X86_CF);                    /* bit 3 of the old ECX */
    GPR(r, X86_ECX) = 8;
    GPR(r, X86_EBX) = 0xABCD;
    x86_step(&r->cpu);
    CHECK_EQ(GPR(r, X86_EDX) & 0xFFFF, 0x34AB);
    CHECK(!(flags_of(r) & X86_CF));                 /* bit 8 of 0x1234 */
}

static void test_setcc_and_jcc(struct rig *r)
{
    static const uint8_t set[] = {
        0x39, 0xD8,                     /* cmp ax, bx    (1 - 2) */
        0x0F, 0x94, 0xC1,               /* setz cl */
        0x0F, 0x92, 0xC5,               /* setb ch */
        0x0F, 0x9C, 0xC2,               /* setl dl */
        0x0F, 0x9F, 0x06, 0x00, 0x30,   /* setg byte [0x3000] */
        0x0F, 0x97, 0xC6,               /* seta dh */
        0xF4,                           /* hlt */
    };
    rig_program(r, set, sizeof(set));
    rig_poke(r, RIG_DATA, 0xFF, 1);
    GPR(r, X86_EAX) = 1;
    GPR(r, X86_EBX) = 2;
    GPR(r, X86_ECX) = 0xFFFF;
    GPR(r, X86_EDX) = 0xFFFF;
    run_to_hlt(r);
    CHECK_EQ(GPR(r, X86_ECX) & 0xFFFF, 0x0100);
    CHECK_EQ(GPR(r, X86_EDX) & 0xFFFF, 0x0001);
    CHECK_EQ(rig_peek(r, RIG_DATA, 1), 0);

    static const uint8_t jcc[] = {
        0x31, 0xC0,                                 /* 1000 xor ax, ax       ZF = 1 */
        0x0F, 0x84, 0x04, 0x00,                     /* 1002 jz 0x100A        (rel16) */
        0xBB, 0x01, 0x00,                           /* 1006 mov bx, 1 */
        0xF4,                                       /* 1009 hlt */
        0x66, 0x0F, 0x85, 0x00, 0x01, 0x00, 0x00,   /* 100A jnz 0x1111       (rel32, not taken) */
        0x66, 0x0F, 0x84, 0x03, 0x00, 0x00, 0x00,   /* 1011 jz 0x101B        (rel32) */
        0x43, 0x43, 0x43,                           /* 1018 inc bx x3 */
        0x0F, 0x84, 0xEA, 0xFF,                     /* 101B jz 0x1009        (rel16, backwards) */
    };
    rig_program(r, jcc, sizeof(jcc));
    run_to_hlt(r);
    CHECK_EQ(r->cpu.eip, 0x100A);
    CHECK_EQ(GPR(r, X86_EBX), 0);
}

static void test_imul(struct rig *r)
{
    static const uint8_t code[] = {
        0x0F, 0xAF, 0xC3,               /* imul ax, bx */
        0x6B, 0xC3, 0xF0,               /* imul ax, bx, -16 */
        0x69, 0xCB, 0x34, 0x12,         /* imul cx, bx, 0x1234 */
        0x66, 0x0F, 0xAF, 0xF7,         /* imul esi, edi */
        0xF7, 0xEB,                     /* imul bx */
        0x66, 0xF7, 0xEF,               /* imul edi */
        0x66, 0x6B, 0xED, 0xFF,         /* imul ebp, ebp, -1 */
        0xF4,                           /* hlt */
    };
    rig_program(r, code, sizeof(code));
    GPR(r, X86_EAX) = 0xFFFD;           /* -3 */
    GPR(r, X86_EBX) = 7;
    GPR(r, X86_ESI) = 0x10000;
    GPR(r, X86_EDI) = 0x10000;
    GPR(r, X86_EBP) = 0x80000000;
    x86_step(&r->cpu);
    CHECK_EQ(GPR(r, X86_EAX) & 0xFFFF, 0xFFEB);     /* -21 */
    CHECK(!(flags_of(r) & CF_OF));
    x86_step(&r->cpu);
    CHECK_EQ(GPR(r, X86_EAX) & 0xFFFF, 0xFF90);     /* -112 */
    x86_step(&r->cpu);
    CHECK_EQ(GPR(r, X86_ECX) & 0xFFFF, 0x7F6C);     /* 7 * 0x1234 */
    CHECK(!(flags_of(r) & CF_OF));
    x86_step(&r->cpu);
    CHECK_EQ(GPR(r, X86_ESI), 0);                   /* 2^32 does not fit */
    CHECK_EQ(flags_of(r) & CF_OF, CF_OF);
    GPR(r, X86_EAX) = 0xFFFE;                       /* -2 * 3 */
    GPR(r, X86_EBX) = 3;
    x86_step(&r->cpu);
    CHECK_EQ(GPR(r, X86_EAX) & 0xFFFF, 0xFFFA);
    CHECK_EQ(GPR(r, X86_EDX) & 0xFFFF, 0xFFFF);
    CHECK(!(flags_of(r) & CF_OF));
    GPR(r, X86_EAX) = 0x40000000;
    GPR(r, X86_EDI) = 4;
    x86_step(&r->cpu);
    CHECK_EQ(GPR(r, X86_EAX), 0);
    CHECK_EQ(GPR(r, X86_EDX), 1);
    CHECK_EQ(flags_of(r) & CF_OF, CF_OF);
    x86_step(&r->cpu);
    CHECK_EQ(GPR(r, X86_EBP), 0x80000000);          /* -(-2^31) overflows */
    CHECK_EQ(flags_of(r) & CF_OF, CF_OF);
}

static void test_far_loads(struct rig *r)
{
    static const uint8_t code[] = {
        0x0F, 0xB4, 0x1E, 0x00, 0x30,           /* lfs bx, [0x3000] */
        0x0F, 0xB5, 0x3E, 0x00, 0x30,           /* lgs di, [0x3000] */
        0x66, 0x0F, 0xB4, 0x0E, 0x10, 0x30,     /* lfs ecx, [0x3010] */
        0x64, 0xA1, 0x00, 0x00,                 /* mov ax, [fs:0] */
        0x65, 0x8B, 0x16, 0x04, 0x00,           /* mov dx, [gs:4] */
        0x0F, 0xB2, 0x26, 0x00, 0x30,           /* lss sp, [0x3000] */
        0xF4,                                   /* hlt */
    };
    rig_program(r, code, sizeof(code));
    rig_poke(r, 0x3000, 0x1234, 2);             /* offset */
    rig_poke(r, 0x3002, 0x0400, 2);             /* segment */
    rig_poke(r, 0x3010, 0x89ABCDEF, 4);
    rig_poke(r, 0x3014, 0x0500, 2);
    rig_poke(r, 0x5000, 0xF5F5, 2);             /* 0500:0000 */
    rig_poke(r, 0x4004, 0x6464, 2);             /* 0400:0004 */
    run_to_hlt(r);
    CHECK_EQ(GPR(r, X86_EBX) & 0xFFFF, 0x1234);
    CHECK_EQ(GPR(r, X86_EDI) & 0xFFFF, 0x1234);
    CHECK_EQ(r->cpu.seg[X86_GS].sel, 0x0400);
    CHECK_EQ(r->cpu.seg[X86_GS].base, 0x4000);
    CHECK_EQ(GPR(r, X86_ECX), 0x89ABCDEF);
    CHECK_EQ(r->cpu.seg[X86_FS].sel, 0x0500);
    CHECK_EQ(GPR(r, X86_EAX) & 0xFFFF, 0xF5F5);
    CHECK_EQ(GPR(r, X86_EDX) & 0xFFFF, 0x6464);
    CHECK_EQ(GPR(r, X86_ESP) & 0xFFFF, 0x1234);
    CHECK_EQ(r->cpu.seg[X86_SS].sel, 0x0400);
    CHECK_EQ(r->cpu.seg[X86_SS].base, 0x4000);
}

static void test_sign_extensions(struct rig *r)
{
    static const uint8_t code[] = {
        0x66, 0x98,         /* cwde */
        0x66, 0x99,         /* cdq */
        0x98,               /* cbw */
        0x99,               /* cwd */
        0xF4,               /* hlt */
    };
    rig_program(r, code, sizeof(code));
    GPR(r, X86_EAX) = 0x12348000;
    GPR(r, X86_EDX) = 0x5555AAAA;
    x86_step(&r->cpu);
    CHECK_EQ(GPR(r, X86_EAX), 0xFFFF8000);
    x86_step(&r->cpu);
    CHECK_EQ(GPR(r, X86_EDX), 0xFFFFFFFF);
    GPR(r, X86_EAX) = 0xABCD0080;
    GPR(r, X86_EDX) = 0x12345678;
    x86_step(&r->cpu);
    CHECK_EQ(GPR(r, X86_EAX), 0xABCDFF80);
    x86_step(&r->cpu);
    CHECK_EQ(GPR(r, X86_EDX), 0x1234FFFF);

    static const uint8_t cdq_pos[] = { 0x66, 0x99, 0xF4 };     /* cdq; hlt */
    rig_program(r, cdq_pos, sizeof(cdq_pos));
    GPR(r, X86_EAX) = 0x7FFFFFFF;
    GPR(r, X86_EDX) = 0xFFFFFFFF;
    run_to_hlt(r);
    CHECK_EQ(GPR(r, X86_EDX), 0);
}

/* String instructions: 0x66 picks dwords, 0x67 picks ESI/EDI/ECX; with a
 * 16-bit address size the top halves of those registers are untouched. */
static void test_strings32(struct rig *r)
{
    static const uint8_t code[] = {
        0x66, 0xF3, 0xA5,               /* rep movsd              (SI, DI, CX) */
        0x67, 0x66, 0xF3, 0xA5,         /* rep movsd              (ESI, EDI, ECX) */
        0x66, 0xF3, 0xAB,               /* rep stosd */
        0x67, 0xF3, 0xAA,               /* rep stosb              (EDI, ECX) */
        0x66, 0xAD,                     /* lodsd */
        0xF4,                           /* hlt */
    };
    rig_program(r, code, sizeof(code));
    for (uint32_t k = 0; k < 4; k++)
        rig_poke(r, 0x3000 + 4 * k, 0x11111111u * (k + 1), 4);
    GPR(r, X86_ECX) = 0xABCD0003;
    GPR(r, X86_ESI) = 0xFFFF3000;
    GPR(r, X86_EDI) = 0xFFFF3100;
    x86_step(&r->cpu);
    CHECK_EQ(GPR(r, X86_ECX), 0xABCD0000);
    CHECK_EQ(GPR(r, X86_ESI), 0xFFFF300C);
    CHECK_EQ(GPR(r, X86_EDI), 0xFFFF310C);
    CHECK_EQ(rig_peek(r, 0x3108, 4), 0x33333333);
    CHECK_EQ(rig_peek(r, 0x310C, 4), 0);

    GPR(r, X86_ECX) = 3;
    GPR(r, X86_ESI) = 0x3004;
    GPR(r, X86_EDI) = 0x3200;
    x86_step(&r->cpu);
    CHECK_EQ(GPR(r, X86_ECX), 0);
    CHECK_EQ(GPR(r, X86_ESI), 0x3010);
    CHECK_EQ(GPR(r, X86_EDI), 0x320C);
    CHECK_EQ(rig_peek(r, 0x3208, 4), 0x44444444);

    GPR(r, X86_EAX) = 0xDEADBEEF;
    GPR(r, X86_ECX) = 2;
    GPR(r, X86_EDI) = 0x3300;
    x86_step(&r->cpu);
    CHECK_EQ(rig_peek(r, 0x3304, 4), 0xDEADBEEF);
    CHECK_EQ(GPR(r, X86_EDI), 0x3308);

    GPR(r, X86_ECX) = 4;
    GPR(r, X86_EDI) = 0x3400;
    x86_step(&r->cpu);
    CHECK_EQ(rig_peek(r, 0x3400, 4), 0xEFEFEFEF);
    CHECK_EQ(GPR(r, X86_ECX), 0);

    GPR(r, X86_ESI) = 0x3008;
    x86_step(&r->cpu);
    CHECK_EQ(GPR(r, X86_EAX), 0x33333333);
    CHECK_EQ(GPR(r, X86_ESI), 0x300C);

    /* REPE CMPSD stops at the first difference; REPNE SCASD at a match;
     * with DF set the registers run downwards. */
    static const uint8_t cmp[] = {
        0xF3, 0x66, 0xA7,               /* repe cmpsd */
        0xF2, 0x66, 0xAF,               /* repne scasd */
        0xFD,                           /* std */
        0x66, 0xA5,                     /* movsd */
        0xF4,                           /* hlt */
    };
    rig_program(r, cmp, sizeof(cmp));
    rig_poke(r, 0x3108, 0x99999999, 4);         /* differs from 0x3008 */
    GPR(r, X86_ECX) = 4;
    GPR(r, X86_ESI) = 0x3000;
    GPR(r, X86_EDI) = 0x3100;
    x86_step(&r->cpu);
    CHECK_EQ(GPR(r, X86_ECX), 1);
    CHECK_EQ(GPR(r, X86_ESI), 0x300C);
    CHECK(!(flags_of(r) & X86_ZF));
    GPR(r, X86_EAX) = 0x99999999;
    GPR(r, X86_ECX) = 10;
    GPR(r, X86_EDI) = 0x3100;
    x86_step(&r->cpu);
    CHECK_EQ(GPR(r, X86_ECX), 7);
    CHECK_EQ(GPR(r, X86_EDI), 0x310C);
    CHECK(flags_of(r) & X86_ZF);
    GPR(r, X86_ESI) = 0x3000;
    GPR(r, X86_EDI) = 0x3500;
    steps(r, 2);
    CHECK_EQ(rig_peek(r, 0x3500, 4), 0x11111111);
    CHECK_EQ(GPR(r, X86_ESI), 0x2FFC);
    CHECK_EQ(GPR(r, X86_EDI), 0x34FC);

    static const uint8_t beyond[] = { 0x67, 0xAC, 0xF4 };      /* lodsb [esi]; hlt */
    rig_program(r, beyond, sizeof(beyond));
    GPR(r, X86_ESI) = 0x10000;
    x86_step(&r->cpu);
    const struct rig_event *e = rig_event_of(r, X86_EXC_GP, 0);
    CHECK(e != NULL && e->eip == 0x1000);
    CHECK_EQ(GPR(r, X86_ESI), 0x10000);
}

static void test_pushad_popad(struct rig *r)
{
    static const uint8_t code[] = {
        0x66, 0x60,         /* pushad */
        0x66, 0x61,         /* popad */
        0xF4,               /* hlt */
    };
    rig_program(r, code, sizeof(code));
    for (int k = 0; k < 8; k++)
        if (k != X86_ESP)
            GPR(r, k) = 0x01010101u * (uint32_t)(k + 1);
    x86_step(&r->cpu);
    CHECK_EQ(GPR(r, X86_ESP), RIG_STACK - 32);
    static const int order[8] = { X86_EAX, X86_ECX, X86_EDX, X86_EBX, X86_ESP, X86_EBP, X86_ESI, X86_EDI };
    for (int k = 0; k < 8; k++) {
        uint32_t want = order[k] == X86_ESP ? RIG_STACK : 0x01010101u * (uint32_t)(order[k] + 1);
        CHECK_EQ(rig_peek(r, RIG_STACK - 4 - 4 * (uint32_t)k, 4), want);
    }
    for (int k = 0; k < 8; k++)
        if (k != X86_ESP)
            GPR(r, k) = 0;
    rig_poke(r, RIG_STACK - 20, 0x12345678, 4);     /* the saved ESP: skipped */
    run_to_hlt(r);
    CHECK_EQ(GPR(r, X86_ESP), RIG_STACK);
    for (int k = 0; k < 8; k++)
        if (k != X86_ESP)
            CHECK_EQ(GPR(r, k), 0x01010101u * (uint32_t)(k + 1));
}

/* ENTER size, level: push BP; copy level-1 frame pointers from the old
 * frame; push the new frame pointer; reserve `size` bytes (Intel SDM
 * vol. 2, ENTER). */
static void test_enter(struct rig *r)
{
    static const uint8_t code[] = {
        0xC8, 0x10, 0x00, 0x00,         /* enter 16, 0 */
        0xC8, 0x04, 0x00, 0x03,         /* enter 4, 3 */
        0xC9,                           /* leave */
        0xC8, 0x04, 0x00, 0x01,         /* enter 4, 1 */
        0x66, 0xC8, 0x08, 0x00, 0x02,   /* enter 8, 2   (32-bit operands) */
        0xF4,                           /* hlt */
    };
    rig_program(r, code, sizeof(code));
    GPR(r, X86_EBP) = 0x1111;
    x86_step(&r->cpu);
    CHECK_EQ(rig_peek(r, 0x7FFE, 2), 0x1111);
    CHECK_EQ(GPR(r, X86_EBP), 0x7FFE);
    CHECK_EQ(GPR(r, X86_ESP), 0x7FEE);

    GPR(r, X86_ESP) = RIG_STACK;
    GPR(r, X86_EBP) = 0x7F00;
    rig_poke(r, 0x7EFE, 0xAAAA, 2);
    rig_poke(r, 0x7EFC, 0xBBBB, 2);
    x86_step(&r->cpu);
    CHECK_EQ(rig_peek(r, 0x7FFE, 2), 0x7F00);
    CHECK_EQ(rig_peek(r, 0x7FFC, 2), 0xAAAA);
    CHECK_EQ(rig_peek(r, 0x7FFA, 2), 0xBBBB);
    CHECK_EQ(rig_peek(r, 0x7FF8, 2), 0x7FFE);
    CHECK_EQ(GPR(r, X86_ESP), 0x7FF4);
    CHECK_EQ(GPR(r, X86_EBP), 0x7FFE);
    x86_step(&r->cpu);                              /* leave */
    CHECK_EQ(GPR(r, X86_ESP), RIG_STACK);
    CHECK_EQ(GPR(r, X86_EBP), 0x7F00);

    x86_step(&r->cpu);                              /* enter 4, 1 */
    CHECK_EQ(rig_peek(r, 0x7FFE, 2), 0x7F00);
    CHECK_EQ(rig_peek(r, 0x7FFC, 2), 0x7FFE);
    CHECK_EQ(GPR(r, X86_ESP), 0x7FF8);
    CHECK_EQ(GPR(r, X86_EBP), 0x7FFE);

    GPR(r, X86_ESP) = RIG_STACK;
    GPR(r, X86_EBP) = 0x7F00;
    rig_poke(r, 0x7EFC, 0xCCCCCCCC, 4);
    run_to_hlt(r);                                  /* enter 8, 2 (dwords) */
    CHECK_EQ(rig_peek(r, 0x7FFC, 4), 0x7F00);
    CHECK_EQ(rig_peek(r, 0x7FF8, 4), 0xCCCCCCCC);
    CHECK_EQ(rig_peek(r, 0x7FF4, 4), 0x7FFC);
    CHECK_EQ(GPR(r, X86_ESP), 0x7FEC);
    CHECK_EQ(GPR(r, X86_EBP), 0x7FFC);
}

int main(void)
{
    static const enum x86_model models[] = { X86_386, X86_486, X86_P6 };
    for (size_t k = 0; k < sizeof(models) / sizeof(models[0]); k++) {
        struct rig *r = rig_new(models[k], 1 << 20);
        CHECK(r != NULL);
        if (!r)
            break;
        test_size_prefixes(r);
        test_movzx_movsx(r);
        test_bit_tests(r);
        test_bit_scans(r);
        test_double_shifts(r);
        test_setcc_and_jcc(r);
        test_imul(r);
        test_far_loads(r);
        test_sign_extensions(r);
        test_strings32(r);
        test_pushad_popad(r);
        test_enter(r);
        rig_free(r);
    }
    return test_report();
}
