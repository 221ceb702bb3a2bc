/*
 * One session's flags, in the order the multi-channel rule needs: every other reason first,
 * so that presence in several channels counts only with one of them (or when implausible
 * for a person). Must never drop what a step found: the caller shows it.
 */
#include "analysis/session_flags.h"

#include <stdlib.h>
#include <string.h>

struct an_flag_rules an_flag_rules_default(void)
{
    return (struct an_flag_rules){.levels = an_wave_levels_default(),
                                  .flag_level = AN_LEVEL_SUSPECT,
                                  .top_days = 10,
                                  .cluster = an_cluster_rule_default(),
                                  .multi = an_multi_rule_default(),
                                  .min_renames = 3};
}

int an_session_flags(const struct an_profile *profiles, size_t n_profiles,
                     const struct an_channel *chs, size_t n_channels, const struct an_name *names,
                     size_t n_names, const struct an_known_bots *bots,
                     const struct an_flag_rules *rules, struct an_session_flags *out, char *err,
                     size_t errlen)
{
    struct an_flag_rules defaults = an_flag_rules_default();
    if (!rules)
        rules = &defaults;
    memset(out, 0, sizeof *out);
    an_flags_init(&out->flags);
    if (bots)
        an_flags_add_known_bots(&out->flags, profiles, n_profiles, bots);
    an_top_creation_days(profiles, n_profiles, rules->top_days, &rules->levels, &out->days);
    an_flags_add_waves(&out->flags, &out->days, rules->flag_level);
    an_clusters(profiles, n_profiles, &rules->cluster, &out->clusters);
    an_flags_add_clusters(&out->flags, &out->clusters);
    an_renamers(names, n_names, rules->min_renames, &out->renamers, &out->n_renamers);
    an_flags_add_renamers(&out->flags, out->renamers, out->n_renamers);
    if (rules->multi.with_reason < 2)
        return 0;
    int rc = an_multi_channel(chs, n_channels, rules->multi.with_reason, &out->multi, &out->n_multi,
                              err, errlen);
    if (rc)
        return rc;
    an_flags_add_multi_channel(&out->flags, out->multi, out->n_multi, n_channels, &rules->multi,
                               profiles, n_profiles);
    return 0;
}

void an_session_flags_free(struct an_session_flags *s)
{
    an_flags_free(&s->flags);
    an_creation_days_free(&s->days);
    an_clusters_free(&s->clusters);
    free(s->multi);
    free(s->renamers);
    memset(s, 0, sizeof *s);
}
