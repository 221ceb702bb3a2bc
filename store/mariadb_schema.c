/*
 * The MariaDB schema as an ordered list of migrations, numbered on their own (not SQLite's).
 * MariaDB commits each DDL statement by itself, so a step cannot be one transaction: steps
 * run under GET_LOCK (one migrating process at a time, the others wait and then find nothing
 * to do) and every statement is written to be re-runnable (IF NOT EXISTS), so a step cut
 * short by a crash is simply run again. Never edit a step that has shipped: append one.
 */
#include "store/mariadb_internal.h"
#include "base/err.h"

#include <stdio.h>

/* Translation notes from the SQLite schema:
 * - SQLite's partial unique indexes (one active session per user, one queued or running job
 *   per dedupe key) become unique indexes over a generated column that is NULL outside the
 *   rows the rule covers (NULLs are distinct in a unique index).
 * - Text compares byte for byte (utf8mb4_bin) as in SQLite, except where SQLite said
 *   COLLATE NOCASE (channel logins, known-bot logins).
 * - `left` is a reserved word here: quoted everywhere. */
#define TABLE_OPTS " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"

static const char *const step1[] = {
    "CREATE TABLE IF NOT EXISTS users("
    " id BIGINT PRIMARY KEY,"
    " login VARCHAR(64) NOT NULL,"
    " display_name VARCHAR(255) NOT NULL,"
    " last_login BIGINT NOT NULL DEFAULT 0,"
    " KEY users_last_login(last_login))" TABLE_OPTS,

    "CREATE TABLE IF NOT EXISTS oauth_tokens("
    " user_id BIGINT PRIMARY KEY,"
    " access_sealed TEXT NOT NULL,"
    " refresh_sealed TEXT,"
    " expires_at BIGINT NOT NULL,"
    " validated_at BIGINT NOT NULL DEFAULT 0,"
    " scopes VARCHAR(512) NOT NULL DEFAULT '',"
    " FOREIGN KEY(user_id) REFERENCES users(id) ON DELETE CASCADE)" TABLE_OPTS,

    "CREATE TABLE IF NOT EXISTS channels("
    " id BIGINT PRIMARY KEY,"
    " login VARCHAR(64) COLLATE utf8mb4_general_ci NOT NULL,"
    " display_name VARCHAR(255) NOT NULL,"
    " KEY channels_login(login))" TABLE_OPTS,

    "CREATE TABLE IF NOT EXISTS sessions("
    " id BIGINT AUTO_INCREMENT PRIMARY KEY,"
    " user_id BIGINT NOT NULL,"
    " active TINYINT NOT NULL DEFAULT 0,"
    " saved TINYINT NOT NULL DEFAULT 0,"
    " label VARCHAR(255) NOT NULL DEFAULT '',"
    " created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL,"
    " active_user BIGINT AS (IF(active = 1, user_id, NULL)) PERSISTENT,"
    " UNIQUE KEY sessions_one_active(active_user),"
    " KEY sessions_user(user_id, created_at),"
    " FOREIGN KEY(user_id) REFERENCES users(id) ON DELETE CASCADE)" TABLE_OPTS,

    "CREATE TABLE IF NOT EXISTS session_channels("
    " session_id BIGINT NOT NULL,"
    " channel_id BIGINT NOT NULL,"
    " interval_s INT NOT NULL DEFAULT 0,"
    " next_at BIGINT NOT NULL DEFAULT 0,"
    " stop_at BIGINT NOT NULL DEFAULT 0,"
    " enabled TINYINT NOT NULL DEFAULT 1,"
    " PRIMARY KEY(session_id, channel_id),"
    " KEY session_channels_due(enabled, next_at),"
    " FOREIGN KEY(session_id) REFERENCES sessions(id) ON DELETE CASCADE,"
    " FOREIGN KEY(channel_id) REFERENCES channels(id))" TABLE_OPTS,

    "CREATE TABLE IF NOT EXISTS captures("
    " id BIGINT AUTO_INCREMENT PRIMARY KEY,"
    " session_id BIGINT NOT NULL,"
    " channel_id BIGINT NOT NULL,"
    " seq BIGINT NOT NULL,"
    " taken_at BIGINT NOT NULL,"
    " chatter_count BIGINT NOT NULL,"
    " joined BIGINT NOT NULL,"
    " `left` BIGINT NOT NULL,"
    " new_to_channel BIGINT NOT NULL,"
    " pages INT NOT NULL,"
    " duration_ms BIGINT NOT NULL,"
    " job_id BIGINT,"
    " UNIQUE KEY captures_seq(session_id, channel_id, seq),"
    " KEY captures_time(session_id, taken_at),"
    " FOREIGN KEY(session_id) REFERENCES sessions(id) ON DELETE CASCADE,"
    " FOREIGN KEY(channel_id) REFERENCES channels(id))" TABLE_OPTS,

    "CREATE TABLE IF NOT EXISTS presence("
    " session_id BIGINT NOT NULL,"
    " user_id BIGINT NOT NULL,"
    " channel_id BIGINT NOT NULL,"
    " from_seq BIGINT NOT NULL,"
    " to_seq BIGINT,"
    " PRIMARY KEY(session_id, user_id, channel_id, from_seq),"
    " KEY presence_open(session_id, channel_id, to_seq, user_id))" TABLE_OPTS,

    "CREATE TABLE IF NOT EXISTS channel_chatters("
    " channel_id BIGINT NOT NULL,"
    " user_id BIGINT NOT NULL,"
    " first_seen BIGINT NOT NULL,"
    " last_seen BIGINT NOT NULL,"
    " sessions_seen BIGINT NOT NULL,"
    " captures_seen BIGINT NOT NULL,"
    " PRIMARY KEY(channel_id, user_id))" TABLE_OPTS,

    "CREATE TABLE IF NOT EXISTS twitch_users("
    " id BIGINT PRIMARY KEY,"
    " login VARCHAR(64) NOT NULL,"
    " display_name VARCHAR(255) NOT NULL,"
    " created_at BIGINT NOT NULL DEFAULT 0,"
    " type VARCHAR(32) NOT NULL DEFAULT '',"
    " broadcaster_type VARCHAR(32) NOT NULL DEFAULT '',"
    " enriched_at BIGINT NOT NULL DEFAULT 0)" TABLE_OPTS,

    "CREATE TABLE IF NOT EXISTS twitch_user_names("
    " id BIGINT AUTO_INCREMENT PRIMARY KEY,"
    " user_id BIGINT NOT NULL,"
    " login VARCHAR(64) NOT NULL,"
    " display_name VARCHAR(255) NOT NULL,"
    " seen_at BIGINT NOT NULL,"
    " KEY twitch_user_names_user(user_id, seen_at))" TABLE_OPTS,

    "CREATE TABLE IF NOT EXISTS jobs("
    " id BIGINT AUTO_INCREMENT PRIMARY KEY,"
    " kind VARCHAR(32) NOT NULL,"
    " dedupe_key VARCHAR(191),"
    " payload MEDIUMTEXT NOT NULL,"
    " state TINYINT NOT NULL DEFAULT 0,"
    " attempts INT NOT NULL DEFAULT 0,"
    " run_at BIGINT NOT NULL,"
    " lease_until BIGINT NOT NULL DEFAULT 0,"
    " last_error TEXT,"
    " created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL,"
    " dedupe_live VARCHAR(191) AS (IF(state IN (0, 1), dedupe_key, NULL)) PERSISTENT,"
    " UNIQUE KEY jobs_dedupe(dedupe_live),"
    " KEY jobs_due(state, run_at))" TABLE_OPTS,

    "CREATE TABLE IF NOT EXISTS login_sessions("
    " id_hash VARCHAR(128) PRIMARY KEY,"
    " user_id BIGINT NOT NULL,"
    " csrf VARCHAR(96) NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " last_seen BIGINT NOT NULL,"
    " expires_at BIGINT NOT NULL,"
    " KEY login_sessions_user(user_id),"
    " FOREIGN KEY(user_id) REFERENCES users(id) ON DELETE CASCADE)" TABLE_OPTS,

    "CREATE TABLE IF NOT EXISTS oauth_states("
    " state_hash VARCHAR(128) PRIMARY KEY,"
    " expires_at BIGINT NOT NULL)" TABLE_OPTS,

    "CREATE TABLE IF NOT EXISTS api_keys("
    " id BIGINT AUTO_INCREMENT PRIMARY KEY,"
    " key_hash VARCHAR(128) NOT NULL UNIQUE,"
    " user_id BIGINT NOT NULL,"
    " name VARCHAR(128) NOT NULL,"
    " prefix VARCHAR(32) NOT NULL,"
    " read_only TINYINT NOT NULL DEFAULT 0,"
    " created_at BIGINT NOT NULL,"
    " last_used BIGINT NOT NULL DEFAULT 0,"
    " revoked_at BIGINT NOT NULL DEFAULT 0,"
    " KEY api_keys_user(user_id),"
    " FOREIGN KEY(user_id) REFERENCES users(id) ON DELETE CASCADE)" TABLE_OPTS,

    "CREATE TABLE IF NOT EXISTS user_channels("
    " user_id BIGINT NOT NULL,"
    " channel_id BIGINT NOT NULL,"
    " role VARCHAR(32) NOT NULL,"
    " live TINYINT NOT NULL DEFAULT 0,"
    " checked_at BIGINT NOT NULL,"
    " viewers BIGINT NOT NULL DEFAULT 0,"
    " PRIMARY KEY(user_id, channel_id))" TABLE_OPTS,

    "CREATE TABLE IF NOT EXISTS live_watches("
    " session_id BIGINT NOT NULL,"
    " channel_id BIGINT NOT NULL,"
    " user_id BIGINT NOT NULL,"
    " interval_s INT NOT NULL,"
    " live TINYINT NOT NULL DEFAULT 0,"
    " PRIMARY KEY(session_id, channel_id),"
    " FOREIGN KEY(session_id) REFERENCES sessions(id) ON DELETE CASCADE)" TABLE_OPTS,

    "CREATE TABLE IF NOT EXISTS known_bots("
    " owner_id BIGINT NOT NULL,"
    " login VARCHAR(64) COLLATE utf8mb4_general_ci NOT NULL,"
    " user_id BIGINT NOT NULL DEFAULT 0,"
    " kind VARCHAR(16) NOT NULL DEFAULT 'service',"
    " removed TINYINT NOT NULL DEFAULT 0,"
    " added_at BIGINT NOT NULL DEFAULT 0,"
    " PRIMARY KEY(owner_id, login))" TABLE_OPTS,

    "INSERT IGNORE INTO known_bots(owner_id, login, kind) VALUES"
    " (0, 'nightbot', 'service'), (0, 'streamelements', 'service'), (0, 'moobot', 'service'),"
    " (0, 'fossabot', 'service'), (0, 'streamlabs', 'service'), (0, 'soundalerts', 'service'),"
    " (0, 'wizebot', 'service'), (0, 'sery_bot', 'service'), (0, 'botrixoficial', 'service'),"
    " (0, 'kofistreambot', 'service'), (0, 'pokemoncommunitygame', 'service'),"
    " (0, 'streamstickers', 'service'), (0, 'commanderroot', 'lurker'),"
    " (0, 'anotherttvviewer', 'lurker'), (0, 'lurxx', 'lurker'), (0, 'drapsnatt', 'lurker'),"
    " (0, '0ax2', 'lurker'), (0, 'electricallongboard', 'lurker')",
    NULL,
};

