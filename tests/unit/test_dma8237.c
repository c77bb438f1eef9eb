/* The 8237A pair: programmed as SeaBIOS programs it for the floppy. */
#include <string.h>

#include "bus/device.h"
#include "bus/portio.h"
#include "memory/physmem.h"
#include "peripherals/dma8237.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

#define RAM (2u << 20)

struct rig {
    struct physmem mem;
    struct portio io;
    struct device_registry reg;
    struct dma8237 dma;
    uint8_t last_post;
    int posts;
};

static void post(void *opaque, uint8_t code)
{
    struct rig *r = opaque;
    r->last_post = code;
    r->posts++;
}

static void rig_init(struct rig *r)
{
    memset(r, 0, sizeof(*r));
    CHECK_EQ(physmem_init(&r->mem, RAM), 0);
    portio_init(&r->io);
    device_registry_init(&r->reg);
    CHECK_EQ(dma_init(&r->dma, &r->mem, &r->io, &r->reg), 0);
    r->dma.post_hook = post;
    r->dma.post_opaque = r;
}

static void outb(struct rig *r, uint16_t port, uint8_t v) { portio_write(&r->io, port, v, 1); }
static uint8_t inb(struct rig *r, uint16_t port) { return (uint8_t)portio_read(&r->io, port, 1); }

static unsigned read16(struct rig *r, uint16_t port)
{
    unsigned lo = inb(r, port);
    return lo | (unsigned)inb(r, port) << 8;
}

/* SeaBIOS dma_setup(). */
static void bios_setup(struct rig *r)
{
    outb(r, 0x0D, 0);
    outb(r, 0xDA, 0);
    outb(r, 0xD6, 0xC0);
    outb(r, 0xD4, 0x00);
}

/* SeaBIOS dma_floppy(addr, count, isWrite). */
static void dma_floppy(struct rig *r, uint32_t addr, unsigned count, int is_write)
{
    uint16_t end = (uint16_t)(count - 1);
    outb(r, 0x0A, 0x06);
    outb(r, 0x0C, 0x00);
    outb(r, 0x04, (uint8_t)addr);
    outb(r, 0x04, (uint8_t)(addr >> 8));
    outb(r, 0x0C, 0x00);
    outb(r, 0x05, (uint8_t)end);
    outb(r, 0x05, (uint8_t)(end >> 8));
    outb(r, 0x0B, is_write ? 0x4A : 0x46);
    outb(r, 0x81, (uint8_t)(addr >> 16));
    outb(r, 0x0A, 0x02);
}

static void fill(uint8_t *b, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(seed + i * 13);
}

static void test_floppy_read_and_write(void)
{
    struct rig r;
    rig_init(&r);
    uint8_t sector[512], back[512];
    fill(sector, sizeof(sector), 1);

    /* Before DMA2's channel 4 is in cascade mode DMA1 never gets the bus. */
    dma_floppy(&r, 0x7C00, 512, 0);
    CHECK_EQ(dma_transfer(&r.dma, 2, sector, 512, 1), 0);
    CHECK(!dma_channel_ready(&r.dma, 2));

    bios_setup(&r);
    CHECK_EQ(inb(&r, 0x0F), 0xFF);          /* master clear masked DMA1 */
    dma_floppy(&r, 0x7C00, 512, 0);
    CHECK(dma_channel_ready(&r.dma, 2));
    CHECK_EQ(inb(&r, 0x0F), 0xFB);
    /* The controller reports the programmed address and count back. */
    outb(&r, 0x0C, 0);
    CHECK_EQ(read16(&r, 0x04), 0x7C00);
    CHECK_EQ(read16(&r, 0x05), 0x01FF);

    /* The floppy controller delivers the sector in pieces. */
    CHECK_EQ(dma_transfer(&r.dma, 2, sector, 200, 1), 200);
    CHECK(!dma_terminal_count(&r.dma, 2));
    CHECK_EQ(read16(&r, 0x04), 0x7C00 + 200);
    CHECK_EQ(read16(&r, 0x05), 0x01FF - 200);
    CHECK_EQ(inb(&r, 0x08) & 0x0F, 0);
    CHECK_EQ(dma_transfer(&r.dma, 2, sector + 200, 400, 1), 312);   /* stops at TC */
    CHECK(dma_terminal_count(&r.dma, 2));
    CHECK_EQ(physmem_copy_from(&r.mem, 0x7C00, back, 512), 0);
    CHECK(memcmp(back, sector, 512) == 0);
    CHECK_EQ(read16(&r, 0x05), 0xFFFF);     /* the count ran through zero */
    CHECK_EQ(read16(&r, 0x04), 0x7E00);
    CHECK_EQ(inb(&r, 0x08), 0x04);          /* TC on channel 2... */
    CHECK_EQ(inb(&r, 0x08), 0x00);          /* ...cleared by the read */
    CHECK_EQ(inb(&r, 0x0F) & 0x04, 0x04);   /* masked at TC: no auto-init */
    CHECK_EQ(dma_transfer(&r.dma, 2, sector, 512, 1), 0);

    /* A floppy write: memory to the device. */
    uint8_t out[512];
    fill(back, sizeof(back), 77);
    physmem_copy_to(&r.mem, 0x12345, back, 512);
    dma_floppy(&r, 0x12345, 512, 1);
    CHECK_EQ(inb(&r, 0x81), 0x01);
    CHECK_EQ(dma_transfer(&r.dma, 2, out, 512, 0), 512);
    CHECK(memcmp(out, back, 512) == 0);
    CHECK(dma_terminal_count(&r.dma, 2));

    /* The device's direction disagrees with the channel: nothing reaches
     * memory, the device reads a floating bus. */
    dma_floppy(&r, 0x20000, 16, 0);         /* programmed as a read (to memory) */
    memset(out, 0, 16);
    CHECK_EQ(dma_transfer(&r.dma, 2, out, 16, 0), 16);
    CHECK_EQ(out[0], 0xFF);
    CHECK_EQ(out[15], 0xFF);
    uint8_t zero[16] = { 0 };
    CHECK_EQ(physmem_copy_from(&r.mem, 0x20000, back, 16), 0);
    CHECK(memcmp(back, zero, 16) == 0);

    /* Verify: addresses and count run, memory is not touched. */
    dma_floppy(&r, 0x30000, 32, 0);
    outb(&r, 0x0B, 0x42);
    CHECK_EQ(dma_transfer(&r.dma, 2, sector, 32, 1), 32);
    CHECK_EQ(physmem_copy_from(&r.mem, 0x30000, back, 16), 0);
    CHECK(memcmp(back, zero, 16) == 0);
    CHECK_EQ(inb(&r, 0x08), 0x04);
    physmem_destroy(&r.mem);
}

