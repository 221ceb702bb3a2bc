/*
 * The statistics API: thin handlers over report/ (session statistics, overlap, a chatter's
 * profile, a channel's history, the known-bots list) and the streamed exports. Every
 * handler acts for the requesting user; report/ refuses sessions that user does not own
 * with TCA_ENOTFOUND, which becomes the same 404 as an absent session.
 */
#include "web/internal.h"

#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "report/chatter_page.h"
#include "report/report.h"
#include "report/stats_cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Query parameters that select what a handler does rather than a report option. */
static const char *const own_params[] = {"sections", "what", "format",    "capture",
                                         "a",        "b",    "session_a", "session_b"};

struct query_scan {
    struct report_options *o;
    unsigned sections;
    char err[160];
    int bad;
};

/* Channel filters may come as channel=a&channel=b or channel=a,b. */
static int set_channels(struct report_options *o, const char *v, char *err, size_t errlen)
{
    char login[32];
    while (*v) {
        size_t len = strcspn(v, ",");
        if (len == 0 || len >= sizeof login)
            return tca_fail(err, errlen, TCA_EINVAL, "channel: not a channel login");
        memcpy(login, v, len);
        login[len] = '\0';
        int rc = report_option_set(o, "channel", login, err, errlen);
        if (rc)
            return rc;
        v += len + (v[len] == ',');
    }
    return 0;
}

static enum MHD_Result scan_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    struct query_scan *q = cls;
    (void)kind;
    if (q->bad)
        return MHD_NO;
    if (!value)
        value = "";
    if (strcmp(key, "sections") == 0) {
        if (report_sections_parse(value, &q->sections, q->err, sizeof q->err))
            q->bad = 1;
        return q->bad ? MHD_NO : MHD_YES;
    }
    for (size_t i = 0; i < sizeof own_params / sizeof *own_params; i++)
        if (strcmp(key, own_params[i]) == 0)
            return MHD_YES;
    int rc = strcmp(key, "channel") == 0
                 ? set_channels(q->o, value, q->err, sizeof q->err)
                 : report_option_set(q->o, key, value, q->err, sizeof q->err);
    if (rc)
        q->bad = 1;
    return q->bad ? MHD_NO : MHD_YES;
}

/* Reads every query parameter into o (and *sections); replies 400 and returns -1 if bad. */
static int read_options(struct web_req *r, struct report_options *o, unsigned *sections_out)
{
    struct query_scan q = {.o = o, .sections = 0};
    report_options_default(o);
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, scan_arg, &q);
    if (q.bad) {
        web_error(r, 400, "invalid", "%s", q.err);
        return -1;
    }
    if (sections_out)
        *sections_out = q.sections ? q.sections : REPORT_SUMMARY;
    return 0;
}

static void reply_report(struct web_req *r, int rc, json_t *doc, const char *err)
{
    if (rc == TCA_ENOTFOUND)
        web_error(r, 404, "not_found", "%s", err);
    else if (rc)
        web_fail(r, rc, err);
    else
        web_reply_json(r, 200, doc);
}

static struct store *take_aside(void *ctx)
{
    return web_store(ctx);
}

void web_api_session_stats(struct web_req *r)
{
    struct store_session s;
    struct report_options o;
    unsigned bits;
    char err[256], *json = NULL;
    size_t len = 0;
    if (web_own_session(r, 0, &s) < 0 || read_options(r, &o, &bits) < 0)
        return;
    /* a second pooled connection, borrowed only when the document must be built, so the
     * profiles are read beside the stays */
    struct web_req aside = {.w = r->w, .route = -1};
    struct report_aside second = {take_aside, &aside};
    int rc = report_stats_cached(r->w->stats, r->st, &second, &s, &o, bits, web_now_ms(r), &json,
                                 &len, err, sizeof err);
    web_release(&aside);
    free(aside.resp); /* a 503 from an unavailable store goes nowhere */
    if (rc) {
        reply_report(r, rc, NULL, err);
        return;
    }
    free(r->resp);
    r->resp = json;
    r->resp_len = len;
    r->ctype = "application/json";
    r->status = 200;
}

