/*
 * chat: turns chat capture (EventSub) on or off for the current user's active session and
 * shows its chat activity. Chat capture is off by default: messages are personal data, and
 * only their counts are kept. It must never print a message's text (there is none stored).
 */
#include "cmd/app.h"
#include "cmd/commands.h"
#include "base/clock.h"
#include "report/chat.h"
#include "store/store_chat.h"
#include "twitch/eventsub.h"
#include "twitch/user_token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr, "usage: tca chat on|off [--session ID]\n"
                    "       tca chat [status] [--session ID] [--json] [--top N] [--chatters]\n");
    return EXIT_USAGE;
}

/* Says so when the stored token lacks user:read:chat: Twitch would refuse the subscription. */
static void warn_scope(struct app *a, int64_t user_id)
{
    struct twitch_token tok = {0};
    char err[256];
    if (user_token_load(a->st, &a->keys, a->tw, user_id, clock_wall_ms(), &tok, err, sizeof err) ==
            0 &&
        !strstr(tok.scopes, TWITCH_SCOPE_READ_CHAT))
        fprintf(stderr,
                "tca chat: your login did not grant %s; run `tca login --chat` so Twitch lets "
                "tca read chat\n",
                TWITCH_SCOPE_READ_CHAT);
    twitch_token_clear(&tok);
}

static void print_text(json_t *doc)
{
    printf("session %lld: chat capture %s%s%s\n",
           (long long)json_integer_value(json_object_get(doc, "session_id")),
           json_is_true(json_object_get(doc, "enabled")) ? "on" : "off",
           *json_string_value(json_object_get(doc, "status")) ? ": " : "",
           json_string_value(json_object_get(doc, "status")));
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(doc, "channels"), i, c)
    {
        printf("%s: %lld messages, %lld talkers, %lld lurkers of %lld chatters\n",
               json_string_value(json_object_get(c, "login")),
               (long long)json_integer_value(json_object_get(c, "messages")),
               (long long)json_integer_value(json_object_get(c, "talkers")),
               (long long)json_integer_value(json_object_get(c, "lurkers")),
               (long long)json_integer_value(json_object_get(c, "chatters")));
        json_t *mean = json_object_get(c, "sentiment_mean");
        if (json_is_number(mean))
            printf("  sentiment: mean %+.2f over %lld scored messages\n", json_number_value(mean),
                   (long long)json_integer_value(json_object_get(c, "scored")));
    }
    json_array_foreach(json_object_get(doc, "raids"), i, c)
    {
        printf("raid into %s from %s with %lld viewers at %s\n",
               json_string_value(json_object_get(c, "channel")),
               json_string_value(json_object_get(c, "from_login")),
               (long long)json_integer_value(json_object_get(c, "viewers")),
               json_string_value(json_object_get(c, "at")));
        json_t *saw = json_object_get(c, "captures_saw");
        if (!json_is_object(saw))
            continue;
        printf("  %lld arrived at the next capture; stayed",
               (long long)json_integer_value(json_object_get(saw, "joined")));
        static const char *const windows[] = {"5", "15", "30"};
        for (size_t w = 0; w < 3; w++) {
            char key[16];
            snprintf(key, sizeof key, "stayed_%sm", windows[w]);
            json_t *v = json_object_get(c, key);
            if (json_is_integer(v))
                printf(" %s min: %lld", windows[w], (long long)json_integer_value(v));
            else
                printf(" %s min: not yet known", windows[w]);
            printf(w < 2 ? "," : "\n");
        }
    }
}

int cmd_chat(int argc, char **argv)
{
    struct app a;
    struct store_user me;
    char err[256];
    int64_t session_id = 0, top = 10;
    int json = 0, chatters = 0, set = -1;
    for (int i = 1; i < argc; i++) {
        if (i == 1 && (strcmp(argv[i], "on") == 0 || strcmp(argv[i], "off") == 0))
            set = strcmp(argv[i], "on") == 0;
        else if (i == 1 && strcmp(argv[i], "status") == 0)
            continue;
        else if (strcmp(argv[i], "--session") == 0 && i + 1 < argc)
            session_id = app_positive_arg(argv[++i]);
        else if (strcmp(argv[i], "--top") == 0 && i + 1 < argc)
            top = app_positive_arg(argv[++i]);
        else if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (strcmp(argv[i], "--chatters") == 0)
            chatters = 1;
        else
            return usage();
        if (!session_id && i > 1 && strcmp(argv[i - 1], "--session") == 0)
            return usage();
        if (!top)
            return usage();
    }
    int rc = app_open(&a, "chat", set == 1);
    if (rc || (rc = app_current_user(&a, &me)))
        goto out;
    if (!session_id &&
        store_session_active(a.st, me.id, clock_wall_ms(), &session_id, err, sizeof err))
        goto fail;
    if (set >= 0) {
        struct store_session s;
        if (store_session_get(a.st, session_id, &s, err, sizeof err))
            goto fail;
        if (s.user_id != me.id) {
            snprintf(err, sizeof err, "no such session");
            goto fail;
        }
        if (store_chat_set(a.st, session_id, set, clock_wall_ms(), err, sizeof err))
            goto fail;
        printf("chat capture %s for session %lld\n", set ? "on" : "off", (long long)session_id);
        if (set)
            warn_scope(&a, me.id);
        goto out;
    }
    json_t *doc;
    if (report_chat(a.st, me.id, session_id, (size_t)top, chatters, &doc, err, sizeof err))
        goto fail;
    if (json) {
        json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("\n");
    } else {
        print_text(doc);
    }
    json_decref(doc);
    goto out;
fail:
    fprintf(stderr, "tca chat: %s\n", err);
    rc = EXIT_FAIL;
out:
    app_close(&a);
    return rc;
}
