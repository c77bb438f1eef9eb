/*
 * The conformance harness's readers: the JSON parser (tests/conformance/
 * json.c) and the MOO reader (tests/conformance/moo.c).
 *
 * Besides well-formed input, both must turn every truncated or corrupted
 * input into an error and never read out of bounds (run under
 * -fsanitize=address to see the latter).  The real-data checks use the
 * worked examples of shared/conformance/README.md; they are skipped, with a
 * note, when the data directory is absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "tests/conformance/json.h"
#include "tests/conformance/moo.h"
#include "tests/testlib.h"
#if HAVE_ZLIB
#include <zlib.h>
#endif

/* The Makefile links tests/unit programs with tests/unit support files and
 * the core library only, so the readers under test are compiled in here. */
#include "tests/conformance/json.c"
#include "tests/conformance/moo.c"

TEST_MAIN_COUNTS;

/* ---------------------------------------------------------------- JSON */

static struct json_value *parse_str(const char *s)
{
    return json_parse(s, strlen(s), NULL);
}

static void test_json_scalars(void)
{
    struct json_value *v = parse_str("  true ");
    int b = -1;
    CHECK(v && json_type_of(v) == JSON_BOOL && json_bool(v, &b) == 0 && b == 1);
    json_free(v);

    v = parse_str("false");
    CHECK(v && json_bool(v, &b) == 0 && b == 0);
    json_free(v);

    v = parse_str("null");
    CHECK(v && json_is_null(v) && json_type_of(v) == JSON_NULL);
    CHECK(!json_is_null(NULL));
    json_free(v);

    int64_t i = 0;
    v = parse_str("-0");
    CHECK(v && json_int(v, &i) == 0 && i == 0);
    json_free(v);

    v = parse_str("975393");
    CHECK(v && json_int(v, &i) == 0 && i == 975393 && json_number(v, 0) == 975393.0);
    json_free(v);

    /* The ends of int64_t, and one past them (then only the double is exact-ish). */
    v = parse_str("9223372036854775807");
    CHECK(v && json_int(v, &i) == 0 && i == INT64_MAX);
    json_free(v);
    v = parse_str("-9223372036854775808");
    CHECK(v && json_int(v, &i) == 0 && i == INT64_MIN);
    json_free(v);
    v = parse_str("9223372036854775808");
    CHECK(v && json_int(v, &i) < 0 && json_number(v, 0) > 9.2e18);
    json_free(v);

    /* Integral values written with a fraction or exponent are integers too. */
    v = parse_str("1e3");
    CHECK(v && json_int(v, &i) == 0 && i == 1000);
    json_free(v);
    v = parse_str("2.50");
    CHECK(v && json_int(v, &i) < 0 && json_number(v, 0) == 2.5);
    json_free(v);
    v = parse_str("-1.5E-2");
    CHECK(v && json_number(v, 0) == -0.015);
    json_free(v);

    /* Wrong-type lookups give the absent answers. */
    CHECK(json_number(NULL, 7.0) == 7.0);
    CHECK(json_int(NULL, &i) < 0 && json_bool(NULL, &b) < 0);
    CHECK(json_string(NULL) == NULL && json_length(NULL) == 0);
}

