/*
 * The device registry.  Every device of a machine registers here with the
 * same four hooks, so reset, snapshots and the monitor treat all devices
 * alike:
 *   reset  - power-on / RESET# state;
 *   save   - write the state (format `version`) to a state_writer;
 *   load   - read it back; gets the version the blob was saved with and
 *            returns -1 for a version it does not know or a corrupt blob;
 *   dump   - print registers for the monitor, in words a student can read.
 */
#ifndef TRAPEZE_BUS_DEVICE_H
#define TRAPEZE_BUS_DEVICE_H

#include <stdint.h>
#include <stdio.h>

#include "bus/state.h"

#define DEVICE_MAX 48

struct device_ops {
    const char *name;
    uint32_t version;
    void (*reset)(void *opaque);
    void (*save)(void *opaque, struct state_writer *w);
    int (*load)(void *opaque, struct state_reader *r, uint32_t version);
    void (*dump)(void *opaque, FILE *out);
};

struct device_entry {
    const struct device_ops *ops;
    void *opaque;
    const char *name;       /* instance name: ops->name unless registered otherwise */
};

struct device_registry {
    struct device_entry dev[DEVICE_MAX];
    int n;
};

void device_registry_init(struct device_registry *reg);
/* Returns 0, or -1 when full or when a hook is missing: no device may skip them. */
int device_register(struct device_registry *reg, const struct device_ops *ops, void *opaque);
/* For devices a machine has more than one of (two UARTs, two debug ports):
 * `name` must be unique in the machine and outlive it. */
int device_register_named(struct device_registry *reg, const struct device_ops *ops, void *opaque,
                          const char *name);
void device_reset_all(struct device_registry *reg);
struct device_entry *device_find(struct device_registry *reg, const char *name);

/* Whole-registry state: for each device, name, version, length, blob. */
void device_save_all(struct device_registry *reg, struct state_writer *w);
/* Returns 0, or -1 (with a one-line reason in `why`) for unknown devices,
 * versions or a corrupt blob; devices are left as they were before on error
 * only for the device that failed. */
int device_load_all(struct device_registry *reg, struct state_reader *r, char *why, size_t whylen);

#endif
