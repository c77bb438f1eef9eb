/*
 * bench_x86: how fast the x86 interpreter runs a real-mode program.
 *
 *   bench_x86 IMAGE [--runs N] [--cpu MODEL]...
 *
 * Creates the pc-test machine for IMAGE (a ROM such as
 * build/roms/bench_real.bin), runs it to the test-exit port, and measures
 * the host wall time of the run with CLOCK_MONOTONIC (machine creation is
 * not timed).  Each CPU model (default: 8086 and 386) runs N times
 * (default 5); the table gives the instructions retired, the emulated
 * cycles, the emulated MIPS of each run (instructions / host seconds) and
 * their median.
 *
 * The figures are for reading, not for passing: the exit status is 0 when
 * every run exited with status 0, 1 when a run failed (the guest reported
 * an error, or never exited), 2 for bad arguments.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/machine.h"

#define MAX_RUNS 25
#define MAX_CPUS 6
#define SLICE_CYCLES 100000000ull
#define CYCLE_LIMIT 100000000000ull     /* a guest that never exits is a failure */

struct bench_result {
    enum x86_model cpu;
    uint64_t insns, cycles;     /* of the last run (the program is deterministic) */
    double mips[MAX_RUNS];
};

static double host_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One run; returns 0 and fills *mips, *insns, *cycles, or -1 with a message. */
static int run_once(const char *image, enum x86_model cpu, double *mips, uint64_t *insns, uint64_t *cycles,
                    char *console, size_t console_len)
{
    struct machine_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.board = "pc-test";
    cfg.cpu = cpu;
    cfg.ram_mb = 16;    /* bench_pm needs its page tables and data above 1 MiB */
    cfg.image = image;
    char err[256];
    struct machine *m = machine_create(&cfg, err, sizeof(err));
    if (!m) {
        fprintf(stderr, "bench_x86: %s\n", err);
        return -1;
    }
    double t0 = host_seconds();
    enum machine_status st = MACHINE_RUNNING;
    while (st == MACHINE_RUNNING && machine_cycles(m) < CYCLE_LIMIT)
        st = machine_run(m, SLICE_CYCLES);
    double t1 = host_seconds();

    *insns = machine_cpu(m)->insns_retired;
    *cycles = machine_cycles(m);
    snprintf(console, console_len, "%s", machine_console_tail(m));
    int ok = st == MACHINE_EXITED && machine_exit_code(m) == 0;
    if (!ok) {
        if (st == MACHINE_EXITED)
            fprintf(stderr, "bench_x86: %s on the %s: the guest reported failure (exit code %d)\n", image,
                    x86_model_name(cpu), machine_exit_code(m));
        else
            fprintf(stderr, "bench_x86: %s on the %s: the guest did not exit (status %d after %llu cycles)\n",
                    image, x86_model_name(cpu), (int)st, (unsigned long long)*cycles);
    }
    machine_destroy(m);
    double secs = t1 - t0;
    *mips = secs > 0 ? (double)*insns / secs / 1e6 : 0.0;
    return ok ? 0 : -1;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
    double s[MAX_RUNS];
    memcpy(s, v, (size_t)n * sizeof(double));
    qsort(s, (size_t)n, sizeof(double), compare_doubles);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
}

/* The guest's last console line, without its newline. */
static void last_line(char *text)
{
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        text[--n] = 0;
    char *nl = strrchr(text, '\n');
    if (nl)
        memmove(text, nl + 1, strlen(nl + 1) + 1);
}

static void print_table(const char *image, const struct bench_result *res, int ncpu, int runs,
                        const char *guest_line)
{
    printf("x86 real-mode benchmark: %s, %d runs per CPU\n", image, runs);
    if (guest_line[0])
        printf("guest: %s\n", guest_line);
    printf("%-8s %12s %14s ", "CPU", "instructions", "cycles");
    for (int k = 0; k < runs; k++)
        printf(" run %-3d", k + 1);
    printf("  median MIPS\n");
    for (int c = 0; c < ncpu; c++) {
        printf("%-8s %12llu %14llu ", x86_model_name(res[c].cpu), (unsigned long long)res[c].insns,
               (unsigned long long)res[c].cycles);
        for (int k = 0; k < runs; k++)
            printf(" %7.1f", res[c].mips[k]);
        printf("  %11.1f\n", median(res[c].mips, runs));
    }
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_x86 IMAGE [--runs N (1-%d)] [--cpu MODEL]...\n", MAX_RUNS);
    return 2;
}

int main(int argc, char **argv)
{
    const char *image = NULL;
    int runs = 5;
    enum x86_model cpus[MAX_CPUS];
    int ncpu = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || n < 1 || n > MAX_RUNS)
                return usage();
            runs = (int)n;
        } else if (strcmp(argv[i], "--cpu") == 0 && i + 1 < argc) {
            if (ncpu == MAX_CPUS || x86_model_parse(argv[++i], &cpus[ncpu]) != 0)
                return usage();
            ncpu++;
        } else if (argv[i][0] == '-' || image) {
            return usage();
        } else {
            image = argv[i];
        }
    }
    if (!image)
        return usage();
    if (ncpu == 0) {
        cpus[ncpu++] = X86_8086;
        cpus[ncpu++] = X86_386;
    }

    struct bench_result res[MAX_CPUS];
    char guest_line[256] = "";
    int failed = 0;
    for (int c = 0; c < ncpu; c++) {
        res[c].cpu = cpus[c];
        for (int k = 0; k < runs; k++) {
            char console[256];
            if (run_once(image, cpus[c], &res[c].mips[k], &res[c].insns, &res[c].cycles, console,
                         sizeof(console)) != 0)
                failed = 1;
            if (c == 0 && k == 0) {
                last_line(console);
                snprintf(guest_line, sizeof(guest_line), "%s", console);
            }
        }
    }
    print_table(image, res, ncpu, runs, guest_line);
    if (failed)
        printf("bench_x86: FAILED (see the messages above)\n");
    return failed;
}
