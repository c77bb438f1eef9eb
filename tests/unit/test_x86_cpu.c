/*
 * The x86 CPU beyond single instructions: interrupts through the INTR pin
 * and the acknowledge cycle, the interrupt shadows, HLT, NMI, single-step
 * traps, exception frames, segment and address wrap-around, the A20 gate
 * and the 8086's differences from the 286 and later.  (Self-modifying
 * code, cycle accounting and two CPUs side by side are in
 * test_x86_smc_cycles.c, the 386's 32-bit pieces in test_x86_cpu32.c.)
 *
 * Programs are hand-assembled; each byte line carries its assembly.
 */
#include "tests/testlib.h"
#include "tests/unit/x86_rig.h"

TEST_MAIN_COUNTS;

static const enum x86_model early_models[] = { X86_8086, X86_286, X86_386 };
#define N_EARLY (sizeof(early_models) / sizeof(early_models[0]))

#define STUB(v) (RIG_STUBS + 8u * (uint32_t)(v))
#define IP(r) ((r)->cpu.eip)
#define REG(r, n) ((r)->cpu.gpr[n] & 0xFFFFu)

/* ------------------------------------------------------------------ */
/* Maskable interrupts                                                 */

/* INTR high with IF=1: the vector from the acknowledge cycle selects the
 * IVT entry; the frame holds FLAGS, CS, IP; IRET comes back. */
static void test_intr_through_ivt(enum x86_model model)
{
    static const uint8_t code[] = {
        0x90,               /* 1000 nop */
        0xF4,               /* 1001 hlt */
    };
    static const uint8_t handler[] = {
        0xBB, 0x42, 0x42,   /* 0050:0010 mov bx, 0x4242 */
        0xCF,               /*           iret */
    };
    struct rig *r = rig_new(model, 1 << 20);
    rig_load(r, 0x510, handler, sizeof(handler));
    rig_program(r, code, sizeof(code));
    rig_set_vector(r, 0x40, 0x0050, 0x0010);
    x86_set_flags(&r->cpu, 0x0202 | X86_CF);
    x86_set_intr(&r->cpu, 1);

    /* One step: the interrupt is taken before the NOP, then the handler's
     * first instruction runs. */
    x86_step(&r->cpu);
    CHECK_EQ(r->acks, 1);
    CHECK_EQ(r->cpu.seg[X86_CS].sel, 0x0050);
    CHECK_EQ(IP(r), 0x0013);
    CHECK_EQ(REG(r, X86_ESP), RIG_STACK - 6);
    CHECK_EQ(rig_stack_word(r, 0), 0x1000);         /* IP: the NOP, not yet run */
    CHECK_EQ(rig_stack_word(r, 1), 0x0000);         /* CS */
    CHECK_EQ(rig_stack_word(r, 2) & 0x0FFF, 0x0203); /* FLAGS: IF and CF as they were */
    CHECK(!(x86_get_flags(&r->cpu) & (X86_IF | X86_TF)));
    CHECK_EQ(r->nev, 1);
    CHECK(r->nev == 1 && r->ev[0].vector == 0x40 && r->ev[0].is_interrupt && r->ev[0].eip == 0x1000);

    CHECK_EQ(rig_run(r, 10000), X86_STOP_HALT);
    CHECK_EQ(REG(r, X86_EBX), 0x4242);
    CHECK_EQ(IP(r), 0x1002);
    CHECK_EQ(r->cpu.seg[X86_CS].sel, 0);
    CHECK_EQ(REG(r, X86_ESP), RIG_STACK);
    CHECK_EQ(x86_get_flags(&r->cpu) & (X86_IF | X86_CF), X86_IF | X86_CF);
    CHECK_EQ(r->acks, 1);   /* the controller dropped the line on acknowledge */
    rig_free(r);
}

/* IF=0 holds INTR off; STI lets it in only after the next instruction
 * (Intel SDM vol. 2, STI: the interrupt shadow). */
