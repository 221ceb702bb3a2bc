/*
 * Store contract for alerts: webhooks keep their sealed URL and secret as given and belong to
 * one user, deliveries record each attempt's outcome, and the watchlist keeps an account by
 * id once known (a login-only entry is completed in place, never duplicated). Written only
 * against store/store_alerts.h; each test runs on a fresh real database.
 */
#include "tests/support/store_backend.h"
#include "tests/support/testutil.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "store/store_alerts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t add_hook(struct store *st, int64_t owner, const char *kind)
{
    char err[256] = "";
    struct store_webhook w = {
        .owner_id = owner, .channel_id = 100, .events = 5, .created_at_ms = 1000};
    snprintf(w.kind, sizeof w.kind, "%s", kind);
    snprintf(w.name, sizeof w.name, "mods");
    snprintf(w.url_sealed, sizeof w.url_sealed, "sealed-url-%s", kind);
    snprintf(w.secret_sealed, sizeof w.secret_sealed, "sealed-secret");
    snprintf(w.url_masked, sizeof w.url_masked, "https://example.org/…");
    int64_t id = 0;
    assert_int_equal(store_webhook_create(st, &w, &id, err, sizeof err), 0);
    assert_true(id > 0);
    return id;
}

static void webhooks_are_kept_as_given_and_deleted_only_by_their_owner(void **state)
{
    struct test_store *f = *state;
    char err[256];
    int64_t a = add_hook(f->st, 7, "json");
    add_hook(f->st, 8, "discord");
    struct store_webhook *list;
    size_t n;
    assert_int_equal(store_webhook_list(f->st, 7, &list, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, a);
    assert_string_equal(list[0].kind, "json");
    assert_string_equal(list[0].url_sealed, "sealed-url-json");
    assert_string_equal(list[0].secret_sealed, "sealed-secret");
    assert_string_equal(list[0].url_masked, "https://example.org/…");
    assert_int_equal(list[0].channel_id, 100);
    assert_int_equal(list[0].events, 5);
    free(list);

    assert_int_equal(store_webhook_block(f->st, a, 5000, err, sizeof err), 0);
    assert_int_equal(store_webhook_block(f->st, a, 3000, err, sizeof err), 0);
    struct store_webhook w;
    assert_int_equal(store_webhook_get(f->st, a, &w, err, sizeof err), 0);
    assert_int_equal(w.blocked_until_ms, 5000);

    assert_int_equal(store_webhook_delete(f->st, 8, a, err, sizeof err), TCA_ENOTFOUND);
    assert_int_equal(store_webhook_delete(f->st, 7, a, err, sizeof err), 0);
    assert_int_equal(store_webhook_get(f->st, a, &w, err, sizeof err), TCA_ENOTFOUND);
}

static void deliveries_record_each_attempt_newest_first(void **state)
{
    struct test_store *f = *state;
    char err[256];
    int64_t hook = add_hook(f->st, 7, "json");
    int64_t ids[3];
    for (int i = 0; i < 3; i++) {
        struct store_delivery d = {.webhook_id = hook, .owner_id = 7, .created_at_ms = 100 + i};
        snprintf(d.event, sizeof d.event, "raid");
        d.body = "{\"event\":\"raid\"}";
        assert_int_equal(store_delivery_create(f->st, &d, &ids[i], err, sizeof err), 0);
    }
    struct store_delivery d = {
        .id = ids[1], .attempts = 2, .last_status = 500, .updated_at_ms = 900};
    snprintf(d.state, sizeof d.state, "failed");
    snprintf(d.last_error, sizeof d.last_error, "HTTP 500");
    assert_int_equal(store_delivery_update(f->st, &d, err, sizeof err), 0);

    struct store_delivery got = {0};
    assert_int_equal(store_delivery_get(f->st, ids[1], &got, err, sizeof err), 0);
    assert_string_equal(got.body, "{\"event\":\"raid\"}");
    assert_string_equal(got.state, "failed");
    assert_int_equal(got.attempts, 2);
    assert_int_equal(got.last_status, 500);
    assert_string_equal(got.last_error, "HTTP 500");
    assert_int_equal(got.updated_at_ms, 900);
    store_delivery_clear(&got);

    struct store_delivery *list;
    size_t n;
    assert_int_equal(store_delivery_list(f->st, 7, 2, &list, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, ids[2]);
    assert_string_equal(list[0].state, "queued");
    assert_null(list[0].body);
    assert_int_equal(list[1].id, ids[1]);
    free(list);
    assert_int_equal(store_delivery_list(f->st, 8, 10, &list, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(list);
}

static void a_dedupe_key_is_delivered_once_per_webhook(void **state)
{
    struct test_store *f = *state;
    char err[256];
    int64_t a = add_hook(f->st, 7, "json"), b = add_hook(f->st, 7, "slack"), id;
    struct store_delivery d = {.webhook_id = a, .owner_id = 7, .created_at_ms = 1};
    snprintf(d.event, sizeof d.event, "bot_wave");
    snprintf(d.dedupe_key, sizeof d.dedupe_key, "bot_wave:1:100:2025-06-14");
    d.body = "{}";
    assert_int_equal(store_delivery_create(f->st, &d, &id, err, sizeof err), 0);
    assert_int_equal(store_delivery_create(f->st, &d, &id, err, sizeof err), TCA_ECONFLICT);
    d.webhook_id = b;
    assert_int_equal(store_delivery_create(f->st, &d, &id, err, sizeof err), 0);
    /* without a key, nothing is deduplicated */
    d.dedupe_key[0] = '\0';
    assert_int_equal(store_delivery_create(f->st, &d, &id, err, sizeof err), 0);
    assert_int_equal(store_delivery_create(f->st, &d, &id, err, sizeof err), 0);
}

static void a_login_only_watch_entry_is_completed_by_its_id_not_duplicated(void **state)
{
    struct test_store *f = *state;
    char err[256];
    struct store_watch w = {.owner_id = 7, .added_at_ms = 10};
    snprintf(w.login, sizeof w.login, "spammer");
    snprintf(w.reason, sizeof w.reason, "spam");
    snprintf(w.note, sizeof w.note, "links in chat");
    int64_t first = 0, again = 0;
    assert_int_equal(store_watch_put(f->st, &w, &first, err, sizeof err), 0);
    /* seen with its id: the same row gains the id */
    w.user_id = 4242;
    assert_int_equal(store_watch_put(f->st, &w, &again, err, sizeof err), 0);
    assert_int_equal(again, first);
    /* renamed: found by id, the login follows */
    snprintf(w.login, sizeof w.login, "newname");
    assert_int_equal(store_watch_put(f->st, &w, &again, err, sizeof err), 0);
    assert_int_equal(again, first);

    struct store_watch *list;
    size_t n;
    assert_int_equal(store_watch_list(f->st, 7, &list, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].user_id, 4242);
    assert_string_equal(list[0].login, "newname");
    assert_string_equal(list[0].reason, "spam");
    assert_string_equal(list[0].note, "links in chat");
    assert_int_equal(list[0].added_at_ms, 10);
    free(list);

    struct store_watch bad = {.owner_id = 7};
    assert_int_equal(store_watch_put(f->st, &bad, NULL, err, sizeof err), TCA_EINVAL);
    assert_int_equal(store_watch_remove(f->st, 8, first, err, sizeof err), TCA_ENOTFOUND);
    assert_int_equal(store_watch_remove(f->st, 7, first, err, sizeof err), 0);
    assert_int_equal(store_watch_list(f->st, 7, &list, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(list);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, test_store_open_fresh, test_store_close_fresh)
    const struct CMUnitTest tests[] = {
        T(webhooks_are_kept_as_given_and_deleted_only_by_their_owner),
        T(deliveries_record_each_attempt_newest_first),
        T(a_dedupe_key_is_delivered_once_per_webhook),
        T(a_login_only_watch_entry_is_completed_by_its_id_not_duplicated),
    };
    return test_store_run("store_alerts", tests, sizeof tests / sizeof *tests);
}
