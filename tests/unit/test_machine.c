/*
 * The machine API on the pc-test board: machines are values (two from the
 * same image and two from different images run interleaved without
 * sharing anything), bad input gives NULL and a one-line reason, and the
 * test-exit port, HLT and the cycle budget give the right status.
 *
 * ROM images are written from byte arrays to temporary files.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus/machine.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

#define ROM_SIZE 4096
#define PCTEST_MAX_ROM (128u * 1024u)

/* The counting program at F000:F000 (the first byte of a 4 KiB ROM):
 * N times, increment the word at 0000:0500 and print CHAR; then write
 * CODE to the test-exit port.  Offsets of the parameters in the image: */
#define AT_COUNT 0x0A
#define AT_CHAR 0x11
#define AT_CODE 0x17
static const uint8_t counter[] = {
    0x31, 0xC0,                 /* F000 xor ax, ax */
    0x8E, 0xD8,                 /* F002 mov ds, ax */
    0x8E, 0xD0,                 /* F004 mov ss, ax */
    0xBC, 0x00, 0x70,           /* F006 mov sp, 0x7000 */
    0xB9, 0x00, 0x00,           /* F009 mov cx, COUNT */
    0xFF, 0x06, 0x00, 0x05,     /* F00C inc word [0x0500] */
    0xB0, 0x00,                 /* F010 mov al, CHAR */
    0xE6, 0xE9,                 /* F012 out 0xE9, al */
    0xE2, 0xF6,                 /* F014 loop 0xF00C */
    0xB0, 0x00,                 /* F016 mov al, CODE */
    0xE6, 0xF4,                 /* F018 out 0xF4, al */
    0xF4,                       /* F01A hlt */
    0xEB, 0xFD,                 /* F01B jmp 0xF01A */
};
static const uint8_t reset_jump[] = { 0xEA, 0x00, 0xF0, 0x00, 0xF0 };  /* FFF0 jmp F000:F000 */

struct files {
    char path[8][64];
    int n;
};

/* Writes len bytes to a new temporary file; returns its path. */
static const char *temp_file(struct files *f, const uint8_t *data, size_t len)
{
    char *path = f->path[f->n++];
    snprintf(path, 64, "/tmp/trapeze-test-machine-XXXXXX");
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return path;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    CHECK_EQ(done, len);
    close(fd);
    return path;
}

static void remove_files(struct files *f)
{
    for (int k = 0; k < f->n; k++)
        unlink(f->path[k]);
    f->n = 0;
}

static const char *counter_rom(struct files *f, uint16_t count, char ch, uint8_t code)
{
    uint8_t rom[ROM_SIZE];
    memset(rom, 0xFF, sizeof(rom));
    memcpy(rom, counter, sizeof(counter));
    rom[AT_COUNT] = (uint8_t)count;
    rom[AT_COUNT + 1] = (uint8_t)(count >> 8);
    rom[AT_CHAR] = (uint8_t)ch;
    rom[AT_CODE] = code;
    memcpy(rom + ROM_SIZE - 16, reset_jump, sizeof(reset_jump));
    return temp_file(f, rom, sizeof(rom));
}

static struct machine *create(const char *image, enum x86_model cpu, const char *board)
{
    struct machine_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.board = board;
    cfg.cpu = cpu;
    cfg.ram_mb = 1;
    cfg.image = image;
    char err[256] = "";
    struct machine *m = machine_create(&cfg, err, sizeof(err));
    if (!m)
        fprintf(stderr, "machine_create: %s\n", err);
    return m;
}

static uint32_t ram_word(struct machine *m, uint32_t addr)
{
    return physmem_read(machine_cpu(m)->bus.mem, addr, 2);
}

/* The console tail holds exactly n copies of ch. */
static int console_is(struct machine *m, char ch, size_t n)
{
    const char *t = machine_console_tail(m);
    if (strlen(t) != n)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (t[k] != ch)
            return 0;
    return 1;
}

