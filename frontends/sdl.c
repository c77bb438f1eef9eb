/*
 * The SDL2 window: the guest's screen, keyboard, mouse and speaker.
 *
 * One thread runs everything.  Each turn of the loop handles the window's
 * events, runs 2 ms of emulated time (desktop_step), draws a frame when
 * 1/60 s of real time has passed, and sleeps while emulated time is ahead
 * of real time (the pacer; never under --turbo).  Drawing takes the VGA's
 * last frame (0x00RRGGBB pixels) into a streaming texture of the mode's
 * size, which the renderer scales into the window (view.c decides where).
 * When the guest changes mode the window takes the mode's natural size,
 * unless it is full screen.
 *
 * The title is the status line: emulated speed (MIPS, % of real time),
 * disk activity since the last update (R read, W written, - idle), the
 * keyboard LEDs, and whether the run is paused or the mouse grabbed.
 */
#include "frontends/sdl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/pc.h"
#include "frontends/desktop.h"
#include "frontends/sdl_internal.h"
#include "frontends/speaker.h"
#include "frontends/view.h"

#define FRAME_S (1.0 / 60.0)
#define TITLE_S 0.5
#define MAX_SLEEP_S 0.010

struct sdl_frontend {
    struct desktop_session *s;
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    int mode_w, mode_h, mode_square;    /* the texture's mode; 0x0: no picture */
    struct view_rect dst;               /* where the picture went last */
    struct sdl_input in;
    struct sdl_audio audio;
    int integer, fullscreen, paused, quit, dirty;
    double next_frame, next_title;
    struct speed_meter speed;
    uint64_t disk_reads[4], disk_writes[4];
    char title[256];
};

static const char *const disk_names[4] = { "hda", "hdb", "cd", "fd" };

/* ---- Window ------------------------------------------------------------ */

/* SDL falls back to drivers that draw nowhere (offscreen, dummy) when no
 * display answers; those count as no display unless asked for by name. */
static int video_available(void)
{
    const char *asked = getenv("SDL_VIDEODRIVER");
#if !defined(__APPLE__) && !defined(_WIN32)
    const char *x = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");
    if (!(x && *x) && !(wl && *wl) && !(asked && *asked)) {
        fprintf(stderr, "trapeze: no display available (DISPLAY and WAYLAND_DISPLAY are not set); running headless\n");
        return 0;
    }
#endif
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "trapeze: no display available (%s); running headless\n", SDL_GetError());
        return 0;
    }
    const char *driver = SDL_GetCurrentVideoDriver();
    if (driver && (strcmp(driver, "offscreen") == 0 || strcmp(driver, "dummy") == 0) &&
        !(asked && strcmp(asked, driver) == 0)) {
        fprintf(stderr, "trapeze: no display available (SDL found only its %s driver); running headless\n", driver);
        SDL_Quit();
        return 0;
    }
    return 1;
}

