/*
 * The mini6502 monitor: a line-oriented console to step a 6502 program by
 * instruction or by bus cycle, look at registers, memory and devices, and
 * set a breakpoint.  `help` lists the commands.
 */
#ifndef TRAPEZE_FRONTENDS_MONITOR6502_H
#define TRAPEZE_FRONTENDS_MONITOR6502_H

#include <stdio.h>

#include "bus/mini6502.h"

/* Reads commands from `in` until `quit`, end of input or the program
 * stopping; prints to `out`.  Returns 1 when the user quit (or input
 * ended) with the program still running, 0 when the machine stopped. */
int monitor6502_run(struct mini6502 *m, FILE *in, FILE *out);

#endif