static void test_json_strings(void)
{
    struct json_value *v = parse_str("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"");
    CHECK(v && json_string(v) && strcmp(json_string(v), "a\"b\\c/d\b\f\n\r\t") == 0);
    json_free(v);

    /* \u escapes: 1, 2 and 3 byte UTF-8, a surrogate pair (4 bytes), NUL. */
    v = parse_str("\"\\u0041\\u00e9\\u20AC\\ud83d\\ude00\\u0000x\"");
    static const char want[] = "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\0x";
    CHECK(v && json_string_len(v) == sizeof(want) - 1 &&
          memcmp(json_string(v), want, sizeof(want)) == 0);
    CHECK(json_length(v) == sizeof(want) - 1);
    json_free(v);

    /* Raw UTF-8 passes through. */
    v = parse_str("\"caf\xC3\xA9\"");
    CHECK(v && strcmp(json_string(v), "caf\xC3\xA9") == 0);
    json_free(v);
}

static void test_json_containers(void)
{
    const char *doc =
        "{\"name\": \"b1 90 23\", \"initial\": {\"pc\": 30937, \"ram\": [[30937,177],[144,82]]},\n"
        " \"empty\": [], \"eo\": {}, \"dup\": 1, \"dup\": 2, \"list\": [true, null, \"x\", -3]}";
    struct json_error err;
    struct json_value *v = json_parse(doc, strlen(doc), &err);
    CHECK(v != NULL);
    CHECK(json_type_of(v) == JSON_OBJECT && json_length(v) == 7);
    CHECK(json_string(json_get(v, "name")) && strcmp(json_string(json_get(v, "name")), "b1 90 23") == 0);

    const struct json_value *init = json_get(v, "initial");
    int64_t i = 0;
    CHECK(json_int(json_get(init, "pc"), &i) == 0 && i == 30937);
    const struct json_value *ram = json_get(init, "ram");
    CHECK(json_length(ram) == 2);
    CHECK(json_int(json_at(json_at(ram, 1), 0), &i) == 0 && i == 144);
    CHECK(json_int(json_at(json_at(ram, 1), 1), &i) == 0 && i == 82);
    CHECK(json_at(ram, 2) == NULL);
    CHECK(json_at(json_get(v, "name"), 0) == NULL);     /* not an array */

    CHECK(json_type_of(json_get(v, "empty")) == JSON_ARRAY && json_length(json_get(v, "empty")) == 0);
    CHECK(json_type_of(json_get(v, "eo")) == JSON_OBJECT && json_length(json_get(v, "eo")) == 0);
    CHECK(json_int(json_get(v, "dup"), &i) == 0 && i == 1);    /* first wins */
    CHECK(json_get(v, "missing") == NULL);
    CHECK(json_get(json_get(v, "missing"), "deeper") == NULL);

    /* Members in document order. */
    CHECK(json_key_at(v, 0) && strcmp(json_key_at(v, 0), "name") == 0);
    CHECK(json_key_at(v, 6) && strcmp(json_key_at(v, 6), "list") == 0);
    CHECK(json_key_at(v, 7) == NULL && json_value_at(v, 7) == NULL);
    const struct json_value *list = json_value_at(v, 6);
    CHECK(json_length(list) == 4 && json_is_null(json_at(list, 1)));
    CHECK(json_int(json_at(list, 3), &i) == 0 && i == -3);
    json_free(v);

    /* The input need not be NUL-terminated: parse a prefix of a longer buffer. */
    v = json_parse("[1,2]garbage", 5, NULL);
    CHECK(v && json_length(v) == 2);
    json_free(v);
}

static void test_json_errors(void)
{
    static const char *const bad[] = {
        "", "   ", "{", "}", "[", "]", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}",
        "{a:1}", "{\"a\" 1}", "[1 2]", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"",
        "\"\\ud800\"", "\"\\ud800\\u0041\"", "\"\\udc00\"", "\"a\x01\"", "01", "-", "1.",
        ".5", "1e", "1e+", "+1", "tru", "truex", "nul", "NaN", "Infinity", "[1] [2]",
        "{\"a\":1}}", "'a'", "[\"a\\", "\"\\", "{\"a\":1 \"b\":2}",
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        struct json_error err;
        memset(&err, 0x55, sizeof(err));
        struct json_value *v = json_parse(bad[k], strlen(bad[k]), &err);
        if (v)
            fprintf(stderr, "accepted bad JSON: %s\n", bad[k]);
        CHECK(v == NULL);
        CHECK(err.message[0] != '\0' && err.line >= 1 && err.column >= 1);
        CHECK(err.offset <= strlen(bad[k]));
        json_free(v);
    }
    /* Line and column of the error. */
    struct json_error err;
    CHECK(json_parse("{\n  \"a\": tru }", 14, &err) == NULL);
    CHECK_EQ(err.line, 2);
    CHECK_EQ(err.column, 8);
    CHECK(json_parse(NULL, 10, &err) == NULL);

    /* Deep nesting is refused instead of overflowing the stack. */
    size_t n = 100000;
    char *deep = malloc(n);
    if (deep) {
        memset(deep, '[', n);
        CHECK(json_parse(deep, n, &err) == NULL);
        CHECK(strstr(err.message, "deep") != NULL);
        free(deep);
    }
}

/* Every proper prefix of a document whose root is an object is invalid;
 * every single-byte corruption must parse or fail cleanly. */
