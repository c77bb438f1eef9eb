/*
 * The x87 at the instruction level: real x86_cpu instances execute FPU
 * instruction bytes (tests/unit/x87_vm.h), and the registers, tags, status
 * and control words, memory results, the last-instruction pointers, the
 * exceptions (#MF with CR0.NE, FERR# without, #NM, #UD) and the
 * FSAVE/FRSTOR/FSTENV/FLDENV layouts are checked.
 */
#include <string.h>

#include "cpu/x86/x87.h"
#include "tests/testlib.h"
#include "tests/unit/x87_vm.h"

TEST_MAIN_COUNTS;

#define EXEC(vm, ...) x87_vm_exec((vm), (const uint8_t[]){ __VA_ARGS__ }, (int)sizeof((const uint8_t[]){ __VA_ARGS__ }))

static uint32_t rd(struct x87_vm *v, uint32_t addr, int size) { return physmem_read(&v->mem, addr, size); }
static void wr(struct x87_vm *v, uint32_t addr, uint32_t val, int size) { physmem_write(&v->mem, addr, val, size); }
static sf80 st(struct x87_vm *v, unsigned i) { return x87_st(&v->cpu.fpu, i); }
static unsigned top(struct x87_vm *v) { return x87_top(&v->cpu.fpu); }

static void test_loads_constants_arith(void)
{
    struct x87_vm v;
    CHECK(x87_vm_init(&v, X86_486) == 0);
    CHECK_EQ(v.cpu.fpu.cw, 0x037F);
    CHECK_EQ(v.cpu.fpu.tw, 0xFFFF);
    CHECK_EQ(EXEC(&v, 0xD9, 0xE8), -1);        /* FLD1 */
    CHECK_EQ(top(&v), 7);
    CHECK_EQ(st(&v, 0).se, 0x3FFF);
    CHECK_EQ(x87_tag(&v.cpu.fpu, 7), X87_TAG_VALID);
    EXEC(&v, 0xD9, 0xEB);                      /* FLDPI, rounded to nearest */
    CHECK_EQ(st(&v, 0).sig, 0xC90FDAA22168C235ull);
    EXEC(&v, 0xD8, 0xC1);                      /* FADD ST, ST(1): pi + 1 */
    CHECK_EQ(st(&v, 0).se, 0x4001);
    CHECK_EQ(st(&v, 0).sig, 0x8487ED5110B4611Aull);
    CHECK_EQ(v.cpu.fpu.sw & SF80_PE, SF80_PE);
    CHECK_EQ(v.cpu.fpu.sw & X87_SW_C1, 0);             /* a tie, to even: not rounded up */
    EXEC(&v, 0xDE, 0xF9);                      /* FDIVP ST(1), ST: 1 / (pi + 1) */
    CHECK_EQ(top(&v), 7);
    CHECK_EQ(st(&v, 0).se, 0x3FFC);
    EXEC(&v, 0xDD, 0xD8);                      /* FSTP ST(0) */
    CHECK_EQ(v.cpu.fpu.tw, 0xFFFF);
    /* FLDPI in the other rounding modes: the last bit follows RC */
    static const uint64_t pi_rc[4] = { 0xC90FDAA22168C235ull, 0xC90FDAA22168C234ull, 0xC90FDAA22168C235ull,
                                       0xC90FDAA22168C234ull };
    for (unsigned rc = 0; rc < 4; rc++) {
        wr(&v, X87_VM_DATA, 0x037F | rc << 10, 2);
        EXEC(&v, 0xD9, 0x2F);                  /* FLDCW [BX] */
        EXEC(&v, 0xD9, 0xEB);
        CHECK_EQ(st(&v, 0).sig, pi_rc[rc]);
        EXEC(&v, 0xDD, 0xD8);
    }
    /* FLDCW keeps bit 6 set and drops the reserved bits */
    wr(&v, X87_VM_DATA, 0xFFFF, 2);
    EXEC(&v, 0xD9, 0x2F);
    CHECK_EQ(v.cpu.fpu.cw, 0x1F7F);
    EXEC(&v, 0xDB, 0xE3);                      /* FNINIT */
    CHECK_EQ(v.cpu.fpu.cw, 0x037F);
    /* memory formats: FLD m32, FILD m16, FSTP m64, FISTP m32 */
    wr(&v, X87_VM_DATA, 0x40490FDBu, 4);       /* 3.14159274f */
    EXEC(&v, 0xD9, 0x07);
    CHECK_EQ(st(&v, 0).sig, 0xC90FDB0000000000ull);
    wr(&v, X87_VM_DATA, 0xFFF9, 2);            /* -7 */
    EXEC(&v, 0xDF, 0x07);
    CHECK_EQ(st(&v, 0).se, 0xC001);
    EXEC(&v, 0xDE, 0xC9);                      /* FMULP: -7 * pi_f */
    EXEC(&v, 0xDB, 0x1F);                      /* FISTP m32: -21.99 -> -22 */
    CHECK_EQ(rd(&v, X87_VM_DATA, 4), (uint32_t)-22);
    CHECK_EQ(v.cpu.fpu.tw, 0xFFFF);
    EXEC(&v, 0xD9, 0xE8);
    EXEC(&v, 0xDD, 0x1F);                      /* FSTP m64: 1.0 */
    CHECK_EQ(rd(&v, X87_VM_DATA, 4), 0);
    CHECK_EQ(rd(&v, X87_VM_DATA + 4, 4), 0x3FF00000u);
    /* packed BCD both ways */
    static const uint8_t bcd[10] = { 0x21, 0x43, 0x65, 0, 0, 0, 0, 0, 0, 0x80 };
    for (uint32_t k = 0; k < 10; k++)
        wr(&v, X87_VM_DATA + k, bcd[k], 1);
    EXEC(&v, 0xDF, 0x27);                      /* FBLD: -654321 */
    CHECK_EQ(st(&v, 0).se, 0xC012);
    for (uint32_t k = 0; k < 10; k++)
        wr(&v, X87_VM_DATA + k, 0xEE, 1);
    EXEC(&v, 0xDF, 0x37);                      /* FBSTP */
    for (uint32_t k = 0; k < 10; k++)
        CHECK_EQ(rd(&v, X87_VM_DATA + k, 1), bcd[k]);
    x87_vm_destroy(&v);
}

