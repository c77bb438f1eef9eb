/*
 * Comparing the window on an X screen with the emulator's own screenshot,
 * for tests/guests/sdl-window.sh:
 *
 *   test_screen_compare --compare SCREEN.xwd SHOT.png X Y W H [--exact | --tolerance N]
 *
 * SCREEN.xwd is an X screen in XWD format (Xvfb -fbdir keeps its screen
 * in one); SHOT.png is the emulator's framebuffer; the picture was shown
 * at X,Y with size W x H on that screen.  Each framebuffer pixel is
 * compared with the screen pixel at the centre of the area it was scaled
 * to.  --exact (W x H equal to the framebuffer's size) wants every pixel
 * equal; otherwise a pixel matches when no channel is off by more than N
 * (default 100: what linear filtering can do to a pixel that keeps at
 * least 60% of its own weight), and 99% must match.  Prints "N passed,
 * N failed".
 *
 * Without arguments: the same code on made-up images (an XWD file and a
 * PNG written here), so `make check` covers the reader and the rules.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/testlib.h"

TEST_MAIN_COUNTS;

#if HAVE_PNG

#include <png.h>

struct image {
    int w, h;
    uint32_t *px;               /* 0x00RRGGBB */
};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int mask_shift(uint32_t mask)
{
    int s = 0;
    while (mask && !(mask & 1u)) {
        mask >>= 1;
        s++;
    }
    return s;
}

static uint32_t channel(uint32_t pixel, uint32_t mask)
{
    if (!mask)
        return 0;
    uint32_t v = (pixel & mask) >> mask_shift(mask), max = mask >> mask_shift(mask);
    return max == 255 ? v : v * 255u / max;
}

/* An XWD file: a big-endian header of 25 words, the window name, the
 * colour map, then ZPixmap rows.  TrueColor 24/32-bit pixels only. */
static int read_xwd(const char *path, struct image *img)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    uint8_t h[100];
    int ok = fread(h, 1, sizeof(h), f) == sizeof(h);
    uint32_t hsize = be32(h), version = be32(h + 4), format = be32(h + 8), w = be32(h + 16), ht = be32(h + 20);
    uint32_t byte_order = be32(h + 28), bpp = be32(h + 44), bpl = be32(h + 48);
    uint32_t rmask = be32(h + 56), gmask = be32(h + 60), bmask = be32(h + 64), ncolors = be32(h + 76);
    ok = ok && version == 7 && format == 2 && (bpp == 32 || bpp == 24) && w && ht && w < 16384 && ht < 16384 &&
         bpl >= w * (bpp / 8) && hsize >= 100;
    uint8_t *row = ok ? malloc(bpl) : NULL;
    img->w = (int)w;
    img->h = (int)ht;
    img->px = ok ? malloc((size_t)w * ht * sizeof(uint32_t)) : NULL;
    ok = ok && row && img->px && fseek(f, (long)hsize + (long)ncolors * 12, SEEK_SET) == 0;
    for (uint32_t y = 0; ok && y < ht; y++) {
        ok = fread(row, 1, bpl, f) == bpl;
        for (uint32_t x = 0; ok && x < w; x++) {
            const uint8_t *p = row + x * (bpp / 8);
            uint32_t v = 0;
            for (uint32_t b = 0; b < bpp / 8; b++)
                v |= (uint32_t)p[b] << (byte_order == 0 ? 8 * b : 8 * (bpp / 8 - 1 - b));
            img->px[(size_t)y * w + x] = channel(v, rmask) << 16 | channel(v, gmask) << 8 | channel(v, bmask);
        }
    }
    free(row);
    fclose(f);
    if (!ok) {
        free(img->px);
        img->px = NULL;
    }
    return ok ? 0 : -1;
}

static int read_png(const char *path, struct image *img)
{
    png_image pi;
    memset(&pi, 0, sizeof(pi));
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&pi, path))
        return -1;
    pi.format = PNG_FORMAT_RGB;
    uint8_t *buf = malloc(PNG_IMAGE_SIZE(pi));
    if (!buf || !png_image_finish_read(&pi, NULL, buf, 0, NULL)) {
        free(buf);
        png_image_free(&pi);
        return -1;
    }
    img->w = (int)pi.width;
    img->h = (int)pi.height;
    img->px = malloc((size_t)img->w * img->h * sizeof(uint32_t));
    for (size_t i = 0; img->px && i < (size_t)img->w * img->h; i++)
        img->px[i] = (uint32_t)buf[3 * i] << 16 | (uint32_t)buf[3 * i + 1] << 8 | buf[3 * i + 2];
    free(buf);
    return img->px ? 0 : -1;
}

