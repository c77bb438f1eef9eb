/*
 * SingleStepTests conformance runner for the x86 CPU (8086 and 80286 real
 * mode).  The data and the rules for running it are described in
 * shared/conformance/README.md; this file follows section 3 of it.
 *
 *   test_x86_sst [--sample|--all] [--set 8086|80286] [--op XX[.n]] [--max N]
 *                [--verbose] [--list-skips]
 *
 * Each test: load the registers, write the initial RAM, run (8086: one
 * instruction; 80286: until a HLT executes), then compare all 14 registers
 * and every RAM byte the test names, with undefined flags masked by the
 * per-opcode "flags-mask" of the set's metadata.json.  Cycle counts are
 * compared with the CYCL record count for information only.
 *
 * The data root is ../shared/conformance (tests run from the repository
 * root), or $TRAPEZE_CONFORMANCE.  Missing data: one line, exit status 2.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/clock.h"
#include "config.h"
#include "cpu/x86/cpu.h"
#include "memory/physmem.h"
#include "tests/conformance/json.h"
#include "tests/conformance/moo.h"

#define SAMPLE_TESTS 50             /* tests per opcode file for --sample */
#define MAX_286_STEPS 64            /* instructions before giving up on a HLT */
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define FAILS_SHOWN_PER_FILE 3      /* without --verbose */
#define RAM_DIFFS_SHOWN 16          /* per failing test */

/* ------------------------------------------------------------------ */
/* The two sets                                                        */

struct set_desc {
    const char *name;           /* as printed and as given to --set */
    const char *dir;            /* under the data root */
    const char *metadata;
    const char *revocations;    /* NULL when the set has none */
    enum x86_model model;
    uint64_t ram_size;
    int run_to_hlt;             /* 286: run until HLT; 8086: one instruction */
    uint16_t init_flags_clear;  /* flag bits real mode cannot hold (286: IOPL, NT, 15) */
    uint32_t addr_mask;         /* address bus: 20 or 24 bits */
};

static const struct set_desc sets[] = {
    { "8086", "8086/v1_binary", "8086/metadata.json", NULL, X86_8086, 1u << 20, 0, 0, 0xFFFFF },
    { "80286", "80286/v1_real_mode", "80286/v1_real_mode/metadata.json",
      "80286/revocation_list.txt", X86_286, 16u << 20, 1, 0xF000, 0xFFFFFF },
};
#define N_SETS (sizeof(sets) / sizeof(sets[0]))

/* Files or tests this runner deliberately does not run, with the reason.
 * Every test skipped here is counted and printed as skipped; --list-skips
 * prints this table.  `file` is an opcode file name ("F6.7") or "*". */
struct skip_rule {
    const char *set;
    const char *file;
    const char *reason;
};
static const struct skip_rule skip_rules[] = {
    { NULL, NULL, NULL },       /* none at present; keep the sentinel last */
};

/* ------------------------------------------------------------------ */
/* Options                                                             */

struct options {
    int all;                    /* run every test, not the first SAMPLE_TESTS */
    long max;                   /* per-file limit from --max, or -1 */
    int set_mask;               /* bit i: run sets[i] */
    char op[8];                 /* --op filter ("" = all), upper case */
    int verbose;
    int list_skips;
    const char *root;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: test_x86_sst [--sample|--all] [--set 8086|80286] [--op XX[.n]] [--max N]\n"
            "                    [--verbose] [--list-skips]\n"
            "  data root: $TRAPEZE_CONFORMANCE, else ../shared/conformance\n");
}

static int set_index(const char *name)
{
    if (strcmp(name, "286") == 0)
        name = "80286";
    for (size_t i = 0; i < N_SETS; i++)
        if (strcmp(sets[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* Accepts "XX" or "XX.n" (hex opcode, reg 0-7); stores it upper-cased. */
static int parse_op(const char *s, char out[8])
{
    size_t n = strlen(s);
    if (!(n == 2 || (n == 4 && s[2] == '.' && s[3] >= '0' && s[3] <= '7')))
        return -1;
    if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]))
        return -1;
    for (size_t i = 0; i <= n; i++)
        out[i] = (char)toupper((unsigned char)s[i]);
    return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof(*o));
    o->max = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--sample") == 0) {
            o->all = 0;
        } else if (strcmp(a, "--all") == 0) {
            o->all = 1;
        } else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
            o->verbose = 1;
        } else if (strcmp(a, "--list-skips") == 0) {
            o->list_skips = 1;
        } else if (strcmp(a, "--set") == 0 && val) {
            int s = set_index(val);
            if (s < 0)
                return -1;
            o->set_mask |= 1 << s;
            i++;
        } else if (strcmp(a, "--op") == 0 && val) {
            if (parse_op(val, o->op) < 0)
                return -1;
            i++;
        } else if (strcmp(a, "--max") == 0 && val) {
            char *end;
            o->max = strtol(val, &end, 10);
            if (*end || o->max < 0)
                return -1;
            i++;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else {
            return -1;
        }
    }
    if (!o->set_mask)
        o->set_mask = (1 << N_SETS) - 1;
    const char *env = getenv("TRAPEZE_CONFORMANCE");
    o->root = env && *env ? env : "../shared/conformance";
    return 0;
}

