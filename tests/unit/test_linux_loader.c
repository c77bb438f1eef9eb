/*
 * Direct kernel boot preparation: header checks on synthesized bzImage
 * headers (good, not a bzImage, truncated, old protocol, zImage), command
 * line limits, initrd placement (RAM, initrd_addr_max, the kernel's own
 * memory), the fields a loader writes, reading files, the fw_cfg items the
 * option ROM reads, and a real Debian kernel from build/guest when present
 * (counted as skipped when absent).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus/device.h"
#include "bus/linux_loader.h"
#include "bus/portio.h"
#include "memory/physmem.h"
#include "peripherals/fw_cfg.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

#define MB (1024u * 1024u)

struct fake {
    uint16_t protocol;
    unsigned setup_sects;
    uint8_t loadflags;
    uint32_t kernel_len;
    uint32_t syssize_len;       /* what the header claims */
    uint32_t cmdline_size;
    uint32_t initrd_addr_max;
    uint32_t init_size;
};

static struct fake modern(void)
{
    struct fake f = { 0x020F, 27, 0x01, 64 * 1024, 64 * 1024, 2047, 0x7FFFFFFF, 4 * MB };
    return f;
}

/* A bzImage-shaped buffer: boot sector + setup sectors + protected-mode part. */
static uint8_t *make_image(const struct fake *f, size_t *len)
{
    unsigned sects = f->setup_sects ? f->setup_sects : 4;
    size_t setup = (sects + 1) * 512u;
    *len = setup + f->kernel_len;
    uint8_t *b = calloc(1, *len);
    if (!b)
        return NULL;
    b[0x1F1] = (uint8_t)f->setup_sects;
    le32_store(b + 0x1F4, (f->syssize_len + 15) / 16);
    le16_store(b + 0x1FA, 0xFFFF);
    le16_store(b + 0x1FE, 0xAA55);
    b[0x200] = 0xEB;
    memcpy(b + 0x202, "HdrS", 4);
    le16_store(b + 0x206, f->protocol);
    b[0x211] = f->loadflags;
    le32_store(b + 0x214, 0x100000);
    le32_store(b + 0x22C, f->initrd_addr_max);
    le32_store(b + 0x230, 0x1000000);           /* kernel_alignment 16 MiB */
    b[0x234] = 1;                               /* relocatable */
    le32_store(b + 0x238, f->cmdline_size);
    le32_store(b + 0x258, 0x1000000);           /* pref_address */
    le32_store(b + 0x260, f->init_size);
    for (size_t i = setup; i < *len; i++)
        b[i] = (uint8_t)(i * 13);
    return b;
}

static int prepare(struct linux_boot *lb, const uint8_t *img, size_t len, const uint8_t *initrd, size_t ilen,
                   const char *cmdline, uint64_t ram, char *err)
{
    struct linux_boot_input in = { img, len, "bzImage", initrd, ilen, "initrd", cmdline, ram };
    err[0] = 0;
    return linux_boot_prepare(lb, &in, err, 256);
}

static int contains(const char *s, const char *sub) { return strstr(s, sub) != NULL; }

