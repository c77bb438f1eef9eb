/*
 * Command line of the mini6502 teaching machine.
 */
#include "frontends/mini6502_cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/mini6502.h"
#include "frontends/monitor6502.h"

#define RUN_CHUNK 100000u          /* cycles between checks of the budget */

struct cli {
    const char *program;
    int guest_argc;
    char **guest_argv;
    unsigned trace;
    const char *trace_file;
    uint64_t max_cycles;        /* 0: no limit */
    int print_cycles;
    int monitor;
    int realtime;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: trapeze --machine mini6502 [options] PROGRAM [ARGS...]\n"
            "Runs a 6502 program on the mini6502 teaching machine (NMOS 6502, 1 MHz, 64 KiB).\n"
            "PROGRAM is a sim65 program (cl65 -t sim6502) or a ROM image of up to 32 KiB.\n"
            "\n"
            "options:\n"
            "  --trace             print every instruction, disassembled, with the registers\n"
            "  --trace=bus         print every bus cycle: cycle, address, data, R/W, SYNC\n"
            "  --trace=all         both (also --trace=insn,bus)\n"
            "  --trace-file=FILE   write the trace to FILE instead of standard output\n"
            "  --max-cycles=N      stop after N cycles (exit status 2)\n"
            "  --cycles            print the number of cycles run on standard error at exit\n"
            "  --realtime          run at 1 MHz of wall-clock time instead of flat out\n"
            "  --monitor           step the program in the monitor (type 'help' there)\n"
            "  --help              this text\n"
            "\n"
            "The exit status is the program's; 2 means the machine stopped it (bad program\n"
            "file, JAM opcode, unknown hypercall, --max-cycles).\n");
}

/* One line on stderr; returns -1 (stop with status 2). */
static int bad_usage(const char *what, const char *arg)
{
    fprintf(stderr, "trapeze: mini6502: %s%s (try --machine mini6502 --help)\n", what, arg);
    return -1;
}

static int parse_trace(const char *what, unsigned *flags)
{
    if (strcmp(what, "insn") == 0)
        *flags |= MINI6502_TRACE_INSN;
    else if (strcmp(what, "bus") == 0)
        *flags |= MINI6502_TRACE_BUS;
    else if (strcmp(what, "all") == 0 || strcmp(what, "insn,bus") == 0 ||
             strcmp(what, "bus,insn") == 0)
        *flags |= MINI6502_TRACE_INSN | MINI6502_TRACE_BUS;
    else
        return -1;
    return 0;
}

static int parse_count(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

/* Returns -1 to stop with status 2, 1 for --help, 0 to run. */
static int parse_args(int argc, char **argv, struct cli *o)
{
    memset(o, 0, sizeof(*o));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--machine") == 0 && i + 1 < argc && strcmp(argv[i + 1], "mini6502") == 0) {
            i++;
        } else if (strcmp(a, "--machine=mini6502") == 0) {
            continue;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            return 1;
        } else if (strcmp(a, "--trace") == 0) {
            o->trace |= MINI6502_TRACE_INSN;
        } else if (strncmp(a, "--trace=", 8) == 0) {
            if (parse_trace(a + 8, &o->trace) != 0)
                return bad_usage("unknown trace (insn, bus or all): ", a + 8);
        } else if (strncmp(a, "--trace-file=", 13) == 0) {
            o->trace_file = a + 13;
        } else if (strcmp(a, "--max-cycles") == 0 || strncmp(a, "--max-cycles=", 13) == 0) {
            const char *v = a[12] == '=' ? a + 13 : (i + 1 < argc ? argv[++i] : "");
            if (parse_count(v, &o->max_cycles) != 0 || o->max_cycles == 0)
                return bad_usage("--max-cycles needs a positive number, not ", v[0] ? v : "nothing");
        } else if (strcmp(a, "--cycles") == 0) {
            o->print_cycles = 1;
        } else if (strcmp(a, "--monitor") == 0) {
            o->monitor = 1;
        } else if (strcmp(a, "--realtime") == 0) {
            o->realtime = 1;
        } else if (a[0] == '-' && a[1]) {
            return bad_usage("unknown option ", a);
        } else {
            o->program = a;
            o->guest_argc = argc - i;
            o->guest_argv = argv + i;
            return 0;
        }
    }
    return bad_usage("no program given", "");
}

/* --realtime: sleep while the machine is ahead of the wall clock. */
static void pace(const struct mini6502 *m, const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double elapsed = (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
    double ahead = (double)m->clock.now / MINI6502_HZ - elapsed;
    if (ahead > 0.001) {
        struct timespec d = { (time_t)ahead, (long)((ahead - (double)(time_t)ahead) * 1e9) };
        nanosleep(&d, NULL);
    }
}

static enum mini6502_stop run(struct mini6502 *m, const struct cli *o)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        uint64_t chunk = RUN_CHUNK;
        if (o->max_cycles) {
            if (m->clock.now >= o->max_cycles)
                return MINI6502_RUNNING;
            if (o->max_cycles - m->clock.now < chunk)
                chunk = o->max_cycles - m->clock.now;
        }
        enum mini6502_stop s = mini6502_run(m, chunk);
        if (s != MINI6502_RUNNING)
            return s;
        if (o->realtime)
            pace(m, &start);
    }
}

static int finish(struct mini6502 *m, const struct cli *o, enum mini6502_stop s, int quit)
{
    fflush(stdout);
    if (o->print_cycles)
        fprintf(stderr, "%llu cycles\n", (unsigned long long)m->clock.now);
    if (s == MINI6502_EXITED)
        return m->exit_code;
    if (quit)
        return 0;
    if (s == MINI6502_RUNNING)
        fprintf(stderr, "trapeze: mini6502: stopped after %llu cycles (--max-cycles) at $%04X\n",
                (unsigned long long)m->clock.now, m->insn_pc);
    else
        fprintf(stderr, "trapeze: mini6502: %s\n", m->stop_msg);
    return 2;
}

int mini6502_main(int argc, char **argv)
{
    struct cli o;
    int p = parse_args(argc, argv, &o);
    if (p)
        return p > 0 ? (usage(stdout), 0) : 2;

    FILE *trace = NULL;
    if (o.trace_file) {
        trace = fopen(o.trace_file, "w");
        if (!trace) {
            fprintf(stderr, "trapeze: mini6502: cannot write '%s'\n", o.trace_file);
            return 2;
        }
    }
    struct mini6502_config cfg = {
        .allow_host_files = 1,
        .trace = o.trace,
        .trace_out = o.trace ? (trace ? trace : stdout) : NULL,
    };
    struct mini6502 *m = mini6502_create(&cfg);
    if (!m) {
        fprintf(stderr, "trapeze: mini6502: out of memory\n");
        if (trace)
            fclose(trace);
        return 2;
    }
    char why[200];
    int status;
    if (mini6502_load_file(m, o.program, why, sizeof(why)) != 0) {
        fprintf(stderr, "trapeze: mini6502: %s: %s\n", o.program, why);
        status = 2;
    } else {
        mini6502_set_args(m, o.guest_argc, o.guest_argv);
        if (o.monitor) {
            int quit = monitor6502_run(m, stdin, stdout);
            status = finish(m, &o, m->stop, quit);
        } else {
            status = finish(m, &o, run(m, &o), 0);
        }
    }
    mini6502_free(m);
    if (trace)
        fclose(trace);
    return status;
}
