/*
 * Benchmark of the report layer end to end on a real SQLite file: a 720-capture session of a
 * 20,000-chatter channel (1% churn a capture, half of the joiners returning) after an earlier
 * 60-capture session of the same channel. Prints wall milliseconds of the store loaders,
 * the session report and the chatters export, and peak RSS; asserts nothing. Rows are
 * written with plain SQL into the store's tables: committing 720 captures one by one would
 * measure ingest (bench_ingest does), not reports.
 * Usage: bench_report [AUDIENCE] [CAPTURES]
 */
#include "report/report.h"
#include "base/xalloc.h"
#include "store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum { USER = 1, CHANNEL = 2 };

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint32_t next(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, msg);
        exit(1);
    }
}

/* Writes one session's captures and stays: audience chatters, churn leave and join each
 * capture; joiners alternate between returning (from the gone list) and never seen. */
static void write_session(sqlite3 *db, int64_t session, size_t audience, size_t n, size_t churn,
                          int64_t t0, int64_t *fresh, uint64_t *rng)
{
    sqlite3_stmt *cap, *stay;
    sqlite3_prepare_v2(db,
                       "INSERT INTO captures(session_id, channel_id, seq, taken_at, chatter_count,"
                       " joined, \"left\", new_to_channel, pages, duration_ms)"
                       " VALUES(?, ?, ?, ?, ?, 0, 0, 0, 1, 0)",
                       -1, &cap, NULL);
    sqlite3_prepare_v2(db,
                       "INSERT INTO presence(session_id, user_id, channel_id, from_seq, to_seq)"
                       " VALUES(?, ?, ?, ?, ?)",
                       -1, &stay, NULL);
    int64_t *here = xmalloc(audience * sizeof *here), *from = xmalloc(audience * sizeof *from);
    int64_t *gone = xmalloc((n * churn + 1) * sizeof *gone);
    size_t n_gone = 0;
    for (size_t i = 0; i < audience; i++) {
        here[i] = (*fresh)++;
        from[i] = 1;
    }
    for (size_t k = 1; k <= n; k++) {
        /* Leavers never come back at the same capture (stays stay maximal), and a returning
         * joiner is taken out of gone[0, avail): those who left before this capture. */
        size_t avail = n_gone;
        for (size_t c = 0; k > 1 && c < churn; c++) {
            size_t i;
            do
                i = next(rng) % audience;
            while (from[i] == (int64_t)k);
            sqlite3_bind_int64(stay, 1, session);
            sqlite3_bind_int64(stay, 2, here[i]);
            sqlite3_bind_int64(stay, 3, CHANNEL);
            sqlite3_bind_int64(stay, 4, from[i]);
            sqlite3_bind_int64(stay, 5, (int64_t)k - 1);
            sqlite3_step(stay);
            sqlite3_reset(stay);
            gone[n_gone++] = here[i];
            if (c % 2 && avail) {
                size_t r = next(rng) % avail;
                here[i] = gone[r];
                gone[r] = gone[avail - 1];
                gone[avail - 1] = gone[n_gone - 1];
                n_gone--;
                avail--;
            } else {
                here[i] = (*fresh)++;
            }
            from[i] = (int64_t)k;
        }
        sqlite3_bind_int64(cap, 1, session);
        sqlite3_bind_int64(cap, 2, CHANNEL);
        sqlite3_bind_int64(cap, 3, (int64_t)k);
        sqlite3_bind_int64(cap, 4, t0 + (int64_t)k * 60000);
        sqlite3_bind_int64(cap, 5, (int64_t)audience);
        sqlite3_step(cap);
        sqlite3_reset(cap);
    }
    for (size_t i = 0; i < audience; i++) {
        sqlite3_bind_int64(stay, 1, session);
        sqlite3_bind_int64(stay, 2, here[i]);
        sqlite3_bind_int64(stay, 3, CHANNEL);
        sqlite3_bind_int64(stay, 4, from[i]);
        sqlite3_bind_null(stay, 5);
        sqlite3_step(stay);
        sqlite3_reset(stay);
    }
    sqlite3_finalize(cap);
    sqlite3_finalize(stay);
    free(here);
    free(from);
    free(gone);
}

/* Times the store loaders a session report runs, one by one. */
static void measure_loaders(struct store *st)
{
    char err[256];
    struct store_capture *caps;
    struct store_stay *stays;
    struct store_chatter_profile *profiles;
    struct store_visit *visits;
    size_t n_caps, n_stays, n_profiles, n_visits;
    double t = now_ms();
    store_capture_list(st, 2, CHANNEL, &caps, &n_caps, err, sizeof err);
    double t_caps = now_ms() - t;
    t = now_ms();
    store_stay_list(st, 2, CHANNEL, &stays, &n_stays, err, sizeof err);
    double t_stays = now_ms() - t;
    t = now_ms();
    store_session_profiles(st, 2, 0, &profiles, &n_profiles, err, sizeof err);
    double t_prof = now_ms() - t;
    t = now_ms();
    store_channel_visits(st, 1, CHANNEL, &visits, &n_visits, err, sizeof err);
    double t_visits = now_ms() - t;
    printf("store: %zu captures %.1f ms, %zu stays %.1f ms, %zu profiles %.1f ms,"
           " %zu earlier visits %.1f ms\n",
           n_caps, t_caps, n_stays, t_stays, n_profiles, t_prof, n_visits, t_visits);
    free(caps);
    free(stays);
    free(profiles);
    free(visits);
}