static void test_if_and_sti_shadow(enum x86_model model)
{
    static const uint8_t code[] = {
        0x43,               /* 1000 inc bx */
        0x43,               /* 1001 inc bx */
        0xFB,               /* 1002 sti */
        0x43,               /* 1003 inc bx   (in the shadow) */
        0x43,               /* 1004 inc bx */
        0xF4,               /* 1005 hlt */
    };
    struct rig *r = rig_new(model, 1 << 20);
    rig_program(r, code, sizeof(code));
    x86_set_intr(&r->cpu, 1);       /* pending from the start, IF=0 */
    CHECK_EQ(rig_run(r, 10000), X86_STOP_HALT);
    CHECK_EQ(r->acks, 1);
    const struct rig_event *e = rig_event_of(r, 0x40, 0);
    CHECK(e != NULL);
    if (e) {
        CHECK_EQ(e->eip, 0x1004);
        CHECK_EQ(e->gpr[X86_EBX] & 0xFFFF, 3);
    }
    CHECK_EQ(REG(r, X86_EBX), 4);
    CHECK_EQ(rig_count(r, 0x40), 1);

    /* With IF=0 throughout, nothing is acknowledged. */
    static const uint8_t no_sti[] = { 0x43, 0x43, 0xF4 };  /* inc bx; inc bx; hlt */
    rig_program(r, no_sti, sizeof(no_sti));
    x86_set_intr(&r->cpu, 1);
    CHECK_EQ(rig_run(r, 10000), X86_STOP_HALT);
    CHECK_EQ(r->acks, 0);
    CHECK_EQ(r->nev, 0);
    CHECK_EQ(IP(r), 0x1003);
    rig_free(r);
}

/* MOV SS and POP SS hold interrupts (and the single-step trap) off for one
 * instruction, so SS:SP can be loaded as a pair (Intel SDM vol. 3, 6.8.3). */
static void test_ss_shadow(enum x86_model model)
{
    static const uint8_t mov_ss[] = {
        0x8E, 0xD0,         /* 1000 mov ss, ax */
        0x43,               /* 1002 inc bx   (in the shadow) */
        0x43,               /* 1003 inc bx */
        0xF4,               /* 1004 hlt */
    };
    static const uint8_t pop_ss[] = {
        0x17,               /* 1000 pop ss */
        0x43,               /* 1001 inc bx   (in the shadow) */
        0x43,               /* 1002 inc bx */
        0xF4,               /* 1003 hlt */
    };
    struct rig *r = rig_new(model, 1 << 20);
    for (int form = 0; form < 2; form++) {
        if (form == 0)
            rig_program(r, mov_ss, sizeof(mov_ss));
        else
            rig_program(r, pop_ss, sizeof(pop_ss));
        r->cpu.gpr[X86_ESP] = RIG_STACK - 2;    /* POP SS pops a 0 */
        rig_poke(r, RIG_STACK - 2, 0, 2);
        x86_set_flags(&r->cpu, 0x0202);
        x86_step(&r->cpu);                      /* the segment load */
        x86_set_intr(&r->cpu, 1);               /* arrives right after it */
        CHECK_EQ(rig_run(r, 10000), X86_STOP_HALT);
        const struct rig_event *e = rig_event_of(r, 0x40, 0);
        uint32_t after_shadow = form == 0 ? 0x1003 : 0x1002;
        CHECK(e != NULL);
        if (e) {
            CHECK_EQ(e->eip, after_shadow);
            CHECK_EQ(e->gpr[X86_EBX] & 0xFFFF, 1);
        }
    }
    /* TF: no single-step trap after MOV SS; the next one comes after the
     * instruction that follows it. */
    rig_program(r, mov_ss, sizeof(mov_ss));
    x86_set_flags(&r->cpu, 0x0002 | X86_TF);
    x86_step(&r->cpu);
    CHECK_EQ(r->nev, 0);
    CHECK_EQ(IP(r), 0x1002);
    x86_step(&r->cpu);
    const struct rig_event *e = rig_event_of(r, X86_EXC_DB, 0);
    CHECK(e != NULL && e->eip == 0x1003);
    rig_free(r);
}

/* ------------------------------------------------------------------ */
/* HLT and NMI                                                         */