static void test_stack_faults_and_codes(void)
{
    struct x87_vm v;
    CHECK(x87_vm_init(&v, X86_P6) == 0);
    EXEC(&v, 0xD9, 0xE5);                      /* FXAM on empty: C3 C0 */
    CHECK_EQ(v.cpu.fpu.sw & X87_SW_CC, X87_SW_C3 | X87_SW_C0);
    EXEC(&v, 0xD8, 0xC1);                      /* FADD with empty registers: underflow */
    CHECK_EQ(v.cpu.fpu.sw & (X87_SW_SF | SF80_IE | X87_SW_C1), X87_SW_SF | SF80_IE);
    CHECK_EQ(st(&v, 0).sig, 0xC000000000000000ull);    /* masked: the indefinite */
    EXEC(&v, 0xDB, 0xE2);                      /* FNCLEX */
    CHECK_EQ(v.cpu.fpu.sw & 0x80FF, 0);
    EXEC(&v, 0xDB, 0xE3);
    for (int k = 0; k < 8; k++)
        EXEC(&v, 0xD9, 0xE8);
    CHECK_EQ(v.cpu.fpu.sw & SF80_IE, 0);
    EXEC(&v, 0xD9, 0xEE);                      /* a ninth push: overflow, C1 = 1 */
    CHECK_EQ(v.cpu.fpu.sw & (X87_SW_SF | SF80_IE | X87_SW_C1), X87_SW_SF | SF80_IE | X87_SW_C1);
    CHECK_EQ(st(&v, 0).se, 0xFFFF);
    EXEC(&v, 0xDB, 0xE3);
    /* compares: FCOM codes, FCOMI flags, FCMOVcc */
    EXEC(&v, 0xD9, 0xE8);                      /* 1 */
    EXEC(&v, 0xD9, 0xEE);                      /* 0 */
    EXEC(&v, 0xD8, 0xD1);                      /* FCOM: 0 < 1 */
    CHECK_EQ(v.cpu.fpu.sw & (X87_SW_C3 | X87_SW_C2 | X87_SW_C0), X87_SW_C0);
    EXEC(&v, 0xDB, 0xF1);                      /* FCOMI: CF */
    CHECK_EQ(x86_get_flags(&v.cpu) & (X86_ZF | X86_PF | X86_CF), X86_CF);
    EXEC(&v, 0xDA, 0xC1);                      /* FCMOVB: taken */
    CHECK_EQ(st(&v, 0).se, 0x3FFF);
    EXEC(&v, 0xDF, 0xE0);                      /* FNSTSW AX */
    CHECK_EQ(v.cpu.gpr[X86_EAX] & 0xFFFF, v.cpu.fpu.sw);
    /* FINCSTP, FDECSTP, FFREE */
    unsigned t = top(&v);
    EXEC(&v, 0xD9, 0xF7);
    CHECK_EQ(top(&v), (t + 1) & 7);
    EXEC(&v, 0xD9, 0xF6);
    CHECK_EQ(top(&v), t);
    EXEC(&v, 0xDD, 0xC1);                      /* FFREE ST(1) */
    CHECK_EQ(x87_tag(&v.cpu.fpu, (t + 1) & 7), X87_TAG_EMPTY);
    /* FPREM: 7 rem 2 = 1, quotient 3 (C0 C3 C1 = 0 1 1) */
    EXEC(&v, 0xDB, 0xE3);
    wr(&v, X87_VM_DATA, 2, 2);
    EXEC(&v, 0xDF, 0x07);
    wr(&v, X87_VM_DATA, 7, 2);
    EXEC(&v, 0xDF, 0x07);
    EXEC(&v, 0xD9, 0xF8);
    CHECK_EQ(st(&v, 0).se, 0x3FFF);
    CHECK_EQ(v.cpu.fpu.sw & X87_SW_CC, X87_SW_C3 | X87_SW_C1);
    /* FSIN out of range: C2 set, ST(0) unchanged */
    wr(&v, X87_VM_DATA, 0, 4);
    wr(&v, X87_VM_DATA + 4, 0x43E00000u, 4);   /* 2^63 */
    EXEC(&v, 0xDD, 0x07);
    EXEC(&v, 0xD9, 0xFE);
    CHECK_EQ(v.cpu.fpu.sw & X87_SW_C2, X87_SW_C2);
    CHECK_EQ(st(&v, 0).se, 0x403E);
    /* the P6-only instructions are #UD on the 486 */
    x87_vm_destroy(&v);
    CHECK(x87_vm_init(&v, X86_486) == 0);
    CHECK_EQ(EXEC(&v, 0xDB, 0xF1), X86_EXC_UD);
    CHECK_EQ(EXEC(&v, 0xDA, 0xC1), X86_EXC_UD);
    CHECK_EQ(EXEC(&v, 0xD9, 0xD1), X86_EXC_UD);    /* reserved D9 D1 */
    x87_vm_destroy(&v);
}

