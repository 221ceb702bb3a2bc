/*
 * Every error Twitch documents for the endpoints the simulator serves, produced by the
 * simulator with the documented status and body shape. The Helix list is
 * tests/sim/helix_errors.json, extracted from helix-openapi.json by scripts/helix-errors.py:
 * a documented reason without a case here fails the test by name. The OAuth list (not in the
 * OpenAPI document) follows Twitch's authentication guide and is written out below.
 */
#include "tests/sim/simtest.h"

#include <unistd.h>

/* Which credentials a case sends. */
enum who {
    USER,             /* demo_mod, both scopes */
    NO_TOKEN,         /* no Authorization header */
    BAD_TOKEN,        /* a token the simulator never issued */
    APP,              /* a client-credentials token */
    NO_CHATTERS,      /* demo_mod without moderator:read:chatters */
    NO_MODERATED,     /* demo_mod without user:read:moderated_channels */
    OTHER_CLIENT,     /* demo_mod's token with another Client-Id */
    OTHER_MOD,        /* other_mod, both scopes */
    BROADCASTER,      /* cozy_channel with the role and follower scopes */
    BARE_BROADCASTER, /* cozy_channel with moderator:read:chatters only */
    MOD_FOLLOWERS,    /* demo_mod with moderator:read:followers */
    N_WHO
};

struct helix_case {
    const char *path;
    int status;
    const char *reason; /* the documented reason it produces; NULL: not listed by Twitch */
    const char *query;
    enum who who;
    const char *fault; /* a POST /_sim/faults body to apply first, or NULL */
};

#define CHATTERS "/helix/chat/chatters"
#define USERS "/helix/users"
#define MODERATED "/helix/moderation/channels"
#define STREAMS "/helix/streams"
#define MODS "/helix/moderation/moderators"
#define VIPS "/helix/channels/vips"
#define FOLLOWERS "/helix/channels/followers"
#define HEADER_REQUIRED "The Authorization header is required and must contain a user access token."