static void test_json_truncation(void)
{
    const char *doc =
        "{\"name\": \"add cl, ah\", \"bytes\": [0, 225], \"esc\": \"\\u00e9\\ud83d\\ude00\\n\",\n"
        " \"f\": -1.25e+2, \"t\": true, \"n\": null, \"o\": {\"x\": [[], {}]}}";
    size_t len = strlen(doc);
    struct json_value *full = json_parse(doc, len, NULL);
    CHECK(full != NULL);
    json_free(full);

    unsigned accepted = 0;
    for (size_t cut = 0; cut < len; cut++) {
        /* A heap copy of exactly `cut` bytes lets ASan catch any over-read. */
        char *copy = malloc(cut ? cut : 1);
        if (!copy)
            continue;
        memcpy(copy, doc, cut);
        struct json_value *v = json_parse(copy, cut, NULL);
        if (v)
            accepted++;
        json_free(v);
        free(copy);
    }
    CHECK_EQ(accepted, 0);

    static const char subst[] = { '\0', '"', '\\', '{', '}', '[', ']', ',', ':', 'x', '9', '\x80' };
    char *copy = malloc(len);
    if (!copy)
        return;
    for (size_t pos = 0; pos < len; pos++) {
        for (size_t s = 0; s < sizeof(subst); s++) {
            memcpy(copy, doc, len);
            copy[pos] = subst[s];
            json_free(json_parse(copy, len, NULL));
        }
    }
    free(copy);
    CHECK(1);       /* got here without a crash */
}

/* ---------------------------------------------------------------- MOO */

/* A little-endian byte builder for synthetic MOO files. */
struct buf {
    uint8_t d[4096];
    size_t n;
};

static void put8(struct buf *b, unsigned v)
{
    if (b->n < sizeof(b->d))
        b->d[b->n++] = (uint8_t)v;
}
static void put16(struct buf *b, unsigned v)
{
    put8(b, v & 0xFF);
    put8(b, v >> 8 & 0xFF);
}
static void put32(struct buf *b, uint32_t v)
{
    put16(b, v & 0xFFFF);
    put16(b, v >> 16);
}
static void put_id(struct buf *b, const char *id)
{
    for (int i = 0; i < 4; i++)
        put8(b, (uint8_t)id[i]);
}
/* Starts a chunk; returns where its length goes (patched by end_chunk). */
static size_t begin_chunk(struct buf *b, const char *id)
{
    put_id(b, id);
    size_t at = b->n;
    put32(b, 0);
    return at;
}
static void end_chunk(struct buf *b, size_t at)
{
    uint32_t len = (uint32_t)(b->n - at - 4);
    for (int i = 0; i < 4; i++)
        b->d[at + i] = (uint8_t)(len >> (8 * i));
}

/* A 286-style file with two tests, exercising every chunk type, unknown
 * chunks at each level, and chunks longer than their known fields. */