/* Unmask ZE and divide 1 by 0: ES and B set, nothing stored. */
static void divide_by_zero_unmasked(struct x87_vm *v)
{
    wr(v, X87_VM_DATA, 0x037B, 2);
    EXEC(v, 0xD9, 0x2F);
    EXEC(v, 0xD9, 0xEE);
    EXEC(v, 0xD9, 0xE8);
    CHECK_EQ(EXEC(v, 0xD8, 0xF1), -1);         /* FDIV ST, ST(1) */
    CHECK_EQ(v->cpu.fpu.sw & (SF80_ZE | X87_SW_ES | X87_SW_B), SF80_ZE | X87_SW_ES | X87_SW_B);
    CHECK_EQ(st(v, 0).se, 0x3FFF);             /* unchanged */
}

static void test_error_reporting(void)
{
    struct x87_vm v;
    /* CR0.NE = 1: #MF at the next waiting instruction, restartable */
    CHECK(x87_vm_init(&v, X86_486) == 0);
    v.cpu.cr0 |= 0x20;
    divide_by_zero_unmasked(&v);
    CHECK_EQ(EXEC(&v, 0xD9, 0xE8), X86_EXC_MF);
    CHECK_EQ(rd(&v, 0x8000 - 6, 2), X87_VM_CODE);  /* the pushed IP: the FLD1 */
    CHECK_EQ(top(&v), 6);
    CHECK_EQ(EXEC(&v, 0x9B), X86_EXC_MF);          /* FWAIT */
    CHECK_EQ(EXEC(&v, 0xDF, 0xE0), -1);            /* FNSTSW AX does not wait */
    CHECK_EQ(v.cpu.gpr[X86_EAX] & 0x8084, 0x8084);
    CHECK_EQ(EXEC(&v, 0xDB, 0xE2), -1);            /* FNCLEX */
    CHECK_EQ(EXEC(&v, 0x9B), -1);
    CHECK_EQ(v.ferr_changes, 0);
    x87_vm_destroy(&v);

    /* CR0.NE = 0 on a P6: FERR# as soon as the error happens */
    CHECK(x87_vm_init(&v, X86_P6) == 0);
    divide_by_zero_unmasked(&v);
    CHECK_EQ(v.ferr_level, 1);
    CHECK_EQ(EXEC(&v, 0xD9, 0xE8), -1);            /* runs on (IGNNE# behaviour) */
    EXEC(&v, 0xDB, 0xE2);
    CHECK_EQ(v.ferr_level, 0);
    CHECK_EQ(v.ferr_changes, 2);
    x87_vm_destroy(&v);

    /* ... on a 486: deferred to the next waiting FP instruction */
    CHECK(x87_vm_init(&v, X86_486) == 0);
    divide_by_zero_unmasked(&v);
    CHECK_EQ(v.ferr_level, 0);
    EXEC(&v, 0xDF, 0xE0);                          /* FNSTSW: no wait, no FERR# */
    CHECK_EQ(v.ferr_level, 0);
    EXEC(&v, 0x9B);
    CHECK_EQ(v.ferr_level, 1);
    /* FLDCW masking the exception clears ES and FERR# */
    wr(&v, X87_VM_DATA, 0x037F, 2);
    EXEC(&v, 0xD9, 0x2F);
    CHECK_EQ(v.cpu.fpu.sw & X87_SW_ES, 0);
    CHECK_EQ(v.ferr_level, 0);
    x87_vm_destroy(&v);

    /* #NM: EM or TS for ESC; MP and TS for WAIT */
    CHECK(x87_vm_init(&v, X86_386) == 0);
    v.cpu.cr0 |= 0x4;
    CHECK_EQ(EXEC(&v, 0xD9, 0xE8), X86_EXC_NM);
    CHECK_EQ(EXEC(&v, 0x9B), -1);
    v.cpu.cr0 = (v.cpu.cr0 & ~0x4u) | 0x8;
    CHECK_EQ(EXEC(&v, 0xDB, 0xE3), X86_EXC_NM);
    CHECK_EQ(EXEC(&v, 0x9B), -1);
    v.cpu.cr0 |= 0x2;
    CHECK_EQ(EXEC(&v, 0x9B), X86_EXC_NM);
    x87_vm_destroy(&v);

    /* no coprocessor on the 286: ESC changes nothing */
    CHECK(x87_vm_init(&v, X86_286) == 0);
    CHECK_EQ(EXEC(&v, 0xD9, 0xE8), -1);
    CHECK_EQ(v.cpu.fpu.tw, 0xFFFF);
    x87_vm_destroy(&v);
}

