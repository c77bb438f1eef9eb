/*
 * The mini6502's paravirtual interface, compatible with cc65's sim65
 * (cc65 2.19): a program built with `cl65 -t sim6502` calls open, close,
 * read, write, the argument setup and exit with JSR (or JMP) to
 * $FFF4-$FFF9.  The machine notices the opcode fetch from that address,
 * does the work on the program's behalf, and lets the RTS that is stored
 * there return to the caller.  This is paravirtualization: the guest knows
 * it runs on a machine that offers these calls, and calls them instead of
 * driving hardware.
 *
 * Calling convention (cc65's fastcall): the last argument in A (low) and
 * X (high); the others on cc65's C stack, whose pointer is the zero-page
 * word named in the program header, first argument deepest.  The result
 * goes back in A/X.
 *
 *   $FFF4 open(name, flags, ...)  Y = bytes of arguments pushed (4 or 6)
 *   $FFF5 close(fd)
 *   $FFF6 read(fd, buf, count)
 *   $FFF7 write(fd, buf, count)
 *   $FFF8 args(&argv)             returns argc; copies argv onto the C stack
 *   $FFF9 exit(status)            status in A
 *
 * File descriptors 0-2 are the machine's console streams; open() hands out
 * 3 and up, each mapped to a host file this machine opened (and closes on
 * destroy), so a guest can never reach a host descriptor it did not open.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "bus/mini6502_internal.h"

#define PATH_MAX_GUEST 1024
#define CHUNK 4096

/* cc65 open() flags, from its fcntl.h. */
#define CC65_O_RDONLY 0x01
#define CC65_O_WRONLY 0x02
#define CC65_O_ACCMODE 0x03
#define CC65_O_CREAT 0x10
#define CC65_O_TRUNC 0x20
#define CC65_O_APPEND 0x40
#define CC65_O_EXCL 0x80

static uint16_t get_ax(const struct mini6502 *m)
{
    return (uint16_t)(m->cpu.a | m->cpu.x << 8);
}

static void set_ax(struct mini6502 *m, unsigned v)
{
    m->cpu.a = (uint8_t)v;
    m->cpu.x = (uint8_t)(v >> 8);
}

/* Takes one 16-bit argument off cc65's C stack and moves the stack
 * pointer up by `size` bytes. */
static uint16_t pop_arg(struct mini6502 *m, uint8_t size)
{
    uint16_t sp = (uint16_t)(m->mem[m->sp_zp] | m->mem[(uint8_t)(m->sp_zp + 1)] << 8);
    uint16_t v = mini6502_guest_word(m, sp);
    sp = (uint16_t)(sp + size);
    mini6502_guest_store(m, m->sp_zp, (uint8_t)sp);
    mini6502_guest_store(m, (uint8_t)(m->sp_zp + 1), (uint8_t)(sp >> 8));
    return v;
}

static int host_fd_of(const struct mini6502 *m, unsigned fd)
{
    return fd >= 3 && fd < MINI6502_MAX_FILES ? m->host_fd[fd] : -1;
}

static int host_open_flags(unsigned flags)
{
    int f;
    switch (flags & CC65_O_ACCMODE) {
    case CC65_O_RDONLY: f = O_RDONLY; break;
    case CC65_O_WRONLY: f = O_WRONLY; break;
    default: f = O_RDWR; break;
    }
    if (flags & CC65_O_CREAT)
        f |= O_CREAT;
    if (flags & CC65_O_TRUNC)
        f |= O_TRUNC;
    if (flags & CC65_O_APPEND)
        f |= O_APPEND;
    if (flags & CC65_O_EXCL)
        f |= O_EXCL;
    return f;
}

static int hc_open(struct mini6502 *m)
{
    uint8_t arg_bytes = m->cpu.y;
    /* open() is variadic: Y tells whether the mode argument was pushed. */
    uint16_t mode = pop_arg(m, (uint8_t)(arg_bytes - 4));
    uint16_t flags = pop_arg(m, 2);
    uint16_t name = pop_arg(m, 2);
    if (arg_bytes < 6)
        mode = 0x03;                            /* read and write permission */
    char path[PATH_MAX_GUEST];
    size_t i = 0;
    for (; i < sizeof(path); i++) {
        path[i] = (char)mini6502_peek(m, (uint16_t)(name + i));
        if (!path[i])
            break;
    }
    int slot = 3;
    while (slot < MINI6502_MAX_FILES && m->host_fd[slot] >= 0)
        slot++;
    if (i == sizeof(path) || !m->cfg.allow_host_files || slot == MINI6502_MAX_FILES)
        return -1;
    int perm = ((mode & 0x01) ? 0444 : 0) | ((mode & 0x02) ? 0222 : 0);
    int fd = open(path, host_open_flags(flags), perm & 0666);
    if (fd < 0)
        return -1;
    m->host_fd[slot] = fd;
    return slot;
}

static int hc_close(struct mini6502 *m)
{
    unsigned fd = get_ax(m);
    if (fd <= 2)
        return 0;
    int host = host_fd_of(m, fd);
    if (host < 0)
        return -1;
    m->host_fd[fd] = -1;
    return close(host) == 0 ? 0 : -1;
}

