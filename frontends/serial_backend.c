/*
 * The stdio/file serial backend (POSIX: poll, termios, sigaction).
 */
#include "frontends/serial_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* The terminal is one per process, and its settings must be restorable
 * from atexit() and from a signal handler, which get no context pointer:
 * this is the one piece of process-wide state, and it belongs to the
 * terminal, not to any machine. */
static struct {
    volatile sig_atomic_t active;
    int fd;
    struct termios saved;
    int atexit_registered;
} term;

static void restore_terminal(void)
{
    if (term.active) {
        tcsetattr(term.fd, TCSANOW, &term.saved);
        term.active = 0;
    }
}

static void restore_and_reraise(int sig)
{
    restore_terminal();                     /* tcsetattr is async-signal-safe */
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Only where the program has no handler of its own. */
static void restore_on_signal(int sig)
{
    struct sigaction old;
    if (sigaction(sig, NULL, &old) != 0 || old.sa_handler != SIG_DFL)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = restore_and_reraise;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static int enter_raw_mode(int fd)
{
    struct termios t;
    if (term.active || tcgetattr(fd, &t) != 0)
        return -1;
    term.saved = t;
    term.fd = fd;
    t.c_lflag &= (tcflag_t)~(ICANON | ECHO | IEXTEN);
    t.c_iflag &= (tcflag_t)~(IXON | ICRNL | INLCR | IGNCR);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(fd, TCSANOW, &t) != 0)
        return -1;
    term.active = 1;
    if (!term.atexit_registered && atexit(restore_terminal) == 0)
        term.atexit_registered = 1;
    restore_on_signal(SIGINT);
    restore_on_signal(SIGTERM);
    restore_on_signal(SIGHUP);
    return 0;
}

static void backend_tx(void *opaque, uint8_t ch)
{
    struct serial_backend *b = opaque;
    if (!b->out)
        return;
    fputc(ch, b->out);
    if (ch == '\n')
        fflush(b->out);
}

static void backend_init(struct serial_backend *b)
{
    memset(b, 0, sizeof(*b));
    b->in_fd = -1;
    b->uart.tx = backend_tx;
    b->uart.opaque = b;
}

int serial_backend_open_stdio(struct serial_backend *b, int raw_terminal, char *err, size_t errlen)
{
    backend_init(b);
    b->in_fd = STDIN_FILENO;
    b->out = stdout;
    if (raw_terminal && isatty(STDIN_FILENO)) {
        if (enter_raw_mode(STDIN_FILENO) != 0) {
            snprintf(err, errlen, "cannot put the terminal in raw mode: %s", strerror(errno));
            return -1;
        }
        b->raw = 1;
    }
    return 0;
}

int serial_backend_open_files(struct serial_backend *b, const char *in_path, const char *out_path, char *err,
                              size_t errlen)
{
    backend_init(b);
    if (in_path) {
        b->in_fd = open(in_path, O_RDONLY);
        if (b->in_fd < 0) {
            snprintf(err, errlen, "cannot open serial input %s: %s", in_path, strerror(errno));
            return -1;
        }
        b->close_in = 1;
    }
    if (out_path && strcmp(out_path, "-") == 0) {
        b->out = stdout;
    } else if (out_path) {
        b->out = fopen(out_path, "wb");
        if (!b->out) {
            snprintf(err, errlen, "cannot create serial output %s: %s", out_path, strerror(errno));
            serial_backend_close(b);
            return -1;
        }
        b->close_out = 1;
    }
    return 0;
}

/* Read what the host has ready, never blocking. */
static void fill_pending(struct serial_backend *b)
{
    if (b->pending_pos < b->pending_len || b->eof || b->in_fd < 0)
        return;
    struct pollfd p = { b->in_fd, POLLIN, 0 };
    if (poll(&p, 1, 0) <= 0 || !(p.revents & (POLLIN | POLLHUP)))
        return;
    ssize_t n = read(b->in_fd, b->pending, sizeof(b->pending));
    if (n > 0) {
        b->pending_pos = 0;
        b->pending_len = (size_t)n;
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        b->eof = 1;
    }
}

void serial_backend_poll(struct serial_backend *b, struct uart16550 *u)
{
    fill_pending(b);
    if (b->pending_pos < b->pending_len)
        b->pending_pos += uart_receive(u, b->pending + b->pending_pos, b->pending_len - b->pending_pos);
    if (b->out)
        fflush(b->out);
}

void serial_backend_close(struct serial_backend *b)
{
    if (b->raw) {
        restore_terminal();
        b->raw = 0;
    }
    if (b->close_in && b->in_fd >= 0)
        close(b->in_fd);
    if (b->close_out && b->out)
        fclose(b->out);
    else if (b->out)
        fflush(b->out);
    b->in_fd = -1;
    b->out = NULL;
    b->close_in = b->close_out = 0;
}
