/*
 * The 6502 core's pins, beyond what the single-instruction vectors cover:
 * RESET, IRQ (level, masking, the CLI and branch delays), NMI (edge,
 * hijacking BRK), BRK, RDY, JAM, snapshots and the disassembler.
 */
#include <string.h>

#include "cpu/m6502/m6502.h"
#include "cpu/m6502/m6502_disasm.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

struct cycle {
    uint16_t addr;
    uint8_t data;
    int write, sync;
};

struct sys {
    struct m6502 cpu;
    m6502_pins pins;
    uint8_t mem[0x10000];
    struct cycle log[256];
    int n;
};

static void sys_init(struct sys *s)
{
    memset(s, 0, sizeof(*s));
    s->pins = m6502_init(&s->cpu);
}

static void set_word(struct sys *s, uint16_t addr, uint16_t v)
{
    s->mem[addr] = (uint8_t)v;
    s->mem[(uint16_t)(addr + 1)] = (uint8_t)(v >> 8);
}

static void load(struct sys *s, uint16_t addr, const uint8_t *code, size_t len)
{
    memcpy(s->mem + addr, code, len);
}

/* One clock cycle; the bus access is logged. */
static struct cycle *tick(struct sys *s)
{
    s->pins = m6502_tick(&s->cpu, s->pins);
    uint16_t a = m6502_addr(s->pins);
    if (s->pins & M6502_RW)
        s->pins = m6502_set_data(s->pins, s->mem[a]);
    else
        s->mem[a] = m6502_data(s->pins);
    struct cycle *c = &s->log[s->n++ & 255];
    *c = (struct cycle){ a, m6502_data(s->pins), !(s->pins & M6502_RW),
                         (s->pins & M6502_SYNC) != 0 };
    return c;
}

/* Runs to the next opcode fetch; returns its address. */
static uint16_t next_fetch(struct sys *s)
{
    for (int i = 0; i < 20; i++) {
        struct cycle *c = tick(s);
        if (c->sync)
            return c->addr;
    }
    return 0xDEAD;
}

/* Power on with RESET vector $0200 and run the reset sequence. */
static void boot(struct sys *s, const uint8_t *code, size_t len)
{
    sys_init(s);
    set_word(s, 0xFFFC, 0x0200);
    set_word(s, 0xFFFE, 0x0300);     /* IRQ/BRK handler: RTI */
    set_word(s, 0xFFFA, 0x0400);     /* NMI handler: RTI */
    s->mem[0x0300] = 0x40;
    s->mem[0x0400] = 0x40;
    load(s, 0x0200, code, len);
    next_fetch(s);                   /* the fetch that turns into RESET */
    CHECK_EQ(next_fetch(s), 0x0200);
}

static void test_reset(void)
{
    struct sys s;
    sys_init(&s);
    set_word(&s, 0xFFFC, 0x1234);
    s.cpu.s = 0x40;
    s.cpu.p = M6502_U;
    /* Cycle 1 is the fetch the sequence replaces; then 7 cycles, all reads:
     * PC, PC, three "pushes" that read the stack, the vector. */
    struct cycle *c = tick(&s);
    CHECK(c->sync);
    static const uint16_t want[] = { 0x0000, 0x0140, 0x013F, 0x013E, 0xFFFC, 0xFFFD };
    for (int i = 0; i < 6; i++) {
        c = tick(&s);
        CHECK_EQ(c->addr, want[i]);
        CHECK(!c->write);
    }
    c = tick(&s);
    CHECK(c->sync);
    CHECK_EQ(c->addr, 0x1234);
    CHECK_EQ(s.cpu.s, 0x3D);
    CHECK(s.cpu.p & M6502_I);
}

static void test_brk(void)
{
    static const uint8_t code[] = { 0xA9, 0x00, 0x00, 0xEA, 0xEA };   /* LDA #0; BRK; sig */
    struct sys s;
    boot(&s, code, sizeof(code));
    s.cpu.s = 0xFF;
    next_fetch(&s);                                /* LDA done, BRK fetched */
    CHECK_EQ(next_fetch(&s), 0x0300);
    /* Pushed: return address $0204 (BRK skips its signature byte), P with B. */
    CHECK_EQ(s.mem[0x01FF], 0x02);
    CHECK_EQ(s.mem[0x01FE], 0x04);
    CHECK_EQ(s.mem[0x01FD], M6502_Z | M6502_U | M6502_B | M6502_I);
    CHECK(s.cpu.p & M6502_I);
    CHECK_EQ(next_fetch(&s), 0x0204);              /* RTI */
}

