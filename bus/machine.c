/*
 * The machine value and its run loop: the CPU runs until the clock's next
 * timer deadline, the clock fires what is due, and so on, until the budget
 * is spent or the guest stops the machine.
 */
#include "bus/machine_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint32_t cpu_io_read(void *opaque, uint16_t port, int size)
{
    struct machine *m = opaque;
    return portio_read(&m->io, port, size);
}

static void cpu_io_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct machine *m = opaque;
    portio_write(&m->io, port, value, size);
}

static uint64_t default_hz(enum x86_model model)
{
    /* Typical clocks of each generation's PCs. */
    static const uint64_t hz[] = { 4772727, 12000000, 33000000, 66000000, 200000000, 400000000 };
    return hz[model];
}

struct machine *machine_create(const struct machine_config *cfg, char *err, size_t errlen)
{
    struct machine *m = calloc(1, sizeof(*m));
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    m->cfg = *cfg;
    if (!m->cfg.board)
        m->cfg.board = "pc-test";
    if (m->cfg.ram_mb == 0)
        m->cfg.ram_mb = 1;
    clock_init(&m->clock, cfg->hz ? cfg->hz : default_hz(cfg->cpu));
    portio_init(&m->io);
    device_registry_init(&m->devices);
    if (physmem_init(&m->mem, (uint64_t)m->cfg.ram_mb << 20) != 0) {
        snprintf(err, errlen, "cannot allocate %u MiB of guest RAM", m->cfg.ram_mb);
        free(m);
        return NULL;
    }
    struct x86_bus bus = { .mem = &m->mem, .clock = &m->clock, .opaque = m, .io_read = cpu_io_read,
                           .io_write = cpu_io_write };
    if (x86_init(&m->cpu, cfg->cpu, &bus) != 0) {
        snprintf(err, errlen, "out of memory for the CPU's caches");
        physmem_destroy(&m->mem);
        free(m);
        return NULL;
    }
    m->cpu.trace = cfg->trace;
    int wired;
    if (strcmp(m->cfg.board, "pc-test") == 0) {
        wired = pctest_wire(m, err, errlen);
    } else if (strcmp(m->cfg.board, "pc") == 0) {
        m->is_pc = 1;
        wired = pc_wire(m, err, errlen);
    } else {
        snprintf(err, errlen, "unknown machine '%s'", m->cfg.board);
        wired = -1;
    }
    if (wired != 0) {
        machine_destroy(m);
        return NULL;
    }
    device_reset_all(&m->devices);
    if (m->is_pc)
        pc_after_reset(m);
    x86_reset(&m->cpu);
    m->status = MACHINE_RUNNING;
    return m;
}

void machine_destroy(struct machine *m)
{
    if (!m)
        return;
    if (m->is_pc)
        pc_unwire(m);
    x86_destroy(&m->cpu);
    physmem_destroy(&m->mem);
    free(m);
}

enum machine_status machine_run(struct machine *m, uint64_t cycles)
{
    cycles_t end = m->clock.now + cycles;
    while (m->status == MACHINE_RUNNING && m->clock.now < end) {
        cycles_t deadline = clock_next_deadline(&m->clock);
        if (deadline > end)
            deadline = end;
        enum x86_stop why = x86_run(&m->cpu, deadline);
        clock_run_due(&m->clock);
        if (m->is_pc) {
            /* A PC resets on a triple fault (the chipset answers the
             * shutdown cycle with INIT). */
            if (why == X86_STOP_SHUTDOWN)
                x86_reset(&m->cpu);
            pc_service(m);
            continue;
        }
        if (m->exit_port.exited)
            m->status = MACHINE_EXITED;
        else if (why == X86_STOP_SHUTDOWN)
            m->status = MACHINE_SHUTDOWN;
        else if (m->cpu.halted && !(m->cpu.eflags & X86_IF) && !m->cpu.nmi_pending &&
                 clock_next_deadline(&m->clock) == CLOCK_NEVER)
            m->status = MACHINE_HALTED;
    }
    return m->status;
}

int machine_exit_code(const struct machine *m) { return m->exit_port.code; }
struct x86_cpu *machine_cpu(struct machine *m) { return &m->cpu; }
uint64_t machine_cycles(const struct machine *m) { return m->clock.now; }
const char *machine_console_tail(const struct machine *m) { return m->console.tail; }
void machine_dump_devices(struct machine *m, FILE *out)
{
    for (int k = 0; k < m->devices.n; k++)
        m->devices.dev[k].ops->dump(m->devices.dev[k].opaque, out);
}

struct pc_board *machine_pc(struct machine *m) { return m->is_pc ? &m->pc : NULL; }

uint8_t *machine_load_file(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    uint8_t *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        snprintf(err, errlen, "cannot read '%s'", path);
        free(buf);
        return NULL;
    }
    if (n == 0 || n > max) {
        snprintf(err, errlen, "'%s' is %s (expected 1 to %zu bytes)", path, n ? "too large" : "empty", max);
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}
