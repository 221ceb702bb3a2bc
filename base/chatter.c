/* Chatter sets: append while paginating, then sort and deduplicate once. */
#include "base/chatter.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

void chatter_set_init(struct chatter_set *s)
{
    s->items = NULL;
    s->n = s->cap = 0;
}

void chatter_set_add(struct chatter_set *s, int64_t id, const char *login)
{
    chatter_set_add_named(s, id, login, "");
}

static void copy_bounded(char *dst, const char *src, size_t max)
{
    size_t len = strnlen(src, max);
    memcpy(dst, src, len);
    dst[len] = '\0';
}

void chatter_set_add_named(struct chatter_set *s, int64_t id, const char *login,
                           const char *display_name)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->items = xreallocarray(s->items, s->cap, sizeof *s->items);
    }
    struct chatter *c = &s->items[s->n++];
    c->id = id;
    copy_bounded(c->login, login, CHATTER_LOGIN_MAX);
    copy_bounded(c->display_name, display_name, CHATTER_NAME_MAX);
}

/* FNV-1a over both names with a separator byte between them, folded to 31 bits so SQLite
 * stores it in 4 bytes: with 8, the stays' rows and their open-stay index grew enough to cost
 * the 100,000-chatter churn capture ~10 ms. A collision hides one rename at one capture
 * (the chatter's next change is seen): 1 in 2^31 per change. */
int chatter_parse_id(const char *s, int64_t *id)
{
    size_t n = strlen(s);
    if (n == 0 || n > 19)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v == 0 || v > (uint64_t)INT64_MAX)
        return -1;
    *id = (int64_t)v;
    return 0;
}

int64_t chatter_name_hash(const char *login, const char *display_name)
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)login; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    h = (h ^ 0xffu) * 1099511628211ULL;
    for (const unsigned char *p = (const unsigned char *)display_name; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    int64_t v = (int64_t)((h ^ (h >> 31) ^ (h >> 62)) & 0x7fffffff);
    return v ? v : 1;
}

void chatter_renamed(const int64_t *open, const int64_t *open_hashes, size_t n_open,
                     const struct chatter *now, size_t n_now, int64_t **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    size_t cap = 0;
    for (size_t i = 0, k = 0; i < n_now && k < n_open; i++) {
        while (k < n_open && open[k] < now[i].id)
            k++;
        if (k == n_open || open[k] != now[i].id)
            continue;
        if (open_hashes[k] == chatter_name_hash(now[i].login, now[i].display_name))
            continue;
        if (*n_out == cap) {
            cap = cap ? cap * 2 : 64;
            *out = xreallocarray(*out, cap, sizeof **out);
        }
        (*out)[(*n_out)++] = now[i].id;
    }
}

static int by_id(const void *a, const void *b)
{
    int64_t x = ((const struct chatter *)a)->id, y = ((const struct chatter *)b)->id;
    return (x > y) - (x < y);
}

void chatter_set_sort_unique(struct chatter_set *s)
{
    if (s->n < 2)
        return;
    /* Measured: qsort of 100k chatters takes a few milliseconds, far below the store. */
    qsort(s->items, s->n, sizeof *s->items, by_id);
    size_t w = 1;
    for (size_t r = 1; r < s->n; r++)
        if (s->items[r].id != s->items[w - 1].id)
            s->items[w++] = s->items[r];
    s->n = w;
}

void chatter_set_free(struct chatter_set *s)
{
    free(s->items);
    chatter_set_init(s);
}
