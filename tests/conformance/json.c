/*
 * JSON reader: a recursive-descent parser building a tree.  See json.h.
 *
 * Every read goes through the parser's cursor, which is compared with the
 * end of the input before each byte is looked at, so truncated or corrupt
 * input ends in an error, never in a read past the buffer.
 */
#include "tests/conformance/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
    const char *start, *p, *end;
    struct json_error *err;
    int failed;
};

static void fail(struct parser *ps, const char *msg)
{
    if (ps->failed)
        return;             /* keep the first (innermost) reason */
    ps->failed = 1;
    if (!ps->err)
        return;
    /* Line and column are worked out only now: errors are rare. */
    unsigned line = 1, col = 1;
    for (const char *q = ps->start; q < ps->p; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    ps->err->offset = (size_t)(ps->p - ps->start);
    ps->err->line = line;
    ps->err->column = col;
    snprintf(ps->err->message, sizeof(ps->err->message), "%s", msg);
}

static int at_end(const struct parser *ps) { return ps->p >= ps->end; }

static void skip_ws(struct parser *ps)
{
    while (!at_end(ps) && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static struct json_value *new_value(struct parser *ps, enum json_type type)
{
    struct json_value *v = calloc(1, sizeof(*v));
    if (!v)
        fail(ps, "out of memory");
    else
        v->type = type;
    return v;
}

void json_free(struct json_value *v)
{
    if (!v)
        return;
    switch (v->type) {
    case JSON_STRING:
        free(v->u.str.s);
        break;
    case JSON_ARRAY:
        for (size_t i = 0; i < v->u.arr.n; i++)
            json_free(v->u.arr.items[i]);
        free(v->u.arr.items);
        break;
    case JSON_OBJECT:
        for (size_t i = 0; i < v->u.obj.n; i++) {
            free(v->u.obj.members[i].key);
            json_free(v->u.obj.members[i].value);
        }
        free(v->u.obj.members);
        break;
    default:
        break;
    }
    free(v);
}

/* ---- literals and numbers ---- */

static struct json_value *parse_literal(struct parser *ps, const char *word, enum json_type type,
                                        int boolean)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) {
        fail(ps, "invalid literal");
        return NULL;
    }
    ps->p += n;
    struct json_value *v = new_value(ps, type);
    if (v && type == JSON_BOOL)
        v->u.boolean = boolean;
    return v;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Advances over one or more digits; 0 when there was none. */
static int skip_digits(struct parser *ps)
{
    const char *s = ps->p;
    while (!at_end(ps) && is_digit(*ps->p))
        ps->p++;
    return ps->p > s;
}

/* Integer value of an integer lexeme ("-"? digits), or -1 on overflow. */
static int lexeme_to_int64(const char *s, const char *e, int64_t *out)
{
    int neg = *s == '-';
    if (neg)
        s++;
    /* Accumulate as a negative number: its range is one larger. */
    int64_t v = 0;
    for (; s < e; s++) {
        int d = *s - '0';
        if (v < (INT64_MIN + d) / 10)
            return -1;
        v = v * 10 - d;
    }
    if (!neg) {
        if (v == INT64_MIN)
            return -1;
        v = -v;
    }
    *out = v;
    return 0;
}

/* An integral double that int64_t holds exactly (for 1e3 or 2.0). */
static int double_to_int64(double d, int64_t *out)
{
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
        return -1;
    int64_t i = (int64_t)d;
    if ((double)i != d)
        return -1;
    *out = i;
    return 0;
}

static struct json_value *parse_number(struct parser *ps)
{
    const char *s = ps->p;
    int integral = 1;
    if (*ps->p == '-')
        ps->p++;
    /* JSON forbids leading zeros: "0" stands alone before '.', 'e' or the end. */
    if (!at_end(ps) && *ps->p == '0')
        ps->p++;
    else if (!skip_digits(ps))
        goto bad;
    if (!at_end(ps) && *ps->p == '.') {
        ps->p++;
        integral = 0;
        if (!skip_digits(ps))
            goto bad;
    }
    if (!at_end(ps) && (*ps->p == 'e' || *ps->p == 'E')) {
        ps->p++;
        integral = 0;
        if (!at_end(ps) && (*ps->p == '+' || *ps->p == '-'))
            ps->p++;
        if (!skip_digits(ps))
            goto bad;
    }

    /* strtod needs a terminated copy: the input need not be terminated. */
    size_t n = (size_t)(ps->p - s);
    char small[64];
    char *buf = n < sizeof(small) ? small : malloc(n + 1);
    if (!buf) {
        fail(ps, "out of memory");
        return NULL;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    double d = strtod(buf, NULL);
    if (buf != small)
        free(buf);

    struct json_value *v = new_value(ps, JSON_NUMBER);
    if (!v)
        return NULL;
    v->u.num.d = d;
    int64_t i;
    int ok = integral ? lexeme_to_int64(s, ps->p, &i) : double_to_int64(d, &i);
    if (ok == 0) {
        v->u.num.i = i;
        v->u.num.is_int = 1;
    }
    return v;

bad:
    fail(ps, "invalid number");
    return NULL;
}

/* ---- strings ---- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads the 4 hex digits after "\u" at ps->p; -1 when malformed. */
static long read_hex4(struct parser *ps)
{
    if (ps->end - ps->p < 4)
        return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex_value(ps->p[i]);
        if (h < 0)
            return -1;
        v = v << 4 | h;
    }
    ps->p += 4;
    return v;
}

static size_t put_utf8(char *out, unsigned long cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the escape after a backslash (ps->p is past the backslash) into
 * out; returns the bytes written, or 0 on error. */
static size_t decode_escape(struct parser *ps, char *out)
{
    if (at_end(ps))
        return 0;
    char c = *ps->p++;
    switch (c) {
    case '"': case '\\': case '/':
        *out = c;
        return 1;
    case 'b': *out = '\b'; return 1;
    case 'f': *out = '\f'; return 1;
    case 'n': *out = '\n'; return 1;
    case 'r': *out = '\r'; return 1;
    case 't': *out = '\t'; return 1;
    case 'u':
        break;
    default:
        return 0;
    }
    long hi = read_hex4(ps);
    if (hi < 0 || (hi >= 0xDC00 && hi <= 0xDFFF))
        return 0;                   /* malformed, or a lone low surrogate */
    if (hi < 0xD800 || hi > 0xDBFF)
        return put_utf8(out, (unsigned long)hi);
    /* A high surrogate must be followed by "\u" and a low surrogate. */
    if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
        return 0;
    ps->p += 2;
    long lo = read_hex4(ps);
    if (lo < 0xDC00 || lo > 0xDFFF)
        return 0;
    return put_utf8(out, 0x10000ul + ((unsigned long)(hi - 0xD800) << 10) + (unsigned long)(lo - 0xDC00));
}

/* Parses a string starting at the opening quote into a new NUL-terminated
 * buffer.  Decoding never makes a string longer than its source text, so
 * the buffer is sized from a first scan to the closing quote. */
static char *parse_string_raw(struct parser *ps, size_t *len_out)
{
    ps->p++;                        /* opening quote */
    const char *q = ps->p;
    while (q < ps->end && *q != '"')
        q += (*q == '\\' && ps->end - q > 1) ? 2 : 1;
    if (q >= ps->end) {
        ps->p = ps->end;
        fail(ps, "unterminated string");
        return NULL;
    }
    char *buf = malloc((size_t)(q - ps->p) + 1);
    if (!buf) {
        fail(ps, "out of memory");
        return NULL;
    }
    size_t n = 0;
    while (*ps->p != '"') {         /* the scan above proved a quote comes */
        unsigned char c = (unsigned char)*ps->p;
        if (c < 0x20) {
            fail(ps, "control character in string");
            free(buf);
            return NULL;
        }
        ps->p++;
        if (c != '\\') {
            buf[n++] = (char)c;
            continue;
        }
        size_t k = decode_escape(ps, buf + n);
        if (k == 0) {
            fail(ps, "invalid escape in string");
            free(buf);
            return NULL;
        }
        n += k;
    }
    ps->p++;                        /* closing quote */
    buf[n] = '\0';
    *len_out = n;
    return buf;
}

static struct json_value *parse_string(struct parser *ps)
{
    size_t len;
    char *s = parse_string_raw(ps, &len);
    if (!s)
        return NULL;
    struct json_value *v = new_value(ps, JSON_STRING);
    if (!v) {
        free(s);
        return NULL;
    }
    v->u.str.s = s;
    v->u.str.len = len;
    return v;
}

/* ---- containers ---- */

static struct json_value *parse_value(struct parser *ps, unsigned depth);

/* Grows *items (of element size `size`) so that index n fits. */
static int grow(struct parser *ps, void **items, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 4;
    if (ncap > SIZE_MAX / size) {
        fail(ps, "out of memory");
        return -1;
    }
    void *p = realloc(*items, ncap * size);
    if (!p) {
        fail(ps, "out of memory");
        return -1;
    }
    *items = p;
    *cap = ncap;
    return 0;
}

/* After an element: ',' (returns 1: another comes), the closing bracket
 * (returns 0), or an error (-1). */
static int after_element(struct parser *ps, char close)
{
    skip_ws(ps);
    if (at_end(ps)) {
        fail(ps, "unexpected end of input");
        return -1;
    }
    if (*ps->p == ',') {
        ps->p++;
        return 1;
    }
    if (*ps->p == close) {
        ps->p++;
        return 0;
    }
    fail(ps, close == ']' ? "expected ',' or ']'" : "expected ',' or '}'");
    return -1;
}

static struct json_value *parse_array(struct parser *ps, unsigned depth)
{
    struct json_value *v = new_value(ps, JSON_ARRAY);
    if (!v)
        return NULL;
    size_t cap = 0;
    ps->p++;                        /* '[' */
    skip_ws(ps);
    if (!at_end(ps) && *ps->p == ']') {
        ps->p++;
        return v;
    }
    for (;;) {
        void *items = v->u.arr.items;
        if (grow(ps, &items, &cap, v->u.arr.n, sizeof(*v->u.arr.items)) < 0)
            break;
        v->u.arr.items = items;
        struct json_value *e = parse_value(ps, depth + 1);
        if (!e)
            break;
        v->u.arr.items[v->u.arr.n++] = e;
        int more = after_element(ps, ']');
        if (more == 0)
            return v;
        if (more < 0)
            break;
    }
    json_free(v);
    return NULL;
}

/* Parses `"key" :` into m->key. */
static int parse_key(struct parser *ps, struct json_member *m)
{
    skip_ws(ps);
    if (at_end(ps) || *ps->p != '"') {
        fail(ps, at_end(ps) ? "unexpected end of input" : "expected a string key");
        return -1;
    }
    m->key = parse_string_raw(ps, &m->key_len);
    if (!m->key)
        return -1;
    skip_ws(ps);
    if (at_end(ps) || *ps->p != ':') {
        fail(ps, at_end(ps) ? "unexpected end of input" : "expected ':'");
        return -1;
    }
    ps->p++;
    return 0;
}

static struct json_value *parse_object(struct parser *ps, unsigned depth)
{
    struct json_value *v = new_value(ps, JSON_OBJECT);
    if (!v)
        return NULL;
    size_t cap = 0;
    ps->p++;                        /* '{' */
    skip_ws(ps);
    if (!at_end(ps) && *ps->p == '}') {
        ps->p++;
        return v;
    }
    for (;;) {
        void *members = v->u.obj.members;
        if (grow(ps, &members, &cap, v->u.obj.n, sizeof(*v->u.obj.members)) < 0)
            break;
        v->u.obj.members = members;
        /* Count the member as soon as it exists so json_free sees its key. */
        struct json_member *m = &v->u.obj.members[v->u.obj.n++];
        m->key = NULL;
        m->value = NULL;
        if (parse_key(ps, m) < 0)
            break;
        m->value = parse_value(ps, depth + 1);
        if (!m->value)
            break;
        int more = after_element(ps, '}');
        if (more == 0)
            return v;
        if (more < 0)
            break;
    }
    json_free(v);
    return NULL;
}

static struct json_value *parse_value(struct parser *ps, unsigned depth)
{
    if (depth > JSON_MAX_DEPTH) {
        fail(ps, "nesting too deep");
        return NULL;
    }
    skip_ws(ps);
    if (at_end(ps)) {
        fail(ps, "unexpected end of input");
        return NULL;
    }
    switch (*ps->p) {
    case '{': return parse_object(ps, depth);
    case '[': return parse_array(ps, depth);
    case '"': return parse_string(ps);
    case 't': return parse_literal(ps, "true", JSON_BOOL, 1);
    case 'f': return parse_literal(ps, "false", JSON_BOOL, 0);
    case 'n': return parse_literal(ps, "null", JSON_NULL, 0);
    default:
        if (*ps->p == '-' || is_digit(*ps->p))
            return parse_number(ps);
        fail(ps, "unexpected character");
        return NULL;
    }
}

struct json_value *json_parse(const char *text, size_t len, struct json_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
    if (!text)
        len = 0;                    /* NULL parses as empty input: an error */
    struct parser ps = { text, text, text ? text + len : text, err, 0 };
    struct json_value *root = parse_value(&ps, 1);
    if (!root)
        return NULL;
    skip_ws(&ps);
    if (!at_end(&ps)) {
        fail(&ps, "trailing characters after the value");
        json_free(root);
        return NULL;
    }
    return root;
}

/* ---- lookups ---- */

enum json_type json_type_of(const struct json_value *v) { return v ? v->type : JSON_NULL; }

int json_is_null(const struct json_value *v) { return v && v->type == JSON_NULL; }

const struct json_value *json_get(const struct json_value *obj, const char *key)
{
    if (!obj || obj->type != JSON_OBJECT || !key)
        return NULL;
    size_t n = strlen(key);
    for (size_t i = 0; i < obj->u.obj.n; i++) {
        const struct json_member *m = &obj->u.obj.members[i];
        if (m->key_len == n && memcmp(m->key, key, n) == 0)
            return m->value;
    }
    return NULL;
}

const struct json_value *json_at(const struct json_value *arr, size_t i)
{
    if (!arr || arr->type != JSON_ARRAY || i >= arr->u.arr.n)
        return NULL;
    return arr->u.arr.items[i];
}

const char *json_key_at(const struct json_value *obj, size_t i)
{
    if (!obj || obj->type != JSON_OBJECT || i >= obj->u.obj.n)
        return NULL;
    return obj->u.obj.members[i].key;
}

const struct json_value *json_value_at(const struct json_value *obj, size_t i)
{
    if (!obj || obj->type != JSON_OBJECT || i >= obj->u.obj.n)
        return NULL;
    return obj->u.obj.members[i].value;
}

size_t json_length(const struct json_value *v)
{
    if (!v)
        return 0;
    switch (v->type) {
    case JSON_ARRAY: return v->u.arr.n;
    case JSON_OBJECT: return v->u.obj.n;
    case JSON_STRING: return v->u.str.len;
    default: return 0;
    }
}

const char *json_string(const struct json_value *v)
{
    return v && v->type == JSON_STRING ? v->u.str.s : NULL;
}

size_t json_string_len(const struct json_value *v)
{
    return v && v->type == JSON_STRING ? v->u.str.len : 0;
}

double json_number(const struct json_value *v, double fallback)
{
    return v && v->type == JSON_NUMBER ? v->u.num.d : fallback;
}

int json_int(const struct json_value *v, int64_t *out)
{
    if (!v || v->type != JSON_NUMBER || !v->u.num.is_int)
        return -1;
    *out = v->u.num.i;
    return 0;
}

int json_bool(const struct json_value *v, int *out)
{
    if (!v || v->type != JSON_BOOL)
        return -1;
    *out = v->u.boolean;
    return 0;
}