static void build_synthetic(struct buf *b)
{
    b->n = 0;
    size_t c = begin_chunk(b, "MOO ");
    put8(b, 1); put8(b, 1); put16(b, 0); put32(b, 2); put_id(b, "C286");
    put32(b, 0xAABBCCDD);               /* future header growth: must be skipped */
    end_chunk(b, c);

    c = begin_chunk(b, "META");
    put8(b, 1); put8(b, 0); put8(b, 6); put32(b, 0x62); put_id(b, "boun"); put_id(b, "d   ");
    put32(b, 2); put32(b, 0xDEADBEEF); put32(b, 0x01234567); put8(b, 0); put8(b, 0); put8(b, 0); put8(b, 0);
    end_chunk(b, c);

    c = begin_chunk(b, "ZZZZ");         /* unknown top-level chunk */
    put32(b, 0x12345678);
    end_chunk(b, c);

    c = begin_chunk(b, "RMSK");
    put16(b, 1u << MOO_FLAGS); put16(b, 0xF7FF);
    end_chunk(b, c);

    for (uint32_t t = 0; t < 2; t++) {
        size_t tc = begin_chunk(b, "TEST");
        put32(b, t + 7);
        size_t s = begin_chunk(b, "GMET");
        for (int i = 0; i < 10; i++) put8(b, 0xEE);
        end_chunk(b, s);
        s = begin_chunk(b, "NAME");
        put32(b, 5); put_id(b, "boun"); put8(b, 'd');
        end_chunk(b, s);
        s = begin_chunk(b, "BYTS");
        put32(b, 3); put8(b, 0x62); put8(b, 0x07); put8(b, 0xF4);
        end_chunk(b, s);

        s = begin_chunk(b, "INIT");
        size_t r = begin_chunk(b, "REGS");
        put16(b, 0x3FFF);
        for (int i = 0; i < MOO_NREG16; i++) put16(b, 0x1000u * t + 0x100u + (unsigned)i);
        end_chunk(b, r);
        r = begin_chunk(b, "RG32");
        put32(b, (1u << MOO_EAX) | (1u << MOO_EFLAGS)); put32(b, 0x89ABCDEF); put32(b, 0x00000202);
        end_chunk(b, r);
        r = begin_chunk(b, "RAM ");
        put32(b, 2); put32(b, 0x10FFEF); put8(b, 0x62); put32(b, 0xFFFFF); put8(b, 0x99);
        end_chunk(b, r);
        r = begin_chunk(b, "QUEU");
        put32(b, 1); put8(b, 0x62);
        end_chunk(b, r);
        r = begin_chunk(b, "EA32");
        put8(b, 3); put16(b, 0x1234); put32(b, 0x12340); put32(b, 0xFFFF); put32(b, 0x10);
        put32(b, 0x12350); put32(b, 0x12350);
        end_chunk(b, r);
        r = begin_chunk(b, "XTRA");     /* unknown state chunk */
        end_chunk(b, r);
        end_chunk(b, s);

        s = begin_chunk(b, "FINA");
        r = begin_chunk(b, "REGS");
        put16(b, (1u << MOO_SP) | (1u << MOO_IP)); put16(b, 0xFFFA); put16(b, 0x0003);
        end_chunk(b, r);
        r = begin_chunk(b, "RMSK");
        put16(b, 1u << MOO_FLAGS); put16(b, 0xF72A);
        end_chunk(b, r);
        r = begin_chunk(b, "RAM ");
        put32(b, 1); put32(b, 0x400); put8(b, 0x55);
        end_chunk(b, r);
        end_chunk(b, s);

        s = begin_chunk(b, "CYCL");
        put32(b, 2);
        for (int i = 0; i < 2; i++) {
            put8(b, 0x0D); put32(b, 0x10FFEF + (uint32_t)i); put8(b, 2); put8(b, 4); put8(b, 0);
            put8(b, 1); put16(b, 0xBEEF); put8(b, 13); put8(b, 1); put8(b, 0); put8(b, 0x62);
        }
        end_chunk(b, s);
        s = begin_chunk(b, "EXCP");
        put8(b, 5); put32(b, 0x2FFFC);
        end_chunk(b, s);
        s = begin_chunk(b, "HASH");
        for (int i = 0; i < 20; i++) put8(b, (unsigned)(i * 17 + t));
        end_chunk(b, s);
        end_chunk(b, tc);
    }
}

