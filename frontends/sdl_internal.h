/*
 * Inside the SDL window frontend: input translation (sdl_input.c, with the
 * key table in sdl_keymap.c), sound output (sdl_audio.c) and the window
 * with its loop (sdl.c).  Only files named sdl*.c include SDL, so a build
 * without SDL2 links without them.
 */
#ifndef TRAPEZE_FRONTENDS_SDL_INTERNAL_H
#define TRAPEZE_FRONTENDS_SDL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <SDL.h>

#include "peripherals/i8042.h"

/* ---- Keys (sdl_keymap.c) ------------------------------------------- */

/* The PC key at an SDL scancode's position, PC_KEY_NONE when a 105-key
 * keyboard has no such key (multimedia keys, Japanese and Korean keys). */
enum pc_key sdl_keymap_lookup(SDL_Scancode sc);

/* ---- Input (sdl_input.c) ------------------------------------------- */

/* What the frontend itself must do after an event. */
enum sdl_command {
    SDL_CMD_NONE,
    SDL_CMD_FULLSCREEN,         /* Ctrl+Alt+F */
    SDL_CMD_SCREENSHOT,         /* Ctrl+Alt+S */
    SDL_CMD_PAUSE,              /* Ctrl+Alt+P: pause or resume */
    SDL_CMD_RESET,              /* Ctrl+Alt+R */
    SDL_CMD_QUIT,               /* Ctrl+Alt+Q, closing the window */
    SDL_CMD_MONITOR,            /* Ctrl+Alt+M */
    SDL_CMD_GRAB,               /* a click into the window */
    SDL_CMD_UNGRAB,             /* Ctrl+Alt+G, or the window lost focus */
};

struct sdl_input {
    struct i8042 *kbc;
    uint8_t held[(PC_KEY_COUNT + 7) / 8];       /* keys the guest was told are down */
    uint8_t swallowed[(SDL_NUM_SCANCODES + 7) / 8]; /* hotkeys: their release is ours too */
    uint8_t warned[(SDL_NUM_SCANCODES + 7) / 8];    /* unknown keys already logged */
    unsigned buttons;           /* I8042_MOUSE_* held */
    int grabbed;                /* the mouse belongs to the guest */
};

void sdl_input_init(struct sdl_input *in, struct i8042 *kbc);
/* Passes one event to the guest's keyboard and mouse (unless `paused`)
 * and says what the frontend has to do about it. */
enum sdl_command sdl_input_event(struct sdl_input *in, const SDL_Event *e, int paused);
/* Every key and button the guest believes held goes up (focus lost). */
void sdl_input_release_all(struct sdl_input *in);

/* ---- Sound (sdl_audio.c) -------------------------------------------- */

struct soundio_out;

struct sdl_audio {
    int backend;                /* 0 none, 1 libsoundio, 2 SDL audio */
    struct soundio_out *sio;
    SDL_AudioDeviceID dev;
    uint32_t rate;
    size_t max_queue;           /* samples: more than this and new ones are dropped */
    size_t prefill;             /* samples of silence put in front after an underrun */
    int paused;
    int lost;                   /* the device went away (said once) */
};

/* Opens the default output (libsoundio first, then SDL audio).  Returns 0,
 * or -1 after one line on stderr; the emulator runs on silent. */
int sdl_audio_open(struct sdl_audio *a, uint32_t rate);
/* A speaker sink (speaker_add_sink): queues samples for the device. */
void sdl_audio_push(void *opaque, const int16_t *samples, size_t count);
void sdl_audio_pause(struct sdl_audio *a, int paused);
void sdl_audio_close(struct sdl_audio *a);

#endif
