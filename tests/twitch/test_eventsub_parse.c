/*
 * EventSub message parser: Twitch's documented examples (the fuzz seeds in
 * tests/fuzz/corpus/fuzz_twitch_eventsub) parse into the right fields; malformed shapes are
 * refused whole.
 */
#include "tests/support/testutil.h"
#include "base/err.h"
#include "twitch/eventsub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *seed(const char *name)
{
    const char *root = getenv("TCA_ROOT");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fuzz/corpus/fuzz_twitch_eventsub/%s", root ? root : ".",
             name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static int parse(const char *body, struct twitch_es_message *m, char *err)
{
    return twitch_es_parse(body, strlen(body), m, err, 256);
}

static void welcome_gives_session_and_keepalive(void **state)
{
    struct twitch_es_message m;
    char err[256];
    assert_int_equal(parse(seed("welcome.json"), &m, err), 0);
    assert_int_equal(m.kind, TWITCH_ES_WELCOME);
    assert_string_equal(m.message_id, "96a3f3b5-5dec-4eed-908e-e11ee657416c");
    assert_string_equal(m.session_id, "AQoQILE98gtqShGmLD7AM6yJThAB");
    assert_int_equal(m.keepalive_s, 10);
    assert_true(m.sent_at_ms > 0);
}

static void keepalive_has_only_metadata(void **state)
{
    struct twitch_es_message m;
    char err[256];
    assert_int_equal(parse(seed("keepalive.json"), &m, err), 0);
    assert_int_equal(m.kind, TWITCH_ES_KEEPALIVE);
}

static void reconnect_gives_the_new_url(void **state)
{
    struct twitch_es_message m;
    char err[256];
    assert_int_equal(parse(seed("reconnect.json"), &m, err), 0);
    assert_int_equal(m.kind, TWITCH_ES_RECONNECT);
    assert_string_equal(m.reconnect_url, "wss://eventsub.wss.twitch.tv?...");
}

static void chat_message_gives_chatter_not_text(void **state)
{
    struct twitch_es_message m;
    char err[256];
    assert_int_equal(parse(seed("chat.json"), &m, err), 0);
    assert_int_equal(m.kind, TWITCH_ES_NOTIFICATION);
    assert_int_equal(m.sub, TWITCH_ES_SUB_CHAT_MESSAGE);
    assert_int_equal(m.broadcaster_id, 1971641);
    assert_int_equal(m.chat.chatter_id, 4145994);
    assert_string_equal(m.chat.chatter_login, "viewer32");
    assert_string_equal(m.chat.message_id, "cc106a89-1814-919d-454c-f4f2f970aae7");
    assert_int_equal(m.chat.text_bytes, 7);
    assert_false(m.chat.emote_only);
    assert_null(memmem(&m, sizeof m, "Hi chat", 7));
}

/* A reader that keeps what it was lent (a test may: tca's reader keeps numbers only). */
struct lent {
    char text[64];
    int emotes, calls;
};
static int keep_lent(void *ctx, const struct twitch_es_fragment *frags, size_t n, int *score)
{
    struct lent *l = ctx;
    l->calls++;
    for (size_t i = 0; i < n; i++) {
        strncat(l->text, frags[i].text, frags[i].len < 32 ? frags[i].len : 32);
        l->emotes += frags[i].emote;
    }
    *score = -3;
    return 1;
}

static void a_reader_is_lent_the_fragments_and_only_its_numbers_stay(void **state)
{
    struct twitch_es_message m;
    char err[256];
    struct lent l = {{0}, 0, 0};
    struct twitch_es_reader rd = {keep_lent, &l};
    const char *body = seed("chat.json");
    assert_int_equal(twitch_es_parse_read(body, strlen(body), &rd, &m, err, sizeof err), 0);
    assert_int_equal(l.calls, 1);
    assert_string_equal(l.text, "Hi chat");
    assert_int_equal(l.emotes, 0);
    assert_int_equal(m.chat.read, 1);
    assert_int_equal(m.chat.score, -3);
    assert_null(memmem(&m, sizeof m, "Hi chat", 7));
    /* without a reader nothing is read */
    assert_int_equal(parse(body, &m, err), 0);
    assert_int_equal(m.chat.read, 0);
    assert_int_equal(m.chat.score, 0);
    /* an emote fragment is lent as one */
    memset(&l, 0, sizeof l);
    body = seed("chat_emote.json");
    assert_int_equal(twitch_es_parse_read(body, strlen(body), &rd, &m, err, sizeof err), 0);
    assert_true(l.emotes > 0);
}

static void emote_only_message_is_flagged(void **state)
{
    struct twitch_es_message m;
    char err[256];
    assert_int_equal(parse(seed("chat_emote.json"), &m, err), 0);
    assert_true(m.chat.emote_only);
}

static void raid_gives_raider_target_and_viewers(void **state)
{
    struct twitch_es_message m;
    char err[256];
    assert_int_equal(parse(seed("raid.json"), &m, err), 0);
    assert_int_equal(m.sub, TWITCH_ES_SUB_RAID);
    assert_int_equal(m.raid.from_id, 1234);
    assert_string_equal(m.raid.from_login, "cool_user");
    assert_int_equal(m.raid.to_id, 1337);
    assert_int_equal(m.broadcaster_id, 1337);
    assert_int_equal(m.raid.viewers, 9001);
}

static void stream_online_and_offline_give_the_channel(void **state)
{
    struct twitch_es_message m;
    char err[256];
    assert_int_equal(parse(seed("online.json"), &m, err), 0);
    assert_int_equal(m.sub, TWITCH_ES_SUB_STREAM_ONLINE);
    assert_int_equal(m.broadcaster_id, 1337);
    assert_int_equal(m.started_at_ms, 1602411072123LL);
    assert_int_equal(parse(seed("offline.json"), &m, err), 0);
    assert_int_equal(m.sub, TWITCH_ES_SUB_STREAM_OFFLINE);
    assert_int_equal(m.broadcaster_id, 1337);
}

static void revocation_says_why_and_which_channel(void **state)
{
    struct twitch_es_message m;
    char err[256];
    assert_int_equal(parse(seed("revocation.json"), &m, err), 0);
    assert_int_equal(m.kind, TWITCH_ES_REVOCATION);
    assert_int_equal(m.sub, TWITCH_ES_SUB_CHAT_MESSAGE);
    assert_string_equal(m.sub_status, "authorization_revoked");
    assert_int_equal(m.broadcaster_id, 12826);
}

/* Replaces the first occurrence of from by to in a seed and parses the result. */
static int parse_edited(const char *name, const char *from, const char *to, char *err)
{
    const char *s = seed(name);
    const char *p = strstr(s, from);
    assert_non_null(p);
    char buf[65536];
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
    struct twitch_es_message m;
    int rc = parse(buf, &m, err);
    if (rc < 0) {
        assert_int_equal(m.kind, 0); /* nothing half-filled */
    }
    return rc;
}

static void malformed_shapes_are_refused(void **state)
{
    char err[256];
    assert_int_equal(parse_edited("welcome.json", "session_welcome", "session_hello", err),
                     TCA_EPROTO);
    assert_int_equal(parse_edited("welcome.json", "\"keepalive_timeout_seconds\":10",
                                  "\"keepalive_timeout_seconds\":0", err),
                     TCA_EPROTO);
    assert_int_equal(parse_edited("reconnect.json", "wss://", "http://", err), TCA_EPROTO);
    assert_int_equal(parse_edited("chat.json", "\"chatter_user_id\":\"4145994\"",
                                  "\"chatter_user_id\":4145994", err),
                     TCA_EPROTO);
    assert_non_null(strstr(err, "chatter_user_id"));
    assert_int_equal(parse_edited("chat.json", "viewer32", "Viewer 32", err), TCA_EPROTO);
    assert_int_equal(parse_edited("raid.json", "\"viewers\":9001", "\"viewers\":-1", err),
                     TCA_EPROTO);
    assert_int_equal(
        parse_edited("raid.json", "\"type\":\"channel.raid\"", "\"type\":\"channel.follow\"", err),
        TCA_EPROTO);
    assert_int_equal(parse_edited("online.json", "2020-10-11T10:11:12.123Z", "yesterday", err),
                     TCA_EPROTO);
    assert_int_equal(parse_edited("keepalive.json", "\"payload\":{}", "\"payload\":[]", err),
                     TCA_EPROTO);
    assert_int_equal(
        parse_edited("keepalive.json", "\"message_id\":\"84c1", "\"message_id\":\"\x01", err),
        TCA_EPROTO);
    struct twitch_es_message m;
    assert_int_equal(parse("", &m, err), TCA_EPROTO);
    assert_int_equal(parse("[]", &m, err), TCA_EPROTO);
    /* duplicate keys would let two readers disagree on the message */
    assert_int_equal(parse("{\"metadata\":{},\"metadata\":{},\"payload\":{}}", &m, err),
                     TCA_EPROTO);
}

static void subscription_names_round_trip(void **state)
{
    for (int s = TWITCH_ES_SUB_CHAT_MESSAGE; s <= TWITCH_ES_SUB_STREAM_OFFLINE; s++)
        assert_int_equal(twitch_es_sub_from_name(twitch_es_sub_name(s)), s);
    assert_int_equal(twitch_es_sub_from_name("channel.follow"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(welcome_gives_session_and_keepalive),
        cmocka_unit_test(keepalive_has_only_metadata),
        cmocka_unit_test(reconnect_gives_the_new_url),
        cmocka_unit_test(chat_message_gives_chatter_not_text),
        cmocka_unit_test(emote_only_message_is_flagged),
        cmocka_unit_test(a_reader_is_lent_the_fragments_and_only_its_numbers_stay),
        cmocka_unit_test(raid_gives_raider_target_and_viewers),
        cmocka_unit_test(stream_online_and_offline_give_the_channel),
        cmocka_unit_test(revocation_says_why_and_which_channel),
        cmocka_unit_test(malformed_shapes_are_refused),
        cmocka_unit_test(subscription_names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