static void test_irq(void)
{
    /* CLI; NOP; NOP; ... */
    static const uint8_t code[] = { 0x58, 0xEA, 0xEA, 0xEA, 0xEA, 0xEA };
    struct sys s;
    boot(&s, code, sizeof(code));
    s.cpu.s = 0xFF;
    s.pins |= M6502_IRQ;                           /* IRQ held while I is still set */
    CHECK_EQ(next_fetch(&s), 0x0201);              /* CLI done */
    /* The CLI took effect too late for the poll: one more instruction. */
    CHECK_EQ(next_fetch(&s), 0x0202);
    /* The fetch at $0202 is replaced by the interrupt sequence. */
    struct cycle *c = tick(&s);
    CHECK_EQ(c->addr, 0x0202);                     /* PC read, not incremented */
    CHECK(!c->write);
    c = tick(&s);
    CHECK(c->write && c->addr == 0x01FF && c->data == 0x02);
    c = tick(&s);
    CHECK(c->write && c->addr == 0x01FE && c->data == 0x02);
    c = tick(&s);
    CHECK(c->write && c->addr == 0x01FD && !(c->data & M6502_B) && (c->data & M6502_U));
    CHECK_EQ(tick(&s)->addr, 0xFFFE);
    CHECK_EQ(tick(&s)->addr, 0xFFFF);
    CHECK_EQ(next_fetch(&s), 0x0300);
    /* I is set: the held line does not interrupt the handler. */
    s.pins &= ~M6502_IRQ;
    CHECK_EQ(next_fetch(&s), 0x0202);              /* RTI returns to the NOP */
}

static void test_irq_masked(void)
{
    static const uint8_t code[] = { 0xEA, 0xEA, 0xEA, 0xEA };
    struct sys s;
    boot(&s, code, sizeof(code));                  /* RESET leaves I set */
    s.pins |= M6502_IRQ;
    CHECK_EQ(next_fetch(&s), 0x0201);
    CHECK_EQ(next_fetch(&s), 0x0202);
    CHECK_EQ(next_fetch(&s), 0x0203);
}

static void test_branch_delays_irq(void)
{
    /* $0200 CLI; $0201 BNE +0 (taken, same page); $0203 NOP */
    static const uint8_t code[] = { 0x58, 0xD0, 0x00, 0xEA, 0xEA };
    struct sys s;
    boot(&s, code, sizeof(code));
    s.cpu.p &= (uint8_t)~M6502_Z;
    CHECK_EQ(next_fetch(&s), 0x0201);
    CHECK_EQ(tick(&s)->addr, 0x0202);              /* BNE offset */
    s.pins |= M6502_IRQ;                           /* arrives during the branch */
    CHECK_EQ(next_fetch(&s), 0x0203);              /* the branch completes */
    /* A taken branch without page crossing does not poll in its last
     * cycle: the NOP at $0203 runs before the interrupt. */
    CHECK_EQ(next_fetch(&s), 0x0204);
    CHECK_EQ(next_fetch(&s), 0x0300);
}

static void test_nmi_edge(void)
{
    static const uint8_t code[] = { 0xEA, 0xEA, 0xEA, 0xEA, 0xEA, 0xEA, 0xEA, 0xEA };
    struct sys s;
    boot(&s, code, sizeof(code));
    s.cpu.s = 0xFF;
    s.pins |= M6502_NMI;                           /* held low from now on */
    CHECK_EQ(next_fetch(&s), 0x0201);
    CHECK_EQ(next_fetch(&s), 0x0400);              /* taken once, I does not matter */
    CHECK_EQ(next_fetch(&s), 0x0201);              /* RTI */
    CHECK_EQ(next_fetch(&s), 0x0202);              /* still held: no new edge */
    s.pins &= ~M6502_NMI;
    CHECK_EQ(next_fetch(&s), 0x0203);
    s.pins |= M6502_NMI;                           /* a new edge */
    CHECK_EQ(next_fetch(&s), 0x0204);
    CHECK_EQ(next_fetch(&s), 0x0400);
}

static void test_nmi_hijacks_brk(void)
{
    static const uint8_t code[] = { 0x00, 0x00, 0xEA };
    struct sys s;
    boot(&s, code, sizeof(code));
    s.cpu.s = 0xFF;
    tick(&s);                                      /* BRK: read signature */
    s.pins |= M6502_NMI;                           /* NMI during the pushes */
    CHECK_EQ(next_fetch(&s), 0x0400);              /* the NMI vector wins */
    CHECK(s.mem[0x01FD] & M6502_B);                /* ...but the push says BRK */
    CHECK_EQ(s.mem[0x01FE], 0x02);
    CHECK_EQ(next_fetch(&s), 0x0202);              /* RTI to after BRK's signature */
}

