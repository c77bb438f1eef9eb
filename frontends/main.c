/*
 * trapeze: the command line.
 *
 * Parses options, builds a machine from them and runs it headless.  Bad
 * input -- an unknown option, a missing or unreadable file, an unknown CPU
 * model -- gets one line on stderr and exit status 2.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/machine.h"
#include "frontends/mini6502_cli.h"

#define EXIT_BAD_INPUT 2

static void usage(FILE *out)
{
    fputs("usage: trapeze [options] PROGRAM\n"
          "\n"
          "Machines:\n"
          "  --machine pc-test    bare x86 board: PROGRAM is a ROM image whose last 16\n"
          "                       bytes hold the reset vector; debug console on port\n"
          "                       0xE9, test-exit port 0xF4 (default)\n"
          "  --machine mini6502   the 6502 teaching machine (trapeze --machine mini6502\n"
          "                       --help lists its options)\n"
          "\n"
          "Options:\n"
          "  --cpu MODEL          8086, 286, 386, 486, pentium or p6 (default 386)\n"
          "  -m MiB               guest RAM in MiB (default 1)\n"
          "  --trace              print one line per instruction on stderr\n"
          "  --max-cycles N       stop after N emulated cycles (exit status 3)\n"
          "  --stats              print instructions retired and cycles at the end\n"
          "  --help               this text\n"
          "\n"
          "Exit status: the value the guest wrote to the test-exit port; 2 for bad\n"
          "input; 3 when --max-cycles ran out; 4 when the guest halted for good or\n"
          "the CPU shut down (triple fault).\n",
          out);
}

static int bad(const char *fmt, const char *arg)
{
    fputs("trapeze: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return EXIT_BAD_INPUT;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    struct machine_config cfg = { "pc-test", X86_386, 1, NULL, stdout, NULL, 0 };
    uint64_t max_cycles = 0;
    int stats = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--machine") == 0 || strncmp(a, "--machine=", 10) == 0) {
            val = a[9] == '=' ? a + 10 : (i + 1 < argc ? argv[++i] : NULL);
            if (!val)
                return bad("%s needs a value", a);
            if (strcmp(val, "mini6502") == 0)
                return mini6502_main(argc - i, argv + i);
            if (strcmp(val, "pc-test") != 0)
                return bad("unknown machine '%s' (try --help)", val);
            cfg.board = "pc-test";
            continue;
        }
        if (strcmp(a, "--cpu") == 0 || strcmp(a, "-cpu") == 0) {
            if (i + 1 >= argc)
                return bad("%s needs a model", a);
            val = argv[++i];
            if (x86_model_parse(val, &cfg.cpu) != 0)
                return bad("unknown CPU model '%s' (8086, 286, 386, 486, pentium, p6)", val);
            continue;
        }
        if (strcmp(a, "-m") == 0) {
            uint64_t mb;
            if (i + 1 >= argc)
                return bad("%s needs a size in MiB", a);
            val = argv[++i];
            if (parse_u64(val, &mb) != 0 || mb == 0 || mb > 3072)
                return bad("bad memory size '%s' (1 to 3072 MiB)", val);
            cfg.ram_mb = (uint32_t)mb;
            continue;
        }
        if (strcmp(a, "--max-cycles") == 0) {
            if (i + 1 >= argc || parse_u64(argv[i + 1], &max_cycles) != 0)
                return bad("%s needs a number", a);
            i++;
            continue;
        }
        if (strcmp(a, "--trace") == 0) {
            cfg.trace = stderr;
            continue;
        }
        if (strcmp(a, "--stats") == 0) {
            stats = 1;
            continue;
        }
        if (a[0] == '-')
            return bad("unknown option '%s' (try --help)", a);
        if (cfg.image)
            return bad("more than one program given ('%s')", a);
        cfg.image = a;
    }
    if (!cfg.image)
        return bad("%s", "no program given (try --help)");

    char err[256];
    struct machine *m = machine_create(&cfg, err, sizeof(err));
    if (!m)
        return bad("%s", err);

    /* Run in slices so a --max-cycles budget is honoured. */
    const uint64_t slice = 10000000;
    uint64_t left = max_cycles ? max_cycles : UINT64_MAX;
    enum machine_status st = MACHINE_RUNNING;
    while (st == MACHINE_RUNNING && left > 0) {
        uint64_t n = left < slice ? left : slice;
        st = machine_run(m, n);
        left -= n;
    }
    fflush(stdout);
    int status;
    switch (st) {
    case MACHINE_EXITED: status = machine_exit_code(m); break;
    case MACHINE_RUNNING:
        fprintf(stderr, "trapeze: stopped after %llu cycles (--max-cycles)\n", (unsigned long long)max_cycles);
        status = 3;
        break;
    case MACHINE_HALTED:
        fprintf(stderr, "trapeze: the guest halted with interrupts disabled\n");
        status = 4;
        break;
    default:
        fprintf(stderr, "trapeze: the CPU shut down (triple fault)\n");
        status = 4;
        break;
    }
    if (stats)
        fprintf(stderr, "trapeze: %llu instructions, %llu cycles\n",
                (unsigned long long)machine_cpu(m)->insns_retired, (unsigned long long)machine_cycles(m));
    machine_destroy(m);
    return status;
}
