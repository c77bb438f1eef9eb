/*
 * Sound output through libsoundio (see audio_soundio.h).
 *
 * The device thread runs write_callback(), which must not block: it only
 * reads libsoundio's lock-free ring buffer (one writer, one reader) and
 * converts 16-bit mono into the stream's format and channel count.  The
 * device going away is reported through an atomic flag that the
 * emulator's thread reads.
 */
#include "frontends/audio_soundio.h"

#include <stdio.h>

#include "config.h"

#if HAVE_SOUNDIO

#include <soundio/soundio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct soundio_out {
    struct SoundIo *sio;
    struct SoundIoDevice *device;
    struct SoundIoOutStream *stream;
    struct SoundIoRingBuffer *ring;     /* int16 mono samples */
    atomic_int failed;
    int is_float;
};

static void put_frames(struct SoundIoOutStream *os, struct SoundIoChannelArea *areas, const int16_t *src,
                       int frames, int is_float)
{
    int channels = os->layout.channel_count;
    for (int f = 0; f < frames; f++) {
        int16_t v = src ? src[f] : 0;
        for (int ch = 0; ch < channels; ch++) {
            char *p = areas[ch].ptr + (ptrdiff_t)areas[ch].step * f;
            if (is_float) {
                float x = (float)v / 32768.0f;
                memcpy(p, &x, sizeof(x));
            } else {
                memcpy(p, &v, sizeof(v));
            }
        }
    }
}

/* Everything queued, up to what the device takes; silence when the ring
 * is dry so the stream never starves (which would make it wait for a full
 * buffer before resuming). */
static void write_callback(struct SoundIoOutStream *os, int frame_count_min, int frame_count_max)
{
    struct soundio_out *o = os->userdata;
    int avail = soundio_ring_buffer_fill_count(o->ring) / (int)sizeof(int16_t);
    int frames = avail < frame_count_max ? avail : frame_count_max;
    int silence = frames < frame_count_min ? frame_count_min - frames : 0;
    if (frames == 0 && silence == 0)
        silence = frame_count_max < 480 ? frame_count_max : 480;
    int total = frames + silence, done = 0;
    while (done < total) {
        struct SoundIoChannelArea *areas;
        int n = total - done;
        if (soundio_outstream_begin_write(os, &areas, &n) != 0 || n <= 0) {
            atomic_store(&o->failed, 1);
            return;
        }
        int from_ring = done < frames ? (frames - done < n ? frames - done : n) : 0;
        if (from_ring) {
            put_frames(os, areas, (const int16_t *)soundio_ring_buffer_read_ptr(o->ring), from_ring, o->is_float);
            soundio_ring_buffer_advance_read_ptr(o->ring, from_ring * (int)sizeof(int16_t));
        }
        if (n > from_ring) {
            struct SoundIoChannelArea moved[SOUNDIO_MAX_CHANNELS];
            for (int ch = 0; ch < os->layout.channel_count; ch++) {
                moved[ch].ptr = areas[ch].ptr + (ptrdiff_t)areas[ch].step * from_ring;
                moved[ch].step = areas[ch].step;
            }
            put_frames(os, moved, NULL, n - from_ring, o->is_float);
        }
        if (soundio_outstream_end_write(os) != 0) {
            atomic_store(&o->failed, 1);
            return;
        }
        done += n;
    }
}

static void underflow_callback(struct SoundIoOutStream *os)
{
    (void)os;   /* the emulator fell behind: silence was played */
}

static void error_callback(struct SoundIoOutStream *os, int err)
{
    struct soundio_out *o = os->userdata;
    (void)err;
    atomic_store(&o->failed, 1);
}

static void backend_disconnect(struct SoundIo *sio, int err)
{
    struct soundio_out *o = sio->userdata;
    (void)err;
    atomic_store(&o->failed, 1);
}

/* Says why, frees everything; returns NULL for the caller to pass on. */
static struct soundio_out *give_up(struct soundio_out *o, char *err, size_t errlen, const char *what, int code)
{
    snprintf(err, errlen, "libsoundio: %s%s%s", what, code ? ": " : "", code ? soundio_strerror(code) : "");
    soundio_out_close(o);
    return NULL;
}

