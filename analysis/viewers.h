/*
 * New and returning viewers: which chatters of a session came to the channel for the first
 * time, which came back (and how often, and when last), and who the regulars are. Must
 * never do I/O; the history comes from the caller (channel_chatters in the store).
 */
#ifndef TCA_AN_VIEWERS_H
#define TCA_AN_VIEWERS_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/participation.h"
#include "analysis/stays.h"

/** One chatter of the session, classified. */
struct an_viewer {
    int64_t user_id;
    int returning;           /* 1: first seen ever in another session; 0: new */
    size_t earlier_sessions; /* distinct sessions other than this one in the history */
    int64_t last_seen_ms;    /* latest last_seen_ms among those sessions; 0 if none */
    size_t sessions;         /* earlier_sessions + 1: sessions attended, this one included */
    int64_t present_ms;      /* time present in this session */
};

/** The classification; owns viewers (sorted by user_id). */
struct an_viewers {
    struct an_viewer *viewers;
    size_t n;
    size_t n_new;
    size_t n_returning;
};

/**
 * Classifies the chatters of session session_id (chatters from an_participation, sorted
 * by user_id) against their history (sorted by user_id; NULL when n_history is 0). A chatter
 * is new when it has no history or its first_session_id is this session, else returning.
 * Free out with an_viewers_free.
 */
void an_viewers(int64_t session_id, const struct an_chatter_time *chatters, size_t n,
                const struct an_history *history, size_t n_history, struct an_viewers *out);
/** Frees the viewers; safe on a zeroed struct. */
void an_viewers_free(struct an_viewers *v);

/**
 * The regulars: a new array (caller frees) of at most `top` viewers, ranked by sessions
 * attended (most first), then time present (most first), then user_id (smallest first).
 * *n_out receives how many.
 */
struct an_viewer *an_regulars(const struct an_viewers *v, size_t top, size_t *n_out);

#endif
