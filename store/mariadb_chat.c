/*
 * Chat activity in the MariaDB store: the per-session chat capture setting, message counts per
 * chatter and minute, raids Twitch announced. Must never store a message's text; rows go with
 * their session (ON DELETE CASCADE).
 */
#include "store/mariadb_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

int my_chat_set(struct store *st, int64_t session_id, int enabled, int64_t now_ms, char *err,
                size_t errlen)
{
    int64_t found = 0;
    int rc = my_query_int(st, "SELECT COUNT(*) FROM sessions WHERE id = ?",
                          MY_ARGS(MY_INT(session_id)), &found, err, errlen);
    if (!rc && !found)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no such session");
    if (!rc)
        rc = my_exec(st,
                     "INSERT INTO chat_settings(session_id, enabled, status, updated_at)"
                     " VALUES(?, ?, '', ?) ON DUPLICATE KEY UPDATE enabled = VALUES(enabled),"
                     " status = '', updated_at = VALUES(updated_at)",
                     MY_ARGS(MY_INT(session_id), MY_INT(enabled ? 1 : 0), MY_INT(now_ms)), NULL,
                     NULL, err, errlen);
    return rc;
}

int my_chat_note(struct store *st, int64_t session_id, const char *status, int64_t now_ms,
                 char *err, size_t errlen)
{
    return my_exec(st, "UPDATE chat_settings SET status = ?, updated_at = ? WHERE session_id = ?",
                   MY_ARGS(MY_TEXT(status), MY_INT(now_ms), MY_INT(session_id)), NULL, NULL, err,
                   errlen);
}

int my_chat_get(struct store *st, int64_t session_id, struct store_chat_setting *out, char *err,
                size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->session_id = session_id;
    struct my_rows r;
    int rc = my_query(st,
                      "SELECT enabled, status, updated_at, counts_seq FROM chat_settings"
                      " WHERE session_id = ?",
                      MY_ARGS(MY_INT(session_id)), &r, err, errlen);
    if (rc)
        return rc;
    rc = my_next(&r, err, errlen);
    if (rc == 1) {
        out->enabled = (int)my_int(&r, 0);
        my_text(&r, 1, out->status, sizeof out->status);
        out->updated_at_ms = my_int(&r, 2);
        out->counts_seq = my_int(&r, 3);
    }
    my_done(&r);
    return rc < 0 ? rc : 0;
}

int my_chat_targets(struct store *st, struct store_chat_target **out, size_t *n, char *err,
                    size_t errlen)
{
    *out = NULL;
    *n = 0;
    struct my_rows r;
    int rc = my_query(st,
                      "SELECT s.id, s.user_id, sc.channel_id FROM chat_settings cs"
                      " JOIN sessions s ON s.id = cs.session_id AND s.active = 1"
                      " JOIN session_channels sc ON sc.session_id = s.id WHERE cs.enabled = 1"
                      /* a channel captured by hand is in the session too */
                      " UNION SELECT s.id, s.user_id, c.channel_id FROM chat_settings cs"
                      " JOIN sessions s ON s.id = cs.session_id AND s.active = 1"
                      " JOIN captures c ON c.session_id = s.id WHERE cs.enabled = 1"
                      " ORDER BY 2, 3, 1",
                      MY_NOARGS, &r, err, errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 16);
        struct store_chat_target *t = &(*out)[(*n)++];
        t->session_id = my_int(&r, 0);
        t->user_id = my_int(&r, 1);
        t->channel_id = my_int(&r, 2);
    }
    my_done(&r);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return 0;
}

/* Tells cached statistics the session's chat changed (rows sorted by session: one bump each). */
static int bump(struct store *st, int64_t session_id, char *err, size_t errlen)
{
    return my_exec(st, "UPDATE chat_settings SET counts_seq = counts_seq + 1 WHERE session_id = ?",
                   MY_ARGS(MY_INT(session_id)), NULL, NULL, err, errlen);
}