static void test_environment_layouts(void)
{
    struct x87_vm v, other;
    CHECK(x87_vm_init(&v, X86_486) == 0);
    CHECK(x87_vm_init(&other, X86_486) == 0);
    wr(&v, X87_VM_DATA + 0x100, 0x3F800000u, 4);
    v.cpu.gpr[X86_EBX] = X87_VM_DATA;
    EXEC(&v, 0xD9, 0xE8);                          /* FLD1 */
    EXEC(&v, 0xD9, 0xEE);                          /* FLDZ */
    EXEC(&v, 0xD8, 0x87, 0x00, 0x01);              /* FADD dword [BX+100h] */
    CHECK_EQ(v.cpu.fpu.fop, 0x087);
    CHECK_EQ(v.cpu.fpu.fip, X87_VM_CODE);
    CHECK_EQ(v.cpu.fpu.fdp, X87_VM_DATA + 0x100);
    /* FNSTENV, 16-bit real mode (14 bytes) */
    EXEC(&v, 0xD9, 0x37);
    CHECK_EQ(rd(&v, X87_VM_DATA, 2), 0x037F);
    CHECK_EQ(rd(&v, X87_VM_DATA + 2, 2), v.cpu.fpu.sw);
    CHECK_EQ(rd(&v, X87_VM_DATA + 4, 2), 0x0FFF);  /* R7 valid, R6 valid */
    CHECK_EQ(rd(&v, X87_VM_DATA + 6, 2), X87_VM_CODE);
    CHECK_EQ(rd(&v, X87_VM_DATA + 8, 2), 0x0087);  /* FIP 19-16 = 0, opcode */
    CHECK_EQ(rd(&v, X87_VM_DATA + 10, 2), X87_VM_DATA + 0x100);
    CHECK_EQ(rd(&v, X87_VM_DATA + 12, 2), 0);
    CHECK_EQ(v.cpu.fpu.cw & 0x3F, 0x3F);           /* FSTENV masks everything */
    /* FNSAVE, 32-bit real mode (108 bytes), then the FPU is initialized */
    EXEC(&v, 0x66, 0xDD, 0x37);
    CHECK_EQ(rd(&v, X87_VM_DATA, 4), 0xFFFF037Fu);
    CHECK_EQ(rd(&v, X87_VM_DATA + 8, 4), 0xFFFF0FFFu);
    CHECK_EQ(rd(&v, X87_VM_DATA + 12, 4), 0xFFFF0000u | X87_VM_CODE);
    CHECK_EQ(rd(&v, X87_VM_DATA + 16, 4), 0x087);
    CHECK_EQ(rd(&v, X87_VM_DATA + 28 + 8, 2), 0x3FFF);      /* ST(0) = 1 + 0 */
    CHECK_EQ(rd(&v, X87_VM_DATA + 38 + 8, 2), 0x3FFF);      /* ST(1) = 1 */
    CHECK_EQ(v.cpu.fpu.tw, 0xFFFF);
    CHECK_EQ(v.cpu.fpu.cw, 0x037F);
    /* FRSTOR it into a second machine */
    uint8_t img[108];
    physmem_copy_from(&v.mem, X87_VM_DATA, img, sizeof(img));
    physmem_copy_to(&other.mem, X87_VM_DATA, img, sizeof(img));
    EXEC(&other, 0x66, 0xDD, 0x27);
    CHECK_EQ(top(&other), 6);
    CHECK_EQ(other.cpu.fpu.tw, 0x0FFF);
    CHECK_EQ(st(&other, 0).se, 0x3FFF);
    CHECK_EQ(other.cpu.fpu.fip, X87_VM_CODE);
    CHECK_EQ(other.cpu.fpu.fop, 0x087);
    CHECK_EQ(v.cpu.fpu.tw, 0xFFFF);                 /* the first machine untouched */
    /* FLDENV: only "empty" comes from the image, other tags follow the
     * registers; a pending unmasked exception sets ES */
    wr(&other, X87_VM_DATA, 0x037E, 2);             /* IE unmasked */
    wr(&other, X87_VM_DATA + 2, 0x3001, 2);         /* IE set, TOP 6 */
    wr(&other, X87_VM_DATA + 4, 0x0000, 2);         /* all "valid" */
    EXEC(&other, 0xD9, 0x27);
    CHECK_EQ(other.cpu.fpu.tw, 0x0555);             /* R0-R5 hold zeros */
    CHECK_EQ(other.cpu.fpu.sw & (X87_SW_ES | X87_SW_B), X87_SW_ES | X87_SW_B);
    CHECK_EQ(other.ferr_level, 0);                  /* 486: deferred */
    EXEC(&other, 0xDB, 0xE3);
    /* protected mode: 16-bit FSTENV holds offsets and selectors */
    v.cpu.cr0 |= 1;
    EXEC(&v, 0xD9, 0xE8);
    EXEC(&v, 0xD9, 0x37);
    CHECK_EQ(rd(&v, X87_VM_DATA + 6, 2), X87_VM_CODE);
    CHECK_EQ(rd(&v, X87_VM_DATA + 8, 2), v.cpu.seg[X86_CS].sel);
    x87_vm_destroy(&v);
    x87_vm_destroy(&other);
}

int main(void)
{
    test_loads_constants_arith();
    test_stack_faults_and_codes();
    test_error_reporting();
    test_environment_layouts();
    return test_report();
}
