/*
 * Heavy requests off the connection threads. A libmicrohttpd thread serves every connection
 * it accepted, so one statistics request of a large session (a second or more) would hold up
 * every light request sharing that thread. Routes marked heavy in the router's table run
 * here instead: the access handler suspends the connection and queues the request; one of a
 * few worker threads runs the handler and resumes the connection, whose thread then sends
 * the reply (server.c). The queue is bounded: past it the request is answered at once with
 * 503 and Retry-After, never left waiting without limit.
 *
 * Identical requests share one run: when a worker takes a request, every queued request of
 * the same user for the same URL and query gets a copy of its reply. Each of them arrived
 * before that run started, so none gets an answer older than itself; a thousand clients
 * polling one statistics page cost one computation, not a thousand.
 *
 * Must never run a handler on a connection thread for a heavy route, never call back into
 * MHD while holding its lock (suspending is the one exception: it calls nothing of ours),
 * and never touch a request after resuming its connection
 * (the connection thread may reply and free it at once).
 */
#include "web/internal.h"

#include "base/clock.h"
#include "base/tca_metrics.h"
#include "base/xalloc.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 4096
#define TRIM_AFTER_MS 50 /* a longer URL is not shared (its query is at most 100 parameters) */

struct web_heavy {
    struct web *w;
    pthread_mutex_t lock;
    pthread_cond_t wake;    /* a request was queued, or stopping */
    struct web_req **queue; /* ring of cap slots */
    size_t cap, head, n;
    int stopping;
    pthread_t *threads;
    int n_threads;
};

/* Gives twin the reply of r (a JSON or error reply: streamed ones are never shared). */
static void share_reply(const struct web_req *r, struct web_req *twin)
{
    twin->status = r->status;
    twin->resp_len = r->resp_len;
    twin->resp =
        r->resp ? memcpy(xmalloc(r->resp_len ? r->resp_len : 1), r->resp, r->resp_len) : NULL;
    twin->ctype = r->ctype;
    twin->cache_control = r->cache_control;
    twin->retry_after = r->retry_after;
    twin->close = r->close;
    memcpy(twin->etag, r->etag, sizeof twin->etag);
    twin->disposition = r->disposition ? xstrdup(r->disposition) : NULL;
}

/* Hands r back to its connection thread: after this, r is no longer ours. */
static void hand_back(struct web_req *r)
{
    metrics_add(web_metrics_registry(r->w->metrics), TM_HTTP_HEAVY, 0, 0, -1);
    r->heavy = WEB_HEAVY_DONE;
    /* MHD takes its own mutex here and again when the connection thread picks the request
     * up, so what the handler wrote is visible there */
    MHD_resume_connection(r->conn);
}

/* Runs one queued request's handler, copies its reply to its twins, hands all back. */
static void run(struct web_req *r, struct web_req **twins, size_t n_twins)
{
    const struct web_route *rt = &web_routes(&(size_t){0})[r->route];
    int64_t start = clock_mono_ms();
    rt->handler(r);
    int64_t took = clock_mono_ms() - start;
    if (r->status == 0)
        web_error(r, 500, "internal", "no reply");
    web_release(r); /* the store connection goes back before the reply is even sent */
    for (size_t i = 0; i < n_twins; i++) {
        share_reply(r, twins[i]);
        hand_back(twins[i]);
    }
    hand_back(r);
    /* A long computation leaves its many small blocks (JSON nodes, rows) free in this
     * thread's arena, which glibc keeps; giving them back costs a few ms, worth it only
     * after the requests that allocated a lot. */
    if (took >= TRIM_AFTER_MS)
        malloc_trim(0);
}

/* Takes out of the queue every request with r's key (lock held); returns how many went
 * into twins (room for h->n). */
static size_t take_twins(struct web_heavy *h, const struct web_req *r, struct web_req **twins)
{
    size_t kept = 0, n_twins = 0;
    for (size_t i = 0; i < h->n; i++) {
        struct web_req *q = h->queue[(h->head + i) % h->cap];
        if (q->heavy_key && strcmp(q->heavy_key, r->heavy_key) == 0)
            twins[n_twins++] = q;
        else
            h->queue[(h->head + kept++) % h->cap] = q;
    }
    h->n = kept;
    return n_twins;
}

