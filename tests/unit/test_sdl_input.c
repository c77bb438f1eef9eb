/*
 * The window's input (frontends/sdl_input.c, sdl_keymap.c): SDL events,
 * as the window would receive them, into an 8042 as a driver reads it.
 * Every key of a 105-key keyboard has an SDL scancode; extended keys,
 * Pause and the keypad give their PC scan codes; host autorepeat and the
 * frontend's Ctrl+Alt keys never reach the guest; nothing new goes in
 * while paused but releases do; losing the focus releases everything; the
 * mouse moves only while grabbed, a click grabs it, the wheel gives
 * IntelliMouse packets.
 *
 * Needs only SDL's headers and types (no display): the input files are
 * compiled into this program directly.  Without SDL2 the test is skipped.
 */
#include "config.h"

#if HAVE_SDL

#include <stdlib.h>
#include <string.h>

#include "frontends/sdl_input.c"
#include "frontends/sdl_keymap.c"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

#define HZ 100000000ull
#define US(n) ((cycles_t)(n) * (HZ / 1000000u))

struct rig {
    struct clock clock;
    struct portio io;
    struct device_registry reg;
    struct i8042 kbc;
    struct sdl_input in;
};

static void no_a20(void *opaque, int on) { (void)opaque; (void)on; }
static void no_reset(void *opaque) { (void)opaque; }

static void advance(struct rig *r, cycles_t n)
{
    cycles_t end = r->clock.now + n;
    while (clock_next_deadline(&r->clock) <= end) {
        if (clock_next_deadline(&r->clock) > r->clock.now)
            r->clock.now = clock_next_deadline(&r->clock);
        clock_run_due(&r->clock);
    }
    r->clock.now = end;
}

static uint8_t inb(struct rig *r, uint16_t port) { return (uint8_t)portio_read(&r->io, port, 1); }
static void outb(struct rig *r, uint16_t port, uint8_t v) { portio_write(&r->io, port, v, 1); }

/* Everything the controller hands over within `ms` milliseconds. */
static int collect(struct rig *r, uint8_t *buf, int max, int ms)
{
    int n = 0;
    for (int t = 0; t < ms * 10; t++) {
        advance(r, US(100));
        if ((inb(r, 0x64) & I8042_STATUS_OBF) && n < max)
            buf[n++] = inb(r, 0x60);
    }
    return n;
}

static void command(struct rig *r, uint8_t cmd, int has_data, uint8_t data)
{
    advance(r, US(100));
    outb(r, 0x64, cmd);
    if (has_data) {
        advance(r, US(100));
        outb(r, 0x60, data);
    }
}

static void to_mouse(struct rig *r, uint8_t b)
{
    uint8_t ack[4];
    command(r, 0xD4, 1, b);
    collect(r, ack, 4, 5);
}

static struct rig *rig_new(void)
{
    struct rig *r = calloc(1, sizeof(*r));
    clock_init(&r->clock, HZ);
    portio_init(&r->io);
    device_registry_init(&r->reg);
    struct i8042_board_ops ops = { no_a20, no_reset, r };
    CHECK_EQ(i8042_init(&r->kbc, &r->clock, &r->io, &r->reg, &ops), 0);
    uint8_t junk[16];
    collect(r, junk, 16, 20);
    command(r, 0x60, 1, I8042_CTR_XLATE);  /* translation on, both ports on, no IRQs */
    collect(r, junk, 16, 5);
    sdl_input_init(&r->in, &r->kbc);
    return r;
}

static enum sdl_command key(struct rig *r, SDL_Scancode sc, int down, Uint16 mod, int repeat, int paused)
{
    SDL_Event e;
    memset(&e, 0, sizeof(e));
    e.type = down ? SDL_KEYDOWN : SDL_KEYUP;
    e.key.type = e.type;
    e.key.state = down ? SDL_PRESSED : SDL_RELEASED;
    e.key.repeat = (Uint8)repeat;
    e.key.keysym.scancode = sc;
    e.key.keysym.mod = mod;
    return sdl_input_event(&r->in, &e, paused);
}

