/*
 * The PS/2 keyboard behind the 8042: an MF2 keyboard (ID AB 83) speaking
 * scan code set 2, or set 1 on request.  References: IBM Keyboard
 * Technical Reference (101/102-key): "Commands from the System",
 * "Typematic Rate", "Buffer", scan code tables.
 */
#include "peripherals/i8042.h"

#include <string.h>

#define KBD_ACK 0xFAu
#define KBD_RESEND 0xFEu
#define KBD_BAT_OK 0xAAu
#define DEFAULT_TYPEMATIC 0x2Bu     /* 10.9 characters/s after 500 ms */
#define EXT 0x100u                  /* set-2 code needs an E0 prefix */

/* Scan code set 2 make codes; Print Screen and Pause are built in code. */
static const uint16_t set2_code[PC_KEY_COUNT] = {
    [PC_KEY_ESC] = 0x76, [PC_KEY_F1] = 0x05, [PC_KEY_F2] = 0x06, [PC_KEY_F3] = 0x04,
    [PC_KEY_F4] = 0x0C, [PC_KEY_F5] = 0x03, [PC_KEY_F6] = 0x0B, [PC_KEY_F7] = 0x83,
    [PC_KEY_F8] = 0x0A, [PC_KEY_F9] = 0x01, [PC_KEY_F10] = 0x09, [PC_KEY_F11] = 0x78,
    [PC_KEY_F12] = 0x07, [PC_KEY_SCROLL_LOCK] = 0x7E,
    [PC_KEY_GRAVE] = 0x0E, [PC_KEY_1] = 0x16, [PC_KEY_2] = 0x1E, [PC_KEY_3] = 0x26,
    [PC_KEY_4] = 0x25, [PC_KEY_5] = 0x2E, [PC_KEY_6] = 0x36, [PC_KEY_7] = 0x3D,
    [PC_KEY_8] = 0x3E, [PC_KEY_9] = 0x46, [PC_KEY_0] = 0x45, [PC_KEY_MINUS] = 0x4E,
    [PC_KEY_EQUAL] = 0x55, [PC_KEY_BACKSPACE] = 0x66,
    [PC_KEY_TAB] = 0x0D, [PC_KEY_Q] = 0x15, [PC_KEY_W] = 0x1D, [PC_KEY_E] = 0x24,
    [PC_KEY_R] = 0x2D, [PC_KEY_T] = 0x2C, [PC_KEY_Y] = 0x35, [PC_KEY_U] = 0x3C,
    [PC_KEY_I] = 0x43, [PC_KEY_O] = 0x44, [PC_KEY_P] = 0x4D, [PC_KEY_LEFT_BRACKET] = 0x54,
    [PC_KEY_RIGHT_BRACKET] = 0x5B, [PC_KEY_BACKSLASH] = 0x5D,
    [PC_KEY_CAPS_LOCK] = 0x58, [PC_KEY_A] = 0x1C, [PC_KEY_S] = 0x1B, [PC_KEY_D] = 0x23,
    [PC_KEY_F] = 0x2B, [PC_KEY_G] = 0x34, [PC_KEY_H] = 0x33, [PC_KEY_J] = 0x3B,
    [PC_KEY_K] = 0x42, [PC_KEY_L] = 0x4B, [PC_KEY_SEMICOLON] = 0x4C,
    [PC_KEY_APOSTROPHE] = 0x52, [PC_KEY_ENTER] = 0x5A,
    [PC_KEY_LEFT_SHIFT] = 0x12, [PC_KEY_102ND] = 0x61, [PC_KEY_Z] = 0x1A, [PC_KEY_X] = 0x22,
    [PC_KEY_C] = 0x21, [PC_KEY_V] = 0x2A, [PC_KEY_B] = 0x32, [PC_KEY_N] = 0x31,
    [PC_KEY_M] = 0x3A, [PC_KEY_COMMA] = 0x41, [PC_KEY_PERIOD] = 0x49, [PC_KEY_SLASH] = 0x4A,
    [PC_KEY_RIGHT_SHIFT] = 0x59,
    [PC_KEY_LEFT_CTRL] = 0x14, [PC_KEY_LEFT_GUI] = EXT | 0x1F, [PC_KEY_LEFT_ALT] = 0x11,
    [PC_KEY_SPACE] = 0x29, [PC_KEY_RIGHT_ALT] = EXT | 0x11, [PC_KEY_RIGHT_GUI] = EXT | 0x27,
    [PC_KEY_MENU] = EXT | 0x2F, [PC_KEY_RIGHT_CTRL] = EXT | 0x14,
    [PC_KEY_INSERT] = EXT | 0x70, [PC_KEY_HOME] = EXT | 0x6C, [PC_KEY_PAGE_UP] = EXT | 0x7D,
    [PC_KEY_DELETE] = EXT | 0x71, [PC_KEY_END] = EXT | 0x69, [PC_KEY_PAGE_DOWN] = EXT | 0x7A,
    [PC_KEY_UP] = EXT | 0x75, [PC_KEY_LEFT] = EXT | 0x6B, [PC_KEY_DOWN] = EXT | 0x72,
    [PC_KEY_RIGHT] = EXT | 0x74,
    [PC_KEY_NUM_LOCK] = 0x77, [PC_KEY_KP_DIVIDE] = EXT | 0x4A, [PC_KEY_KP_MULTIPLY] = 0x7C,
    [PC_KEY_KP_MINUS] = 0x7B, [PC_KEY_KP_7] = 0x6C, [PC_KEY_KP_8] = 0x75, [PC_KEY_KP_9] = 0x7D,
    [PC_KEY_KP_PLUS] = 0x79, [PC_KEY_KP_4] = 0x6B, [PC_KEY_KP_5] = 0x73, [PC_KEY_KP_6] = 0x74,
    [PC_KEY_KP_1] = 0x69, [PC_KEY_KP_2] = 0x72, [PC_KEY_KP_3] = 0x7A,
    [PC_KEY_KP_ENTER] = EXT | 0x5A, [PC_KEY_KP_0] = 0x70, [PC_KEY_KP_PERIOD] = 0x71,
};