static void test_wrap_autoinit_and_16bit(void)
{
    struct rig r;
    rig_init(&r);
    bios_setup(&r);
    uint8_t data[64], back[64];
    fill(data, sizeof(data), 5);

    /* An 8-bit channel wraps within its 64 KiB page: the page register
     * does not count. */
    dma_floppy(&r, 0x1FFF0, 32, 0);
    CHECK_EQ(dma_transfer(&r.dma, 2, data, 32, 1), 32);
    physmem_copy_from(&r.mem, 0x1FFF0, back, 16);
    CHECK(memcmp(back, data, 16) == 0);
    physmem_copy_from(&r.mem, 0x10000, back, 16);
    CHECK(memcmp(back, data + 16, 16) == 0);
    physmem_copy_from(&r.mem, 0x20000, back, 16);
    CHECK_EQ(back[0], 0x00);
    CHECK_EQ(read16(&r, 0x04), 0x0010);

    /* Auto-initialisation (sound cards' ring buffers on channel 1). */
    outb(&r, 0x0A, 0x05);
    outb(&r, 0x0C, 0);
    outb(&r, 0x02, 0x00);
    outb(&r, 0x02, 0x40);
    outb(&r, 0x03, 0x07);
    outb(&r, 0x03, 0x00);                   /* 8 bytes */
    outb(&r, 0x83, 0x05);
    outb(&r, 0x0B, 0x59);                   /* single, auto-init, read (from memory), ch1 */
    outb(&r, 0x0A, 0x01);
    physmem_copy_to(&r.mem, 0x54000, data, 8);
    uint8_t ring[12];
    CHECK_EQ(dma_transfer(&r.dma, 1, ring, 12, 0), 8);
    CHECK(dma_terminal_count(&r.dma, 1));
    CHECK(memcmp(ring, data, 8) == 0);
    CHECK(dma_channel_ready(&r.dma, 1));    /* still unmasked */
    CHECK_EQ(read16(&r, 0x02), 0x4000);     /* reloaded */
    CHECK_EQ(read16(&r, 0x03), 0x0007);
    CHECK_EQ(dma_transfer(&r.dma, 1, ring, 3, 0), 3);
    CHECK(memcmp(ring, data, 3) == 0);
    CHECK_EQ(inb(&r, 0x08) & 0x02, 0x02);

    /* Address decrement. */
    outb(&r, 0x0A, 0x04);
    outb(&r, 0x00, 0x0F);
    outb(&r, 0x00, 0x60);
    outb(&r, 0x01, 0x03);
    outb(&r, 0x01, 0x00);
    outb(&r, 0x87, 0x00);
    outb(&r, 0x0B, 0x64);                   /* single, decrement, write, ch0 */
    outb(&r, 0x0A, 0x00);
    CHECK_EQ(dma_transfer(&r.dma, 0, data, 4, 1), 4);
    physmem_copy_from(&r.mem, 0x600C, back, 4);
    CHECK(back[0] == data[3] && back[1] == data[2] && back[2] == data[1] && back[3] == data[0]);
    CHECK_EQ(read16(&r, 0x00), 0x600B);

    /* 16-bit channel 5: word address and count, 128 KiB blocks. */
    outb(&r, 0xD4, 0x05);
    outb(&r, 0xD8, 0);
    outb(&r, 0xC4, 0xF8);
    outb(&r, 0xC4, 0xFF);                   /* word 0xFFF8: byte 0x1FFF0 of the block */
    outb(&r, 0xC6, 0x0F);
    outb(&r, 0xC6, 0x00);                   /* 16 words */
    outb(&r, 0x8B, 0x03);                   /* bit 0 is not used: block 0x20000 */
    outb(&r, 0xD6, 0x45);                   /* single, write, ch5 */
    outb(&r, 0xD4, 0x01);
    CHECK_EQ(dma_transfer(&r.dma, 5, data, 33, 1), 32);   /* whole words only */
    physmem_copy_from(&r.mem, 0x3FFF0, back, 16);
    CHECK(memcmp(back, data, 16) == 0);
    physmem_copy_from(&r.mem, 0x20000, back, 16);
    CHECK(memcmp(back, data + 16, 16) == 0);
    CHECK(dma_terminal_count(&r.dma, 5));
    CHECK_EQ(inb(&r, 0xD0), 0x02);
    CHECK_EQ(inb(&r, 0xDE), 0xFE);          /* ch4 stays unmasked, ch5 masked at TC */

    /* Cascade mode channels and the controller disable bit stop transfers. */
    CHECK_EQ(dma_transfer(&r.dma, 4, data, 2, 1), 0);
    outb(&r, 0xD0, 0x04);                   /* DMA2 disabled: DMA1 loses the bus too */
    CHECK(!dma_channel_ready(&r.dma, 1));
    outb(&r, 0xD0, 0x00);
    CHECK(dma_channel_ready(&r.dma, 1));

    /* Beyond RAM the bus floats: no host memory is touched. */
    outb(&r, 0x0A, 0x06);
    outb(&r, 0x0C, 0);
    outb(&r, 0x04, 0);
    outb(&r, 0x04, 0);
    outb(&r, 0x05, 0xFF);
    outb(&r, 0x05, 0xFF);
    outb(&r, 0x81, 0xFE);                   /* 0xFE0000, far above 2 MiB */
    outb(&r, 0x0B, 0x4A);
    outb(&r, 0x0A, 0x02);
    uint8_t big[4096];
    CHECK_EQ(dma_transfer(&r.dma, 2, big, sizeof(big), 0), (int)sizeof(big));
    CHECK_EQ(big[0], 0xFF);
    CHECK_EQ(big[4095], 0xFF);
    outb(&r, 0x0B, 0x46);
    CHECK_EQ(dma_transfer(&r.dma, 2, big, sizeof(big), 1), (int)sizeof(big));
    physmem_destroy(&r.mem);
}