/* renames seen by captures (each capture's count, the stays' name hash) and the visits kept
 * from purged and deleted sessions: SQLite's steps 5 and 6 (its /metrics counters table
 * aside: here the totals are counted from captures) */
static const char *const step2[] = {
    "ALTER TABLE captures ADD COLUMN renames BIGINT NOT NULL DEFAULT 0",
    "ALTER TABLE presence ADD COLUMN name_hash BIGINT NOT NULL DEFAULT 0",
    "CREATE TABLE kept_visits("
    " owner_id BIGINT NOT NULL,"
    " channel_id BIGINT NOT NULL,"
    " session_id BIGINT NOT NULL,"
    " user_id BIGINT NOT NULL,"
    " first_seq BIGINT NOT NULL,"
    " last_seen BIGINT NOT NULL,"
    " session_first_at BIGINT NOT NULL,"
    " PRIMARY KEY(owner_id, channel_id, session_id, user_id)) ENGINE=InnoDB",
    NULL,
};

/* alerts: webhooks (URL and secret sealed by the caller), their deliveries, and each user's
 * watchlist, kept by Twitch id once known (user_id 0 until then) */
static const char *const step3[] = {
    "CREATE TABLE IF NOT EXISTS webhooks("
    " id BIGINT AUTO_INCREMENT PRIMARY KEY,"
    " owner_id BIGINT NOT NULL,"
    " kind VARCHAR(16) NOT NULL,"
    " name VARCHAR(64) NOT NULL DEFAULT '',"
    " url_sealed TEXT NOT NULL,"
    " secret_sealed TEXT NOT NULL,"
    " url_masked VARCHAR(96) NOT NULL DEFAULT '',"
    " channel_id BIGINT NOT NULL DEFAULT 0,"
    " events BIGINT NOT NULL DEFAULT 0,"
    " blocked_until BIGINT NOT NULL DEFAULT 0,"
    " created_at BIGINT NOT NULL,"
    " KEY webhooks_owner(owner_id))" TABLE_OPTS,

    "CREATE TABLE IF NOT EXISTS webhook_deliveries("
    " id BIGINT AUTO_INCREMENT PRIMARY KEY,"
    " webhook_id BIGINT NOT NULL,"
    " owner_id BIGINT NOT NULL,"
    " event VARCHAR(32) NOT NULL,"
    " body MEDIUMTEXT NOT NULL,"
    " state VARCHAR(12) NOT NULL DEFAULT 'queued',"
    " attempts INT NOT NULL DEFAULT 0,"
    " last_status INT NOT NULL DEFAULT 0,"
    " last_error VARCHAR(160) NOT NULL DEFAULT '',"
    " dedupe_key VARCHAR(96) NULL,"
    " created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL,"
    " UNIQUE KEY webhook_deliveries_once(webhook_id, dedupe_key),"
    " KEY webhook_deliveries_owner(owner_id, id),"
    " KEY webhook_deliveries_hook(webhook_id))" TABLE_OPTS,

    "CREATE TABLE IF NOT EXISTS watchlist("
    " id BIGINT AUTO_INCREMENT PRIMARY KEY,"
    " owner_id BIGINT NOT NULL,"
    " user_id BIGINT NOT NULL DEFAULT 0,"
    " login VARCHAR(64) COLLATE utf8mb4_general_ci NOT NULL,"
    " reason VARCHAR(32) NOT NULL DEFAULT '',"
    " note VARCHAR(256) NOT NULL DEFAULT '',"
    " added_at BIGINT NOT NULL,"
    " KEY watchlist_owner_user(owner_id, user_id),"
    " KEY watchlist_owner_login(owner_id, login))" TABLE_OPTS,
    NULL,
};

