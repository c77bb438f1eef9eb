/*
 * WAV files: 16-bit PCM, RIFF "WAVE" with a "fmt " and a "data" chunk.
 */
#include "frontends/wav.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    put_le16(p, (uint16_t)v);
    put_le16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t get_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get_le32(const uint8_t *p) { return get_le16(p) | (uint32_t)get_le16(p + 2) << 16; }

/* The 44-byte header for `data_bytes` of samples (0xFFFFFFFF sizes while
 * the length is not known yet). */
static void build_header(uint8_t h[WAV_HEADER_BYTES], uint32_t rate, uint16_t channels, uint64_t data_bytes,
                         int known)
{
    uint16_t block = (uint16_t)(channels * 2u);
    memcpy(h, "RIFF", 4);
    put_le32(h + 4, known ? (uint32_t)(data_bytes + WAV_HEADER_BYTES - 8u) : 0xFFFFFFFFu);
    memcpy(h + 8, "WAVEfmt ", 8);
    put_le32(h + 16, 16);               /* fmt chunk size */
    put_le16(h + 20, 1);                /* PCM */
    put_le16(h + 22, channels);
    put_le32(h + 24, rate);
    put_le32(h + 28, rate * block);     /* bytes per second */
    put_le16(h + 32, block);
    put_le16(h + 34, 16);               /* bits per sample */
    memcpy(h + 36, "data", 4);
    put_le32(h + 40, known ? (uint32_t)data_bytes : 0xFFFFFFFFu);
}

int wav_open(struct wav_writer *w, const char *path, uint32_t rate, uint16_t channels, char *err,
             size_t errlen)
{
    memset(w, 0, sizeof(*w));
    if (rate == 0 || channels == 0 || channels > 8) {
        snprintf(err, errlen, "WAV: unsupported format (%u Hz, %u channels)", (unsigned)rate, (unsigned)channels);
        return -1;
    }
    w->f = fopen(path, "wb");
    if (!w->f) {
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    snprintf(w->path, sizeof(w->path), "%s", path);
    w->rate = rate;
    w->channels = channels;
    uint8_t h[WAV_HEADER_BYTES];
    build_header(h, rate, channels, 0, 0);
    if (fwrite(h, 1, sizeof(h), w->f) != sizeof(h)) {
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        fclose(w->f);
        w->f = NULL;
        return -1;
    }
    return 0;
}

int wav_write(struct wav_writer *w, const int16_t *samples, size_t count)
{
    if (!w->f || w->failed || w->full)
        return -1;
    uint8_t buf[1024];
    while (count > 0) {
        size_t n = count < sizeof(buf) / 2 ? count : sizeof(buf) / 2;
        if (w->data_bytes + 2u * n > WAV_MAX_DATA_BYTES) {
            w->full = 1;
            fprintf(stderr, "trapeze: '%s' reached the WAV size limit (4 GiB); recording stopped\n", w->path);
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            put_le16(buf + 2 * i, (uint16_t)samples[i]);
        if (fwrite(buf, 2, n, w->f) != n) {
            w->failed = 1;
            fprintf(stderr, "trapeze: cannot write '%s': %s; recording stopped\n", w->path, strerror(errno));
            return -1;
        }
        w->data_bytes += 2u * n;
        samples += n;
        count -= n;
    }
    return 0;
}

int wav_close(struct wav_writer *w, char *err, size_t errlen)
{
    if (!w->f)
        return 0;
    int r = 0;
    uint8_t h[WAV_HEADER_BYTES];
    build_header(h, w->rate, w->channels, w->data_bytes, 1);
    /* A pipe cannot seek: its header keeps the "unknown length" sizes. */
    if (fflush(w->f) != 0 || (fseek(w->f, 0, SEEK_SET) == 0 && fwrite(h, 1, sizeof(h), w->f) != sizeof(h)))
        r = -1;
    if (fclose(w->f) != 0)
        r = -1;
    w->f = NULL;
    if (r != 0 || w->failed) {
        snprintf(err, errlen, "cannot write '%s'", w->path);
        return -1;
    }
    return 0;
}

/* ---- Reading ---------------------------------------------------------- */

static uint8_t *slurp(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *bigger = cap < ((size_t)1 << 31) ? realloc(buf, cap * 2) : NULL;
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        snprintf(err, errlen, "cannot read '%s'", path);
        return NULL;
    }
    *len = n;
    return buf;
}

/* Walks the RIFF chunks for "fmt " and "data". */
int wav_read(const char *path, int16_t **samples, size_t *count, uint32_t *rate, uint16_t *channels,
             char *err, size_t errlen)
{
    size_t len;
    uint8_t *b = slurp(path, &len, err, errlen);
    if (!b)
        return -1;
    const uint8_t *fmt = NULL, *data = NULL;
    size_t data_len = 0;
    if (len >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WAVE", 4) == 0) {
        size_t pos = 12;
        while (pos + 8 <= len && !data) {
            uint32_t size = get_le32(b + pos + 4);
            size_t avail = len - pos - 8;
            if (memcmp(b + pos, "fmt ", 4) == 0 && size >= 16 && size <= avail)
                fmt = b + pos + 8;
            if (memcmp(b + pos, "data", 4) == 0) {
                data = b + pos + 8;
                data_len = size < avail ? size : avail;    /* 0xFFFFFFFF: to the end */
            }
            if (size > avail)
                break;
            pos += 8 + (size_t)size + (size & 1u);
        }
    }
    if (!fmt || !data || get_le16(fmt) != 1 || get_le16(fmt + 14) != 16 || get_le16(fmt + 2) == 0) {
        free(b);
        snprintf(err, errlen, "'%s' is not a 16-bit PCM WAV file", path);
        return -1;
    }
    *rate = get_le32(fmt + 4);
    *channels = get_le16(fmt + 2);
    *count = data_len / 2;
    *samples = malloc(*count ? *count * sizeof(int16_t) : 1);
    if (!*samples) {
        free(b);
        snprintf(err, errlen, "out of memory reading '%s'", path);
        return -1;
    }
    for (size_t i = 0; i < *count; i++) {
        int v = get_le16(data + 2 * i);
        (*samples)[i] = (int16_t)(v >= 0x8000 ? v - 0x10000 : v);
    }
    free(b);
    return 0;
}
