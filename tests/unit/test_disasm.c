/*
 * Unit test for the x86 disassembler (cpu/x86/disasm.c).
 *
 * The expected texts were derived by assembling the instruction with nasm
 * and disassembling the bytes with "objdump -D -b binary -mi8086/-mi386
 * -M intel", then normalising to this disassembler's syntax (lower-case
 * size keywords without PTR, "[0x1234]" for a bare displacement, "movsb"
 * for string instructions, unused prefixes as nasm's o16/o32/a16/a32).
 * Where the two tools disagree by convention (pushad vs pusha, sal for
 * shift group /6, far keyword on indirect far branches, salc) the nasm
 * source spelling is used.  The 8086-only cases were checked by giving
 * objdump the opcode each alias stands for (60 -> 70, C0 -> C2, ...).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/x86/disasm.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

/* mode: 16 or 32 for code32 = 0/1; 86 for 16-bit code on an 8086. */
struct insn_case {
    int mode;
    const char *hex;    /* the whole instruction, bytes separated by spaces */
    const char *text;
};

/* 16-bit cases are disassembled at eip 0x1000, 32-bit ones at 0x401000. */
static const struct insn_case cases[] = {
    /* ALU forms and 16-bit ModR/M addressing */
    { 16, "00 50 12", "add byte [bx+si+0x12], dl" },
    { 16, "03 66 f7", "add sp, word [bp-0x9]" },
    { 16, "0c 12", "or al, 0x12" },
    { 16, "15 34 12", "adc ax, 0x1234" },
    { 16, "80 1f 05", "sbb byte [bx], 0x5" },
    { 16, "83 25 80", "and word [di], 0xff80" },
    { 16, "29 0e 34 12", "sub word [0x1234], cx" },
    { 16, "32 7e 7f", "xor bh, byte [bp+0x7f]" },
    { 16, "81 79 80 34 12", "cmp word [bx+di-0x80], 0x1234" },
    { 16, "01 87 00 80", "add word [bx-0x8000], ax" },
    { 16, "8b 46 00", "mov ax, word [bp+0x0]" },
    { 16, "8b 82 34 12", "mov ax, word [bp+si+0x1234]" },

    /* Register-in-opcode, segment push/pop, BCD */
    { 16, "41", "inc cx" },
    { 16, "4f", "dec di" },
    { 16, "55", "push bp" },
    { 16, "5e", "pop si" },
    { 16, "06", "push es" },
    { 16, "1f", "pop ds" },
    { 16, "0e", "push cs" },
    { 16, "16", "push ss" },
    { 16, "17", "pop ss" },
    { 16, "27", "daa" },
    { 16, "2f", "das" },
    { 16, "37", "aaa" },
    { 16, "3f", "aas" },

    /* 80186/80286 additions */
    { 16, "60", "pusha" },
    { 16, "61", "popa" },
    { 16, "62 07", "bound ax, dword [bx]" },
    { 16, "63 07", "arpl word [bx], ax" },
    { 16, "68 34 12", "push 0x1234" },
    { 16, "6a ff", "push 0xffff" },
    { 16, "69 07 34 12", "imul ax, word [bx], 0x1234" },
    { 16, "6b ca fe", "imul cx, dx, 0xfffe" },
    { 16, "6c", "insb" },
    { 16, "6d", "insw" },
    { 16, "6e", "outsb" },
    { 16, "6f", "outsw" },
    { 16, "f3 6d", "rep insw" },

    /* Short conditional branches */
    { 16, "70 0e", "jo 0x1010" },
    { 16, "75 ee", "jne 0xff0" },
    { 16, "7c 00", "jl 0x1002" },
    { 16, "7f 4e", "jg 0x1050" },

    /* Groups, test, xchg, mov */
    { 16, "80 07 80", "add byte [bx], 0x80" },
    { 16, "81 07 00 80", "add word [bx], 0x8000" },
    { 16, "83 fe 05", "cmp si, 0x5" },
    { 16, "84 0f", "test byte [bx], cl" },
    { 16, "85 c3", "test bx, ax" },
    { 16, "86 07", "xchg byte [bx], al" },
    { 16, "87 14", "xchg word [si], dx" },
    { 16, "88 07", "mov byte [bx], al" },
    { 16, "89 09", "mov word [bx+di], cx" },
    { 16, "8a 17", "mov dl, byte [bx]" },
    { 16, "8b 6c 02", "mov bp, word [si+0x2]" },
    { 16, "8c c0", "mov ax, es" },
    { 16, "8c 1f", "mov word [bx], ds" },
    { 16, "8e c0", "mov es, ax" },
    { 16, "8e 56 06", "mov ss, word [bp+0x6]" },
    { 16, "8d 40 04", "lea ax, [bx+si+0x4]" },
    { 16, "8f 07", "pop word [bx]" },

    /* 90-9F */
    { 16, "90", "nop" },
    { 16, "91", "xchg cx, ax" },
    { 16, "98", "cbw" },
    { 16, "99", "cwd" },
    { 16, "9a 78 56 34 12", "call 0x1234:0x5678" },
    { 16, "9c", "pushf" },
    { 16, "9d", "popf" },
    { 16, "9e", "sahf" },
    { 16, "9f", "lahf" },

    /* moffs and string instructions */
    { 16, "a0 34 12", "mov al, byte [0x1234]" },
    { 16, "a1 34 12", "mov ax, word [0x1234]" },
    { 16, "a2 34 12", "mov byte [0x1234], al" },
    { 16, "a3 78 56", "mov word [0x5678], ax" },
    { 16, "a4", "movsb" },
    { 16, "a5", "movsw" },
    { 16, "a6", "cmpsb" },
    { 16, "a7", "cmpsw" },
    { 16, "aa", "stosb" },
    { 16, "ab", "stosw" },
    { 16, "ac", "lodsb" },
    { 16, "ad", "lodsw" },
    { 16, "ae", "scasb" },
    { 16, "af", "scasw" },
    { 16, "f3 a5", "rep movsw" },
    { 16, "f3 a6", "repe cmpsb" },
    { 16, "f2 ae", "repne scasb" },
    { 16, "f3 aa", "rep stosb" },

    /* Immediates, shifts, returns, interrupts */
    { 16, "a8 12", "test al, 0x12" },
    { 16, "a9 34 12", "test ax, 0x1234" },
    { 16, "b1 12", "mov cl, 0x12" },
    { 16, "be 34 12", "mov si, 0x1234" },
    { 16, "d0 c0", "rol al, 1" },
    { 16, "d1 0f", "ror word [bx], 1" },
    { 16, "d2 d3", "rcl bl, cl" },
    { 16, "d3 18", "rcr word [bx+si], cl" },
    { 16, "c1 e0 04", "shl ax, 0x4" },
    { 16, "c0 2f 02", "shr byte [bx], 0x2" },
    { 16, "d1 fa", "sar dx, 1" },
    { 16, "c2 08 00", "ret 0x8" },
    { 16, "c3", "ret" },
    { 16, "c4 07", "les ax, dword [bx]" },
    { 16, "c5 76 04", "lds si, dword [bp+0x4]" },
    { 16, "c6 07 12", "mov byte [bx], 0x12" },
    { 16, "c7 00 34 12", "mov word [bx+si], 0x1234" },
    { 16, "c8 10 00 00", "enter 0x10, 0x0" },
    { 16, "c8 08 00 01", "enter 0x8, 0x1" },
    { 16, "c9", "leave" },
    { 16, "ca 04 00", "retf 0x4" },
    { 16, "cb", "retf" },
    { 16, "cc", "int3" },
    { 16, "cd 21", "int 0x21" },
    { 16, "ce", "into" },
    { 16, "cf", "iret" },

    /* AAM/AAD, SALC, XLAT, loops, I/O, branches */
    { 16, "d4 0a", "aam" },
    { 16, "d5 0a", "aad" },
    { 16, "d4 10", "aam 0x10" },
    { 16, "d5 07", "aad 0x7" },
    { 16, "d6", "salc" },
    { 16, "d7", "xlatb" },
    { 16, "e0 fe", "loopne 0x1000" },
    { 16, "e1 fe", "loope 0x1000" },
    { 16, "e2 ee", "loop 0xff0" },
    { 16, "e3 00", "jcxz 0x1002" },
    { 16, "e4 60", "in al, 0x60" },
    { 16, "e5 61", "in ax, 0x61" },
    { 16, "e6 43", "out 0x43, al" },
    { 16, "e7 40", "out 0x40, ax" },
    { 16, "ec", "in al, dx" },
    { 16, "ed", "in ax, dx" },
    { 16, "ee", "out dx, al" },
    { 16, "ef", "out dx, ax" },
    { 16, "e8 fd 0f", "call 0x2000" },
    { 16, "e9 fd f0", "jmp 0x100" },
    { 16, "ea f0 ff 00 f0", "jmp 0xf000:0xfff0" },
    { 16, "eb fe", "jmp 0x1000" },

    /* LOCK, group 3, flags, group 4/5 */
    { 16, "f0 01 07", "lock add word [bx], ax" },
    { 16, "f0 87 07", "lock xchg word [bx], ax" },
    { 16, "f4", "hlt" },
    { 16, "f5", "cmc" },
    { 16, "f6 17", "not byte [bx]" },
    { 16, "f7 d8", "neg ax" },
    { 16, "f6 e3", "mul bl" },
    { 16, "f7 2f", "imul word [bx]" },
    { 16, "f7 f1", "div cx" },
    { 16, "f6 3b", "idiv byte [bp+di]" },
    { 16, "f6 07 55", "test byte [bx], 0x55" },
    { 16, "f7 c6 00 80", "test si, 0x8000" },
    { 16, "f8", "clc" },
    { 16, "f9", "stc" },
    { 16, "fa", "cli" },
    { 16, "fb", "sti" },
    { 16, "fc", "cld" },
    { 16, "fd", "std" },
    { 16, "fe 07", "inc byte [bx]" },
    { 16, "ff 0f", "dec word [bx]" },
    { 16, "ff 17", "call word [bx]" },
    { 16, "ff d0", "call ax" },
    { 16, "ff 1f", "call far dword [bx]" },
    { 16, "ff 67 04", "jmp word [bx+0x4]" },
    { 16, "ff 6e 00", "jmp far dword [bp+0x0]" },
    { 16, "ff 37", "push word [bx]" },

    /* Segment overrides */
    { 16, "26 8b 07", "mov ax, word es:[bx]" },
    { 16, "2e 88 40 04", "mov byte cs:[bx+si+0x4], al" },
    { 16, "36 a1 10 00", "mov ax, word ss:[0x10]" },
    { 16, "64 8a 1d", "mov bl, byte fs:[di]" },
    { 16, "65 89 56 00", "mov word gs:[bp+0x0], dx" },
    { 16, "26 a4", "es movsb" },
    { 16, "2e ad", "cs lodsw" },

    /* Operand- and address-size prefixes in 16-bit code */
    { 16, "66 89 d8", "mov eax, ebx" },
    { 16, "66 68 78 56 34 12", "push dword 0x12345678" },
    { 16, "66 83 c0 01", "add eax, 0x1" },
    { 16, "66 05 78 56 34 12", "add eax, 0x12345678" },
    { 16, "67 8b 00", "mov ax, word [eax]" },
    { 16, "66 67 8b 44 8b 10", "mov eax, dword [ebx+ecx*4+0x10]" },
    { 16, "66 67 8b 0c 24", "mov ecx, dword [esp]" },
    { 16, "66 a5", "movsd" },
    { 16, "f3 66 ab", "rep stosd" },
    { 16, "66 ad", "lodsd" },
    { 16, "66 60", "pushad" },
    { 16, "66 9d", "popfd" },
    { 16, "66 cf", "iretd" },
    { 16, "66 98", "cwde" },
    { 16, "66 99", "cdq" },
    { 16, "67 e3 01", "jecxz 0x1004" },
    { 16, "66 e9 72 46 34 12", "jmp dword 0x12345678" },
    { 16, "66 e2 fd", "o32 loop 0x1000" },
    { 16, "67 e2 fd", "a32 loop 0x1000" },
    { 16, "f3 67 a4", "rep a32 movsb" },

    /* 0F map: system instructions */
    { 16, "0f 00 c0", "sldt ax" },
    { 16, "0f 00 0f", "str word [bx]" },
    { 16, "0f 00 d0", "lldt ax" },
    { 16, "0f 00 1f", "ltr word [bx]" },
    { 16, "0f 00 e0", "verr ax" },
    { 16, "0f 00 2f", "verw word [bx]" },
    { 16, "0f 01 07", "sgdt [bx]" },
    { 16, "0f 01 08", "sidt [bx+si]" },
    { 16, "0f 01 16 34 12", "lgdt [0x1234]" },
    { 16, "0f 01 5e 08", "lidt [bp+0x8]" },
    { 16, "0f 01 e0", "smsw ax" },
    { 16, "0f 01 27", "smsw word [bx]" },
    { 16, "0f 01 f0", "lmsw ax" },
    { 16, "0f 01 3f", "invlpg [bx]" },
    { 16, "0f 02 c3", "lar ax, bx" },
    { 16, "0f 03 0f", "lsl cx, word [bx]" },
    { 16, "0f 06", "clts" },
    { 16, "0f 08", "invd" },
    { 16, "0f 09", "wbinvd" },
    { 16, "0f 0b", "ud2" },
    { 16, "0f 31", "rdtsc" },
    { 16, "0f 32", "rdmsr" },
    { 16, "0f 30", "wrmsr" },
    { 16, "0f a2", "cpuid" },
    { 16, "0f 33", "rdpmc" },
    { 16, "0f 34", "sysenter" },
    { 16, "0f 35", "sysexit" },
    { 16, "0f aa", "rsm" },

    /* MOV CRn/DRn/TRn */
    { 16, "0f 20 c0", "mov eax, cr0" },
    { 16, "0f 22 db", "mov cr3, ebx" },
    { 16, "0f 21 fa", "mov edx, dr7" },
    { 16, "0f 23 c0", "mov dr0, eax" },
    { 16, "0f 24 f0", "mov eax, tr6" },
    { 16, "0f 26 f9", "mov tr7, ecx" },

    /* 0F map: Jcc near, SETcc, bit ops, shifts, loads, CMOVcc */
    { 16, "0f 84 fc 0f", "je 0x2000" },
    { 16, "0f 83 fc f0", "jae 0x100" },
    { 16, "0f 90 c0", "seto al" },
    { 16, "0f 95 07", "setne byte [bx]" },
    { 16, "0f 9d c1", "setge cl" },
    { 16, "0f a0", "push fs" },
    { 16, "0f a1", "pop fs" },
    { 16, "0f a8", "push gs" },
    { 16, "0f a9", "pop gs" },
    { 16, "0f a3 c8", "bt ax, cx" },
    { 16, "0f ab 17", "bts word [bx], dx" },
    { 16, "0f ba 37 03", "btr word [bx], 0x3" },
    { 16, "0f ba f9 0f", "btc cx, 0xf" },
    { 16, "0f ba 24 00", "bt word [si], 0x0" },
    { 16, "0f a4 d8 04", "shld ax, bx, 0x4" },
    { 16, "0f a5 0f", "shld word [bx], cx, cl" },
    { 16, "0f ac c2 01", "shrd dx, ax, 0x1" },
    { 16, "0f ad 00", "shrd word [bx+si], ax, cl" },
    { 16, "0f af 07", "imul ax, word [bx]" },
    { 16, "0f b0 0f", "cmpxchg byte [bx], cl" },
    { 16, "0f b1 17", "cmpxchg word [bx], dx" },
    { 16, "0f b2 27", "lss sp, dword [bx]" },
    { 16, "0f b4 76 02", "lfs si, dword [bp+0x2]" },
    { 16, "0f b5 3e 00 01", "lgs di, dword [0x100]" },
    { 16, "0f b6 07", "movzx ax, byte [bx]" },
    { 16, "0f b6 c3", "movzx ax, bl" },
    { 16, "66 0f b7 07", "movzx eax, word [bx]" },
    { 16, "0f be 0c", "movsx cx, byte [si]" },
    { 16, "66 0f bf d2", "movsx edx, dx" },
    { 16, "0f bc 07", "bsf ax, word [bx]" },
    { 16, "0f bd d1", "bsr dx, cx" },
    { 16, "0f c0 07", "xadd byte [bx], al" },
    { 16, "0f c1 d1", "xadd cx, dx" },
    { 16, "0f c7 0f", "cmpxchg8b qword [bx]" },
    { 16, "0f 44 c3", "cmove ax, bx" },
    { 16, "0f 47 0f", "cmova cx, word [bx]" },
    { 16, "66 0f 4c 07", "cmovl eax, dword [bx]" },

    /* x87 memory forms */
    { 16, "d8 07", "fadd dword [bx]" },
    { 16, "dc 08", "fmul qword [bx+si]" },
    { 16, "d8 56 04", "fcom dword [bp+0x4]" },
    { 16, "dc 1f", "fcomp qword [bx]" },
    { 16, "d8 27", "fsub dword [bx]" },
    { 16, "dc 2f", "fsubr qword [bx]" },
    { 16, "d8 35", "fdiv dword [di]" },
    { 16, "dc 3c", "fdivr qword [si]" },
    { 16, "de 07", "fiadd word [bx]" },
    { 16, "da 0f", "fimul dword [bx]" },
    { 16, "de 17", "ficom word [bx]" },
    { 16, "da 1f", "ficomp dword [bx]" },
    { 16, "de 27", "fisub word [bx]" },
    { 16, "da 2f", "fisubr dword [bx]" },
    { 16, "de 37", "fidiv word [bx]" },
    { 16, "da 3f", "fidivr dword [bx]" },
    { 16, "d9 07", "fld dword [bx]" },
    { 16, "dd 07", "fld qword [bx]" },
    { 16, "db 2f", "fld tword [bx]" },
    { 16, "d9 17", "fst dword [bx]" },
    { 16, "dd 17", "fst qword [bx]" },
    { 16, "d9 1f", "fstp dword [bx]" },
    { 16, "dd 1f", "fstp qword [bx]" },
    { 16, "db 3f", "fstp tword [bx]" },
    { 16, "df 07", "fild word [bx]" },
    { 16, "db 07", "fild dword [bx]" },
    { 16, "df 2f", "fild qword [bx]" },
    { 16, "df 17", "fist word [bx]" },
    { 16, "db 17", "fist dword [bx]" },
    { 16, "df 1f", "fistp word [bx]" },
    { 16, "db 1f", "fistp dword [bx]" },
    { 16, "df 3f", "fistp qword [bx]" },
    { 16, "df 27", "fbld tword [bx]" },
    { 16, "df 37", "fbstp tword [bx]" },
    { 16, "d9 2f", "fldcw word [bx]" },
    { 16, "d9 3f", "fnstcw word [bx]" },
    { 16, "dd 3f", "fnstsw word [bx]" },
    { 16, "df e0", "fnstsw ax" },
    { 16, "d9 27", "fldenv [bx]" },
    { 16, "d9 37", "fnstenv [bx]" },
    { 16, "dd 27", "frstor [bx]" },
    { 16, "dd 37", "fnsave [bx]" },

    /* x87 register forms */
    { 16, "d8 c1", "fadd st, st(1)" },
    { 16, "dc c2", "fadd st(2), st" },
    { 16, "d8 cf", "fmul st, st(7)" },
    { 16, "dc cb", "fmul st(3), st" },
    { 16, "d8 d1", "fcom st(1)" },
    { 16, "d8 da", "fcomp st(2)" },
    { 16, "d8 e1", "fsub st, st(1)" },
    { 16, "d8 e9", "fsubr st, st(1)" },
    { 16, "dc e9", "fsub st(1), st" },
    { 16, "dc e1", "fsubr st(1), st" },
    { 16, "d8 f2", "fdiv st, st(2)" },
    { 16, "d8 fa", "fdivr st, st(2)" },
    { 16, "dc fa", "fdiv st(2), st" },
    { 16, "dc f2", "fdivr st(2), st" },
    { 16, "de c1", "faddp st(1), st" },
    { 16, "de ca", "fmulp st(2), st" },
    { 16, "de e9", "fsubp st(1), st" },
    { 16, "de e1", "fsubrp st(1), st" },
    { 16, "de fb", "fdivp st(3), st" },
    { 16, "de f3", "fdivrp st(3), st" },
    { 16, "de d9", "fcompp" },
    { 16, "da e9", "fucompp" },
    { 16, "d9 c0", "fld st(0)" },
    { 16, "d9 c3", "fld st(3)" },
    { 16, "d9 c9", "fxch st(1)" },
    { 16, "dd d2", "fst st(2)" },
    { 16, "dd d9", "fstp st(1)" },
    { 16, "dd c4", "ffree st(4)" },
    { 16, "dd e1", "fucom st(1)" },
    { 16, "dd ea", "fucomp st(2)" },
    { 16, "da c1", "fcmovb st, st(1)" },
    { 16, "da ca", "fcmove st, st(2)" },
    { 16, "da d3", "fcmovbe st, st(3)" },
    { 16, "da dc", "fcmovu st, st(4)" },
    { 16, "db c1", "fcmovnb st, st(1)" },
    { 16, "db ca", "fcmovne st, st(2)" },
    { 16, "db d3", "fcmovnbe st, st(3)" },
    { 16, "db dc", "fcmovnu st, st(4)" },
    { 16, "db e9", "fucomi st, st(1)" },
    { 16, "db f2", "fcomi st, st(2)" },
    { 16, "df eb", "fucomip st, st(3)" },
    { 16, "df f4", "fcomip st, st(4)" },

    /* x87 operand-less forms */
    { 16, "d9 d0", "fnop" },
    { 16, "d9 e0", "fchs" },
    { 16, "d9 e1", "fabs" },
    { 16, "d9 e4", "ftst" },
    { 16, "d9 e5", "fxam" },
    { 16, "d9 e8", "fld1" },
    { 16, "d9 e9", "fldl2t" },
    { 16, "d9 ea", "fldl2e" },
    { 16, "d9 eb", "fldpi" },
    { 16, "d9 ec", "fldlg2" },
    { 16, "d9 ed", "fldln2" },
    { 16, "d9 ee", "fldz" },
    { 16, "d9 f0", "f2xm1" },
    { 16, "d9 f1", "fyl2x" },
    { 16, "d9 f2", "fptan" },
    { 16, "d9 f3", "fpatan" },
    { 16, "d9 f4", "fxtract" },
    { 16, "d9 f5", "fprem1" },
    { 16, "d9 f6", "fdecstp" },
    { 16, "d9 f7", "fincstp" },
    { 16, "d9 f8", "fprem" },
    { 16, "d9 f9", "fyl2xp1" },
    { 16, "d9 fa", "fsqrt" },
    { 16, "d9 fb", "fsincos" },
    { 16, "d9 fc", "frndint" },
    { 16, "d9 fd", "fscale" },
    { 16, "d9 fe", "fsin" },
    { 16, "d9 ff", "fcos" },
    { 16, "db e2", "fnclex" },
    { 16, "db e3", "fninit" },
    { 16, "db e0", "fneni" },
    { 16, "db e1", "fndisi" },
    { 16, "db e4", "fnsetpm" },
    { 16, "db e5", "frstpm" },
    { 16, "9b", "fwait" },
    { 16, "26 d8 07", "fadd dword es:[bx]" },

    /* 32-bit ModR/M and SIB addressing */
    { 32, "8b 44 24 04", "mov eax, dword [esp+0x4]" },
    { 32, "8b 45 fc", "mov eax, dword [ebp-0x4]" },
    { 32, "8d 44 88 10", "lea eax, [eax+ecx*4+0x10]" },
    { 32, "a1 78 56 34 12", "mov eax, dword [0x12345678]" },
    { 32, "8b 04 cd 00 01 00 00", "mov eax, dword [ecx*8+0x100]" },
    { 32, "89 04 24", "mov dword [esp], eax" },
    { 32, "81 44 73 80 78 56 34 12", "add dword [ebx+esi*2-0x80], 0x12345678" },
    { 32, "64 8a 00", "mov al, byte fs:[eax]" },
    { 32, "65 8b 1d 10 00 00 00", "mov ebx, dword gs:[0x10]" },
    { 32, "8b 54 3d 00", "mov edx, dword [ebp+edi+0x0]" },
    { 32, "8d 34 76", "lea esi, [esi+esi*2]" },
    { 32, "8b 8c 2c ff ff ff 7f", "mov ecx, dword [esp+ebp+0x7fffffff]" },
    { 32, "8b 80 80 00 00 00", "mov eax, dword [eax+0x80]" },
    { 32, "88 1c 97", "mov byte [edi+edx*4], bl" },

    /* Branches */
    { 32, "e8 fb 0f 00 00", "call 0x402000" },
    { 32, "e9 fb ef ff ff", "jmp 0x400000" },
    { 32, "0f 84 fa 00 00 00", "je 0x401100" },
    { 32, "eb fe", "jmp 0x401000" },
    { 32, "e2 fe", "loop 0x401000" },
    { 32, "e3 fe", "jecxz 0x401000" },
    { 32, "67 e3 fd", "jcxz 0x401000" },

    /* Prefixes in 32-bit code */
    { 32, "66 89 d8", "mov ax, bx" },
    { 32, "66 68 34 12", "push word 0x1234" },
    { 32, "68 78 56 34 12", "push 0x12345678" },
    { 32, "6a ff", "push 0xffffffff" },
    { 32, "67 8b 00", "mov eax, dword [bx+si]" },

    /* Size-dependent mnemonics */
    { 32, "a5", "movsd" },
    { 32, "f3 a5", "rep movsd" },
    { 32, "ab", "stosd" },
    { 32, "a7", "cmpsd" },
    { 32, "f3 a7", "repe cmpsd" },
    { 32, "60", "pushad" },
    { 32, "61", "popad" },
    { 32, "9c", "pushfd" },
    { 32, "9d", "popfd" },
    { 32, "cf", "iretd" },
    { 32, "98", "cwde" },
    { 32, "99", "cdq" },
    { 32, "66 98", "cbw" },
    { 32, "66 99", "cwd" },

    /* System and far pointers */
    { 32, "0f 20 c0", "mov eax, cr0" },
    { 32, "0f 22 e0", "mov cr4, eax" },
    { 32, "ed", "in eax, dx" },
    { 32, "ef", "out dx, eax" },
    { 32, "ea 78 56 34 12 34 12", "jmp 0x1234:0x12345678" },
    { 32, "9a 78 56 34 12 34 12", "call 0x1234:0x12345678" },
    { 32, "ff 18", "call far fword [eax]" },
    { 32, "ff 6b 04", "jmp far fword [ebx+0x4]" },
    { 32, "c4 03", "les eax, fword [ebx]" },
    { 32, "0f b2 23", "lss esp, fword [ebx]" },
    { 32, "62 03", "bound eax, qword [ebx]" },
    { 32, "8c c0", "mov eax, es" },
    { 32, "8e c0", "mov es, eax" },
    { 32, "0f 00 c0", "sldt eax" },
    { 32, "0f 00 c8", "str eax" },
    { 32, "0f 01 e0", "smsw eax" },
    { 32, "0f 02 c3", "lar eax, ebx" },
    { 32, "0f 03 03", "lsl eax, word [ebx]" },
    { 32, "0f b6 03", "movzx eax, byte [ebx]" },
    { 32, "0f b7 03", "movzx eax, word [ebx]" },
    { 32, "0f bf c3", "movsx eax, bx" },

    /* Misc 386-P6 */
    { 32, "69 03 78 56 34 12", "imul eax, dword [ebx], 0x12345678" },
    { 32, "6b c3 ff", "imul eax, ebx, 0xffffffff" },
    { 32, "0f c8", "bswap eax" },
    { 32, "0f cf", "bswap edi" },
    { 32, "0f c7 0e", "cmpxchg8b qword [esi]" },
    { 32, "f0 0f b1 0b", "lock cmpxchg dword [ebx], ecx" },
    { 32, "f0 0f c1 00", "lock xadd dword [eax], eax" },
    { 32, "0f a4 d8 10", "shld eax, ebx, 0x10" },
    { 32, "f7 00 00 00 00 80", "test dword [eax], 0x80000000" },
    { 32, "83 c0 ff", "add eax, 0xffffffff" },
    { 32, "80 3c 08 00", "cmp byte [eax+ecx], 0x0" },
    { 32, "90", "nop" },
    { 32, "93", "xchg ebx, eax" },
    { 32, "c7 00 00 00 00 00", "mov dword [eax], 0x0" },
    { 32, "f3 90", "pause" },
    { 32, "d9 44 24 04", "fld dword [esp+0x4]" },
    { 32, "dd 5d f8", "fstp qword [ebp-0x8]" },
    { 32, "d9 30", "fnstenv [eax]" },
    { 32, "df 2e", "fild qword [esi]" },
    { 32, "66 d9 30", "o16 fnstenv [eax]" },
    { 32, "c8 00 01 00", "enter 0x100, 0x0" },
    { 32, "c2 04 00", "ret 0x4" },
    { 32, "cb", "retf" },
    { 32, "ff 10", "call dword [eax]" },
    { 32, "ff e0", "jmp eax" },
    { 32, "ff 30", "push dword [eax]" },
    { 32, "8f 43 04", "pop dword [ebx+0x4]" },
    { 32, "40", "inc eax" },
    { 32, "4b", "dec ebx" },

    /* 8086 decoding: aliases that later CPUs redefined */
    { 86, "60 fe", "jo 0x1000" },                /* 60-6F repeat 70-7F */
    { 86, "6a 10", "jp 0x1012" },
    { 86, "6f 80", "jg 0xf82" },
    { 86, "64 a4", "je 0xfa6" },                 /* not an FS prefix */
    { 86, "66 90", "jbe 0xf92" },                /* not an operand-size prefix */
    { 86, "0f", "pop cs" },
    { 86, "c0 34 12", "ret 0x1234" },            /* C0/C1 alias C2/C3 */
    { 86, "c1", "ret" },
    { 86, "c8 34 12", "retf 0x1234" },           /* C8/C9 alias CA/CB */
    { 86, "c9", "retf" },
    { 86, "d6", "salc" },
    { 86, "f1 a4", "lock movsb" },               /* F1 is a second LOCK */
    { 86, "8c f8", "mov ax, ds" },               /* two-bit segment number */
    { 86, "8f c8", "pop ax" },                   /* reg field ignored */
    { 86, "c6 c8 12", "mov al, 0x12" },
    { 86, "c7 c0 34 12", "mov ax, 0x1234" },
    { 86, "d0 f0", "setmo al, 1" },              /* shift group /6 */
    { 86, "d3 f7", "setmoc di, cl" },
    { 86, "00 50 12", "add byte [bx+si+0x12], dl" },
    { 86, "e8 fd ff", "call 0x1000" },

    /* Unused prefixes, prefix order, the 15-byte limit */
    { 16, "2e 90", "cs nop" },
    { 16, "66 90", "o32 nop" },
    { 32, "66 90", "o16 nop" },
    { 32, "67 a4", "a16 movsb" },
    { 32, "67 a1 34 12", "a16 mov eax, dword [0x1234]" },
    { 16, "f0 f3 2e a5", "lock rep cs movsw" },
    { 16, "26 2e 8b 07", "mov ax, word cs:[bx]" },   /* the last override wins */
    { 16, "f3 90", "pause" },
    { 16, "f2 a5", "repne movsw" },
    { 32, "3e 8b 05 78 56 34 12", "mov eax, dword ds:[0x12345678]" },
    { 16, "26 26 26 26 26 26 26 26 26 26 26 26 26 26 90", "es nop" },

    /* Undefined encodings */
    { 16, "0f 0a", "(bad)" },
    { 16, "0f ff", "(bad)" },
    { 16, "0f a6", "(bad)" },
    { 16, "fe 38", "(bad)" },                    /* FE /7 */
    { 16, "ff 3f", "(bad)" },                    /* FF /7 */
    { 16, "8d c0", "(bad)" },                    /* lea with a register */
    { 16, "c4 c0", "(bad)" },
    { 16, "0f 01 c0", "(bad)" },                 /* sgdt with a register */
    { 16, "0f c7 c8", "(bad)" },
    { 16, "8c f0", "(bad)" },                    /* segment register 6 */
    { 16, "d9 08", "(bad)" },                    /* D9 /1 memory */
    { 16, "d9 d8", "fstp st(0)" },               /* undocumented alias */
    { 16, "dd c9", "fxch st(1)" },
    { 32, "0f 00 7c 24 08", "(bad)" },           /* 0F 00 /7, with SIB and disp8 */
};