static const struct helix_case helix_cases[] = {
    {CHATTERS, 400, "The broadcaster_id query parameter is required.", "?moderator_id=10001", USER,
     NULL},
    {CHATTERS, 400, "The ID in the broadcaster_id query parameter is not valid.",
     "?broadcaster_id=99999999&moderator_id=10001", USER, NULL},
    {CHATTERS, 400, "The ID in the broadcaster_id query parameter is not valid.",
     "?broadcaster_id=abc&moderator_id=10001", USER, NULL},
    {CHATTERS, 400, "The moderator_id query parameter is required.", "?broadcaster_id=20003", USER,
     NULL},
    {CHATTERS, 400, "The ID in the moderator_id query parameter is not valid.",
     "?broadcaster_id=20003&moderator_id=-5", USER, NULL},
    {CHATTERS, 400, "The ID in the moderator_id query parameter is not valid.",
     "?broadcaster_id=20003&moderator_id=77", USER, NULL},
    {CHATTERS, 400, NULL, "?broadcaster_id=20003&moderator_id=10001&first=0", USER, NULL},
    {CHATTERS, 400, NULL, "?broadcaster_id=20003&moderator_id=10001&first=1001", USER, NULL},
    {CHATTERS, 400, NULL, "?broadcaster_id=20003&moderator_id=10001&after=!!", USER, NULL},
    {CHATTERS, 401,
     "The ID in the moderator_id query parameter must match the user ID in the access token.",
     "?broadcaster_id=20003&moderator_id=10002", USER, NULL},
    {CHATTERS, 401, "The Authorization header is required and must contain a user access token.",
     "?broadcaster_id=20003&moderator_id=10001", NO_TOKEN, NULL},
    {CHATTERS, 401, "The Authorization header is required and must contain a user access token.",
     "?broadcaster_id=20003&moderator_id=10001", APP, NULL},
    {CHATTERS, 401, "The user access token must include the moderator:read:chatters scope.",
     "?broadcaster_id=20003&moderator_id=10001", NO_CHATTERS, NULL},
    {CHATTERS, 401, "The access token is not valid.", "?broadcaster_id=20003&moderator_id=10001",
     BAD_TOKEN, NULL},
    {CHATTERS, 401,
     "The client ID specified in the Client-Id header does not match the client ID specified in "
     "the access token.",
     "?broadcaster_id=20003&moderator_id=10001", OTHER_CLIENT, NULL},
    {CHATTERS, 403,
     "The user in the moderator_id query parameter is not one of the broadcaster's moderators.",
     "?broadcaster_id=20003&moderator_id=10002", OTHER_MOD, NULL},
    {CHATTERS, 429, NULL, "?broadcaster_id=20003&moderator_id=10001", USER,
     "{\"path\":\"/helix/chat/chatters\",\"status\":429}"},

    {USERS, 400,
     "The id or login query parameter is required unless the request uses a user access token.", "",
     APP, NULL},
    {USERS, 400,
     "The request exceeded the maximum allowed number of id and/or login query parameters.", NULL,
     USER, NULL},
    {USERS, 401,
     "The Authorization header is required and must contain an app access token or user access "
     "token.",
     "?id=10001", NO_TOKEN, NULL},
    {USERS, 401, "The access token is not valid.", "?id=10001", BAD_TOKEN, NULL},
    {USERS, 401,
     "The ID specified in the Client-Id header does not match the client ID specified in the "
     "access token.",
     "?id=10001", OTHER_CLIENT, NULL},

    {MODERATED, 400, "", "", USER, NULL},
    {MODERATED, 400, "", "?user_id=10001&first=101", USER, NULL},
    {MODERATED, 401, "", "?user_id=10002", USER, NULL},
    {MODERATED, 401, "", "?user_id=10001", NO_MODERATED, NULL},
    {MODERATED, 401, "", "?user_id=10001", APP, NULL},
    {MODERATED, 500, "", "?user_id=10001", USER,
     "{\"path\":\"/helix/moderation/channels\","
     "\"status\":500}"},

    {STREAMS, 400, "The value in the type query parameter is not valid.", "?type=vodcast", APP,
     NULL},
    {STREAMS, 401,
     "The Authorization header is required and must specify an app access token or user access "
     "token.",
     "", NO_TOKEN, NULL},
    {STREAMS, 401, "The access token is not valid.", "", BAD_TOKEN, NULL},
    {STREAMS, 401, "The ID in the Client-Id header must match the Client ID in the access token.",
     "", OTHER_CLIENT, NULL},
    {STREAMS, 400, NULL, "?first=101", USER, NULL},

    {MODS, 400, "The broadcaster_id query parameter is required.", "", BROADCASTER, NULL},
    {MODS, 401, "The ID in broadcaster_id must match the user ID found in the access token.",
     "?broadcaster_id=20003", BROADCASTER, NULL},
    {MODS, 401, HEADER_REQUIRED, "?broadcaster_id=20002", NO_TOKEN, NULL},
    {MODS, 401, HEADER_REQUIRED, "?broadcaster_id=20002", APP, NULL},
    {MODS, 401, "The user access token must include the moderation:read scope.",
     "?broadcaster_id=20002", BARE_BROADCASTER, NULL},
    {MODS, 401, "The access token is not valid.", "?broadcaster_id=20002", BAD_TOKEN, NULL},
    {MODS, 401,
     "The client ID specified in the Client-Id header does not match the client ID specified in "
     "the access token.",
     "?broadcaster_id=20002", OTHER_CLIENT, NULL},
    {MODS, 400, NULL, "?broadcaster_id=20002&first=101", BROADCASTER, NULL},

    {VIPS, 400, "The broadcaster_id query parameter is required.", "", BROADCASTER, NULL},
    {VIPS, 400, "The ID in the user_id query parameter is not valid.",
     "?broadcaster_id=20002&user_id=abc", BROADCASTER, NULL},
    {VIPS, 400, "The number of user_id query parameters exceeds the maximum allowed.", NULL,
     BROADCASTER, NULL},
    {VIPS, 401, HEADER_REQUIRED, "?broadcaster_id=20002", NO_TOKEN, NULL},
    {VIPS, 401,
     "The user access token must include the channel:read:vips or channel:manage:vips scope.",
     "?broadcaster_id=20002", BARE_BROADCASTER, NULL},
    {VIPS, 401, "The OAuth token is not valid.", "?broadcaster_id=20002", BAD_TOKEN, NULL},
    {VIPS, 401,
     "The ID in the broadcaster_id query parameter must match the user ID in the access token.",
     "?broadcaster_id=20003", BROADCASTER, NULL},
    {VIPS, 401,
     "The client ID specified in the Client-Id header does not match the client ID specified in "
     "the OAuth token.",
     "?broadcaster_id=20002", OTHER_CLIENT, NULL},

    {FOLLOWERS, 400, "The broadcaster_id query parameter is required.", "", USER, NULL},
    {FOLLOWERS, 400, "The broadcaster_id query parameter is not valid.", "?broadcaster_id=abc",
     USER, NULL},
    {FOLLOWERS, 400, "The broadcaster_id query parameter is not valid.", "?broadcaster_id=99999999",
     USER, NULL},
    {FOLLOWERS, 401,
     "The ID in the broadcaster_id query parameter must match the user ID in the access token or "
     "the user must be a moderator for the specified broadcaster.",
     "?broadcaster_id=20002&user_id=10001", MOD_FOLLOWERS, NULL},
    {FOLLOWERS, 401, HEADER_REQUIRED, "?broadcaster_id=20002", NO_TOKEN, NULL},
    {FOLLOWERS, 401, HEADER_REQUIRED, "?broadcaster_id=20002", APP, NULL},
    {FOLLOWERS, 401, "The user access token is missing the moderator:read:followers scope.",
     "?broadcaster_id=20002&user_id=10001", BARE_BROADCASTER, NULL},
    {FOLLOWERS, 401, "The OAuth token is not valid.", "?broadcaster_id=20002", BAD_TOKEN, NULL},
    {FOLLOWERS, 401,
     "The client ID specified in the Client-Id header does not match the client ID specified in "
     "the OAuth token.",
     "?broadcaster_id=20002", OTHER_CLIENT, NULL},
    {FOLLOWERS, 401,
     "The user_id parameter was specified but either the user access token is missing the "
     "moderator:read:followers scope or the user is not the broadcaster or moderator for the "
     "specified channel",
     "?broadcaster_id=20002&user_id=10001", USER, NULL},
    {FOLLOWERS, 400, NULL, "?broadcaster_id=20002&first=101", MOD_FOLLOWERS, NULL},
};

