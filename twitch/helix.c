/*
 * The Helix calls tca makes: Get Chatters (every page), Get Users and Get Streams (100 ids a
 * request), Get Moderated Channels (every page). A 401 refreshes the token once per call.
 * Must never return part of a capture as if it were whole: any failed or malformed page
 * fails the call.
 */
#include "twitch/internal.h"
#include "twitch/parse.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* More pages than this is a cursor loop: 1000 pages of 1000 is past any Twitch channel. */
#define PAGES_MAX 1000
#define IDS_PER_REQUEST 100

/*
 * GETs url with tok, refreshing tok once (per *refreshed_once) on a 401 when it has a
 * refresh token. Returns 0 with a 2xx answer in a, or a TCA_E* code.
 */
static int helix_get(struct twitch_client *c, struct twitch_token *tok, const char *url,
                     int *refreshed_once, struct http_answer *a, const char *what, char *err,
                     size_t errlen)
{
    for (;;) {
        if (!client_token_usable(tok->access_token))
            return tca_fail(err, errlen, TCA_EAUTH, "%s: no usable access token", what);
        char *auth = xasprintf("Bearer %s", tok->access_token);
        struct http_call call = {.method = "GET", .url = url, .auth = auth, .client_id = 1};
        int rc = client_send(c, &call, budget_key(tok->access_token), a, err, errlen);
        explicit_bzero(auth, strlen(auth));
        free(auth);
        if (rc < 0)
            return rc;
        if (a->status >= 200 && a->status < 300)
            return 0;
        if (a->status == 401 && !*refreshed_once && tok->refresh_token) {
            *refreshed_once = 1;
            rc = twitch_oauth_refresh(c, tok, err, errlen);
            if (rc < 0)
                return rc;
            continue;
        }
        return client_status_error(a, what, err, errlen);
    }
}

/* Appends "&after=<cursor>" when there is a cursor. */
static void add_after(struct twitch_client *c, struct buf *url, const char *cursor)
{
    if (!cursor[0])
        return;
    char *esc = curl_easy_escape(c->curl, cursor, 0);
    if (!esc)
        abort();
    buf_printf(url, "&after=%s", esc);
    curl_free(esc);
}

/* Checks the next cursor against the ones already followed: Twitch must never loop. */
static int check_cursor(char (*seen)[TWITCH_CURSOR_MAX + 1], int pages, const char *cursor,
                        const char *what, char *err, size_t errlen)
{
    if (!cursor[0])
        return 0;
    if (pages >= PAGES_MAX)
        return tca_fail(err, errlen, TCA_EPROTO, "%s: more than %d pages", what, PAGES_MAX);
    /* Only the last few are compared: a loop longer than that ends at PAGES_MAX. */
    for (int i = 0; i < 4 && i < pages; i++)
        if (strcmp(seen[i], cursor) == 0)
            return tca_fail(err, errlen, TCA_EPROTO, "%s: Twitch repeated a cursor", what);
    memmove(seen[1], seen[0], 3 * sizeof seen[0]);
    strcpy(seen[0], cursor);
    return 0;
}

int twitch_get_chatters(struct twitch_client *c, struct twitch_token *tok, int64_t broadcaster_id,
                        int64_t moderator_id, struct chatter_set *out, int *pages, char *err,
                        size_t errlen)
{
    static const char what[] = "get chatters";
    char cursor[TWITCH_CURSOR_MAX + 1] = "";
    char(*seen)[TWITCH_CURSOR_MAX + 1] = xcalloc(4, sizeof *seen);
    struct http_answer a;
    struct buf url;
    int refreshed_once = 0, rc = 0;
    http_answer_init(&a);
    buf_init(&url, 0);
    *pages = 0;
    do {
        buf_reset(&url);
        buf_printf(&url, "%s/chat/chatters?broadcaster_id=%lld&moderator_id=%lld&first=1000",
                   c->api_base, (long long)broadcaster_id, (long long)moderator_id);
        add_after(c, &url, cursor);
        if ((rc = helix_get(c, tok, url.data, &refreshed_once, &a, what, err, errlen)) < 0)
            goto out;
        int64_t total;
        if ((rc = twitch_parse_chatters(a.body.data, a.body.len, out, cursor, &total, err,
                                        errlen)) < 0)
            goto out;
        (*pages)++;
        if ((rc = check_cursor(seen, *pages, cursor, what, err, errlen)) < 0)
            goto out;
    } while (cursor[0]);
    chatter_set_sort_unique(out);
out:
    free(seen);
    buf_free(&url);
    http_answer_free(&a);
    return rc;
}

