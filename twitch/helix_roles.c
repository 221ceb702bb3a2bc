/*
 * Helix calls about the audience around the chatters: Get Moderators and Get VIPs (only the
 * broadcaster's own token may ask) and Get Channel Followers (newest first, read until the
 * last capture's newest follow). Like helix.c, never returns part of a list as whole.
 */
#include "twitch/internal.h"
#include "twitch/parse_followers.h"

#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define ROLE_PAGES_MAX 50      /* 5,000 moderators or VIPs: far past Twitch's own caps */
#define FOLLOWER_PAGES_MAX 200 /* 20,000 new follows between two captures */

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int twitch_get_channel_roles(struct twitch_client *c, struct twitch_token *tok,
                             int64_t broadcaster_id, enum twitch_role role, int64_t **ids,
                             size_t *n, char *err, size_t errlen)
{
    const char *what = role == TWITCH_ROLE_VIPS ? "get vips" : "get moderators";
    const char *path = role == TWITCH_ROLE_VIPS ? "/channels/vips" : "/moderation/moderators";
    char cursor[TWITCH_CURSOR_MAX + 1] = "";
    char(*seen)[TWITCH_CURSOR_MAX + 1] = xcalloc(4, sizeof *seen);
    struct chatter_set users = {0};
    struct http_answer a;
    struct buf url;
    int refreshed_once = 0, rc = 0, pages = 0;
    http_answer_init(&a);
    buf_init(&url, 0);
    *ids = NULL;
    *n = 0;
    do {
        buf_reset(&url);
        buf_printf(&url, "%s%s?broadcaster_id=%lld&first=100", c->api_base, path,
                   (long long)broadcaster_id);
        client_add_after(c, &url, cursor);
        if ((rc = client_helix_get(c, tok, url.data, &refreshed_once, &a, what, err, errlen)) < 0 ||
            (rc = twitch_parse_chatters(a.body.data, a.body.len, &users, cursor, NULL, err,
                                        errlen)) < 0 ||
            (rc = client_check_cursor(seen, ++pages, cursor, what, err, errlen)) < 0)
            goto out;
        if (pages >= ROLE_PAGES_MAX && cursor[0]) {
            rc = tca_fail(err, errlen, TCA_EPROTO, "%s: more than %d pages", what, ROLE_PAGES_MAX);
            goto out;
        }
    } while (cursor[0]);
    chatter_set_sort_unique(&users);
    *ids = xcalloc(users.n + 1, sizeof **ids);
    for (size_t i = 0; i < users.n; i++)
        (*ids)[i] = users.items[i].id;
    *n = users.n;
    qsort(*ids, *n, sizeof **ids, cmp_id);
out:
    chatter_set_free(&users);
    free(seen);
    buf_free(&url);
    http_answer_free(&a);
    return rc;
}

int twitch_get_new_followers(struct twitch_client *c, struct twitch_token *tok,
                             int64_t broadcaster_id, int64_t since_ms, size_t max_follows,
                             struct twitch_follow **out, size_t *n, int64_t *total, char *err,
                             size_t errlen)
{
    static const char what[] = "get channel followers";
    char cursor[TWITCH_CURSOR_MAX + 1] = "";
    char(*seen)[TWITCH_CURSOR_MAX + 1] = xcalloc(4, sizeof *seen);
    struct http_answer a;
    struct buf url;
    int refreshed_once = 0, rc = 0, pages = 0, reached = 0;
    http_answer_init(&a);
    buf_init(&url, 0);
    *out = NULL;
    *n = 0;
    *total = 0;
    do {
        size_t before = *n;
        buf_reset(&url);
        buf_printf(&url, "%s/channels/followers?broadcaster_id=%lld&first=100", c->api_base,
                   (long long)broadcaster_id);
        client_add_after(c, &url, cursor);
        if ((rc = client_helix_get(c, tok, url.data, &refreshed_once, &a, what, err, errlen)) < 0 ||
            (rc = twitch_parse_followers(a.body.data, a.body.len, out, n, cursor, total, err,
                                         errlen)) < 0 ||
            (rc = client_check_cursor(seen, ++pages, cursor, what, err, errlen)) < 0)
            goto out;
        if (pages == 1 && *n == 0 && *total > 0) {
            /* Twitch's answer to a token without the scope or the role: the total alone */
            rc = tca_fail(err, errlen, TCA_EFORBIDDEN,
                          "%s: Twitch gave the total only (the login needs %s and must "
                          "moderate the channel)",
                          what, TWITCH_FOLLOWER_SCOPE);
            goto out;
        }
        /* newest first: everything after the first old follow was seen by an earlier read */
        for (size_t i = before; i < *n && !reached; i++)
            if (since_ms > 0 && (*out)[i].followed_at_ms <= since_ms) {
                *n = i;
                reached = 1;
            }
        if (*n >= max_follows || pages >= FOLLOWER_PAGES_MAX) {
            *n = *n < max_follows ? *n : max_follows;
            break;
        }
    } while (cursor[0] && !reached);
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

int twitch_token_has_scope(const struct twitch_token *tok, const char *scope)
{
    size_t n = strlen(scope);
    for (const char *p = tok->scopes; (p = strstr(p, scope)); p += n)
        if ((p == tok->scopes || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
            return 1;
    return 0;
}

int twitch_scopes_with(const char *extras, char *out, size_t outlen)
{
    char list[64];
    int roles = 0, followers = 0, chat = 0;
    if (extras && strlen(extras) >= sizeof list)
        return TCA_EINVAL;
    snprintf(list, sizeof list, "%s", extras ? extras : "");
    char *save = NULL;
    for (char *w = strtok_r(list, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        if (strcmp(w, "roles") == 0)
            roles = 1;
        else if (strcmp(w, "followers") == 0)
            followers = 1;
        else if (strcmp(w, "chat") == 0)
            chat = 1;
        else
            return TCA_EINVAL;
    }
    int n = snprintf(out, outlen, "%s%s%s%s%s", chat ? TWITCH_SCOPES_CHAT : TWITCH_SCOPES,
                     roles ? " " : "", roles ? TWITCH_ROLE_SCOPES : "", followers ? " " : "",
                     followers ? TWITCH_FOLLOWER_SCOPE : "");
    return n < 0 || (size_t)n >= outlen ? TCA_EINVAL : 0;
}
