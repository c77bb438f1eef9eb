/*
 * A reader for MOO files (Machine Opcode Operation), the binary form of the
 * SingleStepTests x86 CPU test vectors.  Format: shared/conformance/moo/
 * moo_format_v1.md; quirks of the staged files: shared/conformance/README.md.
 *
 * The whole file is read into memory (through zlib, so .MOO.gz and plain
 * .MOO both work), then moo_next() decodes one TEST chunk at a time:
 *
 *     char err[200];
 *     struct moo_file *f = moo_open("8086/v1_binary/00.MOO.gz", err, sizeof(err));
 *     struct moo_test t;
 *     int r;
 *     while ((r = moo_next(f, &t)) == 1)
 *         use(&t);
 *     if (r < 0) fprintf(stderr, "%s\n", moo_error(f));
 *     moo_close(f);
 *
 * Parsing follows the spec's rules: every chunk is skipped by its length
 * field (chunks may grow in later versions), unknown chunks are skipped, and
 * each length is checked against its parent before anything is read, so a
 * truncated or corrupt file gives an error, never a read out of bounds.  A
 * file that ends cleanly but holds fewer or more tests than its header says
 * is an error too (that is how truncation at a chunk boundary shows).
 *
 * The reader has no global state; separate moo_file objects may be used from
 * separate threads.
 */
#ifndef TRAPEZE_TESTS_MOO_H
#define TRAPEZE_TESTS_MOO_H

#include <stddef.h>
#include <stdint.h>

/* REGS / RMSK bit order (bit i of the mask = register i). */
enum moo_reg16 {
    MOO_AX, MOO_BX, MOO_CX, MOO_DX, MOO_CS, MOO_SS, MOO_DS, MOO_ES,
    MOO_SP, MOO_BP, MOO_SI, MOO_DI, MOO_IP, MOO_FLAGS,
    MOO_NREG16
};

/* RG32 / RM32 bit order.  Segment registers hold the selector in the low 16 bits. */
enum moo_reg32 {
    MOO_CR0, MOO_CR3, MOO_EAX, MOO_EBX, MOO_ECX, MOO_EDX, MOO_ESI, MOO_EDI,
    MOO_EBP, MOO_ESP, MOO_CS32, MOO_DS32, MOO_ES32, MOO_FS32, MOO_GS32, MOO_SS32,
    MOO_EIP, MOO_EFLAGS, MOO_DR6, MOO_DR7,
    MOO_NREG32
};

/* Lower-case register names ("ax", "eflags"), or "?" when out of range. */
const char *moo_reg16_name(int reg);
const char *moo_reg32_name(int reg);

/* A register set: v[i] is meaningful only when bit i of mask is set. */
struct moo_regs16 {
    uint16_t mask;
    uint16_t v[MOO_NREG16];
};
struct moo_regs32 {
    uint32_t mask;
    uint32_t v[MOO_NREG32];
};

struct moo_ram {
    uint32_t addr;      /* linear (= physical) address */
    uint8_t value;
};

/* EA32 (386 sets): the effective address of the ModR/M operand. */
struct moo_ea32 {
    uint8_t seg;        /* 0 CS, 1 SS, 2 DS, 3 ES, 4 FS, 5 GS */
    uint16_t sel;
    uint32_t base, limit, offset, linear, physical;
};

/* An INIT or FINA state.  FINA lists only the registers that changed (and,
 * in the 286/386 sets, only the RAM bytes that changed). */
struct moo_state {
    int has_regs, has_rmsk, has_regs32, has_rm32, has_ram, has_queue, has_ea32;
    struct moo_regs16 regs;
    struct moo_regs16 rmsk;     /* undefined-bit masks (per test) */
    struct moo_regs32 regs32;
    struct moo_regs32 rm32;
    const struct moo_ram *ram;
    size_t ram_count;
    const uint8_t *queue;
    size_t queue_len;
    struct moo_ea32 ea32;
};

/* One 15-byte CYCL record, decoded.  See the spec for the enumerations. */
struct moo_cycle {
    uint8_t pins0;          /* bit0 ALE; 286/386: bit1 BHE, bit2 READY, bit3 LOCK */
    uint32_t address;       /* address latch / multiplexed bus */
    uint8_t segment;        /* 8086: 0 ES, 1 SS, 2 CS/none, 3 DS, 4 not valid */
    uint8_t mem_status;     /* bit2 read, bit1 advanced write, bit0 write */
    uint8_t io_status;
    uint8_t pins1;          /* bit0 BHE on the 8086 */
    uint16_t data;
    uint8_t bus_status;     /* CPU-specific encoding */
    uint8_t t_state;
    uint8_t queue_op;       /* 0 -, 1 F, 2 E, 3 S */
    uint8_t queue_byte;
};
#define MOO_CYCLE_SIZE 15

/* One test.  The pointers stay valid until the next moo_next() or
 * moo_close() on the same file. */
struct moo_test {
    size_t position;        /* 0-based position in the file: use this as the index */
    uint32_t index;         /* the TEST chunk's own index field (0 in every 8086 file) */
    const char *name;       /* NUL-terminated ("" when the test has no NAME) */
    size_t name_len;
    const uint8_t *bytes;   /* instruction bytes (BYTS) */
    size_t n_bytes;
    struct moo_state init, final;
    const struct moo_cycle *cycles;
    size_t n_cycles;
    int has_cycles;
    int has_exception;      /* EXCP: an exception or interrupt was taken */
    uint8_t exception;
    uint32_t flag_address;  /* linear address of the pushed FLAGS word */
    int has_hash;
    uint8_t hash[20];
    char hash_hex[41];      /* lower-case hex, as in revocation lists */
};

/* The META chunk (286 and later sets). */
struct moo_meta {
    uint8_t major, minor, cpu_type;
    uint32_t opcode;        /* 0xFFFFFFFF when the file mixes opcodes */
    char mnemonic[9];       /* space padding kept, NUL-terminated */
    uint32_t test_count;
    uint64_t seed;
    uint8_t cpu_mode;       /* 0 = real mode */
};

struct moo_header {
    uint8_t major, minor;
    uint32_t test_count;
    char cpu[5];            /* "8086", "C286", "386E", ..., NUL-terminated */
    int has_meta;
    struct moo_meta meta;
    /* Top-level RMSK/RM32: masks for every test of the file. */
    int has_rmsk, has_rm32;
    struct moo_regs16 rmsk;
    struct moo_regs32 rm32;
};

struct moo_file;

/* Reads a file (gzip-compressed or not).  Returns NULL with a message in
 * err[0..errsize) when the file cannot be read or its header is bad. */
struct moo_file *moo_open(const char *path, char *err, size_t errsize);
/* The same from a buffer in memory (copied; the caller keeps its own). */
struct moo_file *moo_open_buffer(const void *data, size_t len, char *err, size_t errsize);
void moo_close(struct moo_file *f);

const struct moo_header *moo_header(const struct moo_file *f);

/* Decodes the next test into *t.  Returns 1 for a test, 0 at the end of the
 * file, -1 on a format error (then moo_error() says what; later calls keep
 * returning -1). */
int moo_next(struct moo_file *f, struct moo_test *t);
const char *moo_error(const struct moo_file *f);

#endif