int twitch_get_moderated_channels(struct twitch_client *c, struct twitch_token *tok,
                                  int64_t user_id, struct twitch_channel **out, size_t *n,
                                  char *err, size_t errlen)
{
    static const char what[] = "get moderated channels";
    char cursor[TWITCH_CURSOR_MAX + 1] = "";
    char(*seen)[TWITCH_CURSOR_MAX + 1] = xcalloc(4, sizeof *seen);
    struct http_answer a;
    struct buf url;
    int refreshed_once = 0, rc = 0, pages = 0;
    http_answer_init(&a);
    buf_init(&url, 0);
    *out = NULL;
    *n = 0;
    do {
        buf_reset(&url);
        buf_printf(&url, "%s/moderation/channels?user_id=%lld&first=100", c->api_base,
                   (long long)user_id);
        add_after(c, &url, cursor);
        if ((rc = helix_get(c, tok, url.data, &refreshed_once, &a, what, err, errlen)) < 0 ||
            (rc = twitch_parse_moderated_channels(a.body.data, a.body.len, out, n, cursor, err,
                                                  errlen)) < 0 ||
            (rc = check_cursor(seen, ++pages, cursor, what, err, errlen)) < 0)
            goto out;
    } while (cursor[0]);
out:
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    free(seen);
    buf_free(&url);
    http_answer_free(&a);
    return rc;
}

/* The URL of one batch of ids, ids[at..end): path then key=id joined with '&'. */
static void batch_url(struct twitch_client *c, struct buf *url, const char *path, const char *key,
                      const int64_t *ids, size_t at, size_t end)
{
    buf_reset(url);
    buf_printf(url, "%s%s", c->api_base, path);
    for (size_t i = at; i < end; i++)
        buf_printf(url, "%s%s=%lld", i > at ? "&" : "", key, (long long)ids[i]);
}

int twitch_get_users(struct twitch_client *c, struct twitch_token *tok, const int64_t *ids,
                     size_t n, struct twitch_user **out, size_t *n_out, char *err, size_t errlen)
{
    static const char what[] = "get users";
    struct http_answer a;
    struct buf url;
    int refreshed_once = 0, rc = 0;
    http_answer_init(&a);
    buf_init(&url, 0);
    *out = NULL;
    *n_out = 0;
    for (size_t at = 0; at < n && rc == 0; at += IDS_PER_REQUEST) {
        batch_url(c, &url, "/users?", "id", ids, at,
                  at + IDS_PER_REQUEST < n ? at + IDS_PER_REQUEST : n);
        rc = helix_get(c, tok, url.data, &refreshed_once, &a, what, err, errlen);
        if (rc == 0)
            rc = twitch_parse_users(a.body.data, a.body.len, out, n_out, err, errlen);
    }
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n_out = 0;
    }
    buf_free(&url);
    http_answer_free(&a);
    return rc;
}

int twitch_get_streams(struct twitch_client *c, struct twitch_token *tok, const int64_t *user_ids,
                       size_t n, struct twitch_stream **out, size_t *n_out, char *err,
                       size_t errlen)
{
    static const char what[] = "get streams";
    char cursor[TWITCH_CURSOR_MAX + 1];
    struct http_answer a;
    struct buf url;
    int refreshed_once = 0, rc = 0;
    http_answer_init(&a);
    buf_init(&url, 0);
    *out = NULL;
    *n_out = 0;
    /* 100 ids with first=100 always fit one page, so the cursor is not followed. */
    for (size_t at = 0; at < n && rc == 0; at += IDS_PER_REQUEST) {
        batch_url(c, &url, "/streams?first=100&", "user_id", user_ids, at,
                  at + IDS_PER_REQUEST < n ? at + IDS_PER_REQUEST : n);
        rc = helix_get(c, tok, url.data, &refreshed_once, &a, what, err, errlen);
        if (rc == 0)
            rc = twitch_parse_streams(a.body.data, a.body.len, out, n_out, cursor, err, errlen);
    }
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n_out = 0;
    }
    buf_free(&url);
    http_answer_free(&a);
    return rc;
}

int twitch_get_user_by_login(struct twitch_client *c, struct twitch_token *tok, const char *login,
                             struct twitch_user *out, char *err, size_t errlen)
{
    static const char what[] = "get user by login";
    if (!twitch_login_valid(login))
        return tca_fail(err, errlen, TCA_EINVAL, "%s: not a valid Twitch login", what);
    struct http_answer a;
    struct twitch_user *users = NULL;
    size_t n = 0;
    int refreshed_once = 0;
    char *url = xasprintf("%s/users?login=%s", c->api_base, login);
    http_answer_init(&a);
    int rc = helix_get(c, tok, url, &refreshed_once, &a, what, err, errlen);
    if (rc == 0)
        rc = twitch_parse_users(a.body.data, a.body.len, &users, &n, err, errlen);
    if (rc == 0 && n == 0)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "%s: no Twitch user %s", what, login);
    if (rc == 0)
        *out = users[0];
    free(users);
    free(url);
    http_answer_free(&a);
    return rc;
}

/* The paging pieces above, for the other Helix files (helix_roles.c). */
int client_helix_get(struct twitch_client *c, struct twitch_token *tok, const char *url,
                     int *refreshed_once, struct http_answer *a, const char *what, char *err,
                     size_t errlen)
{
    return helix_get(c, tok, url, refreshed_once, a, what, err, errlen);
}

void client_add_after(struct twitch_client *c, struct buf *url, const char *cursor)
{
    add_after(c, url, cursor);
}

int client_check_cursor(char (*seen)[TWITCH_CURSOR_MAX + 1], int pages, const char *cursor,
                        const char *what, char *err, size_t errlen)
{
    return check_cursor(seen, pages, cursor, what, err, errlen);
}
