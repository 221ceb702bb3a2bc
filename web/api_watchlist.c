/*
 * The watchlist over the API: list (JSON, or CSV with ?format=csv), add one account by login
 * or id with a reason and a note, import a CSV file (the known-bots import's rules), remove.
 * Entries are kept by Twitch id once known, so a renamed account stays watched.
 */
#include "web/internal.h"
#include "report/chatter_page.h"

#include "base/clock.h"
#include "base/csv.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "report/watchlist_csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static json_t *watch_json(const struct store_watch *w)
{
    char added[32], id[24];
    clock_format_rfc3339(w->added_at_ms, added, sizeof added);
    snprintf(id, sizeof id, "%lld", (long long)w->user_id);
    return json_pack("{s:I, s:s, s:o, s:s, s:s, s:s}", "id", (json_int_t)w->id, "login", w->login,
                     "user_id", w->user_id ? json_string(id) : json_null(), "reason", w->reason,
                     "note", w->note, "added_at", added);
}

/* The watchlist as a CSV download (small: at most a few thousand rows, built in memory). */
static void reply_csv(struct web_req *r, const struct store_watch *w, size_t n)
{
    char err[128];
    struct buf b;
    buf_init(&b, 8 * 1024 * 1024);
    if (report_watchlist_csv_write(&b, w, n, err, sizeof err)) {
        buf_free(&b);
        web_error(r, 500, "internal", "could not write the watchlist");
        return;
    }
    free(r->resp);
    r->resp_len = b.len;
    r->resp = buf_steal(&b);
    r->ctype = "text/csv; charset=utf-8";
    r->status = 200;
    free(r->disposition);
    r->disposition = xstrdup("attachment; filename=\"watchlist.csv\"");
}

void web_api_watchlist(struct web_req *r)
{
    struct store_watch *w = NULL;
    size_t n = 0;
    char err[256];
    if (!web_store(r))
        return;
    const char *format = web_query(r, "format");
    if (format && strcmp(format, "csv") && strcmp(format, "json")) {
        web_error(r, 400, "invalid_query", "format is json or csv");
        return;
    }
    int rc = store_watch_list(r->st, r->user_id, &w, &n, err, sizeof err);
    if (rc) {
        web_fail(r, rc, err);
        return;
    }
    if (format && strcmp(format, "csv") == 0) {
        reply_csv(r, w, n);
    } else {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, watch_json(&w[i]));
        web_reply_json(r, 200, json_pack("{s:o}", "watchlist", a));
    }
    free(w);
}

/* Stores rows for the user; replies with how many were stored. */
static void put_all(struct web_req *r, struct store_watch *rows, size_t n, int single)
{
    char err[256];
    int64_t id = 0;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        rows[i].owner_id = r->user_id;
        rows[i].added_at_ms = web_now_ms(r);
        rc = store_watch_put(r->st, &rows[i], &id, err, sizeof err);
        rows[i].id = id;
    }
    report_chatter_cache_drop_user(r->w->chatters, r->user_id); /* the tables mark watched rows */
    if (rc)
        web_fail(r, rc, err);
    else if (single)
        web_reply_json(r, 201, watch_json(&rows[0]));
    else
        web_reply_json(r, 200, json_pack("{s:I}", "stored", (json_int_t)n));
}

void web_api_watch_add(struct web_req *r)
{
    json_t *body = NULL;
    json_error_t je;
    const char *login = "", *user_id = "", *reason = "", *note = "";
    if (!web_store(r) || web_body_json(r, &body) < 0)
        goto out;
    if (json_unpack_ex(body, &je, JSON_STRICT, "{s?:s, s?:s, s?:s, s?:s}", "login", &login,
                       "user_id", &user_id, "reason", &reason, "note", &note) != 0) {
        web_error(r, 400, "invalid_body", "%s", je.text);
        goto out;
    }
    /* one checker for the API and the import: the row as a CSV line would be */
    struct buf line;
    buf_init(&line, 4096);
    csv_field(&line, login, 0);
    csv_field(&line, user_id, 0);
    csv_field(&line, reason, 0);
    csv_field(&line, note, 1);
    struct store_watch *rows = NULL;
    size_t n = 0;
    char err[256];
    int rc = report_watchlist_csv_parse(line.data ? line.data : "", line.len, &rows, &n, err,
                                        sizeof err);
    buf_free(&line);
    if (rc || n != 1)
        web_error(r, 400, "invalid_body", "%s",
                  rc ? err + (strncmp(err, "line 1: ", 8) ? 0 : 8)
                     : "a login or a user_id is needed");
    else
        put_all(r, rows, 1, 1);
    free(rows);
out:
    json_decref(body);
}

void web_api_watch_import(struct web_req *r)
{
    struct store_watch *rows = NULL;
    size_t n = 0;
    char err[256];
    if (!web_store(r))
        return;
    const char *ctype = web_header(r, "Content-Type");
    if (!ctype || strncasecmp(ctype, "text/csv", 8) != 0) {
        web_error(r, 415, "unsupported_media_type", "send the list as text/csv");
        return;
    }
    int rc = report_watchlist_csv_parse(r->body.data ? r->body.data : "", r->body.len, &rows, &n,
                                        err, sizeof err);
    if (rc)
        web_error(r, rc == TCA_ELIMIT ? 413 : 400, "invalid", "%s", err);
    else
        put_all(r, rows, n, 0);
    free(rows);
}

void web_api_watch_remove(struct web_req *r)
{
    int64_t id;
    char err[256];
    if (web_param_id(r, 0, &id) < 0 || !web_store(r))
        return;
    int rc = store_watch_remove(r->st, r->user_id, id, err, sizeof err);
    report_chatter_cache_drop_user(r->w->chatters, r->user_id);
    if (rc)
        web_fail(r, rc, rc == TCA_ENOTFOUND ? "no such watched account" : err);
    else
        web_reply_json(r, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "removed", 1));
}
