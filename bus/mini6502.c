/*
 * mini6502: the board.  It owns the CPU, 64 KiB of memory, the clock and
 * the devices, and runs the bus: every clock cycle the CPU names an
 * address, and the board decides what answers (RAM, ROM, a device
 * register, or the hypercall window).  See bus/mini6502.h for the map.
 */
#include "bus/mini6502.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus/mini6502_internal.h"
#include "cpu/m6502/m6502_core.h"
#include "cpu/m6502/m6502_disasm.h"

#define IRQ_PIN_TIMER 0
#define SIM65_HEADER_SIZE 12
#define SIM65_VERSION 2
#define SIM65_CPU_6502 0
#define SIM65_CPU_65C02 1

/* ---- stopping ------------------------------------------------------------ */

void mini6502_stop_with(struct mini6502 *m, enum mini6502_stop why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->stop_msg, sizeof(m->stop_msg), fmt, ap);
    va_end(ap);
    m->stop = why;
}

/* ---- character I/O --------------------------------------------------------- */

void mini6502_output(struct mini6502 *m, int stream, const uint8_t *buf, size_t len)
{
    if (m->cfg.io.output) {
        m->cfg.io.output(m->cfg.io.opaque, stream, buf, len);
        return;
    }
    fwrite(buf, 1, len, stream == 2 ? stderr : stdout);
}

long mini6502_input(struct mini6502 *m, uint8_t *buf, size_t len)
{
    if (m->cfg.io.input)
        return m->cfg.io.input(m->cfg.io.opaque, buf, len);
    fflush(stdout);                 /* show any prompt before waiting */
    ssize_t n = read(STDIN_FILENO, buf, len);
    return n < 0 ? -1 : (long)n;
}

static void console_put(void *opaque, uint8_t byte)
{
    mini6502_output(opaque, 1, &byte, 1);
}

static int console_get(void *opaque)
{
    uint8_t byte;
    return mini6502_input(opaque, &byte, 1) == 1 ? byte : -1;
}

/* Every device that drives /IRQ has a bit; the pin is their OR. */
static void irq_sink(void *opaque, int pin, int level)
{
    struct mini6502 *m = opaque;
    if (level)
        m->irq_sources |= 1u << pin;
    else
        m->irq_sources &= ~(1u << pin);
    m->pins = m->irq_sources ? (m->pins | M6502_IRQ) : (m->pins & ~M6502_IRQ);
}

/* ---- the bus ---------------------------------------------------------------- */

static uint8_t io_read(struct mini6502 *m, uint16_t addr)
{
    if (addr < MINI6502_TIMER_BASE)
        return mini6502_console_read(&m->console, addr - MINI6502_CONSOLE_BASE);
    return mini6502_timer_read(&m->timer, addr - MINI6502_TIMER_BASE);
}

static void io_write(struct mini6502 *m, uint16_t addr, uint8_t v)
{
    if (addr < MINI6502_TIMER_BASE)
        mini6502_console_write(&m->console, addr - MINI6502_CONSOLE_BASE, v);
    else
        mini6502_timer_write(&m->timer, addr - MINI6502_TIMER_BASE, v);
}

static int is_io(uint16_t addr)
{
    return addr >= MINI6502_IO_BASE && addr < MINI6502_HYPERCALL_BASE;
}

uint8_t mini6502_peek(const struct mini6502 *m, uint16_t addr)
{
    if (!is_io(addr))
        return m->mem[addr];
    if (addr < MINI6502_TIMER_BASE)
        return mini6502_console_peek(&m->console, addr - MINI6502_CONSOLE_BASE);
    return mini6502_timer_read(&m->timer, addr - MINI6502_TIMER_BASE);
}

/* An opcode fetch that needs more than bookkeeping: tracing, the
 * hypercall window, the breakpoint. */
