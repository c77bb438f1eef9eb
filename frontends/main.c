/*
 * trapeze: the command line.
 *
 * Options follow QEMU's spelling where QEMU has one (-m, -hda, -cdrom,
 * -boot, -kernel, -serial, -display), so users need not learn new ones.
 * Bad input -- an unknown option, a missing or unreadable file, an unknown
 * CPU model -- gets one line on stderr and exit status 2.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/machine.h"
#include "config.h"
#include "bus/pc.h"
#include "frontends/desktop.h"
#include "frontends/mini6502_cli.h"
#include "frontends/screenshot.h"
#include "frontends/serial_backend.h"
#include "frontends/serial_script.h"

#define EXIT_BAD_INPUT 2
#define EXIT_BUDGET 3
#define EXIT_STOPPED 4
#define EXIT_SCRIPT 5

/* A serial script's `mark`: how far the run has come, on stderr. */
struct mark_context {
    struct machine *m;
    double start;
};

struct options {
    struct machine_config cfg;
    uint64_t max_cycles;
    int stats, turbo, dump_devices;
    const char *serial;         /* "stdio", "file:PATH", "none" */
    const char *screenshot, *text_dump;
    const char *serial_script;
    struct serial_script script;
    int have_script;
    struct mark_context marks;
    struct desktop_options desktop;     /* window, sound, screenshots (frontends/desktop.h) */
};