static void kbd_send(struct i8042 *c, uint8_t b)
{
    ps2_queue_push(&c->kbd.q, b);
    i8042_schedule_delivery(c);
}

static void kbd_clear_output(struct i8042 *c)
{
    ps2_queue_clear(&c->kbd.q);
    c->kbd.set1_break = 0;
    c->ctrl.xlate_break = 0;
}

static void kbd_stop_repeat(struct i8042 *c)
{
    c->kbd.repeat_key = PC_KEY_NONE;
    timer_cancel(c->clock, &c->kbd_repeat);
}

static void kbd_defaults(struct ps2_kbd *k)
{
    k->typematic = DEFAULT_TYPEMATIC;
    k->set = 2;
    k->set1_break = 0;
}

/* Typematic delay: 250 ms x (1 + bits 5-6).  Period: (8 + bits 0-2) x
 * 2^(bits 3-4) / 240 s, from 30 down to 2 characters per second. */
static cycles_t typematic_delay(const struct i8042 *c)
{
    return clock_ns_to_cycles(c->clock, 250000000ull * (1u + ((c->kbd.typematic >> 5) & 3u)));
}

static cycles_t typematic_period(const struct i8042 *c)
{
    uint64_t units = (8u + (c->kbd.typematic & 7u)) << ((c->kbd.typematic >> 3) & 3u);
    return (cycles_t)(units * c->clock->hz / 240u);
}

static int key_held(const struct ps2_kbd *k, unsigned key) { return (k->held[key / 8] >> (key % 8)) & 1; }

static void set_key_held(struct ps2_kbd *k, unsigned key, int on)
{
    if (on)
        k->held[key / 8] |= (uint8_t)(1u << (key % 8));
    else
        k->held[key / 8] &= (uint8_t)~(1u << (key % 8));
}

