/* Disk images: sizes, read-only handling, short writes and EINTR, range checks. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "peripherals/disk_image.h"
#include "tests/testlib.h"

TEST_MAIN_COUNTS;

static char dir[] = "/tmp/trapeze-disk-XXXXXX";

static void path_in_dir(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", dir, name); }

static void make_file(const char *path, size_t size, int seed)
{
    FILE *f = fopen(path, "wb");
    for (size_t i = 0; i < size; i++)
        fputc((int)((i * 7 + (size_t)seed) & 0xFF), f);
    fclose(f);
}

static void read_back(const char *path, long off, void *buf, size_t n)
{
    FILE *f = fopen(path, "rb");
    fseek(f, off, SEEK_SET);
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    CHECK_EQ(got, n);
}

/* ---- Fake host calls: short transfers, EINTR, failures. */
struct fake_state {
    int calls;
    int fail_errno;     /* non-zero: every pwrite fails with it */
    int deny_rw;        /* open(O_RDWR) fails with this errno */
    int sync_eintr;
};
static struct fake_state fake;

static int fake_open(const char *path, int flags)
{
    if ((flags & O_ACCMODE) == O_RDWR && fake.deny_rw) {
        errno = fake.deny_rw;
        return -1;
    }
    return open(path, flags);
}

static ssize_t fake_pread(int fd, void *buf, size_t n, int64_t off)
{
    if (++fake.calls % 3 == 0) {
        errno = EINTR;
        return -1;
    }
    return pread(fd, buf, n > 100 ? 100 : n, (off_t)off);
}

static ssize_t fake_pwrite(int fd, const void *buf, size_t n, int64_t off)
{
    if (fake.fail_errno) {
        errno = fake.fail_errno;
        return -1;
    }
    if (++fake.calls % 3 == 0) {
        errno = EINTR;
        return -1;
    }
    return pwrite(fd, buf, n > 77 ? 77 : n, (off_t)off);
}

static int fake_sync(int fd)
{
    if (fake.sync_eintr) {
        fake.sync_eintr--;
        errno = EINTR;
        return -1;
    }
    return fsync(fd);
}

static const struct disk_image_io fake_io = { fake_open, fake_pread, fake_pwrite, fake_sync };

static void test_round_trip(void)
{
    char p[512], why[300];
    path_in_dir(p, sizeof(p), "disk.img");
    make_file(p, 64 * 512, 1);
    struct disk_image d;
    CHECK_EQ(disk_image_open(&d, p, DISK_READ_WRITE, 512, NULL, why, sizeof(why)), 0);
    CHECK_EQ(disk_image_sectors(&d), 64);
    CHECK_EQ(disk_image_bytes(&d), 64 * 512);
    CHECK_EQ(d.read_only, 0);
    CHECK_EQ(d.note[0], 0);

    uint8_t buf[3 * 512];
    CHECK_EQ(disk_image_read(&d, 2, 1, buf), 0);
    CHECK_EQ(buf[0], (2 * 512 * 7 + 1) & 0xFF);
    for (int i = 0; i < (int)sizeof(buf); i++)
        buf[i] = (uint8_t)(0xA0 ^ i);
    CHECK_EQ(disk_image_write(&d, 61, 3, buf), 0);
    CHECK_EQ(disk_image_flush(&d), 0);
    uint8_t disk[3 * 512];
    read_back(p, 61 * 512, disk, sizeof(disk));
    CHECK(memcmp(disk, buf, sizeof(buf)) == 0);

    /* Runs that leave the image transfer nothing. */
    CHECK_EQ(disk_image_read(&d, 64, 1, buf), -ERANGE);
    CHECK_EQ(disk_image_read(&d, 63, 2, buf), -ERANGE);
    CHECK_EQ(disk_image_write(&d, 62, 3, buf), -ERANGE);
    CHECK_EQ(disk_image_write(&d, UINT64_MAX, 1, buf), -ERANGE);
    CHECK_EQ(disk_image_read(&d, 0, 0, buf), 0);
    struct stat st;
    stat(p, &st);
    CHECK_EQ(st.st_size, 64 * 512);     /* never grown */
    CHECK_EQ(d.writes, 1);
    disk_image_close(&d);
    CHECK_EQ(d.fd, -1);
    disk_image_close(&d);               /* harmless twice */
    CHECK_EQ(disk_image_read(&d, 0, 1, buf), -ERANGE);
}