static void on_fetch_slow(struct mini6502 *m, uint16_t addr)
{
    if (m->cfg.trace & MINI6502_TRACE_INSN)
        mini6502_trace_instruction(m);
    if (addr >= MINI6502_IO_BASE && addr < MINI6502_HYPERCALL_END && !m->insn_is_interrupt)
        mini6502_hypercall(m, addr);
    if (m->break_enabled && addr == m->break_pc && !m->stop)
        mini6502_stop_with(m, MINI6502_BREAKPOINT, "breakpoint at $%04X", addr);
}

/* An opcode fetch: note the instruction; fetches from the hypercall
 * window are the paravirtual calls (unless an interrupt replaces them). */
static inline void on_fetch(struct mini6502 *m, uint16_t addr)
{
    m->prev_insn_pc = m->insn_pc;
    m->prev_was_interrupt = m->insn_is_interrupt;
    m->insn_pc = addr;
    m->insn_op = m->mem[addr];
    m->insn_is_interrupt = m6502_fetch_is_interrupt(&m->cpu);
    m->instructions++;
    if (addr >= MINI6502_IO_BASE || m->cfg.trace || m->break_enabled)
        on_fetch_slow(m, addr);
}

static void trace_cycle(const struct mini6502 *m, m6502_pins pins)
{
    fprintf(m->cfg.trace_out, "%10llu  %04X  %02X  %c%s\n", (unsigned long long)m->clock.now,
            m6502_addr(pins), m6502_data(pins), (pins & M6502_RW) ? 'R' : 'W',
            (pins & M6502_SYNC) ? "  SYNC" : "");
}

/* A write above RAM: a device register, the vectors of a sim65 program,
 * or ROM (the write goes nowhere). */
static void write_high(struct mini6502 *m, uint16_t addr, uint8_t v)
{
    if (is_io(addr))
        io_write(m, addr, v);
    else if (m->vectors_writable && addr >= MINI6502_VECTORS)
        m->mem[addr] = v;
}

/* The rest of a cycle once the CPU has named its access, with every
 * check: the access (device registers included), the trace, the timers
 * that are due, JAM. */
static void finish_cycle(struct mini6502 *m, m6502_pins pins)
{
    uint16_t addr = m6502_addr(pins);
    if (pins & M6502_RW) {
        if (pins & M6502_SYNC)
            on_fetch(m, addr);
        uint8_t v = is_io(addr) ? io_read(m, addr) : m->mem[addr];
        pins = m6502_set_data(pins, v);
    } else if (addr < m->rom_start) {
        m->mem[addr] = m6502_data(pins);
    } else {
        write_high(m, addr, m6502_data(pins));
    }
    /* Device-driven inputs stay as the IRQ sink left them. */
    m->pins = (pins & ~M6502_IRQ) | (m->pins & M6502_IRQ);
    if (m->cfg.trace & MINI6502_TRACE_BUS)
        trace_cycle(m, pins);
    m->clock.now++;
    if (m->clock.now >= clock_next_deadline(&m->clock))
        clock_run_due(&m->clock);
    if ((pins & M6502_JAM) && !m->stop)
        mini6502_stop_with(m, MINI6502_JAMMED, "CPU jammed by opcode $%02X at $%04X (cycle %llu)",
                           m->insn_op, m->insn_pc, (unsigned long long)m->clock.now);
}

/* Cycles up to `limit`, before which no timer falls due.  Plain RAM and
 * ROM accesses are done here; the first cycle that needs more (the top
 * page: device registers, hypercalls, vectors; a JAM; every cycle while
 * tracing or with a breakpoint set) goes through finish_cycle() and ends
 * the batch, so the caller looks at the timers and the stop state again.
 * This is the only place that ticks the CPU. */
static void run_batch(struct mini6502 *m, cycles_t limit)
{
    m6502_pins pins = m->pins;
    cycles_t now = m->clock.now;
    uint32_t careful = (m->cfg.trace || m->break_enabled) ? 0 : MINI6502_IO_BASE;
    while (now < limit) {
        pins = m6502_core_tick(&m->cpu, pins);
        uint16_t addr = m6502_addr(pins);
        if (addr >= careful || (pins & M6502_JAM)) {
            m->clock.now = now;
            finish_cycle(m, pins);
            return;
        }
        if (pins & M6502_RW) {
            if (pins & M6502_SYNC)
                on_fetch(m, addr);
            pins = m6502_set_data(pins, m->mem[addr]);
        } else if (addr < m->rom_start) {
            m->mem[addr] = m6502_data(pins);
        }
        now++;
    }
    m->pins = pins;
    m->clock.now = now;
}