static int open_window(struct sdl_frontend *f)
{
    if (!video_available())
        return -1;
    int w, h;
    view_natural_size(720, 400, 0, f->integer, 0, 0, &w, &h);
    Uint32 flags = SDL_WINDOW_RESIZABLE | (f->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
    f->win = SDL_CreateWindow("Trapeze", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h, flags);
    if (f->win) {
        f->ren = SDL_CreateRenderer(f->win, -1, 0);
        if (!f->ren)
            f->ren = SDL_CreateRenderer(f->win, -1, SDL_RENDERER_SOFTWARE);
    }
    if (!f->win || !f->ren) {
        fprintf(stderr, "trapeze: cannot open a window (%s); running headless\n", SDL_GetError());
        if (f->win)
            SDL_DestroyWindow(f->win);
        SDL_Quit();
        return -1;
    }
    f->dirty = 1;
    return 0;
}

static void close_window(struct sdl_frontend *f)
{
    SDL_SetRelativeMouseMode(SDL_FALSE);
    if (f->tex)
        SDL_DestroyTexture(f->tex);
    SDL_DestroyRenderer(f->ren);
    SDL_DestroyWindow(f->win);
    SDL_Quit();
}

/* The part of the desktop windows may use; 0 x 0 when unknown. */
static SDL_Rect usable_area(struct sdl_frontend *f)
{
    SDL_Rect r = { 0, 0, 0, 0 };
    int display = SDL_GetWindowDisplayIndex(f->win);
    if (display < 0 || SDL_GetDisplayUsableBounds(display, &r) != 0)
        r.w = r.h = 0;
    else if (r.h > 64)
        r.h -= 32;                      /* room for a title bar */
    return r;
}

/* The window takes the mode's natural size, moved back onto the desktop
 * if it grew past an edge. */
static void fit_window(struct sdl_frontend *f, int w, int h, int square)
{
    SDL_Rect area = usable_area(f);
    int ww, wh, x, y;
    view_natural_size(w, h, square, f->integer, area.w, area.h, &ww, &wh);
    SDL_SetWindowSize(f->win, ww, wh);
    SDL_GetWindowPosition(f->win, &x, &y);
    if (area.w > 0 && (x < area.x || y < area.y || x + ww > area.x + area.w || y + wh > area.y + area.h))
        SDL_SetWindowPosition(f->win, area.x + (area.w - ww) / 2, area.y + (area.h - wh) / 2);
}

static void new_mode(struct sdl_frontend *f, int w, int h, int square)
{
    if (f->tex)
        SDL_DestroyTexture(f->tex);
#if !SDL_VERSION_ATLEAST(2, 0, 12)
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, f->integer ? "nearest" : "linear");
#endif
    f->tex = SDL_CreateTexture(f->ren, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STREAMING, w, h);
    if (!f->tex) {
        fprintf(stderr, "trapeze: cannot show a %dx%d picture (%s)\n", w, h, SDL_GetError());
        f->mode_w = f->mode_h = 0;
        return;
    }
#if SDL_VERSION_ATLEAST(2, 0, 12)
    SDL_SetTextureScaleMode(f->tex, f->integer ? SDL_ScaleModeNearest : SDL_ScaleModeLinear);
#endif
    f->mode_w = w;
    f->mode_h = h;
    f->mode_square = square;
    if (!f->fullscreen)
        fit_window(f, w, h, square);
}

static void present(struct sdl_frontend *f)
{
    int ow, oh;
    if (SDL_GetRendererOutputSize(f->ren, &ow, &oh) != 0)
        SDL_GetWindowSize(f->win, &ow, &oh);
    SDL_SetRenderDrawColor(f->ren, 0, 0, 0, 255);
    SDL_RenderClear(f->ren);
    if (f->tex && f->mode_w > 0) {
        f->dst = view_place(f->mode_w, f->mode_h, f->mode_square, f->integer, ow, oh);
        SDL_Rect d = { f->dst.x, f->dst.y, f->dst.w, f->dst.h };
        SDL_RenderCopy(f->ren, f->tex, NULL, &d);
    }
    SDL_RenderPresent(f->ren);
    f->dirty = 0;
}

/* Takes the VGA's frame if it changed, and shows it. */
static void draw(struct sdl_frontend *f)
{
    struct vga *v = &f->s->pc->vga;
    int w, h, changed;
    vga_render(v);
    const uint32_t *fb = vga_framebuffer(v, &w, &h, &changed);
    int square = (v->r.vbe[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED) != 0;
    if (fb && w > 0 && h > 0) {
        if (w != f->mode_w || h != f->mode_h || square != f->mode_square || !f->tex) {
            new_mode(f, w, h, square);
            changed = 1;
        }
        if (changed && f->tex)
            SDL_UpdateTexture(f->tex, NULL, fb, w * (int)sizeof(uint32_t));
    } else if (f->mode_w) {
        f->mode_w = f->mode_h = 0;      /* the display went off */
        changed = 1;
    }
    if (changed || f->dirty)
        present(f);
}

/* ---- Status line --------------------------------------------------------- */

static void disk_activity(struct sdl_frontend *f, char *out, size_t len)
{
    struct pc_board *pc = f->s->pc;
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < 4 && used < len; i++) {
        if (!pc->disk_open[i])
            continue;
        int r = pc->disks[i].reads != f->disk_reads[i], w = pc->disks[i].writes != f->disk_writes[i];
        f->disk_reads[i] = pc->disks[i].reads;
        f->disk_writes[i] = pc->disks[i].writes;
        int n = snprintf(out + used, len - used, " %s:%s%s%s", disk_names[i], r ? "R" : "", w ? "W" : "",
                         r || w ? "" : "-");
        used += n > 0 ? (size_t)n : 0;
    }
}

