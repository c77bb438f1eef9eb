/* 64-bit file offsets on 32-bit hosts; must precede every system header. */
#define _FILE_OFFSET_BITS 64

#include "peripherals/disk_image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int posix_open(const char *path, int flags) { return open(path, flags); }

static ssize_t posix_pread(int fd, void *buf, size_t n, int64_t off)
{
    return pread(fd, buf, n, (off_t)off);
}

static ssize_t posix_pwrite(int fd, const void *buf, size_t n, int64_t off)
{
    return pwrite(fd, buf, n, (off_t)off);
}

static int posix_sync(int fd)
{
#if defined(_POSIX_SYNCHRONIZED_IO) && _POSIX_SYNCHRONIZED_IO > 0
    return fdatasync(fd);
#else
    return fsync(fd);
#endif
}

static void fill_io(struct disk_image_io *dst, const struct disk_image_io *src)
{
    *dst = src ? *src : (struct disk_image_io){ 0 };
    if (!dst->open_file)
        dst->open_file = posix_open;
    if (!dst->pread_file)
        dst->pread_file = posix_pread;
    if (!dst->pwrite_file)
        dst->pwrite_file = posix_pwrite;
    if (!dst->sync_file)
        dst->sync_file = posix_sync;
}

static int open_retrying(const struct disk_image_io *io, const char *path, int flags)
{
    int fd;
    do
        fd = io->open_file(path, flags);
    while (fd < 0 && errno == EINTR);
    return fd;
}

static int errno_means_read_only(int e) { return e == EACCES || e == EPERM || e == EROFS; }

/* Opens the file as asked; returns the descriptor or -1 with `why` set. */
static int open_for_access(struct disk_image *d, const char *path, enum disk_access access, char *why,
                           size_t whylen)
{
    if (access == DISK_READ_ONLY) {
        int fd = open_retrying(&d->io, path, O_RDONLY);
        if (fd < 0)
            snprintf(why, whylen, "cannot open disk image %s: %s", path, strerror(errno));
        d->read_only = 1;
        return fd;
    }
    int fd = open_retrying(&d->io, path, O_RDWR);
    if (fd >= 0)
        return fd;
    int e = errno;
    if (!errno_means_read_only(e)) {
        snprintf(why, whylen, "cannot open disk image %s: %s", path, strerror(e));
        return -1;
    }
    if (access == DISK_READ_WRITE) {
        snprintf(why, whylen,
                 "disk image %s cannot be opened for writing (%s); make it writable or open it read-only",
                 path, strerror(e));
        return -1;
    }
    fd = open_retrying(&d->io, path, O_RDONLY);
    if (fd < 0) {
        snprintf(why, whylen, "cannot open disk image %s: %s", path, strerror(errno));
        return -1;
    }
    d->read_only = 1;
    snprintf(d->note, sizeof(d->note), "disk image %s is not writable (%s): opened read-only", path,
             strerror(e));
    fprintf(stderr, "trapeze: %s\n", d->note);
    return fd;
}

/* The size of a regular file or a block device: lseek to the end works for
 * both, where st_size is 0 for devices. */