/* The cycle loop, until `end` or a stop. */
static void run_until(struct mini6502 *m, cycles_t end)
{
    while (!m->stop && m->clock.now < end) {
        cycles_t limit = clock_next_deadline(&m->clock);
        run_batch(m, limit < end ? limit : end);
        if (m->clock.now >= clock_next_deadline(&m->clock))
            clock_run_due(&m->clock);
    }
}

enum mini6502_stop mini6502_run(struct mini6502 *m, uint64_t cycles)
{
    if (m->stop == MINI6502_BREAKPOINT)
        m->stop = MINI6502_RUNNING;
    cycles_t end = m->clock.now + cycles;
    if (end < m->clock.now)
        end = CLOCK_NEVER;
    run_until(m, end);
    return m->stop;
}

enum mini6502_stop mini6502_step_cycle(struct mini6502 *m)
{
    return mini6502_run(m, 1);
}

enum mini6502_stop mini6502_step_instruction(struct mini6502 *m)
{
    if (m->stop == MINI6502_BREAKPOINT)
        m->stop = MINI6502_RUNNING;
    uint64_t n = m->instructions;
    /* Up to the next fetch; a jammed CPU never gets there. */
    for (int guard = 0; guard < 64 && !m->stop && m->instructions == n; guard++)
        run_until(m, m->clock.now + 1);
    return m->stop;
}

/* ---- devices of the board itself ---------------------------------------------- */

#define BOARD_STATE_VERSION 1u

static void cpu_reset(void *opaque)
{
    struct mini6502 *m = opaque;
    m6502_reset(&m->cpu);
}

static void cpu_save(void *opaque, struct state_writer *w)
{
    const struct mini6502 *m = opaque;
    m6502_save(&m->cpu, w);
    state_put_u32(w, m->pins);
    state_put_u64(w, m->clock.now);
    state_put_u64(w, m->instructions);
    state_put_u16(w, m->insn_pc);
    state_put_u16(w, m->prev_insn_pc);
    state_put_u8(w, m->insn_op);
    state_put_u8(w, (uint8_t)m->insn_is_interrupt);
    state_put_u8(w, (uint8_t)m->prev_was_interrupt);
}

static int cpu_load(void *opaque, struct state_reader *r, uint32_t version)
{
    struct mini6502 *m = opaque;
    if (version != BOARD_STATE_VERSION || m6502_load(&m->cpu, r, M6502_STATE_VERSION) != 0)
        return -1;
    m6502_pins pins = state_get_u32(r);
    m->clock.now = state_get_u64(r);
    m->instructions = state_get_u64(r);
    m->insn_pc = state_get_u16(r);
    m->prev_insn_pc = state_get_u16(r);
    m->insn_op = state_get_u8(r);
    m->insn_is_interrupt = state_get_u8(r) != 0;
    m->prev_was_interrupt = state_get_u8(r) != 0;
    m->pins = (pins & ~M6502_IRQ) | (m->irq_sources ? M6502_IRQ : 0);
    return r->error ? -1 : 0;
}

static void cpu_dump(void *opaque, FILE *out)
{
    const struct mini6502 *m = opaque;
    fprintf(out, "m6502: ");
    mini6502_print_registers(m, out);
    fprintf(out, "  cycle %llu, %llu instructions, /IRQ %s\n",
            (unsigned long long)m->clock.now, (unsigned long long)m->instructions,
            (m->pins & M6502_IRQ) ? "low (requested)" : "high");
}

static void memory_reset(void *opaque) { (void)opaque; }   /* RAM keeps its contents */