/* chat activity from EventSub: counts per chatter and minute (never the text), raids Twitch
 * announced; every row goes with its session */
static const char *const step4[] = {
    "CREATE TABLE IF NOT EXISTS chat_settings("
    " session_id BIGINT NOT NULL PRIMARY KEY,"
    " enabled TINYINT NOT NULL DEFAULT 0,"
    " status VARCHAR(192) NOT NULL DEFAULT '',"
    " updated_at BIGINT NOT NULL,"
    " FOREIGN KEY(session_id) REFERENCES sessions(id) ON DELETE CASCADE)" TABLE_OPTS,

    "CREATE TABLE IF NOT EXISTS chat_counts("
    " session_id BIGINT NOT NULL,"
    " channel_id BIGINT NOT NULL,"
    " minute BIGINT NOT NULL,"
    " user_id BIGINT NOT NULL,"
    " login VARCHAR(64) NOT NULL DEFAULT '',"
    " messages BIGINT NOT NULL,"
    " emote_only BIGINT NOT NULL DEFAULT 0,"
    " PRIMARY KEY(session_id, channel_id, minute, user_id),"
    " FOREIGN KEY(session_id) REFERENCES sessions(id) ON DELETE CASCADE)" TABLE_OPTS,

    "CREATE TABLE IF NOT EXISTS chat_raids("
    " session_id BIGINT NOT NULL,"
    " channel_id BIGINT NOT NULL,"
    " from_id BIGINT NOT NULL,"
    " from_login VARCHAR(64) NOT NULL DEFAULT '',"
    " viewers BIGINT NOT NULL,"
    " at BIGINT NOT NULL,"
    " PRIMARY KEY(session_id, channel_id, from_id, at),"
    " FOREIGN KEY(session_id) REFERENCES sessions(id) ON DELETE CASCADE)" TABLE_OPTS,
    NULL,
};

