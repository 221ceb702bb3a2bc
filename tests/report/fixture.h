/*
 * A store for the analysis and report tests: a real SQLite file with two users and three
 * channels, and helpers that commit full snapshots through store_capture_commit (diffed
 * as the capture job does) and store enriched profiles. Header-only: each test program
 * includes it once.
 */
#ifndef TCA_TESTS_REPORT_FIXTURE_H
#define TCA_TESTS_REPORT_FIXTURE_H

#include "tests/support/store_backend.h"
#include "tests/support/store_capture.h"
#include "tests/support/testutil.h"
#include "analysis/ids.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FX_USER = 10, FX_OTHER = 11, FX_ALPHA = 500, FX_BETA = 600, FX_GAMMA = 700 };

/** 2025-01-01T00:00:00Z, where fixture time starts. */
#define FX_T0 1735689600000LL

struct fx {
    char *url; /* the store, on the back end under test (tests/support/store_backend.h) */
    struct store *st;
    int64_t session; /* FX_USER's active session */
};

static inline int fx_setup(void **state)
{
    struct fx *f = xcalloc(1, sizeof *f);
    char err[256] = "";
    f->url = test_store_url();
    int rc = store_open(f->url, &f->st, err, sizeof err);
    const int64_t users[] = {FX_USER, FX_OTHER};
    for (int i = 0; i < 2 && !rc; i++) {
        struct store_user u = {.id = users[i], .last_login_ms = i};
        snprintf(u.login, sizeof u.login, "mod%d", i);
        snprintf(u.display_name, sizeof u.display_name, "Mod%d", i);
        rc = store_user_upsert(f->st, &u, err, sizeof err);
    }
    const int64_t channels[] = {FX_ALPHA, FX_BETA, FX_GAMMA};
    const char *const names[] = {"alpha", "beta", "gamma"};
    for (int i = 0; i < 3 && !rc; i++) {
        struct store_channel c = {.id = channels[i]};
        snprintf(c.login, sizeof c.login, "%s", names[i]);
        snprintf(c.display_name, sizeof c.display_name, "%s", names[i]);
        rc = store_channel_upsert(f->st, &c, err, sizeof err);
    }
    if (!rc)
        rc = store_session_active(f->st, FX_USER, FX_T0, &f->session, err, sizeof err);
    if (rc) {
        fprintf(stderr, "fixture: %s\n", err);
        return -1;
    }
    *state = f;
    return 0;
}

static inline int fx_teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->st);
    test_store_drop(f->url);
    free(f);
    return 0;
}

/**
 * Commits the next capture of (session, channel) holding exactly ids (any order, unique)
 * through the worker's ingest path, renames included; logins (may be NULL) are the names
 * Twitch gives them, else their stored profile's or u<id>.
 */
static inline void fx_capture_named(struct store *st, int64_t session, int64_t channel,
                                    const int64_t *ids, const char *const *logins, size_t n,
                                    int64_t taken_at)
{
    char err[256], login[32];
    struct chatter_set set;
    chatter_set_init(&set);
    /* Twitch gives the current names: the enriched ones when the test stored a profile
     * (else a capture would see every such chatter rename back to u<id>). */
    for (size_t i = 0; i < n; i++) {
        struct store_profile p;
        if (logins && logins[i]) {
            chatter_set_add_named(&set, ids[i], logins[i], logins[i]);
            continue;
        }
        if (store_profile_get(st, ids[i], &p, err, sizeof err) == 0) {
            chatter_set_add_named(&set, ids[i], p.login, p.display_name);
            continue;
        }
        snprintf(login, sizeof login, "u%lld", (long long)ids[i]);
        chatter_set_add(&set, ids[i], login);
    }
    chatter_set_sort_unique(&set);
    test_capture_set(st, session, channel, &set, taken_at);
    chatter_set_free(&set);
}

/** fx_capture_named with the chatters' stored or default names. */
static inline void fx_capture(struct store *st, int64_t session, int64_t channel,
                              const int64_t *ids, size_t n, int64_t taken_at)
{
    fx_capture_named(st, session, channel, ids, NULL, n, taken_at);
}

/** Stores an enriched profile. */
static inline void fx_profile(struct store *st, int64_t id, const char *login, int64_t created_at,
                              int64_t enriched_at)
{
    char err[256];
    struct store_profile p = {.id = id, .created_at_ms = created_at, .enriched_at_ms = enriched_at};
    snprintf(p.login, sizeof p.login, "%s", login);
    snprintf(p.display_name, sizeof p.display_name, "%s", login);
    int renames;
    assert_int_equal(store_profile_put(st, &p, 1, &renames, err, sizeof err), 0);
}

/** Ends user's active session and starts a new one at now. */
static inline int64_t fx_new_session(struct fx *f, int64_t user, int64_t now)
{
    char err[256];
    assert_int_equal(store_session_deactivate(f->st, user, now, err, sizeof err), 0);
    int64_t id;
    assert_int_equal(store_session_active(f->st, user, now, &id, err, sizeof err), 0);
    return id;
}

#endif