static void memory_save(void *opaque, struct state_writer *w)
{
    const struct mini6502 *m = opaque;
    state_put_u32(w, m->rom_start);
    state_put_u8(w, (uint8_t)m->vectors_writable);
    state_put_u8(w, m->sp_zp);
    state_put_bytes(w, m->mem, sizeof(m->mem));
}

static int memory_load(void *opaque, struct state_reader *r, uint32_t version)
{
    struct mini6502 *m = opaque;
    if (version != BOARD_STATE_VERSION)
        return -1;
    uint32_t rom_start = state_get_u32(r);
    uint8_t vectors = state_get_u8(r), sp_zp = state_get_u8(r);
    if (r->error || rom_start > 0x10000 || r->len - r->pos < sizeof(m->mem))
        return -1;
    state_get_bytes(r, m->mem, sizeof(m->mem));
    m->rom_start = rom_start;
    m->vectors_writable = vectors != 0;
    m->sp_zp = sp_zp;
    return r->error ? -1 : 0;
}

static void memory_dump(void *opaque, FILE *out)
{
    const struct mini6502 *m = opaque;
    fprintf(out, "memory: RAM $0000-$%04X", (unsigned)(m->rom_start - 1));
    if (m->rom_start < MINI6502_IO_BASE)
        fprintf(out, ", ROM $%04X-$FFEF", (unsigned)m->rom_start);
    fprintf(out, ", I/O $FFF0-$FFF3, hypercalls $FFF4-$FFF9, vectors $FFFA-$FFFF (%s)\n",
            m->vectors_writable ? "RAM" : "ROM");
    fprintf(out, "        vectors: NMI $%04X  RESET $%04X  IRQ $%04X\n",
            mini6502_guest_word(m, 0xFFFA), mini6502_guest_word(m, 0xFFFC),
            mini6502_guest_word(m, 0xFFFE));
}

static const struct device_ops cpu_ops = {
    .name = "m6502", .version = BOARD_STATE_VERSION,
    .reset = cpu_reset, .save = cpu_save, .load = cpu_load, .dump = cpu_dump,
};

static const struct device_ops memory_ops = {
    .name = "memory", .version = BOARD_STATE_VERSION,
    .reset = memory_reset, .save = memory_save, .load = memory_load, .dump = memory_dump,
};

/* ---- building a machine ---------------------------------------------------------- */

int mini6502_init(struct mini6502 *m, const struct mini6502_config *cfg)
{
    memset(m, 0, sizeof(*m));
    if (cfg)
        m->cfg = *cfg;
    if (!m->cfg.trace_out)
        m->cfg.trace = 0;
    clock_init(&m->clock, MINI6502_HZ);
    m->pins = m6502_init(&m->cpu);
    m->rom_start = MINI6502_IO_BASE;
    m->vectors_writable = 1;
    for (int i = 0; i < MINI6502_MAX_FILES; i++)
        m->host_fd[i] = -1;
    mini6502_console_init(&m->console, console_put, console_get, m);
    mini6502_timer_init(&m->timer, &m->clock);
    irq_connect(&m->timer.irq, irq_sink, m, IRQ_PIN_TIMER);
    for (uint16_t a = MINI6502_HYPERCALL_BASE; a < MINI6502_HYPERCALL_END; a++)
        m->mem[a] = 0x60;                       /* RTS */

    device_registry_init(&m->devices);
    if (device_register(&m->devices, &cpu_ops, m) || device_register(&m->devices, &memory_ops, m) ||
        device_register(&m->devices, &mini6502_console_ops, &m->console) ||
        device_register(&m->devices, &mini6502_timer_ops, &m->timer))
        return -1;
    return 0;
}

void mini6502_destroy(struct mini6502 *m) { mini6502_close_files(m); }

struct mini6502 *mini6502_create(const struct mini6502_config *cfg)
{
    struct mini6502 *m = malloc(sizeof(*m));
    if (m && mini6502_init(m, cfg) != 0) {
        free(m);
        m = NULL;
    }
    return m;
}

