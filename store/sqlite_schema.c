/*
 * The SQLite schema as an ordered list of migrations. Step i brings the schema from version
 * i to i + 1 (PRAGMA user_version) in one transaction, so a crash never leaves half a step.
 * Never edit a step that has shipped: append a new one.
 */
#include "store/sqlite_internal.h"
#include "base/err.h"

#include <stdio.h>

/* Design notes for version 1:
 * - presence is keyed (session, user, channel, from_seq) WITHOUT ROWID, so an export walks
 *   one session's stays in user order without sorting, and "has this chatter been in this
 *   session" is one key prefix lookup (which also refuses a second open stay).
 * - presence_open, the partial index on open stays, is what a capture diffs against. It
 *   carries to_seq although it is always NULL there: SQLite 3.40 only treats the index as
 *   covering when every column of the WHERE is in it, and reading 100,000 open stays went
 *   from 60 ms to 13 ms. For the same reason it cannot be UNIQUE (NULLs are distinct).
 * - presence and channel_chatters are WITHOUT ROWID: a rowid table with a composite key
 *   keeps a second B-tree for the key, and the 100,000-chatter churn capture measured
 *   ~112 ms that way against ~84 ms (median of 5 runs of bench/bench_ingest).
 * - presence and channel_chatters carry no foreign keys: they take thousands of rows per
 *   capture and their parents are checked once per capture instead.
 * - jobs_dedupe is unique only over queued and running jobs: a finished capture must not
 *   block the next capture of the same channel. */
/* clang-format off */
/* The compact profile rows of the last step (issue 15). Twitch logins are the lower-case form
 * of the display name for most accounts: twitch_profiles keeps the login as NULL when it is
 * the display name in lower case and both are printable ASCII (where SQLite's lower() and C
 * agree; sq_bind_login writes the same), and named_at as 0 when the name is dated by the
 * enrichment, the usual case (a name dated 0 with a later enrichment cannot be told apart: no
 * name is dated 1970). twitch_users becomes the view every reader keeps using, in plain SQL so
 * that any SQLite client reads it; inserting into it encodes the same way. Decoding costs one
 * lower() per login read; a case mask of the login in place of the display name saved the
 * same bytes but cost three function calls per display name read. */
#define LOGIN_CODE(login, display)                                                         \
    "CASE WHEN " login " = lower(" display ") AND " display " NOT GLOB '*[^ -~]*'"         \
    " THEN NULL ELSE " login " END"
#define NAMED_CODE(named, enriched)                                                        \
    "CASE WHEN " named " = " enriched " AND " named " <> 0 THEN 0 ELSE " named " END"
#define COMPACT_PROFILES_STEP                                                              \
    "CREATE TABLE twitch_profiles("                                                        \
    " id INTEGER PRIMARY KEY,"                                                             \
    " login TEXT,"                                                                         \
    " display_name TEXT NOT NULL,"                                                         \
    " created_at INTEGER NOT NULL DEFAULT 0,"                                              \
    " type TEXT NOT NULL DEFAULT '',"                                                      \
    " broadcaster_type TEXT NOT NULL DEFAULT '',"                                          \
    " enriched_at INTEGER NOT NULL DEFAULT 0,"                                             \
    " named_at INTEGER);"                                                                  \
    "INSERT INTO twitch_profiles(id, login, display_name, created_at, type,"               \
    " broadcaster_type, enriched_at, named_at) SELECT id, "                                \
    LOGIN_CODE("login", "display_name") ", display_name, created_at, type,"                \
    " broadcaster_type, enriched_at, " NAMED_CODE("named_at", "enriched_at")               \
    " FROM twitch_users ORDER BY id;"                                                      \
    "DROP TABLE twitch_users;"                                                             \
    "CREATE VIEW twitch_users(id, login, display_name, created_at, type, broadcaster_type," \
    " enriched_at, named_at) AS SELECT id, COALESCE(login, lower(display_name)),"          \
    " display_name, created_at, type, broadcaster_type, enriched_at,"                      \
    " CASE WHEN named_at = 0 THEN enriched_at ELSE named_at END FROM twitch_profiles;"     \
    "CREATE TRIGGER twitch_users_insert INSTEAD OF INSERT ON twitch_users BEGIN"           \
    " INSERT INTO twitch_profiles(id, login, display_name, created_at, type,"              \
    " broadcaster_type, enriched_at, named_at) VALUES(NEW.id, "                            \
    LOGIN_CODE("NEW.login", "NEW.display_name") ", NEW.display_name,"                      \
    " COALESCE(NEW.created_at, 0), COALESCE(NEW.type, ''),"                                \
    " COALESCE(NEW.broadcaster_type, ''), COALESCE(NEW.enriched_at, 0), "                  \
    NAMED_CODE("NEW.named_at", "COALESCE(NEW.enriched_at, 0)") "); END;"