static void update_title(struct sdl_frontend *f, double wall)
{
    struct desktop_session *s = f->s;
    char disks[64], title[256];
    if (!f->paused)
        speed_meter_update(&f->speed, wall, machine_cycles(s->m), machine_cpu(s->m)->insns_retired, s->hz);
    disk_activity(f, disks, sizeof(disks));
    unsigned leds = i8042_leds(&s->pc->kbc);
    snprintf(title, sizeof(title), "Trapeze - %.1f MIPS, %.0f%%%s%s%s%s%s%s%s", f->speed.mips, f->speed.percent,
             s->turbo ? " turbo" : "", disks[0] ? " -" : "", disks, (leds & 2) ? " NUM" : "", (leds & 4) ? " CAPS" : "",
             (leds & 1) ? " SCRL" : "",
             f->paused ? " - paused (Ctrl+Alt+P)" : f->in.grabbed ? " - Ctrl+Alt+G releases the mouse" : "");
    if (strcmp(title, f->title) != 0) {
        snprintf(f->title, sizeof(f->title), "%s", title);
        SDL_SetWindowTitle(f->win, f->title);
    }
}

/* ---- The frontend's commands ----------------------------------------- */

static void set_grab(struct sdl_frontend *f, int on)
{
    if (on == f->in.grabbed)
        return;
    if (on) {
        if (SDL_SetRelativeMouseMode(SDL_TRUE) != 0) {
            SDL_SetWindowGrab(f->win, SDL_TRUE);    /* no relative mode: confine instead */
            SDL_ShowCursor(SDL_DISABLE);
        }
    } else {
        SDL_SetRelativeMouseMode(SDL_FALSE);
        SDL_SetWindowGrab(f->win, SDL_FALSE);
        SDL_ShowCursor(SDL_ENABLE);
        if (f->in.buttons) {
            f->in.buttons = 0;
            i8042_mouse_move(f->in.kbc, 0, 0, 0, 0);
        }
    }
    f->in.grabbed = on;
    f->next_title = 0;
}

static void screenshot(struct sdl_frontend *f)
{
    char path[512];
    if (desktop_screenshot(f->s, path, sizeof(path)) != 0) {
        fprintf(stderr, "trapeze: no screenshot: %s\n", path);
        return;
    }
    int ww, wh;
    if (SDL_GetRendererOutputSize(f->ren, &ww, &wh) != 0)
        SDL_GetWindowSize(f->win, &ww, &wh);
    fprintf(stderr, "trapeze: screenshot saved to %s (%dx%d picture shown at %d,%d size %dx%d in a %dx%d window)\n",
            path, f->mode_w, f->mode_h, f->dst.x, f->dst.y, f->dst.w, f->dst.h, ww, wh);
}

static void set_paused(struct sdl_frontend *f, int paused)
{
    f->paused = paused;
    if (f->audio.backend)
        sdl_audio_pause(&f->audio, paused);
    if (!paused) {
        double wall = pacer_wall();
        pacer_rebase(&f->s->pacer, machine_cycles(f->s->m), wall);
        speed_meter_start(&f->speed, TITLE_S, wall, machine_cycles(f->s->m), machine_cpu(f->s->m)->insns_retired);
    }
    f->next_title = 0;
}

