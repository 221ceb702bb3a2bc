/* Configuration: .env parsing, defaults, demo mode, and the problems env-check lists. */
#include "tests/support/testutil.h"
#include "base/config.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *vars[] = {"TWITCH_CLIENT_ID",   "TWITCH_CLIENT_SECRET", "TWITCH_REDIRECT_URL",
                             "TWITCH_API_BASE",    "TWITCH_AUTH_BASE",     "TCA_DB",
                             "TCA_LISTEN",         "TCA_CAPTURE_INTERVAL", "TCA_WORKERS",
                             "APP_SESSION_SECRET", "TCA_PUBLIC_URL",       "TCA_MAX_SAVED_SESSIONS",
                             "TCA_SESSION_TTL",    "TCA_LOGIN_IDLE",       "TCA_LOGIN_MAX",
                             "TCA_RATE_LIMIT",     "TCA_RATE_BURST",       "TCA_STORE"};

static int clear_env(void **state)
{
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        unsetenv(vars[i]);
    return 0;
}

static int has_problem(const struct config_problems *p, const char *prefix)
{
    for (size_t i = 0; i < p->n; i++)
        if (strncmp(p->lines[i], prefix, strlen(prefix)) == 0)
            return 1;
    return 0;
}

static void dotenv_parses_quotes_comments_and_export(void **state)
{
    const char *text = "# comment\n\nexport A=1\nB = \"two words\"\nC='x#y'\nD=v # note\n";
    struct dotenv_entry *e;
    char err[128];
    int n = dotenv_parse(text, strlen(text), &e, err, sizeof err);
    assert_int_equal(n, 4);
    assert_string_equal(e[0].key, "A");
    assert_string_equal(e[0].value, "1");
    assert_string_equal(e[1].value, "two words");
    assert_string_equal(e[2].value, "x#y");
    assert_string_equal(e[3].value, "v");
    dotenv_free(e, n);
}

static void dotenv_rejects_line_without_equals_with_its_number(void **state)
{
    const char *text = "A=1\nnot a pair\n";
    struct dotenv_entry *e;
    char err[128];
    assert_true(dotenv_parse(text, strlen(text), &e, err, sizeof err) < 0);
    assert_non_null(strstr(err, "line 2"));
}

static void missing_everything_is_demo_mode_but_needs_the_secret(void **state)
{
    struct tca_config cfg;
    struct config_problems p;
    assert_true(config_load(&cfg, NULL, &p) < 0);
    assert_true(cfg.demo);
    assert_int_equal(p.n, 1);
    assert_true(has_problem(&p, "APP_SESSION_SECRET is missing"));
    assert_string_equal(cfg.twitch_api_base, "https://api.twitch.tv/helix");
    assert_string_equal(cfg.twitch_auth_base, "https://id.twitch.tv/oauth2");
    assert_int_equal(cfg.capture_interval, 60);
    config_free(&cfg);
    config_problems_free(&p);
}

static void partial_twitch_app_lists_each_missing_variable(void **state)
{
    char *dir = test_tmpdir();
    char *path = test_write_file(dir, ".env",
                                 "TWITCH_CLIENT_ID=abc123\n"
                                 "APP_SESSION_SECRET=c2hvcnQ=\n"
                                 "TCA_CAPTURE_INTERVAL=0\nTCA_LISTEN=nope\n");
    struct tca_config cfg;
    struct config_problems p;
    assert_true(config_load(&cfg, path, &p) < 0);
    assert_false(cfg.demo);
    assert_true(has_problem(&p, "TWITCH_CLIENT_SECRET is missing"));
    assert_true(has_problem(&p, "TWITCH_REDIRECT_URL is missing"));
    assert_true(has_problem(&p, "APP_SESSION_SECRET is malformed"));
    assert_true(has_problem(&p, "TCA_CAPTURE_INTERVAL is malformed"));
    assert_true(has_problem(&p, "TCA_LISTEN is malformed"));
    for (size_t i = 0; i < p.n; i++)
        assert_null(strstr(p.lines[i], "c2hvcnQ")); /* never echo a secret */
    config_free(&cfg);
    config_problems_free(&p);
    free(path);
    free(dir);
}