static void test_good_kernel(void)
{
    struct fake f = modern();
    size_t len;
    uint8_t *img = make_image(&f, &len);
    uint8_t initrd[10000];
    memset(initrd, 0x77, sizeof(initrd));
    struct linux_boot lb;
    char err[256];
    uint64_t ram = 128 * MB;
    CHECK_EQ(prepare(&lb, img, len, initrd, sizeof(initrd), "console=ttyS0 vga=ext", ram, err), 0);
    CHECK_EQ(lb.protocol, 0x020F);
    CHECK_EQ(lb.setup_size, 28 * 512);
    CHECK_EQ(lb.kernel_size, 64 * 1024);
    CHECK(memcmp(lb.kernel, img + 28 * 512, lb.kernel_size) == 0);
    CHECK_EQ(lb.setup_addr, 0x10000);
    CHECK_EQ(lb.kernel_addr, 0x100000);
    CHECK_EQ(lb.cmdline_addr, 0x1E000);
    CHECK_EQ(lb.cmdline_size, strlen("console=ttyS0 vga=ext") + 1);
    CHECK(strcmp(lb.cmdline, "console=ttyS0 vga=ext") == 0);
    CHECK_EQ(lb.kernel_end, 0x1000000 + 4 * MB);
    /* The initrd sits page aligned just under the firmware's reserve. */
    CHECK_EQ(lb.initrd_addr & 0xFFF, 0);
    CHECK(lb.initrd_addr + lb.initrd_size <= ram - LINUX_HIGH_RESERVE);
    CHECK(lb.initrd_addr + lb.initrd_size + 4096 > ram - LINUX_HIGH_RESERVE);
    CHECK(lb.initrd_addr >= lb.kernel_end);
    CHECK_EQ(lb.initrd_size, sizeof(initrd));
    /* Fields a loader writes. */
    const uint8_t *h = lb.setup;
    CHECK_EQ(h[0x210], 0xFF);
    CHECK_EQ(h[0x211], 0x81);
    CHECK_EQ(le16_load(h + 0x224), 0xDE00);
    CHECK_EQ(le32_load(h + 0x228), 0x1E000);
    CHECK_EQ(le32_load(h + 0x218), lb.initrd_addr);
    CHECK_EQ(le32_load(h + 0x21C), sizeof(initrd));
    CHECK_EQ(le16_load(h + 0x1FA), 0xFFFE);
    CHECK_EQ(img[0x210], 0);                       /* the input is not touched */
    linux_boot_free(&lb);

    /* A lower initrd_addr_max wins over RAM; vga= as a number; no initrd. */
    free(img);
    f.initrd_addr_max = 0x02FFFFFF;
    f.setup_sects = 0;                             /* means 4 */
    img = make_image(&f, &len);
    CHECK_EQ(prepare(&lb, img, len, initrd, sizeof(initrd), "vga=0x317 quiet", ram, err), 0);
    CHECK_EQ(lb.setup_size, 5 * 512);
    CHECK(lb.initrd_addr + lb.initrd_size <= 0x03000000);
    CHECK(lb.initrd_addr + lb.initrd_size + 4096 > 0x03000000);
    CHECK_EQ(le16_load(lb.setup + 0x1FA), 0x317);
    linux_boot_free(&lb);
    CHECK_EQ(prepare(&lb, img, len, NULL, 0, NULL, ram, err), 0);
    CHECK(lb.initrd == NULL);
    CHECK_EQ(le32_load(lb.setup + 0x218), 0);
    CHECK_EQ(le32_load(lb.setup + 0x21C), 0);
    CHECK_EQ(lb.cmdline_size, 1);
    CHECK_EQ(le16_load(lb.setup + 0x1FA), 0xFFFF);      /* untouched without vga= */
    linux_boot_free(&lb);
    free(img);
}

static void test_bad_kernels(void)
{
    struct linux_boot lb;
    char err[256];
    uint64_t ram = 128 * MB;
    size_t len;

    uint8_t junk[4096];
    for (unsigned i = 0; i < sizeof(junk); i++)
        junk[i] = (uint8_t)(i * 31 + 7);
    CHECK_EQ(prepare(&lb, junk, sizeof(junk), NULL, 0, "", ram, err), -1);
    CHECK(contains(err, "not a Linux bzImage"));
    CHECK_EQ(prepare(&lb, junk, 100, NULL, 0, "", ram, err), -1);
    CHECK(contains(err, "not a bzImage"));
    CHECK(strchr(err, '\n') == NULL);

    struct fake f = modern();
    f.protocol = 0x0201;
    uint8_t *img = make_image(&f, &len);
    CHECK_EQ(prepare(&lb, img, len, NULL, 0, "", ram, err), -1);
    CHECK(contains(err, "too old"));
    free(img);

    f = modern();
    f.loadflags = 0;
    img = make_image(&f, &len);
    CHECK_EQ(prepare(&lb, img, len, NULL, 0, "", ram, err), -1);
    CHECK(contains(err, "zImage"));
    free(img);

    f = modern();
    f.setup_sects = 100;
    img = make_image(&f, &len);
    CHECK_EQ(prepare(&lb, img, len, NULL, 0, "", ram, err), -1);
    CHECK(contains(err, "32 KiB"));
    free(img);

    /* Truncated: the file ends inside the setup, or before syssize says. */
    f = modern();
    img = make_image(&f, &len);
    CHECK_EQ(prepare(&lb, img, 28 * 512, NULL, 0, "", ram, err), -1);
    CHECK(contains(err, "truncated"));
    CHECK_EQ(prepare(&lb, img, len - 100, NULL, 0, "", ram, err), -1);
    CHECK(contains(err, "truncated"));
    free(img);

    /* The kernel itself needs more RAM than there is. */
    f = modern();
    f.init_size = 64 * MB;
    img = make_image(&f, &len);
    CHECK_EQ(prepare(&lb, img, len, NULL, 0, "", 32 * MB, err), -1);
    CHECK(contains(err, "needs"));
    CHECK_EQ(prepare(&lb, img, len, NULL, 0, "", 0, err), -1);
    free(img);
}