static void test_moo_synthetic(void)
{
    struct buf b;
    build_synthetic(&b);
    char err[256];
    struct moo_file *f = moo_open_buffer(b.d, b.n, err, sizeof(err));
    CHECK(f != NULL);
    if (!f) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    const struct moo_header *h = moo_header(f);
    CHECK(strcmp(h->cpu, "C286") == 0 && h->test_count == 2 && h->major == 1 && h->minor == 1);
    CHECK(h->has_meta && h->meta.opcode == 0x62 && h->meta.cpu_type == 6);
    CHECK(strcmp(h->meta.mnemonic, "bound   ") == 0 && h->meta.test_count == 2);
    CHECK(h->meta.seed == 0x01234567DEADBEEFull && h->meta.cpu_mode == 0);
    CHECK(h->has_rmsk && h->rmsk.mask == (1u << MOO_FLAGS) && h->rmsk.v[MOO_FLAGS] == 0xF7FF);

    struct moo_test t;
    for (uint32_t k = 0; k < 2; k++) {
        CHECK_EQ(moo_next(f, &t), 1);
        CHECK_EQ(t.position, k);
        CHECK_EQ(t.index, k + 7);
        CHECK(strcmp(t.name, "bound") == 0 && t.name_len == 5);
        CHECK(t.n_bytes == 3 && t.bytes[0] == 0x62 && t.bytes[2] == 0xF4);
        CHECK(t.init.has_regs && t.init.regs.mask == 0x3FFF);
        CHECK_EQ(t.init.regs.v[MOO_AX], 0x1000u * k + 0x100);
        CHECK_EQ(t.init.regs.v[MOO_FLAGS], 0x1000u * k + 0x10D);
        CHECK(t.init.has_regs32 && t.init.regs32.v[MOO_EAX] == 0x89ABCDEF);
        CHECK(t.init.regs32.v[MOO_EFLAGS] == 0x202 && t.init.regs32.v[MOO_EBX] == 0);
        CHECK(t.init.has_ram && t.init.ram_count == 2);
        CHECK(t.init.ram[0].addr == 0x10FFEF && t.init.ram[0].value == 0x62);
        CHECK(t.init.ram[1].addr == 0xFFFFF && t.init.ram[1].value == 0x99);
        CHECK(t.init.has_queue && t.init.queue_len == 1 && t.init.queue[0] == 0x62);
        CHECK(t.init.has_ea32 && t.init.ea32.seg == 3 && t.init.ea32.sel == 0x1234);
        CHECK(t.init.ea32.base == 0x12340 && t.init.ea32.linear == 0x12350);
        CHECK(t.final.regs.mask == ((1u << MOO_SP) | (1u << MOO_IP)));
        CHECK(t.final.regs.v[MOO_SP] == 0xFFFA && t.final.regs.v[MOO_IP] == 3);
        CHECK(t.final.has_rmsk && t.final.rmsk.v[MOO_FLAGS] == 0xF72A);
        CHECK(!t.final.has_queue && !t.final.has_regs32);
        CHECK(t.final.ram_count == 1 && t.final.ram[0].addr == 0x400 && t.final.ram[0].value == 0x55);
        CHECK(t.has_cycles && t.n_cycles == 2);
        CHECK(t.cycles[1].pins0 == 0x0D && t.cycles[1].address == 0x10FFF0);
        CHECK(t.cycles[1].segment == 2 && t.cycles[1].mem_status == 4 && t.cycles[1].io_status == 0);
        CHECK(t.cycles[1].pins1 == 1 && t.cycles[1].data == 0xBEEF && t.cycles[1].bus_status == 13);
        CHECK(t.cycles[1].t_state == 1 && t.cycles[1].queue_op == 0 && t.cycles[1].queue_byte == 0x62);
        CHECK(t.has_exception && t.exception == 5 && t.flag_address == 0x2FFFC);
        CHECK(t.has_hash && t.hash[1] == 17 + k);
        CHECK(strlen(t.hash_hex) == 40 && strncmp(t.hash_hex, k ? "0112" : "0011", 4) == 0);
    }
    CHECK_EQ(moo_next(f, &t), 0);
    CHECK_EQ(moo_next(f, &t), 0);
    moo_close(f);
}

/* Opens a buffer and reads every test.  Returns the tests read, or -1 when
 * the reader reported an error somewhere. */
static long read_all(const uint8_t *data, size_t len)
{
    char err[256];
    /* An exact-size heap copy: ASan then catches any read past the end. */
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return -1;
    if (len)
        memcpy(copy, data, len);
    struct moo_file *f = moo_open_buffer(copy, len, err, sizeof(err));
    free(copy);
    if (!f)
        return -1;
    struct moo_test t;
    long n = 0;
    int r;
    while ((r = moo_next(f, &t)) == 1)
        n++;
    if (r < 0) {
        CHECK(moo_error(f)[0] != '\0');
        n = -1;
    }
    moo_close(f);
    return n;
}

/* Cuts the file at every byte (each cut must be an error) and overwrites
 * every byte with a few values (each must be read or refused cleanly). */
static void test_moo_damage(const uint8_t *data, size_t len, long tests)
{
    CHECK_EQ(read_all(data, len), tests);
    unsigned accepted = 0;
    for (size_t cut = 0; cut < len; cut++)
        accepted += read_all(data, cut) >= 0;
    CHECK_EQ(accepted, 0);

    uint8_t *copy = malloc(len);
    if (!copy)
        return;
    static const uint8_t subst[] = { 0x00, 0x01, 0x7F, 0xFF };
    for (size_t pos = 0; pos < len; pos++) {
        for (size_t s = 0; s < sizeof(subst); s++) {
            memcpy(copy, data, len);
            copy[pos] = subst[s];
            (void)read_all(copy, len);
        }
    }
    CHECK(1);       /* no crash */

    /* A length field far beyond the file: the chunk after the MOO header. */
    size_t second = len > 8 ? 8 + (size_t)data[4] : len;
    if (second + 8 <= len) {
        memcpy(copy, data, len);
        memset(copy + second + 4, 0xFF, 4);
        CHECK(read_all(copy, len) < 0);
    }
    free(copy);
}

