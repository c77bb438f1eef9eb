/*
 * Screenshots: the VGA framebuffer to a PNG file (libpng), and the text
 * screen to a plain text file.
 */
#include "frontends/screenshot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "peripherals/vga.h"

#if HAVE_PNG
#include <png.h>
#endif

int screenshot_png(struct vga *vga, const char *path, char *err, size_t errlen)
{
#if HAVE_PNG
    int w, h, changed;
    vga_render(vga);
    const uint32_t *fb = vga_framebuffer(vga, &w, &h, &changed);
    if (!fb || w <= 0 || h <= 0) {
        snprintf(err, errlen, "no picture to save (the display is off)");
        return -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    uint8_t *row = malloc((size_t)w * 3);
    if (!png || !info || !row || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(row);
        fclose(f);
        snprintf(err, errlen, "cannot encode '%s'", path);
        return -1;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            uint32_t p = fb[(size_t)y * (size_t)w + (size_t)x];
            row[3 * x] = (uint8_t)(p >> 16);
            row[3 * x + 1] = (uint8_t)(p >> 8);
            row[3 * x + 2] = (uint8_t)p;
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(row);
    if (fclose(f) != 0) {
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0;
#else
    (void)vga;
    (void)path;
    snprintf(err, errlen, "PNG screenshots need libpng (./configure --install-deps)");
    return -1;
#endif
}

int screenshot_text(struct vga *vga, const char *path, char *err, size_t errlen)
{
    char buf[132 * 60 + 64];
    size_t n = vga_text_snapshot(vga, buf, sizeof(buf));
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    fwrite(buf, 1, n, f);
    if (n && buf[n - 1] != '\n')
        fputc('\n', f);
    if (f != stdout && fclose(f) != 0) {
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0;
}