static void run_command(struct sdl_frontend *f, enum sdl_command c)
{
    switch (c) {
    case SDL_CMD_FULLSCREEN:
        f->fullscreen = !f->fullscreen;
        SDL_SetWindowFullscreen(f->win, f->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
        f->dirty = 1;
        break;
    case SDL_CMD_SCREENSHOT: screenshot(f); break;
    case SDL_CMD_PAUSE: set_paused(f, !f->paused); break;
    case SDL_CMD_RESET:
        f->s->pc->reset_pending = 2;    /* the whole machine, at the next slice boundary */
        break;
    case SDL_CMD_QUIT: f->quit = 1; break;
    case SDL_CMD_MONITOR:
        fprintf(stderr, "trapeze: there is no x86 monitor yet (Ctrl+Alt+M)\n");
        break;
    case SDL_CMD_GRAB: set_grab(f, 1); break;
    case SDL_CMD_UNGRAB: set_grab(f, 0); break;
    case SDL_CMD_NONE: break;
    }
}

static void handle_events(struct sdl_frontend *f)
{
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
        if (e.type == SDL_WINDOWEVENT &&
            (e.window.event == SDL_WINDOWEVENT_EXPOSED || e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED))
            f->dirty = 1;
        run_command(f, sdl_input_event(&f->in, &e, f->paused));
    }
}

/* ---- The loop ------------------------------------------------------------ */

static void start_sound(struct sdl_frontend *f)
{
    if (f->s->opt->no_sound || sdl_audio_open(&f->audio, SPEAKER_RATE) != 0)
        return;
    struct speaker *sp = desktop_speaker(f->s);
    if (!sp || speaker_add_sink(sp, sdl_audio_push, &f->audio) != 0)
        sdl_audio_close(&f->audio);
}

static void stop_sound(struct sdl_frontend *f)
{
    if (!f->audio.backend)
        return;
    speaker_remove_sink(f->s->speaker, sdl_audio_push, &f->audio);
    sdl_audio_close(&f->audio);
}

static void run_loop(struct sdl_frontend *f, enum machine_status *st)
{
    struct desktop_session *s = f->s;
    double wall = pacer_wall();
    pacer_rebase(&s->pacer, machine_cycles(s->m), wall);
    speed_meter_start(&f->speed, TITLE_S, wall, machine_cycles(s->m), machine_cpu(s->m)->insns_retired);
    f->next_frame = f->next_title = wall;
    *st = MACHINE_RUNNING;
    while (*st == MACHINE_RUNNING && s->left > 0) {
        handle_events(f);
        if (f->quit)
            break;
        if (f->paused) {
            if (f->dirty)
                present(f);
            update_title(f, pacer_wall());
            SDL_WaitEventTimeout(NULL, 100);
            continue;
        }
        *st = desktop_step(s);
        wall = pacer_wall();
        if (wall >= f->next_frame) {
            draw(f);
            f->next_frame += FRAME_S;
            if (f->next_frame < wall)
                f->next_frame = wall + FRAME_S;
        }
        if (wall >= f->next_title) {
            update_title(f, wall);
            f->next_title = wall + TITLE_S;
        }
        double wait = pacer_delay(&s->pacer, machine_cycles(s->m), wall);
        if (wait > 0.0005)
            pacer_sleep(wait < MAX_SLEEP_S ? wait : MAX_SLEEP_S);
    }
    if (f->quit)
        *st = MACHINE_POWEROFF;
}

int sdl_frontend_run(struct desktop_session *s, enum machine_status *st)
{
    struct sdl_frontend *f = calloc(1, sizeof(*f));
    if (!f) {
        fprintf(stderr, "trapeze: out of memory for the window; running headless\n");
        return -1;
    }
    f->s = s;
    f->integer = s->opt->integer_scale;
    f->fullscreen = s->opt->fullscreen;
    if (open_window(f) != 0) {
        free(f);
        return -1;
    }
    sdl_input_init(&f->in, &s->pc->kbc);
    start_sound(f);
    run_loop(f, st);
    stop_sound(f);
    close_window(f);
    free(f);
    return 0;
}
