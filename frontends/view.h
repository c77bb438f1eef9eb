/*
 * Where the guest's picture goes in a window: the geometry of aspect-
 * correct and integer scaling, apart from SDL so it can be tested.
 *
 * Aspect: the legacy VGA modes fill a 4:3 monitor whatever their pixel
 * count (80x25 text is 720x400, mode 13h 320x200: their pixels are taller
 * than wide), while the VBE modes have square pixels (1920x1080 is 16:9).
 *
 * Aspect scaling fits the 4:3 (or square-pixel) picture into the window
 * and centres it, any size.  Integer scaling makes every guest pixel a
 * block of n by m host pixels: n as large as fits, m the whole number
 * nearest n times the pixel's height/width ratio (1 for VBE modes), so
 * pixels stay sharp and the aspect is the closest whole-number one.
 */
#ifndef TRAPEZE_FRONTENDS_VIEW_H
#define TRAPEZE_FRONTENDS_VIEW_H

#define VIEW_MIN_WIDTH 640          /* a new window is at least this wide */

struct view_rect {
    int x, y, w, h;
};

/* The picture's height on a display for a w x h mode (w wide). */
double view_display_height(int w, int h, int square_pixels);
/* The window size a w x h mode asks for: its display size, doubled and
 * so on while narrower than VIEW_MIN_WIDTH, then shrunk to fit within
 * max_w x max_h (0: no limit). */
void view_natural_size(int w, int h, int square_pixels, int integer, int max_w, int max_h, int *win_w,
                       int *win_h);
/* Where a w x h picture goes in a win_w x win_h window. */
struct view_rect view_place(int w, int h, int square_pixels, int integer, int win_w, int win_h);

#endif