static int channel_diff(uint32_t a, uint32_t b)
{
    int worst = 0;
    for (int s = 0; s < 24; s += 8) {
        int d = abs((int)((a >> s) & 0xFF) - (int)((b >> s) & 0xFF));
        worst = d > worst ? d : worst;
    }
    return worst;
}

/* Framebuffer pixels whose scaled counterpart on the screen differs by
 * more than `tolerance`; -1 when the area leaves the screen. */
static long mismatches(const struct image *screen, const struct image *fb, int x0, int y0, int w, int h,
                       int tolerance)
{
    if (x0 < 0 || y0 < 0 || w <= 0 || h <= 0 || x0 + w > screen->w || y0 + h > screen->h)
        return -1;
    long bad = 0;
    for (int y = 0; y < fb->h; y++) {
        int sy = y0 + (int)(((double)y + 0.5) * h / fb->h);
        for (int x = 0; x < fb->w; x++) {
            int sx = x0 + (int)(((double)x + 0.5) * w / fb->w);
            if (channel_diff(screen->px[(size_t)sy * screen->w + sx], fb->px[(size_t)y * fb->w + x]) > tolerance)
                bad++;
        }
    }
    return bad;
}

static long lit_pixels(const struct image *fb)
{
    long n = 0;
    for (size_t i = 0; i < (size_t)fb->w * fb->h; i++)
        n += (fb->px[i] & 0xFFFFFF) != 0;
    return n;
}

static int compare(int argc, char **argv)
{
    struct image screen, fb;
    int exact = argc > 6 && strcmp(argv[6], "--exact") == 0;
    int tolerance = argc > 7 && strcmp(argv[6], "--tolerance") == 0 ? atoi(argv[7]) : 100;
    int x = atoi(argv[2]), y = atoi(argv[3]), w = atoi(argv[4]), h = atoi(argv[5]);
    if (read_xwd(argv[0], &screen) != 0 || read_png(argv[1], &fb) != 0) {
        fprintf(stderr, "cannot read %s or %s\n", argv[0], argv[1]);
        CHECK(0);
        return test_report();
    }
    long lit = lit_pixels(&fb);
    printf("framebuffer %dx%d (%ld pixels lit), screen %dx%d, picture at %d,%d size %dx%d\n", fb.w, fb.h, lit,
           screen.w, screen.h, x, y, w, h);
    CHECK(lit > 500);                           /* something to compare */
    long bad;
    if (exact) {
        CHECK(w == fb.w && h == fb.h);
        bad = mismatches(&screen, &fb, x, y, w, h, 0);
        printf("%ld pixels differ\n", bad);
        CHECK_EQ(bad, 0);
    } else {
        bad = mismatches(&screen, &fb, x, y, w, h, tolerance);
        printf("%ld of %ld pixels differ by more than %d\n", bad, (long)fb.w * fb.h, tolerance);
        CHECK(bad >= 0 && bad * 100 <= (long)fb.w * fb.h);
    }
    free(screen.px);
    free(fb.px);
    return test_report();
}

/* ---- Self test on made-up images ----------------------------------------- */

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* A 32-bit little-endian TrueColor XWD of `img`, as Xvfb writes it. */
static int write_xwd(const char *path, const struct image *img)
{
    uint8_t h[108] = { 0 };
    uint32_t fields[25] = { 108, 7, 2, 24, (uint32_t)img->w, (uint32_t)img->h, 0, 0, 32, 0, 32, 32,
                            (uint32_t)img->w * 4, 4, 0xFF0000, 0xFF00, 0xFF, 8, 256, 2, (uint32_t)img->w,
                            (uint32_t)img->h, 0, 0, 0 };
    for (int i = 0; i < 25; i++)
        put_be32(h + 4 * i, fields[i]);
    memcpy(h + 100, "screen0", 8);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    uint8_t colors[24] = { 0 };
    int ok = fwrite(h, 1, sizeof(h), f) == sizeof(h) && fwrite(colors, 1, 24, f) == 24;
    for (size_t i = 0; ok && i < (size_t)img->w * img->h; i++) {
        uint8_t p[4] = { (uint8_t)img->px[i], (uint8_t)(img->px[i] >> 8), (uint8_t)(img->px[i] >> 16), 0 };
        ok = fwrite(p, 1, 4, f) == 4;
    }
    return fclose(f) == 0 && ok ? 0 : -1;
}