void mini6502_free(struct mini6502 *m)
{
    if (!m)
        return;
    mini6502_destroy(m);
    free(m);
}

void mini6502_reset(struct mini6502 *m)
{
    device_reset_all(&m->devices);
    m->stop = MINI6502_RUNNING;
    m->stop_msg[0] = 0;
    m->exit_code = 0;
}

void mini6502_set_args(struct mini6502 *m, int argc, char **argv)
{
    m->argc = argc;
    m->argv = argv;
}

/* ---- loading programs ---------------------------------------------------------- */

static void clear_memory(struct mini6502 *m)
{
    memset(m->mem, 0, sizeof(m->mem));
    for (uint16_t a = MINI6502_HYPERCALL_BASE; a < MINI6502_HYPERCALL_END; a++)
        m->mem[a] = 0x60;
}

static int load_sim65(struct mini6502 *m, const uint8_t *img, size_t len, char *why, size_t n)
{
    if (len < SIM65_HEADER_SIZE) {
        snprintf(why, n, "sim65 header truncated (%zu bytes)", len);
        return -1;
    }
    if (img[5] != SIM65_VERSION) {
        snprintf(why, n, "sim65 header version %u not supported (expected %u)", img[5],
                 SIM65_VERSION);
        return -1;
    }
    if (img[6] == SIM65_CPU_65C02) {
        snprintf(why, n, "65C02 program (cl65 -t sim65c02); the mini6502 has an NMOS 6502: "
                         "build with -t sim6502");
        return -1;
    }
    if (img[6] != SIM65_CPU_6502) {
        snprintf(why, n, "unknown CPU type %u in the sim65 header", img[6]);
        return -1;
    }
    unsigned load = img[8] | img[9] << 8, reset = img[10] | img[11] << 8;
    size_t body = len - SIM65_HEADER_SIZE;
    if (load + body > MINI6502_IO_BASE) {
        snprintf(why, n, "program of %zu bytes loaded at $%04X would end at $%05zX, past the "
                 "end of RAM at $FFEF", body, load, load + body - 1);
        return -1;
    }
    clear_memory(m);
    memcpy(m->mem + load, img + SIM65_HEADER_SIZE, body);
    m->sp_zp = img[7];
    m->rom_start = MINI6502_IO_BASE;
    m->vectors_writable = 1;
    /* No interrupt handler until the program installs one: the vectors
     * point at the I/O page, which the machine reports if it is reached. */
    mini6502_guest_store_word(m, 0xFFFA, MINI6502_IO_BASE);
    mini6502_guest_store_word(m, 0xFFFC, (uint16_t)reset);
    mini6502_guest_store_word(m, 0xFFFE, MINI6502_IO_BASE);
    return 0;
}

static int load_rom(struct mini6502 *m, const uint8_t *img, size_t len, char *why, size_t n)
{
    if (len == 0) {
        snprintf(why, n, "empty program file");
        return -1;
    }
    if (len > 0x10000) {
        snprintf(why, n, "image of %zu bytes is larger than the 64 KiB address space", len);
        return -1;
    }
    if (len > MINI6502_ROM_MAX) {
        snprintf(why, n, "ROM image of %zu bytes is larger than the 32 KiB ROM window "
                 "$8000-$FFFF", len);
        return -1;
    }
    clear_memory(m);
    uint32_t start = 0x10000u - (uint32_t)len;
    memcpy(m->mem + start, img, len);
    /* The I/O registers and the hypercall window sit on top of the ROM. */
    memset(m->mem + MINI6502_IO_BASE, 0, MINI6502_HYPERCALL_BASE - MINI6502_IO_BASE);
    for (uint16_t a = MINI6502_HYPERCALL_BASE; a < MINI6502_HYPERCALL_END; a++)
        m->mem[a] = 0x60;
    m->rom_start = start < MINI6502_IO_BASE ? start : MINI6502_IO_BASE;
    m->vectors_writable = 0;
    m->sp_zp = 0;
    return 0;
}