static void test_sizes(void)
{
    char p[512], why[300];
    struct disk_image d;

    path_in_dir(p, sizeof(p), "odd.img");
    make_file(p, 3 * 512 + 100, 2);
    fprintf(stderr, "(a warning about odd.img is expected:)\n");
    CHECK_EQ(disk_image_open(&d, p, DISK_READ_WRITE, 512, NULL, why, sizeof(why)), 0);
    CHECK_EQ(disk_image_sectors(&d), 3);
    CHECK(strstr(d.note, "not a multiple") != NULL);
    uint8_t buf[512];
    memset(buf, 0x5A, sizeof(buf));
    CHECK_EQ(disk_image_write(&d, 2, 1, buf), 0);
    CHECK_EQ(disk_image_write(&d, 3, 1, buf), -ERANGE);
    disk_image_close(&d);
    uint8_t tail[100], want[100];
    read_back(p, 3 * 512, tail, sizeof(tail));
    for (int i = 0; i < 100; i++)
        want[i] = (uint8_t)(((3 * 512 + i) * 7 + 2) & 0xFF);
    CHECK(memcmp(tail, want, sizeof(tail)) == 0);   /* the partial sector is untouched */

    /* ISO-style 2048-byte sectors. */
    path_in_dir(p, sizeof(p), "cd.iso");
    make_file(p, 5 * 2048, 3);
    CHECK_EQ(disk_image_open(&d, p, DISK_READ_ONLY, 2048, NULL, why, sizeof(why)), 0);
    CHECK_EQ(disk_image_sectors(&d), 5);
    uint8_t sec[2048];
    CHECK_EQ(disk_image_read(&d, 4, 1, sec), 0);
    CHECK_EQ(sec[1], ((4 * 2048 + 1) * 7 + 3) & 0xFF);
    disk_image_close(&d);

    path_in_dir(p, sizeof(p), "empty.img");
    make_file(p, 0, 0);
    why[0] = 0;
    CHECK_EQ(disk_image_open(&d, p, DISK_READ_WRITE, 512, NULL, why, sizeof(why)), -1);
    CHECK(strstr(why, "empty") != NULL);
    CHECK_EQ(d.fd, -1);

    path_in_dir(p, sizeof(p), "tiny.img");
    make_file(p, 300, 0);
    CHECK_EQ(disk_image_open(&d, p, DISK_READ_WRITE, 512, NULL, why, sizeof(why)), -1);
    CHECK(strstr(why, "too small") != NULL);

    path_in_dir(p, sizeof(p), "missing.img");
    CHECK_EQ(disk_image_open(&d, p, DISK_READ_ONLY, 512, NULL, why, sizeof(why)), -1);
    CHECK(strstr(why, "missing.img") != NULL);

    /* A directory opens read-only but cannot be read as an image. */
    CHECK_EQ(disk_image_open(&d, dir, DISK_READ_ONLY, 512, NULL, why, sizeof(why)), -1);
    CHECK(strstr(why, "directory") != NULL);
    CHECK_EQ(disk_image_open(&d, p, DISK_READ_ONLY, 1000, NULL, why, sizeof(why)), -1);
}

static void test_read_only(void)
{
    char p[512], why[300];
    struct disk_image d;
    path_in_dir(p, sizeof(p), "ro.img");
    make_file(p, 8 * 512, 4);
    uint8_t buf[512] = { 0 };

    CHECK_EQ(disk_image_open(&d, p, DISK_READ_ONLY, 512, NULL, why, sizeof(why)), 0);
    CHECK_EQ(d.read_only, 1);
    CHECK_EQ(disk_image_write(&d, 0, 1, buf), -EROFS);
    CHECK_EQ(disk_image_flush(&d), 0);
    disk_image_close(&d);

    /* A file the host refuses to open for writing (root ignores file modes,
     * so the refusal is injected). */
    memset(&fake, 0, sizeof(fake));
    fake.deny_rw = EACCES;
    why[0] = 0;
    CHECK_EQ(disk_image_open(&d, p, DISK_READ_WRITE, 512, &fake_io, why, sizeof(why)), -1);
    CHECK(strstr(why, "read-only") != NULL);
    fake.deny_rw = EROFS;
    fprintf(stderr, "(a note about ro.img being opened read-only is expected:)\n");
    CHECK_EQ(disk_image_open(&d, p, DISK_READ_WRITE_OR_READ_ONLY, 512, &fake_io, why, sizeof(why)), 0);
    CHECK_EQ(d.read_only, 1);
    CHECK(strstr(d.note, "read-only") != NULL);
    CHECK_EQ(disk_image_write(&d, 0, 1, buf), -EROFS);
    CHECK_EQ(disk_image_read(&d, 1, 1, buf), 0);
    CHECK_EQ(buf[0], (512 * 7 + 4) & 0xFF);
    disk_image_close(&d);

    /* Other open errors are not turned into read-only opens. */
    fake.deny_rw = ENOENT;
    CHECK_EQ(disk_image_open(&d, p, DISK_READ_WRITE_OR_READ_ONLY, 512, &fake_io, why, sizeof(why)), -1);
}

static void test_short_transfers(void)
{
    char p[512], why[300];
    struct disk_image d;
    path_in_dir(p, sizeof(p), "short.img");
    make_file(p, 16 * 512, 5);
    memset(&fake, 0, sizeof(fake));
    CHECK_EQ(disk_image_open(&d, p, DISK_READ_WRITE, 512, &fake_io, why, sizeof(why)), 0);

    uint8_t out[4 * 512], in[4 * 512], disk[4 * 512];
    for (int i = 0; i < (int)sizeof(out); i++)
        out[i] = (uint8_t)(i * 13 + 1);
    fake.calls = 0;
    CHECK_EQ(disk_image_write(&d, 5, 4, out), 0);
    CHECK(fake.calls > 20);         /* it took many short pieces */
    read_back(p, 5 * 512, disk, sizeof(disk));
    CHECK(memcmp(disk, out, sizeof(out)) == 0);
    fake.calls = 0;
    CHECK_EQ(disk_image_read(&d, 5, 4, in), 0);
    CHECK(memcmp(in, out, sizeof(out)) == 0);

    fake.sync_eintr = 2;
    CHECK_EQ(disk_image_flush(&d), 0);
    CHECK_EQ(d.flushes, 1);

    /* A host error is reported, never a silent success. */
    fake.fail_errno = ENOSPC;
    CHECK_EQ(disk_image_write(&d, 0, 1, out), -ENOSPC);
    fake.fail_errno = EIO;
    CHECK_EQ(disk_image_write(&d, 0, 1, out), -EIO);
    fake.fail_errno = 0;
    disk_image_close(&d);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_round_trip();
    test_sizes();
    test_read_only();
    test_short_transfers();
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return test_report();
}
