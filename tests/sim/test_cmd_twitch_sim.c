/*
 * `tca twitch-sim` as a real process: the port file, the announced base URLs, serving, clean
 * exit on SIGTERM and exit 2 on a bad flag. Skips when $TCA is not a binary that knows the
 * subcommand yet (unit-only builds).
 */
#include "tests/sim/simtest.h"

#include "base/clock.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* The environment of a child: TWITCH_CLIENT_ID, TWITCH_CLIENT_SECRET, TCA_ENV_FILE (NULL:
 * unset; the env file defaults to one that does not exist, so the developer's .env never
 * leaks in). */
struct child_env {
    const char *id, *secret, *env_file;
};

static void apply_env(const struct child_env *e)
{
    static const struct child_env none = {0};
    if (!e)
        e = &none;
    if (e->id)
        setenv("TWITCH_CLIENT_ID", e->id, 1);
    else
        unsetenv("TWITCH_CLIENT_ID");
    if (e->secret)
        setenv("TWITCH_CLIENT_SECRET", e->secret, 1);
    else
        unsetenv("TWITCH_CLIENT_SECRET");
    setenv("TCA_ENV_FILE", e->env_file ? e->env_file : "/nonexistent/tca.env", 1);
}

/* Runs $TCA with args and env, stdout into out (capped); returns the exit status or -1. */
static int run_env(const char *tca, char *const args[], const struct child_env *env, char *out,
                   size_t outlen)
{
    int fds[2];
    if (pipe(fds) < 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        apply_env(env);
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execv(tca, args);
        _exit(127);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t k;
    while (n + 1 < outlen && (k = read(fds[0], out + n, outlen - n - 1)) > 0)
        n += (size_t)k;
    out[n] = 0;
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int run_capture(const char *tca, char *const args[], char *out, size_t outlen)
{
    return run_env(tca, args, NULL, out, outlen);
}

static const char *tca_with_twitch_sim(void)
{
    const char *tca = getenv("TCA");
    if (!tca || access(tca, X_OK) != 0)
        return NULL;
    char out[4096];
    char *args[] = {(char *)tca, "twitch-sim", "--help", NULL};
    if (run_capture(tca, args, out, sizeof out) != 0 || !strstr(out, "usage: tca twitch-sim"))
        return NULL;
    return tca;
}

static void bad_flag_exits_2(void **state)
{
    const char *tca = tca_with_twitch_sim();
    if (!tca)
        skip();
    char out[256];
    char *args[] = {(char *)tca, "twitch-sim", "--no-such-flag", NULL};
    assert_int_equal(run_capture(tca, args, out, sizeof out), 2);
}

static void serves_on_the_port_it_writes_and_exits_cleanly_on_sigterm(void **state)
{
    const char *tca = tca_with_twitch_sim();
    if (!tca)
        skip();
    char *dir = test_tmpdir();
    char *port_file = xasprintf("%s/port", dir);
    pid_t pid = fork();
    if (pid == 0) {
        execl(tca, tca, "twitch-sim", "--listen", "127.0.0.1:0", "--port-file", port_file,
              "--manual-clock", (char *)NULL);
        _exit(127);
    }
    int port = 0;
    /* wait for the port file: bounded, the process may be slow to start under sanitizers */
    for (int i = 0; i < 600 && port == 0; i++) {
        FILE *f = fopen(port_file, "r");
        if (f) {
            if (fscanf(f, "%d", &port) != 1)
                port = 0;
            fclose(f);
        }
        if (port == 0)
            clock_sleep_ms(50);
    }
    assert_true(port > 0);
    struct http_resp r;
    char *url = xasprintf("http://127.0.0.1:%d/_sim/stats", port);
    http_do("GET", url, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    http_resp_free(&r);
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    free(url);
    free(port_file);
    rmdir(dir);
    free(dir);
}

static void
help_says_which_client_it_accepts_flags_first_then_environment_then_built_in(void **state)
{
    const char *tca = tca_with_twitch_sim();
    if (!tca)
        skip();
    char *dir = test_tmpdir();
    char *dotenv = test_write_file(dir, "app.env",
                                   "# the app\nTWITCH_CLIENT_ID=dotapp\nTWITCH_CLIENT_SECRET="
                                   "'dot secret'\nAPP_SESSION_SECRET=unused-here\n");
    char out[4096];
    char *help[] = {(char *)tca, "twitch-sim", "--help", NULL};
    char *flags[] = {(char *)tca,       "twitch-sim", "--client-id", "flagapp",
                     "--client-secret", "s",          "--help",      NULL};
    struct child_env env = {"envapp", "envsecret", NULL};
    struct child_env file = {NULL, NULL, dotenv};
    struct child_env both = {"envapp", "envsecret", dotenv};
    struct child_env half = {"envapp", NULL, NULL};

    assert_int_equal(run_env(tca, help, NULL, out, sizeof out), 0);
    assert_non_null(strstr(out, "TWITCH_CLIENT_ID"));
    assert_non_null(strstr(out, "accept client_id=tca-sim-client (built in)"));
    assert_int_equal(run_env(tca, help, &env, out, sizeof out), 0);
    assert_non_null(strstr(out, "accept client_id=envapp (TWITCH_CLIENT_ID"));
    assert_int_equal(run_env(tca, help, &file, out, sizeof out), 0);
    assert_non_null(strstr(out, "accept client_id=dotapp (TWITCH_CLIENT_ID"));
    /* the environment wins over .env, as for every role; flags win over both */
    assert_int_equal(run_env(tca, help, &both, out, sizeof out), 0);
    assert_non_null(strstr(out, "accept client_id=envapp"));
    assert_int_equal(run_env(tca, flags, &both, out, sizeof out), 0);
    assert_non_null(strstr(out, "accept client_id=flagapp (flags)"));
    assert_null(strstr(out, "envsecret"));
    /* half an app is a configuration error */
    assert_int_equal(run_env(tca, help, &half, out, sizeof out), 2);
    unlink(dotenv);
    rmdir(dir);
    free(dotenv);
    free(dir);
}

static long client_credentials(int port, const char *id, const char *secret)
{
    struct http_resp r;
    char *url = xasprintf("http://127.0.0.1:%d/oauth2/token", port);
    char *form =
        xasprintf("client_id=%s&client_secret=%s&grant_type=client_credentials", id, secret);
    http_do("POST", url, form, NULL, NULL, &r);
    long status = r.status;
    http_resp_free(&r);
    free(form);
    free(url);
    return status;
}

static void a_simulator_configured_by_dotenv_accepts_that_app_only(void **state)
{
    const char *tca = tca_with_twitch_sim();
    if (!tca)
        skip();
    char *dir = test_tmpdir();
    char *dotenv = test_write_file(dir, "app.env",
                                   "TWITCH_CLIENT_ID=dotapp\nTWITCH_CLIENT_SECRET=dotsecret\n");
    char *port_file = xasprintf("%s/port", dir);
    pid_t pid = fork();
    if (pid == 0) {
        struct child_env file = {NULL, NULL, dotenv};
        apply_env(&file);
        execl(tca, tca, "twitch-sim", "--listen", "127.0.0.1:0", "--port-file", port_file,
              "--manual-clock", (char *)NULL);
        _exit(127);
    }
    int port = 0;
    for (int i = 0; i < 600 && port == 0; i++) {
        FILE *f = fopen(port_file, "r");
        if (f) {
            if (fscanf(f, "%d", &port) != 1)
                port = 0;
            fclose(f);
        }
        if (port == 0)
            clock_sleep_ms(50);
    }
    assert_true(port > 0);
    assert_int_equal(client_credentials(port, "dotapp", "dotsecret"), 200);
    assert_int_equal(client_credentials(port, "dotapp", "wrong"), 403);
    assert_int_equal(client_credentials(port, "tca-sim-client", "tca-sim-secret"), 400);
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    unlink(dotenv);
    rmdir(dir);
    free(port_file);
    free(dotenv);
    free(dir);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_flag_exits_2),
        cmocka_unit_test(serves_on_the_port_it_writes_and_exits_cleanly_on_sigterm),
        cmocka_unit_test(
            help_says_which_client_it_accepts_flags_first_then_environment_then_built_in),
        cmocka_unit_test(a_simulator_configured_by_dotenv_accepts_that_app_only),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
