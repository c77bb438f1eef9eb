/*
 * The mini6502 board: ROM images and sim65 programs, the console and the
 * timer, the hypercalls, two machines side by side, snapshots, the bus
 * trace, and bad input (each must end in a clear message and a defined
 * stop).  The programs are assembled by hand here, so the test needs no
 * cc65.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus/mini6502.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

/* ---- capturing the machine's output ------------------------------------- */

struct capture {
    char out[512];
    size_t n_out;
    char err[256];
    size_t n_err;
    const char *input;
};

static void cap_output(void *opaque, int stream, const uint8_t *buf, size_t len)
{
    struct capture *c = opaque;
    char *dst = stream == 2 ? c->err : c->out;
    size_t *n = stream == 2 ? &c->n_err : &c->n_out;
    size_t cap = stream == 2 ? sizeof(c->err) : sizeof(c->out);
    for (size_t i = 0; i < len && *n + 1 < cap; i++)
        dst[(*n)++] = (char)buf[i];
    dst[*n] = 0;
}

static long cap_input(void *opaque, uint8_t *buf, size_t len)
{
    struct capture *c = opaque;
    size_t n = 0;
    while (n < len && c->input && *c->input)
        buf[n++] = (uint8_t)*c->input++;
    return (long)n;
}

static struct mini6502 *machine(struct capture *cap)
{
    memset(cap, 0, sizeof(*cap));
    struct mini6502_config cfg = { .io = { cap_output, cap_input, cap } };
    struct mini6502 *m = mini6502_create(&cfg);
    CHECK(m != NULL);
    return m;
}

/* ---- hand-assembled programs ------------------------------------------------ */

/* A 256-byte ROM image for $FF00-$FFFF: code at $FF00, vectors set. */
struct rom {
    uint8_t b[256];
};

static void rom_init(struct rom *r, const uint8_t *code, size_t len, uint16_t irq)
{
    memset(r->b, 0xEA, sizeof(r->b));
    memcpy(r->b, code, len);
    r->b[0xFA] = 0x40;                  /* NMI at $FF40: RTI */
    r->b[0xFB] = 0xFF;
    r->b[0x40] = 0x40;
    r->b[0xFC] = 0x00;                  /* RESET at $FF00 */
    r->b[0xFD] = 0xFF;
    r->b[0xFE] = (uint8_t)irq;
    r->b[0xFF] = (uint8_t)(irq >> 8);
}

/* Prints the zero-terminated text at $FF20 through the console, then
 * exits with `status` through the exit hypercall. */
static void hello_rom(struct rom *r, const char *text, uint8_t status)
{
    const uint8_t code[] = {
        0xA2, 0x00,             /* FF00 LDX #0 */
        0xBD, 0x20, 0xFF,       /* FF02 LDA $FF20,X */
        0xF0, 0x06,             /* FF05 BEQ $FF0D */
        0x8D, 0xF0, 0xFF,       /* FF07 STA $FFF0 */
        0xE8,                   /* FF0A INX */
        0xD0, 0xF5,             /* FF0B BNE $FF02 */
        0xA9, status,           /* FF0D LDA #status */
        0x4C, 0xF9, 0xFF,       /* FF0F JMP $FFF9 */
    };
    rom_init(r, code, sizeof(code), 0xFF40);
    memcpy(r->b + 0x20, text, strlen(text) + 1);
}

/* Timer every 256 cycles; the handler counts in $10 and acknowledges; the
 * main loop waits for three, then exits with the count. */
static void timer_rom(struct rom *r)
{
    const uint8_t code[] = {
        0xA9, 0x01,             /* FF00 LDA #1 */
        0x8D, 0xF2, 0xFF,       /* FF02 STA $FFF2  period 1 x 256 */
        0x8D, 0xF3, 0xFF,       /* FF05 STA $FFF3  enable */
        0x58,                   /* FF08 CLI */
        0xA5, 0x10,             /* FF09 LDA $10 */
        0xC9, 0x03,             /* FF0B CMP #3 */
        0xD0, 0xFA,             /* FF0D BNE $FF09 */
        0x4C, 0xF9, 0xFF,       /* FF0F JMP $FFF9 */
    };
    const uint8_t handler[] = {
        0x48,                   /* FF20 PHA */
        0xA9, 0x81,             /* FF21 LDA #$81 */
        0x8D, 0xF3, 0xFF,       /* FF23 STA $FFF3  acknowledge, keep enabled */
        0xE6, 0x10,             /* FF26 INC $10 */
        0x68,                   /* FF28 PLA */
        0x40,                   /* FF29 RTI */
    };
    rom_init(r, code, sizeof(code), 0xFF20);
    memcpy(r->b + 0x20, handler, sizeof(handler));
}

