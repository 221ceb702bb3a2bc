/*
 * GET /api/v1/sessions/{session}/chatters: one page of a session's chatter table, filtered,
 * searched and sorted by report/chatter_page.c, so the browser asks for the rows in view
 * instead of downloading the whole chatters export. Every parameter is checked here (400 on
 * anything else); the session answers 404 alike when absent or someone else's. Must never
 * answer more than REPORT_PAGE_MAX rows.
 */
#include "web/internal.h"

#include "base/err.h"
#include "report/chatter_page.h"

#include <stdio.h>
#include <string.h>

/* Longest search text: a Twitch login has at most 25 characters. */
#define SEARCH_MAX 25

struct page_scan {
    struct report_options *o;
    char err[160];
    int bad;
};

static const char *const page_params[] = {"offset", "limit",  "sort",        "order",
                                          "q",      "filter", "exclude_bots"};

static enum MHD_Result scan_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    struct page_scan *p = cls;
    (void)kind;
    for (size_t i = 0; i < sizeof page_params / sizeof *page_params; i++)
        if (strcmp(key, page_params[i]) == 0)
            return MHD_YES;
    if (!value || !*value) {
        snprintf(p->err, sizeof p->err, "%s: a value is needed", key);
        p->bad = 1;
        return MHD_NO;
    }
    /* channel=a,b or channel=a&channel=b, and the report options of the export */
    const char *v = value;
    int rc = 0;
    if (strcmp(key, "channel") == 0) {
        char login[32];
        while (*v && !rc) {
            size_t len = strcspn(v, ",");
            if (len == 0 || len >= sizeof login) {
                rc = tca_fail(p->err, sizeof p->err, TCA_EINVAL, "channel: not a channel login");
                break;
            }
            memcpy(login, v, len);
            login[len] = '\0';
            rc = report_option_set(p->o, "channel", login, p->err, sizeof p->err);
            v += len + (v[len] == ',');
        }
    } else {
        rc = report_option_set(p->o, key, value, p->err, sizeof p->err);
    }
    p->bad = rc != 0;
    return p->bad ? MHD_NO : MHD_YES;
}

/* The page parameters into q; replies 400 and returns -1 when one is bad. */
static int read_query(struct web_req *r, struct report_chatter_query *q)
{
    int64_t offset, limit, bots;
    if (web_query_int(r, "offset", 0, INT32_MAX, 0, &offset) < 0 ||
        web_query_int(r, "limit", 1, REPORT_PAGE_MAX, 100, &limit) < 0 ||
        web_query_int(r, "exclude_bots", 0, 1, 0, &bots) < 0)
        return -1;
    q->offset = offset;
    q->limit = (size_t)limit;
    q->exclude_bots = (int)bots;
    const char *sort = web_query(r, "sort"), *order = web_query(r, "order");
    const char *filter = web_query(r, "filter");
    int key = report_chatter_sort_parse(sort ? sort : "time_present_s");
    if (key < 0) {
        web_error(r, 400, "invalid_parameter",
                  "sort: login, status, flags, created_at, captures_seen, time_present_s, "
                  "first_seen, last_seen or role");
        return -1;
    }
    q->sort = (enum report_chatter_sort)key;
    if (order && strcmp(order, "asc") != 0 && strcmp(order, "desc") != 0) {
        web_error(r, 400, "invalid_parameter", "order: asc or desc");
        return -1;
    }
    /* text columns read A to Z by default, numbers and dates largest first */
    q->desc = order ? strcmp(order, "desc") == 0 : key != REPORT_SORT_LOGIN;
    static const char *const filters[] = {"all", "new", "returning", "flagged", "role", "watched"};
    q->filter = REPORT_CHATTERS_ALL;
    if (filter) {
        int f = -1;
        for (int i = 0; i < 6; i++)
            if (strcmp(filter, filters[i]) == 0)
                f = i;
        if (f < 0) {
            web_error(r, 400, "invalid_parameter",
                      "filter: all, new, returning, flagged, role or watched");
            return -1;
        }
        q->filter = (enum report_chatter_filter)f;
    }
    q->search = web_query(r, "q");
    if (q->search && strlen(q->search) > SEARCH_MAX) {
        web_error(r, 400, "invalid_parameter", "q: at most %d characters of a login", SEARCH_MAX);
        return -1;
    }
    return 0;
}

void web_api_session_chatters(struct web_req *r)
{
    struct store_session s;
    struct report_options o;
    struct report_chatter_query q = {0};
    struct page_scan p = {.o = &o};
    json_t *doc = NULL;
    char err[256];
    if (web_own_session(r, 0, &s) < 0 || read_query(r, &q) < 0)
        return;
    report_options_default(&o);
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, scan_arg, &p);
    if (p.bad) {
        web_error(r, 400, "invalid_parameter", "%s", p.err);
        return;
    }
    /* a second pooled connection, so a cold load reads the profiles beside the stays; the
     * load goes on with one if none can be had */
    struct web_req aside = {.w = r->w, .route = -1};
    int rc = report_chatter_page(r->w->chatters, r->st, web_store(&aside), r->user_id, s.id, &o, &q,
                                 web_now_ms(r), &doc, err, sizeof err);
    web_release(&aside);
    free(aside.resp); /* a 503 from an unavailable store goes nowhere */
    if (rc == TCA_ENOTFOUND)
        web_error(r, 404, "not_found", "no such session");
    else if (rc == TCA_EINVAL)
        web_error(r, 400, "invalid_parameter", "%s", err);
    else if (rc)
        web_fail(r, rc, err);
    else
        web_reply_json(r, 200, doc);
}
