/*
 * The device registry and the versioned state format: devices must bring
 * all four hooks, instance names are unique, save_all/load_all round-trip,
 * and a state blob that is truncated anywhere, names an unknown device,
 * carries a version the device does not know or is otherwise corrupt is
 * rejected with a one-line reason -- reading nothing outside the blob.
 */
#include <stdlib.h>
#include <string.h>

#include "bus/device.h"
#include "bus/state.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

/* A device with a little state.  Version 1 of its format holds `a` and
 * `b`; version 2 adds `tail`. */
struct toy {
    uint32_t a;
    uint16_t b;
    uint8_t tail[5];
    uint64_t big;
    int resets;
};

static void toy_reset(void *opaque)
{
    struct toy *t = opaque;
    t->a = 0;
    t->b = 0;
    memset(t->tail, 0, sizeof(t->tail));
    t->big = 0;
    t->resets++;
}

static void toy_save_v1(void *opaque, struct state_writer *w)
{
    struct toy *t = opaque;
    state_put_u32(w, t->a);
    state_put_u16(w, t->b);
}

static void toy_save_v2(void *opaque, struct state_writer *w)
{
    struct toy *t = opaque;
    toy_save_v1(opaque, w);
    state_put_bytes(w, t->tail, sizeof(t->tail));
    state_put_u64(w, t->big);
}

static int toy_load(void *opaque, struct state_reader *r, uint32_t version)
{
    struct toy *t = opaque;
    if (version != 1 && version != 2)
        return -1;
    struct toy n = *t;
    n.a = state_get_u32(r);
    n.b = state_get_u16(r);
    if (version == 2) {
        state_get_bytes(r, n.tail, sizeof(n.tail));
        n.big = state_get_u64(r);
    }
    if (r->error)
        return -1;
    *t = n;
    return 0;
}

/* Loads more than any saved blob holds: always a corrupt blob. */
static int greedy_load(void *opaque, struct state_reader *r, uint32_t version)
{
    (void)opaque;
    (void)version;
    uint8_t lots[64];
    state_get_bytes(r, lots, sizeof(lots));
    return 0;
}

static void toy_dump(void *opaque, FILE *out)
{
    struct toy *t = opaque;
    fprintf(out, "toy: a=%u b=%u\n", (unsigned)t->a, (unsigned)t->b);
}

static const struct device_ops toy_v1 = { "toy", 1, toy_reset, toy_save_v1, toy_load, toy_dump };
static const struct device_ops toy_v2 = { "toy", 2, toy_reset, toy_save_v2, toy_load, toy_dump };
static const struct device_ops toy_v9 = { "toy", 9, toy_reset, toy_save_v1, toy_load, toy_dump };
static const struct device_ops toy_greedy = { "toy", 2, toy_reset, toy_save_v2, greedy_load, toy_dump };

static void fill(struct toy *t, uint32_t seed)
{
    t->a = 0x01020304u * seed;
    t->b = (uint16_t)(0x1111u * seed);
    for (int k = 0; k < 5; k++)
        t->tail[k] = (uint8_t)(seed + (uint32_t)k);
    t->big = 0x0102030405060708ull * seed;
}

static int same(const struct toy *x, const struct toy *y)
{
    return x->a == y->a && x->b == y->b && memcmp(x->tail, y->tail, sizeof(x->tail)) == 0 && x->big == y->big;
}