static void test_hlt_wakeup(enum x86_model model)
{
    static const uint8_t code[] = {
        0xF4,               /* 1000 hlt */
        0x43,               /* 1001 inc bx */
        0xF4,               /* 1002 hlt */
    };
    struct rig *r = rig_new(model, 1 << 20);
    rig_program(r, code, sizeof(code));
    r->cpu.stop_on_hlt = 0;
    x86_set_flags(&r->cpu, 0x0202);
    cycles_t t0 = r->clock.now;
    CHECK_EQ(x86_run(&r->cpu, t0 + 1000), X86_STOP_BUDGET);
    CHECK_EQ(r->clock.now, t0 + 1000);      /* halted time passes to the deadline */
    CHECK(r->cpu.halted);
    CHECK_EQ(IP(r), 0x1001);
    CHECK_EQ(x86_run(&r->cpu, t0 + 1500), X86_STOP_BUDGET);
    CHECK_EQ(r->clock.now, t0 + 1500);
    CHECK(r->cpu.halted);
    CHECK_EQ(r->nev, 0);

    x86_set_intr(&r->cpu, 1);
    CHECK_EQ(x86_run(&r->cpu, t0 + 3000), X86_STOP_BUDGET);
    const struct rig_event *e = rig_event_of(r, 0x40, 0);
    CHECK(e != NULL && e->eip == 0x1001);   /* IRET returns after the HLT */
    CHECK_EQ(rig_count(r, 0x40), 1);
    CHECK_EQ(REG(r, X86_EBX), 1);
    CHECK(r->cpu.halted);
    CHECK_EQ(IP(r), 0x1003);
    CHECK_EQ(r->clock.now, t0 + 3000);

    /* NMI wakes HLT with IF=0. */
    rig_program(r, code, sizeof(code));
    r->cpu.stop_on_hlt = 0;
    CHECK_EQ(x86_run(&r->cpu, r->clock.now + 100), X86_STOP_BUDGET);
    CHECK(r->cpu.halted);
    x86_nmi(&r->cpu);
    x86_run(&r->cpu, r->clock.now + 1000);
    CHECK_EQ(rig_count(r, X86_EXC_NMI), 1);
    CHECK_EQ(REG(r, X86_EBX), 1);
    CHECK_EQ(IP(r), 0x1003);
    rig_free(r);
}

/* NMI ignores IF, and a second NMI waits until the handler's IRET. */
static void test_nmi(enum x86_model model)
{
    static const uint8_t code[] = { 0x90, 0x90, 0x90, 0xF4 };   /* nop x3; hlt */
    static const uint8_t handler[] = {
        0x2E, 0xFE, 0x06, 0x02, 0x06,   /* 0700 inc byte [cs:0x0602] */
        0x90,                           /* 0705 nop */
        0x90,                           /* 0706 nop */
        0xCF,                           /* 0707 iret */
    };
    struct rig *r = rig_new(model, 1 << 20);
    rig_load(r, 0x700, handler, sizeof(handler));
    rig_program(r, code, sizeof(code));
    rig_set_vector(r, X86_EXC_NMI, 0, 0x0700);
    x86_nmi(&r->cpu);
    x86_step(&r->cpu);                  /* delivered, handler's first insn */
    CHECK_EQ(r->nev, 1);
    CHECK(r->ev[0].vector == X86_EXC_NMI && r->ev[0].eip == 0x1000 && r->ev[0].is_interrupt);
    CHECK_EQ(IP(r), 0x0705);
    x86_nmi(&r->cpu);                   /* blocked: inside the handler */
    x86_step(&r->cpu);
    x86_step(&r->cpu);
    CHECK_EQ(r->nev, 1);
    CHECK_EQ(IP(r), 0x0707);
    x86_step(&r->cpu);                  /* IRET unblocks */
    CHECK_EQ(IP(r), 0x1000);
    x86_step(&r->cpu);
    CHECK_EQ(r->nev, 2);
    CHECK(r->nev == 2 && r->ev[1].vector == X86_EXC_NMI && r->ev[1].eip == 0x1000);
    CHECK_EQ(rig_run(r, 10000), X86_STOP_HALT);
    CHECK_EQ(rig_count(r, X86_EXC_NMI), 2);
    CHECK_EQ(IP(r), 0x1004);
    CHECK(!(x86_get_flags(&r->cpu) & X86_IF));
    rig_free(r);
}

/* ------------------------------------------------------------------ */
/* Single-step                                                         */

/* TF: a trap (INT 1) after every instruction that began with TF set, with
 * IP of the next instruction; none after the POPF that sets it; one after
 * the POPF that clears it; TF clear in the handler. */
