/*
 * Channel roles on MariaDB: each read from Twitch replaces a channel's holders of one role in
 * one transaction, with the time of the read. Never decides who holds a role: it keeps what
 * the capture read.
 */
#include "store/mariadb_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

int my_roles_replace(struct store *st, int64_t channel_id, int role, const int64_t *ids, size_t n,
                     int64_t read_at_ms, char *err, size_t errlen)
{
    int rc = my_begin(st, err, errlen);
    if (rc)
        return rc;
    rc = my_exec(st, "DELETE FROM channel_roles WHERE channel_id = ? AND role = ?",
                 MY_ARGS(MY_INT(channel_id), MY_INT(role)), NULL, NULL, err, errlen);
    for (size_t i = 0; i < n && !rc; i++)
        rc = my_exec(
            st, "INSERT IGNORE INTO channel_roles(channel_id, role, user_id) VALUES(?,?,?)",
            MY_ARGS(MY_INT(channel_id), MY_INT(role), MY_INT(ids[i])), NULL, NULL, err, errlen);
    if (!rc)
        rc = my_exec(st,
                     "INSERT INTO channel_roles_read(channel_id, role, read_at) VALUES(?,?,?)"
                     " ON DUPLICATE KEY UPDATE read_at = VALUES(read_at)",
                     MY_ARGS(MY_INT(channel_id), MY_INT(role), MY_INT(read_at_ms)), NULL, NULL, err,
                     errlen);
    if (!rc)
        rc = my_commit(st, err, errlen);
    if (rc)
        my_rollback(st);
    return rc;
}

int my_roles_list(struct store *st, const int64_t *channels, size_t n_channels,
                  struct store_role_holder **out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    int rc = 0;
    for (size_t c = 0; c < n_channels && rc >= 0; c++) {
        struct my_rows r;
        if ((rc = my_query(st,
                           "SELECT user_id, role FROM channel_roles WHERE channel_id = ?"
                           " ORDER BY user_id, role",
                           MY_ARGS(MY_INT(channels[c])), &r, err, errlen)))
            break;
        while ((rc = my_next(&r, err, errlen)) == 1) {
            *out = xgrow(*out, &cap, *n, sizeof **out, 64);
            struct store_role_holder *h = &(*out)[(*n)++];
            h->channel_id = channels[c];
            h->user_id = my_int(&r, 0);
            h->role = (int)my_int(&r, 1);
        }
        my_done(&r);
    }
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return 0;
}

int my_roles_read_at(struct store *st, int64_t channel_id, int role, int64_t *read_at_ms, char *err,
                     size_t errlen)
{
    *read_at_ms = 0;
    int rc = my_query_int(st,
                          "SELECT COALESCE(MAX(read_at), 0) FROM channel_roles_read"
                          " WHERE channel_id = ? AND role = ?",
                          MY_ARGS(MY_INT(channel_id), MY_INT(role)), read_at_ms, err, errlen);
    return rc;
}
