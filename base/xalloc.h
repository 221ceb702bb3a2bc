/*
 * Allocation wrappers that abort on out-of-memory, so callers never check for NULL.
 * Sizes that come from outside must be capped before they reach these.
 */
#ifndef TCA_XALLOC_H
#define TCA_XALLOC_H

#include <stddef.h>

/** malloc that aborts on failure. */
void *xmalloc(size_t n);
/** calloc that aborts on failure or overflow. */
void *xcalloc(size_t count, size_t size);
/** realloc that aborts on failure. */
void *xrealloc(void *p, size_t n);
/** reallocarray that aborts on failure or overflow. */
void *xreallocarray(void *p, size_t count, size_t size);
/**
 * Makes room for element n of an array of elem-byte elements with capacity *cap, doubling
 * from first; returns the (possibly moved) array. Aborts on failure or overflow.
 */
void *xgrow(void *p, size_t *cap, size_t n, size_t elem, size_t first);
/** strdup that aborts on failure; xstrdup(NULL) returns NULL. */
char *xstrdup(const char *s);
/** strndup that aborts on failure. */
char *xstrndup(const char *s, size_t n);
/** asprintf that aborts on failure; the caller frees the result. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
