/*
 * Port I/O dispatch: whole accesses of the sizes a device implements,
 * byte splitting (lowest port first, little-endian) for the others, open
 * bus for unclaimed ports with one log line per port, registration rules
 * and the observer hook.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bus/portio.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

#define LOG_MAX 32

struct access {
    uint16_t port;
    uint32_t value;
    int size;
    int is_write;
};

/* A device that records every access it sees; reads return a value made
 * from the port and size so splitting is visible. */
struct fake_dev {
    const char *tag;
    struct access log[LOG_MAX];
    int n;
};

static void note(struct fake_dev *d, uint16_t port, uint32_t value, int size, int is_write)
{
    if (d->n < LOG_MAX)
        d->log[d->n++] = (struct access){ port, value, size, is_write };
}

static uint32_t dev_read(void *opaque, uint16_t port, int size)
{
    uint32_t v = size == 1 ? (uint32_t)(port & 0xFF) : size == 2 ? 0xA000u | port : 0xD0000000u | port;
    note(opaque, port, v, size, 0);
    return v;
}

static void dev_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    note(opaque, port, value, size, 1);
}

static int access_is(const struct fake_dev *d, int k, uint16_t port, uint32_t value, int size, int is_write)
{
    if (k >= d->n)
        return 0;
    const struct access *a = &d->log[k];
    return a->port == port && a->value == value && a->size == size && a->is_write == is_write;
}

/* The whole-access path: a device that implements 8, 16 and 32 bits. */
static void test_whole_accesses(void)
{
    struct portio io;
    struct fake_dev d = { "wide", { { 0 } }, 0 };
    portio_init(&io);
    CHECK_EQ(portio_register(&io, 0x100, 8, PORTIO_SIZE_8 | PORTIO_SIZE_16 | PORTIO_SIZE_32, dev_read,
                             dev_write, &d, "wide"), 0);
    CHECK_EQ(portio_read(&io, 0x101, 1), 0x01);
    CHECK_EQ(portio_read(&io, 0x102, 2), 0xA102);
    CHECK_EQ(portio_read(&io, 0x104, 4), 0xD0000104);
    portio_write(&io, 0x100, 0x11, 1);
    portio_write(&io, 0x102, 0x2233, 2);
    portio_write(&io, 0x104, 0x44556677, 4);
    CHECK_EQ(d.n, 6);
    CHECK(access_is(&d, 0, 0x101, 0x01, 1, 0));
    CHECK(access_is(&d, 1, 0x102, 0xA102, 2, 0));
    CHECK(access_is(&d, 2, 0x104, 0xD0000104, 4, 0));
    CHECK(access_is(&d, 3, 0x100, 0x11, 1, 1));
    CHECK(access_is(&d, 4, 0x102, 0x2233, 2, 1));
    CHECK(access_is(&d, 5, 0x104, 0x44556677, 4, 1));

    /* A byte write carries only the byte. */
    d.n = 0;
    portio_write(&io, 0x103, 0xABCD, 1);
    CHECK(access_is(&d, 0, 0x103, 0xCD, 1, 1));

    /* A dword that runs past the device's last port is split: the bytes
     * inside go to the device, the one outside floats. */
    d.n = 0;
    CHECK_EQ(portio_read(&io, 0x105, 4), 0xFF070605);
    CHECK_EQ(d.n, 3);
    CHECK(access_is(&d, 0, 0x105, 0x05, 1, 0));
    CHECK(access_is(&d, 2, 0x107, 0x07, 1, 0));
}

/* An 8-bit device sees a word or dword as bytes, lowest port first,
 * little-endian (the ISA bus's way). */