/* ------------------------------------------------------------------ */
/* Small file helpers                                                  */

static int file_exists(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

/* Reads a whole (small, uncompressed) file; NULL when it cannot. */
static char *read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *p = cap < (1u << 28) ? realloc(buf, cap * 2) : NULL;
        if (!p)
            free(buf);      /* too large or out of memory: give up */
        buf = p;
        cap *= 2;
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* root "/" rel, into out[0..size). */
static void data_path(char *out, size_t size, const char *root, const char *rel)
{
    snprintf(out, size, "%s/%s", root, rel);
}

/* ------------------------------------------------------------------ */
/* Set metadata: flags masks, statuses, revoked hashes                 */

struct set_data {
    struct json_value *meta;    /* metadata.json */
    char **revoked;             /* sorted lower-case hex hashes */
    size_t n_revoked;
};

/* What metadata.json says about one opcode file. */
struct op_info {
    int known;                  /* metadata has an entry */
    const char *status;         /* "normal", "undocumented", ... */
    uint16_t flags_mask;        /* 0xFFFF when no flag is undefined */
};

/* Splits "F6.7" into the metadata entry: opcodes["F6"]["reg"]["7"]. */
static struct op_info lookup_op(const struct set_data *sd, const char *file)
{
    struct op_info info = { 0, "?", 0xFFFF };
    char key[3] = { file[0], file[1], '\0' };
    const struct json_value *e = json_get(json_get(sd->meta, "opcodes"), key);
    if (file[2] == '.') {
        char reg[2] = { file[3], '\0' };
        e = json_get(json_get(e, "reg"), reg);
    }
    if (!e)
        return info;
    info.known = 1;
    if (json_string(json_get(e, "status")))
        info.status = json_string(json_get(e, "status"));
    int64_t m;
    if (json_int(json_get(e, "flags-mask"), &m) == 0)
        info.flags_mask = (uint16_t)m;
    return info;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* revocation_list.txt: one hex hash per line, '#' starts a comment. */
static int load_revocations(struct set_data *sd, const char *path)
{
    size_t len;
    char *text = read_text(path, &len);
    if (!text)
        return -1;
    size_t cap = 0;
    for (size_t i = 0; i < len;) {
        size_t e = i;
        while (e < len && text[e] != '\n')
            e++;
        char line[128];
        size_t n = 0;
        for (size_t k = i; k < e && text[k] != '#' && n + 1 < sizeof(line); k++)
            if (!isspace((unsigned char)text[k]))
                line[n++] = (char)tolower((unsigned char)text[k]);
        line[n] = '\0';
        i = e + 1;
        if (n == 0)
            continue;
        if (sd->n_revoked == cap) {
            cap = cap ? cap * 2 : 16;
            char **p = realloc(sd->revoked, cap * sizeof(*p));
            if (!p)
                break;
            sd->revoked = p;
        }
        sd->revoked[sd->n_revoked] = malloc(n + 1);
        if (!sd->revoked[sd->n_revoked])
            break;
        memcpy(sd->revoked[sd->n_revoked++], line, n + 1);
    }
    free(text);
    if (sd->n_revoked)
        qsort(sd->revoked, sd->n_revoked, sizeof(*sd->revoked), cmp_str);
    return 0;
}

static int is_revoked(const struct set_data *sd, const struct moo_test *t)
{
    if (!t->has_hash || sd->n_revoked == 0)
        return 0;
    const char *key = t->hash_hex;
    return bsearch(&key, sd->revoked, sd->n_revoked, sizeof(*sd->revoked), cmp_str) != NULL;
}

static void free_set_data(struct set_data *sd)
{
    json_free(sd->meta);
    for (size_t i = 0; i < sd->n_revoked; i++)
        free(sd->revoked[i]);
    free(sd->revoked);
    memset(sd, 0, sizeof(*sd));
}

static int load_set_data(const struct options *o, const struct set_desc *set, struct set_data *sd)
{
    char path[1024];
    size_t len;
    memset(sd, 0, sizeof(*sd));
    data_path(path, sizeof(path), o->root, set->metadata);
    char *text = read_text(path, &len);
    if (!text) {
        printf("test_x86_sst: conformance data not found: %s (set TRAPEZE_CONFORMANCE)\n", path);
        return -1;
    }
    struct json_error err;
    sd->meta = json_parse(text, len, &err);
    free(text);
    if (!sd->meta) {
        printf("test_x86_sst: %s:%u:%u: %s\n", path, err.line, err.column, err.message);
        return -1;
    }
    if (set->revocations) {
        data_path(path, sizeof(path), o->root, set->revocations);
        if (load_revocations(sd, path) < 0) {
            printf("test_x86_sst: cannot read %s\n", path);
            free_set_data(sd);
            return -1;
        }
    }
    return 0;
}

/* The skip rule for a file, or NULL. */
static const struct skip_rule *skip_rule_for(const struct set_desc *set, const char *file)
{
    for (const struct skip_rule *r = skip_rules; r->set; r++)
        if (strcmp(r->set, set->name) == 0 && (strcmp(r->file, "*") == 0 || strcmp(r->file, file) == 0))
            return r;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* The machine under test                                              */

struct harness {
    const struct set_desc *set;
    struct physmem mem;
    struct clock clock;
    struct x86_cpu cpu;
    int mem_ready, cpu_ready;
    uint32_t *touched;          /* RAM bytes the last test wrote or named */
    size_t n_touched, touched_cap;
    uint32_t *sorted;           /* scratch: the final RAM addresses, sorted */
    size_t sorted_cap;
};

/* IN from any port reads all ones, as on the capture boards; OUT is dropped. */
static uint32_t io_read_ones(void *opaque, uint16_t port, int size)
{
    (void)opaque;
    (void)port;
    return size == 1 ? 0xFFu : size == 2 ? 0xFFFFu : 0xFFFFFFFFu;
}

static void io_write_drop(void *opaque, uint16_t port, uint32_t value, int size)
{
    (void)opaque;
    (void)port;
    (void)value;
    (void)size;
}

static uint8_t intr_ack_none(void *opaque)
{
    (void)opaque;
    return 0;       /* INTR is never raised by these tests */
}

static int harness_init(struct harness *h, const struct set_desc *set)
{
    memset(h, 0, sizeof(*h));
    h->set = set;
    if (physmem_init(&h->mem, set->ram_size) < 0)
        return -1;
    h->mem_ready = 1;
    clock_init(&h->clock, 1000000);
    struct x86_bus bus = { .mem = &h->mem, .clock = &h->clock, .opaque = h, .io_read = io_read_ones,
                           .io_write = io_write_drop, .intr_ack = intr_ack_none };
    if (x86_init(&h->cpu, set->model, &bus) < 0)
        return -1;
    h->cpu_ready = 1;
    return 0;
}

static void harness_destroy(struct harness *h)
{
    if (h->cpu_ready)
        x86_destroy(&h->cpu);
    if (h->mem_ready)
        physmem_destroy(&h->mem);
    free(h->touched);
    free(h->sorted);
    memset(h, 0, sizeof(*h));
}

static int grow_u32(uint32_t **buf, size_t *cap, size_t n)
{
    if (n <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 64;
    while (ncap < n)
        ncap *= 2;
    uint32_t *p = realloc(*buf, ncap * sizeof(*p));
    if (!p)
        return -1;
    *buf = p;
    *cap = ncap;
    return 0;
}

/* Zero what the previous test left, and remember what this one touches.
 * Only named bytes are cleared: a correct CPU reads nothing else. */
static int clear_and_track(struct harness *h, const struct moo_test *t)
{
    for (size_t i = 0; i < h->n_touched; i++)
        physmem_write(&h->mem, h->touched[i], 0, 1);
    size_t n = t->init.ram_count + t->final.ram_count;
    if (grow_u32(&h->touched, &h->touched_cap, n) < 0)
        return -1;
    h->n_touched = 0;
    for (size_t i = 0; i < t->init.ram_count; i++)
        h->touched[h->n_touched++] = t->init.ram[i].addr;
    for (size_t i = 0; i < t->final.ram_count; i++)
        h->touched[h->n_touched++] = t->final.ram[i].addr;
    return 0;
}

/* ---- register access by MOO register number ---- */

static uint32_t get_reg(struct x86_cpu *c, int r)
{
    switch (r) {
    case MOO_AX: return c->gpr[X86_EAX];
    case MOO_BX: return c->gpr[X86_EBX];
    case MOO_CX: return c->gpr[X86_ECX];
    case MOO_DX: return c->gpr[X86_EDX];
    case MOO_CS: return c->seg[X86_CS].sel;
    case MOO_SS: return c->seg[X86_SS].sel;
    case MOO_DS: return c->seg[X86_DS].sel;
    case MOO_ES: return c->seg[X86_ES].sel;
    case MOO_SP: return c->gpr[X86_ESP];
    case MOO_BP: return c->gpr[X86_EBP];
    case MOO_SI: return c->gpr[X86_ESI];
    case MOO_DI: return c->gpr[X86_EDI];
    case MOO_IP: return c->eip;
    default: return x86_get_flags(c) & 0xFFFFu;    /* MOO_FLAGS */
    }
}

static void set_reg(struct x86_cpu *c, int r, uint16_t v)
{
    static const int gpr_of[MOO_NREG16] = {
        [MOO_AX] = X86_EAX, [MOO_BX] = X86_EBX, [MOO_CX] = X86_ECX, [MOO_DX] = X86_EDX,
        [MOO_SP] = X86_ESP, [MOO_BP] = X86_EBP, [MOO_SI] = X86_ESI, [MOO_DI] = X86_EDI,
    };
    switch (r) {
    case MOO_CS: x86_load_seg_real(c, X86_CS, v); break;
    case MOO_SS: x86_load_seg_real(c, X86_SS, v); break;
    case MOO_DS: x86_load_seg_real(c, X86_DS, v); break;
    case MOO_ES: x86_load_seg_real(c, X86_ES, v); break;
    case MOO_IP: c->eip = v; break;
    case MOO_FLAGS: x86_set_flags(c, v); break;
    default: c->gpr[gpr_of[r]] = v; break;
    }
}

/* The initial value of a register as it is loaded: the 286 cannot hold
 * IOPL/NT/bit 15 in real mode (README: clear them before loading). */
static uint16_t initial_reg(const struct harness *h, const struct moo_test *t, int r)
{
    uint16_t v = t->init.regs.v[r];
    if (r == MOO_FLAGS)
        v &= (uint16_t)~h->set->init_flags_clear;
    return v;
}

static void load_state(struct harness *h, const struct moo_test *t)
{
    struct x86_cpu *c = &h->cpu;
    x86_reset(c);
    c->stop_on_hlt = 1;
    for (int r = 0; r < MOO_NREG16; r++)
        set_reg(c, r, initial_reg(h, t, r));
    for (size_t i = 0; i < t->init.ram_count; i++)
        physmem_write(&h->mem, t->init.ram[i].addr, t->init.ram[i].value, 1);
    /* The test's code was just written behind the CPU's back. */
    x86_flush_caches(c);
}

/* Runs the test; returns NULL or why the run itself went wrong. */
static const char *execute(struct harness *h)
{
    struct x86_cpu *c = &h->cpu;
    if (!h->set->run_to_hlt) {
        x86_step(c);
        return c->shutdown ? "CPU shut down (triple fault)" : NULL;
    }
    for (int i = 0; i < MAX_286_STEPS; i++) {
        x86_step(c);
        if (c->shutdown)
            return "CPU shut down (triple fault)";
        if (c->halted)
            return NULL;
    }
    return "no HLT executed within " STRINGIFY(MAX_286_STEPS) " instructions";
}

/* ------------------------------------------------------------------ */
/* Comparison                                                          */

/* Failure details, printed only for the failures that are shown. */
struct diffs {
    char text[4096];
    size_t len;
    unsigned n, ram_n;
};

static void diff_add(struct diffs *d, const char *fmt, ...)
{
    d->n++;
    if (d->len >= sizeof(d->text) - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(d->text + d->len, sizeof(d->text) - d->len, fmt, ap);
    va_end(ap);
    if (k > 0)
        d->len += (size_t)k < sizeof(d->text) - d->len ? (size_t)k : sizeof(d->text) - 1 - d->len;
}

/* Per-byte masks for pushed FLAGS words whose undefined bits the data
 * cannot pin down (at most one frame per test). */
struct flag_frame {
    int present;
    uint32_t addr, addr_hi;     /* low and high byte of the FLAGS word */
    uint16_t mask;
};

static uint8_t frame_mask(const struct flag_frame *ff, uint32_t addr)
{
    if (!ff->present)
        return 0xFF;
    if (addr == ff->addr)
        return (uint8_t)ff->mask;
    if (addr == ff->addr_hi)
        return (uint8_t)(ff->mask >> 8);
    return 0xFF;
}

static int is_divide_file(const char *file)
{
    return strcmp(file, "D4") == 0 || strcmp(file, "F6.6") == 0 || strcmp(file, "F6.7") == 0 ||
           strcmp(file, "F7.6") == 0 || strcmp(file, "F7.7") == 0;
}

static int reads_ivt0(const struct moo_test *t)
{
    for (size_t i = 0; i < t->init.ram_count; i++)
        if (t->init.ram[i].addr <= 3)
            return 1;
    return 0;
}

/* The FLAGS word of an interrupt frame the test ended on top of: above
 * the pushed IP and CS, at SS:SP+4 of the final SS and SP. */
static uint32_t frame_flags_addr(const struct harness *h, const struct moo_test *t)
{
    uint16_t ss = (t->final.regs.mask >> MOO_SS & 1) ? t->final.regs.v[MOO_SS] : t->init.regs.v[MOO_SS];
    uint16_t sp = (t->final.regs.mask >> MOO_SP & 1) ? t->final.regs.v[MOO_SP] : t->init.regs.v[MOO_SP];
    return (((uint32_t)ss << 4) + (uint16_t)(sp + 4)) & h->set->addr_mask;
}

/* Where the test's exception frame keeps FLAGS, if it took one. */
static struct flag_frame find_flag_frame(const struct harness *h, const struct moo_test *t,
                                         const char *file, uint16_t flags_mask)
{
    struct flag_frame ff = { 0, 0, 0, flags_mask };
    if (flags_mask == 0xFFFF)
        return ff;
    if (t->has_exception) {
        /* 286: EXCP names the address, but as the even address of the bus
         * word: with an odd SP (403 of the 4,243 staged EXCP tests) FLAGS
         * really sits one byte higher.  Use the frame's own address when
         * EXCP agrees with it up to bit 0, else trust EXCP. */
        uint32_t a = frame_flags_addr(h, t);
        ff.present = 1;
        ff.addr = (a & ~1u) == t->flag_address ? a : t->flag_address;
    } else if (!h->set->run_to_hlt && is_divide_file(file) && reads_ivt0(t)) {
        /* 8086 divide error (INT 0; the data has no EXCP chunk): the test
         * read the IVT, so it ended at the handler with a frame pushed. */
        ff.present = 1;
        ff.addr = frame_flags_addr(h, t);
    }
    ff.addr_hi = (ff.addr + 1) & h->set->addr_mask;    /* the 8086 wraps at 1 MiB */
    return ff;
}

/* Mask for register r: undefined flags, plus any RMSK the file carries. */
static uint32_t reg_mask(const struct moo_header *hdr, const struct moo_test *t, int r,
                         uint16_t flags_mask)
{
    uint32_t m = 0xFFFFFFFFu;
    if (r == MOO_FLAGS)
        m = flags_mask;
    if (hdr->has_rmsk && (hdr->rmsk.mask >> r & 1))
        m &= hdr->rmsk.v[r];
    if (t->final.has_rmsk && (t->final.rmsk.mask >> r & 1))
        m &= t->final.rmsk.v[r];
    return m;
}

static void compare_regs(struct harness *h, const struct moo_header *hdr, const struct moo_test *t,
                         uint16_t flags_mask, struct diffs *d)
{
    for (int r = 0; r < MOO_NREG16; r++) {
        uint32_t want = (t->final.regs.mask >> r & 1) ? t->final.regs.v[r] : initial_reg(h, t, r);
        uint32_t got = get_reg(&h->cpu, r);
        uint32_t m = reg_mask(hdr, t, r, flags_mask);
        if ((want & m) != (got & m)) {
            if (m != 0xFFFFFFFFu)
                diff_add(d, "    %-5s expected %04X got %04X (mask %04X, differ %04X)\n",
                         moo_reg16_name(r), (unsigned)want, (unsigned)got, (unsigned)(m & 0xFFFF),
                         (unsigned)((want ^ got) & m));
            else
                diff_add(d, "    %-5s expected %04X got %04X\n", moo_reg16_name(r), (unsigned)want,
                         (unsigned)got);
        }
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void compare_byte(struct harness *h, uint32_t addr, uint8_t want,
                         const struct flag_frame *ff, struct diffs *d)
{
    uint8_t got = (uint8_t)physmem_read(&h->mem, addr, 1);
    uint8_t m = frame_mask(ff, addr);
    if ((want & m) == (got & m))
        return;
    if (++d->ram_n <= RAM_DIFFS_SHOWN)
        diff_add(d, "    ram[%06X] expected %02X got %02X%s\n", (unsigned)addr, want, got,
                 m != 0xFF ? " (flags byte, masked)" : "");
    else
        d->n++;
}

/* Every final RAM byte; and every initial byte the final list does not
 * name must be unchanged (the 286 lists only changed bytes). */
static int compare_ram(struct harness *h, const struct moo_test *t, const struct flag_frame *ff,
                       struct diffs *d)
{
    for (size_t i = 0; i < t->final.ram_count; i++)
        compare_byte(h, t->final.ram[i].addr, t->final.ram[i].value, ff, d);
    if (grow_u32(&h->sorted, &h->sorted_cap, t->final.ram_count + 1) < 0)
        return -1;
    for (size_t i = 0; i < t->final.ram_count; i++)
        h->sorted[i] = t->final.ram[i].addr;
    qsort(h->sorted, t->final.ram_count, sizeof(*h->sorted), cmp_u32);
    for (size_t i = 0; i < t->init.ram_count; i++) {
        uint32_t a = t->init.ram[i].addr;
        if (!bsearch(&a, h->sorted, t->final.ram_count, sizeof(*h->sorted), cmp_u32))
            compare_byte(h, a, t->init.ram[i].value, ff, d);
    }
    if (d->ram_n > RAM_DIFFS_SHOWN)
        diff_add(d, "    ... and %u more RAM bytes differ\n", d->ram_n - RAM_DIFFS_SHOWN);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Running files and sets                                              */

struct counts {
    unsigned long passed, failed, skipped;
    unsigned long cyc_match, cyc_total;
    long long cyc_diff;         /* sum of (CYCL entries - cycles charged) */
};

/* One opcode file's result, kept for the table at the end of the set. */
struct file_result {
    char file[8];
    struct counts c;
    char first_fail[96];
};

struct set_run {
    struct counts c;
    struct file_result *files;  /* files with failures or skips */
    size_t n_files, cap_files;
    unsigned long revoked;
};

static void print_test_header(const struct set_desc *set, const char *file, const struct moo_test *t)
{
    printf("FAIL %s %s #%zu \"%s\" bytes", set->name, file, t->position, t->name);
    for (size_t i = 0; i < t->n_bytes && i < 16; i++)
        printf(" %02X", t->bytes[i]);
    if (t->has_exception)
        printf(" (exception %u)", t->exception);
    printf("\n");
}

/* Runs one test: 1 passed, 0 failed. */
static int run_test(struct harness *h, const struct options *o, const struct moo_header *hdr,
                    const char *file, const struct op_info *op, const struct moo_test *t,
                    struct file_result *fr)
{
    struct diffs d;
    memset(&d, 0, sizeof(d));
    const char *why = NULL;
    if (!t->init.has_regs || t->init.regs.mask != 0x3FFF)
        why = "malformed test: INIT lacks a full REGS chunk";
    else if (clear_and_track(h, t) < 0)
        why = "out of memory";

    if (!why) {
        load_state(h, t);
        cycles_t start = h->clock.now;
        why = execute(h);
        cycles_t spent = h->clock.now - start;
        if (t->has_cycles) {
            fr->c.cyc_total++;
            fr->c.cyc_match += spent == t->n_cycles;
            fr->c.cyc_diff += (long long)t->n_cycles - (long long)spent;
        }
    }
    if (why) {
        diff_add(&d, "    %s\n", why);
    } else {
        struct flag_frame ff = find_flag_frame(h, t, file, op->flags_mask);
        compare_regs(h, hdr, t, op->flags_mask, &d);
        if (compare_ram(h, t, &ff, &d) < 0)
            diff_add(&d, "    out of memory\n");
    }
    if (d.n == 0)
        return 1;

    if (fr->c.failed == 0)
        snprintf(fr->first_fail, sizeof(fr->first_fail), "#%zu %s", t->position, t->name);
    if (o->verbose || fr->c.failed < FAILS_SHOWN_PER_FILE) {
        print_test_header(h->set, file, t);
        fputs(d.text, stdout);
    }
    return 0;
}

static void add_counts(struct counts *to, const struct counts *from)
{
    to->passed += from->passed;
    to->failed += from->failed;
    to->skipped += from->skipped;
    to->cyc_match += from->cyc_match;
    to->cyc_total += from->cyc_total;
    to->cyc_diff += from->cyc_diff;
}

static void record_file(struct set_run *run, const struct file_result *fr)
{
    add_counts(&run->c, &fr->c);
    if (fr->c.failed == 0 && fr->c.skipped == 0)
        return;
    if (run->n_files == run->cap_files) {
        size_t ncap = run->cap_files ? run->cap_files * 2 : 32;
        struct file_result *p = realloc(run->files, ncap * sizeof(*p));
        if (!p)
            return;
        run->files = p;
        run->cap_files = ncap;
    }
    run->files[run->n_files++] = *fr;
}

static void run_file(struct harness *h, const struct options *o, const struct set_data *sd,
                     const char *file, const char *path, struct set_run *run)
{
    struct file_result fr;
    memset(&fr, 0, sizeof(fr));
    snprintf(fr.file, sizeof(fr.file), "%s", file);
    struct op_info op = lookup_op(sd, file);
    long limit = o->max >= 0 ? o->max : o->all ? -1 : SAMPLE_TESTS;
    const struct skip_rule *rule = skip_rule_for(h->set, file);

    char err[300];
    struct moo_file *mf = moo_open(path, err, sizeof(err));
    if (!mf) {
        printf("FAIL %s %s: %s\n", h->set->name, file, err);
        fr.c.failed++;
        snprintf(fr.first_fail, sizeof(fr.first_fail), "file unreadable");
        record_file(run, &fr);
        return;
    }
    if (!op.known)
        printf("note: %s %s has no metadata.json entry: no flags masked\n", h->set->name, file);

    struct moo_test t;
    int r = 0;
    for (long n = 0; limit < 0 || n < limit; n++) {
        r = moo_next(mf, &t);
        if (r != 1)
            break;
        if (rule) {
            fr.c.skipped++;
        } else if (is_revoked(sd, &t)) {
            fr.c.skipped++;
            run->revoked++;
        } else if (run_test(h, o, moo_header(mf), file, &op, &t, &fr)) {
            fr.c.passed++;
        } else {
            fr.c.failed++;
        }
    }
    if (r < 0) {
        /* A corrupt file must not pass for a short one. */
        printf("FAIL %s %s: %s\n", h->set->name, file, moo_error(mf));
        if (fr.c.failed == 0)
            snprintf(fr.first_fail, sizeof(fr.first_fail), "file error");
        fr.c.failed++;
    }
    moo_close(mf);
    if (o->verbose)
        printf("%s %s: %lu passed, %lu failed, %lu skipped\n", h->set->name, file, fr.c.passed,
               fr.c.failed, fr.c.skipped);
    record_file(run, &fr);
}

/* Does --op select this file?  "F6" selects F6 and F6.0-F6.7. */
static int op_selected(const struct options *o, const char *file)
{
    if (!o->op[0])
        return 1;
    if (o->op[2] == '.')
        return strcmp(o->op, file) == 0;
    return strncmp(o->op, file, 2) == 0;
}

/* Calls fn for every opcode file present, in opcode order ("XX" first,
 * else "XX.0" .. "XX.7"); returns how many there were.  Probing names
 * keeps the runner free of directory APIs. */
typedef void (*file_fn)(void *ctx, const char *file, const char *path);
static unsigned for_each_file(const struct options *o, const struct set_desc *set, file_fn fn,
                              void *ctx)
{
    unsigned found = 0;
    char file[8], rel[64], path[1024];
    for (int op = 0; op < 256; op++) {
        for (int reg = -1; reg < 8; reg++) {
            if (reg < 0)
                snprintf(file, sizeof(file), "%02X", op);
            else
                snprintf(file, sizeof(file), "%02X.%d", op, reg);
            snprintf(rel, sizeof(rel), "%s/%s.MOO.gz", set->dir, file);
            data_path(path, sizeof(path), o->root, rel);
            if (!file_exists(path))
                continue;
            found++;
            if (fn)
                fn(ctx, file, path);
            if (reg < 0)
                break;          /* a whole-opcode file: no per-reg files */
        }
    }
    return found;
}

struct run_ctx {
    struct harness *h;
    const struct options *o;
    const struct set_data *sd;
    struct set_run *run;
};

static void run_file_cb(void *ctx, const char *file, const char *path)
{
    struct run_ctx *rc = ctx;
    if (op_selected(rc->o, file))
        run_file(rc->h, rc->o, rc->sd, file, path, rc->run);
}

static void print_set_summary(const struct set_desc *set, const struct set_run *run)
{
    int header = 0;
    for (size_t i = 0; i < run->n_files; i++) {
        const struct file_result *fr = &run->files[i];
        if (fr->c.failed == 0)
            continue;
        if (!header) {
            printf("%s failures by opcode file:\n", set->name);
            printf("  %-6s %8s %8s  first failure\n", "file", "failed", "of");
            header = 1;
        }
        printf("  %-6s %8lu %8lu  %s\n", fr->file, fr->c.failed,
               fr->c.failed + fr->c.passed, fr->first_fail);
    }
    if (run->c.skipped) {
        printf("%s skipped: %lu (revoked hashes: %lu; others: see --list-skips)\n", set->name,
               run->c.skipped, run->revoked);
    }
    printf("%s: %lu passed, %lu failed, %lu skipped\n", set->name, run->c.passed, run->c.failed,
           run->c.skipped);
    /* The CYCL list is bus activity, not a datasheet count (8086: from the
     * first queue read to the next instruction's; 286: includes the
     * prefetch after the jump and the HLT), so this is information only. */
    printf("%s cycles: %lu of %lu match (informational; CYCL entries minus cycles charged: "
           "%+.1f on average)\n",
           set->name, run->c.cyc_match, run->c.cyc_total,
           run->c.cyc_total ? (double)run->c.cyc_diff / (double)run->c.cyc_total : 0.0);
}

static int run_set(const struct options *o, const struct set_desc *set, struct counts *total)
{
    struct set_data sd;
    if (load_set_data(o, set, &sd) < 0)
        return -1;
    struct harness h;
    if (harness_init(&h, set) < 0) {
        printf("FAIL %s: cannot set up the CPU and %llu bytes of RAM\n", set->name,
               (unsigned long long)set->ram_size);
        harness_destroy(&h);
        free_set_data(&sd);
        total->failed++;
        return 0;
    }
    struct set_run run;
    memset(&run, 0, sizeof(run));
    struct run_ctx rc = { &h, o, &sd, &run };
    unsigned files = for_each_file(o, set, run_file_cb, &rc);
    if (files == 0) {
        printf("FAIL %s: no opcode files in %s/%s\n", set->name, o->root, set->dir);
        run.c.failed++;
    }
    print_set_summary(set, &run);
    add_counts(total, &run.c);
    free(run.files);
    harness_destroy(&h);
    free_set_data(&sd);
    return 0;
}

/* ------------------------------------------------------------------ */
/* --list-skips                                                        */

/* Metadata entries without a data file: listed for information (no
 * vectors exist for them, so nothing is counted). */
static void list_missing(const struct options *o, const struct set_desc *set,
                         const struct set_data *sd)
{
    const struct json_value *ops = json_get(sd->meta, "opcodes");
    char path[1024], rel[64];
    for (size_t i = 0; i < json_length(ops); i++) {
        const char *key = json_key_at(ops, i);
        const struct json_value *e = json_value_at(ops, i);
        const struct json_value *regs = json_get(e, "reg");
        size_t n = regs ? json_length(regs) : 1;
        for (size_t k = 0; k < n; k++) {
            char file[24];
            const struct json_value *entry = regs ? json_value_at(regs, k) : e;
            if (regs)
                snprintf(file, sizeof(file), "%.8s.%.1s", key, json_key_at(regs, k));
            else
                snprintf(file, sizeof(file), "%.8s", key);
            snprintf(rel, sizeof(rel), "%s/%s.MOO.gz", set->dir, file);
            data_path(path, sizeof(path), o->root, rel);
            /* A per-reg entry may be covered by a whole-opcode file (C6, 8F). */
            snprintf(rel, sizeof(rel), "%s/%.8s.MOO.gz", set->dir, key);
            char whole[1024];
            data_path(whole, sizeof(whole), o->root, rel);
            if (file_exists(path) || (regs && file_exists(whole)))
                continue;
            const char *status = json_string(json_get(entry, "status"));
            printf("  %-6s %-6s no vectors in the data (status: %s)\n", set->name, file,
                   status ? status : "?");
        }
    }
}

static int list_skips(const struct options *o)
{
    printf("Deliberately skipped (counted as skipped):\n");
    int any = 0;
    for (const struct skip_rule *r = skip_rules; r->set; r++) {
        printf("  %-6s %-6s %s\n", r->set, r->file, r->reason);
        any = 1;
    }
    if (!any)
        printf("  (none)\n");
    printf("  %-6s %-6s tests whose HASH is in %s (counted as skipped)\n", "80286", "any",
           sets[1].revocations);
    printf("Not run because the data has no vectors for them (not counted):\n");
    for (size_t s = 0; s < N_SETS; s++) {
        if (!(o->set_mask >> s & 1))
            continue;
        struct set_data sd;
        if (load_set_data(o, &sets[s], &sd) < 0)
            return 2;
        if (sd.n_revoked)
            printf("  %-6s %lu revoked hashes listed\n", sets[s].name, (unsigned long)sd.n_revoked);
        list_missing(o, &sets[s], &sd);
        free_set_data(&sd);
    }
    return 0;
}

/* ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    struct options o;
    if (parse_args(argc, argv, &o) < 0) {
        usage(stderr);
        return 2;
    }
    if (o.list_skips)
        return list_skips(&o);
    if (!HAVE_ZLIB) {
        printf("test_x86_sst: built without zlib: cannot read the .MOO.gz vectors\n");
        return 2;
    }

    /* Check every requested set's data first: no partial, passing run. */
    for (size_t s = 0; s < N_SETS; s++) {
        char path[1024];
        data_path(path, sizeof(path), o.root, sets[s].metadata);
        if ((o.set_mask >> s & 1) && !file_exists(path)) {
            printf("test_x86_sst: conformance data not found: %s (set TRAPEZE_CONFORMANCE)\n", path);
            return 2;
        }
    }

    struct counts total;
    memset(&total, 0, sizeof(total));
    for (size_t s = 0; s < N_SETS; s++) {
        if ((o.set_mask >> s & 1) && run_set(&o, &sets[s], &total) < 0)
            return 2;
    }
    printf("%lu passed, %lu failed\n", total.passed, total.failed);
    return total.failed ? 1 : 0;
}