static void test_single_step(enum x86_model model)
{
    static const uint8_t code[] = {
        0x9C,               /* 1000 pushf */
        0x58,               /* 1001 pop ax */
        0x0D, 0x00, 0x01,   /* 1002 or ax, 0x0100 */
        0x50,               /* 1005 push ax */
        0x9D,               /* 1006 popf         TF on: no trap yet */
        0x90,               /* 1007 nop */
        0x43,               /* 1008 inc bx */
        0x25, 0xFF, 0xFE,   /* 1009 and ax, 0xFEFF */
        0x50,               /* 100C push ax */
        0x9D,               /* 100D popf         TF off, still trapped after */
        0xF4,               /* 100E hlt */
    };
    static const uint32_t returns[] = { 0x1008, 0x1009, 0x100C, 0x100D, 0x100E };
    struct rig *r = rig_new(model, 1 << 20);
    rig_program(r, code, sizeof(code));
    CHECK_EQ(rig_run(r, 100000), X86_STOP_HALT);
    CHECK_EQ(rig_events_with(r, X86_EXC_DB), 5);
    for (int k = 0; k < 5; k++) {
        const struct rig_event *e = rig_event_of(r, X86_EXC_DB, k);
        CHECK(e != NULL && e->eip == returns[k]);
    }
    CHECK_EQ(rig_count(r, X86_EXC_DB), 5);
    CHECK_EQ(REG(r, X86_EBX), 1);
    rig_free(r);
}

/* A REP string instruction traps after every iteration: it is suspended
 * between iterations with IP on the instruction and CX counting down
 * (Intel SDM vol. 2, REP: "a repeating string operation can be suspended
 * by an exception or interrupt"), which is why DEBUG's T command runs one
 * iteration of a REP MOVSB and its P command exists to run them all. */
static void test_rep_single_step(enum x86_model model)
{
    static const uint8_t code[] = {
        0x9C,               /* 1000 pushf */
        0x58,               /* 1001 pop ax */
        0x0D, 0x00, 0x01,   /* 1002 or ax, 0x0100 */
        0x50,               /* 1005 push ax */
        0x9D,               /* 1006 popf */
        0xF3, 0xA4,         /* 1007 rep movsb    (CX = 3) */
        0x25, 0xFF, 0xFE,   /* 1009 and ax, 0xFEFF */
        0x50,               /* 100C push ax */
        0x9D,               /* 100D popf */
        0xF4,               /* 100E hlt */
    };
    struct rig *r = rig_new(model, 1 << 20);
    rig_program(r, code, sizeof(code));
    r->cpu.gpr[X86_ECX] = 3;
    r->cpu.gpr[X86_ESI] = RIG_DATA;
    r->cpu.gpr[X86_EDI] = RIG_DATA + 0x100;
    rig_poke(r, RIG_DATA, 0x00332211, 4);
    CHECK_EQ(rig_run(r, 100000), X86_STOP_HALT);
    CHECK_EQ(rig_peek(r, RIG_DATA + 0x100, 4), 0x00332211);
    CHECK_EQ(rig_events_with(r, X86_EXC_DB), 6);
    static const uint32_t ip[3] = { 0x1007, 0x1007, 0x1009 };
    for (int k = 0; k < 3; k++) {
        const struct rig_event *e = rig_event_of(r, X86_EXC_DB, k);
        CHECK(e != NULL);
        if (!e)
            continue;
        CHECK_EQ(e->eip, ip[k]);
        CHECK_EQ(e->gpr[X86_ECX] & 0xFFFF, (uint32_t)(2 - k));
    }
    rig_free(r);
}

/* An interrupt during a long REP STOSB: taken between iterations with IP
 * on the instruction, which resumes and finishes after the IRET. */
static void test_rep_interrupted(enum x86_model model)
{
    static const uint8_t code[] = {
        0xF3, 0xAA,         /* 1000 rep stosb   (CX = 1000) */
        0xF4,               /* 1002 hlt */
    };
    struct rig *r = rig_new(model, 1 << 20);
    rig_program(r, code, sizeof(code));
    x86_set_flags(&r->cpu, 0x0202);
    r->cpu.gpr[X86_EAX] = 0xA5;
    r->cpu.gpr[X86_ECX] = 1000;
    r->cpu.gpr[X86_EDI] = RIG_DATA;
    CHECK_EQ(rig_run(r, 500), X86_STOP_BUDGET);     /* the slice ends mid-way */
    CHECK_EQ(IP(r), 0x1000);
    uint32_t left = REG(r, X86_ECX);
    CHECK(left > 0 && left < 1000);
    CHECK_EQ(REG(r, X86_EDI), RIG_DATA + 1000 - left);
    x86_set_intr(&r->cpu, 1);
    CHECK_EQ(rig_run(r, 100000), X86_STOP_HALT);
    const struct rig_event *e = rig_event_of(r, 0x40, 0);
    CHECK(e != NULL && e->eip == 0x1000 && (e->gpr[X86_ECX] & 0xFFFF) == left);
    CHECK_EQ(REG(r, X86_ECX), 0);
    CHECK_EQ(IP(r), 0x1003);
    CHECK_EQ(rig_peek(r, RIG_DATA, 1), 0xA5);
    CHECK_EQ(rig_peek(r, RIG_DATA + 999, 1), 0xA5);
    CHECK_EQ(rig_peek(r, RIG_DATA + 1000, 1), 0x00);
    rig_free(r);
}

