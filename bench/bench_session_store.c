/*
 * The issue-15 workload end to end: one channel, CAPTURES captures a minute apart of AUDIENCE
 * chatters, 2% of them replaced by new accounts at every capture, written through the real
 * capture path (store_presence_open, an_presence_diff, store_capture_commit) and enriched
 * profiles (store_profile_put) on a SQLite file. Then prints the store size per table and
 * index (dbstat), the wall time and peak RSS of `tca stats --json` and `tca export --format
 * csv` run as child processes (wait4), the statistics API's document built and repeated through
 * the gateway's cache in this process, and the original system's storage model measured on
 * the same data by bench/original_model.py. The store's size is printed as the captures left
 * it and after `tca compact` (store_compact, SQLite VACUUM), which the statistics then read.
 * Prints numbers, asserts nothing.
 * Usage: bench_session_store [AUDIENCE] [CAPTURES]; TCA names the binary (default
 * build/tca), BENCH_KEEP=1 keeps the folder, BENCH_NO_ORIGINAL=1 skips the original model.
 */
#include "analysis/presence.h"
#include "base/chatter.h"
#include "base/xalloc.h"
#include "report/stats_cache.h"
#include "store/store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { CHANNEL = 2, USER = 1, PROFILE_BATCH = 100 };

static const char SECRET[] = "dGNhLWJlbmNobWFyay1zZWNyZXQtMDEyMzQ1Njc4OWFiY2RlZg==";

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint64_t next(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

static void die(const char *what, const char *err)
{
    fprintf(stderr, "%s: %s\n", what, err);
    exit(1);
}

/* Logins of letters only, from a hash of the id: numbered logins ("user1", "user2", ...)
 * would all be one login cluster, which no real audience is. */
static void login_of(int64_t id, char out[32])
{
    uint64_t h = (uint64_t)id * 0x9e3779b97f4a7c15ull;
    size_t len = 6 + (size_t)(h % 7);
    for (size_t i = 0; i < len; i++) {
        h = h * 6364136223846793005ull + 1442695040888963407ull;
        out[i] = (char)('a' + (h >> 40) % 26);
    }
    out[len] = '\0';
}

/* Enriches the profiles of ids[0, n): creation days spread over ten years. */
static void enrich(struct store *st, const int64_t *ids, size_t n, int64_t taken_at, uint64_t *rng)
{
    struct store_profile *p = xcalloc(PROFILE_BATCH, sizeof *p);
    char err[256];
    for (size_t i = 0; i < n; i += PROFILE_BATCH) {
        size_t k = n - i < PROFILE_BATCH ? n - i : PROFILE_BATCH;
        for (size_t j = 0; j < k; j++) {
            memset(&p[j], 0, sizeof p[j]);
            p[j].id = ids[i + j];
            login_of(ids[i + j], p[j].login);
            snprintf(p[j].display_name, sizeof p[j].display_name, "%s", p[j].login);
            p[j].display_name[0] = (char)(p[j].display_name[0] - 'a' + 'A');
            int64_t days = (int64_t)(next(rng) % 3650);
            /* whole seconds, as Twitch gives creation dates */
            p[j].created_at_ms = taken_at - days * 86400000LL - (int64_t)(next(rng) % 86400) * 1000;
            p[j].enriched_at_ms = taken_at;
        }
        int renames;
        if (store_profile_put(st, p, k, &renames, err, sizeof err))
            die("profile", err);
    }
    free(p);
}

static void capture(struct store *st, int64_t session, const struct chatter_set *set,
                    int64_t taken_at)
{
    char err[256];
    int64_t *open, last_seq;
    size_t n_open;
    if (store_presence_open(st, session, CHANNEL, &open, &n_open, &last_seq, err, sizeof err))
        die("presence", err);
    struct an_presence_diff d;
    an_presence_diff(open, n_open, set->items, set->n, &d);
    struct store_capture_input in = {
        .session_id = session,
        .channel_id = CHANNEL,
        .seq = last_seq + 1,
        .taken_at_ms = taken_at,
        .pages = (int)(set->n / 1000 + 1),
        .chatters = set->items,
        .n_chatters = set->n,
        .joined = d.joined,
        .n_joined = d.n_joined,
        .left = d.left,
        .n_left = d.n_left,
    };
    struct store_capture_result res;
    if (store_capture_commit(st, &in, &res, err, sizeof err))
        die("commit", err);
    an_presence_diff_free(&d);
    free(open);
}

/* Builds the workload in path; returns the number of unique chatters. */
static size_t build(const char *path, size_t audience, size_t captures)
{
    char err[256];
    struct store *st;
    if (store_open(path, &st, err, sizeof err))
        die("open", err);
    struct store_user u = {.id = USER, .login = "bench", .display_name = "bench"};
    struct store_channel c = {.id = CHANNEL, .login = "big", .display_name = "Big"};
    int64_t t0 = 1700000000000LL, session;
    if (store_user_upsert(st, &u, err, sizeof err) ||
        store_channel_upsert(st, &c, err, sizeof err) ||
        store_session_active(st, USER, t0, &session, err, sizeof err))
        die("setup", err);
    uint64_t rng = 42;
    int64_t fresh = 100000000;
    struct chatter_set set;
    chatter_set_init(&set);
    int64_t *ids = xmalloc(audience * sizeof *ids);
    for (size_t i = 0; i < audience; i++) {
        char login[32];
        ids[i] = fresh++;
        login_of(ids[i], login);
        chatter_set_add(&set, ids[i], login);
    }
    chatter_set_sort_unique(&set);
    capture(st, session, &set, t0);
    enrich(st, ids, audience, t0, &rng);
    size_t churn = audience / 50;
    for (size_t k = 1; k < captures; k++) {
        int64_t at = t0 + (int64_t)k * 60000;
        /* leavers marked then squeezed out: ids stay sorted, fresh ones are the largest */
        for (size_t i = 0; i < churn; i++) {
            size_t victim;
            do
                victim = (size_t)(next(&rng) % set.n);
            while (set.items[victim].id < 0);
            set.items[victim].id = -1;
        }
        size_t kept = 0;
        for (size_t i = 0; i < set.n; i++)
            if (set.items[i].id >= 0)
                set.items[kept++] = set.items[i];
        set.n = kept;
        for (size_t i = 0; i < churn; i++) {
            char login[32];
            ids[i] = fresh++;
            login_of(ids[i], login);
            chatter_set_add(&set, ids[i], login);
        }
        capture(st, session, &set, at);
        enrich(st, ids, churn, at, &rng);
    }
    chatter_set_free(&set);
    free(ids);
    store_close(st);
    return (size_t)(fresh - 100000000);
}

/* Store size per table and index, from SQLite's dbstat virtual table. */
static void sizes(const char *path)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    sqlite3_open(path, &db);
    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    struct stat sb;
    stat(path, &sb);
    printf("store file: %.1f MB\n", (double)sb.st_size / 1e6);
    if (sqlite3_prepare_v2(db,
                           "SELECT name, SUM(pgsize), SUM(ncell) FROM dbstat GROUP BY name"
                           " ORDER BY 2 DESC LIMIT 12",
                           -1, &s, NULL) != SQLITE_OK) {
        printf("  (no dbstat in this SQLite: %s)\n", sqlite3_errmsg(db));
        sqlite3_close(db);
        return;
    }
    while (sqlite3_step(s) == SQLITE_ROW)
        printf("  %-32s %7.1f MB %10lld cells\n", (const char *)sqlite3_column_text(s, 0),
               (double)sqlite3_column_int64(s, 1) / 1e6, (long long)sqlite3_column_int64(s, 2));
    sqlite3_finalize(s);
    sqlite3_close(db);
}

