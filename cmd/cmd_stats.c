/*
 * stats: a session's audience statistics for the current user, as a short human summary or
 * the full JSON document (--json); also a chatter's profile (--chatter ID), a channel's whole
 * history (--history LOGIN) and the overlap with another session (--compare SESSION).
 * Every number comes from report/; this file only parses flags and prints.
 */
#include "cmd/app.h"
#include "cmd/commands.h"
#include "base/clock.h"
#include "report/report.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr,
            "usage: tca stats [--session ID] [--channel LOGIN ...] [--exclude-bots]\n"
            "                 [--exclude known_bots,wave,cluster,multi_channel,renamer,flagged]\n"
            "                 [--OPTION VALUE ...] [--json] [--sections LIST]\n"
            "       tca stats --chatter ID | --history LOGIN | --compare SESSION [--session ID]\n"
            "options: critical suspect watch flag_level raid_window raid_min_baseline raid_z\n"
            "         raid_min_surge raid_min_share raid_min_new_share cluster_window_h\n"
            "         cluster_min_size cluster_min_stem cluster_max_spread multi_channels\n"
            "         multi_channels_alone fresh_days min_renames top_days top period\n"
            "sections (JSON; default summary): summary participation series viewers viewer_list\n"
            "         accounts suspects flags flag_list raids overlap followers chat\n");
    return EXIT_USAGE;
}

static void print_channel(json_t *c)
{
    json_t *p = json_object_get(c, "participation"), *v = json_object_get(c, "viewers");
    printf("%s: %lld captures, %lld chatters, peak %lld at capture %lld, average %.1f\n",
           json_string_value(json_object_get(c, "login")),
           (long long)json_integer_value(json_object_get(c, "captures")),
           (long long)json_integer_value(json_object_get(p, "unique_chatters")),
           (long long)json_integer_value(json_object_get(p, "peak_chatters")),
           (long long)json_integer_value(json_object_get(p, "peak_seq")),
           json_real_value(json_object_get(p, "avg_chatters")));
    printf("  time present: median %llds, p90 %llds; new %lld, returning %lld\n",
           (long long)json_integer_value(json_object_get(p, "p50_ms")) / 1000,
           (long long)json_integer_value(json_object_get(p, "p90_ms")) / 1000,
           (long long)json_integer_value(json_object_get(v, "new")),
           (long long)json_integer_value(json_object_get(v, "returning")));
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(c, "raids"), i, r)
    {
        /* a stay count whose window has not passed yet is null: say so, never print 0 */
        char stayed[3][24];
        static const char *const keys[] = {"stayed_5m", "stayed_15m", "stayed_30m"};
        for (int w = 0; w < 3; w++) {
            json_t *n = json_object_get(r, keys[w]);
            if (json_is_integer(n))
                snprintf(stayed[w], sizeof stayed[w], "%lld", (long long)json_integer_value(n));
            else
                snprintf(stayed[w], sizeof stayed[w], "pending");
        }
        printf("  raid at capture %lld (%s): %lld arrived beyond the usual %.0f (%lld joined, "
               "%.0f%% new), stayed 5/15/30 min: %s/%s/%s, %.0f%% in a bot wave\n",
               (long long)json_integer_value(json_object_get(r, "seq")),
               json_string_value(json_object_get(r, "taken_at")),
               (long long)json_integer_value(json_object_get(r, "size")),
               json_real_value(json_object_get(r, "expected_joined")),
               (long long)json_integer_value(json_object_get(r, "joined")),
               100 * json_real_value(json_object_get(r, "new_share")), stayed[0], stayed[1],
               stayed[2], 100 * json_real_value(json_object_get(r, "wave_share")));
    }
}

/* Followers read beside the captures: nothing when no capture read any (no scope). */
static void print_followers(json_t *followers)
{
    size_t i, k;
    json_t *c, *w;
    json_array_foreach(json_object_get(followers, "channels"), i, c)
    {
        if (json_integer_value(json_object_get(c, "reads")) == 0)
            continue;
        printf("%s followers: %lld new over %lld reads (Twitch counts %lld)\n",
               json_string_value(json_object_get(c, "login")),
               (long long)json_integer_value(json_object_get(c, "new_followers")),
               (long long)json_integer_value(json_object_get(c, "reads")),
               (long long)json_integer_value(json_object_get(c, "total")));
        json_array_foreach(json_object_get(c, "waves"), k, w)
            printf("  follower wave at capture %lld: %lld new followers, accounts created within "
                   "hours on %s (usual %.1f)\n",
                   (long long)json_integer_value(json_object_get(w, "seq")),
                   (long long)json_integer_value(json_object_get(w, "count")),
                   json_string_value(json_object_get(w, "day")),
                   json_real_value(json_object_get(w, "usual")));
    }
}