/* ------------------------------------------------------------------ */
/* Software interrupts and exception frames                            */

/* Steps the program already placed at RIG_CODE and checks the real-mode
 * frame the exception or interrupt left. */
static void check_frame(struct rig *r, uint16_t flags, int vector, uint16_t pushed_ip)
{
    x86_set_flags(&r->cpu, flags);
    x86_step(&r->cpu);
    CHECK_EQ(r->nev, 1);
    CHECK(r->nev >= 1 && r->ev[0].vector == vector);
    CHECK_EQ(IP(r), STUB(vector));
    CHECK_EQ(r->cpu.seg[X86_CS].sel, 0);
    CHECK_EQ(REG(r, X86_ESP), RIG_STACK - 6);
    CHECK_EQ(rig_stack_word(r, 0), pushed_ip);
    CHECK_EQ(rig_stack_word(r, 1), 0);
    CHECK_EQ(rig_stack_word(r, 2) & 0x0FFF, flags & 0x0FFF);
    CHECK(!(x86_get_flags(&r->cpu) & (X86_IF | X86_TF)));
}

/* The same for a program given here. */
static void check_frame_of(struct rig *r, const uint8_t *code, size_t len, uint16_t flags, int vector,
                           uint16_t pushed_ip)
{
    rig_program(r, code, len);
    check_frame(r, flags, vector, pushed_ip);
}

static void test_int_frames(enum x86_model model)
{
    static const uint8_t int21[] = { 0xCD, 0x21, 0xF4 };   /* int 0x21; hlt */
    static const uint8_t int3[] = { 0xCC, 0xF4 };          /* int3; hlt */
    static const uint8_t into[] = { 0xCE, 0xF4 };          /* into; hlt */
    static const uint8_t bound[] = {
        0x62, 0x06, 0x00, 0x30,     /* 1000 bound ax, [0x3000] */
        0xF4,                       /* 1004 hlt */
    };
    struct rig *r = rig_new(model, 1 << 20);
    check_frame_of(r, int21, sizeof(int21), 0x0202 | X86_CF, 0x21, 0x1002);
    CHECK(!r->ev[0].is_interrupt);
    CHECK_EQ(rig_run(r, 10000), X86_STOP_HALT);    /* stub, IRET, HLT */
    CHECK_EQ(IP(r), 0x1003);
    CHECK_EQ(REG(r, X86_ESP), RIG_STACK);
    CHECK_EQ(x86_get_flags(&r->cpu) & (X86_IF | X86_CF), X86_IF | X86_CF);
    CHECK_EQ(rig_count(r, 0x21), 1);

    check_frame_of(r, int3, sizeof(int3), 0x0002, X86_EXC_BP, 0x1001);
    check_frame_of(r, into, sizeof(into), 0x0002 | X86_OF, X86_EXC_OF, 0x1001);
    rig_program(r, into, sizeof(into));            /* OF clear: no interrupt */
    x86_step(&r->cpu);
    CHECK_EQ(r->nev, 0);
    CHECK_EQ(IP(r), 0x1001);

    if (model != X86_8086) {   /* (on the 8086, 62 is an alias of JB) */
        rig_poke(r, RIG_DATA, 10, 2);
        rig_poke(r, RIG_DATA + 2, 20, 2);
        static const uint16_t outside[] = { 25, 9, 0xFFFF };
        for (int k = 0; k < 3; k++) {
            rig_program(r, bound, sizeof(bound));
            r->cpu.gpr[X86_EAX] = outside[k];
            check_frame(r, 0x0002, X86_EXC_BR, 0x1000);  /* a fault */
        }
        static const uint16_t inside[] = { 10, 15, 20 };
        for (int k = 0; k < 3; k++) {
            rig_program(r, bound, sizeof(bound));
            r->cpu.gpr[X86_EAX] = inside[k];
            x86_step(&r->cpu);
            CHECK_EQ(r->nev, 0);
            CHECK_EQ(IP(r), 0x1004);
        }
    }
    rig_free(r);
}