int my_chat_add(struct store *st, const struct store_chat_count *rows, size_t n, char *err,
                size_t errlen)
{
    int rc = my_begin(st, err, errlen);
    if (rc)
        return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        const struct store_chat_count *c = &rows[i];
        rc = my_exec(st,
                     "INSERT INTO chat_counts(session_id, channel_id, minute, user_id, login,"
                     " messages, emote_only, scored, score_sum, positive, negative)"
                     " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                     " ON DUPLICATE KEY UPDATE login = VALUES(login),"
                     " messages = messages + VALUES(messages),"
                     " emote_only = emote_only + VALUES(emote_only),"
                     " scored = scored + VALUES(scored), score_sum = score_sum + VALUES(score_sum),"
                     " positive = positive + VALUES(positive),"
                     " negative = negative + VALUES(negative)",
                     MY_ARGS(MY_INT(c->session_id), MY_INT(c->channel_id), MY_INT(c->minute_ms),
                             MY_INT(c->user_id), MY_TEXT(c->login), MY_INT(c->messages),
                             MY_INT(c->emote_only), MY_INT(c->scored), MY_INT(c->score_sum),
                             MY_INT(c->positive), MY_INT(c->negative)),
                     NULL, NULL, err, errlen);
        if (!rc && (i == 0 || rows[i - 1].session_id != c->session_id))
            rc = bump(st, c->session_id, err, errlen);
    }
    if (!rc)
        rc = my_commit(st, err, errlen);
    if (rc)
        my_rollback(st);
    return rc;
}

int my_chat_counts(struct store *st, int64_t session_id, int64_t channel_id,
                   struct store_chat_count **out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    struct my_rows r;
    int rc = my_query(st,
                      "SELECT channel_id, minute, user_id, login, messages, emote_only,"
                      " scored, score_sum, positive, negative FROM chat_counts WHERE session_id = "
                      "? AND (? = 0 OR channel_id = ?)"
                      " ORDER BY channel_id, minute, user_id",
                      MY_ARGS(MY_INT(session_id), MY_INT(channel_id), MY_INT(channel_id)), &r, err,
                      errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 64);
        struct store_chat_count *c = &(*out)[(*n)++];
        memset(c, 0, sizeof *c);
        c->session_id = session_id;
        c->channel_id = my_int(&r, 0);
        c->minute_ms = my_int(&r, 1);
        c->user_id = my_int(&r, 2);
        my_text(&r, 3, c->login, sizeof c->login);
        c->messages = my_int(&r, 4);
        c->emote_only = my_int(&r, 5);
        c->scored = my_int(&r, 6);
        c->score_sum = my_int(&r, 7);
        c->positive = my_int(&r, 8);
        c->negative = my_int(&r, 9);
    }
    my_done(&r);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return 0;
}

int my_chat_raid_add(struct store *st, const struct store_chat_raid *r, char *err, size_t errlen)
{
    int rc = my_exec(st,
                     "INSERT IGNORE INTO chat_raids(session_id, channel_id, from_id, from_login,"
                     " viewers, at) VALUES(?, ?, ?, ?, ?, ?)",
                     MY_ARGS(MY_INT(r->session_id), MY_INT(r->channel_id), MY_INT(r->from_id),
                             MY_TEXT(r->from_login), MY_INT(r->viewers), MY_INT(r->at_ms)),
                     NULL, NULL, err, errlen);
    return rc ? rc : bump(st, r->session_id, err, errlen);
}

int my_chat_raids(struct store *st, int64_t session_id, struct store_chat_raid **out, size_t *n,
                  char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    struct my_rows r;
    int rc = my_query(st,
                      "SELECT channel_id, from_id, from_login, viewers, at FROM chat_raids"
                      " WHERE session_id = ? ORDER BY at, channel_id, from_id",
                      MY_ARGS(MY_INT(session_id)), &r, err, errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 4);
        struct store_chat_raid *x = &(*out)[(*n)++];
        memset(x, 0, sizeof *x);
        x->session_id = session_id;
        x->channel_id = my_int(&r, 0);
        x->from_id = my_int(&r, 1);
        my_text(&r, 2, x->from_login, sizeof x->from_login);
        x->viewers = my_int(&r, 3);
        x->at_ms = my_int(&r, 4);
    }
    my_done(&r);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return 0;
}
