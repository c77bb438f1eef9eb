/*
 * `trapeze --machine mini6502 [OPTIONS] PROGRAM [ARGS...]`: runs a 6502
 * program on the mini6502 teaching machine (bus/mini6502.h).
 */
#ifndef TRAPEZE_FRONTENDS_MINI6502_CLI_H
#define TRAPEZE_FRONTENDS_MINI6502_CLI_H

/* argv[0] is the command's name; the rest are the options that follow
 * `--machine mini6502` (a leading "--machine mini6502" or
 * "--machine=mini6502" is accepted and skipped).  Everything after PROGRAM
 * is handed to the program as its arguments (argv[0] = PROGRAM).
 *
 * Returns the exit status: the program's own exit status when it exits;
 * 0 for --help; 2, after a one-line message on stderr, for bad options, a
 * program that cannot be loaded, a JAM, an unknown hypercall or
 * --max-cycles running out. */
int mini6502_main(int argc, char **argv);

#endif