/* Press and release a key; the set 1 bytes the guest reads. */
static int tap(struct rig *r, SDL_Scancode sc, uint8_t *buf, int max)
{
    key(r, sc, 1, 0, 0, 0);
    int n = collect(r, buf, max, 12);
    key(r, sc, 0, 0, 0, 0);
    return n + collect(r, buf + n, max - n, 12);
}

static int bytes_are(const uint8_t *got, int n, const uint8_t *want, int wn)
{
    return n == wn && memcmp(got, want, (size_t)n) == 0;
}

static void test_keymap(void)
{
    int covered[PC_KEY_COUNT] = { 0 };
    for (int sc = 0; sc < SDL_NUM_SCANCODES; sc++)
        covered[sdl_keymap_lookup((SDL_Scancode)sc)] = 1;
    int all = 1;
    for (int k = 1; k < PC_KEY_COUNT; k++) {
        if (!covered[k])
            fprintf(stderr, "PC key %d has no SDL scancode\n", k);
        all &= covered[k];
    }
    CHECK(all);
    CHECK_EQ(PC_KEY_COUNT - 1, 105);
    CHECK_EQ(sdl_keymap_lookup(SDL_SCANCODE_NONUSBACKSLASH), PC_KEY_102ND);
    CHECK_EQ(sdl_keymap_lookup(SDL_SCANCODE_NONUSHASH), PC_KEY_BACKSLASH);
    CHECK_EQ(sdl_keymap_lookup(SDL_SCANCODE_APPLICATION), PC_KEY_MENU);
    CHECK_EQ(sdl_keymap_lookup(SDL_SCANCODE_MUTE), PC_KEY_NONE);
    CHECK_EQ(sdl_keymap_lookup((SDL_Scancode)9999), PC_KEY_NONE);
}

static void test_scan_codes(void)
{
    struct rig *r = rig_new();
    uint8_t b[16];
    int n = tap(r, SDL_SCANCODE_A, b, 16);
    CHECK(bytes_are(b, n, (const uint8_t[]){ 0x1E, 0x9E }, 2));
    n = tap(r, SDL_SCANCODE_RCTRL, b, 16);
    CHECK(bytes_are(b, n, (const uint8_t[]){ 0xE0, 0x1D, 0xE0, 0x9D }, 4));
    n = tap(r, SDL_SCANCODE_KP_ENTER, b, 16);
    CHECK(bytes_are(b, n, (const uint8_t[]){ 0xE0, 0x1C, 0xE0, 0x9C }, 4));
    n = tap(r, SDL_SCANCODE_KP_7, b, 16);
    CHECK(bytes_are(b, n, (const uint8_t[]){ 0x47, 0xC7 }, 2));
    n = tap(r, SDL_SCANCODE_PAUSE, b, 16);
    CHECK(bytes_are(b, n, (const uint8_t[]){ 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5 }, 6));
    n = tap(r, SDL_SCANCODE_PRINTSCREEN, b, 16);
    CHECK(bytes_are(b, n, (const uint8_t[]){ 0xE0, 0x2A, 0xE0, 0x37, 0xE0, 0xB7, 0xE0, 0xAA }, 8));
    n = tap(r, SDL_SCANCODE_NONUSBACKSLASH, b, 16);
    CHECK(bytes_are(b, n, (const uint8_t[]){ 0x56, 0xD6 }, 2));

    /* Host autorepeat is dropped; the keyboard repeats by itself (after
     * its 500 ms typematic delay), and the release ends it. */
    key(r, SDL_SCANCODE_B, 1, 0, 0, 0);
    n = collect(r, b, 16, 100);
    CHECK(bytes_are(b, n, (const uint8_t[]){ 0x30 }, 1));
    key(r, SDL_SCANCODE_B, 1, 0, 1, 0);
    key(r, SDL_SCANCODE_B, 1, 0, 1, 0);
    n = collect(r, b, 16, 300);
    CHECK_EQ(n, 0);
    n = collect(r, b, 16, 300);
    CHECK(n >= 2 && b[0] == 0x30);                  /* the guest's typematic repeat */
    key(r, SDL_SCANCODE_B, 0, 0, 0, 0);
    n = collect(r, b, 16, 20);
    CHECK(n >= 1 && b[n - 1] == 0xB0);

    /* An unknown key is ignored (and said once on stderr). */
    CHECK_EQ(key(r, SDL_SCANCODE_MUTE, 1, 0, 0, 0), SDL_CMD_NONE);
    key(r, SDL_SCANCODE_MUTE, 1, 0, 0, 0);
    CHECK_EQ(collect(r, b, 16, 10), 0);
    free(r);
}

