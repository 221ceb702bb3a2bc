/*
 * The flag set: one entry per account, reasons OR-ed together, details appended. The
 * index keeps "is this chatter flagged" O(1) while filtering hundreds of thousands of
 * stays. Must never drop a reason once added.
 */
#include "analysis/flags.h"
#include "base/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void an_flags_init(struct an_flags *f)
{
    memset(f, 0, sizeof *f);
    an_id_index_init(&f->ix, 64);
}

void an_flags_free(struct an_flags *f)
{
    for (size_t i = 0; i < f->n_texts; i++)
        free(f->texts[i]);
    free(f->texts);
    free(f->text_slots);
    free(f->flags);
    an_id_index_free(&f->ix);
    memset(f, 0, sizeof *f);
}

static uint64_t text_hash(const char *s)
{
    uint64_t h = 14695981039346656037ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The set's copy of text (made once). */
static const char *intern(struct an_flags *f, const char *text)
{
    if (2 * (f->n_texts + 1) > f->text_mask + 1 || !f->text_slots) {
        size_t slots = f->text_slots ? 2 * (f->text_mask + 1) : 64;
        uint32_t *t = xcalloc(slots, sizeof *t);
        for (size_t i = 0; i < f->n_texts; i++) {
            size_t h = (size_t)text_hash(f->texts[i]) & (slots - 1);
            while (t[h])
                h = (h + 1) & (slots - 1);
            t[h] = (uint32_t)i + 1;
        }
        free(f->text_slots);
        f->text_slots = t;
        f->text_mask = slots - 1;
        f->texts = xreallocarray(f->texts, slots / 2, sizeof *f->texts);
    }
    size_t h = (size_t)text_hash(text) & f->text_mask;
    for (; f->text_slots[h]; h = (h + 1) & f->text_mask)
        if (!strcmp(f->texts[f->text_slots[h] - 1], text))
            return f->texts[f->text_slots[h] - 1];
    f->texts[f->n_texts] = xstrdup(text);
    f->text_slots[h] = (uint32_t)++f->n_texts;
    return f->texts[f->n_texts - 1];
}

void an_flags_add(struct an_flags *f, int64_t user_id, uint32_t reason, const char *detail)
{
    uint32_t k = an_id_index_add(&f->ix, user_id);
    if (k == f->n) {
        if (f->n == f->cap) {
            f->cap = f->cap ? f->cap * 2 : 64;
            f->flags = xreallocarray(f->flags, f->cap, sizeof *f->flags);
        }
        f->flags[f->n++] = (struct an_flag){user_id, 0, NULL};
    }
    struct an_flag *flag = &f->flags[k];
    flag->reasons |= reason;
    if (!detail || !*detail)
        return;
    if (f->last_detail && flag->text == f->last_from && !strcmp(detail, f->last_detail)) {
        flag->text = f->last_to;
        return;
    }
    const char *from = flag->text;
    if (from) {
        char *joined = xasprintf("%s; %s", from, detail);
        flag->text = intern(f, joined);
        free(joined);
    } else {
        flag->text = intern(f, detail);
    }
    f->last_from = from;
    f->last_detail = intern(f, detail);
    f->last_to = flag->text;
}

const struct an_flag *an_flags_find(const struct an_flags *f, int64_t user_id)
{
    uint32_t k;
    return an_id_index_find(&f->ix, user_id, &k) ? &f->flags[k] : NULL;
}

int an_flags_match(const struct an_flags *f, int64_t user_id, uint32_t mask)
{
    const struct an_flag *flag = an_flags_find(f, user_id);
    return flag && (flag->reasons & mask);
}

static int by_user(const void *a, const void *b)
{
    const struct an_flag *x = *(const struct an_flag *const *)a;
    const struct an_flag *y = *(const struct an_flag *const *)b;
    return (x->user_id > y->user_id) - (x->user_id < y->user_id);
}

const struct an_flag **an_flags_sorted(const struct an_flags *f)
{
    const struct an_flag **sorted = xmalloc((f->n ? f->n : 1) * sizeof *sorted);
    for (size_t i = 0; i < f->n; i++)
        sorted[i] = &f->flags[i];
    qsort(sorted, f->n, sizeof *sorted, by_user);
    return sorted;
}

static int by_login(const void *a, const void *b)
{
    return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

void an_flags_add_known_bots(struct an_flags *f, const struct an_profile *profiles, size_t n,
                             const struct an_known_bots *bots)
{
    /* The list can hold thousands of logins: sort a copy once, then binary search. */
    const char **logins = xmalloc((bots->n_logins ? bots->n_logins : 1) * sizeof *logins);
    memcpy(logins, bots->logins, bots->n_logins * sizeof *logins);
    qsort(logins, bots->n_logins, sizeof *logins, by_login);
    for (size_t i = 0; i < n; i++) {
        const struct an_profile *p = &profiles[i];
        int hit = an_ids_contain(bots->ids, bots->n_ids, p->user_id);
        if (!hit && p->login)
            hit = bsearch(&p->login, logins, bots->n_logins, sizeof *logins, by_login) != NULL;
        if (hit && !an_flags_match(f, p->user_id, AN_REASON_KNOWN_BOT))
            an_flags_add(f, p->user_id, AN_REASON_KNOWN_BOT, "known bot");
    }
    free(logins);
}

void an_flags_add_waves(struct an_flags *f, const struct an_creation_days *days,
                        enum an_level min_level)
{
    for (size_t i = 0; i < days->n; i++) {
        const struct an_creation_day *d = &days->days[i];
        if (d->level < min_level)
            continue;
        char date[11], detail[128];
        an_date_format(d->day_ms, date);
        snprintf(detail, sizeof detail, "created %s, a %s creation day (%zu accounts)", date,
                 an_level_name(d->level), d->count);
        for (size_t j = 0; j < d->count; j++)
            an_flags_add(f, d->user_ids[j], AN_REASON_WAVE, detail);
    }
}

void an_flags_add_clusters(struct an_flags *f, const struct an_clusters *c)
{
    for (size_t i = 0; i < c->n; i++) {
        const struct an_cluster *cl = &c->clusters[i];
        char detail[128];
        snprintf(detail, sizeof detail, "login cluster %s* (%zu accounts, %llu..%llu)", cl->stem,
                 cl->n, (unsigned long long)cl->number_min, (unsigned long long)cl->number_max);
        for (size_t j = 0; j < cl->n; j++)
            an_flags_add(f, cl->user_ids[j], AN_REASON_CLUSTER, detail);
    }
}

struct an_multi_rule an_multi_rule_default(void)
{
    return (struct an_multi_rule){
        .with_reason = 3, .alone = 5, .alone_share = 0.5, .fresh_ms = 30LL * 86400000};
}

static const struct an_profile *profile_of(const struct an_profile *p, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p[mid].user_id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && p[lo].user_id == id ? &p[lo] : NULL;
}

size_t an_flags_add_multi_channel(struct an_flags *f, const struct an_multi *m, size_t n,
                                  size_t n_channels, const struct an_multi_rule *rule,
                                  const struct an_profile *profiles, size_t n_profiles)
{
    const uint32_t other =
        AN_REASON_KNOWN_BOT | AN_REASON_WAVE | AN_REASON_CLUSTER | AN_REASON_RENAMER;
    size_t alone = (size_t)ceil(rule->alone_share * (double)n_channels);
    if (alone < rule->alone)
        alone = rule->alone;
    size_t flagged = 0;
    for (size_t i = 0; i < n; i++) {
        char detail[96];
        if (m[i].channels < rule->with_reason)
            continue;
        if (m[i].channels >= alone) {
            snprintf(detail, sizeof detail, "in %zu channels at once", m[i].channels);
        } else if (an_flags_match(f, m[i].user_id, other)) {
            snprintf(detail, sizeof detail, "in %zu channels at once, with another reason",
                     m[i].channels);
        } else {
            const struct an_profile *p = profile_of(profiles, n_profiles, m[i].user_id);
            if (!p || !p->created_at_ms || m[i].at_ms - p->created_at_ms >= rule->fresh_ms)
                continue;
            snprintf(detail, sizeof detail, "in %zu channels at once, account %lld days old",
                     m[i].channels, (long long)((m[i].at_ms - p->created_at_ms) / 86400000));
        }
        an_flags_add(f, m[i].user_id, AN_REASON_MULTI_CHANNEL, detail);
        flagged++;
    }
    return flagged;
}

void an_flags_add_renamers(struct an_flags *f, const struct an_renamer *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char detail[128];
        snprintf(detail, sizeof detail, "%zu renames (%s -> %s)", r[i].renames,
                 r[i].first_login ? r[i].first_login : "?",
                 r[i].last_login ? r[i].last_login : "?");
        an_flags_add(f, r[i].user_id, AN_REASON_RENAMER, detail);
    }
}

void an_flags_exclude_stays(const struct an_flags *f, uint32_t mask, const struct an_stay *stays,
                            size_t n, struct an_stay **out, size_t *n_out)
{
    *out = xmalloc((n ? n : 1) * sizeof **out);
    *n_out = 0;
    for (size_t i = 0; i < n; i++)
        if (!an_flags_match(f, stays[i].user_id, mask))
            (*out)[(*n_out)++] = stays[i];
}