static void test_registers(void)
{
    struct rig r;
    rig_init(&r);
    bios_setup(&r);
    /* Mask register forms. */
    outb(&r, 0x0F, 0x05);
    CHECK_EQ(inb(&r, 0x0F), 0xF5);
    outb(&r, 0x0A, 0x05);
    CHECK_EQ(inb(&r, 0x0F), 0xF7);
    outb(&r, 0x0A, 0x00);
    CHECK_EQ(inb(&r, 0x0F), 0xF6);
    outb(&r, 0x0E, 0);
    CHECK_EQ(inb(&r, 0x0F), 0xF0);
    /* Requests show in the status register's upper half. */
    outb(&r, 0x09, 0x06);
    dma_request(&r.dma, 3, 1);
    CHECK_EQ(inb(&r, 0x08), 0xC0);
    outb(&r, 0x09, 0x02);
    dma_request(&r.dma, 3, 0);
    CHECK_EQ(inb(&r, 0x08), 0x00);
    /* The flip-flop is shared by address and count registers. */
    outb(&r, 0x0C, 0);
    outb(&r, 0x06, 0x34);
    outb(&r, 0x07, 0x12);                   /* high byte of the count, not the address */
    outb(&r, 0x0C, 0);
    CHECK_EQ(read16(&r, 0x06), 0x0034);
    CHECK_EQ(inb(&r, 0x07), 0x00);
    CHECK_EQ(inb(&r, 0x07), 0x12);
    /* Master clear: command, status, request and flip-flop cleared, all
     * masked; modes are kept. */
    outb(&r, 0x08, 0x10);
    outb(&r, 0x09, 0x05);
    outb(&r, 0x0C, 0);
    inb(&r, 0x06);
    outb(&r, 0x0D, 0);
    CHECK_EQ(inb(&r, 0x08), 0x00);
    CHECK_EQ(inb(&r, 0x0F), 0xFF);
    CHECK_EQ(inb(&r, 0x06), 0x34);          /* flip-flop back on the low byte */
    CHECK_EQ(inb(&r, 0x0D), 0x00);          /* temporary register */
    /* Write-only registers and undecoded odd DMA2 ports float. */
    CHECK_EQ(inb(&r, 0x0B), 0xFF);
    CHECK_EQ(inb(&r, 0xC1), 0xFF);
    outb(&r, 0xC1, 0x12);
    /* Page registers, and the POST code at port 0x80. */
    for (uint16_t p = 0x80; p <= 0x8F; p++)
        outb(&r, p, (uint8_t)(p * 3));
    int ok = 1;
    for (uint16_t p = 0x80; p <= 0x8F; p++)
        ok &= inb(&r, p) == (uint8_t)(p * 3);
    CHECK(ok);
    outb(&r, 0x80, 0x55);
    CHECK_EQ(dma_post_code(&r.dma), 0x55);
    CHECK_EQ(inb(&r, 0x80), 0x55);
    CHECK_EQ(r.last_post, 0x55);
    CHECK_EQ(r.posts, 2);
    physmem_destroy(&r.mem);
}