/* The stream on the device, or NULL (everything freed). */
static struct soundio_out *open_stream(struct soundio_out *o, uint32_t rate, char *err, size_t errlen)
{
    struct SoundIoDevice *d = o->device;
    if (!soundio_device_supports_sample_rate(d, (int)rate))
        return give_up(o, err, errlen, "the output device does not take 48000 Hz", 0);
    struct SoundIoOutStream *os = o->stream = soundio_outstream_create(d);
    if (!os)
        return give_up(o, err, errlen, "out of memory", 0);
    if (soundio_device_supports_format(d, SoundIoFormatS16NE)) {
        os->format = SoundIoFormatS16NE;
    } else if (soundio_device_supports_format(d, SoundIoFormatFloat32NE)) {
        os->format = SoundIoFormatFloat32NE;
        o->is_float = 1;
    } else {
        return give_up(o, err, errlen, "the output device takes neither 16-bit nor float samples", 0);
    }
    const struct SoundIoChannelLayout *mono = soundio_channel_layout_get_builtin(SoundIoChannelLayoutIdMono);
    const struct SoundIoChannelLayout *stereo = soundio_channel_layout_get_builtin(SoundIoChannelLayoutIdStereo);
    os->layout = soundio_device_supports_layout(d, mono) ? *mono : *stereo;
    os->sample_rate = (int)rate;
    os->software_latency = 0.04;
    os->userdata = o;
    os->write_callback = write_callback;
    os->underflow_callback = underflow_callback;
    os->error_callback = error_callback;
    os->name = "Trapeze PC speaker";
    int r = soundio_outstream_open(os);
    if (r != 0)
        return give_up(o, err, errlen, "cannot open the output stream", r);
    if (os->layout_error)
        return give_up(o, err, errlen, "the output device has no usable channel layout", os->layout_error);
    if ((r = soundio_outstream_start(os)) != 0)
        return give_up(o, err, errlen, "cannot start the output stream", r);
    return o;
}

struct soundio_out *soundio_out_open(uint32_t rate, double buffer_seconds, char *err, size_t errlen)
{
    struct soundio_out *o = calloc(1, sizeof(*o));
    if (!o) {
        snprintf(err, errlen, "libsoundio: out of memory");
        return NULL;
    }
    atomic_init(&o->failed, 0);
    int r;
    if (!(o->sio = soundio_create()))
        return give_up(o, err, errlen, "out of memory", 0);
    o->sio->userdata = o;
    o->sio->on_backend_disconnect = backend_disconnect;
    o->sio->app_name = "Trapeze";
    if ((r = soundio_connect(o->sio)) != 0)
        return give_up(o, err, errlen, "no sound server", r);
    /* The dummy backend plays into nothing: better to say there is no sound. */
    if (o->sio->current_backend == SoundIoBackendDummy)
        return give_up(o, err, errlen, "no sound server or device", 0);
    soundio_flush_events(o->sio);
    int index = soundio_default_output_device_index(o->sio);
    if (index < 0 || !(o->device = soundio_get_output_device(o->sio, index)))
        return give_up(o, err, errlen, "no output device", 0);
    if (o->device->probe_error)
        return give_up(o, err, errlen, "cannot probe the output device", o->device->probe_error);
    int bytes = (int)((double)rate * buffer_seconds) * (int)sizeof(int16_t);
    if (!(o->ring = soundio_ring_buffer_create(o->sio, bytes)))
        return give_up(o, err, errlen, "out of memory", 0);
    return open_stream(o, rate, err, errlen);
}

size_t soundio_out_write(struct soundio_out *o, const int16_t *samples, size_t count)
{
    size_t room = (size_t)soundio_ring_buffer_free_count(o->ring) / sizeof(int16_t);
    size_t n = count < room ? count : room;
    if (n) {
        memcpy(soundio_ring_buffer_write_ptr(o->ring), samples, n * sizeof(int16_t));
        soundio_ring_buffer_advance_write_ptr(o->ring, (int)(n * sizeof(int16_t)));
    }
    return n;
}

size_t soundio_out_queued(struct soundio_out *o)
{
    soundio_flush_events(o->sio);   /* delivers on_backend_disconnect */
    return (size_t)soundio_ring_buffer_fill_count(o->ring) / sizeof(int16_t);
}

int soundio_out_failed(struct soundio_out *o) { return atomic_load(&o->failed); }

void soundio_out_pause(struct soundio_out *o, int paused)
{
    if (o->stream && !atomic_load(&o->failed))
        soundio_outstream_pause(o->stream, paused != 0);
}

void soundio_out_close(struct soundio_out *o)
{
    if (!o)
        return;
    if (o->stream)
        soundio_outstream_destroy(o->stream);
    if (o->ring)
        soundio_ring_buffer_destroy(o->ring);
    if (o->device)
        soundio_device_unref(o->device);
    if (o->sio)
        soundio_destroy(o->sio);
    free(o);
}

#else /* !HAVE_SOUNDIO */

struct soundio_out *soundio_out_open(uint32_t rate, double buffer_seconds, char *err, size_t errlen)
{
    (void)rate;
    (void)buffer_seconds;
    snprintf(err, errlen, "this build has no libsoundio");
    return NULL;
}

size_t soundio_out_write(struct soundio_out *o, const int16_t *samples, size_t count)
{
    (void)o;
    (void)samples;
    return count;
}

size_t soundio_out_queued(struct soundio_out *o)
{
    (void)o;
    return 0;
}

int soundio_out_failed(struct soundio_out *o)
{
    (void)o;
    return 1;
}

void soundio_out_pause(struct soundio_out *o, int paused)
{
    (void)o;
    (void)paused;
}

void soundio_out_close(struct soundio_out *o) { (void)o; }

#endif