/* Print Screen and Pause change their codes with the modifiers held. */
static int special_sequence(const struct ps2_kbd *k, unsigned key, int make, int repeat, uint8_t *s)
{
    int shift = key_held(k, PC_KEY_LEFT_SHIFT) || key_held(k, PC_KEY_RIGHT_SHIFT);
    int ctrl = key_held(k, PC_KEY_LEFT_CTRL) || key_held(k, PC_KEY_RIGHT_CTRL);
    int alt = key_held(k, PC_KEY_LEFT_ALT) || key_held(k, PC_KEY_RIGHT_ALT);
    static const uint8_t pause[] = { 0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77 };
    static const uint8_t brk[] = { 0xE0, 0x7E, 0xE0, 0xF0, 0x7E };
    static const uint8_t prt_make[] = { 0xE0, 0x12, 0xE0, 0x7C };
    static const uint8_t prt_break[] = { 0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12 };
    const uint8_t *src;
    int n;
    if (key == PC_KEY_PAUSE) {
        if (!make)
            return 0;                       /* Pause has no break code */
        src = ctrl ? brk : pause;
        n = ctrl ? (int)sizeof(brk) : (int)sizeof(pause);
    } else if (alt) {                       /* Alt+Print Screen is SysRq */
        n = 0;
        if (!make)
            s[n++] = 0xF0;
        s[n++] = 0x84;
        return n;
    } else if (shift || ctrl || repeat) {
        src = make ? prt_make + 2 : prt_break;
        n = make ? 2 : 3;
    } else {
        src = make ? prt_make : prt_break;
        n = make ? (int)sizeof(prt_make) : (int)sizeof(prt_break);
    }
    memcpy(s, src, (size_t)n);
    return n;
}

/* The set-2 bytes for a key event (at most 8). */
static int key_sequence(const struct ps2_kbd *k, unsigned key, int make, int repeat, uint8_t *s)
{
    if (key == PC_KEY_PAUSE || key == PC_KEY_PRINT_SCREEN)
        return special_sequence(k, key, make, repeat, s);
    int n = 0;
    uint16_t code = set2_code[key];
    if (code & EXT)
        s[n++] = 0xE0;
    if (!make)
        s[n++] = 0xF0;
    s[n++] = (uint8_t)code;
    return n;
}

/* Key bytes into the keyboard's 16-byte FIFO; when it is full an overrun
 * code takes the 17th place and later bytes are lost (IBM keyboard
 * technical reference, "Buffer"). */
static void kbd_emit(struct i8042 *c, const uint8_t *seq, int n)
{
    struct ps2_kbd *k = &c->kbd;
    for (int i = 0; i < n; i++) {
        uint8_t b = seq[i];
        if (k->set == 1) {
            int t = i8042_translate(&k->set1_break, b);
            if (t < 0)
                continue;
            b = (uint8_t)t;
        }
        if (k->q.count < I8042_KBD_BUFFER)
            ps2_queue_push(&k->q, b);
        else if (k->q.count == I8042_KBD_BUFFER)
            ps2_queue_push(&k->q, k->set == 1 ? 0xFF : 0x00);
    }
    i8042_schedule_delivery(c);
}

static void kbd_repeat_fire(void *opaque, cycles_t now)
{
    struct i8042 *c = opaque;
    struct ps2_kbd *k = &c->kbd;
    (void)now;
    if (k->repeat_key == PC_KEY_NONE || !k->scanning || k->in_bat)
        return;
    uint8_t seq[8];
    int n = key_sequence(k, k->repeat_key, 1, 1, seq);
    kbd_emit(c, seq, n);
    timer_arm(c->clock, &c->kbd_repeat, c->kbd_repeat.when + typematic_period(c));
}

void i8042_key(struct i8042 *c, enum pc_key key, int pressed)
{
    struct ps2_kbd *k = &c->kbd;
    unsigned kk = (unsigned)key;
    if (kk == PC_KEY_NONE || kk >= PC_KEY_COUNT || key_held(k, kk) == !!pressed)
        return;
    set_key_held(k, kk, pressed);
    if (!pressed && k->repeat_key == kk)
        kbd_stop_repeat(c);
    if (!k->scanning || k->in_bat)
        return;
    uint8_t seq[8];
    int n = key_sequence(k, kk, pressed, 0, seq);
    kbd_emit(c, seq, n);
    /* Only the last key pressed repeats; Pause never does. */
    if (pressed && kk == PC_KEY_PAUSE) {
        kbd_stop_repeat(c);
    } else if (pressed) {
        k->repeat_key = (uint8_t)kk;
        timer_arm(c->clock, &c->kbd_repeat, c->clock->now + typematic_delay(c));
    }
}

