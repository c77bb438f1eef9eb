/*
 * Direct kernel boot: checking and laying out a bzImage, its initrd and
 * command line for the option ROM.  See linux_loader.h.  Header offsets
 * and rules are those of Documentation/arch/x86/boot.rst ("The Real-Mode
 * Kernel Header", "Details of Header Fields", "Sample Boot Configuration").
 */
#include "bus/linux_loader.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Setup header fields (offsets in the file's first sectors). */
#define HDR_SETUP_SECTS 0x1F1
#define HDR_SYSSIZE 0x1F4
#define HDR_VID_MODE 0x1FA
#define HDR_BOOT_FLAG 0x1FE
#define HDR_MAGIC 0x202
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21C
#define HDR_HEAP_END_PTR 0x224
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22C
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE 0x234
#define HDR_CMDLINE_SIZE 0x238
#define HDR_PREF_ADDRESS 0x258
#define HDR_INIT_SIZE 0x260
#define HDR_END 0x264                  /* we read no further than this */

#define LOADED_HIGH 0x01u
#define QUIET_FLAG 0x20u
#define CAN_USE_HEAP 0x80u

#define MAX_KERNEL_FILE (256u << 20)
#define MiB(x) ((unsigned long long)((x) >> 20))

static void fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static uint64_t le64_load(const uint8_t *p) { return le32_load(p) | (uint64_t)le32_load(p + 4) << 32; }

/* The vga= option goes into vid_mode too: the setup code acts on it before
 * the command line is parsed (boot.rst, "Special Command Line Options"). */
static int parse_vga_option(const char *cmdline, uint16_t *mode)
{
    for (const char *p = cmdline; (p = strstr(p, "vga=")) != NULL; p += 4) {
        if (p != cmdline && p[-1] != ' ')
            continue;
        const char *v = p + 4;
        if (strncmp(v, "normal", 6) == 0)
            *mode = 0xFFFF;
        else if (strncmp(v, "ext", 3) == 0)
            *mode = 0xFFFE;
        else if (strncmp(v, "ask", 3) == 0)
            *mode = 0xFFFD;
        else {
            char *end;
            unsigned long n = strtoul(v, &end, 0);
            if (end == v || n > 0xFFFF)
                return 0;
            *mode = (uint16_t)n;
        }
        return 1;
    }
    return 0;
}

/* The header: a bzImage with a protocol our layout can serve. */
static int check_header(const struct linux_boot_input *in, uint16_t *protocol, uint32_t *setup_size,
                        char *err, size_t errlen)
{
    const uint8_t *h = in->image;
    const char *name = in->image_name ? in->image_name : "kernel";
    if (in->image_len < 1024) {
        fail(err, errlen, "%s: not a bzImage (only %zu bytes)", name, in->image_len);
        return -1;
    }
    if (le16_load(h + HDR_BOOT_FLAG) != 0xAA55 || memcmp(h + HDR_MAGIC, "HdrS", 4) != 0) {
        fail(err, errlen, "%s: not a Linux bzImage (no \"HdrS\" setup header at 0x202)", name);
        return -1;
    }
    *protocol = le16_load(h + HDR_VERSION);
    if (*protocol < LINUX_MIN_PROTOCOL) {
        fail(err, errlen, "%s: boot protocol %u.%02u is too old (2.02 or later needed)", name, *protocol >> 8,
             *protocol & 0xFF);
        return -1;
    }
    if (!(h[HDR_LOADFLAGS] & LOADED_HIGH)) {
        fail(err, errlen, "%s: a zImage (loaded low); only bzImage kernels are supported", name);
        return -1;
    }
    unsigned sects = h[HDR_SETUP_SECTS] ? h[HDR_SETUP_SECTS] : 4;
    *setup_size = (sects + 1) * 512u;
    if (*setup_size > LINUX_SETUP_MAX) {
        fail(err, errlen, "%s: setup code of %u bytes does not fit the 32 KiB real-mode area", name, *setup_size);
        return -1;
    }
    if (in->image_len <= *setup_size || in->image_len < HDR_END) {
        fail(err, errlen, "%s: truncated (%zu bytes, the setup code alone is %u)", name, in->image_len,
             *setup_size);
        return -1;
    }
    if (in->image_len - *setup_size > MAX_KERNEL_FILE) {
        fail(err, errlen, "%s: protected-mode kernel of %zu bytes is implausibly large", name,
             in->image_len - *setup_size);
        return -1;
    }
    /* syssize counts 16-byte paragraphs, rounded up: the file may end up to
     * 15 bytes before syssize * 16 (memtest86+'s does). */
    uint64_t syssize = (uint64_t)le32_load(h + HDR_SYSSIZE) * 16;
    if (*protocol >= 0x0204 && syssize > in->image_len - *setup_size + 15) {
        fail(err, errlen, "%s: truncated (the header promises %llu bytes of kernel, the file has %zu)", name,
             (unsigned long long)syssize, in->image_len - *setup_size);
        return -1;
    }
    return 0;
}