/* What `tca compact` does, in this process. */
static void compact(const char *path)
{
    char err[256];
    struct store *st;
    int64_t before, after;
    double t = now_ms();
    if (store_open(path, &st, err, sizeof err) ||
        store_compact(st, &before, &after, err, sizeof err))
        die("compact", err);
    store_close(st);
    printf("tca compact: %.1f MB -> %.1f MB in %.0f ms\n", (double)before / 1e6,
           (double)after / 1e6, now_ms() - t);
}

static struct store *take_aside(void *ctx)
{
    return ctx;
}

/* The statistics API's work for one request (web/api_stats.c without HTTP): the summary
 * document through the gateway's cache, built once with a second connection as the gateway
 * lends one, then three cached repeats. */
static void api_document(const char *path)
{
    char err[256];
    struct store *st, *second;
    if (store_open(path, &st, err, sizeof err) || store_open(path, &second, err, sizeof err))
        die("open", err);
    struct report_aside aside = {take_aside, second};
    struct store_session s;
    struct report_options o;
    report_options_default(&o);
    struct report_stats_cache *c = report_stats_cache_new(32u << 20, 10000);
    if (store_session_get(st, 1, &s, err, sizeof err)) /* the fresh store's only session */
        die("session", err);
    for (int i = 0; i < 4; i++) {
        char *json;
        size_t len;
        double t = now_ms();
        if (report_stats_cached(c, st, &aside, &s, &o, REPORT_SUMMARY, 0, &json, &len, err,
                                sizeof err))
            die("stats", err);
        printf("%-34s %8.2f ms  %zu bytes\n",
               i ? "statistics API document, cached" : "statistics API document, built",
               now_ms() - t, len);
        free(json);
    }
    report_stats_cache_free(c);
    store_close(second);
    store_close(st);
}