static int parse_hex(const char *s, uint8_t *out, int max)
{
    int n = 0;
    while (*s && n < max) {
        if (*s == ' ') {
            s++;
            continue;
        }
        out[n++] = (uint8_t)strtoul((char[3]){ s[0], s[1], '\0' }, NULL, 16);
        s += 2;
    }
    return n;
}

static struct x86_disasm_opts opts_for(int mode)
{
    struct x86_disasm_opts o = { mode == 32, mode == 86, mode == 32 ? 0x401000u : 0x1000u };
    return o;
}

static void test_cases(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct insn_case *c = &cases[i];
        uint8_t bytes[16];
        int n = parse_hex(c->hex, bytes, (int)sizeof bytes);
        struct x86_disasm_opts o = opts_for(c->mode);
        char out[96];
        int len = x86_disasm(bytes, n, &o, out, sizeof out);
        int ok = len == n && strcmp(out, c->text) == 0;
        CHECK(ok);
        if (!ok)
            fprintf(stderr, "  mode %d [%s]: got %d \"%s\", want %d \"%s\"\n", c->mode, c->hex, len,
                    out, n, c->text);
    }
}

/* Every proper prefix of a whole instruction is too short: 0 and "". */
static void test_truncated(void)
{
    static const struct insn_case whole[] = {
        { 16, "66 f3 26 81 84 34 12 78 56 34 12", "" },
        { 32, "81 84 88 78 56 34 12 ef cd ab 89", "" },
        { 16, "ea 78 56 34 12", "" },
        { 32, "0f 84 00 00 00 00", "" },
        { 16, "c8 10 00 01", "" },
        { 16, "dd 86 34 12", "" },
        { 16, "0f ba 26 34 12 05", "" },
    };
    for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++) {
        uint8_t bytes[16];
        int n = parse_hex(whole[i].hex, bytes, (int)sizeof bytes);
        struct x86_disasm_opts o = opts_for(whole[i].mode);
        char out[64];
        for (int avail = 0; avail < n; avail++) {
            memset(out, 'x', sizeof out);
            CHECK_EQ(x86_disasm(bytes, avail, &o, out, sizeof out), 0);
            CHECK_EQ(out[0], '\0');
        }
        CHECK_EQ(x86_disasm(bytes, n, &o, out, sizeof out), n);
    }
    /* Sixteen prefixes and an opcode cannot fit in 15 bytes. */
    uint8_t many[20];
    memset(many, 0x26, sizeof many);
    many[16] = 0x90;
    char out[16];
    CHECK_EQ(x86_disasm(many, (int)sizeof many, NULL, out, sizeof out), 15);
    CHECK(strcmp(out, "(bad)") == 0);
    CHECK_EQ(x86_disasm(many, 14, NULL, out, sizeof out), 0);
    CHECK_EQ(x86_disasm(NULL, 0, NULL, out, sizeof out), 0);
}