/* A sim65 program image: header, then `code` loaded at $0200. */
static size_t sim65_image(uint8_t *img, const uint8_t *code, size_t len)
{
    static const uint8_t header[12] = { 's', 'i', 'm', '6', '5', 2, 0, 0x00,
                                        0x00, 0x02, 0x00, 0x02 };
    memcpy(img, header, sizeof(header));
    memcpy(img + sizeof(header), code, len);
    return sizeof(header) + len;
}

static int load(struct mini6502 *m, const void *img, size_t len)
{
    char why[200];
    int r = mini6502_load_image(m, img, len, why, sizeof(why));
    if (r != 0)
        fprintf(stderr, "load failed: %s\n", why);
    return r;
}

/* ---- tests ------------------------------------------------------------------- */

static void test_hello_rom(void)
{
    struct capture cap;
    struct mini6502 *m = machine(&cap);
    struct rom r;
    hello_rom(&r, "Hi\n", 3);
    CHECK_EQ(load(m, r.b, sizeof(r.b)), 0);
    CHECK_EQ(mini6502_run(m, 10000), MINI6502_EXITED);
    CHECK_EQ(m->exit_code, 3);
    CHECK(strcmp(cap.out, "Hi\n") == 0);
    CHECK_EQ(m->console.bytes_out, 3);
    /* ROM ignores writes; RAM takes them. */
    CHECK_EQ(mini6502_peek(m, 0xFF00), 0xA2);
    CHECK_EQ(mini6502_peek(m, 0xFFF4), 0x60);       /* hypercall window reads RTS */
    CHECK_EQ(mini6502_peek(m, 0xFFF1) & MINI6502_CONSOLE_STATUS_READY, 0x80);
    mini6502_free(m);
}

static void test_two_machines(void)
{
    struct capture ca, cb;
    struct mini6502 *a = machine(&ca), *b = machine(&cb);
    struct rom ra, rb;
    hello_rom(&ra, "first machine\n", 1);
    hello_rom(&rb, "second\n", 2);
    CHECK_EQ(load(a, ra.b, sizeof(ra.b)), 0);
    CHECK_EQ(load(b, rb.b, sizeof(rb.b)), 0);
    /* Interleave them a few cycles at a time. */
    for (int i = 0; i < 2000 && (!a->stop || !b->stop); i++) {
        mini6502_run(a, 5);
        mini6502_run(b, 3);
    }
    CHECK_EQ(a->stop, MINI6502_EXITED);
    CHECK_EQ(b->stop, MINI6502_EXITED);
    CHECK_EQ(a->exit_code, 1);
    CHECK_EQ(b->exit_code, 2);
    CHECK(strcmp(ca.out, "first machine\n") == 0);
    CHECK(strcmp(cb.out, "second\n") == 0);
    CHECK(a->clock.now != b->clock.now);
    mini6502_free(a);
    mini6502_free(b);
}

static void test_timer_irq(void)
{
    struct capture cap;
    struct mini6502 *m = machine(&cap);
    struct rom r;
    timer_rom(&r);
    CHECK_EQ(load(m, r.b, sizeof(r.b)), 0);
    CHECK_EQ(mini6502_run(m, 100000), MINI6502_EXITED);
    CHECK_EQ(m->exit_code, 3);
    CHECK_EQ(m->timer.fired, 3);
    /* Three periods of 256 cycles after the timer started (~cycle 20). */
    CHECK(m->clock.now > 3 * 256 && m->clock.now < 3 * 256 + 120);
    CHECK(!(m->pins & M6502_IRQ));                  /* acknowledged */
    mini6502_free(m);
}

