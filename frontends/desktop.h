/*
 * The desktop side of the command line: the window (-display sdl), sound
 * (the PC speaker played and/or recorded with --audio-file), pacing and
 * timestamped screenshots.  frontends/main.c hands options it does not know
 * to desktop_parse_option() and, when desktop_active(), lets desktop_run()
 * drive the PC instead of its own loop.
 *
 * Without -display the window opens when this build has SDL2 and a display
 * is there (DISPLAY or WAYLAND_DISPLAY); otherwise the run is headless.
 * Asking for the window where none can be opened prints one line and runs
 * headless.  The window itself is frontends/sdl.c; everything here builds
 * without SDL.
 */
#ifndef TRAPEZE_FRONTENDS_DESKTOP_H
#define TRAPEZE_FRONTENDS_DESKTOP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bus/machine.h"
#include "frontends/pacing.h"
#include "frontends/wav.h"

enum desktop_display {
    DESKTOP_DISPLAY_AUTO,       /* the window if a display is there */
    DESKTOP_DISPLAY_NONE,
    DESKTOP_DISPLAY_SDL,
};

struct desktop_options {
    enum desktop_display display;
    const char *audio_file;     /* --audio-file: the speaker as a WAV file */
    int no_sound;               /* --no-sound: do not play it */
    int integer_scale;          /* --integer-scale */
    int fullscreen;             /* --fullscreen, -full-screen */
    const char *screenshot_dir; /* --screenshot-dir (default: the current one) */
    double screenshot_after;    /* --screenshot-after SECONDS of emulated time */
    int screenshot_after_set;
};

struct serial_backend;
struct serial_script;
struct speaker;

/* What one run of the PC shares between the headless loop and the window. */
struct desktop_session {
    const struct desktop_options *opt;
    struct machine *m;
    struct pc_board *pc;
    struct serial_backend *sb;
    struct serial_script *script;   /* typed into COM1, NULL: none */
    uint64_t hz;
    uint64_t slice;             /* cycles per step (2 ms of emulated time) */
    uint64_t left;              /* cycles left of --max-cycles, UINT64_MAX: no limit */
    int turbo;
    struct pacer pacer;
    struct speaker *speaker;    /* NULL while nobody listens */
    struct wav_writer wav;
    cycles_t screenshot_at;
    int screenshot_pending;
};

void desktop_usage(FILE *out);
/* Returns 0 when argv[*i] is not a desktop option, 1 when it was taken
 * (with its value: *i moves past it), -1 when its value is bad (one line
 * on stderr). */
int desktop_parse_option(struct desktop_options *o, int argc, char **argv, int *i);
/* Whether the run needs desktop_run(): a window, a recording or a timed
 * screenshot. */
int desktop_active(const struct desktop_options *o);
/* Runs the PC until it stops, --max-cycles runs out (*st is then
 * MACHINE_RUNNING) or the user quits (MACHINE_POWEROFF).  Returns 0, or -1
 * for bad input (one line on stderr; nothing ran). */
int desktop_run(const struct desktop_options *o, struct machine *m, struct serial_backend *sb,
                struct serial_script *script, uint64_t max_cycles, int turbo, enum machine_status *st);

/* ---- For the window (sdl.c) --------------------------------------------- */

/* One step: serial input (and the serial script), at most `slice` cycles,
 * the speaker, a timed screenshot.  Counts against --max-cycles; a serial
 * script's `stop` ends the run (left becomes 0). */
enum machine_status desktop_step(struct desktop_session *s);
/* The speaker, created and attached on first use; NULL when out of memory. */
struct speaker *desktop_speaker(struct desktop_session *s);
/* A PNG named trapeze-YYYYMMDD-HHMMSS[-N].png in the screenshot directory.
 * Returns 0 with its name in `path`, or -1 with a reason in `path`. */
int desktop_screenshot(struct desktop_session *s, char *path, size_t pathlen);
/* Was the window asked for explicitly (-display sdl)? */
int desktop_window_explicit(const struct desktop_options *o);

#endif
