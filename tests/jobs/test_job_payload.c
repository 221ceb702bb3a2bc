/* Job payloads round-trip and malformed ones are refused with a message. */
#include "tests/support/testutil.h"
#include "jobs/job_payload.h"

#include <stdlib.h>
#include <string.h>

static void payload_round_trips(void **state)
{
    struct job_payload p = {7, 20003, 10001, 0}, q;
    char *json = job_payload_encode(&p);
    assert_int_equal(job_payload_decode(json, &q, NULL, 0), 0);
    assert_int_equal(q.session_id, 7);
    assert_int_equal(q.channel_id, 20003);
    assert_int_equal(q.user_id, 10001);
    assert_int_equal(q.delivery_id, 0);
    free(json);
    p.delivery_id = 55;
    json = job_payload_encode(&p);
    assert_non_null(strstr(json, "\"delivery_id\":55"));
    assert_int_equal(job_payload_decode(json, &q, NULL, 0), 0);
    assert_int_equal(q.delivery_id, 55);
    free(json);
}

static void malformed_payloads_are_refused(void **state)
{
    static const char *const bad[] = {
        "",
        "{",
        "[]",
        "{\"session_id\":1}",
        "{\"session_id\":\"1\",\"user_id\":2}",
        "{\"session_id\":-1,\"user_id\":2}",
        "{\"session_id\":1,\"user_id\":0}",
        "{\"session_id\":1,\"user_id\":2,\"channel_id\":-1}",
        "{\"session_id\":1,\"session_id\":2,\"user_id\":2}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct job_payload q;
        char err[128] = "";
        assert_int_not_equal(job_payload_decode(bad[i], &q, err, sizeof err), 0);
        assert_true(strlen(err) > 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(payload_round_trips),
        cmocka_unit_test(malformed_payloads_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
