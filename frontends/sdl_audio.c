/*
 * The window's sound output: libsoundio when this build has it and a
 * sound server or device answers, SDL audio otherwise.
 *
 * Latency: samples come from the speaker as emulated time advances and
 * the device consumes them in real time; the pacer keeps the two together.
 * A small cushion of silence (40 ms) goes in front whenever the queue ran
 * dry, and samples are dropped while more than 150 ms are queued -- which
 * happens under --turbo, or when the sound card's clock runs slower than
 * the host's -- so sound never lags the picture by more than that.
 */
#include <stdio.h>

#include "frontends/audio_soundio.h"
#include "frontends/sdl_internal.h"

#define AUDIO_MAX_QUEUE_S 0.15
#define AUDIO_PREFILL_S 0.04
#define AUDIO_RING_S 0.5

static int open_sdl_audio(struct sdl_audio *a, char *err, size_t errlen)
{
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
        snprintf(err, errlen, "SDL audio: %s", SDL_GetError());
        return -1;
    }
    SDL_AudioSpec want, have;
    SDL_zero(want);
    want.freq = (int)a->rate;
    want.format = AUDIO_S16SYS;
    want.channels = 1;
    want.samples = 512;
    want.callback = NULL;       /* push model: SDL_QueueAudio */
    a->dev = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
    if (a->dev == 0) {
        snprintf(err, errlen, "SDL audio: %s", SDL_GetError());
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
        return -1;
    }
    SDL_PauseAudioDevice(a->dev, 0);
    return 0;
}

int sdl_audio_open(struct sdl_audio *a, uint32_t rate)
{
    char err1[256], err2[256];
    SDL_zerop(a);
    a->rate = rate;
    a->max_queue = (size_t)(rate * AUDIO_MAX_QUEUE_S);
    a->prefill = (size_t)(rate * AUDIO_PREFILL_S);
    a->sio = soundio_out_open(rate, AUDIO_RING_S, err1, sizeof(err1));
    if (a->sio) {
        a->backend = 1;
        return 0;
    }
    if (open_sdl_audio(a, err2, sizeof(err2)) == 0) {
        a->backend = 2;
        return 0;
    }
    fprintf(stderr, "trapeze: no sound (%s; %s); running silent\n", err1, err2);
    return -1;
}

static size_t queued(struct sdl_audio *a)
{
    if (a->backend == 1)
        return soundio_out_queued(a->sio);
    return SDL_GetQueuedAudioSize(a->dev) / sizeof(int16_t);
}

static int device_lost(struct sdl_audio *a)
{
    if (a->backend == 1)
        return soundio_out_failed(a->sio);
    return SDL_GetAudioDeviceStatus(a->dev) == SDL_AUDIO_STOPPED;
}

static void enqueue(struct sdl_audio *a, const int16_t *samples, size_t count)
{
    if (a->backend == 1)
        soundio_out_write(a->sio, samples, count);
    else
        SDL_QueueAudio(a->dev, samples, (Uint32)(count * sizeof(int16_t)));
}

static void enqueue_silence(struct sdl_audio *a, size_t count)
{
    int16_t zero[256] = { 0 };
    while (count > 0) {
        size_t n = count < 256 ? count : 256;
        enqueue(a, zero, n);
        count -= n;
    }
}

void sdl_audio_push(void *opaque, const int16_t *samples, size_t count)
{
    struct sdl_audio *a = opaque;
    if (a->backend == 0 || a->lost || a->paused)
        return;
    if (device_lost(a)) {
        a->lost = 1;
        fprintf(stderr, "trapeze: the sound device went away; running silent\n");
        return;
    }
    size_t q = queued(a);
    if (q == 0)
        enqueue_silence(a, a->prefill);
    else if (q > a->max_queue)
        return;
    enqueue(a, samples, count);
}

void sdl_audio_pause(struct sdl_audio *a, int paused)
{
    a->paused = paused;
    if (a->backend == 1)
        soundio_out_pause(a->sio, paused);
    else if (a->backend == 2) {
        SDL_PauseAudioDevice(a->dev, paused);
        if (paused)
            SDL_ClearQueuedAudio(a->dev);
    }
}

void sdl_audio_close(struct sdl_audio *a)
{
    if (a->backend == 1) {
        soundio_out_close(a->sio);
    } else if (a->backend == 2) {
        SDL_CloseAudioDevice(a->dev);
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
    }
    a->backend = 0;
}
