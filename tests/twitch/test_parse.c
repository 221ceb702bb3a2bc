/* Twitch parsers: the documented example bodies parse; every malformed shape is refused. */
#include "tests/support/testutil.h"
#include "twitch/parse.h"
#include "base/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The examples of helix-openapi.json, verbatim. */
static const char chatters_example[] =
    "{\"data\": [{\"user_id\": \"128393656\", \"user_login\": \"smittysmithers\", \"user_name\": "
    "\"smittysmithers\"}], \"pagination\": {\"cursor\": \"eyJiIjpudWxsLCJhIjp7Ik9mZnNldCI6NX19\"}, "
    "\"total\": 8}";

static const char users_example[] =
    "{\"data\": [{\"id\": \"141981764\", \"login\": \"twitchdev\", \"display_name\": "
    "\"TwitchDev\", \"type\": \"\", \"broadcaster_type\": \"partner\", \"description\": "
    "\"Supporting third-party developers building Twitch integrations from chatbots to game "
    "integrations.\", \"profile_image_url\": "
    "\"https://static-cdn.jtvnw.net/jtv_user_pictures/"
    "8a6381c7-d0c0-4576-b179-38bd5ce1d6af-profile_image-300x300.png\", \"offline_image_url\": "
    "\"https://static-cdn.jtvnw.net/jtv_user_pictures/"
    "3f13ab61-ec78-4fe6-8481-8682cb3b0ac2-channel_offline_image-1920x1080.png\", \"view_count\": "
    "5980557, \"email\": \"not-real@email.com\", \"created_at\": \"2016-12-14T20:32:28Z\"}]}";

static const char moderated_example[] =
    "{\"data\": [{\"broadcaster_id\": \"12345\", \"broadcaster_login\": "
    "\"grateful_broadcaster\", \"broadcaster_name\": \"Grateful_Broadcaster\"}, "
    "{\"broadcaster_id\": \"98765\", \"broadcaster_login\": \"bashfulgamer\", "
    "\"broadcaster_name\": \"BashfulGamer\"}], \"pagination\": {\"cursor\": "
    "\"eyJiIjpudWxsLCJhIjp7IkN1cnNvciI6IjEwMDQ3MzA2NDo4NjQwNjU3MToxSVZCVDFKMnY5M1BTOXh3d1E0dUdXMk"
    "JOMFcifX0\"}}";

static const char streams_example[] =
    "{\"data\": [{\"id\": \"40952121085\", \"user_id\": \"101051819\", \"user_login\": \"afro\", "
    "\"user_name\": \"Afro\", \"game_id\": \"32982\", \"game_name\": \"Grand Theft Auto V\", "
    "\"type\": \"live\", \"title\": \"Jacob: Digital Den Laptops & Routers | NoPixel | !MAINGEAR "
    "!FCF\", \"tags\": [\"English\"], \"viewer_count\": 1490, \"started_at\": "
    "\"2021-03-10T03:18:11Z\", \"language\": \"en\", \"thumbnail_url\": "
    "\"https://static-cdn.jtvnw.net/previews-ttv/live_user_afro-{width}x{height}.jpg\", "
    "\"tag_ids\": [], \"is_mature\": false}], \"pagination\": {}}";

static int chatters(const char *body, struct chatter_set *s, char *cursor, char *err)
{
    int64_t total = -1;
    return twitch_parse_chatters(body, strlen(body), s, cursor, &total, err, 256);
}

static void chatters_example_gives_chatter_cursor_and_total(void **state)
{
    struct chatter_set s = {0};
    char cursor[TWITCH_CURSOR_MAX + 1], err[256];
    int64_t total = 0;
    assert_int_equal(twitch_parse_chatters(chatters_example, strlen(chatters_example), &s, cursor,
                                           &total, err, sizeof err),
                     0);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.items[0].id, 128393656);
    assert_string_equal(s.items[0].login, "smittysmithers");
    assert_string_equal(cursor, "eyJiIjpudWxsLCJhIjp7Ik9mZnNldCI6NX19");
    assert_int_equal(total, 8);
    chatter_set_free(&s);
}

static void last_chatters_page_has_empty_cursor(void **state)
{
    struct chatter_set s = {0};
    char cursor[TWITCH_CURSOR_MAX + 1] = "x", err[256];
    assert_int_equal(chatters("{\"data\":[],\"pagination\":{},\"total\":0}", &s, cursor, err), 0);
    assert_string_equal(cursor, "");
    assert_int_equal(chatters("{\"data\":[],\"total\":0}", &s, cursor, err), 0);
    assert_int_equal(s.n, 0);
    chatter_set_free(&s);
}