static void test_moo_garbage(void)
{
    char err[256];
    CHECK(moo_open_buffer("", 0, err, sizeof(err)) == NULL && err[0]);
    CHECK(moo_open_buffer("TEST\0\0\0\0", 8, err, sizeof(err)) == NULL && err[0]);
    CHECK(moo_open_buffer("MOO \4\0\0\0abcd", 12, err, sizeof(err)) == NULL && err[0]);
    CHECK(moo_open("/nonexistent/dir/x.MOO.gz", err, sizeof(err)) == NULL && err[0]);
}

/* ------------------------------------------------------- real data files */

static const char *data_root(void)
{
    const char *env = getenv("TRAPEZE_CONFORMANCE");
    return env && *env ? env : "../shared/conformance";
}

/* The README's worked example: test 0 of 8086/v1_binary/00.MOO.gz. */
static void check_8086_first(const struct moo_test *t)
{
    CHECK(strcmp(t->name, "add cl, ah") == 0);
    CHECK(t->n_bytes == 2 && t->bytes[0] == 0x00 && t->bytes[1] == 0xE1);
    CHECK_EQ(t->index, 0);
    CHECK_EQ(t->position, 0);
    CHECK_EQ(t->init.regs.mask, 0x3FFF);
    CHECK_EQ(t->init.regs.v[MOO_AX], 0x339C);
    CHECK_EQ(t->init.regs.v[MOO_BX], 0xB0E4);
    CHECK_EQ(t->init.regs.v[MOO_CX], 0xBAA8);
    CHECK_EQ(t->init.regs.v[MOO_CS], 59545);
    CHECK_EQ(t->init.regs.v[MOO_IP], 22673);
    CHECK_EQ(t->init.regs.v[MOO_FLAGS], 64663);
    CHECK_EQ(t->init.ram_count, 5);
    CHECK(t->init.ram_count == 5 && t->init.ram[0].addr == 0x0EE221 && t->init.ram[0].value == 0x00);
    CHECK(t->init.ram_count == 5 && t->init.ram[1].addr == 0x0EE222 && t->init.ram[1].value == 0xE1);
    CHECK(t->init.queue_len == 5 && t->init.queue[1] == 0xE1 && t->init.queue[4] == 0x90);
    CHECK_EQ(t->final.regs.mask, 0x3004);
    CHECK_EQ(t->final.regs.v[MOO_CX], 0xBADB);
    CHECK_EQ(t->final.regs.v[MOO_IP], 0x5893);
    CHECK_EQ(t->final.regs.v[MOO_FLAGS], 0xF486);
    CHECK_EQ(t->final.ram_count, 5);
    CHECK(t->final.queue_len == 2 && t->final.queue[0] == 0x90 && t->final.queue[1] == 0x90);
    CHECK_EQ(t->n_cycles, 3);
    if (t->n_cycles == 3) {
        CHECK(t->cycles[0].pins0 == 0 && t->cycles[0].address == 0x9C33 && t->cycles[0].segment == 4);
        CHECK(t->cycles[0].bus_status == 7 && t->cycles[0].t_state == 0 && t->cycles[0].queue_op == 1);
        CHECK(t->cycles[1].queue_op == 3 && t->cycles[1].queue_byte == 0xE1);
        CHECK(t->cycles[2].pins0 == 1 && t->cycles[2].address == 0x0EE226);
        CHECK(t->cycles[2].bus_status == 6 && t->cycles[2].t_state == 1);
    }
    CHECK(!t->has_exception && !t->has_hash);
}

/* Test 0 of 80286/v1_real_mode/00.MOO.gz (README section 2b). */
static void check_286_first(const struct moo_test *t)
{
    CHECK(strcmp(t->name, "add [bx+0Eh],bl") == 0);
    CHECK(t->n_bytes == 4 && t->bytes[1] == 0x5F && t->bytes[3] == 0xF4);
    CHECK_EQ(t->init.regs.v[MOO_AX], 715);
    CHECK_EQ(t->init.regs.v[MOO_IP], 38072);
    CHECK_EQ(t->init.regs.v[MOO_FLAGS], 6291);
    CHECK_EQ(t->final.regs.mask, (1u << MOO_IP) | (1u << MOO_FLAGS));
    CHECK_EQ(t->final.regs.v[MOO_IP], 38076);
    CHECK_EQ(t->final.regs.v[MOO_FLAGS], 19);
    CHECK(t->final.ram_count == 1 && t->final.ram[0].addr == 1075233 && t->final.ram[0].value == 1);
    CHECK(t->n_cycles > 0 && t->cycles[0].address == 1086632 && t->cycles[0].bus_status == 13);
    CHECK(t->has_hash && strcmp(t->hash_hex, "626be5084b331080eb08256c12a62d24afdf2a03") == 0);
    CHECK(!t->has_exception);
}

