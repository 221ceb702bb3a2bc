/*
 * Heavy requests off the connection threads. A libmicrohttpd thread serves every connection
 * it accepted, so one statistics request of a large session (a second or more) would hold up
 * every light request sharing that thread. Routes marked heavy in the router's table run
 * here instead: the access handler suspends the connection and queues the request; one of a
 * few worker threads runs the handler and resumes the connection, whose thread then sends
 * the reply (server.c). The queue is bounded: past it the request is answered at once with
 * 503 and Retry-After, never left waiting without limit.
 *
 * Must never run a handler on a connection thread for a heavy route, never call back into
 * MHD while holding its lock (suspending is the one exception: it calls nothing of ours),
 * and never touch a request after resuming its connection
 * (the connection thread may reply and free it at once).
 */
#include "web/internal.h"

#include "base/tca_metrics.h"
#include "base/xalloc.h"

#include <stdlib.h>

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

/* Runs one queued request's handler and hands it back to its connection thread. */
static void run(struct web_req *r)
{
    const struct web_route *rt = &web_routes(&(size_t){0})[r->route];
    rt->handler(r);
    if (r->status == 0)
        web_error(r, 500, "internal", "no reply");
    web_release(r); /* the store connection goes back before the reply is even sent */
    metrics_add(web_metrics_registry(r->w->metrics), TM_HTTP_HEAVY, 0, 0, -1);
    r->heavy = WEB_HEAVY_DONE;
    /* MHD takes its own mutex here and again when the connection thread picks the request
     * up, so what the handler wrote is visible there */
    MHD_resume_connection(r->conn);
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
        pthread_mutex_unlock(&h->lock);
        run(r);
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

int web_heavy_submit(struct web_heavy *h, struct web_req *r)
{
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
