/*
 * Report options: their defaults and their parsing from text, shared by the command line
 * and query strings so both accept the same names and values. Also the small JSON helpers
 * every report uses. Must never accept a value it did not check.
 */
#include "report/internal.h"
#include "base/clock.h"
#include "base/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void report_options_default(struct report_options *o)
{
    memset(o, 0, sizeof *o);
    o->levels = an_wave_levels_default();
    o->flag_level = AN_LEVEL_SUSPECT;
    o->raid = an_raid_rule_default();
    o->cluster = an_cluster_rule_default();
    o->multi = an_multi_rule_default();
    o->min_renames = 3;
    o->top_days = 10;
    o->top = 20;
    o->period = AN_PERIOD_DAY;
}

static const struct {
    const char *name;
    uint32_t bits;
} reasons[] = {
    {"known_bot", AN_REASON_KNOWN_BOT}, {"wave", AN_REASON_WAVE},
    {"cluster", AN_REASON_CLUSTER},     {"multi_channel", AN_REASON_MULTI_CHANNEL},
    {"renamer", AN_REASON_RENAMER},
};

void rp_reason_names(uint32_t bits, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof reasons / sizeof *reasons; i++)
        if (bits & reasons[i].bits) {
            int w = snprintf(out + used, len - used, "%s%s", used ? "|" : "", reasons[i].name);
            if (w < 0 || (size_t)w >= len - used)
                return;
            used += (size_t)w;
        }
}

static int parse_exclude(uint32_t *mask, const char *value, char *err, size_t errlen)
{
    char list[256];
    if (strlen(value) >= sizeof list)
        return tca_fail(err, errlen, TCA_EINVAL, "exclude: list too long");
    strcpy(list, value);
    char *save = NULL;
    for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        size_t i = 0;
        if (strcmp(t, "flagged") == 0) {
            *mask |= AN_REASON_KNOWN_BOT | AN_REASON_WAVE | AN_REASON_CLUSTER |
                     AN_REASON_MULTI_CHANNEL | AN_REASON_RENAMER;
            continue;
        }
        if (strcmp(t, "known_bots") == 0)
            t = "known_bot";
        while (i < sizeof reasons / sizeof *reasons && strcmp(reasons[i].name, t) != 0)
            i++;
        if (i == sizeof reasons / sizeof *reasons)
            return tca_fail(err, errlen, TCA_EINVAL,
                            "exclude: '%s' is not one of known_bots, wave, cluster, "
                            "multi_channel, renamer, flagged",
                            t);
        *mask |= reasons[i].bits;
    }
    return 0;
}

static int parse_size(const char *name, const char *value, size_t min, size_t max, size_t *out,
                      char *err, size_t errlen)
{
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (errno || end == value || *end || v < (long long)min || v > (long long)max)
        return tca_fail(err, errlen, TCA_EINVAL, "%s: expected a whole number from %zu to %zu",
                        name, min, max);
    *out = (size_t)v;
    return 0;
}

static int parse_double(const char *name, const char *value, double min, double max, double *out,
                        char *err, size_t errlen)
{
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    if (errno || end == value || *end || !(v >= min && v <= max))
        return tca_fail(err, errlen, TCA_EINVAL, "%s: expected a number from %g to %g", name, min,
                        max);
    *out = v;
    return 0;
}

static int parse_level(const char *value, enum an_level *out, char *err, size_t errlen)
{
    for (int l = AN_LEVEL_NORMAL; l <= AN_LEVEL_CRITICAL; l++)
        if (strcmp(value, an_level_name((enum an_level)l)) == 0) {
            *out = (enum an_level)l;
            return 0;
        }
    return tca_fail(err, errlen, TCA_EINVAL, "flag_level: watch, suspect or critical");
}

static int parse_period(const char *value, enum an_period *out, char *err, size_t errlen)
{
    static const char *const names[] = {"day", "week", "month", "year"};
    for (int p = 0; p < 4; p++)
        if (strcmp(value, names[p]) == 0) {
            *out = (enum an_period)p;
            return 0;
        }
    return tca_fail(err, errlen, TCA_EINVAL, "period: day, week, month or year");
}