/* Profile times (the last step, issue 15): a time in whole seconds, as Twitch gives creation
 * dates, is kept as minus its seconds (4 bytes until 2038 instead of 6); any other as its
 * milliseconds, a negative one shifted below -2^61 so the three never meet (times within 2^61
 * ms of 1970). C writes the same (sq_time_code). Encoding twice would corrupt the dates, so
 * the step leaves the rows alone when the view already decodes them (a store that ran this
 * step under another number, before the steps of parallel branches were put in order). */
#define TIME_CODE(t)                                                                       \
    "CASE WHEN (" t ") > 0 AND (" t ") % 1000 = 0 THEN -((" t ") / 1000)"                  \
    " WHEN (" t ") < 0 THEN (" t ") - 4611686018427387904 ELSE (" t ") END"
#define TIME_DECODE(t)                                                                     \
    "CASE WHEN " t " >= 0 THEN " t " WHEN " t " < -2305843009213693952 THEN " t            \
    " + 4611686018427387904 ELSE -" t " * 1000 END"
#define PROFILE_TIMES_STEP                                                                 \
    "UPDATE twitch_profiles SET created_at = " TIME_CODE("created_at") ","                 \
    " enriched_at = " TIME_CODE("enriched_at") ", named_at = " TIME_CODE("named_at")       \
    " WHERE NOT EXISTS(SELECT 1 FROM sqlite_master WHERE name = 'twitch_users'"            \
    " AND sql LIKE '%4611686018427387904%');"                                              \
    "DROP TRIGGER twitch_users_insert;"                                                    \
    "DROP VIEW twitch_users;"                                                              \
    "CREATE VIEW twitch_users(id, login, display_name, created_at, type, broadcaster_type," \
    " enriched_at, named_at) AS SELECT id, COALESCE(login, lower(display_name)),"          \
    " display_name, " TIME_DECODE("created_at") ", type, broadcaster_type, "               \
    TIME_DECODE("enriched_at") ", CASE WHEN named_at = 0 THEN " TIME_DECODE("enriched_at") \
    " ELSE " TIME_DECODE("named_at") " END FROM twitch_profiles;"                          \
    "CREATE TRIGGER twitch_users_insert INSTEAD OF INSERT ON twitch_users BEGIN"           \
    " INSERT INTO twitch_profiles(id, login, display_name, created_at, type,"              \
    " broadcaster_type, enriched_at, named_at) VALUES(NEW.id, "                            \
    LOGIN_CODE("NEW.login", "NEW.display_name") ", NEW.display_name, "                     \
    TIME_CODE("COALESCE(NEW.created_at, 0)") ", COALESCE(NEW.type, ''),"                   \
    " COALESCE(NEW.broadcaster_type, ''), " TIME_CODE("COALESCE(NEW.enriched_at, 0)") ", " \
    TIME_CODE(NAMED_CODE("NEW.named_at", "COALESCE(NEW.enriched_at, 0)")) "); END;"