static void test_byte_splitting(void)
{
    struct portio io;
    struct fake_dev d = { "narrow", { { 0 } }, 0 };
    portio_init(&io);
    CHECK_EQ(portio_register(&io, 0x200, 4, PORTIO_SIZE_8, dev_read, dev_write, &d, "narrow"), 0);
    portio_write(&io, 0x200, 0xBEEF, 2);
    CHECK_EQ(d.n, 2);
    CHECK(access_is(&d, 0, 0x200, 0xEF, 1, 1));
    CHECK(access_is(&d, 1, 0x201, 0xBE, 1, 1));
    d.n = 0;
    portio_write(&io, 0x200, 0x12345678, 4);
    CHECK_EQ(d.n, 4);
    CHECK(access_is(&d, 0, 0x200, 0x78, 1, 1));
    CHECK(access_is(&d, 1, 0x201, 0x56, 1, 1));
    CHECK(access_is(&d, 2, 0x202, 0x34, 1, 1));
    CHECK(access_is(&d, 3, 0x203, 0x12, 1, 1));
    d.n = 0;
    CHECK_EQ(portio_read(&io, 0x201, 2), 0x0201);
    CHECK_EQ(portio_read(&io, 0x200, 4), 0x03020100);
    CHECK_EQ(d.n, 6);
    CHECK(access_is(&d, 0, 0x201, 0x01, 1, 0));
    CHECK(access_is(&d, 1, 0x202, 0x02, 1, 0));

    /* A 16-bit-only device: a dword becomes... bytes (16 is not 32). */
    struct fake_dev w = { "word", { { 0 } }, 0 };
    CHECK_EQ(portio_register(&io, 0x300, 4, PORTIO_SIZE_16, dev_read, dev_write, &w, "word"), 0);
    CHECK_EQ(portio_read(&io, 0x300, 2), 0xA300);
    CHECK_EQ(portio_read(&io, 0x300, 4), 0x03020100);
    CHECK_EQ(w.n, 5);
    CHECK(access_is(&w, 1, 0x300, 0x00, 1, 0));

    /* Handlers that are NULL: reads float, writes vanish. */
    CHECK_EQ(portio_register(&io, 0x310, 2, PORTIO_SIZE_8, NULL, NULL, NULL, "mute"), 0);
    CHECK_EQ(portio_read(&io, 0x310, 2), 0xFFFF);
    portio_write(&io, 0x310, 0x1234, 2);
}

/* Runs f with stderr going to a temporary file; returns how many lines
 * were written there. */
static int stderr_lines_of(void (*f)(struct portio *), struct portio *io)
{
    fflush(stderr);
    FILE *tmp = tmpfile();
    CHECK(tmp != NULL);
    if (!tmp)
        return -1;
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    f(io);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    int lines = 0, ch;
    while ((ch = fgetc(tmp)) != EOF)
        lines += ch == '\n';
    fclose(tmp);
    return lines;
}

static void touch_unclaimed(struct portio *io)
{
    /* Three distinct unclaimed ports, each touched several times and in
     * several sizes: 0x400 (read and write), 0x401 (by the word read at
     * 0x400), 0x402 (write). */
    for (int k = 0; k < 3; k++) {
        CHECK_EQ(portio_read(io, 0x400, 1), 0xFF);
        CHECK_EQ(portio_read(io, 0x400, 2), 0xFFFF);
        portio_write(io, 0x402, 0x55, 1);
        portio_write(io, 0x400, 0x55, 1);
    }
}

static void test_unclaimed(void)
{
    struct portio io;
    portio_init(&io);
    CHECK_EQ(portio_read(&io, 0x3F8, 4), 0xFFFFFFFF);
    CHECK_EQ(portio_read(&io, 0xFFFF, 1), 0xFF);
    CHECK_EQ(portio_read(&io, 0xFFFF, 2), 0xFFFF);      /* wraps to port 0, also unclaimed */
    io.log_unclaimed = 1;
    CHECK_EQ(stderr_lines_of(touch_unclaimed, &io), 3);
    CHECK_EQ(stderr_lines_of(touch_unclaimed, &io), 0);  /* each port logs once */
    struct portio quiet;
    portio_init(&quiet);
    quiet.log_unclaimed = 0;
    CHECK_EQ(stderr_lines_of(touch_unclaimed, &quiet), 0);
}

