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
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->items = xreallocarray(s->items, s->cap, sizeof *s->items);
    }
    struct chatter *c = &s->items[s->n++];
    c->id = id;
    size_t len = strnlen(login, CHATTER_LOGIN_MAX);
    memcpy(c->login, login, len);
    c->login[len] = '\0';
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