static void test_cmdline_limits(void)
{
    struct linux_boot lb;
    char err[256];
    size_t len;
    struct fake f = modern();
    f.cmdline_size = 16;
    uint8_t *img = make_image(&f, &len);
    CHECK_EQ(prepare(&lb, img, len, NULL, 0, "0123456789abcdef", 128 * MB, err), 0);
    linux_boot_free(&lb);
    CHECK_EQ(prepare(&lb, img, len, NULL, 0, "0123456789abcdefg", 128 * MB, err), -1);
    CHECK(contains(err, "command line too long"));
    free(img);

    /* Before 2.06: 255 characters. */
    f = modern();
    f.protocol = 0x0205;
    img = make_image(&f, &len);
    char line[300];
    memset(line, 'x', sizeof(line));
    line[255] = 0;
    CHECK_EQ(prepare(&lb, img, len, NULL, 0, line, 128 * MB, err), 0);
    linux_boot_free(&lb);
    line[255] = 'x';
    line[256] = 0;
    CHECK_EQ(prepare(&lb, img, len, NULL, 0, line, 128 * MB, err), -1);
    free(img);

    /* A huge cmdline_size is capped by our 8 KiB command line area. */
    f = modern();
    f.cmdline_size = 0x7FFFFFFF;
    img = make_image(&f, &len);
    char *big = malloc(LINUX_CMDLINE_MAX + 1);
    if (big) {
        memset(big, 'y', LINUX_CMDLINE_MAX);
        big[LINUX_CMDLINE_MAX] = 0;
        CHECK_EQ(prepare(&lb, img, len, NULL, 0, big, 128 * MB, err), -1);
        big[LINUX_CMDLINE_MAX - 1] = 0;
        CHECK_EQ(prepare(&lb, img, len, NULL, 0, big, 128 * MB, err), 0);
        linux_boot_free(&lb);
        free(big);
    }
    free(img);
}

static void test_initrd_placement(void)
{
    struct linux_boot lb;
    char err[256];
    size_t len;
    struct fake f = modern();
    uint8_t *img = make_image(&f, &len);
    size_t big_len = 40 * MB;
    uint8_t *big = calloc(1, big_len);
    if (!big || !img) {
        CHECK(0);
        free(big);
        free(img);
        return;
    }
    /* Larger than RAM above the kernel (32 MiB machine, kernel to 20 MiB). */
    CHECK_EQ(prepare(&lb, img, len, big, big_len, "", 32 * MB, err), -1);
    CHECK(contains(err, "does not fit in RAM"));
    CHECK_EQ(prepare(&lb, img, len, big, 12 * MB, "", 32 * MB, err), -1);
    CHECK_EQ(prepare(&lb, img, len, big, 10 * MB, "", 32 * MB, err), 0);
    CHECK(lb.initrd_addr >= lb.kernel_end);
    linux_boot_free(&lb);
    /* Fits in RAM but not under the kernel's initrd_addr_max. */
    free(img);
    f.initrd_addr_max = 0x01FFFFFF;
    img = make_image(&f, &len);
    CHECK_EQ(prepare(&lb, img, len, big, 20 * MB, "", 256 * MB, err), -1);
    CHECK(contains(err, "initrd_addr_max"));
    /* Empty initrd. */
    CHECK_EQ(prepare(&lb, img, len, big, 0, "", 256 * MB, err), -1);
    CHECK(contains(err, "empty"));
    free(img);
    free(big);
}

static int write_temp(char *path, const void *data, size_t len)
{
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    int ok = write(fd, data, len) == (ssize_t)len;
    close(fd);
    return ok ? 0 : -1;
}