static void test_registration(void)
{
    struct portio io;
    struct fake_dev d = { "d", { { 0 } }, 0 };
    portio_init(&io);
    CHECK_EQ(portio_register(&io, 0x60, 1, PORTIO_SIZE_8, dev_read, dev_write, &d, "a"), 0);
    CHECK_EQ(portio_register(&io, 0x64, 1, PORTIO_SIZE_8, dev_read, dev_write, &d, "b"), 0);
    CHECK_EQ(portio_register(&io, 0x60, 1, PORTIO_SIZE_8, dev_read, dev_write, &d, "same"), -1);
    CHECK_EQ(portio_register(&io, 0x5E, 4, PORTIO_SIZE_8, dev_read, dev_write, &d, "over the start"), -1);
    CHECK_EQ(portio_register(&io, 0x61, 4, PORTIO_SIZE_8, dev_read, dev_write, &d, "over the end"), -1);
    CHECK_EQ(portio_register(&io, 0x61, 3, PORTIO_SIZE_8, dev_read, dev_write, &d, "between"), 0);
    CHECK_EQ(portio_register(&io, 0x70, 0, PORTIO_SIZE_8, dev_read, dev_write, &d, "empty"), -1);
    CHECK_EQ(portio_register(&io, 0xFFFE, 3, PORTIO_SIZE_8, dev_read, dev_write, &d, "past 64K"), -1);
    CHECK_EQ(portio_register(&io, 0xFFFE, 2, PORTIO_SIZE_8, dev_read, dev_write, &d, "last two"), 0);
    /* A rejected registration leaves no trace: its ports still float. */
    CHECK_EQ(portio_read(&io, 0x70, 1), 0xFF);
    CHECK_EQ(portio_read(&io, 0x5E, 1), 0xFF);
    CHECK_EQ(portio_read(&io, 0x62, 1), 0x62);

    /* The table has room for PORTIO_MAX_HANDLERS and not one more. */
    struct portio full;
    portio_init(&full);
    int ok = 1;
    for (int k = 0; k < PORTIO_MAX_HANDLERS; k++)
        ok &= portio_register(&full, (uint16_t)(0x1000 + 2 * k), 2, PORTIO_SIZE_8, dev_read, dev_write, &d,
                              "many") == 0;
    CHECK(ok);
    CHECK_EQ(portio_register(&full, 0x2000, 1, PORTIO_SIZE_8, dev_read, dev_write, &d, "one more"), -1);
    CHECK_EQ(portio_read(&full, 0x2000, 1), 0xFF);
    CHECK_EQ(portio_read(&full, 0x1000 + 2 * (PORTIO_MAX_HANDLERS - 1), 1),
             (0x1000 + 2 * (PORTIO_MAX_HANDLERS - 1)) & 0xFF);
}

/* The observer sees each access once, whole, with the value read. */
static void observe(void *opaque, uint16_t port, uint32_t value, int size, int is_write)
{
    note(opaque, port, value, size, is_write);
}

static void test_observer(void)
{
    struct portio io;
    struct fake_dev d = { "d", { { 0 } }, 0 };
    struct fake_dev seen = { "observer", { { 0 } }, 0 };
    portio_init(&io);
    CHECK_EQ(portio_register(&io, 0x200, 4, PORTIO_SIZE_8, dev_read, dev_write, &d, "narrow"), 0);
    io.observe = observe;
    io.observe_opaque = &seen;
    CHECK_EQ(portio_read(&io, 0x200, 2), 0x0100);
    portio_write(&io, 0x202, 0xCAFE, 2);
    CHECK_EQ(portio_read(&io, 0x900, 1), 0xFF);
    portio_write(&io, 0x900, 7, 1);
    CHECK_EQ(seen.n, 4);
    CHECK(access_is(&seen, 0, 0x200, 0x0100, 2, 0));
    CHECK(access_is(&seen, 1, 0x202, 0xCAFE, 2, 1));
    CHECK(access_is(&seen, 2, 0x900, 0xFF, 1, 0));
    CHECK(access_is(&seen, 3, 0x900, 7, 1, 1));
    CHECK_EQ(d.n, 4);       /* the device itself saw the split bytes */
    io.observe = NULL;
    portio_read(&io, 0x200, 1);
    CHECK_EQ(seen.n, 4);
}

int main(void)
{
    test_whole_accesses();
    test_byte_splitting();
    test_unclaimed();
    test_registration();
    test_observer();
    return test_report();
}
