/*
 * The mini6502 monitor: step by instruction or by clock cycle and watch
 * what the CPU does on its bus.
 */
#include "frontends/monitor6502.h"

#include <stdlib.h>
#include <string.h>

static const char help_text[] =
    "commands (numbers are hex for addresses, decimal for counts):\n"
    "  s, step [N]        run N instructions (default 1), showing each\n"
    "  c, cycle [N]       run N clock cycles (default 1), showing each bus access\n"
    "  g, go [CYCLES]     run until the program stops, the breakpoint, or CYCLES pass\n"
    "  b, break [ADDR]    stop when the opcode at ADDR is fetched ('break off' clears)\n"
    "  r, regs            show the registers\n"
    "  m, mem ADDR [LEN]  show memory (without touching device registers)\n"
    "  d, dis [ADDR] [N]  disassemble N instructions (default: at PC, 8)\n"
    "  dev, devices       show every device's registers\n"
    "  reset              pull RESET\n"
    "  q, quit            leave the monitor\n";

static void show_registers(struct mini6502 *m, FILE *out)
{
    mini6502_print_registers(m, out);
    fprintf(out, "  cycle %llu\n", (unsigned long long)m->clock.now);
}

/* The instruction whose opcode was just fetched (what runs next). */
static void show_next(struct mini6502 *m, FILE *out)
{
    char text[32];
    if (m->insn_is_interrupt) {
        fprintf(out, "  %04X  (interrupt sequence)\n", m->insn_pc);
        return;
    }
    mini6502_disasm_at(m, m->insn_pc, text, sizeof(text));
    fprintf(out, "  %04X  %-14s  ", m->insn_pc, text);
    show_registers(m, out);
}

static void show_cycle(struct mini6502 *m, FILE *out)
{
    m6502_pins p = m->pins;
    fprintf(out, "  cycle %llu: %04X  %02X  %s%s\n", (unsigned long long)(m->clock.now - 1),
            m6502_addr(p), m6502_data(p), (p & M6502_RW) ? "read " : "write",
            (p & M6502_SYNC) ? "  SYNC (opcode fetch)" : "");
}

static void show_memory(struct mini6502 *m, FILE *out, unsigned addr, unsigned len)
{
    for (unsigned row = 0; row < len; row += 16) {
        fprintf(out, "  %04X ", (addr + row) & 0xFFFF);
        for (unsigned i = 0; i < 16 && row + i < len; i++)
            fprintf(out, " %02X", mini6502_peek(m, (uint16_t)(addr + row + i)));
        fputc('\n', out);
    }
}

static void disassemble(struct mini6502 *m, FILE *out, unsigned addr, unsigned count)
{
    char text[32];
    for (unsigned i = 0; i < count; i++) {
        int len = mini6502_disasm_at(m, (uint16_t)addr, text, sizeof(text));
        fprintf(out, "  %04X  %s\n", addr & 0xFFFF, text);
        addr = (addr + (unsigned)len) & 0xFFFF;
    }
}

static int report_stop(struct mini6502 *m, FILE *out)
{
    if (m->stop == MINI6502_RUNNING)
        return 0;
    fprintf(out, "  %s\n", m->stop_msg);
    return m->stop != MINI6502_BREAKPOINT;
}

static unsigned long arg_number(const char *s, int base, unsigned long fallback)
{
    if (!s)
        return fallback;
    char *end;
    unsigned long v = strtoul(s[0] == '$' ? s + 1 : s, &end, base);
    return *end ? fallback : v;
}

/* Runs one command; returns 1 when the monitor should end. */
static int command(struct mini6502 *m, FILE *out, char *cmd, char *a1, char *a2)
{
    if (!strcmp(cmd, "s") || !strcmp(cmd, "step")) {
        for (unsigned long n = arg_number(a1, 10, 1); n > 0; n--) {
            mini6502_step_instruction(m);
            show_next(m, out);
            if (report_stop(m, out))
                return 1;
        }
    } else if (!strcmp(cmd, "c") || !strcmp(cmd, "cycle")) {
        for (unsigned long n = arg_number(a1, 10, 1); n > 0; n--) {
            mini6502_step_cycle(m);
            show_cycle(m, out);
            if (report_stop(m, out))
                return 1;
        }
    } else if (!strcmp(cmd, "g") || !strcmp(cmd, "go")) {
        mini6502_run(m, a1 ? arg_number(a1, 10, 0) : UINT64_MAX);
        show_next(m, out);
        return report_stop(m, out);
    } else if (!strcmp(cmd, "b") || !strcmp(cmd, "break")) {
        m->break_enabled = a1 && strcmp(a1, "off") != 0;
        m->break_pc = (uint16_t)arg_number(a1, 16, 0);
        if (m->break_enabled)
            fprintf(out, "  breakpoint at $%04X\n", m->break_pc);
        else
            fprintf(out, "  no breakpoint\n");
    } else if (!strcmp(cmd, "r") || !strcmp(cmd, "regs")) {
        fputs("  ", out);
        show_registers(m, out);
    } else if (!strcmp(cmd, "m") || !strcmp(cmd, "mem")) {
        show_memory(m, out, (unsigned)arg_number(a1, 16, m->cpu.pc), (unsigned)arg_number(a2, 10, 64));
    } else if (!strcmp(cmd, "d") || !strcmp(cmd, "dis")) {
        disassemble(m, out, (unsigned)arg_number(a1, 16, m->insn_pc), (unsigned)arg_number(a2, 10, 8));
    } else if (!strcmp(cmd, "dev") || !strcmp(cmd, "devices")) {
        for (int i = 0; i < m->devices.n; i++)
            m->devices.dev[i].ops->dump(m->devices.dev[i].opaque, out);
    } else if (!strcmp(cmd, "reset")) {
        mini6502_reset(m);
        fprintf(out, "  RESET: the next cycles run the reset sequence\n");
    } else if (!strcmp(cmd, "q") || !strcmp(cmd, "quit")) {
        return 1;
    } else if (!strcmp(cmd, "h") || !strcmp(cmd, "help") || !strcmp(cmd, "?")) {
        fputs(help_text, out);
    } else {
        fprintf(out, "  unknown command '%s' (help lists them)\n", cmd);
    }
    return 0;
}

int monitor6502_run(struct mini6502 *m, FILE *in, FILE *out)
{
    char line[256];
    fprintf(out, "mini6502 monitor: 'help' lists the commands; the CPU is at RESET.\n");
    for (;;) {
        fprintf(out, "(6502) ");
        fflush(out);
        if (!fgets(line, sizeof(line), in))
            return 1;
        char *save = NULL;
        char *cmd = strtok_r(line, " \t\r\n", &save);
        if (!cmd)
            continue;
        char *a1 = strtok_r(NULL, " \t\r\n", &save);
        char *a2 = strtok_r(NULL, " \t\r\n", &save);
        if (command(m, out, cmd, a1, a2))
            return m->stop == MINI6502_RUNNING || m->stop == MINI6502_BREAKPOINT;
    }
}