static void usage(FILE *out)
{
    fputs("usage: trapeze [options] [PROGRAM]\n"
          "\n"
          "Machines:\n"
          "  --machine pc         an i440FX PC with SeaBIOS (default)\n"
          "  --machine pc-test    bare x86 board: PROGRAM is a ROM image whose last 16\n"
          "                       bytes hold the reset vector; debug console on port\n"
          "                       0xE9, test-exit port 0xF4\n"
          "  --machine mini6502   the 6502 teaching machine (--machine mini6502 --help)\n"
          "\n"
          "PC options:\n"
          "  -m MiB               guest RAM (default 128 on the PC, 1 on pc-test)\n"
          "  -hda FILE, -hdb FILE raw hard-disk images (written through to the file)\n"
          "  -cdrom FILE          an ISO image\n"
          "  -fda FILE            a floppy image (720 KB, 1.44 MB, 2.88 MB)\n"
          "  -boot a|c|d          boot from floppy, hard disk or CD-ROM (default c)\n"
          "  -kernel FILE         boot a Linux bzImage directly\n"
          "  -initrd FILE, -append \"ARGS\"   its initrd and command line\n"
          "  -serial stdio|file:PATH|none   COM1 (default stdio)\n"
          "  --bios FILE, --vga-bios FILE   firmware (default: the system's SeaBIOS)\n"
          "  --firmware-log FILE  SeaBIOS's debug log (port 0x402)\n"
          "  --rtc host|fixed     the RTC starts at the host's time or 2000-01-01\n"
          "  --screenshot FILE.png, --text-dump FILE   the screen at exit\n"
          "  --serial-script FILE lines 'expect TEXT', 'send TEXT', 'mark NAME', 'stop'\n"
          "                       drive COM1\n"
          "\n"
          "Common options:\n"
          "  --cpu MODEL          8086, 286, 386, 486, pentium or p6 (default p6 on the\n"
          "                       PC, 386 on pc-test)\n"
          "  --trace              print one line per instruction on stderr\n"
          "  --max-cycles N       stop after N emulated cycles (exit status 3)\n"
          "  --turbo              run flat out instead of keeping pace with real time\n"
          "  --stats              print instructions retired and cycles at the end\n"
          "  --dump-devices       print every device's registers at the end\n"
          "  --help               this text\n"
          "\n"
          "Exit status: 0 when the guest powers off; the value written to the\n"
          "test-exit port (pc-test); 2 for bad input; 3 when --max-cycles ran out;\n"
          "4 when the guest halted for good or the CPU shut down; 5 when a serial\n"
          "script did not finish.\n",
          out);
    desktop_usage(out);
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

/* Options that take a file or string argument, and where it goes. */
static const char **string_option(struct options *o, const char *a)
{
    static const struct {
        const char *name;
        size_t offset;
    } table[] = {
        { "-hda", offsetof(struct machine_config, hda) },
        { "-hdb", offsetof(struct machine_config, hdb) },
        { "-cdrom", offsetof(struct machine_config, cdrom) },
        { "-fda", offsetof(struct machine_config, fda) },
        { "-kernel", offsetof(struct machine_config, kernel) },
        { "-initrd", offsetof(struct machine_config, initrd) },
        { "-append", offsetof(struct machine_config, append) },
        { "--bios", offsetof(struct machine_config, bios) },
        { "-bios", offsetof(struct machine_config, bios) },
        { "--vga-bios", offsetof(struct machine_config, vga_bios) },
        { "--linuxboot-rom", offsetof(struct machine_config, linuxboot_rom) },
    };
    for (size_t k = 0; k < sizeof(table) / sizeof(table[0]); k++)
        if (strcmp(a, table[k].name) == 0)
            return (const char **)((char *)&o->cfg + table[k].offset);
    if (strcmp(a, "-serial") == 0)
        return &o->serial;
    if (strcmp(a, "--screenshot") == 0)
        return &o->screenshot;
    if (strcmp(a, "--text-dump") == 0)
        return &o->text_dump;
    if (strcmp(a, "--serial-script") == 0)
        return &o->serial_script;
    return NULL;
}

/* Returns -1 to go on, or an exit status. */
static int parse(struct options *o, int argc, char **argv, int *machine_index)
{
    int ram_given = 0, cpu_given = 0, desk;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **dest;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--machine") == 0 || strncmp(a, "--machine=", 10) == 0 || strcmp(a, "-M") == 0) {
            const char *val = a[9] == '=' ? a + 10 : (i + 1 < argc ? argv[++i] : NULL);
            if (!val)
                return bad("%s needs a value", a);
            if (strcmp(val, "mini6502") == 0) {
                *machine_index = i;
                return -2;
            }
            if (strcmp(val, "pc") != 0 && strcmp(val, "pc-test") != 0)
                return bad("unknown machine '%s' (try --help)", val);
            o->cfg.board = strcmp(val, "pc") == 0 ? "pc" : "pc-test";
        } else if ((dest = string_option(o, a)) != NULL) {
            if (i + 1 >= argc)
                return bad("%s needs a value", a);
            *dest = argv[++i];
        } else if (strcmp(a, "--cpu") == 0 || strcmp(a, "-cpu") == 0) {
            if (i + 1 >= argc)
                return bad("%s needs a model", a);
            if (x86_model_parse(argv[++i], &o->cfg.cpu) != 0)
                return bad("unknown CPU model '%s' (8086, 286, 386, 486, pentium, p6)", argv[i]);
            cpu_given = 1;
        } else if (strcmp(a, "-m") == 0) {
            uint64_t mb;
            if (i + 1 >= argc || parse_u64(argv[i + 1], &mb) != 0 || mb == 0 || mb > 3072)
                return bad("bad memory size '%s' (1 to 3072 MiB)", i + 1 < argc ? argv[i + 1] : "");
            o->cfg.ram_mb = (uint32_t)mb;
            ram_given = 1;
            i++;
        } else if (strcmp(a, "-boot") == 0) {
            if (i + 1 >= argc || strlen(argv[i + 1]) != 1 || !strchr("acd", argv[i + 1][0]))
                return bad("-boot takes a, c or d%s", "");
            o->cfg.boot = argv[++i][0];
        } else if ((desk = desktop_parse_option(&o->desktop, argc, argv, &i)) != 0) {
            if (desk < 0)
                return EXIT_BAD_INPUT;
        } else if (strcmp(a, "--firmware-log") == 0) {
            if (i + 1 >= argc)
                return bad("%s needs a file", a);
            const char *p = argv[++i];
            o->cfg.firmware_log = strcmp(p, "-") == 0 ? stderr : fopen(p, "w");
            if (!o->cfg.firmware_log)
                return bad("cannot write '%s'", p);
        } else if (strcmp(a, "--rtc") == 0) {
            if (i + 1 >= argc || (strcmp(argv[i + 1], "host") != 0 && strcmp(argv[i + 1], "fixed") != 0))
                return bad("--rtc takes host or fixed%s", "");
            o->cfg.rtc_fixed = strcmp(argv[++i], "fixed") == 0;
            o->cfg.rtc_start = 946684800;   /* 2000-01-01 00:00:00 UTC */
        } else if (strcmp(a, "--max-cycles") == 0) {
            if (i + 1 >= argc || parse_u64(argv[i + 1], &o->max_cycles) != 0)
                return bad("%s needs a number", a);
            i++;
        } else if (strcmp(a, "--trace") == 0) {
            o->cfg.trace = stderr;
        } else if (strcmp(a, "--stats") == 0) {
            o->stats = 1;
        } else if (strcmp(a, "--dump-devices") == 0) {
            o->dump_devices = 1;
        } else if (strcmp(a, "--turbo") == 0) {
            o->turbo = 1;
        } else if (a[0] == '-') {
            return bad("unknown option '%s' (try --help)", a);
        } else if (o->cfg.image) {
            return bad("more than one program given ('%s')", a);
        } else {
            o->cfg.image = a;
        }
    }
    if (!o->cfg.board)
        o->cfg.board = o->cfg.image ? "pc-test" : "pc";
    int is_pc = strcmp(o->cfg.board, "pc") == 0;
    if (!ram_given)
        o->cfg.ram_mb = is_pc ? 128 : 1;
    if (!cpu_given)
        o->cfg.cpu = is_pc ? X86_P6 : X86_386;
    if (strcmp(o->cfg.board, "pc-test") == 0 && !o->cfg.image)
        return bad("%s", "no program given (try --help)");
    if ((o->cfg.initrd || o->cfg.append) && !o->cfg.kernel)
        return bad("%s", "-initrd and -append need -kernel");
    return -1;
}