static int discard(void *ctx, const char *p, size_t n)
{
    *(size_t *)ctx += n;
    (void)p;
    return 0;
}

int main(int argc, char **argv)
{
    size_t audience = argc > 1 ? (size_t)atol(argv[1]) : 20000;
    size_t captures = argc > 2 ? (size_t)atol(argv[2]) : 720;
    char path[] = "/tmp/tca-bench-report-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    char err[256];
    struct store *st;
    if (store_open(path, &st, err, sizeof err)) { /* creates the schema */
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    store_close(st);
    sqlite3 *db;
    sqlite3_open(path, &db);
    exec(db, "BEGIN");
    exec(db, "INSERT INTO users(id, login, display_name) VALUES(1, 'mod', 'Mod')");
    exec(db, "INSERT INTO channels(id, login, display_name) VALUES(2, 'big', 'Big')");
    exec(db, "INSERT INTO sessions(id, user_id, active, created_at, updated_at)"
             " VALUES(1, 1, 0, 0, 0), (2, 1, 1, 0, 0)");
    uint64_t rng = 42;
    int64_t fresh = 100000000;
    double t = now_ms();
    write_session(db, 1, audience, 60, audience / 100, 1700000000000LL, &fresh, &rng);
    write_session(db, 2, audience, captures, audience / 100, 1700100000000LL, &fresh, &rng);
    /* Profiles: creation days spread over ten years, one login cluster of 500. */
    sqlite3_stmt *u;
    sqlite3_prepare_v2(db,
                       "INSERT INTO twitch_users(id, login, display_name, created_at)"
                       " VALUES(?1, ?2, ?2, ?3)",
                       -1, &u, NULL);
    for (int64_t id = 100000000; id < fresh; id++) {
        char login[32];
        int64_t k = id - 100000000;
        snprintf(login, sizeof login, k < 500 ? "wave_%04lld" : "viewer%lld", (long long)k);
        sqlite3_bind_int64(u, 1, id);
        sqlite3_bind_text(u, 2, login, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(u, 3,
                           k < 500 ? 1600000000000LL + k * 1000
                                   : 1300000000000LL + (int64_t)(next(&rng) % 3650) * 86400000LL);
        sqlite3_step(u);
        sqlite3_reset(u);
    }
    sqlite3_finalize(u);
    exec(db, "COMMIT");
    sqlite3_close(db); /* the last connection: checkpoints the WAL, as a running tca would */
    if (store_open(path, &st, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("setup: %zu chatters x %zu captures written in %.0f ms (peak RSS so far %ld MB)\n",
           audience, captures, now_ms() - t, ru.ru_maxrss / 1024);

    /* BENCH_EXPORT_ONLY=1: only the export, so peak RSS is the export's own. */
    int export_only = getenv("BENCH_EXPORT_ONLY") != NULL;
    if (!export_only)
        measure_loaders(st);

    struct report_options o;
    report_options_default(&o);
    /* BENCH_EXPORT_ONLY=1: skip the reports, so peak RSS is the export's own. */
    for (int run = 0; run < (export_only ? 0 : 3); run++) {
        json_t *doc;
        t = now_ms();
        int rc = report_session(st, USER, 2, &o, REPORT_SUMMARY, &doc, err, sizeof err);
        double t_report = now_ms() - t;
        if (rc) {
            fprintf(stderr, "report: %s\n", err);
            return 1;
        }
        t = now_ms();
        char *text = json_dumps(doc, JSON_COMPACT);
        double t_dump = now_ms() - t;
        printf("report_session (summary): %.0f ms, JSON %zu bytes rendered in %.1f ms\n", t_report,
               strlen(text), t_dump);
        free(text);
        json_decref(doc);
    }
    size_t bytes = 0;
    struct report_sink sink = {.write = discard, .ctx = &bytes};
    struct report_export x = {
        .kind = REPORT_EXPORT_CHATTERS, .format = REPORT_CSV, .session_id = 2};
    t = now_ms();
    if (report_export_run(st, USER, &x, &o, &sink, err, sizeof err))
        fprintf(stderr, "export: %s\n", err);
    printf("export chatters csv: %zu bytes in %.0f ms\n", bytes, now_ms() - t);
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS: %ld MB\n", ru.ru_maxrss / 1024);
    store_close(st);
    if (!getenv("BENCH_KEEP"))
        unlink(path);
    else
        printf("kept %s\n", path);
    return 0;
}