/* roles Twitch reports in a channel (moderators 1, VIPs 2), replaced whole at each read,
 * and when each was last read */
static const char *const step5[] = {
    "CREATE TABLE IF NOT EXISTS channel_roles("
    " channel_id BIGINT NOT NULL,"
    " role INT NOT NULL,"
    " user_id BIGINT NOT NULL,"
    " PRIMARY KEY(channel_id, role, user_id))" TABLE_OPTS,
    "CREATE TABLE IF NOT EXISTS channel_roles_read("
    " channel_id BIGINT NOT NULL,"
    " role INT NOT NULL,"
    " read_at BIGINT NOT NULL,"
    " PRIMARY KEY(channel_id, role))" TABLE_OPTS,
    NULL,
};

/* channel_chatters keeps only its key, as SQLite's: no query read its four totals, and they
 * cost a row update per leaver and returning joiner. IF EXISTS: a step cut short by a crash
 * runs again. */
static const char *const step6[] = {
    "ALTER TABLE channel_chatters DROP COLUMN IF EXISTS first_seen,"
    " DROP COLUMN IF EXISTS last_seen, DROP COLUMN IF EXISTS sessions_seen,"
    " DROP COLUMN IF EXISTS captures_seen",
    NULL,
};

/* followers (issue 12): each follow kept once per channel with the session and capture whose
 * read saw it first, and every read with how many follows it found new */
