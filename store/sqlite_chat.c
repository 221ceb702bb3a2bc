/*
 * Chat activity in the SQLite store: the per-session chat capture setting, message counts per
 * chatter and minute, raids Twitch announced. Must never store a message's text; rows go with
 * their session (ON DELETE CASCADE).
 */
#include "store/sqlite_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

int sq_chat_set(struct store *st, int64_t session_id, int enabled, int64_t now_ms, char *err,
                size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "INSERT INTO chat_settings(session_id, enabled, status, updated_at)"
                     " SELECT id, ?2, '', ?3 FROM sessions WHERE id = ?1"
                     " ON CONFLICT(session_id) DO UPDATE SET enabled = excluded.enabled,"
                     " status = '', updated_at = excluded.updated_at",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, session_id);
    sqlite3_bind_int(s, 2, enabled ? 1 : 0);
    sqlite3_bind_int64(s, 3, now_ms);
    rc = sq_run(st, s, err, errlen, "chat setting");
    if (!rc && sqlite3_changes(sq_conn(st)->db) == 0)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no such session");
    return rc;
}

int sq_chat_note(struct store *st, int64_t session_id, const char *status, int64_t now_ms,
                 char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc =
        sq_stmt(st, "UPDATE chat_settings SET status = ?2, updated_at = ?3 WHERE session_id = ?1",
                &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, session_id);
    sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, now_ms);
    return sq_run(st, s, err, errlen, "chat status");
}

int sq_chat_get(struct store *st, int64_t session_id, struct store_chat_setting *out, char *err,
                size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->session_id = session_id;
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "SELECT enabled, status, updated_at, counts_seq FROM chat_settings"
                     " WHERE session_id = ?",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, session_id);
    int src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        out->enabled = sqlite3_column_int(s, 0);
        sq_copy_text(out->status, sizeof out->status, s, 1);
        out->updated_at_ms = sqlite3_column_int64(s, 2);
        out->counts_seq = sqlite3_column_int64(s, 3);
    } else if (src != SQLITE_DONE) {
        rc = sq_fail(st, src, err, errlen, "chat setting");
    }
    sqlite3_reset(s);
    return rc;
}

int sq_chat_targets(struct store *st, struct store_chat_target **out, size_t *n, char *err,
                    size_t errlen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "SELECT s.id, s.user_id, sc.channel_id FROM chat_settings cs"
                     " JOIN sessions s ON s.id = cs.session_id AND s.active = 1"
                     " JOIN session_channels sc ON sc.session_id = s.id WHERE cs.enabled = 1"
                     /* a channel captured by hand is in the session too */
                     " UNION SELECT s.id, s.user_id, c.channel_id FROM chat_settings cs"
                     " JOIN sessions s ON s.id = cs.session_id AND s.active = 1"
                     " JOIN captures c ON c.session_id = s.id WHERE cs.enabled = 1"
                     " ORDER BY 2, 3, 1",
                     &s, err, errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 16);
        struct store_chat_target *t = &(*out)[(*n)++];
        t->session_id = sqlite3_column_int64(s, 0);
        t->user_id = sqlite3_column_int64(s, 1);
        t->channel_id = sqlite3_column_int64(s, 2);
    }
    sqlite3_reset(s);
    if (src != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return sq_fail(st, src, err, errlen, "chat targets");
    }
    return 0;
}

/* Tells cached statistics the session's chat changed (rows sorted by session: one bump each). */
static int bump(struct store *st, int64_t session_id, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc =
        sq_stmt(st, "UPDATE chat_settings SET counts_seq = counts_seq + 1 WHERE session_id = ?", &s,
                err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, session_id);
    return sq_run(st, s, err, errlen, "chat counts seq");
}

