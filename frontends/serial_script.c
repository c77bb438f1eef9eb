#include "frontends/serial_script.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void step_done(struct serial_script *s)
{
    s->pos++;
    s->sent = 0;
}

/* An `expect` is satisfied once its text appears in output printed since
 * the previous step completed. */
static void match(struct serial_script *s)
{
    while (s->pos < s->n && s->steps[s->pos].is_send != STEP_SEND) {
        if (s->steps[s->pos].is_send == STEP_STOP) {
            s->stopped = 1;
            step_done(s);
            continue;
        }
        if (s->steps[s->pos].is_send == STEP_MARK) {
            if (s->on_mark)
                s->on_mark(s->mark_opaque, s->steps[s->pos].text);
            step_done(s);
            continue;
        }
        if (!strstr(s->seen, s->steps[s->pos].text))
            return;
        s->seen_len = 0;
        s->seen[0] = 0;
        step_done(s);
    }
}

static void script_tx(void *opaque, uint8_t ch)
{
    struct serial_script *s = opaque;
    if (s->inner->uart.tx)
        s->inner->uart.tx(s->inner->uart.opaque, ch);
    if (ch == 0)
        return;
    if (s->seen_len == sizeof(s->seen) - 1) {
        memmove(s->seen, s->seen + sizeof(s->seen) / 2, sizeof(s->seen) / 2);
        s->seen_len -= sizeof(s->seen) / 2;
    }
    s->seen[s->seen_len++] = (char)ch;
    s->seen[s->seen_len] = 0;
    match(s);
}

void serial_script_poll(struct serial_script *s, struct uart16550 *u)
{
    match(s);
    while (s->pos < s->n && s->steps[s->pos].is_send == STEP_SEND) {
        const char *t = s->steps[s->pos].text;
        size_t len = strlen(t) + 1;     /* the line and its Enter */
        while (s->sent < len) {
            uint8_t ch = s->sent < len - 1 ? (uint8_t)t[s->sent] : (uint8_t)'\n';
            if (uart_receive(u, &ch, 1) != 1)
                return;                 /* the FIFO is full: go on later */
            s->sent++;
        }
        step_done(s);
    }
}

static int add_step(struct serial_script *s, int is_send, const char *text)
{
    struct serial_step *n = realloc(s->steps, (size_t)(s->n + 1) * sizeof(*n));
    if (!n)
        return -1;
    s->steps = n;
    s->steps[s->n].is_send = is_send;
    s->steps[s->n].text = strdup(text);
    if (!s->steps[s->n].text)
        return -1;
    s->n++;
    return 0;
}

int serial_script_load(struct serial_script *s, const char *path, struct serial_backend *inner, char *err,
                       size_t errlen)
{
    memset(s, 0, sizeof(*s));
    s->inner = inner;
    s->uart = inner->uart;
    s->uart.tx = script_tx;
    s->uart.modem_control = NULL;
    s->uart.opaque = s;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot read serial script '%s': %s", path, strerror(errno));
        return -1;
    }
    char line[1024];
    int lineno = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = 0;
        if (line[0] == 0 || line[0] == '#')
            continue;
        int r;
        if (strncmp(line, "expect ", 7) == 0)
            r = add_step(s, STEP_EXPECT, line + 7);
        else if (strncmp(line, "send ", 5) == 0 || strcmp(line, "send") == 0)
            r = add_step(s, STEP_SEND, line[4] ? line + 5 : "");
        else if (strncmp(line, "mark ", 5) == 0)
            r = add_step(s, STEP_MARK, line + 5);
        else if (strcmp(line, "stop") == 0)
            r = add_step(s, STEP_STOP, "stop");
        else {
            snprintf(err, errlen, "%s:%d: expected 'expect TEXT', 'send TEXT', 'mark NAME' or 'stop'", path, lineno);
            fclose(f);
            serial_script_free(s);
            return -1;
        }
        if (r != 0) {
            snprintf(err, errlen, "out of memory");
            fclose(f);
            serial_script_free(s);
            return -1;
        }
    }
    fclose(f);
    return 0;
}

int serial_script_done(const struct serial_script *s) { return s->pos >= s->n; }

const char *serial_script_waiting_for(const struct serial_script *s)
{
    return s->pos < s->n ? s->steps[s->pos].text : "";
}

void serial_script_free(struct serial_script *s)
{
    for (int k = 0; k < s->n; k++)
        free(s->steps[k].text);
    free(s->steps);
    s->steps = NULL;
    s->n = 0;
}