static int measure(struct disk_image *d, const char *path, char *why, size_t whylen)
{
    struct stat st;
    if (fstat(d->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(why, whylen, "disk image %s is a directory", path);
        return -1;
    }
    off_t end = lseek(d->fd, 0, SEEK_END);
    if (end < 0) {
        snprintf(why, whylen, "cannot find the size of disk image %s: %s", path, strerror(errno));
        return -1;
    }
    d->file_bytes = (uint64_t)end;
    d->sectors = d->file_bytes / d->sector_size;
    if (d->sectors == 0) {
        snprintf(why, whylen, "disk image %s is %s (%llu bytes, less than one %u-byte sector)", path,
                 d->file_bytes ? "too small" : "empty", (unsigned long long)d->file_bytes, d->sector_size);
        return -1;
    }
    uint64_t tail = d->file_bytes % d->sector_size;
    if (tail) {
        snprintf(d->note, sizeof(d->note),
                 "disk image %s: size %llu is not a multiple of %u; the last %llu bytes are ignored", path,
                 (unsigned long long)d->file_bytes, d->sector_size, (unsigned long long)tail);
        fprintf(stderr, "trapeze: %s\n", d->note);
    }
    return 0;
}

/* Proves the image can be read at all (a directory, or a device without
 * media, opens fine and fails here). */
static int probe_first_sector(struct disk_image *d, const char *path, char *why, size_t whylen)
{
    uint8_t probe[512];
    size_t n = d->sector_size < sizeof(probe) ? d->sector_size : sizeof(probe);
    ssize_t got;
    do
        got = d->io.pread_file(d->fd, probe, n, 0);
    while (got < 0 && errno == EINTR);
    if (got <= 0) {
        snprintf(why, whylen, "cannot read disk image %s: %s", path, got < 0 ? strerror(errno) : "end of file");
        return -1;
    }
    return 0;
}

int disk_image_open(struct disk_image *d, const char *path, enum disk_access access,
                    unsigned sector_size, const struct disk_image_io *io, char *why, size_t whylen)
{
    memset(d, 0, sizeof(*d));
    d->fd = -1;
    fill_io(&d->io, io);
    if (sector_size == 0 || (sector_size & (sector_size - 1)) || sector_size > 65536) {
        snprintf(why, whylen, "disk image %s: bad sector size %u", path, sector_size);
        return -1;
    }
    d->sector_size = sector_size;
    snprintf(d->path, sizeof(d->path), "%s", path);
    d->fd = open_for_access(d, path, access, why, whylen);
    if (d->fd < 0)
        return -1;
    if (measure(d, path, why, whylen) != 0 || probe_first_sector(d, path, why, whylen) != 0) {
        close(d->fd);
        d->fd = -1;
        return -1;
    }
    return 0;
}

void disk_image_close(struct disk_image *d)
{
    if (d->fd < 0)
        return;
    if (!d->read_only)
        disk_image_flush(d);
    close(d->fd);
    d->fd = -1;
}

static int range_ok(const struct disk_image *d, uint64_t first, uint32_t count)
{
    return d->fd >= 0 && first <= d->sectors && count <= d->sectors - first;
}

int disk_image_read(struct disk_image *d, uint64_t first, uint32_t count, void *buf)
{
    if (!range_ok(d, first, count))
        return -ERANGE;
    uint8_t *p = buf;
    size_t left = (size_t)count * d->sector_size;
    int64_t off = (int64_t)(first * d->sector_size);
    while (left) {
        ssize_t got = d->io.pread_file(d->fd, p, left, off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return errno ? -errno : -EIO;
        if (got == 0)
            return -EIO;    /* the file shrank under us */
        p += got;
        off += got;
        left -= (size_t)got;
    }
    d->reads++;
    return 0;
}

int disk_image_write(struct disk_image *d, uint64_t first, uint32_t count, const void *buf)
{
    if (!range_ok(d, first, count))
        return -ERANGE;
    if (d->read_only)
        return -EROFS;
    const uint8_t *p = buf;
    size_t left = (size_t)count * d->sector_size;
    int64_t off = (int64_t)(first * d->sector_size);
    while (left) {
        ssize_t put = d->io.pwrite_file(d->fd, p, left, off);
        if (put < 0 && errno == EINTR)
            continue;
        if (put < 0)
            return errno ? -errno : -EIO;
        if (put == 0)
            return -EIO;    /* no progress: treat like a full disk */
        p += put;
        off += put;
        left -= (size_t)put;
    }
    d->writes++;
    return 0;
}

int disk_image_flush(struct disk_image *d)
{
    if (d->fd < 0)
        return -EBADF;
    if (d->read_only)
        return 0;
    int r;
    do
        r = d->io.sync_file(d->fd);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return errno ? -errno : -EIO;
    d->flushes++;
    return 0;
}