static void malformed_chatters_pages_are_refused_and_append_nothing(void **state)
{
    static const char *bad[] = {
        "",
        "[]",
        "{\"data\":[{\"user_id\":\"1\",\"user_login\":\"a\",\"user_name\":\"a\"}]",
        "{\"total\":1}",
        "{\"data\":{},\"total\":1}",
        "{\"data\":[],\"total\":\"1\"}",
        "{\"data\":[],\"total\":-1}",
        "{\"data\":[],\"total\":1.5}",
        "{\"data\":[],\"total\":99999999999999999999999}",
        "{\"data\":[],\"total\":1,\"total\":2}",
        "{\"data\":[],\"total\":1,\"pagination\":[]}",
        "{\"data\":[],\"total\":1,\"pagination\":{\"cursor\":5}}",
        "{\"data\":[],\"total\":1,\"pagination\":{\"cursor\":\"a b\"}}",
        "{\"data\":[{\"user_id\":1,\"user_login\":\"ab\",\"user_name\":\"ab\"}],\"total\":1}",
        "{\"data\":[{\"user_id\":\"12a\",\"user_login\":\"ab\",\"user_name\":\"ab\"}],\"total\":1}",
        "{\"data\":[{\"user_id\":\"0\",\"user_login\":\"ab\",\"user_name\":\"ab\"}],\"total\":1}",
        "{\"data\":[{\"user_id\":\"-5\",\"user_login\":\"ab\",\"user_name\":\"ab\"}],\"total\":1}",
        "{\"data\":[{\"user_id\":\"9223372036854775808\",\"user_login\":\"ab\",\"user_name\":"
        "\"ab\"}],\"total\":1}",
        "{\"data\":[{\"user_id\":\"1\",\"user_login\":\"\",\"user_name\":\"ab\"}],\"total\":1}",
        "{\"data\":[{\"user_id\":\"1\",\"user_login\":\"Upper\",\"user_name\":\"ab\"}],\"total\":"
        "1}",
        "{\"data\":[{\"user_id\":\"1\",\"user_login\":\"a-b\",\"user_name\":\"ab\"}],\"total\":1}",
        "{\"data\":[{\"user_id\":\"1\",\"user_login\":\"abcdefghijklmnopqrstuvwxyzabcdefg\","
        "\"user_name\":\"ab\"}],\"total\":1}",
        "{\"data\":[{\"user_id\":\"1\",\"user_login\":\"ab\"}],\"total\":1}",
        "{\"data\":[{\"user_id\":\"1\",\"user_id\":\"2\",\"user_login\":\"ab\",\"user_name\":"
        "\"ab\"}],\"total\":1}",
        "{\"data\":[\"1\"],\"total\":1}",
    };
    struct chatter_set s = {0};
    chatter_set_add(&s, 7, "seven");
    char cursor[TWITCH_CURSOR_MAX + 1], err[256];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = '\0';
        int rc = chatters(bad[i], &s, cursor, err);
        if (rc != TCA_EPROTO)
            fail_msg("accepted: %s", bad[i]);
        assert_true(err[0] != '\0');
        assert_int_equal(s.n, 1);
    }
    chatter_set_free(&s);
}

static void a_bad_item_after_good_ones_appends_nothing(void **state)
{
    struct chatter_set s = {0};
    char cursor[TWITCH_CURSOR_MAX + 1], err[256];
    const char *body =
        "{\"data\":[{\"user_id\":\"1\",\"user_login\":\"ab\",\"user_name\":\"ab\"},"
        "{\"user_id\":\"x\",\"user_login\":\"cd\",\"user_name\":\"cd\"}],\"total\":2}";
    assert_int_equal(chatters(body, &s, cursor, err), TCA_EPROTO);
    assert_non_null(strstr(err, "data[1]"));
    assert_int_equal(s.n, 0);
    chatter_set_free(&s);
}

static void overlong_cursor_is_refused(void **state)
{
    char body[2200];
    int n = snprintf(body, sizeof body, "{\"data\":[],\"total\":0,\"pagination\":{\"cursor\":\"");
    memset(body + n, 'a', 1100);
    strcpy(body + n + 1100, "\"}}");
    struct chatter_set s = {0};
    char cursor[TWITCH_CURSOR_MAX + 1], err[256];
    assert_int_equal(chatters(body, &s, cursor, err), TCA_EPROTO);
}

