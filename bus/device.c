#include "bus/device.h"

#include <string.h>

void device_registry_init(struct device_registry *reg) { memset(reg, 0, sizeof(*reg)); }

int device_register_named(struct device_registry *reg, const struct device_ops *ops, void *opaque,
                          const char *name)
{
    if (reg->n >= DEVICE_MAX || !name || !ops->reset || !ops->save || !ops->load || !ops->dump)
        return -1;
    if (device_find(reg, name))
        return -1;
    reg->dev[reg->n++] = (struct device_entry){ ops, opaque, name };
    return 0;
}

int device_register(struct device_registry *reg, const struct device_ops *ops, void *opaque)
{
    return device_register_named(reg, ops, opaque, ops->name);
}

void device_reset_all(struct device_registry *reg)
{
    for (int i = 0; i < reg->n; i++)
        reg->dev[i].ops->reset(reg->dev[i].opaque);
}

struct device_entry *device_find(struct device_registry *reg, const char *name)
{
    for (int i = 0; i < reg->n; i++)
        if (strcmp(reg->dev[i].name, name) == 0)
            return &reg->dev[i];
    return NULL;
}

void device_save_all(struct device_registry *reg, struct state_writer *w)
{
    state_put_u32(w, (uint32_t)reg->n);
    for (int i = 0; i < reg->n; i++) {
        const struct device_ops *ops = reg->dev[i].ops;
        struct state_writer blob;
        state_writer_init(&blob);
        ops->save(reg->dev[i].opaque, &blob);
        size_t nlen = strlen(reg->dev[i].name);
        state_put_u16(w, (uint16_t)nlen);
        state_put_bytes(w, reg->dev[i].name, nlen);
        state_put_u32(w, ops->version);
        state_put_u32(w, (uint32_t)blob.len);
        state_put_bytes(w, blob.buf, blob.len);
        if (blob.error)
            w->error = 1;
        state_writer_free(&blob);
    }
}

int device_load_all(struct device_registry *reg, struct state_reader *r, char *why, size_t whylen)
{
    uint32_t n = state_get_u32(r);
    for (uint32_t i = 0; i < n && !r->error; i++) {
        char name[64];
        uint16_t nlen = state_get_u16(r);
        if (nlen >= sizeof(name)) {
            snprintf(why, whylen, "corrupt state: device name of %u bytes", nlen);
            return -1;
        }
        state_get_bytes(r, name, nlen);
        name[nlen] = 0;
        uint32_t version = state_get_u32(r);
        uint32_t len = state_get_u32(r);
        if (r->error || len > r->len - r->pos) {
            snprintf(why, whylen, "corrupt state: truncated at device '%s'", name);
            return -1;
        }
        struct device_entry *d = device_find(reg, name);
        if (!d) {
            snprintf(why, whylen, "state holds unknown device '%s'", name);
            return -1;
        }
        struct state_reader sub;
        state_reader_init(&sub, r->buf + r->pos, len);
        r->pos += len;
        if (d->ops->load(d->opaque, &sub, version) != 0 || sub.error) {
            snprintf(why, whylen, "device '%s' rejected its state (version %u)", name, version);
            return -1;
        }
    }
    if (r->error) {
        snprintf(why, whylen, "corrupt state: truncated");
        return -1;
    }
    return 0;
}