int report_option_set(struct report_options *o, const char *name, const char *value, char *err,
                      size_t errlen)
{
    const size_t big = 1000000;
    size_t hours;
    if (strcmp(name, "channel") == 0) {
        size_t len = strlen(value);
        if (o->n_channels == REPORT_MAX_CHANNELS)
            return tca_fail(err, errlen, TCA_EINVAL, "channel: at most %d channels",
                            REPORT_MAX_CHANNELS);
        if (len == 0 || len >= sizeof o->channels[0])
            return tca_fail(err, errlen, TCA_EINVAL, "channel: a login of 1-31 characters");
        memcpy(o->channels[o->n_channels++], value, len + 1);
        return 0;
    }
    if (strcmp(name, "exclude") == 0)
        return parse_exclude(&o->exclude, value, err, errlen);
    if (strcmp(name, "critical") == 0)
        return parse_size(name, value, 1, big, &o->levels.critical, err, errlen);
    if (strcmp(name, "suspect") == 0)
        return parse_size(name, value, 1, big, &o->levels.suspect, err, errlen);
    if (strcmp(name, "watch") == 0)
        return parse_size(name, value, 1, big, &o->levels.watch, err, errlen);
    if (strcmp(name, "flag_level") == 0)
        return parse_level(value, &o->flag_level, err, errlen);
    if (strcmp(name, "raid_window") == 0)
        return parse_size(name, value, 1, 10000, &o->raid.window, err, errlen);
    if (strcmp(name, "raid_min_baseline") == 0)
        return parse_size(name, value, 1, 10000, &o->raid.min_baseline, err, errlen);
    if (strcmp(name, "raid_z") == 0)
        return parse_double(name, value, 0, 100, &o->raid.z, err, errlen);
    /* raid_min_joined: the name before the surge rule, still accepted */
    if (strcmp(name, "raid_min_surge") == 0 || strcmp(name, "raid_min_joined") == 0)
        return parse_size(name, value, 1, big, &o->raid.min_surge, err, errlen);
    if (strcmp(name, "raid_min_share") == 0)
        return parse_double(name, value, 0, 1, &o->raid.min_share, err, errlen);
    if (strcmp(name, "raid_min_new_share") == 0)
        return parse_double(name, value, 0, 1, &o->raid.min_new_share, err, errlen);
    if (strcmp(name, "cluster_window_h") == 0) {
        int rc = parse_size(name, value, 1, 24 * 365, &hours, err, errlen);
        if (!rc)
            o->cluster.window_ms = (int64_t)hours * 3600 * 1000;
        return rc;
    }
    if (strcmp(name, "cluster_min_size") == 0)
        return parse_size(name, value, 2, big, &o->cluster.min_size, err, errlen);
    if (strcmp(name, "cluster_max_spread") == 0)
        return parse_size(name, value, 0, big, &o->cluster.max_number_spread, err, errlen);
    if (strcmp(name, "cluster_min_stem") == 0)
        return parse_size(name, value, 1, 25, &o->cluster.min_stem, err, errlen);
    if (strcmp(name, "multi_channels") == 0)
        return parse_size(name, value, 2, 1000, &o->multi.with_reason, err, errlen);
    if (strcmp(name, "multi_channels_alone") == 0)
        return parse_size(name, value, 2, 1000, &o->multi.alone, err, errlen);
    if (strcmp(name, "fresh_days") == 0) {
        size_t days;
        int rc = parse_size(name, value, 0, 3650, &days, err, errlen);
        if (!rc)
            o->multi.fresh_ms = (int64_t)days * 86400000;
        return rc;
    }
    if (strcmp(name, "min_renames") == 0)
        return parse_size(name, value, 1, 1000, &o->min_renames, err, errlen);
    if (strcmp(name, "top_days") == 0)
        return parse_size(name, value, 1, 1000, &o->top_days, err, errlen);
    if (strcmp(name, "top") == 0)
        return parse_size(name, value, 1, 100000, &o->top, err, errlen);
    if (strcmp(name, "period") == 0)
        return parse_period(value, &o->period, err, errlen);
    return tca_fail(err, errlen, TCA_EINVAL, "unknown option '%s'", name);
}

json_t *rp_time(int64_t ms)
{
    if (!ms)
        return json_null();
    char t[40];
    clock_format_rfc3339(ms, t, sizeof t);
    return json_string(t);
}

json_t *rp_id(int64_t id)
{
    char s[24];
    snprintf(s, sizeof s, "%lld", (long long)id);
    return json_string(s);
}

static const struct {
    const char *name;
    unsigned bits;
} section_names[] = {
    {"summary", REPORT_SUMMARY},
    {"participation", REPORT_PARTICIPATION},
    {"series", REPORT_SERIES},
    {"viewers", REPORT_VIEWERS},
    {"viewer_list", REPORT_VIEWER_LIST},
    {"accounts", REPORT_ACCOUNTS},
    {"suspects", REPORT_SUSPECTS},
    {"flags", REPORT_FLAGS},
    {"flag_list", REPORT_FLAG_LIST},
    {"raids", REPORT_RAIDS},
    {"overlap", REPORT_OVERLAP},
    {"followers", REPORT_FOLLOWERS},
    {"chat", REPORT_CHAT},
};

int report_sections_parse(const char *list, unsigned *out, char *err, size_t errlen)
{
    char item[32];
    *out = 0;
    while (*list) {
        size_t len = strcspn(list, ","), i = 0;
        if (len > 0 && len < sizeof item) {
            memcpy(item, list, len);
            item[len] = '\0';
            while (i < sizeof section_names / sizeof *section_names &&
                   strcmp(item, section_names[i].name) != 0)
                i++;
        }
        if (len == 0 || len >= sizeof item || i == sizeof section_names / sizeof *section_names)
            break;
        *out |= section_names[i].bits;
        list += len + (list[len] == ',');
    }
    if (*list || !*out) {
        *out = 0;
        return tca_fail(
            err, errlen, TCA_EINVAL,
            "sections: a comma list of summary, participation, series, viewers, "
            "viewer_list, accounts, suspects, flags, flag_list, raids, overlap, followers, chat");
    }
    return 0;
}