static void test_state_and_two_instances(void)
{
    struct rig a, b;
    rig_init(&a);
    rig_init(&b);
    bios_setup(&a);
    dma_floppy(&a, 0x9000, 1024, 0);
    outb(&a, 0x80, 0x2B);
    uint8_t data[1024], back[1024];
    fill(data, sizeof(data), 9);
    CHECK_EQ(dma_transfer(&a.dma, 2, data, 300, 1), 300);
    outb(&a, 0x0C, 0);
    inb(&a, 0x04);                          /* leave the flip-flop on the high byte */
    /* b saw nothing. */
    CHECK_EQ(dma_post_code(&b.dma), 0);
    CHECK_EQ(dma_transfer(&b.dma, 2, data, 300, 1), 0);

    struct state_writer w;
    state_writer_init(&w);
    dma_ops.save(&a.dma, &w);
    CHECK(!w.error);
    struct state_reader rd;
    state_reader_init(&rd, w.buf, w.len);
    CHECK_EQ(dma_ops.load(&b.dma, &rd, DMA_STATE_VERSION), 0);
    CHECK_EQ(dma_post_code(&b.dma), 0x2B);
    CHECK_EQ(inb(&b, 0x04), 0x91);          /* high byte of 0x912C */
    CHECK_EQ(dma_transfer(&b.dma, 2, data + 300, 1024, 1), 724);
    CHECK_EQ(dma_transfer(&a.dma, 2, data + 300, 1024, 1), 724);
    physmem_copy_from(&b.mem, 0x9000 + 300, back, 724);
    CHECK(memcmp(back, data + 300, 724) == 0);
    CHECK_EQ(inb(&a, 0x08), inb(&b, 0x08));

    /* Corrupt and truncated blobs are refused and change nothing. */
    uint8_t bad[256];
    CHECK(w.len <= sizeof(bad));
    memcpy(bad, w.buf, w.len);
    bad[8] ^= 0x01;                         /* channel 0's mode names channel 1 */
    state_reader_init(&rd, bad, w.len);
    CHECK_EQ(dma_ops.load(&b.dma, &rd, DMA_STATE_VERSION), -1);
    memcpy(bad, w.buf, w.len);
    bad[4 * 9 + 6] = 2;                     /* DMA1 flip-flop */
    state_reader_init(&rd, bad, w.len);
    CHECK_EQ(dma_ops.load(&b.dma, &rd, DMA_STATE_VERSION), -1);
    state_reader_init(&rd, w.buf, w.len - 1);
    CHECK_EQ(dma_ops.load(&b.dma, &rd, DMA_STATE_VERSION), -1);
    state_reader_init(&rd, w.buf, w.len);
    CHECK_EQ(dma_ops.load(&b.dma, &rd, 0), -1);
    CHECK_EQ(dma_post_code(&b.dma), 0x2B);
    state_writer_free(&w);

    device_reset_all(&b.reg);
    CHECK_EQ(dma_post_code(&b.dma), 0);
    CHECK_EQ(inb(&b, 0x0F), 0xFF);
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        dma_ops.dump(&a.dma, null);
        fclose(null);
    }
    physmem_destroy(&a.mem);
    physmem_destroy(&b.mem);
}

int main(void)
{
    test_floppy_read_and_write();
    test_wrap_autoinit_and_16bit();
    test_registers();
    test_state_and_two_instances();
    return test_report();
}