static void test_hotkeys(void)
{
    struct rig *r = rig_new();
    uint8_t b[16];
    const Uint16 ca = KMOD_LCTRL | KMOD_LALT;
    key(r, SDL_SCANCODE_LCTRL, 1, KMOD_LCTRL, 0, 0);
    key(r, SDL_SCANCODE_LALT, 1, ca, 0, 0);
    int n = collect(r, b, 16, 10);
    CHECK(bytes_are(b, n, (const uint8_t[]){ 0x1D, 0x38 }, 2));     /* Ctrl and Alt reach the guest */
    CHECK_EQ(key(r, SDL_SCANCODE_F, 1, ca, 0, 0), SDL_CMD_FULLSCREEN);
    CHECK_EQ(key(r, SDL_SCANCODE_F, 1, ca, 1, 0), SDL_CMD_NONE);     /* autorepeat of a hotkey */
    CHECK_EQ(key(r, SDL_SCANCODE_F, 0, ca, 0, 0), SDL_CMD_NONE);
    CHECK_EQ(key(r, SDL_SCANCODE_S, 1, ca, 0, 0), SDL_CMD_SCREENSHOT);
    CHECK_EQ(key(r, SDL_SCANCODE_P, 1, ca, 0, 0), SDL_CMD_PAUSE);
    CHECK_EQ(key(r, SDL_SCANCODE_R, 1, ca, 0, 0), SDL_CMD_RESET);
    CHECK_EQ(key(r, SDL_SCANCODE_Q, 1, ca, 0, 0), SDL_CMD_QUIT);
    CHECK_EQ(key(r, SDL_SCANCODE_M, 1, ca, 0, 0), SDL_CMD_MONITOR);
    CHECK_EQ(key(r, SDL_SCANCODE_G, 1, ca, 0, 0), SDL_CMD_UNGRAB);
    for (SDL_Scancode sc = SDL_SCANCODE_A; sc <= SDL_SCANCODE_Z; sc++)
        key(r, sc, 0, ca, 0, 0);
    CHECK_EQ(collect(r, b, 16, 20), 0);                             /* none of the letters */
    CHECK_EQ(key(r, SDL_SCANCODE_DELETE, 1, ca, 0, 0), SDL_CMD_NONE);   /* Ctrl+Alt+Del is the guest's */
    n = collect(r, b, 16, 10);
    CHECK(bytes_are(b, n, (const uint8_t[]){ 0xE0, 0x53 }, 2));
    sdl_input_release_all(&r->in);
    n = collect(r, b, 16, 20);
    CHECK(bytes_are(b, n, (const uint8_t[]){ 0x9D, 0xB8, 0xE0, 0xD3 }, 4));   /* Ctrl, Alt, Del up */
    free(r);
}