static void test_files_and_fw_cfg(void)
{
    struct fake f = modern();
    size_t len;
    uint8_t *img = make_image(&f, &len);
    char kpath[] = "/tmp/trapeze-kernel-XXXXXX";
    char ipath[] = "/tmp/trapeze-initrd-XXXXXX";
    char rpath[] = "/tmp/trapeze-rom-XXXXXX";
    uint8_t initrd[5000];
    memset(initrd, 0x42, sizeof(initrd));
    uint8_t rom[1024];
    memset(rom, 0, sizeof(rom));
    rom[0] = 0x55; rom[1] = 0xAA; rom[2] = 1; rom[3] = 0xCB;
    CHECK_EQ(write_temp(kpath, img, len), 0);
    CHECK_EQ(write_temp(ipath, initrd, sizeof(initrd)), 0);
    CHECK_EQ(write_temp(rpath, rom, sizeof(rom)), 0);

    struct linux_boot lb;
    char err[256];
    CHECK_EQ(linux_boot_load_files(&lb, "/nonexistent/bzImage", NULL, "", 64 * MB, err, sizeof(err)), -1);
    CHECK(contains(err, "kernel '/nonexistent/bzImage'"));
    CHECK_EQ(linux_boot_load_files(&lb, kpath, "/nonexistent/initrd", "", 64 * MB, err, sizeof(err)), -1);
    CHECK(contains(err, "initrd '/nonexistent/initrd'"));
    CHECK_EQ(linux_boot_load_files(&lb, kpath, ipath, "", 4096, err, sizeof(err)), -1);
    CHECK(contains(err, "too large"));
    CHECK_EQ(linux_boot_load_files(&lb, "/tmp", NULL, "", 64 * MB, err, sizeof(err)), -1);
    CHECK_EQ(linux_boot_load_files(&lb, kpath, ipath, "root=/dev/ram0", 64 * MB, err, sizeof(err)), 0);
    CHECK_EQ(lb.initrd_size, sizeof(initrd));

    uint8_t *romimg = NULL;
    size_t romlen = 0;
    CHECK_EQ(linux_boot_read_rom(rpath, &romimg, &romlen, err, sizeof(err)), 0);
    CHECK_EQ(romlen, sizeof(rom));
    uint8_t *notrom = NULL;
    size_t notlen = 0;
    CHECK_EQ(linux_boot_read_rom(kpath, &notrom, &notlen, err, sizeof(err)), -1);
    CHECK(notrom == NULL);
    CHECK(contains(err, "0x55AA"));

    /* The items the ROM reads, and a check that DMA puts them in place. */
    struct portio io;
    struct device_registry reg;
    struct physmem pm;
    struct fw_cfg cfg;
    portio_init(&io);
    device_registry_init(&reg);
    CHECK_EQ(physmem_init(&pm, 64 * MB), 0);
    CHECK_EQ(fw_cfg_init(&cfg, &io, &reg, &pm), 0);
    CHECK_EQ(linux_boot_to_fw_cfg(&lb, &cfg, rom, 100), -1);          /* shorter than its length byte */
    CHECK_EQ(linux_boot_to_fw_cfg(&lb, &cfg, rom, sizeof(rom)), 0);
    const struct fw_cfg_item *it = fw_cfg_find(&cfg, (uint16_t)fw_cfg_find_file(&cfg, LINUX_ROM_FILE));
    CHECK(it != NULL);
    if (it) {
        CHECK_EQ(it->len, 512);
        uint8_t sum = 0;
        for (uint32_t i = 0; i < it->len; i++)
            sum = (uint8_t)(sum + it->data[i]);
        CHECK_EQ(sum, 0);
    }
    it = fw_cfg_find(&cfg, (uint16_t)fw_cfg_find_file(&cfg, "bootorder"));
    CHECK(it != NULL && it->len == strlen(LINUX_ROM_BOOTORDER) + 1 && memcmp(it->data, LINUX_ROM_BOOTORDER, it->len - 1) == 0);

    static const uint16_t triples[4][3] = {
        { FW_CFG_SETUP_ADDR, FW_CFG_SETUP_SIZE, FW_CFG_SETUP_DATA },
        { FW_CFG_KERNEL_ADDR, FW_CFG_KERNEL_SIZE, FW_CFG_KERNEL_DATA },
        { FW_CFG_INITRD_ADDR, FW_CFG_INITRD_SIZE, FW_CFG_INITRD_DATA },
        { FW_CFG_CMDLINE_ADDR, FW_CFG_CMDLINE_SIZE, FW_CFG_CMDLINE_DATA },
    };
    for (int i = 0; i < 4; i++) {
        uint32_t v[2];
        for (int k = 0; k < 2; k++) {
            portio_write(&io, FW_CFG_PORT_SEL, triples[i][k], 2);
            v[k] = 0;
            for (int b = 0; b < 4; b++)
                v[k] |= portio_read(&io, FW_CFG_PORT_DATA, 1) << (8 * b);
        }
        uint8_t d[16] = { (uint8_t)(triples[i][2] >> 8), (uint8_t)triples[i][2], 0, FW_CFG_DMA_SELECT | FW_CFG_DMA_READ,
                          (uint8_t)(v[1] >> 24), (uint8_t)(v[1] >> 16), (uint8_t)(v[1] >> 8), (uint8_t)v[1],
                          0, 0, 0, 0, (uint8_t)(v[0] >> 24), (uint8_t)(v[0] >> 16), (uint8_t)(v[0] >> 8), (uint8_t)v[0] };
        physmem_copy_to(&pm, 0x7000, d, sizeof(d));
        portio_write(&io, FW_CFG_PORT_DMA + 4, 0x00700000u, 4);      /* 0x7000, byte-swapped */
        physmem_copy_from(&pm, 0x7000, d, 4);
        CHECK_EQ(d[0] | d[1] | d[2] | d[3], 0);
    }
    CHECK_EQ(physmem_read(&pm, 0x10000 + 0x202, 4), 0x53726448u);         /* "HdrS" at 0x10202 */
    CHECK_EQ(physmem_read(&pm, 0x10000 + 0x228, 4), 0x1E000);
    CHECK_EQ(physmem_read(&pm, 0x1E000, 4), 0x746F6F72u);                 /* "root" */
    CHECK_EQ(physmem_read(&pm, 0x100000, 1), lb.kernel[0]);
    CHECK_EQ(physmem_read(&pm, lb.initrd_addr + sizeof(initrd) - 1, 1), 0x42);

    /* A board-made bootorder stays. */
    struct fw_cfg cfg2;
    struct portio io2;
    struct device_registry reg2;
    portio_init(&io2);
    device_registry_init(&reg2);
    CHECK_EQ(fw_cfg_init(&cfg2, &io2, &reg2, &pm), 0);
    CHECK(fw_cfg_add_file(&cfg2, "bootorder", "/x\n", 3) >= 0);
    CHECK_EQ(linux_boot_to_fw_cfg(&lb, &cfg2, rom, sizeof(rom)), 0);
    it = fw_cfg_find(&cfg2, (uint16_t)fw_cfg_find_file(&cfg2, "bootorder"));
    CHECK(it != NULL && it->len == 3);
    fw_cfg_destroy(&cfg2);

    fw_cfg_destroy(&cfg);
    physmem_destroy(&pm);
    free(romimg);
    linux_boot_free(&lb);
    unlink(kpath);
    unlink(ipath);
    unlink(rpath);
    free(img);
}

