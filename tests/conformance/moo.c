/*
 * MOO reader.  See moo.h for the interface and moo_format_v1.md for the format.
 *
 * All multi-byte fields are decoded byte by byte as little-endian, so the
 * reader works on hosts of either byte order.  Every read goes through a
 * `struct span` (pointer + remaining length) that is checked first.
 */
#include "tests/conformance/moo.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#if HAVE_ZLIB
#include <zlib.h>
#endif

/* Refuse absurd files rather than exhausting memory (the largest staged
 * file is a few MiB unpacked). */
#define MOO_MAX_FILE ((size_t)1 << 30)

struct span {
    const uint8_t *p;
    size_t len;
};

struct chunk {
    char id[5];             /* NUL-terminated for printing and comparing */
    struct span body;
    size_t offset;          /* of the chunk header in the file, for messages */
};

struct moo_file {
    uint8_t *data;
    size_t len;
    size_t pos;             /* offset of the next top-level chunk */
    size_t tests_read;
    int failed;
    char error[256];
    struct moo_header hdr;
    /* Per-test decode buffers, reused from test to test. */
    char *name;
    size_t name_cap;
    struct moo_ram *ram[2];     /* [0] INIT, [1] FINA */
    size_t ram_cap[2];
    struct moo_cycle *cycles;
    size_t cycles_cap;
};

static const char *const reg16_names[MOO_NREG16] = {
    "ax", "bx", "cx", "dx", "cs", "ss", "ds", "es", "sp", "bp", "si", "di", "ip", "flags",
};
static const char *const reg32_names[MOO_NREG32] = {
    "cr0", "cr3", "eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp",
    "cs", "ds", "es", "fs", "gs", "ss", "eip", "eflags", "dr6", "dr7",
};

const char *moo_reg16_name(int reg)
{
    return reg >= 0 && reg < MOO_NREG16 ? reg16_names[reg] : "?";
}

const char *moo_reg32_name(int reg)
{
    return reg >= 0 && reg < MOO_NREG32 ? reg32_names[reg] : "?";
}

/* ---- little-endian field access ---- */

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | (unsigned)p[1] << 8); }

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* ---- errors ---- */

static int set_error(struct moo_file *f, const char *fmt, ...)
{
    if (!f->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(f->error, sizeof(f->error), fmt, ap);
        va_end(ap);
        f->failed = 1;
    }
    return -1;
}

static void copy_id(char out[5], const uint8_t *p)
{
    for (int i = 0; i < 4; i++)
        out[i] = (p[i] >= 0x20 && p[i] < 0x7F) ? (char)p[i] : '?';
    out[4] = '\0';
}

/* Takes the next chunk out of *s.  Returns 1 with *c filled, 0 when *s is
 * empty, -1 (with the error set) when the chunk does not fit in *s. */
static int next_chunk(struct moo_file *f, struct span *s, struct chunk *c)
{
    if (s->len == 0)
        return 0;
    c->offset = (size_t)(s->p - f->data);
    if (s->len < 8)
        return set_error(f, "truncated chunk header at offset %zu", c->offset);
    copy_id(c->id, s->p);
    uint32_t n = rd32(s->p + 4);
    if (n > s->len - 8)
        return set_error(f, "chunk '%s' at offset %zu: length %lu overruns its container",
                         c->id, c->offset, (unsigned long)n);
    c->body.p = s->p + 8;
    c->body.len = n;
    s->p += 8 + (size_t)n;
    s->len -= 8 + (size_t)n;
    return 1;
}

static int chunk_is(const struct chunk *c, const char *id) { return memcmp(c->id, id, 4) == 0; }

static int too_short(struct moo_file *f, const struct chunk *c)
{
    return set_error(f, "chunk '%s' at offset %zu: payload of %zu bytes is too short", c->id,
                     c->offset, c->body.len);
}

/* Makes *buf hold at least n elements of `size` bytes. */
static int reserve(struct moo_file *f, void **buf, size_t *cap, size_t n, size_t size)
{
    if (n <= *cap)
        return 0;
    if (n > SIZE_MAX / size)
        return set_error(f, "out of memory");
    void *p = realloc(*buf, n * size);
    if (!p)
        return set_error(f, "out of memory");
    *buf = p;
    *cap = n;
    return 0;
}