/* Stays at their final size (issue 15): presence was a third of what the capture path wrote
 * and shrank or grew at every close (the open stay's name hash went, to_seq came), leaving
 * part-empty pages. stays keeps a stay's length in captures after from_seq (span: 1 byte for
 * most stays where to_seq took 2, 0 bytes for a stay of one capture), NULL while it is open;
 * the name hash of an open stay lives in open_stays, keyed as the capture diffs against it
 * (it replaces the presence_open index, which carried the same columns). presence becomes a
 * view in plain SQL so that every reader and any SQLite client keeps reading it (to_seq is
 * from_seq + span, NULL while open); its name_hash column is only computed where a query
 * asks for it. Inserting into it and deleting from it reach both tables. */
#define STAYS_STEP                                                                         \
    "CREATE TABLE stays("                                                                  \
    " session_id INTEGER NOT NULL,"                                                        \
    " user_id INTEGER NOT NULL,"                                                           \
    " channel_id INTEGER NOT NULL,"                                                        \
    " from_seq INTEGER NOT NULL,"                                                          \
    " span INTEGER,"                                                                       \
    " PRIMARY KEY(session_id, user_id, channel_id, from_seq)) WITHOUT ROWID;"              \
    "CREATE TABLE open_stays("                                                             \
    " session_id INTEGER NOT NULL,"                                                        \
    " channel_id INTEGER NOT NULL,"                                                        \
    " user_id INTEGER NOT NULL,"                                                           \
    " name_hash INTEGER NOT NULL DEFAULT 0,"                                               \
    " PRIMARY KEY(session_id, channel_id, user_id)) WITHOUT ROWID;"                        \
    "INSERT INTO stays(session_id, user_id, channel_id, from_seq, span)"                   \
    " SELECT session_id, user_id, channel_id, from_seq, to_seq - from_seq FROM presence"   \
    " ORDER BY session_id, user_id, channel_id, from_seq;"                                 \
    "INSERT INTO open_stays(session_id, channel_id, user_id, name_hash)"                   \
    " SELECT session_id, channel_id, user_id, name_hash FROM presence"                     \
    " WHERE to_seq IS NULL ORDER BY session_id, channel_id, user_id;"                      \
    "DROP TABLE presence;"                                                                 \
    "CREATE VIEW presence(session_id, user_id, channel_id, from_seq, to_seq, name_hash)"   \
    " AS SELECT session_id, user_id, channel_id, from_seq, from_seq + span,"               \
    " CASE WHEN span IS NULL THEN COALESCE((SELECT o.name_hash FROM open_stays o"          \
    " WHERE o.session_id = stays.session_id AND o.channel_id = stays.channel_id"           \
    " AND o.user_id = stays.user_id), 0) ELSE 0 END FROM stays;"                           \
    "CREATE TRIGGER presence_insert INSTEAD OF INSERT ON presence BEGIN"                   \
    " INSERT INTO stays(session_id, user_id, channel_id, from_seq, span)"                  \
    " VALUES(NEW.session_id, NEW.user_id, NEW.channel_id, NEW.from_seq,"                   \
    " NEW.to_seq - NEW.from_seq);"                                                         \
    " INSERT INTO open_stays(session_id, channel_id, user_id, name_hash)"                  \
    " SELECT NEW.session_id, NEW.channel_id, NEW.user_id, COALESCE(NEW.name_hash, 0)"      \
    " WHERE NEW.to_seq IS NULL; END;"                                                      \
    "CREATE TRIGGER presence_delete INSTEAD OF DELETE ON presence BEGIN"                   \
    " DELETE FROM stays WHERE session_id = OLD.session_id AND user_id = OLD.user_id"       \
    " AND channel_id = OLD.channel_id AND from_seq = OLD.from_seq;"                        \
    " DELETE FROM open_stays WHERE OLD.to_seq IS NULL AND session_id = OLD.session_id"     \
    " AND channel_id = OLD.channel_id AND user_id = OLD.user_id; END;"
/* clang-format on */

