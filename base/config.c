/*
 * Configuration loading and validation. The messages here are the ones every role and
 * `tca env-check` print, so they say what is wrong and what a good value looks like.
 * Never print a secret's value.
 */
#include "base/config.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOTENV_MAX_BYTES (256 * 1024)

struct source {
    struct dotenv_entry *entries;
    int n;
};

static const char *lookup(const struct source *src, const char *key)
{
    const char *v = getenv(key);
    if (v)
        return v;
    for (int i = src->n - 1; i >= 0; i--)
        if (strcmp(src->entries[i].key, key) == 0)
            return src->entries[i].value;
    return NULL;
}

static void problem(struct config_problems *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void problem(struct config_problems *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    p->lines = xreallocarray(p->lines, p->n + 1, sizeof *p->lines);
    p->lines[p->n++] = xstrdup(line);
}

static char *get_str(const struct source *src, const char *key, const char *dflt)
{
    const char *v = lookup(src, key);
    if (v && *v)
        return xstrdup(v);
    return xstrdup(dflt);
}

static int is_http_url(const char *s)
{
    return s && (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0) &&
           strlen(s) > 8 && !strpbrk(s, " \t\r\n\"'<>");
}

static void strip_slash(char *s)
{
    size_t n = s ? strlen(s) : 0;
    while (n > 0 && s[n - 1] == '/')
        s[--n] = '\0';
}

static int parse_int(const char *s, long lo, long hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static int valid_listen(const char *s)
{
    const char *colon = strrchr(s, ':');
    int port;
    if (!colon || colon == s)
        return 0;
    return parse_int(colon + 1, 0, 65535, &port) == 0;
}

static int load_dotenv(const char *path, struct source *src, struct config_problems *p)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0; /* an absent .env is fine: everything may come from the environment */
    char *text = xmalloc(DOTENV_MAX_BYTES + 1);
    size_t len = fread(text, 1, DOTENV_MAX_BYTES + 1, f);
    fclose(f);
    if (len > DOTENV_MAX_BYTES) {
        problem(p, "%s: larger than %d bytes", path, DOTENV_MAX_BYTES);
        free(text);
        return -1;
    }
    char err[128];
    int n = dotenv_parse(text, len, &src->entries, err, sizeof err);
    free(text);
    if (n < 0) {
        problem(p, "%s: %s", path, err);
        return -1;
    }
    src->n = n;
    return 0;
}

static void check_secret(struct config_problems *p, const char *secret)
{
    if (!secret || !*secret) {
        problem(p, "APP_SESSION_SECRET is missing: base64 of at least 32 random bytes "
                   "(`tca env-generate` prints one)");
        return;
    }
    unsigned char bin[256];
    size_t binlen = 0;
    size_t len = strlen(secret);
    int ok = sodium_base642bin(bin, sizeof bin, secret, len, NULL, &binlen, NULL,
                               sodium_base64_VARIANT_ORIGINAL) == 0 ||
             sodium_base642bin(bin, sizeof bin, secret, len, NULL, &binlen, NULL,
                               sodium_base64_VARIANT_ORIGINAL_NO_PADDING) == 0 ||
             sodium_base642bin(bin, sizeof bin, secret, len, NULL, &binlen, NULL,
                               sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0;
    sodium_memzero(bin, sizeof bin);
    if (!ok || binlen < 32)
        problem(p, "APP_SESSION_SECRET is malformed: it must be base64 of at least 32 random "
                   "bytes (`tca env-generate` prints one)");
}

int config_load(struct tca_config *cfg, const char *dotenv_path, struct config_problems *p)
{
    struct source src = {0};
    memset(cfg, 0, sizeof *cfg);
    memset(p, 0, sizeof *p);
    if (dotenv_path)
        load_dotenv(dotenv_path, &src, p);

    const char *id = lookup(&src, "TWITCH_CLIENT_ID");
    const char *secret = lookup(&src, "TWITCH_CLIENT_SECRET");
    const char *redirect = lookup(&src, "TWITCH_REDIRECT_URL");
    cfg->demo = (!id || !*id) && (!secret || !*secret) && (!redirect || !*redirect);
    if (!cfg->demo) {
        if (!id || !*id)
            problem(p, "TWITCH_CLIENT_ID is missing: the Client ID of your Twitch app "
                       "(dev.twitch.tv/console/apps), e.g. TWITCH_CLIENT_ID=abcd1234efgh5678");
        else if (strlen(id) > 128 ||
                 strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(id))
            problem(p, "TWITCH_CLIENT_ID is malformed: expected lowercase letters and digits");
        if (!secret || !*secret)
            problem(p, "TWITCH_CLIENT_SECRET is missing: the Client Secret of your Twitch app");
        if (!redirect || !*redirect)
            problem(p, "TWITCH_REDIRECT_URL is missing: the OAuth redirect URL registered with "
                       "your Twitch app, e.g. https://tca.example.com/auth/callback");
        else if (!is_http_url(redirect))
            problem(p, "TWITCH_REDIRECT_URL is malformed: expected an http(s) URL ending in "
                       "/auth/callback");
    }
    cfg->twitch_client_id = xstrdup(id && *id ? id : NULL);
    cfg->twitch_client_secret = xstrdup(secret && *secret ? secret : NULL);
    cfg->twitch_redirect_url = xstrdup(redirect && *redirect ? redirect : NULL);

    cfg->twitch_api_base = get_str(&src, "TWITCH_API_BASE", "https://api.twitch.tv/helix");
    cfg->twitch_auth_base = get_str(&src, "TWITCH_AUTH_BASE", "https://id.twitch.tv/oauth2");
    strip_slash(cfg->twitch_api_base);
    strip_slash(cfg->twitch_auth_base);
    if (!is_http_url(cfg->twitch_api_base))
        problem(p, "TWITCH_API_BASE is malformed: expected an http(s) URL such as "
                   "https://api.twitch.tv/helix");
    if (!is_http_url(cfg->twitch_auth_base))
        problem(p, "TWITCH_AUTH_BASE is malformed: expected an http(s) URL such as "
                   "https://id.twitch.tv/oauth2");
    /* EventSub's WebSocket is its own host at Twitch, not under TWITCH_API_BASE */
    cfg->twitch_eventsub_url =
        get_str(&src, "TWITCH_EVENTSUB_URL", "wss://eventsub.wss.twitch.tv/ws");
    if (strcmp(cfg->twitch_eventsub_url, "off") == 0) {
        free(cfg->twitch_eventsub_url);
        cfg->twitch_eventsub_url = NULL;
    } else if (strncmp(cfg->twitch_eventsub_url, "ws://", 5) &&
               strncmp(cfg->twitch_eventsub_url, "wss://", 6)) {
        problem(p, "TWITCH_EVENTSUB_URL is malformed: expected a ws(s) URL such as "
                   "wss://eventsub.wss.twitch.tv/ws, or off");
    }

    /* TCA_STORE names the store as a URL; TCA_DB (a SQLite file) stays accepted beside it. */
    const char *store = lookup(&src, "TCA_STORE");
    if (store && *store) {
        cfg->db = xstrdup(store);
        if (strncmp(store, "sqlite:", 7) && strncmp(store, "mysql://", 8) &&
            strncmp(store, "mariadb://", 10))
            problem(p, "TCA_STORE is malformed: expected sqlite:PATH or "
                       "mysql://USER:PASSWORD@HOST:PORT/DATABASE");
    } else {
        cfg->db = get_str(&src, "TCA_DB", "tca.db");
    }
    cfg->listen = get_str(&src, "TCA_LISTEN", "127.0.0.1:8080");
    cfg->ui_dir = get_str(&src, "TCA_UI_DIR", "ui/dist");
    cfg->sentiment_lexicons = get_str(&src, "TCA_SENTIMENT_LEXICONS", "lexicons/node_modules");
    if (!valid_listen(cfg->listen))
        problem(p, "TCA_LISTEN is malformed: expected HOST:PORT, e.g. 127.0.0.1:8080");
    cfg->metrics_listen = get_str(&src, "TCA_METRICS_LISTEN", NULL);
    if (cfg->metrics_listen && !valid_listen(cfg->metrics_listen))
        problem(p, "TCA_METRICS_LISTEN is malformed: expected HOST:PORT, e.g. 127.0.0.1:9464");

    const char *v = lookup(&src, "TCA_CAPTURE_INTERVAL");
    cfg->capture_interval = 60;
    if (v && *v && parse_int(v, 1, 86400, &cfg->capture_interval) < 0)
        problem(p, "TCA_CAPTURE_INTERVAL is malformed: seconds between captures, 1 to 86400 "
                   "(default 60)");
    v = lookup(&src, "TCA_WORKERS");
    cfg->workers = 2;
    if (v && *v && parse_int(v, 1, 64, &cfg->workers) < 0)
        problem(p, "TCA_WORKERS is malformed: capture threads, 1 to 64 (default 2)");

    v = lookup(&src, "TCA_JOB_LEASE");
    cfg->job_lease_s = 120;
    if (v && *v && parse_int(v, 1, 3600, &cfg->job_lease_s) < 0)
        problem(p, "TCA_JOB_LEASE is malformed: seconds a worker holds a job before another "
                   "may retry it, 1 to 3600 (default 120)");

    v = lookup(&src, "TCA_FOLLOWERS_INTERVAL");
    cfg->followers_interval_s = 60;
    if (v && *v && parse_int(v, 0, 86400, &cfg->followers_interval_s) < 0)
        problem(p, "TCA_FOLLOWERS_INTERVAL is malformed: seconds between two reads of a "
                   "channel's new followers, 0 (each capture) to 86400 (default 60)");

    v = lookup(&src, "TCA_PUBLIC_URL");
    cfg->public_url = v && *v ? xstrdup(v) : NULL;
    strip_slash(cfg->public_url);
    if (cfg->public_url && !is_http_url(cfg->public_url))
        problem(p, "TCA_PUBLIC_URL is malformed: the URL browsers use to reach tca, e.g. "
                   "https://tca.example.com (decides the Secure cookie flag)");
    v = lookup(&src, "TCA_REDIS");
    cfg->redis = v && *v ? xstrdup(v) : NULL;
    if (cfg->redis && strncmp(cfg->redis, "redis://", 8) != 0 &&
        strncmp(cfg->redis, "unix:///", 8) != 0)
        problem(p, "TCA_REDIS is malformed: redis://HOST:PORT or unix:///path/redis.sock "
                   "(unset: in-process state, one machine only)");
    v = lookup(&src, "TCA_LIVE_CHECK");
    cfg->live_check_s = 30;
    if (v && *v && parse_int(v, 1, 86400, &cfg->live_check_s) < 0)
        problem(p, "TCA_LIVE_CHECK is malformed: seconds between two Get Streams checks of the "
                   "\"capture while live\" channels, 1 to 86400 (default 30)");
    v = lookup(&src, "TCA_LEADER_LEASE");
    cfg->leader_lease_s = 15;
    if (v && *v && parse_int(v, 1, 3600, &cfg->leader_lease_s) < 0)
        problem(p, "TCA_LEADER_LEASE is malformed: seconds before another worker takes over "
                   "the scheduler of a dead one, 1 to 3600 (default 15)");

    static const struct {
        const char *name;
        long lo, hi;
        int dflt;
        const char *meaning;
    } ints[] = {
        {"TCA_MAX_SAVED_SESSIONS", 1, 1000, 10, "saved analysis sessions per user, 1 to 1000"},
        {"TCA_SESSION_TTL", 60, 31536000, 86400,
         "seconds after which an unsaved analysis session expires, 60 to 31536000"},
        {"TCA_LOGIN_IDLE", 1, 2592000, 7200,
         "seconds of inactivity that end a login session, 1 to 2592000"},
        {"TCA_LOGIN_MAX", 60, 31536000, 604800,
         "seconds after login that a login session ends at the latest, 60 to 31536000"},
        {"TCA_RATE_LIMIT", 0, 10000000, 600,
         "API requests per minute per API key and per IP, 0 (off) to 10000000"},
        {"TCA_RATE_BURST", 1, 10000000, 120, "requests allowed at once, 1 to 10000000"},
    };
    int *slots[] = {&cfg->max_saved_sessions, &cfg->session_ttl_s, &cfg->login_idle_s,
                    &cfg->login_max_s,        &cfg->rate_limit,    &cfg->rate_burst};
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        v = lookup(&src, ints[i].name);
        *slots[i] = ints[i].dflt;
        if (v && *v && parse_int(v, ints[i].lo, ints[i].hi, slots[i]) < 0)
            problem(p, "%s is malformed: %s (default %d)", ints[i].name, ints[i].meaning,
                    ints[i].dflt);
    }

    const char *app_secret = lookup(&src, "APP_SESSION_SECRET");
    check_secret(p, app_secret);
    cfg->app_session_secret = xstrdup(app_secret && *app_secret ? app_secret : NULL);

    dotenv_free(src.entries, src.n);
    return p->n ? TCA_EINVAL : 0;
}

int config_get(const char *dotenv_path, const char *key, char **out, char *err, size_t errlen)
{
    struct source src = {0};
    struct config_problems p = {0};
    *out = NULL;
    if (dotenv_path && load_dotenv(dotenv_path, &src, &p) < 0) {
        int rc = tca_fail(err, errlen, TCA_EINVAL, "%s", p.lines[0]);
        config_problems_free(&p);
        return rc;
    }
    const char *v = lookup(&src, key);
    if (v && *v)
        *out = xstrdup(v);
    dotenv_free(src.entries, src.n);
    return 0;
}

void config_free(struct tca_config *cfg)
{
    free(cfg->twitch_client_id);
    if (cfg->twitch_client_secret)
        sodium_memzero(cfg->twitch_client_secret, strlen(cfg->twitch_client_secret));
    free(cfg->twitch_client_secret);
    free(cfg->twitch_redirect_url);
    free(cfg->twitch_api_base);
    free(cfg->twitch_auth_base);
    free(cfg->twitch_eventsub_url);
    free(cfg->db);
    free(cfg->listen);
    free(cfg->public_url);
    free(cfg->redis);
    free(cfg->ui_dir);
    free(cfg->sentiment_lexicons);
    free(cfg->metrics_listen);
    if (cfg->app_session_secret)
        sodium_memzero(cfg->app_session_secret, strlen(cfg->app_session_secret));
    free(cfg->app_session_secret);
    memset(cfg, 0, sizeof *cfg);
}

void config_problems_free(struct config_problems *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->lines[i]);
    free(p->lines);
    p->lines = NULL;
    p->n = 0;
}
