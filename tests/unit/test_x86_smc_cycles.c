/*
 * The x86 CPU and its surroundings: self-modifying code (the decoded-code
 * cache must notice every write to code, whichever address it comes
 * through), cycle accounting against the models' published counts, and
 * two CPUs with two memories in one process.
 *
 * Programs are hand-assembled; each byte line carries its assembly.
 */
#include "tests/testlib.h"
#include "tests/unit/x86_rig.h"

TEST_MAIN_COUNTS;

static const enum x86_model early_models[] = { X86_8086, X86_286, X86_386 };
#define N_EARLY (sizeof(early_models) / sizeof(early_models[0]))

#define IP(r) ((r)->cpu.eip)
#define REG(r, n) ((r)->cpu.gpr[n] & 0xFFFFu)

/* ------------------------------------------------------------------ */
/* Self-modifying code                                                 */

/* Each program patches the immediate of a "mov al, imm" with DL (5, then
 * 6) and adds AL into BL twice: BL = 11 when the new bytes execute. */
static void run_patcher(enum x86_model model, const uint8_t *code, size_t len, uint16_t es, int a20,
                        uint8_t want_bl)
{
    static const uint8_t sub[] = { 0xB0, 0x00, 0xC3 };     /* 2000 mov al, 0; ret */
    struct rig *r = rig_new(model, 2 << 20);
    physmem_set_a20(&r->mem, a20);
    rig_load(r, 0x2000, sub, sizeof(sub));
    rig_program(r, code, len);
    x86_load_seg_real(&r->cpu, X86_ES, es);
    CHECK_EQ(rig_run(r, 100000), X86_STOP_HALT);
    CHECK_EQ(r->cpu.gpr[X86_EBX] & 0xFF, want_bl);
    rig_free(r);
}

