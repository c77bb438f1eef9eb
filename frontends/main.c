/* trapeze: the command line. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            printf("usage: trapeze [options]\n");
            return 0;
        }
        fprintf(stderr, "trapeze: unknown option '%s' (try --help)\n", argv[i]);
        return 2;
    }
    return 0;
}