static void kbd_bat_fire(void *opaque, cycles_t now)
{
    struct i8042 *c = opaque;
    (void)now;
    c->kbd.in_bat = 0;
    c->kbd.scanning = 1;
    kbd_send(c, KBD_BAT_OK);
}

/* The parameter byte of ED, F0, F3 and the set-3 key lists.  A command
 * byte in its place cancels the command (IBM keyboard reference); returns
 * 0 then so the byte is run as a command. */
static int kbd_param(struct i8042 *c, uint8_t cmd, uint8_t b)
{
    struct ps2_kbd *k = &c->kbd;
    if (b >= 0xED) {
        k->pending = 0;
        return 0;
    }
    k->pending = cmd >= 0xFB ? cmd : 0;     /* key lists go on until a command */
    switch (cmd) {
    case 0xED:
        k->leds = b & 7u;
        break;
    case 0xF3:
        k->typematic = b & 0x7Fu;
        break;
    case 0xF0:
        if (b > 3) {
            k->pending = cmd;
            kbd_send(c, KBD_RESEND);
            return 1;
        }
        if (b == 3)
            i8042_warn_once(&c->warned_other, 0, "request for scan code set", b);
        if (b == 1 || b == 2)
            k->set = b;
        kbd_send(c, KBD_ACK);
        if (b == 0)
            kbd_send(c, k->set);
        return 1;
    default:
        break;
    }
    kbd_send(c, KBD_ACK);
    return 1;
}

static void kbd_command(struct i8042 *c, uint8_t b)
{
    struct ps2_kbd *k = &c->kbd;
    switch (b) {
    case 0xED: case 0xF0: case 0xF3: case 0xFB: case 0xFC: case 0xFD:
        k->pending = b;
        kbd_send(c, KBD_ACK);
        break;
    case 0xEE:                              /* echo */
        kbd_send(c, 0xEE);
        break;
    case 0xF2:                              /* identify: MF2 keyboard */
        kbd_send(c, KBD_ACK);
        kbd_send(c, 0xAB);
        kbd_send(c, 0x83);
        break;
    case 0xF4: case 0xF5: case 0xF6:        /* enable / default+disable / default */
        kbd_clear_output(c);
        kbd_stop_repeat(c);
        if (b != 0xF4)
            kbd_defaults(k);
        k->scanning = b != 0xF5;
        kbd_send(c, KBD_ACK);
        break;
    case 0xF7: case 0xF8: case 0xF9: case 0xFA:   /* set-3 key types: no effect in set 2 */
        kbd_send(c, KBD_ACK);
        break;
    case 0xFE:
        kbd_send(c, k->last_sent);
        break;
    case 0xFF:
        kbd_clear_output(c);
        kbd_stop_repeat(c);
        kbd_send(c, KBD_ACK);
        kbd_defaults(k);
        k->leds = 0;
        k->scanning = 0;
        k->in_bat = 1;
        timer_arm(c->clock, &c->kbd_bat, i8042_after_ns(c, I8042_BAT_NS));
        break;
    default:
        i8042_warn_once(&c->warned_other, 1, "keyboard command", b);
        kbd_send(c, KBD_RESEND);
        break;
    }
}

void ps2_kbd_receive(struct i8042 *c, uint8_t b)
{
    if (c->kbd.pending && kbd_param(c, c->kbd.pending, b))
        return;
    kbd_command(c, b);
}

void ps2_kbd_reset(struct i8042 *c)
{
    timer_cancel(c->clock, &c->kbd_bat);
    timer_cancel(c->clock, &c->kbd_repeat);
    memset(&c->kbd, 0, sizeof(c->kbd));
    kbd_defaults(&c->kbd);
    c->kbd.scanning = 1;
}

void ps2_kbd_init_timers(struct i8042 *c)
{
    timer_init(&c->kbd_bat, "ps2kbd-bat", kbd_bat_fire, c);
    timer_init(&c->kbd_repeat, "ps2kbd-typematic", kbd_repeat_fire, c);
}