static void test_registration(void)
{
    struct device_registry reg;
    struct toy t;
    memset(&t, 0, sizeof(t));
    device_registry_init(&reg);
    struct device_ops missing;
    for (int hook = 0; hook < 4; hook++) {
        missing = toy_v1;
        switch (hook) {
        case 0: missing.reset = NULL; break;
        case 1: missing.save = NULL; break;
        case 2: missing.load = NULL; break;
        default: missing.dump = NULL; break;
        }
        CHECK_EQ(device_register(&reg, &missing, &t), -1);
    }
    CHECK_EQ(reg.n, 0);
    CHECK_EQ(device_register(&reg, &toy_v1, &t), 0);
    CHECK_EQ(device_register(&reg, &toy_v1, &t), -1);              /* "toy" again */
    CHECK_EQ(device_register_named(&reg, &toy_v1, &t, "toy#2"), 0);
    CHECK_EQ(device_register_named(&reg, &toy_v1, &t, "toy#2"), -1);
    CHECK_EQ(device_register_named(&reg, &toy_v1, &t, NULL), -1);
    CHECK_EQ(reg.n, 2);
    CHECK(device_find(&reg, "toy#2") != NULL);
    CHECK(device_find(&reg, "toy#2") && device_find(&reg, "toy#2")->opaque == &t);
    CHECK(device_find(&reg, "toy#3") == NULL);

    device_reset_all(&reg);
    CHECK_EQ(t.resets, 2);

    /* DEVICE_MAX devices, and not one more. */
    struct device_registry many;
    device_registry_init(&many);
    static char names[DEVICE_MAX + 1][8];
    int ok = 1;
    for (int k = 0; k < DEVICE_MAX; k++) {
        snprintf(names[k], sizeof(names[k]), "d%d", k);
        ok &= device_register_named(&many, &toy_v1, &t, names[k]) == 0;
    }
    CHECK(ok);
    snprintf(names[DEVICE_MAX], sizeof(names[DEVICE_MAX]), "extra");
    CHECK_EQ(device_register_named(&many, &toy_v1, &t, names[DEVICE_MAX]), -1);
}

/* The primitives: little-endian whatever the host, reads past the end
 * set `error` and return zeros. */
static void test_state_primitives(void)
{
    struct state_writer w;
    state_writer_init(&w);
    state_put_u8(&w, 0xAB);
    state_put_u16(&w, 0x1234);
    state_put_u32(&w, 0xDEADBEEF);
    state_put_u64(&w, 0x0102030405060708ull);
    static const uint8_t want[] = { 0xAB, 0x34, 0x12, 0xEF, 0xBE, 0xAD, 0xDE,
                                    0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01 };
    CHECK_EQ(w.len, sizeof(want));
    CHECK(w.len == sizeof(want) && memcmp(w.buf, want, sizeof(want)) == 0);
    CHECK_EQ(w.error, 0);

    struct state_reader r;
    state_reader_init(&r, w.buf, w.len);
    CHECK_EQ(state_get_u8(&r), 0xAB);
    CHECK_EQ(state_get_u16(&r), 0x1234);
    CHECK_EQ(state_get_u32(&r), 0xDEADBEEF);
    CHECK_EQ(state_get_u64(&r), 0x0102030405060708ull);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(state_get_u8(&r), 0);
    CHECK_EQ(r.error, 1);

    /* A read that does not fit leaves the position and zeroes the output. */
    state_reader_init(&r, w.buf, 5);
    CHECK_EQ(state_get_u32(&r), 0xEF1234AB);
    uint8_t out[4] = { 1, 2, 3, 4 };
    state_get_bytes(&r, out, sizeof(out));
    CHECK(r.error && out[0] == 0 && out[3] == 0);
    CHECK_EQ(r.pos, 4);
    CHECK_EQ(state_get_u8(&r), 0);          /* sticky: nothing more is read */

    /* Large blobs grow the writer. */
    uint8_t chunk[1000];
    memset(chunk, 0x5A, sizeof(chunk));
    for (int k = 0; k < 10; k++)
        state_put_bytes(&w, chunk, sizeof(chunk));
    CHECK_EQ(w.len, sizeof(want) + 10 * sizeof(chunk));
    CHECK_EQ(w.buf[w.len - 1], 0x5A);
    state_writer_free(&w);
    CHECK(w.buf == NULL && w.len == 0);
}

struct machine3 {
    struct device_registry reg;
    struct toy x, y, z;
};

static void machine3_init(struct machine3 *m, const struct device_ops *z_ops)
{
    memset(m, 0, sizeof(*m));
    device_registry_init(&m->reg);
    CHECK_EQ(device_register_named(&m->reg, &toy_v2, &m->x, "x"), 0);
    CHECK_EQ(device_register_named(&m->reg, &toy_v1, &m->y, "y"), 0);
    CHECK_EQ(device_register_named(&m->reg, z_ops, &m->z, "z"), 0);
}

/* Copies the blob into a buffer of exactly its size, so a read past the
 * end is an out-of-bounds read the sanitizers see. */
static int load_copy(struct device_registry *reg, const uint8_t *blob, size_t len, char *why, size_t whylen)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return -2;
    memcpy(copy, blob, len);
    struct state_reader r;
    state_reader_init(&r, copy, len);
    why[0] = 0;
    int rc = device_load_all(reg, &r, why, whylen);
    free(copy);
    return rc;
}