static int check_cmdline(const struct linux_boot_input *in, uint16_t protocol, size_t *len, char *err,
                         size_t errlen)
{
    const char *cmdline = in->cmdline ? in->cmdline : "";
    *len = strlen(cmdline);
    /* cmdline_size excludes the NUL; before 2.06 the limit was 255. */
    uint32_t max = protocol >= 0x0206 ? le32_load(in->image + HDR_CMDLINE_SIZE) : 255;
    if (max > LINUX_CMDLINE_MAX - 1)
        max = LINUX_CMDLINE_MAX - 1;
    if (*len > max) {
        fail(err, errlen, "kernel command line too long: %zu bytes, this kernel takes at most %u", *len, max);
        return -1;
    }
    return 0;
}

/* Where the kernel's decompression ends: it runs at pref_address (or the
 * aligned load address when relocatable) and needs init_size bytes there
 * (boot.rst, init_size).  Before 2.10 only the image itself is known. */
static uint64_t kernel_memory_end(const uint8_t *h, uint16_t protocol, uint64_t kernel_size)
{
    uint64_t end = LINUX_KERNEL_ADDR + kernel_size;
    if (protocol < 0x020A)
        return end;
    uint64_t align = le32_load(h + HDR_KERNEL_ALIGNMENT);
    uint64_t start = le64_load(h + HDR_PREF_ADDRESS);
    if (h[HDR_RELOCATABLE] && align && (align & (align - 1)) == 0) {
        uint64_t aligned = (LINUX_KERNEL_ADDR + align - 1) & ~(align - 1);
        if (aligned > start)
            start = aligned;
    }
    uint64_t run_end = start + le32_load(h + HDR_INIT_SIZE);
    return run_end > end ? run_end : end;
}

/* The initrd goes as high as it may: below initrd_addr_max and below the
 * top of RAM less the firmware's tables, page aligned, above the kernel. */
static int place_initrd(const struct linux_boot_input *in, uint16_t protocol, uint64_t kernel_end,
                        uint32_t *addr, char *err, size_t errlen)
{
    const char *name = in->initrd_name ? in->initrd_name : "initrd";
    uint64_t ram_top = in->ram_below_4g > LINUX_HIGH_RESERVE ? in->ram_below_4g - LINUX_HIGH_RESERVE : 0;
    uint64_t hdr_top = (uint64_t)(protocol >= 0x0203 ? le32_load(in->image + HDR_INITRD_ADDR_MAX) : 0x37FFFFFFu) + 1;
    uint64_t top = ram_top < hdr_top ? ram_top : hdr_top;
    uint64_t len = in->initrd_len;
    if (len == 0) {
        fail(err, errlen, "%s: empty initrd", name);
        return -1;
    }
    if (len <= top && ((top - len) & ~(uint64_t)PAGE_MASK) >= kernel_end) {
        *addr = (uint32_t)((top - len) & ~(uint64_t)PAGE_MASK);
        return 0;
    }
    if (hdr_top < ram_top && len <= ram_top && ((ram_top - len) & ~(uint64_t)PAGE_MASK) >= kernel_end)
        fail(err, errlen, "%s: %llu bytes do not fit below the kernel's initrd_addr_max (%#llx)", name,
             (unsigned long long)len, (unsigned long long)(hdr_top - 1));
    else
        fail(err, errlen, "%s: initrd of %llu MiB does not fit in RAM (%llu MiB, of which the kernel needs "
             "the first %llu MiB)", name, MiB(len + 0xFFFFF), MiB(in->ram_below_4g), MiB(kernel_end + 0xFFFFF));
    return -1;
}

/* Fill in the fields a boot loader writes (boot.rst, "Sample Boot
 * Configuration"): loader type, heap, command line, ramdisk, video mode. */
static void fill_header(struct linux_boot *lb, const char *cmdline)
{
    uint8_t *h = lb->setup;
    h[HDR_TYPE_OF_LOADER] = LINUX_TYPE_OF_LOADER;
    h[HDR_LOADFLAGS] = (uint8_t)((h[HDR_LOADFLAGS] | CAN_USE_HEAP) & ~QUIET_FLAG);
    le16_store(h + HDR_HEAP_END_PTR, (uint16_t)(LINUX_HEAP_END - 0x200));
    le32_store(h + HDR_CMD_LINE_PTR, lb->cmdline_addr);
    le32_store(h + HDR_RAMDISK_IMAGE, lb->initrd ? lb->initrd_addr : 0);
    le32_store(h + HDR_RAMDISK_SIZE, lb->initrd ? lb->initrd_size : 0);
    uint16_t mode;
    if (parse_vga_option(cmdline, &mode))
        le16_store(h + HDR_VID_MODE, mode);
}