static double wall_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void report_mark(void *opaque, const char *name)
{
    struct mark_context *mc = opaque;
    fprintf(stderr, "trapeze: mark %s: %llu instructions, %llu cycles, %.2f s\n", name,
            (unsigned long long)machine_cpu(mc->m)->insns_retired, (unsigned long long)machine_cycles(mc->m),
            wall_seconds() - mc->start);
}

static int open_serial(struct options *o, struct serial_backend *sb)
{
    char err[256];
    const char *s = o->serial ? o->serial : "stdio";
    int r;
    if (strcmp(s, "stdio") == 0)
        r = serial_backend_open_stdio(sb, 1, err, sizeof(err));
    else if (strncmp(s, "file:", 5) == 0)
        r = serial_backend_open_files(sb, NULL, s + 5, err, sizeof(err));
    else if (strcmp(s, "none") == 0)
        r = serial_backend_open_files(sb, NULL, NULL, err, sizeof(err));
    else
        return bad("-serial takes stdio, file:PATH or none (not '%s')", s);
    if (r != 0)
        return bad("%s", err);
    return -1;
}


/* Sleep while emulated time is ahead of real time (unless --turbo). */
static void pace(uint64_t cycles, uint64_t hz, double start)
{
    double ahead = (double)cycles / (double)hz - (wall_seconds() - start);
    if (ahead > 0.002) {
        struct timespec t = { (time_t)ahead, (long)((ahead - (double)(time_t)ahead) * 1e9) };
        nanosleep(&t, NULL);
    }
}

static int run(struct options *o, struct machine *m, struct serial_backend *sb)
{
    struct pc_board *pc = machine_pc(m);
    const uint64_t slice = 1000000;
    uint64_t left = o->max_cycles ? o->max_cycles : UINT64_MAX;
    uint64_t hz = machine_cpu(m)->bus.clock->hz;
    double start = wall_seconds();
    enum machine_status st = MACHINE_RUNNING;
    if (pc && desktop_active(&o->desktop)) {    /* the window, sound, timed screenshots */
        if (desktop_run(&o->desktop, m, sb, o->have_script ? &o->script : NULL, o->max_cycles, o->turbo, &st) != 0)
            return EXIT_BAD_INPUT;
        left = 0;
    }
    while (st == MACHINE_RUNNING && left > 0) {
        uint64_t n = left < slice ? left : slice;
        if (pc)
            serial_backend_poll(sb, &pc->com[0]);
        if (pc && o->have_script)
            serial_script_poll(&o->script, &pc->com[0]);
        st = machine_run(m, n);
        left -= n;
        if (o->have_script && o->script.stopped)
            break;
        if (!o->turbo)
            pace(machine_cycles(m), hz, start);
    }
    if (pc)
        serial_backend_poll(sb, &pc->com[0]);
    fflush(stdout);
    if (o->have_script && o->script.stopped)
        return 0;
    if (o->have_script && !serial_script_done(&o->script)) {
        fprintf(stderr, "trapeze: the serial script was still waiting for '%s'\n",
                serial_script_waiting_for(&o->script));
        return EXIT_SCRIPT;
    }
    switch (st) {
    case MACHINE_EXITED: return machine_exit_code(m);
    case MACHINE_POWEROFF: return 0;
    case MACHINE_RUNNING:
        fprintf(stderr, "trapeze: stopped after %llu cycles (--max-cycles)\n", (unsigned long long)o->max_cycles);
        return EXIT_BUDGET;
    case MACHINE_HALTED:
        fprintf(stderr, "trapeze: the guest halted with interrupts disabled\n");
        return EXIT_STOPPED;
    default:
        fprintf(stderr, "trapeze: the CPU shut down (triple fault)\n");
        return EXIT_STOPPED;
    }
}