static void users_example_parses_every_field_used(void **state)
{
    struct twitch_user *u = NULL;
    size_t n = 0;
    char err[256];
    assert_int_equal(
        twitch_parse_users(users_example, strlen(users_example), &u, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(u[0].id, 141981764);
    assert_string_equal(u[0].login, "twitchdev");
    assert_string_equal(u[0].display_name, "TwitchDev");
    assert_string_equal(u[0].type, "");
    assert_string_equal(u[0].broadcaster_type, "partner");
    assert_int_equal(u[0].created_at_ms, 1481747548000LL);
    /* A second answer appends. */
    assert_int_equal(
        twitch_parse_users(users_example, strlen(users_example), &u, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    free(u);
}

static void users_with_bad_created_at_or_types_are_refused(void **state)
{
    static const char *bad[] = {
        "{\"data\":[{\"id\":\"1\",\"login\":\"ab\",\"display_name\":\"A\",\"type\":\"\","
        "\"broadcaster_type\":\"\",\"created_at\":\"yesterday\"}]}",
        "{\"data\":[{\"id\":\"1\",\"login\":\"ab\",\"display_name\":\"A\",\"type\":\"\","
        "\"broadcaster_type\":\"\",\"created_at\":\"2016-12-14T20:32:28\"}]}",
        "{\"data\":[{\"id\":\"1\",\"login\":\"ab\",\"display_name\":\"A\",\"type\":\"\","
        "\"broadcaster_type\":\"\",\"created_at\":\"2016-12-14T20:32:28+1:2\"}]}",
        "{\"data\":[{\"id\":\"1\",\"login\":\"ab\",\"display_name\":null,\"type\":\"\","
        "\"broadcaster_type\":\"\",\"created_at\":\"2016-12-14T20:32:28Z\"}]}",
        "{\"data\":[{\"id\":\"1\",\"login\":\"ab\",\"display_name\":\"A\",\"type\":\"\","
        "\"created_at\":\"2016-12-14T20:32:28Z\"}]}",
        "{\"data\":null}",
    };
    struct twitch_user *u = NULL;
    size_t n = 0;
    char err[256];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (twitch_parse_users(bad[i], strlen(bad[i]), &u, &n, err, sizeof err) != TCA_EPROTO)
            fail_msg("accepted: %s", bad[i]);
        assert_int_equal(n, 0);
    }
    free(u);
}

static void users_created_at_with_fraction_and_offset_is_read(void **state)
{
    const char *body = "{\"data\":[{\"id\":\"1\",\"login\":\"ab\",\"display_name\":\"A\","
                       "\"type\":\"staff\",\"broadcaster_type\":\"\",\"created_at\":"
                       "\"2016-12-14T21:32:28.250+01:00\"}]}";
    struct twitch_user *u = NULL;
    size_t n = 0;
    char err[256];
    assert_int_equal(twitch_parse_users(body, strlen(body), &u, &n, err, sizeof err), 0);
    assert_int_equal(u[0].created_at_ms, 1481747548250LL);
    free(u);
}

static void moderated_channels_example_gives_channels_and_cursor(void **state)
{
    struct twitch_channel *ch = NULL;
    size_t n = 0;
    char cursor[TWITCH_CURSOR_MAX + 1], err[256];
    assert_int_equal(twitch_parse_moderated_channels(moderated_example, strlen(moderated_example),
                                                     &ch, &n, cursor, err, sizeof err),
                     0);
    assert_int_equal(n, 2);
    assert_int_equal(ch[0].id, 12345);
    assert_string_equal(ch[0].login, "grateful_broadcaster");
    assert_string_equal(ch[1].display_name, "BashfulGamer");
    assert_true(strncmp(cursor, "eyJiIjpudWxs", 12) == 0);
    free(ch);
}

static void streams_example_gives_live_stream(void **state)
{
    struct twitch_stream *st = NULL;
    size_t n = 0;
    char cursor[TWITCH_CURSOR_MAX + 1], err[256];
    assert_int_equal(twitch_parse_streams(streams_example, strlen(streams_example), &st, &n, cursor,
                                          err, sizeof err),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(st[0].user_id, 101051819);
    assert_string_equal(st[0].user_login, "afro");
    assert_int_equal(st[0].viewer_count, 1490);
    assert_int_equal(st[0].started_at_ms, 1615346291000LL);
    assert_string_equal(st[0].game_name, "Grand Theft Auto V");
    assert_string_equal(cursor, "");
    free(st);
}

static void long_stream_title_is_cut_on_a_character_boundary(void **state)
{
    char title[600] = "";
    for (int i = 0; i < 100; i++)
        strcat(title, "\xc3\xa9"); /* é, two bytes */
    strcat(title, "x\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac");
    char body[2000];
    snprintf(body, sizeof body,
             "{\"data\":[{\"user_id\":\"5\",\"user_login\":\"ab\",\"viewer_count\":0,"
             "\"started_at\":\"2021-03-10T03:18:11Z\",\"title\":\"%s%s\",\"game_name\":\"\"}]}",
             title, title);
    struct twitch_stream *st = NULL;
    size_t n = 0;
    char cursor[TWITCH_CURSOR_MAX + 1], err[256];
    assert_int_equal(twitch_parse_streams(body, strlen(body), &st, &n, cursor, err, sizeof err), 0);
    size_t len = strlen(st[0].title);
    assert_true(len <= 255);
    assert_true(((unsigned char)st[0].title[len - 1] & 0xC0) != 0xC0); /* no cut lead byte */
    free(st);
}

static void streams_with_negative_viewers_are_refused(void **state)
{
    const char *body =
        "{\"data\":[{\"user_id\":\"5\",\"user_login\":\"ab\",\"viewer_count\":-1,"
        "\"started_at\":\"2021-03-10T03:18:11Z\",\"title\":\"\",\"game_name\":\"\"}]}";
    struct twitch_stream *st = NULL;
    size_t n = 0;
    char cursor[TWITCH_CURSOR_MAX + 1], err[256];
    assert_int_equal(twitch_parse_streams(body, strlen(body), &st, &n, cursor, err, sizeof err),
                     TCA_EPROTO);
    assert_int_equal(n, 0);
    free(st);
}

static void token_answer_fills_tokens_scopes_and_expiry(void **state)
{
    const char *body = "{\"access_token\":\"abc\",\"refresh_token\":\"def\",\"expires_in\":3600,"
                       "\"scope\":[\"moderator:read:chatters\",\"user:read:moderated_channels\"],"
                       "\"token_type\":\"bearer\"}";
    struct twitch_token t = {0};
    t.access_token = strdup("old");
    t.user_id = 42;
    char err[256];
    assert_int_equal(twitch_parse_token(body, strlen(body), 1000, &t, err, sizeof err), 0);
    assert_string_equal(t.access_token, "abc");
    assert_string_equal(t.refresh_token, "def");
    assert_int_equal(t.expires_at_ms, 1000 + 3600 * 1000);
    assert_string_equal(t.scopes, "moderator:read:chatters user:read:moderated_channels");
    assert_int_equal(t.user_id, 42);
    twitch_token_clear(&t);
}

static void malformed_token_answers_are_refused_and_keep_the_old_token(void **state)
{
    static const char *bad[] = {
        "{}",
        "{\"access_token\":\"\"}",
        "{\"access_token\":\"a b\"}",
        "{\"access_token\":\"a\\r\\nX-Evil: 1\"}",
        "{\"access_token\":5}",
        "{\"access_token\":\"a\",\"refresh_token\":7}",
        "{\"access_token\":\"a\",\"expires_in\":\"3600\"}",
        "{\"access_token\":\"a\",\"expires_in\":-1}",
        "{\"access_token\":\"a\",\"expires_in\":99999999999999}",
        "{\"access_token\":\"a\",\"scope\":\"chat\"}",
        "{\"access_token\":\"a\",\"scope\":[1]}",
        "{\"access_token\":\"a\",\"token_type\":\"mac\"}",
        "{\"access_token\":\"a\",\"access_token\":\"b\"}",
        "{\"access_token\":\"a\"",
    };
    struct twitch_token t = {0};
    t.access_token = strdup("old");
    char err[256];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (twitch_parse_token(bad[i], strlen(bad[i]), 0, &t, err, sizeof err) != TCA_EPROTO)
            fail_msg("accepted: %s", bad[i]);
        assert_string_equal(t.access_token, "old");
    }
    twitch_token_clear(&t);
}

static void validate_answer_fills_user_and_scopes(void **state)
{
    const char *body = "{\"client_id\":\"wbmytr93xzw8zbg0p1izqyzzc5mbiz\",\"login\":\"twitchdev\","
                       "\"scopes\":[\"channel:read:subscriptions\"],\"user_id\":\"141981764\","
                       "\"expires_in\":5520838}";
    struct twitch_token t = {0};
    char cid[64], err[256];
    assert_int_equal(
        twitch_parse_validate(body, strlen(body), 0, &t, cid, sizeof cid, err, sizeof err), 0);
    assert_string_equal(cid, "wbmytr93xzw8zbg0p1izqyzzc5mbiz");
    assert_int_equal(t.user_id, 141981764);
    assert_string_equal(t.login, "twitchdev");
    assert_string_equal(t.scopes, "channel:read:subscriptions");
    assert_int_equal(t.expires_at_ms, 5520838000LL);
    const char *app = "{\"client_id\":\"abc\",\"scopes\":null,\"expires_in\":100}";
    assert_int_equal(
        twitch_parse_validate(app, strlen(app), 0, &t, cid, sizeof cid, err, sizeof err), 0);
    assert_int_equal(t.user_id, 0);
    const char *bad = "{\"client_id\":\"abc\",\"user_id\":\"x\",\"expires_in\":100}";
    assert_int_equal(
        twitch_parse_validate(bad, strlen(bad), 0, &t, cid, sizeof cid, err, sizeof err),
        TCA_EPROTO);
    const char *noexp = "{\"client_id\":\"abc\"}";
    assert_int_equal(
        twitch_parse_validate(noexp, strlen(noexp), 0, &t, cid, sizeof cid, err, sizeof err),
        TCA_EPROTO);
}

static void device_answer_fills_codes_and_deadline(void **state)
{
    const char *body = "{\"device_code\":\"ike3GM8QIdYZs43KdrWPIO36LofILoCyFEzjlQ91\","
                       "\"expires_in\":1800,\"interval\":5,\"user_code\":\"ABCDEFGH\","
                       "\"verification_uri\":\"https://www.twitch.tv/activate?public=true&"
                       "device-code=ABCDEFGH\"}";
    struct twitch_device d;
    char err[256];
    assert_int_equal(twitch_parse_device(body, strlen(body), 10, &d, err, sizeof err), 0);
    assert_string_equal(d.user_code, "ABCDEFGH");
    assert_int_equal(d.interval_s, 5);
    assert_int_equal(d.expires_at_ms, 10 + 1800000);
    const char *bad = "{\"device_code\":\"x\",\"expires_in\":1800,\"interval\":0,"
                      "\"user_code\":\"A\",\"verification_uri\":\"u\"}";
    assert_int_equal(twitch_parse_device(bad, strlen(bad), 0, &d, err, sizeof err), TCA_EPROTO);
}

static void error_body_message_is_extracted_and_made_printable(void **state)
{
    char msg[32];
    const char *body = "{\"error\":\"Unauthorized\",\"status\":401,\"message\":\"Invalid OAuth "
                       "token\"}";
    assert_int_equal(twitch_parse_error(body, strlen(body), msg, sizeof msg), 0);
    assert_string_equal(msg, "Invalid OAuth token");
    const char *ctl = "{\"message\":\"a\\nb\"}";
    assert_int_equal(twitch_parse_error(ctl, strlen(ctl), msg, sizeof msg), 0);
    assert_string_equal(msg, "a?b");
    assert_int_equal(twitch_parse_error("<html>", 6, msg, sizeof msg), -1);
    assert_string_equal(msg, "");
}

static void ids_and_logins_follow_twitch_rules(void **state)
{
    int64_t id;
    assert_int_equal(twitch_parse_id("9223372036854775807", &id), 0);
    assert_int_equal(id, INT64_MAX);
    assert_int_equal(twitch_parse_id("9999999999999999999", &id), -1);
    assert_int_equal(twitch_parse_id("", &id), -1);
    assert_int_equal(twitch_parse_id("+1", &id), -1);
    assert_int_equal(twitch_parse_id(" 1", &id), -1);
    assert_true(twitch_login_valid("a_1"));
    assert_false(twitch_login_valid("a.1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chatters_example_gives_chatter_cursor_and_total),
        cmocka_unit_test(last_chatters_page_has_empty_cursor),
        cmocka_unit_test(malformed_chatters_pages_are_refused_and_append_nothing),
        cmocka_unit_test(a_bad_item_after_good_ones_appends_nothing),
        cmocka_unit_test(overlong_cursor_is_refused),
        cmocka_unit_test(users_example_parses_every_field_used),
        cmocka_unit_test(users_with_bad_created_at_or_types_are_refused),
        cmocka_unit_test(users_created_at_with_fraction_and_offset_is_read),
        cmocka_unit_test(moderated_channels_example_gives_channels_and_cursor),
        cmocka_unit_test(streams_example_gives_live_stream),
        cmocka_unit_test(long_stream_title_is_cut_on_a_character_boundary),
        cmocka_unit_test(streams_with_negative_viewers_are_refused),
        cmocka_unit_test(token_answer_fills_tokens_scopes_and_expiry),
        cmocka_unit_test(malformed_token_answers_are_refused_and_keep_the_old_token),
        cmocka_unit_test(validate_answer_fills_user_and_scopes),
        cmocka_unit_test(device_answer_fills_codes_and_deadline),
        cmocka_unit_test(error_body_message_is_extracted_and_made_printable),
        cmocka_unit_test(ids_and_logins_follow_twitch_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