void web_api_session_overlap(struct web_req *r)
{
    struct store_session s;
    struct report_options o;
    json_t *doc = NULL;
    char err[256];
    if (web_own_session(r, 0, &s) < 0 || read_options(r, &o, NULL) < 0)
        return;
    const char *a = web_query(r, "a"), *b = web_query(r, "b");
    if (!a || !b || !*a || !*b) {
        web_error(r, 400, "invalid", "a and b: the logins of two channels of the session");
        return;
    }
    int rc = report_overlap_channels(r->st, r->user_id, s.id, a, b, &doc, err, sizeof err);
    reply_report(r, rc, doc, err);
}

void web_api_overlap_sessions(struct web_req *r)
{
    struct report_options o;
    int64_t a, b;
    json_t *doc = NULL;
    char err[256];
    if (web_query_int(r, "session_a", 1, INT64_MAX, 0, &a) < 0 ||
        web_query_int(r, "session_b", 1, INT64_MAX, 0, &b) < 0 || read_options(r, &o, NULL) < 0)
        return;
    if (!a || !b) {
        web_error(r, 400, "invalid", "session_a and session_b: two of your session ids");
        return;
    }
    if (!web_store(r))
        return;
    int rc = report_overlap_sessions(r->st, r->user_id, a, b, &o, &doc, err, sizeof err);
    reply_report(r, rc, doc, err);
}

void web_api_chatter(struct web_req *r)
{
    int64_t id;
    json_t *doc = NULL;
    char err[256];
    if (web_param_id(r, 0, &id) < 0 || !web_store(r))
        return;
    int rc = report_chatter(r->st, r->user_id, id, &doc, err, sizeof err);
    reply_report(r, rc, doc, "no such chatter in your sessions");
}

void web_api_channel_history(struct web_req *r)
{
    struct report_options o;
    json_t *doc = NULL;
    char err[256];
    if (read_options(r, &o, NULL) < 0 || !web_store(r))
        return;
    int rc = report_channel_history(r->st, r->user_id, r->params[0], &o, &doc, err, sizeof err);
    reply_report(r, rc, doc, err);
}

/* ---- exports ---------------------------------------------------------------------------- */

static void file_name(const struct store_session *s, const char *channel, const char *what,
                      const char *ext, int64_t now_ms, char *out, size_t outlen)
{
    char day[32];
    clock_format_rfc3339(now_ms, day, sizeof day);
    day[10] = '\0';
    if (channel)
        snprintf(out, outlen, "tca-%s-%s-%s.%s", channel, what, day, ext);
    else
        snprintf(out, outlen, "tca-session%lld-%s-%s.%s", (long long)s->id, what, day, ext);
}

void web_api_session_export(struct web_req *r)
{
    struct store_session s;
    struct report_options o;
    struct report_export x = {0};
    char err[256] = "export failed";
    if (web_own_session(r, 0, &s) < 0 || read_options(r, &o, NULL) < 0)
        return;
    const char *what = web_query(r, "what");
    const char *format = web_query(r, "format");
    int kind = report_export_kind_parse(what ? what : "chatters");
    if (kind < 0) {
        web_error(r, 400, "invalid", "what: chatters, timeline, capture, flagged or overlap");
        return;
    }
    if (format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) {
        web_error(r, 400, "invalid", "format: csv or json");
        return;
    }
    x.kind = (enum report_export_kind)kind;
    x.format = format && strcmp(format, "json") == 0 ? REPORT_JSON : REPORT_CSV;
    x.session_id = s.id;
    const char *channel = o.n_channels == 1 ? o.channels[0] : NULL;
    if (x.kind == REPORT_EXPORT_CAPTURE) {
        if (!channel) {
            web_error(r, 400, "invalid", "a capture export names one channel and a capture");
            return;
        }
        if (web_query_int(r, "capture", 1, INT64_MAX, 0, &x.capture_seq) < 0)
            return;
        if (!x.capture_seq) {
            web_error(r, 400, "invalid", "capture: the capture's number in its channel");
            return;
        }
        x.capture_channel = channel;
    }
    /* Everything that can refuse the export is checked before the headers go out: after
     * them, a failure can only cut the transfer short. */
    int rc = report_export_check(r->st, r->user_id, &x, &o, err, sizeof err);
    if (rc == TCA_ENOTFOUND) {
        web_error(r, 404, "not_found", "%s", err);
        return;
    }
    if (rc == TCA_EINVAL) {
        web_error(r, 400, "invalid", "%s", err);
        return;
    }
    if (rc) {
        web_fail(r, rc, err);
        return;
    }
    char name[160];
    file_name(&s, channel, what ? what : "chatters", x.format == REPORT_JSON ? "json" : "csv",
              web_now_ms(r), name, sizeof name);
    web_reply_export(r, &x, &o, s.captures,
                     x.format == REPORT_JSON ? "application/json" : "text/csv; charset=utf-8",
                     name);
}