int sq_chat_add(struct store *st, const struct store_chat_count *rows, size_t n, char *err,
                size_t errlen)
{
    int rc = sq_begin(st, err, errlen);
    if (rc)
        return rc;
    sqlite3_stmt *s;
    rc = sq_stmt(st,
                 "INSERT INTO chat_counts(session_id, channel_id, minute, user_id, login,"
                 " messages, emote_only, scored, score_sum, positive, negative)"
                 " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                 " ON CONFLICT(session_id, channel_id, minute, user_id) DO UPDATE SET"
                 " login = excluded.login, messages = messages + excluded.messages,"
                 " emote_only = emote_only + excluded.emote_only,"
                 " scored = scored + excluded.scored, score_sum = score_sum + excluded.score_sum,"
                 " positive = positive + excluded.positive,"
                 " negative = negative + excluded.negative",
                 &s, err, errlen);
    for (size_t i = 0; i < n && !rc; i++) {
        const struct store_chat_count *c = &rows[i];
        sqlite3_bind_int64(s, 1, c->session_id);
        sqlite3_bind_int64(s, 2, c->channel_id);
        sqlite3_bind_int64(s, 3, c->minute_ms);
        sqlite3_bind_int64(s, 4, c->user_id);
        sqlite3_bind_text(s, 5, c->login, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 6, c->messages);
        sqlite3_bind_int64(s, 7, c->emote_only);
        sqlite3_bind_int64(s, 8, c->scored);
        sqlite3_bind_int64(s, 9, c->score_sum);
        sqlite3_bind_int64(s, 10, c->positive);
        sqlite3_bind_int64(s, 11, c->negative);
        rc = sq_run(st, s, err, errlen, "chat counts");
        if (!rc && (i == 0 || rows[i - 1].session_id != c->session_id))
            rc = bump(st, c->session_id, err, errlen);
    }
    if (!rc)
        rc = sq_commit(st, err, errlen);
    if (rc)
        sq_rollback(st);
    return rc;
}

int sq_chat_counts(struct store *st, int64_t session_id, int64_t channel_id,
                   struct store_chat_count **out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "SELECT channel_id, minute, user_id, login, messages, emote_only,"
                     " scored, score_sum, positive, negative FROM chat_counts WHERE session_id = "
                     "?1 AND (?2 = 0 OR channel_id = ?2)"
                     " ORDER BY channel_id, minute, user_id",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, session_id);
    sqlite3_bind_int64(s, 2, channel_id);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 64);
        struct store_chat_count *c = &(*out)[(*n)++];
        memset(c, 0, sizeof *c);
        c->session_id = session_id;
        c->channel_id = sqlite3_column_int64(s, 0);
        c->minute_ms = sqlite3_column_int64(s, 1);
        c->user_id = sqlite3_column_int64(s, 2);
        sq_copy_text(c->login, sizeof c->login, s, 3);
        c->messages = sqlite3_column_int64(s, 4);
        c->emote_only = sqlite3_column_int64(s, 5);
        c->scored = sqlite3_column_int64(s, 6);
        c->score_sum = sqlite3_column_int64(s, 7);
        c->positive = sqlite3_column_int64(s, 8);
        c->negative = sqlite3_column_int64(s, 9);
    }
    sqlite3_reset(s);
    if (src != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return sq_fail(st, src, err, errlen, "chat counts");
    }
    return 0;
}

int sq_chat_raid_add(struct store *st, const struct store_chat_raid *r, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "INSERT OR IGNORE INTO chat_raids(session_id, channel_id, from_id,"
                     " from_login, viewers, at) VALUES(?, ?, ?, ?, ?, ?)",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, r->session_id);
    sqlite3_bind_int64(s, 2, r->channel_id);
    sqlite3_bind_int64(s, 3, r->from_id);
    sqlite3_bind_text(s, 4, r->from_login, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, r->viewers);
    sqlite3_bind_int64(s, 6, r->at_ms);
    rc = sq_run(st, s, err, errlen, "chat raid");
    return rc ? rc : bump(st, r->session_id, err, errlen);
}

int sq_chat_raids(struct store *st, int64_t session_id, struct store_chat_raid **out, size_t *n,
                  char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "SELECT channel_id, from_id, from_login, viewers, at FROM chat_raids"
                     " WHERE session_id = ? ORDER BY at, channel_id, from_id",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, session_id);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 4);
        struct store_chat_raid *r = &(*out)[(*n)++];
        memset(r, 0, sizeof *r);
        r->session_id = session_id;
        r->channel_id = sqlite3_column_int64(s, 0);
        r->from_id = sqlite3_column_int64(s, 1);
        sq_copy_text(r->from_login, sizeof r->from_login, s, 2);
        r->viewers = sqlite3_column_int64(s, 3);
        r->at_ms = sqlite3_column_int64(s, 4);
    }
    sqlite3_reset(s);
    if (src != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return sq_fail(st, src, err, errlen, "chat raids");
    }
    return 0;
}