static void test_self_modifying(void)
{
    /* The patched instruction is just ahead in the same page; the JMP
     * flushes the prefetch queue, as Intel requires of self-modifying code
     * before the Pentium (Intel SDM vol. 3, 11.6). */
    static const uint8_t ahead[] = {
        0xB9, 0x02, 0x00,           /* 1000 mov cx, 2 */
        0xB2, 0x05,                 /* 1003 mov dl, 5 */
        0x30, 0xDB,                 /* 1005 xor bl, bl */
        0x88, 0x16, 0x0E, 0x10,     /* 1007 mov [0x100E], dl */
        0xEB, 0x00,                 /* 100B jmp short 0x100D */
        0xB0, 0x00,                 /* 100D mov al, 0 */
        0x00, 0xC3,                 /* 100F add bl, al */
        0xFE, 0xC2,                 /* 1011 inc dl */
        0xE2, 0xF2,                 /* 1013 loop 0x1007 */
        0xF4,                       /* 1015 hlt */
    };
    /* No JMP: the Pentium and later notice the store into the prefetched
     * bytes themselves. */
    static const uint8_t ahead_nojmp[] = {
        0xB9, 0x02, 0x00,           /* 1000 mov cx, 2 */
        0xB2, 0x05,                 /* 1003 mov dl, 5 */
        0x30, 0xDB,                 /* 1005 xor bl, bl */
        0x88, 0x16, 0x0C, 0x10,     /* 1007 mov [0x100C], dl */
        0xB0, 0x00,                 /* 100B mov al, 0 */
        0x00, 0xC3,                 /* 100D add bl, al */
        0xFE, 0xC2,                 /* 100F inc dl */
        0xE2, 0xF4,                 /* 1011 loop 0x1007 */
        0xF4,                       /* 1013 hlt */
    };
    /* The patched code is a subroutine in another page (0000:2000). */
    static const uint8_t other_page[] = {
        0xB9, 0x02, 0x00,           /* 1000 mov cx, 2 */
        0xB2, 0x05,                 /* 1003 mov dl, 5 */
        0x30, 0xDB,                 /* 1005 xor bl, bl */
        0x88, 0x16, 0x01, 0x20,     /* 1007 mov [0x2001], dl */
        0xE8, 0xF2, 0x0F,           /* 100B call 0x2000 */
        0x00, 0xC3,                 /* 100E add bl, al */
        0xFE, 0xC2,                 /* 1010 inc dl */
        0xE2, 0xF3,                 /* 1012 loop 0x1007 */
        0xF4,                       /* 1014 hlt */
    };
    /* Written through another segment:offset of the same byte: ES:0001
     * with ES = 0200, or ES:2011 with ES = FFFF and A20 off. */
    static const uint8_t alias[] = {
        0xB9, 0x02, 0x00,                   /* 1000 mov cx, 2 */
        0xB2, 0x05,                         /* 1003 mov dl, 5 */
        0x30, 0xDB,                         /* 1005 xor bl, bl */
        0x26, 0x88, 0x16, 0x01, 0x00,       /* 1007 mov [es:0x0001], dl */
        0xE8, 0xF1, 0x0F,                   /* 100C call 0x2000 */
        0x00, 0xC3,                         /* 100F add bl, al */
        0xFE, 0xC2,                         /* 1011 inc dl */
        0xE2, 0xF2,                         /* 1013 loop 0x1007 */
        0xF4,                               /* 1015 hlt */
    };
    uint8_t alias_hma[sizeof(alias)];
    memcpy(alias_hma, alias, sizeof(alias));
    alias_hma[10] = 0x11;                   /* mov [es:0x2011], dl */
    alias_hma[11] = 0x20;

    for (size_t k = 0; k < N_EARLY; k++) {
        run_patcher(early_models[k], ahead, sizeof(ahead), 0, 1, 11);
        run_patcher(early_models[k], other_page, sizeof(other_page), 0, 1, 11);
        run_patcher(early_models[k], alias, sizeof(alias), 0x0200, 1, 11);
    }
    run_patcher(X86_PENTIUM, ahead_nojmp, sizeof(ahead_nojmp), 0, 1, 11);
    run_patcher(X86_P6, ahead_nojmp, sizeof(ahead_nojmp), 0, 1, 11);
    run_patcher(X86_386, alias_hma, sizeof(alias_hma), 0xFFFF, 0, 11);
    run_patcher(X86_386, alias_hma, sizeof(alias_hma), 0xFFFF, 1, 0);  /* A20 on: no alias */

    /* A REP STOSB that overwrites the two instructions after it. */
    static const uint8_t rep_over[] = {
        0xB0, 0x90,                 /* 1000 mov al, 0x90 (nop) */
        0xBF, 0x0A, 0x10,           /* 1002 mov di, 0x100A */
        0xB9, 0x02, 0x00,           /* 1005 mov cx, 2 */
        0xF3, 0xAA,                 /* 1008 rep stosb */
        0x43,                       /* 100A inc bx   (becomes nop) */
        0x43,                       /* 100B inc bx   (becomes nop) */
        0xF4,                       /* 100C hlt */
    };
    struct rig *r = rig_new(X86_P6, 1 << 20);
    rig_program(r, rep_over, sizeof(rep_over));
    CHECK_EQ(rig_run(r, 100000), X86_STOP_HALT);
    CHECK_EQ(REG(r, X86_EBX), 0);
    CHECK_EQ(IP(r), 0x100D);
    rig_free(r);
}

/* ------------------------------------------------------------------ */
/* Cycles                                                              */

static cycles_t step_cost(struct rig *r, const uint8_t *code, size_t len, uint16_t flags)
{
    rig_program(r, code, len);
    x86_set_flags(&r->cpu, flags);
    r->cpu.gpr[X86_EBX] = RIG_DATA;
    cycles_t t = r->clock.now;
    uint64_t n = r->cpu.insns_retired;
    x86_step(&r->cpu);
    CHECK_EQ(r->cpu.insns_retired, n + 1);
    return r->clock.now - t;
}

/* The clock advances by the model's published count (8086 Family User's
 * Manual, i486 Programmer's Reference Manual). */