static const char *const migrations[] = {
    /* 1: the data model of DESIGN.md */
    "CREATE TABLE users("
    " id INTEGER PRIMARY KEY,"
    " login TEXT NOT NULL,"
    " display_name TEXT NOT NULL,"
    " last_login INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX users_last_login ON users(last_login);"

    "CREATE TABLE oauth_tokens("
    " user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
    " access_sealed TEXT NOT NULL,"
    " refresh_sealed TEXT,"
    " expires_at INTEGER NOT NULL,"
    " validated_at INTEGER NOT NULL DEFAULT 0,"
    " scopes TEXT NOT NULL DEFAULT '');"

    "CREATE TABLE channels("
    " id INTEGER PRIMARY KEY,"
    " login TEXT NOT NULL,"
    " display_name TEXT NOT NULL);"
    "CREATE INDEX channels_login ON channels(login COLLATE NOCASE);"

    "CREATE TABLE sessions("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " active INTEGER NOT NULL DEFAULT 0,"
    " saved INTEGER NOT NULL DEFAULT 0,"
    " label TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX sessions_one_active ON sessions(user_id) WHERE active = 1;"
    "CREATE INDEX sessions_user ON sessions(user_id, created_at);"

    "CREATE TABLE session_channels("
    " session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    " channel_id INTEGER NOT NULL REFERENCES channels(id),"
    " interval_s INTEGER NOT NULL DEFAULT 0,"
    " next_at INTEGER NOT NULL DEFAULT 0,"
    " stop_at INTEGER NOT NULL DEFAULT 0,"
    " enabled INTEGER NOT NULL DEFAULT 1,"
    " PRIMARY KEY(session_id, channel_id)) WITHOUT ROWID;"
    "CREATE INDEX session_channels_due ON session_channels(next_at) WHERE enabled = 1;"

    "CREATE TABLE captures("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    " channel_id INTEGER NOT NULL REFERENCES channels(id),"
    " seq INTEGER NOT NULL,"
    " taken_at INTEGER NOT NULL,"
    " chatter_count INTEGER NOT NULL,"
    " joined INTEGER NOT NULL,"
    " \"left\" INTEGER NOT NULL,"
    " new_to_channel INTEGER NOT NULL,"
    " pages INTEGER NOT NULL,"
    " duration_ms INTEGER NOT NULL,"
    " job_id INTEGER,"
    " UNIQUE(session_id, channel_id, seq));"
    "CREATE INDEX captures_time ON captures(session_id, taken_at);"

    "CREATE TABLE presence("
    " session_id INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL,"
    " channel_id INTEGER NOT NULL,"
    " from_seq INTEGER NOT NULL,"
    " to_seq INTEGER,"
    " PRIMARY KEY(session_id, user_id, channel_id, from_seq)) WITHOUT ROWID;"
    "CREATE INDEX presence_open ON presence(session_id, channel_id, user_id, to_seq)"
    " WHERE to_seq IS NULL;"

    "CREATE TABLE channel_chatters("
    " channel_id INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL,"
    " first_seen INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL,"
    " sessions_seen INTEGER NOT NULL,"
    " captures_seen INTEGER NOT NULL,"
    " PRIMARY KEY(channel_id, user_id)) WITHOUT ROWID;"

    "CREATE TABLE twitch_users("
    " id INTEGER PRIMARY KEY,"
    " login TEXT NOT NULL,"
    " display_name TEXT NOT NULL,"
    " created_at INTEGER NOT NULL DEFAULT 0,"
    " type TEXT NOT NULL DEFAULT '',"
    " broadcaster_type TEXT NOT NULL DEFAULT '',"
    " enriched_at INTEGER NOT NULL DEFAULT 0);"

    "CREATE TABLE twitch_user_names("
    " id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL,"
    " login TEXT NOT NULL,"
    " display_name TEXT NOT NULL,"
    " seen_at INTEGER NOT NULL);"
    "CREATE INDEX twitch_user_names_user ON twitch_user_names(user_id, seen_at);"

    "CREATE TABLE jobs("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " kind TEXT NOT NULL,"
    " dedupe_key TEXT,"
    " payload TEXT NOT NULL DEFAULT '',"
    " state INTEGER NOT NULL DEFAULT 0,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " run_at INTEGER NOT NULL,"
    " lease_until INTEGER NOT NULL DEFAULT 0,"
    " last_error TEXT,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX jobs_dedupe ON jobs(dedupe_key)"
    " WHERE dedupe_key IS NOT NULL AND state IN (0, 1);"
    "CREATE INDEX jobs_due ON jobs(state, run_at);",

    /* gateway: login sessions (only keyed hashes of their ids), OAuth states, API keys,
     * the channels each user may capture (refreshed from Twitch), capture-while-live */
    "CREATE TABLE login_sessions("
    " id_hash TEXT PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " csrf TEXT NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL);"
    "CREATE INDEX login_sessions_user ON login_sessions(user_id);"
    "CREATE TABLE oauth_states("
    " state_hash TEXT PRIMARY KEY,"
    " expires_at INTEGER NOT NULL);"
    "CREATE TABLE api_keys("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " key_hash TEXT NOT NULL UNIQUE,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " name TEXT NOT NULL,"
    " prefix TEXT NOT NULL,"
    " read_only INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL,"
    " last_used INTEGER NOT NULL DEFAULT 0,"
    " revoked_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX api_keys_user ON api_keys(user_id);"
    "CREATE TABLE user_channels("
    " user_id INTEGER NOT NULL,"
    " channel_id INTEGER NOT NULL,"
    " role TEXT NOT NULL,"
    " live INTEGER NOT NULL DEFAULT 0,"
    " checked_at INTEGER NOT NULL,"
    " PRIMARY KEY(user_id, channel_id)) WITHOUT ROWID;"
    "CREATE TABLE live_watches("
    " session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    " channel_id INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL,"
    " interval_s INTEGER NOT NULL,"
    " live INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY(session_id, channel_id)) WITHOUT ROWID;",

    /* analysis: the known-bots list. owner_id 0 is tca's built-in list; a user's row with
     * removed = 1 hides a built-in entry for that user only. */
    "CREATE TABLE known_bots("
    " owner_id INTEGER NOT NULL,"
    " login TEXT NOT NULL COLLATE NOCASE,"
    " user_id INTEGER NOT NULL DEFAULT 0,"
    " kind TEXT NOT NULL DEFAULT 'service',"
    " removed INTEGER NOT NULL DEFAULT 0,"
    " added_at INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY(owner_id, login)) WITHOUT ROWID;"
    "INSERT INTO known_bots(owner_id, login, kind) VALUES"
    " (0, 'nightbot', 'service'), (0, 'streamelements', 'service'), (0, 'moobot', 'service'),"
    " (0, 'fossabot', 'service'), (0, 'streamlabs', 'service'), (0, 'soundalerts', 'service'),"
    " (0, 'wizebot', 'service'), (0, 'sery_bot', 'service'), (0, 'botrixoficial', 'service'),"
    " (0, 'kofistreambot', 'service'), (0, 'pokemoncommunitygame', 'service'),"
    " (0, 'streamstickers', 'service'), (0, 'commanderroot', 'lurker'),"
    " (0, 'anotherttvviewer', 'lurker'), (0, 'lurxx', 'lurker'), (0, 'drapsnatt', 'lurker'),"
    " (0, '0ax2', 'lurker'), (0, 'electricallongboard', 'lurker');",

    /* gateway: the viewer count of a live channel, shown next to its live status */
    "ALTER TABLE user_channels ADD COLUMN viewers INTEGER NOT NULL DEFAULT 0;",

    /* renames seen by captures: each capture's count, and on every open stay a hash of the
     * name its chatter had (base/chatter.h), carried by presence_open so that reading the
     * open stays tells which chatters changed name without reading any name. Stays stored
     * before carry 0: their chatters are checked once, at the next capture. */
    "ALTER TABLE captures ADD COLUMN renames INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE presence ADD COLUMN name_hash INTEGER NOT NULL DEFAULT 0;"
    "DROP INDEX presence_open;"
    "CREATE INDEX presence_open ON presence(session_id, channel_id, user_id, to_seq, name_hash)"
    " WHERE to_seq IS NULL;",

    /* history that survives purging and deleting a session: each chatter's visit of each
     * channel in it, so chatters stay "returning" in the owner's later sessions */
    "CREATE TABLE kept_visits("
    " owner_id INTEGER NOT NULL,"
    " channel_id INTEGER NOT NULL,"
    " session_id INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL,"
    " first_seq INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL,"
    " session_first_at INTEGER NOT NULL,"
    " PRIMARY KEY(owner_id, channel_id, session_id, user_id)) WITHOUT ROWID;"

    /* counters for /metrics that only ever grow (purging captures does not lower them) and
     * cost one row update per capture instead of a scan of every capture per scrape */
    "CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
    "INSERT INTO counters(name, value) SELECT 'captures', COUNT(*) FROM captures;"
    "INSERT INTO counters(name, value) SELECT 'capture_renames', TOTAL(renames) FROM captures;",

    /* alerts: webhooks (URL and secret sealed by the caller), their deliveries, and each
     * user's watchlist, kept by Twitch id once known (user_id 0 until then) */
    "CREATE TABLE webhooks("
    " id INTEGER PRIMARY KEY,"
    " owner_id INTEGER NOT NULL,"
    " kind TEXT NOT NULL,"
    " name TEXT NOT NULL DEFAULT '',"
    " url_sealed TEXT NOT NULL,"
    " secret_sealed TEXT NOT NULL DEFAULT '',"
    " url_masked TEXT NOT NULL DEFAULT '',"
    " channel_id INTEGER NOT NULL DEFAULT 0,"
    " events INTEGER NOT NULL DEFAULT 0,"
    " blocked_until INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX webhooks_owner ON webhooks(owner_id);"
    "CREATE TABLE webhook_deliveries("
    " id INTEGER PRIMARY KEY,"
    " webhook_id INTEGER NOT NULL,"
    " owner_id INTEGER NOT NULL,"
    " event TEXT NOT NULL,"
    " body TEXT NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'queued',"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " last_status INTEGER NOT NULL DEFAULT 0,"
    " last_error TEXT NOT NULL DEFAULT '',"
    " dedupe_key TEXT,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries(webhook_id, dedupe_key);"
    "CREATE INDEX webhook_deliveries_owner ON webhook_deliveries(owner_id, id);"
    "CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id);"
    "CREATE TABLE watchlist("
    " id INTEGER PRIMARY KEY,"
    " owner_id INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL DEFAULT 0,"
    " login TEXT NOT NULL COLLATE NOCASE,"
    " reason TEXT NOT NULL DEFAULT '',"
    " note TEXT NOT NULL DEFAULT '',"
    " added_at INTEGER NOT NULL);"
    "CREATE INDEX watchlist_owner_user ON watchlist(owner_id, user_id);"
    "CREATE INDEX watchlist_owner_login ON watchlist(owner_id, login);",

    /* chat activity from EventSub (counts per chatter and minute, never the text; raids
     * Twitch announced); every row goes with its session */
    "CREATE TABLE chat_settings("
    " session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,"
    " enabled INTEGER NOT NULL DEFAULT 0,"
    " status TEXT NOT NULL DEFAULT '',"
    " updated_at INTEGER NOT NULL);"
    "CREATE TABLE chat_counts("
    " session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    " channel_id INTEGER NOT NULL,"
    " minute INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL,"
    " login TEXT NOT NULL DEFAULT '',"
    " messages INTEGER NOT NULL,"
    " emote_only INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY(session_id, channel_id, minute, user_id)) WITHOUT ROWID;"
    "CREATE TABLE chat_raids("
    " session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    " channel_id INTEGER NOT NULL,"
    " from_id INTEGER NOT NULL,"
    " from_login TEXT NOT NULL DEFAULT '',"
    " viewers INTEGER NOT NULL,"
    " at INTEGER NOT NULL,"
    " PRIMARY KEY(session_id, channel_id, from_id, at)) WITHOUT ROWID;",

    /* compact profiles (issue 15): a chatter who never changed name has a history of one
     * entry, the name of the profile itself; twitch_users.named_at keeps when it was seen and
     * twitch_user_names holds rows only for chatters with two names or more (it was a third of
     * the store, with its index). A stay's name hash is only read while the stay is open:
     * closed stays keep 0, which SQLite stores in no bytes at all. */
    "ALTER TABLE twitch_users ADD COLUMN named_at INTEGER;"
    "UPDATE twitch_users SET named_at = (SELECT n.seen_at FROM twitch_user_names n"
    "  WHERE n.user_id = twitch_users.id)"
    " WHERE (SELECT COUNT(*) FROM twitch_user_names n WHERE n.user_id = twitch_users.id) = 1"
    " AND EXISTS(SELECT 1 FROM twitch_user_names n WHERE n.user_id = twitch_users.id"
    "  AND n.login = twitch_users.login AND n.display_name = twitch_users.display_name);"
    "DELETE FROM twitch_user_names WHERE user_id IN"
    " (SELECT id FROM twitch_users WHERE named_at IS NOT NULL);"
    "UPDATE presence SET name_hash = 0 WHERE to_seq IS NOT NULL AND name_hash <> 0;",

    /* roles Twitch reports in a channel (moderators 1, VIPs 2), replaced whole at each read,
     * and when each was last read */
    "CREATE TABLE channel_roles("
    " channel_id INTEGER NOT NULL,"
    " role INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL,"
    " PRIMARY KEY(channel_id, role, user_id)) WITHOUT ROWID;"
    "CREATE TABLE channel_roles_read("
    " channel_id INTEGER NOT NULL,"
    " role INTEGER NOT NULL,"
    " read_at INTEGER NOT NULL,"
    " PRIMARY KEY(channel_id, role)) WITHOUT ROWID;",

    /* channel_chatters keeps only its key (issue 15, issue 8): "new to the channel" is one
     * lookup of it, and no query read its four totals, which cost a row update per leaver
     * and per returning joiner at every capture and 40% of the table's bytes. Copied in key
     * order into a fresh table, so its pages come out full. */
    "CREATE TABLE channel_chatters_keys("
    " channel_id INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL,"
    " PRIMARY KEY(channel_id, user_id)) WITHOUT ROWID;"
    "INSERT INTO channel_chatters_keys(channel_id, user_id)"
    " SELECT channel_id, user_id FROM channel_chatters ORDER BY channel_id, user_id;"
    "DROP TABLE channel_chatters;"
    "ALTER TABLE channel_chatters_keys RENAME TO channel_chatters;",

    /* followers (issue 12): each follow kept once per channel with the session and capture
     * whose read saw it first, and every read with how many follows it found new, so a
     * capture with none still counts in the channel's usual follows */
    "CREATE TABLE channel_followers("
    " channel_id INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL,"
    " login TEXT NOT NULL DEFAULT '',"
    " followed_at INTEGER NOT NULL,"
    " session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL,"
    " PRIMARY KEY(channel_id, user_id)) WITHOUT ROWID;"
    "CREATE INDEX channel_followers_session ON channel_followers(session_id, channel_id, seq);"
    "CREATE TABLE follower_reads("
    " session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    " channel_id INTEGER NOT NULL,"
    " seq INTEGER NOT NULL,"
    " read_at INTEGER NOT NULL,"
    " new_followers INTEGER NOT NULL,"
    " total INTEGER NOT NULL,"
    " PRIMARY KEY(session_id, channel_id, seq)) WITHOUT ROWID;"
    "CREATE INDEX follower_reads_channel ON follower_reads(channel_id, read_at);",

    /* compact profile rows: see COMPACT_PROFILES_STEP above */
    COMPACT_PROFILES_STEP,
    /* sentiment of the chat messages (issue 11), scored when each arrives: per chatter and
     * minute, how many were scored, their sum, the positive and negative ones (the text is
     * still never stored) */
    "ALTER TABLE chat_counts ADD COLUMN scored INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE chat_counts ADD COLUMN score_sum INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE chat_counts ADD COLUMN positive INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE chat_counts ADD COLUMN negative INTEGER NOT NULL DEFAULT 0;"
    /* bumped with every batch of counts or raid: statistics cached for the session know the
     * chat changed without a capture */
    "ALTER TABLE chat_settings ADD COLUMN counts_seq INTEGER NOT NULL DEFAULT 0;",

    /* incremental aggregates (issue 15): each capture's joiners new to its session's owner,
     * kept by the capture (store/sqlite_aggregates.c) so the statistics' series is read, not
     * recomputed from every stay; NULL on captures stored before this step (the statistics
     * then recompute) */
    "ALTER TABLE captures ADD COLUMN new_to_owner INTEGER;",

    /* profile times in seconds where they are whole: see PROFILE_TIMES_STEP above */
    PROFILE_TIMES_STEP,

    /* stays at their final size, open stays apart: see STAYS_STEP above */
    STAYS_STEP,

    /* incremental aggregates (issue 15): each capture's joiners at their first stay of the
     * session in the channel, kept by the capture (store/sqlite_aggregates.c): their sum over
     * a channel's captures is its unique chatters, read instead of counting every stay. The
     * captures already stored get theirs from their stays (a purge or deletion takes a whole
     * session's captures with its stays, so what is left counts the same; 0.5 s on issue 15's
     * 307,600 stays) */
    "ALTER TABLE captures ADD COLUMN first_stays INTEGER;"
    "UPDATE captures SET first_stays = 0;"
    "UPDATE captures SET first_stays = f.n FROM (SELECT session_id, channel_id, seq, COUNT(*) AS n"
    " FROM (SELECT session_id, channel_id, MIN(from_seq) AS seq FROM stays"
    " GROUP BY session_id, user_id, channel_id) GROUP BY session_id, channel_id, seq) AS f"
    " WHERE captures.session_id = f.session_id AND captures.channel_id = f.channel_id"
    " AND captures.seq = f.seq;",
};

