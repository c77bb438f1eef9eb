/*
 * The SDL2 window (built only when ./configure found SDL2).
 */
#ifndef TRAPEZE_FRONTENDS_SDL_H
#define TRAPEZE_FRONTENDS_SDL_H

#include "bus/machine.h"

struct desktop_session;

/* Runs the session in a window until the guest stops, the cycle budget
 * runs out or the user quits (*st = MACHINE_POWEROFF).  Returns 0, or -1
 * when no window could be opened (one line on stderr said why; nothing
 * ran, the caller goes on headless). */
int sdl_frontend_run(struct desktop_session *s, enum machine_status *st);

#endif