static void *dup_bytes(const void *p, size_t n)
{
    void *c = malloc(n ? n : 1);
    if (c && n)
        memcpy(c, p, n);
    return c;
}

int linux_boot_prepare(struct linux_boot *lb, const struct linux_boot_input *in, char *err, size_t errlen)
{
    memset(lb, 0, sizeof(*lb));
    uint16_t protocol;
    uint32_t setup_size;
    size_t cmd_len;
    if (check_header(in, &protocol, &setup_size, err, errlen) != 0 ||
        check_cmdline(in, protocol, &cmd_len, err, errlen) != 0)
        return -1;
    uint64_t kernel_size = in->image_len - setup_size;
    uint64_t kernel_end = kernel_memory_end(in->image, protocol, kernel_size);
    if (kernel_end + LINUX_HIGH_RESERVE > in->ram_below_4g) {
        fail(err, errlen, "%s: the kernel needs %llu MiB of RAM to start, the machine has %llu MiB",
             in->image_name ? in->image_name : "kernel", MiB(kernel_end + LINUX_HIGH_RESERVE + 0xFFFFF),
             MiB(in->ram_below_4g));
        return -1;
    }
    uint32_t initrd_addr = 0;
    if (in->initrd && place_initrd(in, protocol, kernel_end, &initrd_addr, err, errlen) != 0)
        return -1;

    const char *cmdline = in->cmdline ? in->cmdline : "";
    lb->protocol = protocol;
    lb->setup_size = setup_size;
    lb->kernel_size = (uint32_t)kernel_size;
    lb->initrd_size = in->initrd ? (uint32_t)in->initrd_len : 0;
    lb->cmdline_size = (uint32_t)cmd_len + 1;
    lb->setup_addr = LINUX_SETUP_ADDR;
    lb->kernel_addr = LINUX_KERNEL_ADDR;
    lb->initrd_addr = initrd_addr;
    lb->cmdline_addr = LINUX_CMDLINE_ADDR;
    lb->kernel_end = (uint32_t)kernel_end;
    lb->setup = dup_bytes(in->image, setup_size);
    lb->kernel = dup_bytes(in->image + setup_size, (size_t)kernel_size);
    lb->cmdline = dup_bytes(cmdline, cmd_len + 1);
    if (in->initrd)
        lb->initrd = dup_bytes(in->initrd, in->initrd_len);
    if (!lb->setup || !lb->kernel || !lb->cmdline || (in->initrd && !lb->initrd)) {
        linux_boot_free(lb);
        fail(err, errlen, "out of memory preparing the kernel");
        return -1;
    }
    fill_header(lb, cmdline);
    return 0;
}

void linux_boot_free(struct linux_boot *lb)
{
    free(lb->setup);
    free(lb->kernel);
    free(lb->initrd);
    free(lb->cmdline);
    memset(lb, 0, sizeof(*lb));
}

/* Read a whole file of at most max bytes. */
static int read_whole_file(const char *what, const char *path, uint64_t max, const char *max_what, uint8_t **buf,
                           size_t *len, char *err, size_t errlen)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail(err, errlen, "%s '%s': %s", what, path, strerror(errno));
        return -1;
    }
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fail(err, errlen, "%s '%s': not a regular file", what, path);
        fclose(f);
        return -1;
    }
    if ((uint64_t)size > max) {
        fail(err, errlen, "%s '%s' is too large: %ld bytes (%s is %llu)", what, path, size, max_what,
             (unsigned long long)max);
        fclose(f);
        return -1;
    }
    *buf = malloc((size_t)size + 1);
    if (!*buf || fread(*buf, 1, (size_t)size, f) != (size_t)size) {
        fail(err, errlen, "%s '%s': %s", what, path, *buf ? "read error" : "out of memory");
        free(*buf);
        *buf = NULL;
        fclose(f);
        return -1;
    }
    fclose(f);
    *len = (size_t)size;
    return 0;
}