static int write_png(const char *path, const struct image *img)
{
    png_image pi;
    memset(&pi, 0, sizeof(pi));
    pi.version = PNG_IMAGE_VERSION;
    pi.width = (png_uint_32)img->w;
    pi.height = (png_uint_32)img->h;
    pi.format = PNG_FORMAT_RGB;
    uint8_t *buf = malloc((size_t)img->w * img->h * 3);
    for (size_t i = 0; i < (size_t)img->w * img->h; i++) {
        buf[3 * i] = (uint8_t)(img->px[i] >> 16);
        buf[3 * i + 1] = (uint8_t)(img->px[i] >> 8);
        buf[3 * i + 2] = (uint8_t)img->px[i];
    }
    int ok = png_image_write_to_file(&pi, path, 0, buf, 0, NULL);
    free(buf);
    return ok ? 0 : -1;
}

/* A "text screen": grey strokes on black. */
static void fill_pattern(struct image *img, int w, int h)
{
    img->w = w;
    img->h = h;
    img->px = calloc((size_t)w * h, sizeof(uint32_t));
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if ((y / 16) % 2 == 0 && (x % 9) < 7 && (y % 16) > 2 && ((x / 9 + y) % 3) != 0)
                img->px[(size_t)y * w + x] = 0xAAAAAA;
}

/* The picture drawn into a screen at (x0,y0) with size w x h, sampled
 * at each screen pixel's centre (nearest neighbour, as renderers do). */
static void draw_scaled(struct image *screen, const struct image *fb, int x0, int y0, int w, int h)
{
    for (int y = 0; y < h; y++) {
        int fy = (int)(((double)y + 0.5) * fb->h / h);
        for (int x = 0; x < w; x++) {
            int fx = (int)(((double)x + 0.5) * fb->w / w);
            screen->px[(size_t)(y0 + y) * screen->w + x0 + x] = fb->px[(size_t)fy * fb->w + fx];
        }
    }
}

static void self_test(void)
{
    char xwd[] = "/tmp/trapeze-screen-XXXXXX", png[] = "/tmp/trapeze-shot-XXXXXX";
    int a = mkstemp(xwd), b = mkstemp(png);
    CHECK(a >= 0 && b >= 0);
    if (a < 0 || b < 0)
        return;
    close(a);
    close(b);
    struct image fb, screen, back;
    fill_pattern(&fb, 72, 40);
    screen.w = 200;
    screen.h = 150;
    screen.px = calloc((size_t)screen.w * screen.h, sizeof(uint32_t));
    draw_scaled(&screen, &fb, 10, 20, 72, 40);
    draw_scaled(&screen, &fb, 100, 20, 72, 54);         /* 4:3 by stretching rows */
    CHECK_EQ(write_png(png, &fb), 0);
    CHECK_EQ(write_xwd(xwd, &screen), 0);
    CHECK_EQ(read_png(png, &back), 0);
    CHECK(back.w == 72 && back.h == 40 && memcmp(back.px, fb.px, 72 * 40 * 4) == 0);
    free(back.px);
    CHECK_EQ(read_xwd(xwd, &back), 0);
    CHECK(back.w == 200 && back.h == 150 && memcmp(back.px, screen.px, 200 * 150 * 4) == 0);
    CHECK_EQ(mismatches(&back, &fb, 10, 20, 72, 40, 0), 0);          /* exact, 1:1 */
    CHECK(mismatches(&back, &fb, 11, 20, 72, 40, 0) > 100);          /* one pixel off */
    CHECK_EQ(mismatches(&back, &fb, 100, 20, 72, 54, 100), 0);       /* scaled */
    CHECK(mismatches(&back, &fb, 100, 36, 72, 54, 100) > 100);       /* one text row off */
    CHECK_EQ(mismatches(&back, &fb, 190, 20, 72, 40, 0), -1);        /* off the screen */
    CHECK(lit_pixels(&fb) > 500);
    free(back.px);
    free(fb.px);
    free(screen.px);
    unlink(xwd);
    unlink(png);
}

int main(int argc, char **argv)
{
    if (argc >= 8 && strcmp(argv[1], "--compare") == 0)
        return compare(argc - 2, argv + 2);
    if (argc > 1) {
        fprintf(stderr, "usage: %s --compare SCREEN.xwd SHOT.png X Y W H [--exact | --tolerance N]\n", argv[0]);
        return 2;
    }
    self_test();
    return test_report();
}

#else /* !HAVE_PNG */

int main(void)
{
    printf("skipped: this build has no libpng\n");
    return test_report();
}

#endif
