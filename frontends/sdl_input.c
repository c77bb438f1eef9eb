/*
 * The window's keyboard and mouse as the guest's PS/2 devices, and the
 * frontend's own keys.
 *
 * Keys go to the 8042 by position (sdl_keymap.c).  Host autorepeat is
 * dropped: the PS/2 keyboard repeats the last key held at the rate the
 * guest programmed (command F3h), as a real one does.  Ctrl+Alt together
 * with F, G, S, P, R, Q or M is the frontend's (the letter's press and
 * release never reach the guest; Ctrl and Alt themselves do, as in QEMU).
 *
 * The mouse belongs to the guest only while grabbed: a click into the
 * window grabs it (that click is not passed on), Ctrl+Alt+G or losing the
 * focus lets it go.  Motion is relative, buttons left/right/middle, the
 * wheel as IntelliMouse notches.
 */
#include <stdio.h>
#include <string.h>

#include "frontends/sdl_internal.h"

static int bit_get(const uint8_t *set, unsigned i) { return (set[i / 8] >> (i % 8)) & 1; }

static void bit_put(uint8_t *set, unsigned i, int on)
{
    if (on)
        set[i / 8] = (uint8_t)(set[i / 8] | 1u << (i % 8));
    else
        set[i / 8] = (uint8_t)(set[i / 8] & ~(1u << (i % 8)));
}

void sdl_input_init(struct sdl_input *in, struct i8042 *kbc)
{
    memset(in, 0, sizeof(*in));
    in->kbc = kbc;
}

static enum sdl_command hotkey(SDL_Scancode sc)
{
    switch (sc) {
    case SDL_SCANCODE_F: return SDL_CMD_FULLSCREEN;
    case SDL_SCANCODE_G: return SDL_CMD_UNGRAB;
    case SDL_SCANCODE_S: return SDL_CMD_SCREENSHOT;
    case SDL_SCANCODE_P: return SDL_CMD_PAUSE;
    case SDL_SCANCODE_R: return SDL_CMD_RESET;
    case SDL_SCANCODE_Q: return SDL_CMD_QUIT;
    case SDL_SCANCODE_M: return SDL_CMD_MONITOR;
    default: return SDL_CMD_NONE;
    }
}

static void warn_unknown_key(struct sdl_input *in, SDL_Scancode sc)
{
    if (bit_get(in->warned, (unsigned)sc))
        return;
    bit_put(in->warned, (unsigned)sc, 1);
    const char *name = SDL_GetScancodeName(sc);
    if (name && *name)
        fprintf(stderr, "trapeze: the '%s' key has no PC keyboard equivalent; ignored\n", name);
    else
        fprintf(stderr, "trapeze: key with SDL scancode %d has no PC keyboard equivalent; ignored\n", (int)sc);
}

static void guest_key(struct sdl_input *in, enum pc_key k, int down)
{
    if (bit_get(in->held, (unsigned)k) == down)
        return;
    bit_put(in->held, (unsigned)k, down);
    i8042_key(in->kbc, k, down);
}

static enum sdl_command key_event(struct sdl_input *in, const SDL_KeyboardEvent *k, int paused)
{
    SDL_Scancode sc = k->keysym.scancode;
    int down = k->type == SDL_KEYDOWN;
    if ((unsigned)sc >= SDL_NUM_SCANCODES)
        return SDL_CMD_NONE;
    if (down && (k->keysym.mod & KMOD_CTRL) && (k->keysym.mod & KMOD_ALT)) {
        enum sdl_command cmd = hotkey(sc);
        if (cmd != SDL_CMD_NONE) {
            bit_put(in->swallowed, (unsigned)sc, 1);
            return k->repeat ? SDL_CMD_NONE : cmd;
        }
    }
    if (!down && bit_get(in->swallowed, (unsigned)sc)) {
        bit_put(in->swallowed, (unsigned)sc, 0);
        return SDL_CMD_NONE;
    }
    if (k->repeat)
        return SDL_CMD_NONE;
    enum pc_key pk = sdl_keymap_lookup(sc);
    if (pk == PC_KEY_NONE) {
        if (down && sc != SDL_SCANCODE_UNKNOWN)
            warn_unknown_key(in, sc);
        return SDL_CMD_NONE;
    }
    /* While paused nothing new goes down; releases still do, so no key
     * stays stuck in the guest. */
    if (!(paused && down))
        guest_key(in, pk, down);
    return SDL_CMD_NONE;
}

static unsigned button_bit(Uint8 button)
{
    switch (button) {
    case SDL_BUTTON_LEFT: return I8042_MOUSE_LEFT;
    case SDL_BUTTON_RIGHT: return I8042_MOUSE_RIGHT;
    case SDL_BUTTON_MIDDLE: return I8042_MOUSE_MIDDLE;
    default: return 0;
    }
}

static enum sdl_command button_event(struct sdl_input *in, const SDL_MouseButtonEvent *b, int paused)
{
    int down = b->type == SDL_MOUSEBUTTONDOWN;
    if (!in->grabbed)
        return down ? SDL_CMD_GRAB : SDL_CMD_NONE;
    unsigned bit = button_bit(b->button);
    if (!bit)
        return SDL_CMD_NONE;
    unsigned was = in->buttons;
    in->buttons = down ? in->buttons | bit : in->buttons & ~bit;
    if (in->buttons != was && !(paused && down))
        i8042_mouse_move(in->kbc, 0, 0, 0, in->buttons);
    return SDL_CMD_NONE;
}

static void wheel_event(struct sdl_input *in, const SDL_MouseWheelEvent *w, int paused)
{
    int dz = w->y;
    if (w->direction == SDL_MOUSEWHEEL_FLIPPED)
        dz = -dz;
    if (in->grabbed && !paused && dz)
        i8042_mouse_move(in->kbc, 0, 0, dz, in->buttons);
}

void sdl_input_release_all(struct sdl_input *in)
{
    for (unsigned k = 1; k < PC_KEY_COUNT; k++)
        if (bit_get(in->held, k))
            guest_key(in, (enum pc_key)k, 0);
    memset(in->swallowed, 0, sizeof(in->swallowed));
    if (in->buttons) {
        in->buttons = 0;
        i8042_mouse_move(in->kbc, 0, 0, 0, 0);
    }
}

enum sdl_command sdl_input_event(struct sdl_input *in, const SDL_Event *e, int paused)
{
    switch (e->type) {
    case SDL_KEYDOWN:
    case SDL_KEYUP:
        return key_event(in, &e->key, paused);
    case SDL_MOUSEMOTION:
        if (in->grabbed && !paused && (e->motion.xrel || e->motion.yrel))
            i8042_mouse_move(in->kbc, e->motion.xrel, e->motion.yrel, 0, in->buttons);
        return SDL_CMD_NONE;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
        return button_event(in, &e->button, paused);
    case SDL_MOUSEWHEEL:
        wheel_event(in, &e->wheel, paused);
        return SDL_CMD_NONE;
    case SDL_QUIT:
        return SDL_CMD_QUIT;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_FOCUS_LOST) {
            sdl_input_release_all(in);
            return in->grabbed ? SDL_CMD_UNGRAB : SDL_CMD_NONE;
        }
        return SDL_CMD_NONE;
    default:
        return SDL_CMD_NONE;
    }
}
