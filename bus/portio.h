/*
 * Port I/O dispatch: the x86's separate 64 KiB I/O address space.
 *
 * A device registers a range of ports with read and write handlers and the
 * access sizes it implements.  An access of a size the device does not
 * implement is split into byte accesses, lowest port first, as an ISA
 * device sees a 16-bit access.  Ports nobody decodes float: reads see all
 * ones (0xFF per byte), writes go nowhere; each such port is logged once.
 */
#ifndef TRAPEZE_BUS_PORTIO_H
#define TRAPEZE_BUS_PORTIO_H

#include <stdint.h>

#define PORTIO_MAX_HANDLERS 96
#define PORTIO_SIZE_8 1u
#define PORTIO_SIZE_16 2u
#define PORTIO_SIZE_32 4u

typedef uint32_t (*io_read_fn)(void *opaque, uint16_t port, int size);
typedef void (*io_write_fn)(void *opaque, uint16_t port, uint32_t value, int size);

struct io_handler {
    const char *name;
    uint16_t base;
    uint32_t count;
    unsigned sizes;         /* PORTIO_SIZE_* the handlers implement */
    io_read_fn read;        /* NULL: reads float */
    io_write_fn write;      /* NULL: writes ignored */
    void *opaque;
};

struct portio {
    uint8_t owner[65536];   /* handler index + 1, 0 = nobody */
    struct io_handler handlers[PORTIO_MAX_HANDLERS];
    int n;
    uint8_t warned[65536 / 8];  /* unclaimed ports already logged */
    int log_unclaimed;
    /* Observers (trace, teaching lens): called for every access when set. */
    void (*observe)(void *opaque, uint16_t port, uint32_t value, int size, int is_write);
    void *observe_opaque;
};

void portio_init(struct portio *io);
/* Returns 0, or -1 when the table is full or a port is already claimed. */
int portio_register(struct portio *io, uint16_t base, uint32_t count, unsigned sizes,
                    io_read_fn rd, io_write_fn wr, void *opaque, const char *name);
uint32_t portio_read(struct portio *io, uint16_t port, int size);
void portio_write(struct portio *io, uint16_t port, uint32_t value, int size);

#endif