/* Runs the tca binary with args, stdout to out; prints wall time and the child's peak RSS. */
static void run(const char *tca, const char *db, const char *label, char *const args[],
                const char *out)
{
    double t = now_ms();
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int null = open("/dev/null", O_WRONLY);
        dup2(fd, 1);
        dup2(null, 2); /* export progress lines */
        setenv("TCA_DB", db, 1);
        setenv("TCA_ENV_FILE", "/nonexistent/tca.env", 1);
        setenv("APP_SESSION_SECRET", SECRET, 1);
        unsetenv("TCA_STORE");
        unsetenv("TCA_REDIS");
        execv(tca, args);
        _exit(127);
    }
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    double ms = now_ms() - t;
    FILE *f = fopen(out, "r");
    size_t lines = 0, bytes = 0;
    for (int ch; f && (ch = fgetc(f)) != EOF; bytes++)
        lines += ch == '\n';
    if (f)
        fclose(f);
    /* the child's CPU beside its wall time: on a shared machine the wall time is mostly
     * waiting for a core */
    double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    printf("%-34s %8.0f ms (%5.0f ms CPU) %6ld MB RSS  exit %d  %zu lines %zu bytes", label, ms,
           cpu, ru.ru_maxrss / 1024, WIFEXITED(status) ? WEXITSTATUS(status) : -1, lines, bytes);
    if (strstr(label, "export") && lines > 1)
        printf("  %.0f rows/s", (double)(lines - 1) / (ms / 1e3));
    printf("\n");
}

int main(int argc, char **argv)
{
    size_t audience = argc > 1 ? (size_t)atol(argv[1]) : 20000;
    size_t captures = argc > 2 ? (size_t)atol(argv[2]) : 720;
    const char *tca = getenv("TCA") ? getenv("TCA") : "build/tca";
    char tmpl[] = "/tmp/tca-bench-session-XXXXXX";
    const char *dir = mkdtemp(tmpl);
    if (!dir || access(tca, X_OK) != 0) {
        fprintf(stderr, "need a folder and the tca binary (%s)\n", tca);
        return 1;
    }
    char *path = xasprintf("%s/tca.db", dir), *out = xasprintf("%s/out", dir);
    double t = now_ms();
    size_t unique = build(path, audience, captures);
    printf("workload: %zu chatters x %zu captures, %zu unique, written through "
           "store_capture_commit in %.1f s\n",
           audience, captures, unique, (now_ms() - t) / 1e3);
    sizes(path);
    compact(path);
    sizes(path);
    char *stats[] = {(char *)tca, "stats", "--json", NULL};
    char *series[] = {(char *)tca, "stats", "--json", "--sections", "series", NULL};
    char *export[] = {(char *)tca, "export", "--format", "csv", NULL};
    for (int i = 0; i < 3; i++)
        run(tca, path, "tca stats --json", stats, out);
    for (int i = 0; i < 3; i++)
        run(tca, path, "tca stats --json --sections series", series, out);
    for (int i = 0; i < 2; i++)
        run(tca, path, "tca export --format csv", export, out);
    api_document(path);
    fflush(stdout);
    if (!getenv("BENCH_NO_ORIGINAL")) {
        char *cmd = xasprintf("python3 %s/original_model.py '%s' '%s/original.db'",
                              getenv("BENCH_DIR") ? getenv("BENCH_DIR") : "bench", path, dir);
        if (system(cmd) != 0)
            fprintf(stderr, "original model: %s failed\n", cmd);
        free(cmd);
    }
    if (getenv("BENCH_KEEP")) {
        printf("kept %s\n", dir);
    } else {
        char *rm = xasprintf("rm -rf '%s'", dir);
        if (system(rm) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
        free(rm);
    }
    free(path);
    free(out);
    return 0;
}
