/*
 * Versioned device state: what a device's save hook writes and its load
 * hook reads back.  Values are written little-endian whatever the host, so a
 * snapshot moves between hosts.  The reader checks every read against the
 * end of the data: a corrupt or truncated blob makes `error` non-zero and
 * reads return zeros, never out-of-bounds memory.
 */
#ifndef TRAPEZE_BUS_STATE_H
#define TRAPEZE_BUS_STATE_H

#include <stddef.h>
#include <stdint.h>

struct state_writer {
    uint8_t *buf;
    size_t len, cap;
    int error;          /* out of memory */
};

struct state_reader {
    const uint8_t *buf;
    size_t len, pos;
    int error;          /* read past the end */
};

void state_writer_init(struct state_writer *w);
void state_writer_free(struct state_writer *w);
void state_put_bytes(struct state_writer *w, const void *p, size_t n);
void state_put_u8(struct state_writer *w, uint8_t v);
void state_put_u16(struct state_writer *w, uint16_t v);
void state_put_u32(struct state_writer *w, uint32_t v);
void state_put_u64(struct state_writer *w, uint64_t v);

void state_reader_init(struct state_reader *r, const void *buf, size_t len);
void state_get_bytes(struct state_reader *r, void *p, size_t n);
uint8_t state_get_u8(struct state_reader *r);
uint16_t state_get_u16(struct state_reader *r);
uint32_t state_get_u32(struct state_reader *r);
uint64_t state_get_u64(struct state_reader *r);

#endif