struct fixture {
    struct simtest *st;
    char token[N_WHO][64];
};

static void app_token(struct simtest *st, char *out)
{
    struct http_resp r;
    char *url = xasprintf("%s/oauth2/token", st->base);
    http_do("POST", url,
            "client_id=tca-sim-client&client_secret=tca-sim-secret&grant_type=client_credentials",
            NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    snprintf(out, 64, "%s", json_string_value(json_object_get(r.json, "access_token")));
    http_resp_free(&r);
    free(url);
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    f->st = simtest_start_manual();
    simtest_login(f->st, "demo_mod", SIMTEST_SCOPES, f->token[USER], NULL);
    simtest_login(f->st, "demo_mod", "user:read:moderated_channels", f->token[NO_CHATTERS], NULL);
    simtest_login(f->st, "demo_mod", "moderator:read:chatters", f->token[NO_MODERATED], NULL);
    simtest_login(f->st, "other_mod", SIMTEST_SCOPES, f->token[OTHER_MOD], NULL);
    simtest_login(f->st, "cozy_channel",
                  "moderator:read:chatters moderation:read channel:read:vips "
                  "moderator:read:followers",
                  f->token[BROADCASTER], NULL);
    simtest_login(f->st, "cozy_channel", "moderator:read:chatters", f->token[BARE_BROADCASTER],
                  NULL);
    simtest_login(f->st, "demo_mod", "moderator:read:chatters moderator:read:followers",
                  f->token[MOD_FOLLOWERS], NULL);
    app_token(f->st, f->token[APP]);
    snprintf(f->token[BAD_TOKEN], 64, "%s", "not-a-token-of-this-simulator");
    snprintf(f->token[OTHER_CLIENT], 64, "%s", f->token[USER]);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    simtest_stop(f->st);
    free(f);
    return 0;
}

static json_t *load_reference(void)
{
    const char *root = getenv("TCA_ROOT");
    char *path = xasprintf("%s/tests/sim/helix_errors.json", root && *root ? root : ".");
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!doc)
        fail_msg("cannot read %s: %s", path, je.text);
    free(path);
    return doc;
}

static int documented(json_t *errors, const char *path, int status, const char *reason)
{
    json_t *e;
    size_t i;
    json_array_foreach(errors, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "path")), path) == 0 &&
            json_integer_value(json_object_get(e, "status")) == status &&
            (!reason || strcmp(json_string_value(json_object_get(e, "reason")), reason) == 0))
            return 1;
    }
    return 0;
}

static const char *reason_phrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 429:
        return "Too Many Requests";
    default:
        return "Internal Server Error";
    }
}