static void *worker(void *arg)
{
    struct web_heavy *h = arg;
    pthread_mutex_lock(&h->lock);
    for (;;) {
        while (!h->n && !h->stopping)
            pthread_cond_wait(&h->wake, &h->lock);
        if (!h->n) /* stopping and drained */
            break;
        struct web_req *r = h->queue[h->head];
        h->head = (h->head + 1) % h->cap;
        h->n--;
        struct web_req **twins = NULL;
        size_t n_twins = 0;
        if (r->heavy_key && h->n) {
            twins = xmalloc(h->n * sizeof *twins);
            n_twins = take_twins(h, r, twins);
        }
        pthread_mutex_unlock(&h->lock);
        run(r, twins, n_twins);
        free(twins);
        pthread_mutex_lock(&h->lock);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

struct web_heavy *web_heavy_new(struct web *w, int threads, size_t queue)
{
    struct web_heavy *h = xcalloc(1, sizeof *h);
    h->w = w;
    h->cap = queue ? queue : 1;
    h->queue = xcalloc(h->cap, sizeof *h->queue);
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->wake, NULL);
    h->threads = xcalloc((size_t)(threads > 0 ? threads : 1), sizeof *h->threads);
    for (int i = 0; i < threads; i++)
        if (pthread_create(&h->threads[h->n_threads], NULL, worker, h) == 0)
            h->n_threads++;
    return h;
}

struct key {
    struct buf b;
    int too_long;
};

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *name,
                               const char *value)
{
    struct key *k = cls;
    (void)kind;
    /* \x1f separates: a query may hold it, but then both requests hold it */
    k->too_long = buf_printf(&k->b, "\x1f%s=%s", name, value ? value : "") < 0;
    return k->too_long ? MHD_NO : MHD_YES;
}

/* What makes two requests the same: who asks, how, the method, path and every argument in
 * order. NULL when the URL is too long to be worth sharing. */
char *web_request_key(struct web_req *r)
{
    struct key k = {.too_long = 0};
    buf_init(&k.b, KEY_MAX);
    k.too_long = buf_printf(&k.b, "%lld\x1f%d\x1f%lld\x1f%s\x1f%s", (long long)r->user_id,
                            r->via_key, (long long)r->key_id, r->method, r->path) < 0;
    if (!k.too_long)
        MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_arg, &k);
    char *key = k.too_long ? NULL : buf_steal(&k.b);
    buf_free(&k.b);
    return key;
}

int web_heavy_submit(struct web_heavy *h, struct web_req *r, int shared)
{
    if (shared && !r->heavy_key)
        r->heavy_key = web_request_key(r);
    pthread_mutex_lock(&h->lock);
    if (h->stopping || !h->n_threads || h->n == h->cap) {
        pthread_mutex_unlock(&h->lock);
        r->retry_after = 2;
        web_error(r, 503, "busy", "the server is busy with statistics requests: retry in %d s",
                  r->retry_after);
        return 0;
    }
    /* suspended before a worker can take it, so its resume never comes first. The one MHD
     * call made under the lock: suspending calls nothing of ours back. */
    r->heavy = WEB_HEAVY_QUEUED;
    metrics_add(web_metrics_registry(r->w->metrics), TM_HTTP_HEAVY, 0, 0, 1);
    MHD_suspend_connection(r->conn);
    h->queue[(h->head + h->n) % h->cap] = r;
    h->n++;
    pthread_cond_signal(&h->wake);
    pthread_mutex_unlock(&h->lock);
    return 1;
}

void web_heavy_stop(struct web_heavy *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->lock);
    h->stopping = 1;
    pthread_cond_broadcast(&h->wake);
    pthread_mutex_unlock(&h->lock);
    /* the workers drain the queue first: every suspended request gets its reply */
    for (int i = 0; i < h->n_threads; i++)
        pthread_join(h->threads[i], NULL);
    h->n_threads = 0;
}

void web_heavy_free(struct web_heavy *h)
{
    if (!h)
        return;
    web_heavy_stop(h);
    pthread_cond_destroy(&h->wake);
    pthread_mutex_destroy(&h->lock);
    free(h->threads);
    free(h->queue);
    free(h);
}
