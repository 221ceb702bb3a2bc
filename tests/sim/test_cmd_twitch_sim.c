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

/* Runs $TCA with args, stdout into out (capped); returns the exit status or -1. */
static int run_capture(const char *tca, char *const args[], char *out, size_t outlen)
{
    int fds[2];
    if (pipe(fds) < 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
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

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_flag_exits_2),
        cmocka_unit_test(serves_on_the_port_it_writes_and_exits_cleanly_on_sigterm),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