/* Divide error: the 8086 pushes the next instruction's address, the 286
 * and later the faulting one (Intel SDM vol. 3, 6.15, interrupt 0). */
static void test_divide_error(enum x86_model model)
{
    static const uint8_t div_bl[] = { 0xF6, 0xF3, 0xF4 };  /* div bl; hlt */
    struct rig *r = rig_new(model, 1 << 20);
    uint16_t pushed = model == X86_8086 ? 0x1002 : 0x1000;
    static const uint8_t divisors[] = { 0x00, 0x10 };       /* by zero; quotient > 0xFF */
    for (int k = 0; k < 2; k++) {
        rig_program(r, div_bl, sizeof(div_bl));
        r->cpu.gpr[X86_EAX] = 0x1234;
        r->cpu.gpr[X86_EBX] = divisors[k];
        check_frame(r, 0x0002, X86_EXC_DE, pushed);
        CHECK_EQ(REG(r, X86_EAX), 0x1234);
    }
    rig_program(r, div_bl, sizeof(div_bl));
    r->cpu.gpr[X86_EAX] = 0x1234;
    r->cpu.gpr[X86_EBX] = 0x20;
    x86_step(&r->cpu);
    CHECK_EQ(r->nev, 0);
    CHECK_EQ(REG(r, X86_EAX), 0x1491);     /* AL = 0x91, AH = remainder 0x14 */
    rig_free(r);
}

/* ------------------------------------------------------------------ */
/* Wrap-around and the A20 gate                                        */

/* A word at offset 0xFFFF: the 8086 wraps to offset 0 of the same segment;
 * the 286 and later fault (#GP; the 386 raises #SS for the stack segment,
 * Intel SDM vol. 3, 20.1.3). */
static void test_segment_wrap(enum x86_model model)
{
    static const uint8_t load[] = { 0xA1, 0xFF, 0xFF, 0xF4 };     /* mov ax, [0xFFFF]; hlt */
    static const uint8_t store[] = { 0xA3, 0xFF, 0xFF, 0xF4 };    /* mov [0xFFFF], ax; hlt */
    static const uint8_t stack[] = { 0x8B, 0x46, 0xFF, 0xF4 };    /* mov ax, [bp-1]; hlt */
    struct rig *r = rig_new(model, 1 << 20);
    rig_poke(r, 0x2FFFF, 0x34, 1);
    rig_poke(r, 0x20000, 0x12, 1);
    rig_poke(r, 0x30000, 0x99, 1);
    int wraps = model == X86_8086;

    rig_program(r, load, sizeof(load));
    x86_load_seg_real(&r->cpu, X86_DS, 0x2000);
    x86_step(&r->cpu);
    if (wraps) {
        CHECK_EQ(REG(r, X86_EAX), 0x1234);
        CHECK_EQ(r->nev, 0);
    } else {
        CHECK(r->nev == 1 && r->ev[0].vector == X86_EXC_GP && r->ev[0].eip == 0x1000);
        CHECK_EQ(REG(r, X86_EAX), 0);
        CHECK_EQ(rig_stack_word(r, 0), 0x1000);
    }

    rig_program(r, store, sizeof(store));
    x86_load_seg_real(&r->cpu, X86_DS, 0x2000);
    r->cpu.gpr[X86_EAX] = 0xBEEF;
    x86_step(&r->cpu);
    CHECK_EQ(rig_peek(r, 0x30000, 1), 0x99);
    CHECK_EQ(rig_peek(r, 0x2FFFF, 1), wraps ? 0xEF : 0x34);
    CHECK_EQ(rig_peek(r, 0x20000, 1), wraps ? 0xBE : 0x12);
    CHECK_EQ(r->nev, wraps ? 0 : 1);
    rig_poke(r, 0x2FFFF, 0x34, 1);
    rig_poke(r, 0x20000, 0x12, 1);

    rig_program(r, stack, sizeof(stack));
    x86_load_seg_real(&r->cpu, X86_SS, 0x2000);
    x86_step(&r->cpu);
    if (wraps) {
        CHECK_EQ(REG(r, X86_EAX), 0x1234);
    } else if (model == X86_386) {
        CHECK(r->nev == 1 && r->ev[0].vector == X86_EXC_SS && r->ev[0].eip == 0x1000);
    } else {
        CHECK(r->nev == 1 && r->ev[0].eip == 0x1000);
    }

    /* PUSH with SP = 1 on the 8086: the word straddles SS:FFFF and SS:0000. */
    if (wraps) {
        static const uint8_t push[] = { 0x50, 0xF4 };  /* push ax; hlt */
        rig_program(r, push, sizeof(push));
        x86_load_seg_real(&r->cpu, X86_SS, 0x2000);
        r->cpu.gpr[X86_ESP] = 1;
        r->cpu.gpr[X86_EAX] = 0xCAFE;
        x86_step(&r->cpu);
        CHECK_EQ(REG(r, X86_ESP), 0xFFFF);
        CHECK_EQ(rig_peek(r, 0x2FFFF, 1), 0xFE);
        CHECK_EQ(rig_peek(r, 0x20000, 1), 0xCA);
    }
    rig_free(r);
}