static void test_sim65_write_and_exit(void)
{
    /* The C stack pointer ($00/$01) points at $0240, holding buf = $0250
     * and fd = 1; write(1, $0250, 6), then exit(5). */
    uint8_t code[0x60] = {
        0xA9, 0x40, 0x85, 0x00,         /* LDA #$40; STA $00 */
        0xA9, 0x02, 0x85, 0x01,         /* LDA #$02; STA $01 */
        0xA9, 0x06, 0xA2, 0x00,         /* LDA #6; LDX #0   (count) */
        0x20, 0xF7, 0xFF,               /* JSR $FFF7        write */
        0x85, 0x20,                     /* STA $20          result */
        0xA9, 0x05,                     /* LDA #5 */
        0x20, 0xF9, 0xFF,               /* JSR $FFF9        exit */
    };
    code[0x40] = 0x50;                  /* $0240: buf = $0250 */
    code[0x41] = 0x02;
    code[0x42] = 0x01;                  /* $0242: fd = 1 */
    memcpy(code + 0x50, "hello\n", 6);
    uint8_t img[256];
    size_t len = sim65_image(img, code, sizeof(code));
    struct capture cap;
    struct mini6502 *m = machine(&cap);
    CHECK_EQ(load(m, img, len), 0);
    CHECK_EQ(mini6502_run(m, 10000), MINI6502_EXITED);
    CHECK_EQ(m->exit_code, 5);
    CHECK(strcmp(cap.out, "hello\n") == 0);
    CHECK_EQ(m->mem[0x20], 6);                      /* write returned the count */
    CHECK_EQ(m->mem[0x00], 0x44);                   /* two arguments popped */
    CHECK_EQ(m->mem[0x01], 0x02);
    mini6502_free(m);
}

static void test_sim65_args_and_read(void)
{
    /* args(&argv at $0280) with the C stack at $1000; then
     * read(0, $0300, 8) with buf and fd pushed at $0240; exit(argc). */
    uint8_t code[0x60] = {
        0xA9, 0x00, 0x85, 0x00,         /* LDA #$00; STA $00 */
        0xA9, 0x10, 0x85, 0x01,         /* LDA #$10; STA $01   sp = $1000 */
        0xA9, 0x80, 0xA2, 0x02,         /* LDA #$80; LDX #$02 */
        0x20, 0xF8, 0xFF,               /* JSR $FFF8           args */
        0x85, 0x21,                     /* STA $21             argc */
        0xA9, 0x40, 0x85, 0x00,         /* LDA #$40; STA $00 */
        0xA9, 0x02, 0x85, 0x01,         /* LDA #$02; STA $01   sp = $0240 */
        0xA9, 0x08, 0xA2, 0x00,         /* LDA #8; LDX #0 */
        0x20, 0xF6, 0xFF,               /* JSR $FFF6           read */
        0x85, 0x22,                     /* STA $22             bytes read */
        0xA5, 0x21,                     /* LDA $21 */
        0x4C, 0xF9, 0xFF,               /* JMP $FFF9           exit(argc) */
    };
    code[0x40] = 0x00;                  /* buf = $0300 */
    code[0x41] = 0x03;
    code[0x42] = 0x00;                  /* fd = 0 */
    uint8_t img[256];
    size_t len = sim65_image(img, code, sizeof(code));
    struct capture cap;
    struct mini6502 *m = machine(&cap);
    cap.input = "xyz";
    char *argv[] = { "prog", "abc", NULL };
    CHECK_EQ(load(m, img, len), 0);
    mini6502_set_args(m, 2, argv);
    CHECK_EQ(mini6502_run(m, 10000), MINI6502_EXITED);
    CHECK_EQ(m->exit_code, 2);
    uint16_t table = (uint16_t)(m->mem[0x280] | m->mem[0x281] << 8);
    CHECK_EQ(table, 0x1000 - 6);
    uint16_t a0 = (uint16_t)(m->mem[table] | m->mem[table + 1] << 8);
    uint16_t a1 = (uint16_t)(m->mem[table + 2] | m->mem[table + 3] << 8);
    CHECK(strcmp((char *)m->mem + a0, "prog") == 0);
    CHECK(strcmp((char *)m->mem + a1, "abc") == 0);
    CHECK_EQ(m->mem[table + 4] | m->mem[table + 5], 0);
    CHECK_EQ(m->mem[0x22], 3);
    CHECK(memcmp(m->mem + 0x300, "xyz", 3) == 0);
    mini6502_free(m);
}

