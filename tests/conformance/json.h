/*
 * A small JSON reader for the test harnesses: parses a whole document into a
 * tree (a DOM) and offers read-only lookups on it.
 *
 * It accepts exactly RFC 8259 JSON: objects, arrays, strings (with every
 * escape, \uXXXX surrogate pairs decoded to UTF-8), numbers, true, false and
 * null, with any amount of whitespace around tokens.  Anything else is an
 * error: json_parse() returns NULL and fills a struct json_error; it never
 * reads past the given length and never crashes on bad input.  Nesting is
 * limited to JSON_MAX_DEPTH levels so hostile input cannot exhaust the stack.
 *
 * Every lookup accepts NULL (and a value of the wrong type) and then returns
 * the "absent" answer (NULL, 0, or -1), so chains such as
 *     json_int(json_get(json_get(root, "initial"), "pc"), &pc)
 * need only one check at the end.
 *
 * Example:
 *     struct json_error err;
 *     struct json_value *root = json_parse(text, len, &err);
 *     if (!root) { fprintf(stderr, "%u:%u: %s\n", err.line, err.column, err.message); ... }
 *     for (size_t i = 0; i < json_length(root); i++) {
 *         const struct json_value *t = json_at(root, i);
 *         const char *name = json_string(json_get(t, "name"));
 *         ...
 *     }
 *     json_free(root);
 *
 * Numbers are kept twice: as a double (always) and as an int64_t when the
 * value is an integer that int64_t holds exactly (json_int() tells which).
 * Strings are stored NUL-terminated; a string holding \u0000 also has a
 * length (json_string_len()).  Object members keep their document order;
 * with duplicate keys, json_get() returns the first.
 *
 * The parser keeps no global state and is safe to use from several threads
 * on different documents.  Number conversion uses strtod(), so the program
 * must run in the "C" locale (the default unless setlocale() is called).
 */
#ifndef TRAPEZE_TESTS_JSON_H
#define TRAPEZE_TESTS_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 256

enum json_type {
    JSON_NULL,
    JSON_BOOL,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT,
};

struct json_value;

struct json_member {
    char *key;              /* NUL-terminated */
    size_t key_len;
    struct json_value *value;
};

struct json_value {
    enum json_type type;
    union {
        int boolean;                                        /* JSON_BOOL */
        struct { double d; int64_t i; int is_int; } num;    /* JSON_NUMBER */
        struct { char *s; size_t len; } str;                /* JSON_STRING */
        struct { struct json_value **items; size_t n; } arr; /* JSON_ARRAY */
        struct { struct json_member *members; size_t n; } obj; /* JSON_OBJECT */
    } u;
};

/* Where and why parsing failed.  line and column count from 1; column counts
 * bytes.  offset is the byte offset of the offending input. */
struct json_error {
    size_t offset;
    unsigned line, column;
    char message[96];
};

/* Parses text[0..len).  The text need not be NUL-terminated.  Returns the
 * root value (free it with json_free), or NULL with *err filled in (err may
 * be NULL when the caller does not care why). */
struct json_value *json_parse(const char *text, size_t len, struct json_error *err);

/* Frees a tree from json_parse.  NULL is allowed. */
void json_free(struct json_value *v);

/* The type of v; JSON_NULL for a NULL pointer as well as for null. */
enum json_type json_type_of(const struct json_value *v);
/* 1 when v is the JSON literal null (a NULL pointer is absent, not null). */
int json_is_null(const struct json_value *v);

/* Object member by key (first match), or NULL. */
const struct json_value *json_get(const struct json_value *obj, const char *key);
/* Array element i, or NULL when out of range or not an array. */
const struct json_value *json_at(const struct json_value *arr, size_t i);
/* Object member i in document order: its key (NULL when out of range) and value. */
const char *json_key_at(const struct json_value *obj, size_t i);
const struct json_value *json_value_at(const struct json_value *obj, size_t i);
/* Elements of an array, members of an object, bytes of a string; 0 otherwise. */
size_t json_length(const struct json_value *v);

/* String contents (NUL-terminated) or NULL when v is not a string. */
const char *json_string(const struct json_value *v);
size_t json_string_len(const struct json_value *v);

/* Number as a double; `fallback` when v is not a number. */
double json_number(const struct json_value *v, double fallback);
/* Integer value: 0 and *out set when v is a number holding an integer that
 * int64_t represents exactly; -1 (and *out untouched) otherwise. */
int json_int(const struct json_value *v, int64_t *out);
/* Boolean: 0 and *out set to 0 or 1 when v is true/false; -1 otherwise. */
int json_bool(const struct json_value *v, int *out);

#endif