/* FFFF:0510 is linear 0x100500: with A20 off it is physical 0x500 (the
 * 8086 wraps there always), with A20 on it is above 1 MiB. */
static void test_a20(enum x86_model model)
{
    static const uint8_t code[] = {
        0x26, 0xC6, 0x06, 0x10, 0x05, 0x5A,     /* 1000 mov byte [es:0x0510], 0x5A */
        0x26, 0xA0, 0x20, 0x05,                 /* 1006 mov al, [es:0x0520] */
        0xF4,                                   /* 100A hlt */
    };
    struct rig *r = rig_new(model, 2 << 20);
    for (int a20 = 1; a20 >= 0; a20--) {
        /* A20 on first, so the TLB holds the unwrapped page when it goes off. */
        physmem_set_a20(&r->mem, a20);
        rig_poke(r, 0x000500, 0, 1);
        rig_poke(r, 0x100500, 0, 1);
        rig_poke(r, 0x000510, 0x11, 1);
        rig_poke(r, 0x100510, 0x22, 1);
        rig_program(r, code, sizeof(code));
        x86_load_seg_real(&r->cpu, X86_ES, 0xFFFF);
        CHECK_EQ(rig_run(r, 10000), X86_STOP_HALT);
        int wrapped = !a20 || model == X86_8086;
        CHECK_EQ(rig_peek(r, 0x000500, 1), wrapped ? 0x5A : 0);
        CHECK_EQ(rig_peek(r, 0x100500, 1), wrapped ? 0 : 0x5A);
        CHECK_EQ(r->cpu.gpr[X86_EAX] & 0xFF, wrapped ? 0x11 : 0x22);
    }
    rig_free(r);
}

/* ------------------------------------------------------------------ */
/* The 8086 against the 286 and later                                  */