static const char *const step7[] = {
    "CREATE TABLE IF NOT EXISTS channel_followers("
    " channel_id BIGINT NOT NULL,"
    " user_id BIGINT NOT NULL,"
    " login VARCHAR(64) NOT NULL DEFAULT '',"
    " followed_at BIGINT NOT NULL,"
    " session_id BIGINT NOT NULL,"
    " seq BIGINT NOT NULL,"
    " PRIMARY KEY(channel_id, user_id),"
    " KEY channel_followers_session(session_id, channel_id, seq),"
    " FOREIGN KEY(session_id) REFERENCES sessions(id) ON DELETE CASCADE)" TABLE_OPTS,
    "CREATE TABLE IF NOT EXISTS follower_reads("
    " session_id BIGINT NOT NULL,"
    " channel_id BIGINT NOT NULL,"
    " seq BIGINT NOT NULL,"
    " read_at BIGINT NOT NULL,"
    " new_followers BIGINT NOT NULL,"
    " total BIGINT NOT NULL,"
    " PRIMARY KEY(session_id, channel_id, seq),"
    " KEY follower_reads_channel(channel_id, read_at),"
    " FOREIGN KEY(session_id) REFERENCES sessions(id) ON DELETE CASCADE)" TABLE_OPTS,
    NULL,
};

/* sentiment of the chat messages (issue 11), scored when each arrives: per chatter and minute,
 * how many were scored, their sum, the positive and negative ones; never the text */
static const char *const step8[] = {
    "ALTER TABLE chat_counts ADD COLUMN IF NOT EXISTS scored BIGINT NOT NULL DEFAULT 0,"
    " ADD COLUMN IF NOT EXISTS score_sum BIGINT NOT NULL DEFAULT 0,"
    " ADD COLUMN IF NOT EXISTS positive BIGINT NOT NULL DEFAULT 0,"
    " ADD COLUMN IF NOT EXISTS negative BIGINT NOT NULL DEFAULT 0",
    /* bumped with every batch of counts or raid: cached statistics see the chat change */
    "ALTER TABLE chat_settings ADD COLUMN IF NOT EXISTS counts_seq BIGINT NOT NULL DEFAULT 0",
    NULL,
};

