/*
 * The chatters seen by one capture: Twitch user ids with their login, gathered from the
 * pages of Get Chatters. Sorting makes the set unique, since Twitch pages may repeat a
 * chatter.
 */
#ifndef TCA_CHATTER_H
#define TCA_CHATTER_H

#include <stddef.h>
#include <stdint.h>

/** Twitch logins are 4-25 characters; anything past this is refused as malformed. */
#define CHATTER_LOGIN_MAX 31
/** Display names as long as a stored profile's, so a capture and an enrichment agree. */
#define CHATTER_NAME_MAX 127

struct chatter {
    int64_t id;
    char login[CHATTER_LOGIN_MAX + 1];
    char display_name[CHATTER_NAME_MAX + 1]; /* Twitch's user_name; "" when not given */
};

/** A growable array of chatters; owns items. Zero-initialise, or use chatter_set_init. */
struct chatter_set {
    struct chatter *items;
    size_t n;
    size_t cap;
};

/** Empties a set without allocating. */
void chatter_set_init(struct chatter_set *s);
/** Appends one chatter; login is truncated to CHATTER_LOGIN_MAX (callers validate first). */
void chatter_set_add(struct chatter_set *s, int64_t id, const char *login);
/** Appends one chatter with the display name Twitch gave (truncated to CHATTER_NAME_MAX). */
void chatter_set_add_named(struct chatter_set *s, int64_t id, const char *login,
                           const char *display_name);
/**
 * Parses an id as Twitch and tca write them (a Twitch user id, a session or capture number):
 * 1-19 decimal digits and nothing else, > 0, fits int64. Returns 0 or -1. The one id grammar:
 * HTTP paths, the command line and Twitch's answers all read ids through it.
 */
int chatter_parse_id(const char *s, int64_t *id);

/**
 * A 31-bit fingerprint of a login and display name: what a stay remembers of the name its
 * chatter had, so a capture finds renames without reading any name back. Never 0.
 */
int64_t chatter_name_hash(const char *login, const char *display_name);
/**
 * The chatters of now (sorted, unique) who were present before (open, sorted ids, with the
 * name hash each open stay recorded in open_hashes) under another name hash: the rename
 * candidates of a capture. *out (sorted) is the caller's to free().
 */
void chatter_renamed(const int64_t *open, const int64_t *open_hashes, size_t n_open,
                     const struct chatter *now, size_t n_now, int64_t **out, size_t *n_out);
/** Sorts by id and removes repeated ids (one of the repeated logins is kept). */
void chatter_set_sort_unique(struct chatter_set *s);
/** Frees the items; the set is empty afterwards. chatter_set_free on an empty set is a no-op. */
void chatter_set_free(struct chatter_set *s);

#endif