/* Debian's kernel from the default guest, when roms/make-guest.sh built it. */
static unsigned test_real_kernel(void)
{
    const char *dir = getenv("TRAPEZE_GUEST_DIR") ? getenv("TRAPEZE_GUEST_DIR") : "build/guest";
    char kpath[512], ipath[512];
    snprintf(kpath, sizeof(kpath), "%s/vmlinuz", dir);
    snprintf(ipath, sizeof(ipath), "%s/initrd.gz", dir);
    if (access(kpath, R_OK) != 0) {
        printf("skipped: no %s (roms/make-guest.sh builds it)\n", kpath);
        return 1;
    }
    struct linux_boot lb;
    char err[256] = "";
    int r = linux_boot_load_files(&lb, kpath, access(ipath, R_OK) == 0 ? ipath : NULL,
                                  "console=ttyS0,115200 panic=-1", 256 * MB, err, sizeof(err));
    if (r != 0)
        fprintf(stderr, "real kernel: %s\n", err);
    CHECK_EQ(r, 0);
    if (r == 0) {
        CHECK(lb.protocol >= 0x020A);
        CHECK(lb.setup_size <= LINUX_SETUP_MAX);
        CHECK(lb.kernel_size > 1 * MB);
        CHECK(lb.initrd == NULL || lb.initrd_addr >= lb.kernel_end);
        printf("real kernel: protocol %u.%02u, setup %u bytes, kernel %u bytes, needs RAM to %#x, initrd at %#x\n",
               lb.protocol >> 8, lb.protocol & 0xFF, lb.setup_size, lb.kernel_size, lb.kernel_end, lb.initrd_addr);
        linux_boot_free(&lb);
    }
    /* The same kernel in too little RAM is refused before the guest starts. */
    CHECK_EQ(linux_boot_load_files(&lb, kpath, NULL, "", 8 * MB, err, sizeof(err)), -1);
    return 0;
}

int main(void)
{
    test_good_kernel();
    test_bad_kernels();
    test_cmdline_limits();
    test_initrd_placement();
    test_files_and_fw_cfg();
    unsigned skipped = test_real_kernel();
    printf("%u passed, %u failed, %u skipped\n", test_counts.passed, test_counts.failed, skipped);
    return test_counts.failed ? 1 : 0;
}