/* ---- known bots ------------------------------------------------------------------------- */

void web_api_bots(struct web_req *r)
{
    json_t *doc = NULL;
    char err[256];
    if (!web_store(r))
        return;
    int rc = report_bots(r->st, r->user_id, &doc, err, sizeof err);
    reply_report(r, rc, doc, err);
}

static void add_bots(struct web_req *r, const struct store_known_bot *bots, size_t n)
{
    char err[256];
    size_t added = 0;
    int rc = store_bot_add(r->st, r->user_id, bots, n, web_now_ms(r), &added, err, sizeof err);
    if (rc) {
        web_fail(r, rc, err);
        return;
    }
    /* flags change with the list */
    report_chatter_cache_drop_user(r->w->chatters, r->user_id);
    report_stats_cache_drop_user(r->w->stats, r->user_id);
    web_reply_json(r, 200,
                   json_pack("{s:I, s:I}", "received", (json_int_t)n, "added", (json_int_t)added));
}

void web_api_bot_add(struct web_req *r)
{
    json_t *body;
    const char *login, *kind = "lurker";
    json_error_t je;
    if (!web_store(r) || web_body_json(r, &body) < 0)
        return;
    if (json_unpack_ex(body, &je, JSON_STRICT, "{s:s, s?s}", "login", &login, "kind", &kind) < 0) {
        json_decref(body);
        web_error(r, 400, "invalid", "expected {\"login\": \"...\", \"kind\": \"service|lurker\"}");
        return;
    }
    /* One row through the CSV parser: the same validation as an import. */
    char *line = xasprintf("%s,%s\n", login, kind);
    struct store_known_bot *bots = NULL;
    size_t n = 0;
    char err[256];
    int rc = strchr(login, ',') || strchr(kind, ',')
                 ? tca_fail(err, sizeof err, TCA_EINVAL, "login: letters, digits and _")
                 : report_bots_csv_parse(line, strlen(line), &bots, &n, err, sizeof err);
    free(line);
    json_decref(body);
    if (rc || n != 1) {
        web_error(r, 400, "invalid", "%s", rc ? err : "expected one bot");
        free(bots);
        return;
    }
    add_bots(r, bots, n);
    free(bots);
}

void web_api_bots_import(struct web_req *r)
{
    struct store_known_bot *bots = NULL;
    size_t n = 0;
    char err[256];
    if (!web_store(r))
        return;
    const char *ctype = web_header(r, "Content-Type");
    if (!ctype || strncasecmp(ctype, "text/csv", 8) != 0) {
        web_error(r, 415, "unsupported_media_type", "send the list as text/csv");
        return;
    }
    int rc = report_bots_csv_parse(r->body.data ? r->body.data : "", r->body.len, &bots, &n, err,
                                   sizeof err);
    if (rc) {
        web_error(r, 400, "invalid", "%s", err);
        return;
    }
    add_bots(r, bots, n);
    free(bots);
}

void web_api_bot_remove(struct web_req *r)
{
    char err[256];
    if (!web_store(r))
        return;
    int rc = store_bot_remove(r->st, r->user_id, r->params[0], err, sizeof err);
    if (!rc) {
        report_chatter_cache_drop_user(r->w->chatters, r->user_id);
        report_stats_cache_drop_user(r->w->stats, r->user_id);
    }
    if (rc == TCA_ENOTFOUND)
        web_error(r, 404, "not_found", "%s is not on your known-bots list", r->params[0]);
    else if (rc)
        web_fail(r, rc, err);
    else
        web_reply_json(r, 200, json_pack("{s:s}", "removed", r->params[0]));
}