static void test_model_differences(enum x86_model model)
{
    int is8086 = model == X86_8086;
    struct rig *r = rig_new(model, 1 << 20);

    /* PUSH SP: the 8086 pushes the decremented value (Intel SDM vol. 2,
     * PUSH, IA-32 architecture compatibility). */
    static const uint8_t push_sp[] = { 0x54, 0xF4 };               /* push sp; hlt */
    rig_program(r, push_sp, sizeof(push_sp));
    rig_run(r, 1000);
    CHECK_EQ(rig_peek(r, RIG_STACK - 2, 2), is8086 ? RIG_STACK - 2 : RIG_STACK);

    /* Shift counts: the 8086 uses all of CL, later models CL mod 32. */
    static const uint8_t shift[] = {
        0xB1, 0x21,         /* mov cl, 33 */
        0xD3, 0xE0,         /* shl ax, cl */
        0xF4,               /* hlt */
    };
    rig_program(r, shift, sizeof(shift));
    r->cpu.gpr[X86_EAX] = 1;
    rig_run(r, 10000);
    CHECK_EQ(REG(r, X86_EAX), is8086 ? 0 : 2);

    /* 0F: POP CS on the 8086, the two-byte escape later (0F 0B is UD2). */
    static const uint8_t pop_cs[] = {
        0xB8, 0x00, 0x02,   /* 1000 mov ax, 0x0200 */
        0x50,               /* 1003 push ax */
        0x0F,               /* 1004 pop cs     (8086) */
        0x0B,               /* 1005            (286+: 0F 0B, #UD) */
    };
    static const uint8_t hlt = 0xF4;
    rig_program(r, pop_cs, sizeof(pop_cs));
    rig_load(r, 0x2000 + 0x1005, &hlt, 1);      /* 0200:1005 */
    rig_run(r, 10000);
    if (is8086) {
        CHECK_EQ(r->cpu.seg[X86_CS].sel, 0x0200);
        CHECK_EQ(IP(r), 0x1006);
        CHECK_EQ(r->nev, 0);
    } else {
        const struct rig_event *e = rig_event_of(r, X86_EXC_UD, 0);
        CHECK(e != NULL && e->eip == 0x1004);
    }

    /* 60-6F: the 8086 decodes them as 70-7F (64 = JZ); the 286 has PUSHA at
     * 60 and nothing at 64 (the 386 makes 64 the FS prefix). */
    static const uint8_t alias[] = {
        0x31, 0xC0,         /* 1000 xor ax, ax */
        0x64, 0x01,         /* 1002 jz +1      (8086) */
        0x43,               /* 1004 inc bx */
        0xF4,               /* 1005 hlt */
    };
    if (model != X86_386) {
        rig_program(r, alias, sizeof(alias));
        rig_run(r, 10000);
        if (is8086) {
            CHECK_EQ(REG(r, X86_EBX), 0);
            CHECK_EQ(IP(r), 0x1006);
        } else {
            const struct rig_event *e = rig_event_of(r, X86_EXC_UD, 0);
            CHECK(e != NULL && e->eip == 0x1002);
        }
    }
    static const uint8_t pusha[] = { 0x60, 0xF4 };     /* pusha (8086: jo +F4) */
    rig_program(r, pusha, sizeof(pusha));
    x86_step(&r->cpu);
    CHECK_EQ(REG(r, X86_ESP), is8086 ? RIG_STACK : RIG_STACK - 16);
    CHECK_EQ(IP(r), is8086 ? 0x1002 : 0x1001);

    /* FLAGS bits 12-15: always 1 on the 8086, always 0 on the 286 in real
     * mode; the 386 keeps IOPL and NT and reads bit 15 as 0. */
    static const uint8_t flags[] = {
        0xB8, 0x00, 0xF0,   /* mov ax, 0xF000 */
        0x50,               /* push ax */
        0x9D,               /* popf */
        0x9C,               /* pushf */
        0x58,               /* pop ax */
        0xF4,               /* hlt */
    };
    rig_program(r, flags, sizeof(flags));
    rig_run(r, 10000);
    CHECK_EQ(REG(r, X86_EAX) & 0xF000, is8086 ? 0xF000 : model == X86_286 ? 0 : 0x7000);
    rig_free(r);
}

/* #UD on the 286 and later: the pushed IP is the faulting instruction's
 * first byte, prefixes included. */
static void test_undefined_opcode(enum x86_model model)
{
    static const uint8_t ud2[] = { 0x0F, 0x0B };
    static const uint8_t prefixed[] = { 0x2E, 0x0F, 0x0B };    /* cs: ud2 */
    static const uint8_t fe7[] = { 0xFE, 0xF8 };               /* FE /7 */
    struct rig *r = rig_new(model, 1 << 20);
    check_frame_of(r, ud2, sizeof(ud2), 0x0002, X86_EXC_UD, 0x1000);
    check_frame_of(r, prefixed, sizeof(prefixed), 0x0002, X86_EXC_UD, 0x1000);
    check_frame_of(r, fe7, sizeof(fe7), 0x0002, X86_EXC_UD, 0x1000);
    if (model == X86_286) {
        static const uint8_t opsize[] = { 0x66, 0x90 };        /* no 66 prefix yet */
        check_frame_of(r, opsize, sizeof(opsize), 0x0002, X86_EXC_UD, 0x1000);
    }
    rig_free(r);
}

int main(void)
{
    for (size_t k = 0; k < N_EARLY; k++) {
        enum x86_model m = early_models[k];
        test_intr_through_ivt(m);
        test_if_and_sti_shadow(m);
        test_ss_shadow(m);
        test_hlt_wakeup(m);
        test_nmi(m);
        test_single_step(m);
        test_rep_single_step(m);
        test_rep_interrupted(m);
        test_int_frames(m);
        test_divide_error(m);
        test_segment_wrap(m);
        test_a20(m);
        test_model_differences(m);
        if (m != X86_8086)
            test_undefined_opcode(m);
    }
    return test_report();
}
