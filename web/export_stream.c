/*
 * Streamed downloads of exports: a producer thread per download runs the export on a store
 * connection borrowed from the gateway's pool and writes into a bounded ring; libmicrohttpd
 * pulls the ring out as chunks (Transfer-Encoding: chunked), suspending the connection while
 * the ring is empty. At most WEB_MAX_PRODUCERS downloads export at once; the others wait.
 * A download never holds more than the ring, whatever the session's size, and a failed
 * export never ends with the final chunk: the client sees an incomplete transfer.
 *
 * Why a thread and not the request's connection: the export outlives the request handler
 * (which returns its pooled connection at once), and the reader callback runs on an MHD
 * event-loop thread that must never block. The producer holds its store connection from
 * its slot's start to its end, so no connection is ever used by two threads.
 */
#include "web/internal.h"

#include "base/err.h"
#include "base/log.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Big enough to keep a loopback client busy between two wake-ups, small enough that a
 * thousand downloads at once stay under 256 MB. */
#define RING_SIZE (256 * 1024)

struct web_stream {
    pthread_mutex_t lock;
    pthread_cond_t room; /* the producer waits here while the ring is full */
    struct web *w;
    struct MHD_Connection *conn; /* NULL once MHD let go of the response */
    int64_t user_id;
    struct report_export x;
    char capture_channel[32];
    struct report_options o;
    char *ring;
    size_t head, len;
    size_t written, fail_after; /* bytes produced; tests: fail after this many (0: never) */
    int suspended;
    int cancelled; /* the client went away: the producer stops at its next write */
    int finished;  /* the export ended; failed says whether it failed */
    int failed;
    int refs; /* the producer and the response */
    char err[256];
    struct web_stream *prev, *next; /* the gateway's list of streams (under w->stop_lock) */
};

static void release(struct web_stream *s)
{
    struct web *w = s->w;
    pthread_mutex_lock(&s->lock);
    int last = --s->refs == 0;
    pthread_mutex_unlock(&s->lock);
    if (!last)
        return;
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->room);
    free(s->ring);
    pthread_mutex_lock(&w->stop_lock);
    if (s->prev)
        s->prev->next = s->next;
    else
        w->streams = s->next;
    if (s->next)
        s->next->prev = s->prev;
    if (!w->streams)
        pthread_cond_broadcast(&w->streams_cond);
    pthread_mutex_unlock(&w->stop_lock);
    free(s);
}

/* Called with the lock held: the connection to resume when MHD waits for data (else NULL).
 * The caller resumes it after unlocking, so no lock of ours is ever held while calling into
 * MHD; a suspended connection cannot go away until resumed, and only the one who cleared the
 * flag resumes it. */
static struct MHD_Connection *take_reader(struct web_stream *s)
{
    if (!s->suspended || !s->conn)
        return NULL;
    s->suspended = 0;
    return s->conn;
}

static void resume(struct MHD_Connection *conn)
{
    if (conn)
        MHD_resume_connection(conn);
}

static int ring_write(void *ctx, const char *p, size_t n)
{
    struct web_stream *s = ctx;
    pthread_mutex_lock(&s->lock);
    while (n > 0) {
        while (s->len == RING_SIZE && !s->cancelled) {
            struct MHD_Connection *c = take_reader(s);
            if (c) {
                pthread_mutex_unlock(&s->lock);
                resume(c);
                pthread_mutex_lock(&s->lock);
                continue;
            }
            pthread_cond_wait(&s->room, &s->lock);
        }
        if (s->cancelled || (s->fail_after && s->written >= s->fail_after)) {
            pthread_mutex_unlock(&s->lock);
            return s->cancelled ? TCA_ERR : TCA_EDB;
        }
        size_t tail = (s->head + s->len) % RING_SIZE;
        size_t chunk = RING_SIZE - s->len;
        if (chunk > RING_SIZE - tail)
            chunk = RING_SIZE - tail;
        if (chunk > n)
            chunk = n;
        if (s->fail_after && chunk > s->fail_after - s->written)
            chunk = s->fail_after - s->written;
        memcpy(s->ring + tail, p, chunk);
        s->len += chunk;
        s->written += chunk;
        p += chunk;
        n -= chunk;
    }
    struct MHD_Connection *c = take_reader(s);
    pthread_mutex_unlock(&s->lock);
    resume(c);
    return 0;
}

