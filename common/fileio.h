/*
 * Files we publish: written to a temporary file, synced and renamed into
 * place; and large ones that can be lost, written over in place.
 */
#ifndef ZW_FILEIO_H
#define ZW_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "attr.h"

/* Produces the content of a file; returns 0 or a negative status. */
typedef int (*file_writer_fn)(FILE *out, void *arg);

/*
 * Replace path atomically: write() writes into a temporary file in the same
 * folder (created mode `mode`, O_EXCL|O_NOFOLLOW), which is flushed, fsynced
 * and renamed over path; the folder is then fsynced. What write() writes
 * starts for the disk while it writes (a helper thread, every 20 ms once
 * 4 MB more are written), so that the fsync of a large file waits for
 * little. On any failure the temporary file is removed and path is
 * untouched. Returns 0 or a status.
 */
int file_replace(const char *path, unsigned mode, file_writer_fn write,
    void *arg) WUR;

/*
 * file_replace with a last word: once what write wrote is on the disk
 * (flushed and fsynced), settle(arg, rc) decides whether it takes path's
 * place (0) or not (a status); rc is 0, or why flushing or syncing
 * failed. settle is called whenever write returned 0, so that work write
 * started beside the writing (a check on another thread) always ends, and
 * it runs while the disk is no longer waited for.
 */
typedef int (*file_settle_fn)(void *arg, int rc);
int file_replace_settled(const char *path, unsigned mode,
    file_writer_fn write, file_settle_fn settle, void *arg) WUR;

/*
 * All n bytes of p to fd at its offset (through EINTR and short writes).
 * Returns 0 or a status.
 */
int file_write_all(int fd, const void *p, size_t n) WUR;

/* Writes a file by its descriptor, from offset 0; returns 0 or a status. */
typedef int (*file_fd_writer_fn)(int fd, void *arg);

/*
 * For a large file written again on every run, which can be lost: its
 * reader checks it first (by a digest kept elsewhere). write() writes over
 * the file at path in place, so that its disk blocks serve again and none
 * is freed or newly taken (on a file system mounted with discard, freeing
 * the blocks of a large file takes about as long as writing it); write()
 * cuts it to its new length. A missing file is created (mode `mode`), as
 * is one in place of a symlink or of a file with other names (hard
 * links): those are left as they were. Nothing is synced: after a crash,
 * or when write() fails, the file may hold anything. Returns 0 or a status.
 */
int file_overwrite(const char *path, unsigned mode, file_fd_writer_fn write,
    void *arg) WUR;

/*
 * path and other trade files at once (renameat2, RENAME_EXCHANGE): path
 * names other's file, other the file path had, which stays whole for
 * whoever has it open or mapped. When path has no file, or the file
 * system cannot exchange, other's file is renamed to path (and path's
 * old file, if any, goes). Not synced. Returns 0 or a status.
 */
int file_exchange(const char *path, const char *other);

/*
 * Remove the temporary files of path (path.tmp.PID.N) that processes no
 * longer running left behind (killed mid-write). file_replace does this
 * before it writes.
 */
void file_clean_temps(const char *path);
/* The same for every file of folder dir. */
void file_clean_dir_temps(const char *dir);

/*
 * Like file_replace, but fails with -EEXIST when path already exists (the
 * new file is linked into place, never over another). For private keys.
 */
int file_create_new(const char *path, unsigned mode, file_writer_fn write,
    void *arg) WUR;

/*
 * All n bytes of fd from offset off into p (through EINTR and short
 * reads). Returns 0, -EIO when the file ends first, or a status.
 */
int file_read_at(int fd, void *p, size_t n, uint64_t off) WUR;

/*
 * Read a whole regular file into a new NUL-terminated buffer (caller frees).
 * Refuses symlinks (O_NOFOLLOW). Returns 0 or a status.
 */
int file_read_all(const char *path, char **data, size_t *len) WUR;

/*
 * Take an exclusive lock on path (created mode 0600 when missing, never
 * through a symlink), waiting at most wait_seconds for another holder to
 * let go. *fd holds the lock until file_unlock. Returns 0, STATUS_LOCKED
 * or a status.
 */
int file_lock(const char *path, unsigned wait_seconds, int *fd) WUR;
void file_unlock(int fd);

/*
 * Create folder path (mode, e.g. 0700) and any missing parents (0755), as
 * mkdir -p does. An existing folder is fine. Returns 0 or a status.
 */
int file_mkdirs(const char *path, unsigned mode) WUR;

#endif
