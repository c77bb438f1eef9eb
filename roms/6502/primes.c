/*
 * primes.c: a C program for the mini6502, built with `cl65 -t sim6502`.
 * It sieves the primes below LIMIT, REPEAT times, and prints how many
 * there are and the largest.  Everything it prints goes through the
 * write hypercall; its exit status goes through the exit hypercall.
 *
 *   trapeze --machine mini6502 primes.sim [LIMIT [REPEAT]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LIMIT 16000u

static unsigned char composite[MAX_LIMIT];

static unsigned sieve(unsigned limit, unsigned *largest)
{
    unsigned i, j, count = 0;
    memset(composite, 0, limit);
    for (i = 2; i < limit; ++i) {
        if (composite[i])
            continue;
        ++count;
        *largest = i;
        for (j = i + i; j < limit && j >= i; j += i)
            composite[j] = 1;
    }
    return count;
}

static int parse(const char *s, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || v == 0 || v > MAX_LIMIT)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int main(int argc, char **argv)
{
    unsigned limit = 1000, repeat = 1, count = 0, largest = 0, r;

    if (argc > 3 || (argc > 1 && parse(argv[1], &limit)) || (argc > 2 && parse(argv[2], &repeat))) {
        fprintf(stderr, "usage: %s [LIMIT (2-%u) [REPEAT]]\n", argv[0], MAX_LIMIT);
        return 1;
    }
    for (r = 0; r < repeat; ++r)
        count = sieve(limit, &largest);
    printf("%u primes below %u, the largest is %u\n", count, limit, largest);
    return 0;
}