static void test_runs_to_exit(struct files *f)
{
    const char *img = counter_rom(f, 10, 'x', 7);
    static const enum x86_model models[] = { X86_8086, X86_286, X86_386, X86_486, X86_PENTIUM, X86_P6 };
    for (size_t k = 0; k < sizeof(models) / sizeof(models[0]); k++) {
        struct machine *m = create(img, models[k], "pc-test");
        CHECK(m != NULL);
        if (!m)
            continue;
        CHECK_EQ(machine_run(m, 1000000), MACHINE_EXITED);
        CHECK_EQ(machine_exit_code(m), 7);
        CHECK_EQ(ram_word(m, 0x500), 10);
        CHECK(console_is(m, 'x', 10));
        uint64_t cycles = machine_cycles(m);
        CHECK(cycles > 0);
        /* Once exited, running again changes nothing. */
        CHECK_EQ(machine_run(m, 1000000), MACHINE_EXITED);
        CHECK_EQ(machine_cycles(m), cycles);
        machine_destroy(m);
    }
    remove_files(f);
}

/* Two machines from one image and one from another, run in small
 * interleaved slices: each ends exactly as it would alone. */
static void test_side_by_side(struct files *f)
{
    const char *img_a = counter_rom(f, 300, 'a', 3);
    const char *img_b = counter_rom(f, 200, 'b', 5);
    struct machine *a1 = create(img_a, X86_386, "pc-test");
    struct machine *a2 = create(img_a, X86_8086, "pc-test");
    struct machine *b = create(img_b, X86_386, "pc-test");
    CHECK(a1 && a2 && b);
    if (!a1 || !a2 || !b) {
        machine_destroy(a1);
        machine_destroy(a2);
        machine_destroy(b);
        remove_files(f);
        return;
    }
    /* a2 is not run until a1 and b are half-way: it must still be fresh. */
    for (int k = 0; k < 5; k++) {
        machine_run(a1, 997);
        machine_run(b, 1009);
    }
    CHECK_EQ(ram_word(a2, 0x500), 0);
    CHECK_EQ(machine_cycles(a2), 0);
    CHECK_EQ(machine_console_tail(a2)[0], 0);
    CHECK(ram_word(a1, 0x500) > 0 && ram_word(a1, 0x500) < 300);
    CHECK(ram_word(b, 0x500) > 0 && ram_word(b, 0x500) < 200);

    enum machine_status s1 = MACHINE_RUNNING, s2 = MACHINE_RUNNING, sb = MACHINE_RUNNING;
    for (int k = 0; k < 100000 && (s1 == MACHINE_RUNNING || s2 == MACHINE_RUNNING || sb == MACHINE_RUNNING); k++) {
        s2 = machine_run(a2, 1201);
        s1 = machine_run(a1, 997);
        sb = machine_run(b, 1009);
    }
    CHECK_EQ(s1, MACHINE_EXITED);
    CHECK_EQ(s2, MACHINE_EXITED);
    CHECK_EQ(sb, MACHINE_EXITED);
    CHECK_EQ(machine_exit_code(a1), 3);
    CHECK_EQ(machine_exit_code(a2), 3);
    CHECK_EQ(machine_exit_code(b), 5);
    CHECK_EQ(ram_word(a1, 0x500), 300);
    CHECK_EQ(ram_word(a2, 0x500), 300);
    CHECK_EQ(ram_word(b, 0x500), 200);
    CHECK(console_is(a1, 'a', 255));    /* the tail keeps the last 255 bytes */
    CHECK(console_is(a2, 'a', 255));
    CHECK(console_is(b, 'b', 200));
    CHECK(machine_cpu(a1) != machine_cpu(a2));
    CHECK(machine_cpu(a1)->bus.mem != machine_cpu(b)->bus.mem);
    /* Four instructions per count, whatever the slicing; the 8086 takes
     * more cycles for the same work. */
    CHECK_EQ(machine_cpu(a1)->insns_retired, machine_cpu(b)->insns_retired + 4 * 100);
    CHECK(machine_cycles(a1) != machine_cycles(a2));
    machine_destroy(a1);
    machine_destroy(a2);
    machine_destroy(b);
    remove_files(f);
}