static void save_screens(struct options *o, struct machine *m)
{
    struct pc_board *pc = machine_pc(m);
    char err[256];
    if (!pc)
        return;
    if (o->screenshot && screenshot_png(&pc->vga, o->screenshot, err, sizeof(err)) != 0)
        fprintf(stderr, "trapeze: %s\n", err);
    if (o->text_dump && screenshot_text(&pc->vga, o->text_dump, err, sizeof(err)) != 0)
        fprintf(stderr, "trapeze: %s\n", err);
}

/* The option ROM for direct kernel boot: next to the program in a build
 * tree (build/roms/), else where `make install` puts it. */
static const char *find_linuxboot_rom(const char *argv0, char *buf, size_t n)
{
    const char *slash = strrchr(argv0, '/');
    if (slash) {
        snprintf(buf, n, "%.*s/roms/linuxboot.bin", (int)(slash - argv0), argv0);
        FILE *f = fopen(buf, "rb");
        if (f) {
            fclose(f);
            return buf;
        }
    }
    snprintf(buf, n, "%s/share/trapeze/linuxboot.bin", TRAPEZE_PREFIX);
    return buf;
}

int main(int argc, char **argv)
{
    double process_start = wall_seconds();
    struct options o;
    memset(&o, 0, sizeof(o));
    o.cfg.cpu = X86_P6;
    o.cfg.console = stdout;
    o.cfg.boot = 'c';
    int machine_index = 0;
    int r = parse(&o, argc, argv, &machine_index);
    if (r == -2)
        return mini6502_main(argc - machine_index, argv + machine_index);
    if (r >= 0)
        return r;

    char rom_path[1024];
    if (o.cfg.kernel && !o.cfg.linuxboot_rom)
        o.cfg.linuxboot_rom = find_linuxboot_rom(argv[0], rom_path, sizeof(rom_path));

    struct serial_backend sb;
    memset(&sb, 0, sizeof(sb));
    int is_pc = strcmp(o.cfg.board, "pc") == 0;
    if (is_pc && (r = open_serial(&o, &sb)) >= 0)
        return r;

    char err[256] = "";
    struct machine *m = machine_create(&o.cfg, err, sizeof(err));
    if (!m) {
        if (is_pc)
            serial_backend_close(&sb);
        return bad("%s", err);
    }
    if (is_pc && o.serial_script) {
        if (serial_script_load(&o.script, o.serial_script, &sb, err, sizeof(err)) != 0) {
            machine_destroy(m);
            serial_backend_close(&sb);
            return bad("%s", err);
        }
        o.have_script = 1;
        o.marks.m = m;
        o.marks.start = process_start;
        o.script.on_mark = report_mark;
        o.script.mark_opaque = &o.marks;
        uart16550_set_backend(&machine_pc(m)->com[0], &o.script.uart);
    } else if (is_pc) {
        uart16550_set_backend(&machine_pc(m)->com[0], &sb.uart);
    }
    int status = run(&o, m, &sb);
    save_screens(&o, m);
    if (o.dump_devices)
        machine_dump_devices(m, stderr);
    if (o.stats)
        fprintf(stderr, "trapeze: %llu instructions, %llu cycles\n",
                (unsigned long long)machine_cpu(m)->insns_retired, (unsigned long long)machine_cycles(m));
    machine_destroy(m);
    if (is_pc)
        serial_backend_close(&sb);
    if (o.have_script)
        serial_script_free(&o.script);
    if (o.cfg.firmware_log && o.cfg.firmware_log != stderr)
        fclose(o.cfg.firmware_log);
    return status;
}