/* incremental aggregates (issue 15): each capture's joiners new to its session's owner, kept
 * by the capture (store/mariadb_aggregates.c) so the statistics' series is read, not
 * recomputed; NULL on the captures stored before this step (they recompute) */
static const char *const step9[] = {
    "ALTER TABLE captures ADD COLUMN IF NOT EXISTS new_to_owner BIGINT NULL",
    NULL,
};

/* incremental aggregates (issue 15): each capture's joiners at their first stay of the session
 * in the channel (store/mariadb_aggregates.c): summed over a channel's captures, its unique
 * chatters without counting every stay. The captures already stored get theirs from their
 * stays (whole sessions go at once, so what is left counts the same); re-runnable */
static const char *const step10[] = {
    "ALTER TABLE captures ADD COLUMN IF NOT EXISTS first_stays BIGINT NULL",
    "UPDATE captures SET first_stays = 0 WHERE first_stays IS NULL",
    "UPDATE captures c JOIN (SELECT session_id, channel_id, seq, COUNT(*) AS n"
    " FROM (SELECT session_id, channel_id, MIN(from_seq) AS seq FROM presence"
    " GROUP BY session_id, user_id, channel_id) f GROUP BY session_id, channel_id, seq) x"
    " ON x.session_id = c.session_id AND x.channel_id = c.channel_id AND x.seq = c.seq"
    " SET c.first_stays = x.n",
    NULL,
};

/* Step i brings the schema from version i to i + 1. */
static const char *const *const migrations[] = {step1, step2, step3, step4, step5,
                                                step6, step7, step8, step9, step10};

enum { SCHEMA_VERSION = sizeof migrations / sizeof *migrations };

int my_schema_steps(void)
{
    return SCHEMA_VERSION;
}

const char *const *my_schema_step(int v)
{
    return v >= 0 && v < SCHEMA_VERSION ? migrations[v] : NULL;
}

static int schema_version(struct store *st, int *v, char *err, size_t errlen)
{
    int64_t n = 0;
    int rc = my_query_int(st, "SELECT COALESCE(MAX(version), 0) FROM schema_version", MY_NOARGS, &n,
                          err, errlen);
    *v = (int)n;
    return rc;
}

static int apply(struct store *st, int *from, int *to, char *err, size_t errlen)
{
    int rc = my_exec(st,
                     "CREATE TABLE IF NOT EXISTS schema_version(version INT NOT NULL PRIMARY KEY)"
                     " ENGINE=InnoDB",
                     MY_NOARGS, NULL, NULL, err, errlen);
    int v = 0;
    if (!rc)
        rc = schema_version(st, &v, err, errlen);
    if (rc)
        return rc;
    *from = *to = v;
    if (v > SCHEMA_VERSION)
        return tca_fail(err, errlen, TCA_EDB,
                        "schema version %d is newer than this tca (%d): upgrade tca", v,
                        SCHEMA_VERSION);
    for (; v < SCHEMA_VERSION; v++) {
        for (const char *const *sql = migrations[v]; *sql && !rc; sql++)
            rc = my_exec(st, *sql, MY_NOARGS, NULL, NULL, err, errlen);
        if (!rc)
            rc = my_exec(st, "INSERT INTO schema_version(version) VALUES(?)",
                         MY_ARGS(MY_INT(v + 1)), NULL, NULL, err, errlen);
        if (rc)
            return rc;
        *to = v + 1;
    }
    return 0;
}

int my_migrate(struct store *st, int *from, int *to, char *err, size_t errlen)
{
    /* The lock belongs to this connection and ends with it, so a process that dies while
     * migrating never leaves it held. */
    int64_t got = 0;
    int rc = my_query_int(st, "SELECT GET_LOCK('tca_migrate', 120)", MY_NOARGS, &got, err, errlen);
    if (rc)
        return rc;
    if (got != 1)
        return tca_fail(err, errlen, TCA_ETEMP,
                        "another process has been migrating the store for 120 s");
    rc = apply(st, from, to, err, errlen);
    char ignored[64];
    int64_t released;
    my_query_int(st, "SELECT RELEASE_LOCK('tca_migrate')", MY_NOARGS, &released, ignored,
                 sizeof ignored);
    return rc;
}