static void test_round_trip_and_rejects(void)
{
    struct machine3 a, b;
    machine3_init(&a, &toy_v2);
    fill(&a.x, 1);
    fill(&a.y, 2);
    fill(&a.z, 3);
    struct state_writer w;
    state_writer_init(&w);
    device_save_all(&a.reg, &w);
    CHECK_EQ(w.error, 0);

    char why[128];
    machine3_init(&b, &toy_v2);
    CHECK_EQ(load_copy(&b.reg, w.buf, w.len, why, sizeof(why)), 0);
    CHECK(same(&a.x, &b.x));
    CHECK(same(&a.z, &b.z));
    CHECK(b.y.a == a.y.a && b.y.b == a.y.b);       /* version 1 holds a and b only */
    CHECK_EQ(b.y.big, 0);

    /* Truncated at every byte: always rejected, always with a reason. */
    int all_rejected = 1, all_explained = 1;
    for (size_t len = 0; len < w.len; len++) {
        machine3_init(&b, &toy_v2);
        int rc = load_copy(&b.reg, w.buf, len, why, sizeof(why));
        all_rejected &= rc == -1;
        all_explained &= why[0] != 0 && strchr(why, '\n') == NULL;
        if (rc != -1)
            fprintf(stderr, "a blob cut to %zu of %zu bytes was accepted\n", len, w.len);
    }
    CHECK(all_rejected);
    CHECK(all_explained);

    /* A device the machine does not have. */
    struct machine3 c;
    memset(&c, 0, sizeof(c));
    device_registry_init(&c.reg);
    CHECK_EQ(device_register_named(&c.reg, &toy_v2, &c.x, "x"), 0);
    CHECK_EQ(device_register_named(&c.reg, &toy_v1, &c.y, "y"), 0);
    CHECK_EQ(load_copy(&c.reg, w.buf, w.len, why, sizeof(why)), -1);
    CHECK(strstr(why, "'z'") != NULL);

    /* A version the device does not know. */
    struct machine3 v9;
    machine3_init(&v9, &toy_v9);
    fill(&v9.z, 4);
    struct state_writer w9;
    state_writer_init(&w9);
    device_save_all(&v9.reg, &w9);
    machine3_init(&b, &toy_v2);
    CHECK_EQ(load_copy(&b.reg, w9.buf, w9.len, why, sizeof(why)), -1);
    CHECK(strstr(why, "'z'") != NULL && strstr(why, "9") != NULL);
    CHECK_EQ(b.z.a, 0);                             /* the failing device is untouched */
    state_writer_free(&w9);

    /* A device whose load reads past its own blob. */
    struct machine3 g;
    machine3_init(&g, &toy_greedy);
    CHECK_EQ(load_copy(&g.reg, w.buf, w.len, why, sizeof(why)), -1);
    CHECK(strstr(why, "'z'") != NULL);

    /* Corrupt lengths: a name length of 0xFFFF, a blob length past the end. */
    uint8_t *bad = malloc(w.len);
    CHECK(bad != NULL);
    if (bad) {
        memcpy(bad, w.buf, w.len);
        bad[4] = 0xFF;                  /* the first device's name length */
        bad[5] = 0xFF;
        machine3_init(&b, &toy_v2);
        CHECK_EQ(load_copy(&b.reg, bad, w.len, why, sizeof(why)), -1);
        CHECK(why[0] != 0);
        memcpy(bad, w.buf, w.len);
        size_t at_len = 4 + 2 + 1 + 4;  /* count, name length, "x", version */
        bad[at_len] = 0xF0;
        bad[at_len + 3] = 0x7F;
        machine3_init(&b, &toy_v2);
        CHECK_EQ(load_copy(&b.reg, bad, w.len, why, sizeof(why)), -1);
        CHECK(why[0] != 0);
        free(bad);
    }

    /* An empty registry saves a four-byte count and loads it back. */
    struct device_registry empty;
    device_registry_init(&empty);
    struct state_writer we;
    state_writer_init(&we);
    device_save_all(&empty, &we);
    CHECK_EQ(we.len, 4);
    CHECK_EQ(load_copy(&empty, we.buf, we.len, why, sizeof(why)), 0);
    state_writer_free(&we);
    state_writer_free(&w);
}

int main(void)
{
    test_registration();
    test_state_primitives();
    test_round_trip_and_rejects();
    return test_report();
}