/* Waits for one of the WEB_MAX_PRODUCERS slots: past that many exports at once, each more
 * only slows every other down (2 cores), so the rest wait their turn, holding no store
 * connection and no CPU. 0, or -1 when the download was cancelled meanwhile. */
static int take_slot(struct web_stream *s)
{
    struct web *w = s->w;
    pthread_mutex_lock(&w->stop_lock);
    while (w->producers >= WEB_MAX_PRODUCERS)
        pthread_cond_wait(&w->producers_cond, &w->stop_lock);
    w->producers++;
    pthread_mutex_unlock(&w->stop_lock);
    pthread_mutex_lock(&s->lock);
    int cancelled = s->cancelled;
    pthread_mutex_unlock(&s->lock);
    return cancelled ? -1 : 0;
}

static void give_slot(struct web *w)
{
    pthread_mutex_lock(&w->stop_lock);
    w->producers--;
    pthread_cond_signal(&w->producers_cond);
    pthread_mutex_unlock(&w->stop_lock);
}

static void *produce(void *arg)
{
    struct web_stream *s = arg;
    char err[256] = "";
    /* a pooled store connection, owned by this thread until it is given back */
    struct web_req pooled = {.w = s->w, .route = -1};
    struct report_sink sink = {.write = ring_write, .ctx = s};
    int rc = take_slot(s) ? TCA_ERR : 0;
    if (rc)
        snprintf(err, sizeof err, "export cancelled before it started");
    else if (!web_store(&pooled))
        rc = tca_fail(err, sizeof err, TCA_EDB, "the store is unavailable");
    if (!rc)
        rc = report_export_run(pooled.st, s->user_id, &s->x, &s->o, &sink, err, sizeof err);
    if (rc && s->fail_after && s->written >= s->fail_after)
        snprintf(err, sizeof err, "export failed: test failure after %zu bytes", s->written);
    web_release(&pooled);
    free(pooled.resp); /* a 503 from an unavailable store goes nowhere */
    give_slot(s->w);
    pthread_mutex_lock(&s->lock);
    s->finished = 1;
    s->failed = rc != 0;
    snprintf(s->err, sizeof s->err, "%s", err);
    struct MHD_Connection *c = take_reader(s);
    pthread_mutex_unlock(&s->lock);
    resume(c);
    release(s);
    return NULL;
}

static ssize_t read_chunk(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct web_stream *s = cls;
    (void)pos;
    pthread_mutex_lock(&s->lock);
    if (s->len == 0 || s->cancelled) {
        ssize_t end = 0;
        if (s->cancelled) {
            log_warn("export session=%lld cut after %zu bytes: the gateway is stopping",
                     (long long)s->x.session_id, s->written);
            end = MHD_CONTENT_READER_END_WITH_ERROR;
        } else if (s->finished && s->failed) {
            /* logged here, at the boundary; no final chunk, so the client knows */
            log_error("export session=%lld cut after %zu bytes: %s", (long long)s->x.session_id,
                      s->written, s->err);
            end = MHD_CONTENT_READER_END_WITH_ERROR;
        } else if (s->finished) {
            end = MHD_CONTENT_READER_END_OF_STREAM;
        } else {
            s->suspended = 1;
            MHD_suspend_connection(s->conn);
        }
        pthread_mutex_unlock(&s->lock);
        return end;
    }
    size_t n = s->len < max ? s->len : max;
    if (n > RING_SIZE - s->head)
        n = RING_SIZE - s->head;
    memcpy(buf, s->ring + s->head, n);
    s->head = (s->head + n) % RING_SIZE;
    s->len -= n;
    pthread_cond_signal(&s->room);
    pthread_mutex_unlock(&s->lock);
    return (ssize_t)n;
}