/* NULL and a one-line reason, for every kind of bad input. */
static void expect_failure(const char *what, const char *image, const char *board)
{
    struct machine_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.board = board;
    cfg.cpu = X86_386;
    cfg.ram_mb = 1;
    cfg.image = image;
    char err[256];
    memset(err, 0, sizeof(err));
    struct machine *m = machine_create(&cfg, err, sizeof(err));
    CHECK(m == NULL);
    machine_destroy(m);
    CHECK(strlen(err) > 0);
    CHECK(strchr(err, '\n') == NULL);
    if (m || !err[0])
        fprintf(stderr, "%s: no failure or no reason\n", what);
    /* A tiny buffer gets a truncated reason, never an overflow. */
    char small[8];
    memset(small, 'Z', sizeof(small));
    m = machine_create(&cfg, small, sizeof(small));
    CHECK(m == NULL);
    machine_destroy(m);
    CHECK(memchr(small, 0, sizeof(small)) != NULL);
}

static void test_bad_input(struct files *f)
{
    expect_failure("missing file", "/nonexistent/trapeze/rom.bin", "pc-test");
    expect_failure("empty file", temp_file(f, (const uint8_t *)"", 0), "pc-test");
    uint8_t *big = calloc(1, PCTEST_MAX_ROM + 1);
    CHECK(big != NULL);
    if (big) {
        expect_failure("oversized file", temp_file(f, big, PCTEST_MAX_ROM + 1), "pc-test");
        /* The largest accepted size is accepted. */
        memcpy(big + PCTEST_MAX_ROM - 16, reset_jump, sizeof(reset_jump));
        struct machine *m = create(temp_file(f, big, PCTEST_MAX_ROM), X86_386, "pc-test");
        CHECK(m != NULL);
        machine_destroy(m);
        free(big);
    }
    const char *good = counter_rom(f, 1, '.', 0);
    expect_failure("unknown board", good, "pc-xt");
    expect_failure("no image", NULL, "pc-test");
    expect_failure("a directory", "/tmp", "pc-test");
    machine_destroy(NULL);      /* harmless */
    remove_files(f);
}

/* What the test-exit port, HLT and the budget do to the status. */
static void test_status(struct files *f)
{
    static const uint8_t codes[] = { 0, 1, 42, 255 };
    for (size_t k = 0; k < sizeof(codes); k++) {
        struct machine *m = create(counter_rom(f, 1, '!', codes[k]), X86_386, "pc-test");
        CHECK(m != NULL);
        if (!m)
            continue;
        CHECK_EQ(machine_run(m, 100000), MACHINE_EXITED);
        CHECK_EQ(machine_exit_code(m), codes[k]);
        machine_destroy(m);
    }

    /* A 16-byte ROM is enough: its first byte is the reset vector. */
    uint8_t tiny[16];
    memset(tiny, 0xFF, sizeof(tiny));
    static const uint8_t halt_for_good[] = { 0xFA, 0xF4, 0xEB, 0xFD };     /* cli; hlt; jmp $-1 */
    memcpy(tiny, halt_for_good, sizeof(halt_for_good));
    struct machine *m = create(temp_file(f, tiny, sizeof(tiny)), X86_8086, "pc-test");
    CHECK(m != NULL);
    if (m) {
        CHECK_EQ(machine_run(m, 100000), MACHINE_HALTED);
        machine_destroy(m);
    }

    static const uint8_t spin[] = { 0xEB, 0xFE };                          /* jmp $ */
    memset(tiny, 0xFF, sizeof(tiny));
    memcpy(tiny, spin, sizeof(spin));
    m = create(temp_file(f, tiny, sizeof(tiny)), X86_286, "pc-test");
    CHECK(m != NULL);
    if (m) {
        CHECK_EQ(machine_run(m, 50000), MACHINE_RUNNING);
        uint64_t c = machine_cycles(m);
        CHECK(c >= 50000 && c < 50100);
        CHECK_EQ(machine_run(m, 50000), MACHINE_RUNNING);
        CHECK(machine_cycles(m) >= 100000);
        machine_destroy(m);
    }
    remove_files(f);
}

int main(void)
{
    struct files f;
    memset(&f, 0, sizeof(f));
    test_runs_to_exit(&f);
    test_side_by_side(&f);
    test_bad_input(&f);
    test_status(&f);
    return test_report();
}