/* ---- register sets ---- */

static int popcount32(uint32_t v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

/* REGS / RMSK: u16 mask, then one u16 per set bit.  Bits beyond the 14
 * known registers still own a value slot (after the known ones), so the
 * length check counts every set bit. */
static int parse_regs16(struct moo_file *f, const struct chunk *c, struct moo_regs16 *r)
{
    if (c->body.len < 2)
        return too_short(f, c);
    uint16_t mask = rd16(c->body.p);
    if (c->body.len < 2 + 2 * (size_t)popcount32(mask))
        return too_short(f, c);
    memset(r, 0, sizeof(*r));
    r->mask = mask & ((1u << MOO_NREG16) - 1);
    const uint8_t *p = c->body.p + 2;
    for (int i = 0; i < MOO_NREG16; i++) {
        if (mask & (1u << i)) {
            r->v[i] = rd16(p);
            p += 2;
        }
    }
    return 0;
}

/* RG32 / RM32: u32 mask, then one u32 per set bit. */
static int parse_regs32(struct moo_file *f, const struct chunk *c, struct moo_regs32 *r)
{
    if (c->body.len < 4)
        return too_short(f, c);
    uint32_t mask = rd32(c->body.p);
    if (c->body.len < 4 + 4 * (size_t)popcount32(mask))
        return too_short(f, c);
    memset(r, 0, sizeof(*r));
    r->mask = mask & ((1u << MOO_NREG32) - 1);
    const uint8_t *p = c->body.p + 4;
    for (int i = 0; i < MOO_NREG32; i++) {
        if (mask & (1u << i)) {
            r->v[i] = rd32(p);
            p += 4;
        }
    }
    return 0;
}

/* ---- INIT / FINA ---- */

/* A "u32 count, count × size bytes" payload: returns the count, checked
 * against the chunk length, or -1. */
static long long counted(struct moo_file *f, const struct chunk *c, size_t size)
{
    if (c->body.len < 4)
        return too_short(f, c);
    uint32_t n = rd32(c->body.p);
    if ((uint64_t)n * size > c->body.len - 4)
        return set_error(f, "chunk '%s' at offset %zu: %lu entries overrun its %zu bytes", c->id,
                         c->offset, (unsigned long)n, c->body.len);
    return n;
}

static int parse_ram(struct moo_file *f, const struct chunk *c, int which, struct moo_state *st)
{
    long long n = counted(f, c, 5);
    if (n < 0)
        return -1;
    void *buf = f->ram[which];
    if (reserve(f, &buf, &f->ram_cap[which], (size_t)n ? (size_t)n : 1, sizeof(struct moo_ram)) < 0)
        return -1;
    f->ram[which] = buf;
    const uint8_t *p = c->body.p + 4;
    for (long long i = 0; i < n; i++, p += 5) {
        f->ram[which][i].addr = rd32(p);
        f->ram[which][i].value = p[4];
    }
    st->ram = f->ram[which];
    st->ram_count = (size_t)n;
    st->has_ram = 1;
    return 0;
}

static int parse_ea32(struct moo_file *f, const struct chunk *c, struct moo_ea32 *ea)
{
    if (c->body.len < 23)
        return too_short(f, c);
    const uint8_t *p = c->body.p;
    ea->seg = p[0];
    ea->sel = rd16(p + 1);
    ea->base = rd32(p + 3);
    ea->limit = rd32(p + 7);
    ea->offset = rd32(p + 11);
    ea->linear = rd32(p + 15);
    ea->physical = rd32(p + 19);
    return 0;
}

static int parse_state_chunk(struct moo_file *f, const struct chunk *c, int which,
                             struct moo_state *st)
{
    if (chunk_is(c, "REGS")) {
        st->has_regs = 1;
        return parse_regs16(f, c, &st->regs);
    }
    if (chunk_is(c, "RMSK")) {
        st->has_rmsk = 1;
        return parse_regs16(f, c, &st->rmsk);
    }
    if (chunk_is(c, "RG32")) {
        st->has_regs32 = 1;
        return parse_regs32(f, c, &st->regs32);
    }
    if (chunk_is(c, "RM32")) {
        st->has_rm32 = 1;
        return parse_regs32(f, c, &st->rm32);
    }
    if (chunk_is(c, "RAM "))
        return parse_ram(f, c, which, st);
    if (chunk_is(c, "QUEU")) {
        long long n = counted(f, c, 1);
        if (n < 0)
            return -1;
        st->queue = c->body.p + 4;
        st->queue_len = (size_t)n;
        st->has_queue = 1;
        return 0;
    }
    if (chunk_is(c, "EA32")) {
        st->has_ea32 = 1;
        return parse_ea32(f, c, &st->ea32);
    }
    return 0;                       /* unknown: skipped */
}

static int parse_state(struct moo_file *f, const struct chunk *parent, int which,
                       struct moo_state *st)
{
    struct span s = parent->body;
    struct chunk c;
    int r;
    memset(st, 0, sizeof(*st));
    while ((r = next_chunk(f, &s, &c)) == 1) {
        if (parse_state_chunk(f, &c, which, st) < 0)
            return -1;
    }
    return r;
}

/* ---- TEST sub-chunks ---- */

static int parse_name(struct moo_file *f, const struct chunk *c, struct moo_test *t)
{
    long long n = counted(f, c, 1);
    if (n < 0)
        return -1;
    void *buf = f->name;
    if (reserve(f, &buf, &f->name_cap, (size_t)n + 1, 1) < 0)
        return -1;
    f->name = buf;
    memcpy(f->name, c->body.p + 4, (size_t)n);
    f->name[n] = '\0';
    t->name = f->name;
    t->name_len = (size_t)n;
    return 0;
}

static void decode_cycle(const uint8_t *p, struct moo_cycle *cy)
{
    cy->pins0 = p[0];
    cy->address = rd32(p + 1);
    cy->segment = p[5];
    cy->mem_status = p[6];
    cy->io_status = p[7];
    cy->pins1 = p[8];
    cy->data = rd16(p + 9);
    cy->bus_status = p[11];
    cy->t_state = p[12];
    cy->queue_op = p[13];
    cy->queue_byte = p[14];
}

static int parse_cycles(struct moo_file *f, const struct chunk *c, struct moo_test *t)
{
    long long n = counted(f, c, MOO_CYCLE_SIZE);
    if (n < 0)
        return -1;
    void *buf = f->cycles;
    if (reserve(f, &buf, &f->cycles_cap, (size_t)n ? (size_t)n : 1, sizeof(struct moo_cycle)) < 0)
        return -1;
    f->cycles = buf;
    for (long long i = 0; i < n; i++)
        decode_cycle(c->body.p + 4 + (size_t)i * MOO_CYCLE_SIZE, &f->cycles[i]);
    t->cycles = f->cycles;
    t->n_cycles = (size_t)n;
    t->has_cycles = 1;
    return 0;
}

static int parse_hash(struct moo_file *f, const struct chunk *c, struct moo_test *t)
{
    static const char hex[] = "0123456789abcdef";
    if (c->body.len < 20)
        return too_short(f, c);
    memcpy(t->hash, c->body.p, 20);
    for (int i = 0; i < 20; i++) {
        t->hash_hex[2 * i] = hex[t->hash[i] >> 4];
        t->hash_hex[2 * i + 1] = hex[t->hash[i] & 15];
    }
    t->hash_hex[40] = '\0';
    t->has_hash = 1;
    return 0;
}

static int parse_test_chunk(struct moo_file *f, const struct chunk *c, struct moo_test *t)
{
    if (chunk_is(c, "NAME"))
        return parse_name(f, c, t);
    if (chunk_is(c, "BYTS")) {
        long long n = counted(f, c, 1);
        if (n < 0)
            return -1;
        t->bytes = c->body.p + 4;
        t->n_bytes = (size_t)n;
        return 0;
    }
    if (chunk_is(c, "INIT"))
        return parse_state(f, c, 0, &t->init);
    if (chunk_is(c, "FINA"))
        return parse_state(f, c, 1, &t->final);
    if (chunk_is(c, "CYCL"))
        return parse_cycles(f, c, t);
    if (chunk_is(c, "EXCP")) {
        if (c->body.len < 5)
            return too_short(f, c);
        t->has_exception = 1;
        t->exception = c->body.p[0];
        t->flag_address = rd32(c->body.p + 1);
        return 0;
    }
    if (chunk_is(c, "HASH"))
        return parse_hash(f, c, t);
    return 0;                       /* GMET, IDX and anything newer: skipped */
}

static int parse_test(struct moo_file *f, const struct chunk *c, struct moo_test *t)
{
    memset(t, 0, sizeof(*t));
    t->name = "";
    t->position = f->tests_read;
    if (c->body.len < 4)
        return too_short(f, c);
    t->index = rd32(c->body.p);
    struct span s = { c->body.p + 4, c->body.len - 4 };
    struct chunk sub;
    int r;
    while ((r = next_chunk(f, &s, &sub)) == 1) {
        if (parse_test_chunk(f, &sub, t) < 0)
            break;
    }
    if (f->failed) {
        /* Say which test: the message from deeper down has the offsets. */
        char inner[sizeof(f->error)];
        memcpy(inner, f->error, sizeof(inner));
        snprintf(f->error, sizeof(f->error), "test %zu: %.200s", t->position, inner);
        return -1;
    }
    return 0;
}

/* ---- top level ---- */

static int parse_meta(struct moo_file *f, const struct chunk *c)
{
    if (c->body.len < 31)
        return too_short(f, c);
    const uint8_t *p = c->body.p;
    struct moo_meta *m = &f->hdr.meta;
    m->major = p[0];
    m->minor = p[1];
    m->cpu_type = p[2];
    m->opcode = rd32(p + 3);
    for (int i = 0; i < 8; i++)
        m->mnemonic[i] = (p[7 + i] >= 0x20 && p[7 + i] < 0x7F) ? (char)p[7 + i] : '?';
    m->mnemonic[8] = '\0';
    m->test_count = rd32(p + 15);
    m->seed = rd64(p + 19);
    m->cpu_mode = p[27];
    f->hdr.has_meta = 1;
    return 0;
}

/* A top-level chunk other than TEST. */
static int top_level_chunk(struct moo_file *f, const struct chunk *c)
{
    if (chunk_is(c, "META"))
        return parse_meta(f, c);
    if (chunk_is(c, "RMSK")) {
        f->hdr.has_rmsk = 1;
        return parse_regs16(f, c, &f->hdr.rmsk);
    }
    if (chunk_is(c, "RM32")) {
        f->hdr.has_rm32 = 1;
        return parse_regs32(f, c, &f->hdr.rm32);
    }
    if (chunk_is(c, "MOO "))
        return set_error(f, "second 'MOO ' header at offset %zu", c->offset);
    return 0;
}

static int parse_header(struct moo_file *f)
{
    struct span s = { f->data, f->len };
    struct chunk c;
    int r = next_chunk(f, &s, &c);
    if (r <= 0 || !chunk_is(&c, "MOO "))
        return r < 0 ? -1 : set_error(f, "not a MOO file (no 'MOO ' chunk first)");
    if (c.body.len < 12)
        return too_short(f, &c);
    f->hdr.major = c.body.p[0];
    f->hdr.minor = c.body.p[1];
    f->hdr.test_count = rd32(c.body.p + 4);
    for (int i = 0; i < 4; i++)
        f->hdr.cpu[i] = (c.body.p[8 + i] >= 0x20 && c.body.p[8 + i] < 0x7F) ? (char)c.body.p[8 + i] : '?';
    f->hdr.cpu[4] = '\0';
    /* Read the chunks before the first TEST now, so moo_header() has META. */
    for (;;) {
        f->pos = (size_t)(s.p - f->data);
        r = next_chunk(f, &s, &c);
        if (r <= 0)
            return r;
        if (chunk_is(&c, "TEST"))
            return 0;               /* left for moo_next: pos is its offset */
        if (top_level_chunk(f, &c) < 0)
            return -1;
    }
}

int moo_next(struct moo_file *f, struct moo_test *t)
{
    if (f->failed)
        return -1;
    struct span s = { f->data + f->pos, f->len - f->pos };
    struct chunk c;
    int r;
    while ((r = next_chunk(f, &s, &c)) == 1) {
        f->pos = (size_t)(s.p - f->data);
        if (!chunk_is(&c, "TEST")) {
            if (top_level_chunk(f, &c) < 0)
                return -1;
            continue;
        }
        if (parse_test(f, &c, t) < 0)
            return -1;
        f->tests_read++;
        return 1;
    }
    if (r < 0)
        return -1;
    if (f->tests_read != f->hdr.test_count)
        return set_error(f, "file holds %zu tests, its header says %lu (truncated?)",
                         f->tests_read, (unsigned long)f->hdr.test_count);
    return 0;
}

/* ---- opening ---- */

/* Takes ownership of data (malloc'd). */
static struct moo_file *open_owned(uint8_t *data, size_t len, char *err, size_t errsize)
{
    struct moo_file *f = calloc(1, sizeof(*f));
    if (!f) {
        free(data);
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    f->data = data;
    f->len = len;
    if (parse_header(f) < 0) {
        snprintf(err, errsize, "%s", f->error);
        moo_close(f);
        return NULL;
    }
    return f;
}

struct moo_file *moo_open_buffer(const void *data, size_t len, char *err, size_t errsize)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) {
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    if (len)
        memcpy(copy, data, len);
    return open_owned(copy, len, err, errsize);
}

#if HAVE_ZLIB
/* Reads all of a (possibly gzip-compressed) file.  zlib passes files that
 * are not gzip through unchanged. */
static uint8_t *read_gz(const char *path, size_t *len_out, char *err, size_t errsize)
{
    errno = 0;
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        snprintf(err, errsize, "%s: %s", path, errno ? strerror(errno) : "cannot open");
        return NULL;
    }
    gzbuffer(gz, 256 * 1024);
    size_t cap = 1u << 20, n = 0;
    uint8_t *buf = malloc(cap);
    const char *why = buf ? NULL : "out of memory";
    while (!why) {
        if (n == cap) {
            uint8_t *p = cap < MOO_MAX_FILE ? realloc(buf, cap * 2) : NULL;
            if (!p) {
                why = cap < MOO_MAX_FILE ? "out of memory" : "file too large";
                break;
            }
            buf = p;
            cap *= 2;
        }
        size_t want = cap - n;
        int got = gzread(gz, buf + n, want > (1u << 30) ? (1u << 30) : (unsigned)want);
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    int errnum = Z_OK;
    const char *zmsg = gzerror(gz, &errnum);
    if (!why && errnum != Z_OK)
        why = zmsg;                 /* corrupt or truncated gzip data */
    if (why) {
        snprintf(err, errsize, "%s: %s", path, why);
        free(buf);
        buf = NULL;
    }
    gzclose(gz);
    *len_out = n;
    return buf;
}
#endif

struct moo_file *moo_open(const char *path, char *err, size_t errsize)
{
#if HAVE_ZLIB
    size_t len;
    uint8_t *data = read_gz(path, &len, err, errsize);
    return data ? open_owned(data, len, err, errsize) : NULL;
#else
    snprintf(err, errsize, "%s: built without zlib, cannot read MOO files", path);
    return NULL;
#endif
}

void moo_close(struct moo_file *f)
{
    if (!f)
        return;
    free(f->data);
    free(f->name);
    free(f->ram[0]);
    free(f->ram[1]);
    free(f->cycles);
    free(f);
}

const struct moo_header *moo_header(const struct moo_file *f) { return &f->hdr; }

const char *moo_error(const struct moo_file *f) { return f->failed ? f->error : ""; }