/* MHD is done with the response (sent, failed or the client left). */
static void response_gone(void *cls)
{
    struct web_stream *s = cls;
    pthread_mutex_lock(&s->lock);
    s->cancelled = 1;
    s->conn = NULL;
    pthread_cond_signal(&s->room);
    pthread_mutex_unlock(&s->lock);
    release(s);
}

int web_reply_export(struct web_req *r, const struct report_export *x,
                     const struct report_options *o, const char *ctype, const char *filename)
{
    struct web_stream *s = xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->room, NULL);
    s->w = r->w;
    s->conn = r->conn;
    s->user_id = r->user_id;
    s->x = *x;
    if (x->capture_channel) {
        snprintf(s->capture_channel, sizeof s->capture_channel, "%s", x->capture_channel);
        s->x.capture_channel = s->capture_channel;
    }
    s->o = *o;
    s->ring = xmalloc(RING_SIZE);
    s->fail_after = r->w->o.export_fail_after;
    s->refs = 2;
    pthread_mutex_lock(&r->w->stop_lock);
    int stopping = r->w->stopping;
    if (!stopping) {
        s->next = r->w->streams;
        if (s->next)
            s->next->prev = s;
        r->w->streams = s;
    }
    pthread_mutex_unlock(&r->w->stop_lock);
    if (stopping) {
        web_error(r, 503, "unavailable", "the gateway is stopping");
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->room);
        free(s->ring);
        free(s);
        return TCA_ERR;
    }
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int started = pthread_create(&t, &attr, produce, s) == 0;
    pthread_attr_destroy(&attr);
    if (!started) {
        s->refs = 1;
        release(s);
        web_error(r, 503, "unavailable", "cannot start the export");
        return TCA_ERR;
    }
    r->stream = s;
    r->status = 200;
    r->ctype = ctype;
    free(r->disposition);
    r->disposition = xasprintf("attachment; filename=\"%s\"", filename);
    return 0;
}

struct MHD_Response *web_stream_response(struct web_stream *s)
{
    /* 32 KiB blocks: what MHD asks the reader for at most per call */
    struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024,
                                                                  read_chunk, s, response_gone);
    if (!resp)
        response_gone(s);
    return resp;
}

void web_stream_drop(struct web_stream *s)
{
    response_gone(s);
}

/* Waits (stop_lock held) until no stream is left or deadline_ms (CLOCK_REALTIME) passed. */
static void wait_streams(struct web *w, int64_t deadline_ms)
{
    while (w->streams) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
        if (deadline_ms && now >= deadline_ms)
            return;
        int64_t until = deadline_ms ? deadline_ms : now + 1000;
        ts.tv_sec = until / 1000;
        ts.tv_nsec = (until % 1000) * 1000000;
        pthread_cond_timedwait(&w->streams_cond, &w->stop_lock, &ts);
    }
}

void web_streams_finish(struct web *w, int64_t grace_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    pthread_mutex_lock(&w->stop_lock);
    wait_streams(w, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + grace_ms);
    /* Past the grace time, cut what is left: a suspended connection must be resumed before
     * the daemon stops, and a cancelled producer ends at its next write. */
    size_t n = 0;
    for (struct web_stream *s = w->streams; s; s = s->next)
        n++;
    struct MHD_Connection **conns = xcalloc(n ? n : 1, sizeof *conns);
    n = 0;
    for (struct web_stream *s = w->streams; s; s = s->next) {
        pthread_mutex_lock(&s->lock);
        s->cancelled = 1;
        pthread_cond_signal(&s->room);
        conns[n++] = take_reader(s);
        pthread_mutex_unlock(&s->lock);
    }
    pthread_mutex_unlock(&w->stop_lock);
    for (size_t i = 0; i < n; i++)
        resume(conns[i]);
    free(conns);
    pthread_mutex_lock(&w->stop_lock);
    wait_streams(w, 0);
    pthread_mutex_unlock(&w->stop_lock);
}