static void test_bus_trace(void)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *trace = open_memstream(&buf, &size);
    CHECK(trace != NULL);
    if (!trace)
        return;
    struct capture cap;
    memset(&cap, 0, sizeof(cap));
    struct mini6502_config cfg = {
        .io = { cap_output, cap_input, &cap },
        .trace = MINI6502_TRACE_BUS | MINI6502_TRACE_INSN,
        .trace_out = trace,
    };
    struct mini6502 *m = mini6502_create(&cfg);
    struct rom r;
    hello_rom(&r, "A", 0);
    CHECK_EQ(load(m, r.b, sizeof(r.b)), 0);
    CHECK_EQ(mini6502_run(m, 10000), MINI6502_EXITED);
    fclose(trace);
    /* RESET: the replaced fetch, PC twice... vector at $FFFC/$FFFD, then
     * the first opcode fetch at cycle 7. */
    CHECK(strstr(buf, "         5  FFFC  00  R\n") != NULL);
    CHECK(strstr(buf, "         6  FFFD  FF  R\n") != NULL);
    CHECK(strstr(buf, "         7  FF00  A2  R  SYNC\n") != NULL);
    CHECK(strstr(buf, "FF00  A2 00     LDX #$00") != NULL);
    CHECK(strstr(buf, "  FFF0  41  W\n") != NULL);     /* the console write */
    CHECK(strstr(buf, "hypercall exit = 0") != NULL);
    free(buf);
    mini6502_free(m);
}

static void test_snapshot(void)
{
    struct capture ca, cb;
    struct mini6502 *a = machine(&ca), *b = machine(&cb);
    struct rom r;
    timer_rom(&r);
    CHECK_EQ(load(a, r.b, sizeof(r.b)), 0);
    CHECK_EQ(load(b, r.b, sizeof(r.b)), 0);
    mini6502_run(a, 401);                           /* mid-run, mid-instruction */
    struct state_writer w;
    state_writer_init(&w);
    CHECK_EQ(mini6502_save(a, &w), 0);
    char why[200] = "";
    CHECK_EQ(mini6502_restore(b, w.buf, w.len, why, sizeof(why)), 0);
    CHECK_EQ(b->clock.now, 401);
    mini6502_run(a, 100000);
    mini6502_run(b, 100000);
    CHECK_EQ(a->stop, MINI6502_EXITED);
    CHECK_EQ(b->stop, MINI6502_EXITED);
    CHECK_EQ(a->clock.now, b->clock.now);
    CHECK_EQ(a->timer.fired, b->timer.fired);
    CHECK_EQ(a->cpu.pc, b->cpu.pc);
    CHECK(memcmp(a->mem, b->mem, sizeof(a->mem)) == 0);
    /* A corrupt snapshot is refused with a reason. */
    CHECK_EQ(mini6502_restore(b, w.buf, w.len / 3, why, sizeof(why)), -1);
    CHECK(why[0] != 0);
    state_writer_free(&w);
    mini6502_free(a);
    mini6502_free(b);
}

static void test_devices(void)
{
    struct capture cap;
    struct mini6502 *m = machine(&cap);
    static const char *const names[] = { "m6502", "memory", "console", "timer" };
    for (size_t i = 0; i < 4; i++)
        CHECK(device_find(&m->devices, names[i]) != NULL);
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    if (out) {
        for (int i = 0; i < m->devices.n; i++)
            m->devices.dev[i].ops->dump(m->devices.dev[i].opaque, out);
        fclose(out);
        CHECK(strstr(buf, "timer: period 0") != NULL);
        CHECK(strstr(buf, "console:") != NULL);
        free(buf);
    }
    mini6502_free(m);
}

/* ---- bad input -------------------------------------------------------------- */

static void expect_load_error(const void *img, size_t len, const char *words)
{
    struct capture cap;
    struct mini6502 *m = machine(&cap);
    char why[200] = "";
    CHECK_EQ(mini6502_load_image(m, img, len, why, sizeof(why)), -1);
    if (!strstr(why, words))
        fprintf(stderr, "message '%s' lacks '%s'\n", why, words);
    CHECK(strstr(why, words) != NULL);
    mini6502_free(m);
}