int linux_boot_load_files(struct linux_boot *lb, const char *kernel_path, const char *initrd_path,
                          const char *cmdline, uint64_t ram_below_4g, char *err, size_t errlen)
{
    memset(lb, 0, sizeof(*lb));
    uint8_t *image = NULL, *initrd = NULL;
    size_t image_len = 0, initrd_len = 0;
    if (read_whole_file("kernel", kernel_path, MAX_KERNEL_FILE + LINUX_SETUP_MAX, "the limit", &image, &image_len,
                        err, errlen) != 0)
        return -1;
    /* An initrd larger than RAM cannot fit: say so before reading it. */
    if (initrd_path && read_whole_file("initrd", initrd_path, ram_below_4g, "the RAM size", &initrd, &initrd_len,
                                       err, errlen) != 0) {
        free(image);
        return -1;
    }
    struct linux_boot_input in = {
        image, image_len, kernel_path, initrd_path ? initrd : NULL, initrd_len, initrd_path, cmdline, ram_below_4g,
    };
    int r = linux_boot_prepare(lb, &in, err, errlen);
    free(image);
    free(initrd);
    return r;
}

int linux_boot_read_rom(const char *path, uint8_t **rom, size_t *len, char *err, size_t errlen)
{
    if (read_whole_file("option ROM", path, 128u * 1024u, "the limit", rom, len, err, errlen) != 0)
        return -1;
    if (*len < 512 || (*rom)[0] != 0x55 || (*rom)[1] != 0xAA || (*rom)[2] == 0 || (size_t)(*rom)[2] * 512 > *len) {
        fail(err, errlen, "option ROM '%s': no 0x55AA header or a length past the file's end", path);
        free(*rom);
        *rom = NULL;
        *len = 0;
        return -1;
    }
    return 0;
}

/* The option ROM as SeaBIOS wants it: the declared length, summing to 0
 * (the last byte is the ROM's checksum byte). */
static uint8_t *checked_rom(const uint8_t *rom, size_t rom_len, size_t *out_len)
{
    if (rom_len < 512 || rom[0] != 0x55 || rom[1] != 0xAA || rom[2] == 0 || (size_t)rom[2] * 512 > rom_len)
        return NULL;
    size_t n = (size_t)rom[2] * 512;
    uint8_t *copy = dup_bytes(rom, n);
    if (!copy)
        return NULL;
    uint8_t sum = 0;
    for (size_t i = 0; i + 1 < n; i++)
        sum = (uint8_t)(sum + copy[i]);
    copy[n - 1] = (uint8_t)(0x100 - sum);
    *out_len = n;
    return copy;
}

int linux_boot_to_fw_cfg(const struct linux_boot *lb, struct fw_cfg *cfg, const uint8_t *rom, size_t rom_len)
{
    size_t n = 0;
    uint8_t *image = checked_rom(rom, rom_len, &n);
    if (!image)
        return -1;
    int bad = fw_cfg_add_file(cfg, LINUX_ROM_FILE, image, n) < 0;
    free(image);
    bad |= fw_cfg_add_u32(cfg, FW_CFG_SETUP_ADDR, lb->setup_addr);
    bad |= fw_cfg_add_u32(cfg, FW_CFG_SETUP_SIZE, lb->setup_size);
    bad |= fw_cfg_add_bytes(cfg, FW_CFG_SETUP_DATA, lb->setup, lb->setup_size);
    bad |= fw_cfg_add_u32(cfg, FW_CFG_KERNEL_ADDR, lb->kernel_addr);
    bad |= fw_cfg_add_u32(cfg, FW_CFG_KERNEL_SIZE, lb->kernel_size);
    bad |= fw_cfg_add_bytes(cfg, FW_CFG_KERNEL_DATA, lb->kernel, lb->kernel_size);
    bad |= fw_cfg_add_u32(cfg, FW_CFG_INITRD_ADDR, lb->initrd ? lb->initrd_addr : 0);
    bad |= fw_cfg_add_u32(cfg, FW_CFG_INITRD_SIZE, lb->initrd ? lb->initrd_size : 0);
    if (lb->initrd)
        bad |= fw_cfg_add_bytes(cfg, FW_CFG_INITRD_DATA, lb->initrd, lb->initrd_size);
    bad |= fw_cfg_add_u32(cfg, FW_CFG_CMDLINE_ADDR, lb->cmdline_addr);
    bad |= fw_cfg_add_u32(cfg, FW_CFG_CMDLINE_SIZE, lb->cmdline_size);
    bad |= fw_cfg_add_bytes(cfg, FW_CFG_CMDLINE_DATA, lb->cmdline, lb->cmdline_size);
    bad |= fw_cfg_add_u32(cfg, FW_CFG_KERNEL_CMDLINE, lb->cmdline_addr);
    if (fw_cfg_find_file(cfg, "bootorder") < 0) {
        static const char order[] = LINUX_ROM_BOOTORDER "\n";
        bad |= fw_cfg_add_file(cfg, "bootorder", order, sizeof(order) - 1) < 0;
    }
    return bad ? -1 : 0;
}