static int read_first(const char *rel, struct moo_file **fp, struct moo_test *t)
{
    char path[1024], err[256];
    snprintf(path, sizeof(path), "%s/%s", data_root(), rel);
    *fp = moo_open(path, err, sizeof(err));
    if (!*fp) {
        printf("note: %s (real-data checks skipped)\n", err);
        return -1;
    }
    int r = moo_next(*fp, t);
    CHECK_EQ(r, 1);
    return r == 1 ? 0 : -1;
}

static void test_moo_real(void)
{
    struct moo_file *f;
    struct moo_test t;
    if (read_first("8086/v1_binary/00.MOO.gz", &f, &t) == 0) {
        CHECK(strcmp(moo_header(f)->cpu, "8086") == 0 && moo_header(f)->test_count == 1000);
        CHECK(!moo_header(f)->has_meta);
        check_8086_first(&t);
        /* The rest of the file reads cleanly; every index field is 0. */
        long n = 1;
        int r, all_zero = 1;
        while ((r = moo_next(f, &t)) == 1) {
            n++;
            all_zero &= t.index == 0;
        }
        CHECK_EQ(r, 0);
        CHECK_EQ(n, 1000);
        CHECK(all_zero);
        CHECK_EQ(t.position, 999);
    }
    moo_close(f);

    if (read_first("80286/v1_real_mode/00.MOO.gz", &f, &t) == 0) {
        const struct moo_header *h = moo_header(f);
        CHECK(strcmp(h->cpu, "C286") == 0 && h->has_meta && h->meta.test_count == 500);
        CHECK(strncmp(h->meta.mnemonic, "add", 3) == 0 && h->meta.opcode == 0);
        check_286_first(&t);
    }
    moo_close(f);
}

#if HAVE_ZLIB
/* The first `keep` tests of a real file, with the header count patched, as
 * a raw buffer for the damage tests.  Returns its length or 0. */
static size_t real_prefix(const char *rel, unsigned keep, uint8_t *out, size_t cap)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", data_root(), rel);
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return 0;
    int n = gzread(gz, out, (unsigned)cap);
    gzclose(gz);
    if (n < 20)
        return 0;
    /* Walk top-level chunks to the end of the keep-th TEST. */
    size_t pos = 0, len = (size_t)n;
    unsigned tests = 0;
    while (pos + 8 <= len && tests < keep) {
        size_t clen = (size_t)out[pos + 4] | (size_t)out[pos + 5] << 8 |
                      (size_t)out[pos + 6] << 16 | (size_t)out[pos + 7] << 24;
        if (clen > len - pos - 8)
            return 0;
        tests += memcmp(out + pos, "TEST", 4) == 0;
        pos += 8 + clen;
    }
    if (tests != keep)
        return 0;
    out[12] = (uint8_t)keep;    /* MOO header test_count, little-endian */
    out[13] = out[14] = out[15] = 0;
    return pos;
}
#endif

int main(void)
{
    test_json_scalars();
    test_json_strings();
    test_json_containers();
    test_json_errors();
    test_json_truncation();

    test_moo_garbage();
    test_moo_synthetic();
    struct buf b;
    build_synthetic(&b);
    test_moo_damage(b.d, b.n, 2);
    test_moo_real();
#if HAVE_ZLIB
    size_t cap = 1 << 16;
    uint8_t *raw = malloc(cap);
    size_t n = raw ? real_prefix("8086/v1_binary/00.MOO.gz", 2, raw, cap) : 0;
    if (n)
        test_moo_damage(raw, n, 2);
    n = raw ? real_prefix("80286/v1_real_mode/00.MOO.gz", 1, raw, cap) : 0;
    if (n)
        test_moo_damage(raw, n, 1);
    free(raw);
#endif
    return test_report();
}
