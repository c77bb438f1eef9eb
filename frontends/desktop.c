/*
 * The desktop frontend's options and its headless loop (see desktop.h).
 */
#include "frontends/desktop.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bus/pc.h"
#include "config.h"
#include "frontends/screenshot.h"
#include "frontends/serial_backend.h"
#include "frontends/serial_script.h"
#include "frontends/speaker.h"

#if HAVE_SDL
#include "frontends/sdl.h"
#endif

void desktop_usage(FILE *out)
{
    fputs("\n"
          "Display, sound and screenshots (the PC):\n"
          "  -display sdl|none    a window (the default when a display is there and this\n"
          "                       build has SDL2), or none: headless\n"
          "  -nographic           the same as -display none\n"
          "  --fullscreen         start full screen (Ctrl+Alt+F toggles)\n"
          "  --integer-scale      scale the picture by whole numbers only (sharp pixels)\n"
          "  --no-sound           do not play the PC speaker\n"
          "  --audio-file FILE.wav  record the PC speaker (48 kHz, 16-bit mono), also\n"
          "                       headless; the file follows emulated time exactly\n"
          "  --screenshot-dir DIR where Ctrl+Alt+S and --screenshot-after put\n"
          "                       trapeze-YYYYMMDD-HHMMSS.png (default: here)\n"
          "  --screenshot-after S a screenshot after S seconds of emulated time\n"
          "  Window keys: Ctrl+Alt+F fullscreen, Ctrl+Alt+G release the mouse,\n"
          "  Ctrl+Alt+S screenshot, Ctrl+Alt+P pause, Ctrl+Alt+R reset, Ctrl+Alt+Q quit,\n"
          "  Ctrl+Alt+M monitor (docs/desktop.md)\n",
          out);
}

static int bad_value(const char *opt, const char *why)
{
    fprintf(stderr, "trapeze: %s %s\n", opt, why);
    return -1;
}

static int parse_seconds(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= 0.0) || v > 1e7)
        return -1;
    *out = v;
    return 0;
}

int desktop_parse_option(struct desktop_options *o, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    const char *val = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (strcmp(a, "-display") == 0 || strcmp(a, "--display") == 0) {
        if (!val)
            return bad_value(a, "needs sdl or none");
        if (strcmp(val, "sdl") == 0)
            o->display = DESKTOP_DISPLAY_SDL;
        else if (strcmp(val, "none") == 0)
            o->display = DESKTOP_DISPLAY_NONE;
        else
            return bad_value(a, "takes sdl or none");
        (*i)++;
    } else if (strcmp(a, "-nographic") == 0) {
        o->display = DESKTOP_DISPLAY_NONE;
    } else if (strcmp(a, "--fullscreen") == 0 || strcmp(a, "-full-screen") == 0) {
        o->fullscreen = 1;
    } else if (strcmp(a, "--integer-scale") == 0) {
        o->integer_scale = 1;
    } else if (strcmp(a, "--no-sound") == 0) {
        o->no_sound = 1;
    } else if (strcmp(a, "--audio-file") == 0) {
        if (!val || !*val)
            return bad_value(a, "needs a file name");
        o->audio_file = val;
        (*i)++;
    } else if (strcmp(a, "--screenshot-dir") == 0) {
        if (!val || !*val)
            return bad_value(a, "needs a directory");
        o->screenshot_dir = val;
        (*i)++;
    } else if (strcmp(a, "--screenshot-after") == 0) {
        if (!val || parse_seconds(val, &o->screenshot_after) != 0)
            return bad_value(a, "needs a number of seconds");
        o->screenshot_after_set = 1;
        (*i)++;
    } else {
        return 0;
    }
    return 1;
}

/* A display to open a window on.  SDL decides in the end; this only keeps
 * a headless host (a CI machine, an ssh session) from trying. */
static int display_present(void)
{
#if defined(__APPLE__) || defined(_WIN32)
    return 1;
#else
    const char *x = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");
    return (x && *x) || (w && *w);
#endif
}

int desktop_window_explicit(const struct desktop_options *o)
{
    return o->display == DESKTOP_DISPLAY_SDL;
}

static int want_window(const struct desktop_options *o)
{
    return o->display == DESKTOP_DISPLAY_SDL || (o->display == DESKTOP_DISPLAY_AUTO && HAVE_SDL && display_present());
}

int desktop_active(const struct desktop_options *o)
{
    return want_window(o) || o->audio_file || o->screenshot_after_set;
}

/* ---- One run -------------------------------------------------------- */

static void record_samples(void *opaque, const int16_t *samples, size_t count)
{
    wav_write(opaque, samples, count);
}

struct speaker *desktop_speaker(struct desktop_session *s)
{
    if (!s->speaker) {
        s->speaker = malloc(sizeof(*s->speaker));
        if (!s->speaker)
            return NULL;
        speaker_init(s->speaker, s->hz, machine_cycles(s->m));
        speaker_attach(s->speaker, &s->pc->pit, &s->pc->sysctl);
    }
    return s->speaker;
}