static void print_summary(json_t *doc)
{
    json_t *s = json_object_get(doc, "session"), *c, *a = json_object_get(doc, "accounts");
    size_t i;
    printf("session %lld (%lld captures)\n",
           (long long)json_integer_value(json_object_get(s, "id")),
           (long long)json_integer_value(json_object_get(s, "captures")));
    json_array_foreach(json_object_get(doc, "channels"), i, c) print_channel(c);
    json_t *all = json_object_get(doc, "all_channels");
    if (json_array_size(json_object_get(doc, "channels")) > 1)
        printf(
            "all channels: %lld chatters, new %lld, returning %lld\n",
            (long long)json_integer_value(
                json_object_get(json_object_get(all, "participation"), "unique_chatters")),
            (long long)json_integer_value(json_object_get(json_object_get(all, "viewers"), "new")),
            (long long)json_integer_value(
                json_object_get(json_object_get(all, "viewers"), "returning")));
    json_t *d;
    json_array_foreach(json_object_get(a, "top_creation_days"), i, d)
    {
        const char *level = json_string_value(json_object_get(d, "level"));
        if (strcmp(level, "normal") == 0 && i >= 3)
            continue;
        printf("created %s: %lld accounts (%.1f%% of %lld), %s\n",
               json_string_value(json_object_get(d, "day")),
               (long long)json_integer_value(json_object_get(d, "count")),
               100 * json_real_value(json_object_get(d, "share")),
               (long long)json_integer_value(json_object_get(a, "audience")), level);
    }
    json_array_foreach(json_object_get(a, "clusters"), i, d)
        printf("login cluster %s*: %lld accounts (numbers %lld..%lld%s)\n",
               json_string_value(json_object_get(d, "stem")),
               (long long)json_integer_value(json_object_get(d, "count")),
               (long long)json_integer_value(json_object_get(d, "number_min")),
               (long long)json_integer_value(json_object_get(d, "number_max")),
               json_is_true(json_object_get(d, "sequence")) ? ", a sequence" : "");
    json_t *f = json_object_get(doc, "flags"), *by = json_object_get(f, "by_reason"), *n;
    const char *key;
    printf("flagged accounts: %lld (",
           (long long)json_integer_value(json_object_get(f, "flagged")));
    i = 0;
    json_object_foreach(by, key, n)
        printf("%s%s %lld", i++ ? ", " : "", key, (long long)json_integer_value(n));
    printf("); excluded %lld\n", (long long)json_integer_value(json_object_get(f, "excluded")));
    print_followers(json_object_get(doc, "followers"));
}

int cmd_stats(int argc, char **argv)
{
    struct report_options o;
    report_options_default(&o);
    int64_t session_id = 0, chatter = 0, compare = 0;
    const char *history = NULL;
    int as_json = 0;
    unsigned sections = REPORT_SUMMARY;
    char err[256];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) {
            as_json = 1;
        } else if (strcmp(a, "--exclude-bots") == 0) {
            report_option_set(&o, "exclude", "known_bots", err, sizeof err);
        } else if (strncmp(a, "--", 2) != 0 || i + 1 >= argc) {
            return usage();
        } else if (strcmp(a, "--session") == 0) {
            if (!(session_id = app_positive_arg(argv[++i])))
                return usage();
        } else if (strcmp(a, "--chatter") == 0) {
            if (!(chatter = app_positive_arg(argv[++i])))
                return usage();
        } else if (strcmp(a, "--compare") == 0) {
            if (!(compare = app_positive_arg(argv[++i])))
                return usage();
        } else if (strcmp(a, "--history") == 0) {
            history = argv[++i];
        } else if (strcmp(a, "--sections") == 0) {
            if (report_sections_parse(argv[++i], &sections, err, sizeof err)) {
                fprintf(stderr, "tca stats: %s\n", err);
                return EXIT_USAGE;
            }
            as_json = 1; /* the summary would print an absent section's numbers as zeros */
        } else if (report_option_set(&o, a + 2, argv[++i], err, sizeof err)) {
            fprintf(stderr, "tca stats: %s\n", err);
            return EXIT_USAGE;
        }
    }
    struct app app;
    struct store_user me;
    json_t *doc = NULL;
    struct store *aside = NULL;
    int rc = app_open(&app, "stats", 0);
    if (rc)
        goto out;
    if ((rc = app_current_user(&app, &me)))
        goto out;
    if (!session_id && !chatter && !history &&
        store_session_active(app.st, me.id, clock_wall_ms(), &session_id, err, sizeof err))
        goto fail;
    /* A second connection lets the profiles be read beside the stays (report_session_aside);
     * without one the document is the same, read on one thread. */
    if (!chatter && !history && !compare && report_sections_read_profiles(sections) &&
        store_open(app.cfg.db, &aside, err, sizeof err))
        aside = NULL;
    if (chatter)
        rc = report_chatter(app.st, me.id, chatter, &doc, err, sizeof err);
    else if (history)
        rc = report_channel_history(app.st, me.id, history, &o, &doc, err, sizeof err);
    else if (compare)
        rc = report_overlap_sessions(app.st, me.id, session_id, compare, &o, &doc, err, sizeof err);
    else
        rc = report_session_aside(app.st, aside, me.id, session_id, &o, sections, &doc, err,
                                  sizeof err);
    if (rc)
        goto fail;
    if (as_json || chatter || history || compare) {
        json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
    } else {
        print_summary(doc);
    }
    rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
    goto out;
fail:
    fprintf(stderr, "tca stats: %s\n", err);
    rc = EXIT_FAIL;
out:
    json_decref(doc);
    store_close(aside);
    app_close(&app);
    return rc;
}
