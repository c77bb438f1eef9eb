/*
 * Picture geometry for the window (see view.h).
 */
#include "frontends/view.h"

#include <math.h>

double view_display_height(int w, int h, int square_pixels)
{
    return square_pixels ? (double)h : (double)w * 3.0 / 4.0;
}

/* Vertical block size for horizontal block size n. */
static int integer_rows(int n, int w, int h, int square_pixels)
{
    if (square_pixels)
        return n;
    long m = lround((double)n * view_display_height(w, h, 0) / (double)h);
    return m < 1 ? 1 : (int)m;
}

static struct view_rect fit_aspect(int w, int h, int square_pixels, int win_w, int win_h)
{
    double aspect = (double)w / view_display_height(w, h, square_pixels);
    struct view_rect r;
    if ((double)win_w >= (double)win_h * aspect) {
        r.h = win_h;
        r.w = (int)lround((double)win_h * aspect);
    } else {
        r.w = win_w;
        r.h = (int)lround((double)win_w / aspect);
    }
    r.w = r.w < 1 ? 1 : r.w;
    r.h = r.h < 1 ? 1 : r.h;
    r.x = (win_w - r.w) / 2;
    r.y = (win_h - r.h) / 2;
    return r;
}

struct view_rect view_place(int w, int h, int square_pixels, int integer, int win_w, int win_h)
{
    if (w <= 0 || h <= 0 || win_w <= 0 || win_h <= 0) {
        struct view_rect none = { 0, 0, win_w > 0 ? win_w : 0, win_h > 0 ? win_h : 0 };
        return none;
    }
    if (integer) {
        for (int n = win_w / w; n >= 1; n--) {
            int m = integer_rows(n, w, h, square_pixels);
            if ((long)m * h <= win_h) {
                struct view_rect r = { (win_w - n * w) / 2, (win_h - m * h) / 2, n * w, m * h };
                return r;
            }
        }
        /* Smaller than one block per pixel: fall back to a plain fit. */
    }
    return fit_aspect(w, h, square_pixels, win_w, win_h);
}

void view_natural_size(int w, int h, int square_pixels, int integer, int max_w, int max_h, int *win_w,
                       int *win_h)
{
    if (w <= 0 || h <= 0) {
        *win_w = VIEW_MIN_WIDTH;
        *win_h = VIEW_MIN_WIDTH * 3 / 4;
        return;
    }
    int n = 1;
    while (n * w < VIEW_MIN_WIDTH)
        n++;
    if (integer) {
        while (n > 1 && ((max_w > 0 && n * w > max_w) ||
                         (max_h > 0 && (long)integer_rows(n, w, h, square_pixels) * h > max_h)))
            n--;
        *win_w = n * w;
        *win_h = integer_rows(n, w, h, square_pixels) * h;
    } else {
        *win_w = n * w;
        *win_h = (int)lround((double)n * view_display_height(w, h, square_pixels));
    }
    if ((max_w > 0 && *win_w > max_w) || (max_h > 0 && *win_h > max_h)) {
        struct view_rect r = fit_aspect(*win_w, *win_h, 1, max_w > 0 ? max_w : *win_w, max_h > 0 ? max_h : *win_h);
        *win_w = r.w;
        *win_h = r.h;
    }
}
