/*
 * Raw disk images: a host file (or block device) seen as an array of
 * fixed-size sectors.  Hard disks and floppies use 512-byte sectors, CD-ROM
 * ISO images 2048-byte ones; the size is chosen when the image is opened.
 *
 * Write mode: write-through to the host.  Every write of a sector run is one
 * pwrite loop that either puts every byte into the host file (retrying after
 * EINTR and short writes) or reports an error, so the guest never sees a
 * completed write that did not reach the file.  Data then sits in the host's
 * page cache like data in a drive's volatile write cache; disk_image_flush()
 * (called for ATA FLUSH CACHE, for every write when the guest turned the
 * drive's write cache off, and at close) pushes it to stable storage with
 * fdatasync.  A host crash can therefore lose writes the guest has not
 * flushed, exactly what a real drive with its write cache on may lose;
 * nothing is ever half-written from the emulator's side.
 *
 * Only POSIX open/pread/pwrite/fdatasync/lseek are used, no mmap.
 */
#ifndef TRAPEZE_PERIPHERALS_DISK_IMAGE_H
#define TRAPEZE_PERIPHERALS_DISK_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>     /* ssize_t */

enum disk_access {
    DISK_READ_WRITE,            /* fail if the file cannot be written */
    DISK_READ_ONLY,
    DISK_READ_WRITE_OR_READ_ONLY, /* fall back to read-only, with a note */
};

/* The host calls, replaceable so tests can inject short writes, EINTR and
 * I/O errors.  NULL members mean the POSIX functions. */
struct disk_image_io {
    int (*open_file)(const char *path, int flags);
    ssize_t (*pread_file)(int fd, void *buf, size_t n, int64_t off);
    ssize_t (*pwrite_file)(int fd, const void *buf, size_t n, int64_t off);
    int (*sync_file)(int fd);
};

struct disk_image {
    int fd;                     /* -1 when closed */
    int read_only;
    unsigned sector_size;
    uint64_t sectors;           /* usable size, whole sectors */
    uint64_t file_bytes;        /* the file's size when opened */
    struct disk_image_io io;
    char path[256];             /* for messages (may be truncated) */
    char note[256];             /* the last warning printed, "" if none */
    uint64_t reads, writes, flushes;    /* sector runs, for a status line */
};

/* Opens `path`.  Returns 0, or -1 with a one-line reason in `why`: missing
 * or unreadable file, an empty image (or smaller than one sector), a
 * read-only file asked for writing.  An image whose size is not a whole
 * number of sectors is usable up to its last whole sector; a one-line
 * warning goes to stderr and to `note`.  `io` may be NULL. */
int disk_image_open(struct disk_image *d, const char *path, enum disk_access access,
                    unsigned sector_size, const struct disk_image_io *io, char *why, size_t whylen);
/* Flushes and closes; safe on a closed image. */
void disk_image_close(struct disk_image *d);

static inline uint64_t disk_image_sectors(const struct disk_image *d) { return d->sectors; }
static inline uint64_t disk_image_bytes(const struct disk_image *d)
{
    return d->sectors * d->sector_size;
}

/* Sector runs.  They return 0, or a negative errno: -ERANGE for a run that
 * leaves the image (nothing is transferred), -EROFS for a write to a
 * read-only image, -EIO (or the host's errno) when the host failed. */
int disk_image_read(struct disk_image *d, uint64_t first, uint32_t count, void *buf);
int disk_image_write(struct disk_image *d, uint64_t first, uint32_t count, const void *buf);
/* Stable storage for everything written so far (fdatasync). */
int disk_image_flush(struct disk_image *d);

#endif
