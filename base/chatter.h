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

struct chatter {
    int64_t id;
    char login[CHATTER_LOGIN_MAX + 1];
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
/** Sorts by id and removes repeated ids (one of the repeated logins is kept). */
void chatter_set_sort_unique(struct chatter_set *s);
/** Frees the items; the set is empty afterwards. chatter_set_free on an empty set is a no-op. */
void chatter_set_free(struct chatter_set *s);

#endif