static long hc_read(struct mini6502 *m)
{
    unsigned count = get_ax(m);
    uint16_t buf = pop_arg(m, 2);
    unsigned fd = pop_arg(m, 2);
    uint8_t data[CHUNK];
    size_t want = count < sizeof(data) ? count : sizeof(data);
    long got;
    if (fd == 0) {
        got = mini6502_input(m, data, want);
    } else {
        int host = host_fd_of(m, fd);
        got = host < 0 ? -1 : (long)read(host, data, want);
    }
    for (long i = 0; i < got; i++)
        mini6502_guest_store(m, (uint16_t)(buf + i), data[i]);
    return got;
}

static long hc_write(struct mini6502 *m)
{
    unsigned count = get_ax(m);
    uint16_t buf = pop_arg(m, 2);
    unsigned fd = pop_arg(m, 2);
    int host = (fd == 1 || fd == 2) ? 0 : host_fd_of(m, fd);
    if (host < 0)
        return -1;
    uint8_t data[CHUNK];
    for (unsigned done = 0; done < count;) {
        unsigned n = count - done < sizeof(data) ? count - done : (unsigned)sizeof(data);
        for (unsigned i = 0; i < n; i++)
            data[i] = mini6502_peek(m, (uint16_t)(buf + done + i));
        if (fd == 1 || fd == 2) {
            mini6502_output(m, (int)fd, data, n);
        } else {
            ssize_t w = write(host, data, n);
            if (w < 0)
                return done ? (long)done : -1;
            n = (unsigned)w;
            if (n == 0)
                break;
        }
        done += n;
    }
    return (long)count;
}

/* Builds argv on the C stack, below the current stack pointer: first the
 * pointer array (argc + 1 entries, the last NULL), then the strings below
 * it.  Stores the array's address at the word A/X points to, moves the C
 * stack pointer below the strings and returns argc. */
static int hc_args(struct mini6502 *m)
{
    uint16_t argv_out = get_ax(m);
    uint16_t sp = (uint16_t)(m->mem[m->sp_zp] | m->mem[(uint8_t)(m->sp_zp + 1)] << 8);
    int argc = m->argc > 0 ? m->argc : 0;
    uint16_t table = (uint16_t)(sp - (argc + 1) * 2);
    mini6502_guest_store_word(m, argv_out, table);
    sp = table;
    for (int i = 0; i < argc; i++) {
        const char *arg = m->argv[i] ? m->argv[i] : "";
        size_t len = strlen(arg) + 1;
        sp = (uint16_t)(sp - len);
        for (size_t k = 0; k < len; k++)
            mini6502_guest_store(m, (uint16_t)(sp + k), (uint8_t)arg[k]);
        mini6502_guest_store_word(m, (uint16_t)(table + 2 * i), sp);
    }
    mini6502_guest_store_word(m, (uint16_t)(table + 2 * argc), 0);
    mini6502_guest_store(m, m->sp_zp, (uint8_t)sp);
    mini6502_guest_store(m, (uint8_t)(m->sp_zp + 1), (uint8_t)(sp >> 8));
    return argc;
}

static void trace_call(struct mini6502 *m, const char *what, long result)
{
    if (m->cfg.trace && m->cfg.trace_out)
        fprintf(m->cfg.trace_out, "           hypercall %s = %ld\n", what, result);
}

static void bad_hypercall(struct mini6502 *m, uint16_t addr)
{
    if (m->prev_was_interrupt)
        mini6502_stop_with(m, MINI6502_BAD_HYPERCALL,
                           "interrupt with no handler: its vector points at $%04X "
                           "(an I/O register, not code)", addr);
    else
        mini6502_stop_with(m, MINI6502_BAD_HYPERCALL,
                           "unknown hypercall $%04X (jumped to from $%04X); the "
                           "hypercalls are $FFF4-$FFF9", addr, m->prev_insn_pc);
}

void mini6502_hypercall(struct mini6502 *m, uint16_t addr)
{
    long r;
    switch (addr) {
    case MINI6502_HC_OPEN:
        r = hc_open(m);
        set_ax(m, (unsigned)r);
        trace_call(m, "open", r);
        break;
    case MINI6502_HC_CLOSE:
        r = hc_close(m);
        set_ax(m, (unsigned)r);
        trace_call(m, "close", r);
        break;
    case MINI6502_HC_READ:
        r = hc_read(m);
        set_ax(m, (unsigned)r);
        trace_call(m, "read", r);
        break;
    case MINI6502_HC_WRITE:
        r = hc_write(m);
        set_ax(m, (unsigned)r);
        trace_call(m, "write", r);
        break;
    case MINI6502_HC_ARGS:
        r = hc_args(m);
        set_ax(m, (unsigned)r);
        trace_call(m, "args", r);
        break;
    case MINI6502_HC_EXIT:
        trace_call(m, "exit", m->cpu.a);
        m->exit_code = m->cpu.a;
        mini6502_stop_with(m, MINI6502_EXITED, "program exited with status %d", m->cpu.a);
        break;
    default:
        bad_hypercall(m, addr);
        break;
    }
}

void mini6502_close_files(struct mini6502 *m)
{
    for (int i = 0; i < MINI6502_MAX_FILES; i++) {
        if (i >= 3 && m->host_fd[i] >= 0)
            close(m->host_fd[i]);
        m->host_fd[i] = -1;
    }
}
