/* The flags of `tca twitch-sim`: defaults, values, and one-line errors for bad input. */
#include "tests/support/testutil.h"

#include "base/err.h"
#include "sim/cli.h"

#include <string.h>

static int parse(struct sim_cli *cli, char *err, size_t errlen, int argc, ...)
{
    char *argv[16] = {"twitch-sim"};
    va_list ap;
    va_start(ap, argc);
    for (int i = 1; i < argc; i++)
        argv[i] = va_arg(ap, char *);
    va_end(ap);
    return sim_cli_parse(argc, argv, cli, err, errlen);
}

static void no_flags_give_the_documented_defaults(void **state)
{
    struct sim_cli cli;
    char err[128];
    assert_int_equal(parse(&cli, err, sizeof err, 1), 0);
    assert_string_equal(cli.listen, "127.0.0.1:8081");
    assert_null(cli.port_file);
    assert_int_equal(cli.opt.seed, 1);
    assert_int_equal(cli.opt.tick_ms, 60000);
    assert_int_equal(cli.opt.ratelimit_points, 800);
    assert_int_equal(cli.opt.token_ttl_s, 14400);
    assert_int_equal(cli.opt.device_interval_s, 5);
    assert_int_equal(cli.opt.device_auto_approve, 1);
    assert_false(cli.opt.manual_clock);
    assert_null(cli.opt.client_id); /* the command looks at the environment next */
    assert_null(cli.opt.client_secret);
    assert_int_equal(cli.opt.lurker_bots, 0);
    assert_int_equal(cli.opt.bot_shapes, 0);
    assert_int_equal(cli.opt.rename_permille, 10);
}

static void ground_truth_flags_set_the_audience_model(void **state)
{
    struct sim_cli cli;
    char err[128];
    assert_int_equal(parse(&cli, err, sizeof err, 5, "--lurker-bots=40", "--bot-shapes",
                           "--rename-permille", "0"),
                     0);
    assert_int_equal(cli.opt.lurker_bots, 40);
    assert_int_equal(cli.opt.bot_shapes, 1);
    assert_int_equal(cli.opt.rename_permille, 0);
    assert_int_equal(parse(&cli, err, sizeof err, 2, "--lurker-bots=1001"), TCA_EINVAL);
    assert_int_equal(parse(&cli, err, sizeof err, 2, "--bot-shapes=1"), TCA_EINVAL);
}

static void every_flag_is_read_with_space_or_equals(void **state)
{
    struct sim_cli cli;
    char err[128];
    assert_int_equal(parse(&cli, err, sizeof err, 14, "--listen", "0.0.0.0:0", "--port-file=/x",
                           "--seed", "42", "--tick-ms=250", "--manual-clock", "--ratelimit", "9",
                           "--token-ttl=60", "--device-interval=1", "--no-device-auto-approve",
                           "--client-id=abc"),
                     0);
    assert_string_equal(cli.listen, "0.0.0.0:0");
    assert_string_equal(cli.port_file, "/x");
    assert_int_equal(cli.opt.seed, 42);
    assert_int_equal(cli.opt.tick_ms, 250);
    assert_true(cli.opt.manual_clock);
    assert_int_equal(cli.opt.ratelimit_points, 9);
    assert_int_equal(cli.opt.token_ttl_s, 60);
    assert_int_equal(cli.opt.device_interval_s, 1);
    assert_false(cli.opt.device_auto_approve);
    assert_string_equal(cli.opt.client_id, "abc");
}

static void bad_flags_fail_with_a_one_line_message(void **state)
{
    struct sim_cli cli;
    char err[128];
    assert_int_equal(parse(&cli, err, sizeof err, 2, "--bogus"), TCA_EINVAL);
    assert_non_null(strstr(err, "--bogus"));
    assert_null(strchr(err, '\n'));
    assert_int_equal(parse(&cli, err, sizeof err, 2, "--seed"), TCA_EINVAL);
    assert_int_equal(parse(&cli, err, sizeof err, 3, "--tick-ms", "0"), TCA_EINVAL);
    assert_int_equal(parse(&cli, err, sizeof err, 3, "--ratelimit", "12x"), TCA_EINVAL);
    assert_int_equal(parse(&cli, err, sizeof err, 2, "--manual-clock=1"), TCA_EINVAL);
    assert_int_equal(parse(&cli, err, sizeof err, 2, "--help"), 0);
    assert_true(cli.help);
    assert_non_null(strstr(sim_cli_usage(), "--port-file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_flags_give_the_documented_defaults),
        cmocka_unit_test(every_flag_is_read_with_space_or_equals),
        cmocka_unit_test(ground_truth_flags_set_the_audience_model),
        cmocka_unit_test(bad_flags_fail_with_a_one_line_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