/* A query with 101 id and login parameters (Get Users), or 101 user_id (Get VIPs). */
static char *too_many_lookups(const char *path)
{
    if (strcmp(path, VIPS) == 0) {
        char *q = xstrdup("?broadcaster_id=20002");
        for (int i = 0; i < 101; i++) {
            char *next = xasprintf("%s&user_id=%d", q, 3000000 + i);
            free(q);
            q = next;
        }
        return q;
    }
    char *q = xstrdup("?login=demo_mod");
    for (int i = 0; i < 100; i++) {
        char *next = xasprintf("%s&id=%d", q, 20001 + i);
        free(q);
        q = next;
    }
    return q;
}

static void run_helix_case(struct fixture *f, const struct helix_case *k)
{
    struct http_resp r;
    if (k->fault) {
        char *url = xasprintf("%s/_sim/faults", f->st->base);
        http_do("POST", url, k->fault, NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        http_resp_free(&r);
        free(url);
    }
    char *query = k->query ? xstrdup(k->query) : too_many_lookups(k->path);
    char *url = xasprintf("%s%s%s", f->st->base, k->path, query);
    char *auth = xasprintf("Authorization: Bearer %s", f->token[k->who]);
    const char *client =
        k->who == OTHER_CLIENT ? "Client-Id: someone-else" : "Client-Id: tca-sim-client";
    http_do("GET", url, NULL, k->who == NO_TOKEN ? client : auth,
            k->who == NO_TOKEN ? NULL : client, &r);
    if (r.status != k->status)
        fail_msg("%s%s: got %ld, want %d (%s)", k->path, query, r.status, k->status, r.body);
    /* Helix's error shape: exactly error, status and message */
    assert_true(json_is_object(r.json));
    assert_int_equal(json_object_size(r.json), 3);
    assert_string_equal(json_string_value(json_object_get(r.json, "error")),
                        reason_phrase(k->status));
    assert_int_equal(json_integer_value(json_object_get(r.json, "status")), k->status);
    assert_true(json_string_length(json_object_get(r.json, "message")) > 0);
    http_resp_free(&r);
    free(auth);
    free(url);
    free(query);
}

static void every_documented_helix_error_is_produced_in_helix_shape(void **state)
{
    struct fixture *f = *state;
    json_t *doc = load_reference();
    json_t *errors = json_object_get(doc, "errors");
    assert_true(json_array_size(errors) > 0);
    size_t n_cases = sizeof helix_cases / sizeof *helix_cases;
    /* every documented reason has a case... */
    int missing = 0;
    json_t *e;
    size_t i;
    json_array_foreach(errors, i, e)
    {
        const char *path = json_string_value(json_object_get(e, "path"));
        int status = (int)json_integer_value(json_object_get(e, "status"));
        const char *reason = json_string_value(json_object_get(e, "reason"));
        int found = 0;
        for (size_t k = 0; k < n_cases; k++)
            found |= helix_cases[k].reason && strcmp(helix_cases[k].path, path) == 0 &&
                     helix_cases[k].status == status && strcmp(helix_cases[k].reason, reason) == 0;
        if (!found) {
            print_error("documented but never produced: %s %d \"%s\"\n", path, status, reason);
            missing++;
        }
    }
    assert_int_equal(missing, 0);
    /* ...every case stands for a documented reason, or a status Twitch uses everywhere (429)
     * or lists for that endpoint... */
    for (size_t k = 0; k < n_cases; k++) {
        const struct helix_case *c = &helix_cases[k];
        if (c->reason ? !documented(errors, c->path, c->status, c->reason)
                      : c->status != 429 && !documented(errors, c->path, c->status, NULL))
            fail_msg("case %zu (%s %d) is not in the reference", k, c->path, c->status);
    }
    /* ...and the simulator answers each one so */
    for (size_t k = 0; k < n_cases; k++)
        run_helix_case(f, &helix_cases[k]);
    json_decref(doc);
}

/* The OAuth errors of Twitch's authentication guide (id.twitch.tv answers {"status",
 * "message"}; a refused refresh also carries "error"). */
struct oauth_case {
    const char *method;
    const char *path;
    const char *form; /* POST body, or the query for GET */
    const char *auth; /* Authorization header, or NULL */
    int status;
    const char *message;
};

static void post_or_get(struct simtest *st, const char *method, const char *path, const char *body,
                        const char *auth, struct http_resp *r)
{
    int get = strcmp(method, "GET") == 0;
    char *url = xasprintf("%s%s%s", st->base, path, get && body ? body : "");
    http_do(method, url, get ? NULL : body, auth, NULL, r);
    free(url);
}

static void every_documented_oauth_error_is_produced_in_oauth_shape(void **state)
{
    struct fixture *f = *state;
    struct http_resp r;
    /* a device code still waiting for its user */
    post_or_get(f->st, "POST", "/oauth2/device", "client_id=tca-sim-client&scopes=x", NULL, &r);
    assert_int_equal(r.status, 200);
    char *pending = xasprintf("client_id=tca-sim-client&device_code=%s&scopes=x&grant_type=urn%%3A"
                              "ietf%%3Aparams%%3Aoauth%%3Agrant-type%%3Adevice_code",
                              json_string_value(json_object_get(r.json, "device_code")));
    http_resp_free(&r);
    char *bearer = xasprintf("Authorization: OAuth %s", "not-a-token");
    const struct oauth_case cases[] = {
        {"POST", "/oauth2/token",
         "client_id=nobody&client_secret=x&grant_type=authorization_code&code=x", NULL, 400,
         "invalid client"},
        {"POST", "/oauth2/token",
         "client_id=tca-sim-client&client_secret=wrong&grant_type=authorization_code&code=x", NULL,
         403, "invalid client secret"},
        {"POST", "/oauth2/token",
         "client_id=tca-sim-client&client_secret=tca-sim-secret&grant_type=authorization_code"
         "&code=nope&redirect_uri=http%3A%2F%2Flocalhost%2Fcb",
         NULL, 400, "Invalid authorization code"},
        {"POST", "/oauth2/token",
         "client_id=tca-sim-client&client_secret=tca-sim-secret&grant_type=refresh_token"
         "&refresh_token=nope",
         NULL, 400, "Invalid refresh token"},
        {"POST", "/oauth2/token", pending, NULL, 400, "authorization_pending"},
        {"POST", "/oauth2/token",
         "client_id=tca-sim-client&device_code=nope&grant_type=urn%3Aietf%3Aparams%3Aoauth%3A"
         "grant-type%3Adevice_code",
         NULL, 400, "invalid device code"},
        {"GET", "/oauth2/validate", NULL, bearer, 401, "invalid access token"},
        {"GET", "/oauth2/validate", NULL, NULL, 401, "missing authorization token"},
        {"POST", "/oauth2/revoke", "client_id=tca-sim-client&token=nope", NULL, 400,
         "Invalid token"},
        {"POST", "/oauth2/revoke", "client_id=nobody&token=nope", NULL, 404,
         "client does not exist"},
        {"GET", "/oauth2/authorize",
         "?client_id=nobody&redirect_uri=http%3A%2F%2Flocalhost%2Fcb&response_type=code&scope=x",
         NULL, 400, "invalid client"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const struct oauth_case *c = &cases[i];
        post_or_get(f->st, c->method, c->path, c->form, c->auth, &r);
        if (r.status != c->status)
            fail_msg("%s %s: got %ld, want %d (%s)", c->method, c->path, r.status, c->status,
                     r.body);
        assert_int_equal(json_integer_value(json_object_get(r.json, "status")), c->status);
        assert_string_equal(json_string_value(json_object_get(r.json, "message")), c->message);
        /* only the refused refresh carries Helix's "error" too */
        int refresh = strcmp(c->message, "Invalid refresh token") == 0;
        assert_int_equal(json_object_size(r.json), refresh ? 3 : 2);
        http_resp_free(&r);
    }
    free(bearer);
    free(pending);
}

static void a_user_who_declines_is_sent_back_with_access_denied(void **state)
{
    struct fixture *f = *state;
    struct http_resp r;
    char *url = xasprintf("%s/oauth2/authorize?client_id=tca-sim-client&redirect_uri=http%%3A%%2F"
                          "%%2Flocalhost%%2Fcb&response_type=code&scope=x&state=s9&sim_deny=1",
                          f->st->base);
    http_do("GET", url, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 302);
    char *error = url_param(r.location, "error");
    char *state_back = url_param(r.location, "state");
    char *code = url_param(r.location, "code");
    assert_string_equal(error, "access_denied");
    assert_string_equal(state_back, "s9");
    assert_null(code);
    free(error);
    free(state_back);
    http_resp_free(&r);
    free(url);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_documented_helix_error_is_produced_in_helix_shape,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(every_documented_oauth_error_is_produced_in_oauth_shape,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_user_who_declines_is_sent_back_with_access_denied, setup,
                                        teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
