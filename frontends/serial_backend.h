/*
 * A serial line for a 16550 UART, on the host's stdio or on files.
 *
 * Output: each character the guest sends is written to `out` (flushed at
 * every newline and every poll).  Input: serial_backend_poll(), called by
 * the frontend between run slices, reads what the host has ready without
 * blocking and offers it to the UART; what the UART cannot take yet stays
 * here for the next poll, so no keystroke or file byte is dropped.
 *
 * Raw terminal mode (stdio on a terminal): no line editing, no echo, CR and
 * Ctrl-S/Ctrl-Q go to the guest as typed; Ctrl-C still interrupts the
 * emulator.  The terminal's settings are restored by serial_backend_close(),
 * at exit, and on SIGINT/SIGTERM/SIGHUP when nobody else handles those.
 */
#ifndef TRAPEZE_FRONTENDS_SERIAL_BACKEND_H
#define TRAPEZE_FRONTENDS_SERIAL_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "peripherals/uart16550.h"

struct serial_backend {
    int in_fd;                  /* -1: no input */
    int close_in;               /* in_fd was opened here */
    FILE *out;                  /* NULL: output discarded */
    int close_out;
    int raw;                    /* the terminal on in_fd is in raw mode */
    int eof;                    /* input has ended */
    uint8_t pending[256];       /* read from the host, not yet taken by the UART */
    size_t pending_pos, pending_len;
    struct uart_backend uart;   /* hand &b->uart to uart16550_set_backend() */
};

/* Input from stdin, output to stdout; raw_terminal asks for raw mode when
 * stdin is a terminal.  Returns 0, or -1 with a reason in err. */
int serial_backend_open_stdio(struct serial_backend *b, int raw_terminal, char *err, size_t errlen);
/* Input from a file (scripted input; NULL for none), output to a file
 * (NULL: discarded; "-": stdout). */
int serial_backend_open_files(struct serial_backend *b, const char *in_path, const char *out_path, char *err,
                              size_t errlen);
/* Move ready host input into the UART; flush output. */
void serial_backend_poll(struct serial_backend *b, struct uart16550 *u);
void serial_backend_close(struct serial_backend *b);

#endif
