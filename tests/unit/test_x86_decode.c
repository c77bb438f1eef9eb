/* The decoder never leaves an instruction without a handler, whatever the
 * bytes and the model: guest garbage must not crash the host. */
#include <string.h>

#include "cpu/x86/internal.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

static uint32_t rng(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

int main(void)
{
    uint32_t seed = 12345;
    for (int model = X86_8086; model <= X86_P6; model++) {
        for (int code32 = 0; code32 <= (model >= X86_386 ? 1 : 0); code32++) {
            unsigned bad_len = 0, no_handler = 0, short_ok = 0;
            for (int n = 0; n < 100000; n++) {
                uint8_t buf[16];
                for (int k = 0; k < 16; k++)
                    buf[k] = (uint8_t)rng(&seed);
                struct x86_insn in;
                int len = x86_decode((enum x86_model)model, code32, buf, 16, &in);
                if (len < 1 || len > 16)
                    bad_len++;
                if (!in.exec)
                    no_handler++;
                /* With one byte fewer than it needs, the decoder asks for more. */
                if (len > 1 && x86_decode((enum x86_model)model, code32, buf, len - 1, &in) == 0)
                    short_ok++;
                else if (len > 1)
                    bad_len++;
            }
            CHECK_EQ(bad_len, 0);
            CHECK_EQ(no_handler, 0);
            CHECK(short_ok > 0);
        }
        /* Every one- and two-byte opcode with every ModR/M byte. */
        unsigned missing = 0;
        for (int op = 0; op < 0x200; op++) {
            for (int modrm = 0; modrm < 256; modrm++) {
                uint8_t buf[16] = { 0 };
                int k = 0;
                if (op >= 0x100)
                    buf[k++] = 0x0F;
                buf[k++] = (uint8_t)op;
                buf[k++] = (uint8_t)modrm;
                struct x86_insn in;
                int len = x86_decode((enum x86_model)model, 0, buf, 16, &in);
                if (len < 1 || !in.exec)
                    missing++;
            }
        }
        CHECK_EQ(missing, 0);
    }
    return test_report();
}