int mini6502_load_image(struct mini6502 *m, const uint8_t *image, size_t len, char *why,
                        size_t whylen)
{
    int r = (len >= 5 && memcmp(image, "sim65", 5) == 0) ? load_sim65(m, image, len, why, whylen)
                                                         : load_rom(m, image, len, why, whylen);
    if (r == 0) {
        mini6502_close_files(m);
        mini6502_reset(m);
    }
    return r;
}

int mini6502_load_file(struct mini6502 *m, const char *path, char *why, size_t whylen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whylen, "cannot open '%s'", path);
        return -1;
    }
    /* Anything longer than a header plus 64 KiB cannot fit: read one byte
     * more than that to tell. */
    size_t cap = 0x10000 + SIM65_HEADER_SIZE + 1;
    uint8_t *buf = malloc(cap);
    size_t len = buf ? fread(buf, 1, cap, f) : 0;
    int err = !buf || ferror(f);
    fclose(f);
    int r = -1;
    if (err)
        snprintf(why, whylen, "cannot read '%s'", path);
    else if (len == cap)
        snprintf(why, whylen, "'%s' is larger than the 64 KiB address space", path);
    else
        r = mini6502_load_image(m, buf, len, why, whylen);
    free(buf);
    return r;
}

/* ---- looking at the machine ---------------------------------------------------------- */

int mini6502_disasm_at(const struct mini6502 *m, uint16_t addr, char *out, size_t outlen)
{
    uint8_t bytes[3];
    for (int i = 0; i < 3; i++)
        bytes[i] = mini6502_peek(m, (uint16_t)(addr + i));
    return m6502_disasm(addr, bytes, out, outlen);
}

void mini6502_print_registers(const struct mini6502 *m, FILE *out)
{
    static const char flags[] = "NV-BDIZC";
    char f[9];
    for (int i = 0; i < 8; i++) {
        int set = (m->cpu.p >> (7 - i)) & 1;
        f[i] = set ? flags[i] : (char)(flags[i] == '-' ? '-' : flags[i] + ('a' - 'A'));
    }
    f[8] = 0;
    fprintf(out, "PC=%04X A=%02X X=%02X Y=%02X S=%02X P=%02X %s", m->cpu.pc, m->cpu.a, m->cpu.x,
            m->cpu.y, m->cpu.s, m->cpu.p, f);
}

/* One line per instruction, printed at its opcode fetch: the registers
 * are what the previous instructions left. */
void mini6502_trace_instruction(const struct mini6502 *m)
{
    FILE *out = m->cfg.trace_out;
    if (m->insn_is_interrupt) {
        fprintf(out, "%10llu  %04X            (interrupt: the fetched opcode is replaced by "
                "the BRK sequence)\n", (unsigned long long)m->clock.now, m->insn_pc);
        return;
    }
    char text[32], hex[12] = "";
    int len = mini6502_disasm_at(m, m->insn_pc, text, sizeof(text));
    for (int i = 0; i < len; i++)
        snprintf(hex + 3 * i, sizeof(hex) - 3 * (size_t)i, "%02X ",
                 mini6502_peek(m, (uint16_t)(m->insn_pc + i)));
    fprintf(out, "%10llu  %04X  %-9s %-14s A=%02X X=%02X Y=%02X S=%02X P=%02X\n",
            (unsigned long long)m->clock.now, m->insn_pc, hex, text, m->cpu.a, m->cpu.x,
            m->cpu.y, m->cpu.s, m->cpu.p);
}

/* ---- snapshots ---------------------------------------------------------------------- */

int mini6502_save(struct mini6502 *m, struct state_writer *w)
{
    device_save_all(&m->devices, w);
    return w->error ? -1 : 0;
}

int mini6502_restore(struct mini6502 *m, const uint8_t *buf, size_t len, char *why, size_t whylen)
{
    struct state_reader r;
    state_reader_init(&r, buf, len);
    if (device_load_all(&m->devices, &r, why, whylen) != 0)
        return -1;
    m->stop = MINI6502_RUNNING;
    m->stop_msg[0] = 0;
    return 0;
}
