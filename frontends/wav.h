/*
 * WAV files: 16-bit PCM in a RIFF container (the layout of Microsoft's
 * "Multimedia Programming Interface and Data Specifications 1.0", chunk
 * "fmt " with format tag 1).  Written byte by byte in little-endian order,
 * so the files are the same on every host.
 *
 * The sizes in the header are filled in by wav_close(); until then they
 * hold 0xFFFFFFFF, which players read as "up to the end of the file", so a
 * recording cut short by a crash still plays.
 */
#ifndef TRAPEZE_FRONTENDS_WAV_H
#define TRAPEZE_FRONTENDS_WAV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define WAV_HEADER_BYTES 44u
/* The RIFF size field is 32 bits: the data chunk stops growing here. */
#define WAV_MAX_DATA_BYTES (0xFFFFFFFFu - (WAV_HEADER_BYTES - 8u))

struct wav_writer {
    FILE *f;                    /* NULL: closed */
    uint32_t rate;
    uint16_t channels;
    uint64_t data_bytes;
    int full;                   /* the 4 GiB limit was reached (said once) */
    int failed;                 /* a write failed (said once) */
    char path[256];             /* for messages (may be truncated) */
};

/* Creates `path` for 16-bit samples.  Returns 0, or -1 with a reason. */
int wav_open(struct wav_writer *w, const char *path, uint32_t rate, uint16_t channels, char *err,
             size_t errlen);
/* Appends `count` samples (interleaved when channels > 1).  Returns 0, or
 * -1 once the file cannot take more (the reason went to stderr once). */
int wav_write(struct wav_writer *w, const int16_t *samples, size_t count);
/* Fills in the header's sizes and closes.  Returns 0, or -1 with a reason.
 * Safe on a closed writer. */
int wav_close(struct wav_writer *w, char *err, size_t errlen);

/* Reads a 16-bit PCM WAV file (tests, tools).  *samples is malloc'd and
 * holds *count samples.  Returns 0, or -1 with a reason. */
int wav_read(const char *path, int16_t **samples, size_t *count, uint32_t *rate, uint16_t *channels,
             char *err, size_t errlen);

#endif