static void test_pause_and_focus(void)
{
    struct rig *r = rig_new();
    uint8_t b[16];
    key(r, SDL_SCANCODE_LSHIFT, 1, 0, 0, 0);
    collect(r, b, 16, 10);
    key(r, SDL_SCANCODE_X, 1, 0, 0, 1);                 /* paused: not pressed */
    CHECK_EQ(collect(r, b, 16, 10), 0);
    key(r, SDL_SCANCODE_LSHIFT, 0, 0, 0, 1);            /* ... but released */
    int n = collect(r, b, 16, 10);
    CHECK(bytes_are(b, n, (const uint8_t[]){ 0xAA }, 1));

    key(r, SDL_SCANCODE_A, 1, 0, 0, 0);
    key(r, SDL_SCANCODE_RALT, 1, 0, 0, 0);
    collect(r, b, 16, 10);
    SDL_Event e;
    memset(&e, 0, sizeof(e));
    e.type = SDL_WINDOWEVENT;
    e.window.event = SDL_WINDOWEVENT_FOCUS_LOST;
    CHECK_EQ(sdl_input_event(&r->in, &e, 0), SDL_CMD_NONE);
    n = collect(r, b, 16, 10);
    CHECK(bytes_are(b, n, (const uint8_t[]){ 0x9E, 0xE0, 0xB8 }, 3));
    r->in.grabbed = 1;
    CHECK_EQ(sdl_input_event(&r->in, &e, 0), SDL_CMD_UNGRAB);
    memset(&e, 0, sizeof(e));
    e.type = SDL_QUIT;
    CHECK_EQ(sdl_input_event(&r->in, &e, 0), SDL_CMD_QUIT);
    free(r);
}

static enum sdl_command mouse(struct rig *r, Uint32 type, int x, int y, Uint8 button)
{
    SDL_Event e;
    memset(&e, 0, sizeof(e));
    e.type = type;
    if (type == SDL_MOUSEMOTION) {
        e.motion.xrel = x;
        e.motion.yrel = y;
    } else if (type == SDL_MOUSEWHEEL) {
        e.wheel.y = y;
        e.wheel.direction = SDL_MOUSEWHEEL_NORMAL;
    } else {
        e.button.type = type;
        e.button.button = button;
    }
    return sdl_input_event(&r->in, &e, 0);
}

static void test_mouse(void)
{
    struct rig *r = rig_new();
    uint8_t b[16];
    to_mouse(r, 0xF4);                                  /* enable streaming */
    CHECK_EQ(mouse(r, SDL_MOUSEMOTION, 5, 5, 0), SDL_CMD_NONE);
    CHECK_EQ(mouse(r, SDL_MOUSEBUTTONDOWN, 0, 0, SDL_BUTTON_LEFT), SDL_CMD_GRAB);
    CHECK_EQ(collect(r, b, 16, 30), 0);                 /* not grabbed: nothing */
    r->in.grabbed = 1;                                  /* what the window does on SDL_CMD_GRAB */
    mouse(r, SDL_MOUSEBUTTONUP, 0, 0, SDL_BUTTON_LEFT);
    mouse(r, SDL_MOUSEMOTION, 5, -3, 0);                /* right and up */
    int n = collect(r, b, 16, 30);
    CHECK(bytes_are(b, n, (const uint8_t[]){ 0x08, 0x05, 0x03 }, 3));
    mouse(r, SDL_MOUSEBUTTONDOWN, 0, 0, SDL_BUTTON_RIGHT);
    n = collect(r, b, 16, 30);
    CHECK(bytes_are(b, n, (const uint8_t[]){ 0x0A, 0x00, 0x00 }, 3));
    mouse(r, SDL_MOUSEBUTTONUP, 0, 0, SDL_BUTTON_RIGHT);
    collect(r, b, 16, 30);

    /* The IntelliMouse knock (rates 200, 100, 80): 4-byte packets. */
    to_mouse(r, 0xF5);
    uint8_t knock[] = { 200, 100, 80 };
    for (int i = 0; i < 3; i++) {
        to_mouse(r, 0xF3);
        to_mouse(r, knock[i]);
    }
    to_mouse(r, 0xF4);
    mouse(r, SDL_MOUSEWHEEL, 0, 1, 0);                  /* one notch up */
    n = collect(r, b, 16, 30);
    CHECK(bytes_are(b, n, (const uint8_t[]){ 0x08, 0x00, 0x00, 0xFF }, 4));
    free(r);
}

int main(void)
{
    test_keymap();
    test_scan_codes();
    test_hotkeys();
    test_pause_and_focus();
    test_mouse();
    return test_report();
}

#else /* !HAVE_SDL */

#include <stdio.h>

int main(void)
{
    printf("skipped: this build has no SDL2\n0 passed, 0 failed\n");
    return 0;
}

#endif