static void test_cycles(void)
{
    static const uint8_t nop[] = { 0x90 };
    static const uint8_t add_rr[] = { 0x01, 0xD8 };         /* add ax, bx */
    static const uint8_t add_mr[] = { 0x01, 0x07 };         /* add [bx], ax */
    static const uint8_t mov_acc[] = { 0xA1, 0x00, 0x30 };  /* mov ax, [0x3000] */
    static const uint8_t jz[] = { 0x74, 0x02 };             /* jz +2 */
    struct rig *r86 = rig_new(X86_8086, 1 << 20);
    struct rig *r486 = rig_new(X86_486, 1 << 20);
    CHECK_EQ(step_cost(r86, nop, sizeof(nop), 2), 3);
    CHECK_EQ(step_cost(r486, nop, sizeof(nop), 2), 1);
    CHECK_EQ(step_cost(r86, add_rr, sizeof(add_rr), 2), 3);
    CHECK_EQ(step_cost(r486, add_rr, sizeof(add_rr), 2), 1);
    CHECK_EQ(step_cost(r86, add_mr, sizeof(add_mr), 2), 16 + 5);   /* 16 + EA([BX]) */
    CHECK_EQ(step_cost(r486, add_mr, sizeof(add_mr), 2), 3);
    CHECK_EQ(step_cost(r86, mov_acc, sizeof(mov_acc), 2), 10);
    CHECK_EQ(step_cost(r486, mov_acc, sizeof(mov_acc), 2), 1);
    CHECK_EQ(step_cost(r86, jz, sizeof(jz), 2 | X86_ZF), 16);       /* taken */
    CHECK_EQ(step_cost(r86, jz, sizeof(jz), 2), 4);                 /* not taken */
    CHECK_EQ(step_cost(r486, jz, sizeof(jz), 2 | X86_ZF), 3);
    CHECK_EQ(step_cost(r486, jz, sizeof(jz), 2), 1);

    /* x86_run stops at the first instruction boundary at or past the
     * deadline: "jmp $" costs 15 on the 8086. */
    static const uint8_t spin[] = { 0xEB, 0xFE };
    rig_program(r86, spin, sizeof(spin));
    cycles_t t0 = r86->clock.now;
    uint64_t n0 = r86->cpu.insns_retired;
    CHECK_EQ(x86_run(&r86->cpu, t0 + 1000), X86_STOP_BUDGET);
    CHECK(r86->clock.now >= t0 + 1000 && r86->clock.now < t0 + 1015);
    CHECK_EQ(r86->cpu.insns_retired - n0, (1000 + 14) / 15);
    CHECK_EQ(r86->clock.now - t0, 15 * ((1000 + 14) / 15));
    rig_free(r86);
    rig_free(r486);
}

/* ------------------------------------------------------------------ */
/* Two machines' worth of CPU and memory in one process                */

static void test_two_cpus(void)
{
    static const uint8_t count_up[] = {
        0xB9, 0x64, 0x00,           /* 1000 mov cx, 100 */
        0xFF, 0x06, 0x00, 0x30,     /* 1003 inc word [0x3000] */
        0xE2, 0xFA,                 /* 1007 loop 0x1003 */
        0xF4,                       /* 1009 hlt */
    };
    static const uint8_t add_threes[] = {
        0xB9, 0x32, 0x00,               /* 1000 mov cx, 50 */
        0x83, 0x06, 0x00, 0x30, 0x03,   /* 1003 add word [0x3000], 3 */
        0xE2, 0xF9,                     /* 1008 loop 0x1003 */
        0xF4,                           /* 100A hlt */
    };
    struct rig *a = rig_new(X86_8086, 1 << 20);
    struct rig *b = rig_new(X86_386, 1 << 20);
    rig_program(a, count_up, sizeof(count_up));
    rig_program(b, add_threes, sizeof(add_threes));
    int done_a = 0, done_b = 0;
    for (int slice = 0; slice < 10000 && !(done_a && done_b); slice++) {
        if (!done_a)
            done_a = rig_run(a, 37) == X86_STOP_HALT;
        if (!done_b)
            done_b = rig_run(b, 23) == X86_STOP_HALT;
    }
    CHECK(done_a && done_b);
    CHECK_EQ(rig_peek(a, RIG_DATA, 2), 100);
    CHECK_EQ(rig_peek(b, RIG_DATA, 2), 150);
    CHECK_EQ(IP(a), 0x100A);
    CHECK_EQ(IP(b), 0x100B);
    CHECK(a->clock.now != b->clock.now);
    CHECK_EQ(a->cpu.insns_retired, 1 + 2 * 100 + 1);
    CHECK_EQ(b->cpu.insns_retired, 1 + 2 * 50 + 1);
    rig_free(a);
    rig_free(b);
}

int main(void)
{
    test_self_modifying();
    test_cycles();
    test_two_cpus();
    return test_report();
}
