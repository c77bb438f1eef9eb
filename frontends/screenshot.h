/* Screenshots of the emulated display. */
#ifndef TRAPEZE_FRONTENDS_SCREENSHOT_H
#define TRAPEZE_FRONTENDS_SCREENSHOT_H

#include <stddef.h>

struct vga;

/* The current picture as a PNG.  Returns 0, or -1 with a reason. */
int screenshot_png(struct vga *vga, const char *path, char *err, size_t errlen);
/* The text screen's characters, one line per row ("-": stdout). */
int screenshot_text(struct vga *vga, const char *path, char *err, size_t errlen);

#endif
