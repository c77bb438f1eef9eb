/*
 * Scripted serial console: waits for text on COM1 and types lines into
 * it, like a person at a terminal (or `expect`).  A script is a text file:
 *
 *   expect guest:/#        wait until the guest has printed this text
 *   send uname -a          type the line and Enter
 *   mark ready             report progress (instructions, cycles, wall time)
 *   stop                   end the run here (exit status 0)
 *
 * Everything the guest prints still goes to the serial backend's output.
 */
#ifndef TRAPEZE_FRONTENDS_SERIAL_SCRIPT_H
#define TRAPEZE_FRONTENDS_SERIAL_SCRIPT_H

#include <stddef.h>

#include "frontends/serial_backend.h"

enum serial_step_kind { STEP_EXPECT, STEP_SEND, STEP_MARK, STEP_STOP };

struct serial_step {
    int is_send;                    /* kind: enum serial_step_kind */
    char *text;
};

struct serial_script {
    struct serial_backend *inner;
    struct uart_backend uart;       /* hand &s->uart to uart16550_set_backend() */
    struct serial_step *steps;
    int n, pos;
    size_t sent;                    /* bytes of the current send already typed */
    char seen[1024];                /* recent output, for matching */
    size_t seen_len;
    int stopped;                    /* a `stop` step was reached */
    void (*on_mark)(void *opaque, const char *name);
    void *mark_opaque;
};

/* Returns 0, or -1 with a reason (unreadable file, bad line). */
int serial_script_load(struct serial_script *s, const char *path, struct serial_backend *inner, char *err,
                       size_t errlen);
/* Type what is due into the UART (call between CPU slices). */
void serial_script_poll(struct serial_script *s, struct uart16550 *u);
int serial_script_done(const struct serial_script *s);
/* The step the script is waiting at, for the failure message. */
const char *serial_script_waiting_for(const struct serial_script *s);
void serial_script_free(struct serial_script *s);

#endif
