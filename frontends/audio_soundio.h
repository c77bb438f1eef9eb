/*
 * Sound output through libsoundio (JACK, PulseAudio, ALSA, CoreAudio,
 * WASAPI): 16-bit mono samples pushed from the emulator's thread into a
 * ring buffer that the device's thread drains, with silence when it runs
 * dry.  Without libsoundio (HAVE_SOUNDIO 0) opening always fails and the
 * caller falls back to another output.
 */
#ifndef TRAPEZE_FRONTENDS_AUDIO_SOUNDIO_H
#define TRAPEZE_FRONTENDS_AUDIO_SOUNDIO_H

#include <stddef.h>
#include <stdint.h>

struct soundio_out;

/* The default output device at `rate` Hz, `buffer_seconds` of ring.
 * Returns NULL with a reason (no backend but the dummy one, no device, the
 * rate or the sample formats unsupported). */
struct soundio_out *soundio_out_open(uint32_t rate, double buffer_seconds, char *err, size_t errlen);
/* Queues samples; returns how many fitted. */
size_t soundio_out_write(struct soundio_out *o, const int16_t *samples, size_t count);
/* Samples queued and not yet taken by the device. */
size_t soundio_out_queued(struct soundio_out *o);
/* Non-zero once the device or the sound server went away. */
int soundio_out_failed(struct soundio_out *o);
void soundio_out_pause(struct soundio_out *o, int paused);
void soundio_out_close(struct soundio_out *o);

#endif