static void environment_wins_over_dotenv_and_bases_lose_trailing_slash(void **state)
{
    char *dir = test_tmpdir();
    char *path =
        test_write_file(dir, ".env",
                        "TCA_DB=from-file.db\nTWITCH_API_BASE=http://127.0.0.1:9/helix/\n"
                        "APP_SESSION_SECRET=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
    setenv("TCA_DB", "from-env.db", 1);
    struct tca_config cfg;
    struct config_problems p;
    assert_int_equal(config_load(&cfg, path, &p), 0);
    assert_string_equal(cfg.db, "from-env.db");
    assert_string_equal(cfg.twitch_api_base, "http://127.0.0.1:9/helix");
    config_free(&cfg);
    config_problems_free(&p);
    free(path);
    free(dir);
}

static void one_variable_is_read_like_config_load_reads_it(void **state)
{
    char *dir = test_tmpdir();
    char *path = test_write_file(dir, ".env", "TWITCH_CLIENT_ID=fromfile\nTWITCH_CLIENT_SECRET=\n");
    char *bad = test_write_file(dir, "bad.env", "no equals sign here\n");
    char err[256], *v;
    assert_int_equal(config_get(path, "TWITCH_CLIENT_ID", &v, err, sizeof err), 0);
    assert_string_equal(v, "fromfile");
    free(v);
    setenv("TWITCH_CLIENT_ID", "fromenv", 1);
    assert_int_equal(config_get(path, "TWITCH_CLIENT_ID", &v, err, sizeof err), 0);
    assert_string_equal(v, "fromenv");
    free(v);
    assert_int_equal(config_get(path, "TWITCH_CLIENT_SECRET", &v, err, sizeof err), 0);
    assert_null(v); /* empty is unset */
    assert_int_equal(config_get(NULL, "TCA_DB", &v, err, sizeof err), 0);
    assert_null(v);
    assert_int_equal(config_get(bad, "TCA_DB", &v, err, sizeof err), TCA_EINVAL);
    assert_non_null(strstr(err, "bad.env"));
    free(bad);
    free(path);
    free(dir);
}

static void gateway_settings_have_defaults(void **state)
{
    setenv("APP_SESSION_SECRET", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 1);
    struct tca_config cfg;
    struct config_problems p;
    assert_int_equal(config_load(&cfg, NULL, &p), 0);
    assert_null(cfg.public_url);
    assert_int_equal(cfg.max_saved_sessions, 10);
    assert_int_equal(cfg.session_ttl_s, 86400);
    assert_int_equal(cfg.rate_limit, 600);
    assert_true(cfg.login_idle_s > 0 && cfg.login_max_s >= cfg.login_idle_s);
    config_free(&cfg);
    config_problems_free(&p);
}

static void malformed_gateway_settings_are_each_listed(void **state)
{
    setenv("APP_SESSION_SECRET", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 1);
    setenv("TCA_PUBLIC_URL", "tca.example.com", 1);
    setenv("TCA_MAX_SAVED_SESSIONS", "0", 1);
    setenv("TCA_SESSION_TTL", "soon", 1);
    setenv("TCA_RATE_LIMIT", "-1", 1);
    struct tca_config cfg;
    struct config_problems p;
    assert_true(config_load(&cfg, NULL, &p) < 0);
    assert_true(has_problem(&p, "TCA_PUBLIC_URL is malformed"));
    assert_true(has_problem(&p, "TCA_MAX_SAVED_SESSIONS is malformed"));
    assert_true(has_problem(&p, "TCA_SESSION_TTL is malformed"));
    assert_true(has_problem(&p, "TCA_RATE_LIMIT is malformed"));
    config_free(&cfg);
    config_problems_free(&p);
}

static void store_url_wins_over_db_file_and_a_bad_scheme_is_a_problem(void **state)
{
    setenv("APP_SESSION_SECRET", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 1);
    setenv("TCA_DB", "old.db", 1);
    setenv("TCA_STORE", "mysql://tca:pw@127.0.0.1:3306/tca", 1);
    struct tca_config cfg;
    struct config_problems p;
    assert_int_equal(config_load(&cfg, NULL, &p), 0);
    assert_string_equal(cfg.db, "mysql://tca:pw@127.0.0.1:3306/tca");
    config_free(&cfg);
    config_problems_free(&p);

    setenv("TCA_STORE", "postgres://tca@db/tca", 1);
    assert_true(config_load(&cfg, NULL, &p) < 0);
    assert_true(has_problem(&p, "TCA_STORE is malformed"));
    config_free(&cfg);
    config_problems_free(&p);
}

static void scale_out_settings_default_to_one_process_and_are_checked(void **state)
{
    setenv("APP_SESSION_SECRET", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 1);
    struct tca_config cfg;
    struct config_problems p;
    assert_int_equal(config_load(&cfg, NULL, &p), 0);
    assert_null(cfg.redis); /* in-process kv */
    assert_int_equal(cfg.leader_lease_s, 15);
    config_free(&cfg);
    config_problems_free(&p);
    setenv("TCA_REDIS", "localhost:6379", 1);
    setenv("TCA_LEADER_LEASE", "0", 1);
    assert_true(config_load(&cfg, NULL, &p) < 0);
    assert_true(has_problem(&p, "TCA_REDIS is malformed: redis://HOST:PORT or unix:///"));
    assert_true(has_problem(&p, "TCA_LEADER_LEASE is malformed"));
    config_free(&cfg);
    config_problems_free(&p);
    setenv("TCA_REDIS", "unix:///run/redis/redis.sock", 1);
    unsetenv("TCA_LEADER_LEASE");
    assert_int_equal(config_load(&cfg, NULL, &p), 0);
    assert_string_equal(cfg.redis, "unix:///run/redis/redis.sock");
    config_free(&cfg);
    config_problems_free(&p);
    unsetenv("TCA_REDIS");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(dotenv_parses_quotes_comments_and_export, clear_env),
        cmocka_unit_test_setup(dotenv_rejects_line_without_equals_with_its_number, clear_env),
        cmocka_unit_test_setup(missing_everything_is_demo_mode_but_needs_the_secret, clear_env),
        cmocka_unit_test_setup(partial_twitch_app_lists_each_missing_variable, clear_env),
        cmocka_unit_test_setup(environment_wins_over_dotenv_and_bases_lose_trailing_slash,
                               clear_env),
        cmocka_unit_test_setup(one_variable_is_read_like_config_load_reads_it, clear_env),
        cmocka_unit_test_setup(gateway_settings_have_defaults, clear_env),
        cmocka_unit_test_setup(malformed_gateway_settings_are_each_listed, clear_env),
        cmocka_unit_test_setup(store_url_wins_over_db_file_and_a_bad_scheme_is_a_problem,
                               clear_env),
        cmocka_unit_test_setup(scale_out_settings_default_to_one_process_and_are_checked,
                               clear_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
