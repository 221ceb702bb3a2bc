/*
 * A growable byte buffer with a hard cap, so a size chosen by a remote peer can never
 * grow memory without limit. Always NUL-terminated for convenience.
 */
#ifndef TCA_BUF_H
#define TCA_BUF_H

#include <stddef.h>

struct buf {
    char *data; /* owned; NUL-terminated when len > 0 or after buf_append */
    size_t len;
    size_t cap;
    size_t max; /* appends that would pass this fail; 0 means no cap */
};

/** Initialises an empty buffer capped at max bytes (0: uncapped). */
void buf_init(struct buf *b, size_t max);
/** Appends n bytes; returns 0, or -1 when the cap would be passed (buffer unchanged). */
int buf_append(struct buf *b, const void *p, size_t n);
/** Appends a NUL-terminated string; same result as buf_append. */
int buf_puts(struct buf *b, const char *s);
/** Appends formatted text; same result as buf_append. */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);
/** Frees the memory; the buffer may be reused after buf_init. */
void buf_free(struct buf *b);
/** Hands the data to the caller (who frees it) and empties the buffer. */
char *buf_steal(struct buf *b);

#endif
