/*
 * The chatter id index: maps Twitch user ids (int64) to dense uint32 numbers 0..n-1 in
 * order of first insertion, so per-chatter totals live in plain arrays and chatter sets in
 * 32-bit CRoaring bitmaps (Debian's CRoaring has no 64-bit bitmaps in C). Open addressing
 * with linear probing, kept at most half full. Must never be shared between threads while
 * being written.
 */
#ifndef TCA_AN_IDS_H
#define TCA_AN_IDS_H

#include <stddef.h>
#include <stdint.h>

#include <roaring/roaring.h>

/** Owns ids and slots; zero-initialise with an_id_index_init and free with an_id_index_free. */
struct an_id_index {
    int64_t *ids;    /* ids[i]: the Twitch id given number i */
    uint32_t n;      /* ids indexed so far */
    uint32_t cap;    /* room in ids */
    uint32_t *slots; /* number + 1 per slot, 0 when empty */
    uint32_t mask;   /* slot count - 1 (a power of two) */
};

/** Prepares an empty index sized for about expected ids (it grows past that). */
void an_id_index_init(struct an_id_index *ix, size_t expected);
/** Returns the number of id, giving it the next free number if it is new. */
uint32_t an_id_index_add(struct an_id_index *ix, int64_t id);
/** Sets *number and returns 1 when id is indexed, else returns 0. */
int an_id_index_find(const struct an_id_index *ix, int64_t id, uint32_t *number);
/** Frees the index; safe on a zeroed struct. */
void an_id_index_free(struct an_id_index *ix);
/** A new bitmap (caller frees with roaring_bitmap_free) of the numbers of ids, added first. */
roaring_bitmap_t *an_id_index_bitmap(struct an_id_index *ix, const int64_t *ids, size_t n);

/** Sorts ids ascending in place (LSD radix sort: ids are large, qsort was the hot spot). */
void an_ids_sort(int64_t *ids, size_t n);
/**
 * Writes to order[0..n) the positions of ids in ascending id order (stable: equal ids keep
 * their input order), leaving ids untouched.
 */
void an_ids_order(const int64_t *ids, size_t n, uint32_t *order);
/** Sorts and removes repeats in place; returns the new count. */
size_t an_ids_sort_unique(int64_t *ids, size_t n);
/** 1 when id is in ids (sorted ascending), else 0. */
int an_ids_contain(const int64_t *ids, size_t n, int64_t id);

#endif