static void test_bad_images(void)
{
    uint8_t *big = calloc(1, 70000);
    CHECK(big != NULL);
    if (!big)
        return;
    expect_load_error(big, 70000, "64 KiB address space");
    expect_load_error(big, 40000, "32 KiB ROM window");
    expect_load_error(big, 0, "empty");
    size_t len = sim65_image(big, big + 1000, 10);
    expect_load_error(big, 8, "header truncated");
    expect_load_error(big, 12 + 0xFE00, "past the end of RAM");
    big[6] = 1;
    expect_load_error(big, len, "65C02");
    big[6] = 0;
    big[5] = 3;
    expect_load_error(big, len, "version 3");
    free(big);

    /* A file larger than the address space, through the file loader. */
    char path[] = "/tmp/trapeze-mini6502-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0) {
        static const uint8_t block[4096];
        for (int i = 0; i < 20; i++)
            CHECK_EQ(write(fd, block, sizeof(block)), (long)sizeof(block));
        close(fd);
        struct capture cap;
        struct mini6502 *m = machine(&cap);
        char why[200] = "";
        CHECK_EQ(mini6502_load_file(m, path, why, sizeof(why)), -1);
        CHECK(strstr(why, "larger than the 64 KiB address space") != NULL);
        CHECK_EQ(mini6502_load_file(m, "/nonexistent/program", why, sizeof(why)), -1);
        CHECK(strstr(why, "cannot open") != NULL);
        mini6502_free(m);
        unlink(path);
    }
}

static void expect_stop(const uint8_t *code, size_t len, enum mini6502_stop want,
                        const char *words)
{
    struct capture cap;
    struct mini6502 *m = machine(&cap);
    struct rom r;
    rom_init(&r, code, len, 0xFF40);
    CHECK_EQ(load(m, r.b, sizeof(r.b)), 0);
    CHECK_EQ(mini6502_run(m, 100000), want);
    if (!strstr(m->stop_msg, words))
        fprintf(stderr, "message '%s' lacks '%s'\n", m->stop_msg, words);
    CHECK(strstr(m->stop_msg, words) != NULL);
    CHECK(m->clock.now < 100);                      /* stopped at once, not later */
    mini6502_free(m);
}

static void test_bad_programs(void)
{
    static const uint8_t jam[] = { 0xEA, 0x02 };
    expect_stop(jam, sizeof(jam), MINI6502_JAMMED, "opcode $02 at $FF01");
    static const uint8_t unknown[] = { 0x20, 0xF1, 0xFF };  /* JSR $FFF1 */
    expect_stop(unknown, sizeof(unknown), MINI6502_BAD_HYPERCALL, "unknown hypercall $FFF1");

    /* A sim65 program that enables the timer but installs no handler. */
    static const uint8_t code[] = {
        0xA9, 0x01, 0x8D, 0xF2, 0xFF,   /* LDA #1; STA $FFF2 */
        0x8D, 0xF3, 0xFF,               /* STA $FFF3 */
        0x58,                           /* CLI */
        0x4C, 0x09, 0x02,               /* JMP * */
    };
    uint8_t img[64];
    size_t len = sim65_image(img, code, sizeof(code));
    struct capture cap;
    struct mini6502 *m = machine(&cap);
    CHECK_EQ(load(m, img, len), 0);
    CHECK_EQ(mini6502_run(m, 100000), MINI6502_BAD_HYPERCALL);
    CHECK(strstr(m->stop_msg, "interrupt with no handler") != NULL);
    CHECK(m->clock.now < 400);
    /* A stopped machine stays stopped. */
    CHECK_EQ(mini6502_run(m, 1000), MINI6502_BAD_HYPERCALL);
    mini6502_free(m);
}

static void test_stepping(void)
{
    struct capture cap;
    struct mini6502 *m = machine(&cap);
    struct rom r;
    hello_rom(&r, "AB", 0);
    CHECK_EQ(load(m, r.b, sizeof(r.b)), 0);
    mini6502_step_instruction(m);                   /* the RESET sequence */
    mini6502_step_instruction(m);
    CHECK_EQ(m->insn_pc, 0xFF00);
    CHECK_EQ(m->clock.now, 8);
    mini6502_step_instruction(m);                   /* LDX #0 */
    CHECK_EQ(m->insn_pc, 0xFF02);
    CHECK_EQ(m->clock.now, 10);
    mini6502_step_cycle(m);
    CHECK_EQ(m->clock.now, 11);
    m->break_enabled = 1;
    m->break_pc = 0xFF0D;
    CHECK_EQ(mini6502_run(m, 10000), MINI6502_BREAKPOINT);
    CHECK(strcmp(cap.out, "AB") == 0);
    m->break_enabled = 0;
    CHECK_EQ(mini6502_run(m, 10000), MINI6502_EXITED);
    mini6502_free(m);
}

int main(void)
{
    test_hello_rom();
    test_two_machines();
    test_timer_irq();
    test_sim65_write_and_exit();
    test_sim65_args_and_read();
    test_bus_trace();
    test_snapshot();
    test_devices();
    test_bad_images();
    test_bad_programs();
    test_stepping();
    return test_report();
}
