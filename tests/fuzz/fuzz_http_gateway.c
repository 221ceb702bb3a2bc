/*
 * libFuzzer target: whole HTTP requests, byte for byte, to a real gateway started once in
 * this process on loopback (its own SQLite file in a temp folder, one user with a known API
 * key, Twitch pointed at a closed port). Covers libmicrohttpd's parsing as the gateway sets
 * it up (pool, query cap, framing checks), the router, authentication and every handler's
 * reading of queries, paths and bodies. Every reply must be HTTP, and every JSON error reply
 * must be {"error", "message"}; ASan/UBSan watch the server threads.
 */
#include "base/crypto.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "web/web.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The seed corpus's requests carry this key (user 10001, read-write). */
#define FUZZ_KEY "tca_fuzzkey_0123456789abcdefghijklmnopqrstuv"
#define FUZZ_SECRET "dGNhLWZ1enotc2VjcmV0LTAxMjM0NTY3ODlhYmNkZWYwMTIzNDU="

static int port;

static void start(void)
{
    static struct crypto_keys keys;
    static struct web_options o;
    static char db[256];
    char err[256], dir[] = "/tmp/tca-fuzz-http-XXXXXX";
    struct web *w;
    if (crypto_init() != 0 || crypto_keys_derive(FUZZ_SECRET, &keys, err, sizeof err) != 0 ||
        !mkdtemp(dir))
        abort();
    snprintf(db, sizeof db, "%s/tca.db", dir);
    struct store *st;
    int from, to;
    if (store_open(db, &st, err, sizeof err) || store_migrate(st, &from, &to, err, sizeof err))
        abort();
    struct store_user u = {.id = 10001, .login = "fuzz_user", .display_name = "Fuzz_User"};
    struct store_api_key k = {.user_id = 10001, .name = "fuzz", .prefix = "tca_fuzz"};
    crypto_token_hash(&keys, FUZZ_KEY, k.key_hash);
    int64_t id;
    if (store_user_upsert(st, &u, err, sizeof err) ||
        store_api_key_create(st, &k, &id, err, sizeof err))
        abort();
    store_close(st);
    o.listen = "127.0.0.1:0";
    o.db_path = db;
    o.keys = &keys;
    o.twitch.api_base = "http://127.0.0.1:9/helix";
    o.twitch.auth_base = "http://127.0.0.1:9/oauth2";
    o.twitch.client_id = "fuzz";
    o.twitch.client_secret = "fuzz";
    o.threads = 2;
    o.sweep_every_ms = 3600 * 1000;
    if (web_start(&o, &w, &port, err, sizeof err) != 0)
        abort();
    /* the gateway lives as long as the fuzzer */
}

static int send_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Checks one reply: HTTP, and a JSON error body when it says it is JSON. */
static void check(const char *reply, size_t len)
{
    if (len == 0)
        return; /* the server may close on garbage without a reply */
    if (len < 12 || memcmp(reply, "HTTP/1.", 7) != 0)
        abort();
    long status = strtol(reply + 9, NULL, 10);
    const char *body = strstr(reply, "\r\n\r\n");
    if (status < 400 || !body || !strstr(reply, "Content-Type: application/json"))
        return;
    json_t *j = json_loads(body + 4, JSON_DISABLE_EOF_CHECK, NULL);
    if (j && !(json_is_string(json_object_get(j, "error")) &&
               json_is_string(json_object_get(j, "message"))))
        abort();
    json_decref(j);
}

/* 1 when buf holds a whole reply: headers and Content-Length bytes of body. */
static int complete(char *buf, size_t len)
{
    buf[len] = 0;
    const char *end = strstr(buf, "\r\n\r\n");
    if (!end)
        return 0;
    const char *cl = strcasestr(buf, "\r\nContent-Length:");
    size_t body = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
    return len >= (size_t)(end + 4 - buf) + body;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!port)
        start();
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        abort();
    static char reply[1 << 16];
    size_t got = 0;
    if (send_all(fd, data, size) == 0) {
        shutdown(fd, SHUT_WR); /* no more requests */
        /* the first reply only: it is complete once its Content-Length is in */
        while (!complete(reply, got)) {
            struct pollfd p = {.fd = fd, .events = POLLIN};
            /* an unfinished header block gets neither reply nor close from MHD until its
             * 30 s timeout: 300 ms is plenty for any reply on loopback */
            if (poll(&p, 1, 300) <= 0)
                break;
            ssize_t n = read(fd, reply + got, sizeof reply - 1 - got);
            if (n <= 0 || (got += (size_t)n) == sizeof reply - 1)
                break;
        }
    }
    reply[got] = 0;
    close(fd);
    check(reply, got);
    return 0;
}