enum { SCHEMA_VERSION = sizeof migrations / sizeof *migrations };

int sq_schema_steps(void)
{
    return SCHEMA_VERSION;
}

const char *sq_schema_step(int v)
{
    return v >= 0 && v < SCHEMA_VERSION ? migrations[v] : NULL;
}

static int user_version(struct store *st, int *version, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_cached(st, "PRAGMA user_version", &s);
    if (rc != SQLITE_OK)
        return sq_fail(st, rc, err, errlen, "user_version");
    rc = sqlite3_step(s);
    *version = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : sq_fail(st, rc, err, errlen, "user_version");
}

/* Applies step v (from version v to v + 1), unless another connection got there first.
 * Every path ends the transaction it began: a step found already applied commits the empty
 * transaction, so the next step's BEGIN IMMEDIATE is not nested inside it and the write lock
 * is not kept by a process that had nothing to do. */
static int apply_step(struct store *st, int v, char *err, size_t errlen)
{
    int rc = sq_begin(st, err, errlen);
    if (rc)
        return rc;
    int now;
    rc = user_version(st, &now, err, errlen);
    if (!rc && now <= v) {
        char set[48];
        snprintf(set, sizeof set, "PRAGMA user_version = %d", v + 1);
        int src = sqlite3_exec(sq_conn(st)->db, migrations[v], NULL, NULL, NULL);
        if (src == SQLITE_OK)
            src = sqlite3_exec(sq_conn(st)->db, set, NULL, NULL, NULL);
        if (src != SQLITE_OK)
            rc = sq_fail(st, src, err, errlen, "migration");
    }
    if (!rc)
        rc = sq_commit(st, err, errlen);
    if (rc)
        sq_rollback(st);
    return rc;
}

int sq_migrate(struct store *st, int *from, int *to, char *err, size_t errlen)
{
    int v;
    int rc = user_version(st, &v, err, errlen);
    if (rc)
        return rc;
    *from = *to = v;
    if (v > SCHEMA_VERSION)
        return tca_fail(err, errlen, TCA_EDB,
                        "schema version %d is newer than this tca (%d): upgrade tca", v,
                        SCHEMA_VERSION);
    for (; v < SCHEMA_VERSION; v++) {
        rc = apply_step(st, v, err, errlen);
        if (rc)
            return rc;
        *to = v + 1;
    }
    return 0;
}