static int session_start(struct desktop_session *s, const struct desktop_options *o, struct machine *m,
                         struct serial_backend *sb, struct serial_script *script, uint64_t max_cycles, int turbo)
{
    memset(s, 0, sizeof(*s));
    s->opt = o;
    s->m = m;
    s->pc = machine_pc(m);
    s->sb = sb;
    s->script = script;
    s->hz = machine_cpu(m)->bus.clock->hz;
    s->slice = s->hz / 500 > 1000 ? s->hz / 500 : 1000;
    s->left = max_cycles ? max_cycles : UINT64_MAX;
    s->turbo = turbo;
    s->wav.f = NULL;
    if (o->screenshot_after_set) {
        s->screenshot_at = machine_cycles(m) + (cycles_t)(o->screenshot_after * (double)s->hz);
        s->screenshot_pending = 1;
    }
    if (o->audio_file) {
        char err[300];
        if (wav_open(&s->wav, o->audio_file, SPEAKER_RATE, 1, err, sizeof(err)) != 0) {
            fprintf(stderr, "trapeze: %s\n", err);
            return -1;
        }
        if (!desktop_speaker(s)) {
            fprintf(stderr, "trapeze: out of memory for the speaker\n");
            return -1;
        }
        speaker_add_sink(s->speaker, record_samples, &s->wav);
    }
    pacer_start(&s->pacer, s->hz, turbo, machine_cycles(m), pacer_wall());
    return 0;
}

static void session_end(struct desktop_session *s)
{
    char err[300];
    if (s->speaker) {
        speaker_flush(s->speaker, machine_cycles(s->m));
        speaker_detach(s->speaker);
        free(s->speaker);
        s->speaker = NULL;
    }
    if (wav_close(&s->wav, err, sizeof(err)) != 0)
        fprintf(stderr, "trapeze: %s\n", err);
}

int desktop_screenshot(struct desktop_session *s, char *path, size_t pathlen)
{
    const char *dir = s->opt->screenshot_dir ? s->opt->screenshot_dir : ".";
    char stamp[32];
    time_t t = time(NULL);
    struct tm tm;
    if (!localtime_r(&t, &tm) || strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm) == 0)
        snprintf(stamp, sizeof(stamp), "%lld", (long long)t);
    /* Several in one second get -2, -3, ... */
    for (int n = 1; n < 1000; n++) {
        if (n == 1)
            snprintf(path, pathlen, "%s/trapeze-%s.png", dir, stamp);
        else
            snprintf(path, pathlen, "%s/trapeze-%s-%d.png", dir, stamp, n);
        if (access(path, F_OK) != 0)
            break;
    }
    char err[300];
    if (screenshot_png(&s->pc->vga, path, err, sizeof(err)) != 0) {
        snprintf(path, pathlen, "%s", err);
        return -1;
    }
    return 0;
}

static void take_timed_screenshot(struct desktop_session *s)
{
    char path[512];
    s->screenshot_pending = 0;
    if (desktop_screenshot(s, path, sizeof(path)) == 0)
        fprintf(stderr, "trapeze: screenshot saved to %s\n", path);
    else
        fprintf(stderr, "trapeze: no screenshot: %s\n", path);
}

enum machine_status desktop_step(struct desktop_session *s)
{
    uint64_t n = s->slice < s->left ? s->slice : s->left;
    cycles_t before = machine_cycles(s->m);
    serial_backend_poll(s->sb, &s->pc->com[0]);
    if (s->script)
        serial_script_poll(s->script, &s->pc->com[0]);
    enum machine_status st = machine_run(s->m, n);
    cycles_t now = machine_cycles(s->m);
    if (s->left != UINT64_MAX) {
        uint64_t used = now - before;
        s->left -= used < s->left ? used : s->left;
    }
    if (s->script && s->script->stopped)
        s->left = 0;                /* the script's `stop`: the run ends here */
    if (s->speaker)
        speaker_advance(s->speaker, now);
    if (s->screenshot_pending && now >= s->screenshot_at)
        take_timed_screenshot(s);
    return st;
}

static enum machine_status run_headless(struct desktop_session *s)
{
    enum machine_status st = MACHINE_RUNNING;
    while (st == MACHINE_RUNNING && s->left > 0) {
        st = desktop_step(s);
        double wait = pacer_delay(&s->pacer, machine_cycles(s->m), pacer_wall());
        if (wait > 0.0005)
            pacer_sleep(wait);
    }
    return st;
}

int desktop_run(const struct desktop_options *o, struct machine *m, struct serial_backend *sb,
                struct serial_script *script, uint64_t max_cycles, int turbo, enum machine_status *st)
{
    struct desktop_session s;
    if (!machine_pc(m)) {
        *st = MACHINE_RUNNING;
        return -1;
    }
    if (session_start(&s, o, m, sb, script, max_cycles, turbo) != 0) {
        session_end(&s);
        return -1;
    }
    int ran = 0;
    if (want_window(o)) {
#if HAVE_SDL
        ran = sdl_frontend_run(&s, st) == 0;
#else
        fprintf(stderr, "trapeze: this build has no window (SDL2 was missing at ./configure); running headless\n");
#endif
    }
    if (!ran)
        *st = run_headless(&s);
    session_end(&s);
    return 0;
}