static void test_rdy(void)
{
    /* LDA $1234; STA $1235 */
    static const uint8_t code[] = { 0xAD, 0x34, 0x12, 0x8D, 0x35, 0x12, 0xEA };
    struct sys s;
    boot(&s, code, sizeof(code));
    s.mem[0x1234] = 0x5A;
    tick(&s);                                      /* operand low */
    s.pins &= ~M6502_RDY;
    for (int i = 0; i < 3; i++) {
        struct cycle *c = tick(&s);               /* the read repeats */
        CHECK_EQ(c->addr, 0x0201);
    }
    s.pins |= M6502_RDY;
    CHECK_EQ(tick(&s)->addr, 0x0202);
    CHECK_EQ(tick(&s)->addr, 0x1234);
    CHECK_EQ(next_fetch(&s), 0x0203);
    CHECK_EQ(s.cpu.a, 0x5A);
    tick(&s);
    tick(&s);
    struct cycle *c = tick(&s);
    CHECK(c->write && c->addr == 0x1235);
    s.pins &= ~M6502_RDY;                          /* RDY low during the write cycle */
    c = tick(&s);                                  /* NMOS: the write is not held... */
    CHECK(c->sync && c->addr == 0x0206);
    c = tick(&s);                                  /* ...the next read (a fetch) is */
    CHECK(c->sync && c->addr == 0x0206);
    CHECK_EQ(s.mem[0x1235], 0x5A);
}

static void test_jam_and_reset(void)
{
    static const uint8_t code[] = { 0x02, 0xEA };
    struct sys s;
    boot(&s, code, sizeof(code));
    for (int i = 0; i < 5; i++)
        tick(&s);
    CHECK(s.pins & M6502_JAM);
    CHECK(s.cpu.jammed);
    CHECK_EQ(m6502_addr(s.pins), 0xFFFF);
    m6502_reset(&s.cpu);
    CHECK(!s.cpu.jammed);
    next_fetch(&s);                                /* the fetch RESET replaces */
    CHECK_EQ(next_fetch(&s), 0x0200);
    CHECK(!(s.pins & M6502_JAM));
}

static void test_snapshot(void)
{
    static const uint8_t code[] = { 0xA2, 0x05, 0xCA, 0xD0, 0xFD, 0xEA };  /* LDX #5; loop: DEX; BNE */
    struct sys a, b;
    boot(&a, code, sizeof(code));
    for (int i = 0; i < 7; i++)
        tick(&a);                                  /* stop mid-instruction */
    struct state_writer w;
    state_writer_init(&w);
    m6502_save(&a.cpu, &w);
    b = a;
    memset(&b.cpu, 0, sizeof(b.cpu));
    struct state_reader r;
    state_reader_init(&r, w.buf, w.len);
    CHECK_EQ(m6502_load(&b.cpu, &r, M6502_STATE_VERSION), 0);
    for (int i = 0; i < 30; i++) {
        struct cycle ca = *tick(&a), cb = *tick(&b);
        CHECK(ca.addr == cb.addr && ca.data == cb.data && ca.write == cb.write);
    }
    CHECK_EQ(a.cpu.x, b.cpu.x);
    state_reader_init(&r, w.buf, w.len / 2);
    CHECK_EQ(m6502_load(&b.cpu, &r, M6502_STATE_VERSION), -1);   /* truncated */
    state_reader_init(&r, w.buf, w.len);
    CHECK_EQ(m6502_load(&b.cpu, &r, 99), -1);                     /* unknown version */
    state_writer_free(&w);
}

static void test_disasm(void)
{
    static const struct {
        uint8_t bytes[3];
        uint16_t pc;
        const char *text;
        int len;
    } cases[] = {
        { { 0xA9, 0x41, 0 }, 0x0200, "LDA #$41", 2 },
        { { 0xB1, 0x90, 0 }, 0x0200, "LDA ($90),Y", 2 },
        { { 0x6C, 0xFF, 0x12 }, 0x0200, "JMP ($12FF)", 3 },
        { { 0xD0, 0xFE, 0 }, 0x0200, "BNE $0200", 2 },
        { { 0x0A, 0, 0 }, 0x0200, "ASL A", 1 },
        { { 0x9E, 0x00, 0x20 }, 0x0200, "SHX $2000,Y", 3 },
        { { 0x02, 0, 0 }, 0x0200, "JAM", 1 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[32];
        int len = m6502_disasm(cases[i].pc, cases[i].bytes, out, sizeof(out));
        CHECK_EQ(len, cases[i].len);
        CHECK(strcmp(out, cases[i].text) == 0);
    }
}

int main(void)
{
    test_reset();
    test_brk();
    test_irq();
    test_irq_masked();
    test_branch_delays_irq();
    test_nmi_edge();
    test_nmi_hijacks_brk();
    test_rdy();
    test_jam_and_reset();
    test_snapshot();
    test_disasm();
    return test_report();
}