/* Output is cut to outlen and always terminated; the length is unaffected. */
static void test_outlen(void)
{
    static const uint8_t add[] = { 0x00, 0x50, 0x12 };
    char out[8];
    memset(out, 'x', sizeof out);
    CHECK_EQ(x86_disasm(add, 3, NULL, out, 5), 3);
    CHECK(strcmp(out, "add ") == 0);
    CHECK_EQ(out[5], 'x');
    CHECK_EQ(x86_disasm(add, 3, NULL, out, 1), 3);
    CHECK_EQ(out[0], '\0');
    CHECK_EQ(x86_disasm(add, 3, NULL, NULL, 0), 3);
}

static uint32_t xorshift32(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

/*
 * Random bytes: every result is 1..15 with a terminated text, and decoding
 * exactly that many bytes gives the same answer while one byte fewer is
 * reported as truncated.
 */
static void test_fuzz(void)
{
    uint32_t seed = 0x2468ace1u;
    unsigned bad = 0;
    for (int iter = 0; iter < 200000; iter++) {
        uint8_t buf[15];
        for (size_t i = 0; i < sizeof buf; i++)
            buf[i] = (uint8_t)(xorshift32(&seed) >> 24);
        static const int modes[3] = { 16, 32, 86 };
        struct x86_disasm_opts o = opts_for(modes[iter % 3]);
        o.eip = xorshift32(&seed);
        char out[64], again[64];
        memset(out, 'x', sizeof out);
        int len = x86_disasm(buf, (int)sizeof buf, &o, out, sizeof out);
        int ok = len >= 1 && len <= 15 && memchr(out, '\0', sizeof out) != NULL && out[0] != '\0';
        if (ok) {
            ok = x86_disasm(buf, len, &o, again, sizeof again) == len && strcmp(out, again) == 0 &&
                 x86_disasm(buf, len - 1, &o, again, sizeof again) == 0;
        }
        if (!ok && bad++ < 5) {
            fprintf(stderr, "  fuzz mode %d:", modes[iter % 3]);
            for (size_t i = 0; i < sizeof buf; i++)
                fprintf(stderr, " %02x", buf[i]);
            fprintf(stderr, " -> %d\n", len);
        }
    }
    CHECK_EQ(bad, 0);
}

int main(void)
{
    test_cases();
    test_truncated();
    test_outlen();
    test_fuzz();
    return test_report();
}
