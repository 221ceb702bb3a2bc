/*
 * Streamed downloads of exports. A producer thread runs the export on a store connection
 * borrowed from the gateway's pool and appends it to a feed; libmicrohttpd pulls each
 * download's bytes out of the feed as chunks (Transfer-Encoding: chunked), suspending the
 * connection while it has read everything produced so far. At most WEB_MAX_PRODUCERS exports
 * run at once; the others wait. A failed export never ends with the final chunk: the client
 * sees an incomplete transfer.
 *
 * Identical downloads share one producer: a download whose user, request and session state
 * (capture count) match a feed still holding its export from the first byte reads that feed
 * from the start at its own pace while it grows, instead of running the export again (under
 * load, each download running its own export made /export the one route that timed out). A
 * shared feed holds up to SHARE_MAX bytes, and all shared feeds together SHARE_TOTAL; past
 * that it keeps only a window, dropping what every reader has sent, and nobody joins it any
 * more: a later download runs alone. A lone download's feed is a RING_SIZE window from the
 * start. So a download never costs more than its window, whatever the session's size. Never
 * shared: between users (the user is in the key), with a feed of an older store state (the
 * capture count is in the key), or with a failed or cancelled feed.
 *
 * Why a thread and not the request's connection: the export outlives the request handler
 * (which returns its pooled connection at once), and the reader callback runs on an MHD
 * event-loop thread that must never block. The producer holds its store connection from
 * its slot's start to its end, so no connection is ever used by two threads.
 */
#include "web/internal.h"

#include "base/err.h"
#include "base/log.h"
#include "base/tca_metrics.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Big enough to keep a loopback client busy between two wake-ups, small enough that a
 * thousand downloads at once stay under 256 MB. */
#define RING_SIZE (256 * 1024)
/* A 120,000-chatter CSV export is 12.4 MB: whole, so any download during it can join. */
#define SHARE_MAX ((size_t)16 << 20)
#define SHARE_TOTAL ((size_t)64 << 20)

/* One run of an export and the downloads reading it. */
struct web_feed {
    pthread_mutex_t lock;
    pthread_cond_t room; /* the producer waits here while the feed is full */
    struct web *w;
    char *key; /* owned; NULL: nobody may join */
    int64_t user_id;
    struct report_export x;
    char capture_channel[32];
    struct report_options o;
    char *data;        /* bytes [base, base + len) of the export */
    size_t cap, limit; /* allocated; the most it may hold (cap grows up to it) */
    size_t base, len;  /* base > 0: the start was dropped, nobody joins */
    size_t reserved;   /* counted in w->shared_bytes */
    size_t fail_after; /* tests: fail after this many bytes (0: never) */
    int cancelled;     /* every reader left, or the gateway stops: the producer stops */
    int cut;           /* the gateway stops: every reader ends with an error */
    int finished;      /* the export ended; failed says whether it failed */
    int failed;
    char err[256];
    struct web_stream *readers;
    int refs;                     /* the producer and the readers */
    struct web_feed *prev, *next; /* w->feeds (under w->stop_lock) */
};

/* One download: a reader of a feed. */
struct web_stream {
    struct web_feed *f;
    struct MHD_Connection *conn; /* NULL once MHD let go of the response */
    size_t pos;                  /* the next byte of the export to send */
    int suspended;
    struct web_stream *prev, *next; /* f->readers (under f->lock) */
};

static void feed_release(struct web_feed *f)
{
    struct web *w = f->w;
    pthread_mutex_lock(&w->stop_lock);
    pthread_mutex_lock(&f->lock);
    int last = --f->refs == 0;
    pthread_mutex_unlock(&f->lock);
    if (last) {
        if (f->prev)
            f->prev->next = f->next;
        else
            w->feeds = f->next;
        if (f->next)
            f->next->prev = f->prev;
        __atomic_fetch_sub(&w->shared_bytes, f->reserved, __ATOMIC_RELAXED);
        if (!w->feeds)
            pthread_cond_broadcast(&w->streams_cond);
    }
    pthread_mutex_unlock(&w->stop_lock);
    if (!last)
        return;
    pthread_mutex_destroy(&f->lock);
    pthread_cond_destroy(&f->room);
    free(f->data);
    free(f->key);
    free(f);
}

/* Called with f->lock held: the connections of the readers MHD suspended while waiting for
 * data, marked awake (NULL-terminated, caller frees). The caller resumes them after
 * unlocking, so no lock of ours is ever held while calling into MHD; a suspended connection
 * cannot go away until resumed, and only the one who cleared the flag resumes it. */
static struct MHD_Connection **take_waiting(struct web_feed *f)
{
    size_t n = 0;
    for (struct web_stream *s = f->readers; s; s = s->next)
        n += s->suspended && s->conn;
    if (!n)
        return NULL;
    struct MHD_Connection **conns = xcalloc(n + 1, sizeof *conns);
    n = 0;
    for (struct web_stream *s = f->readers; s; s = s->next)
        if (s->suspended && s->conn) {
            s->suspended = 0;
            conns[n++] = s->conn;
        }
    return conns;
}

static void resume_all(struct MHD_Connection **conns)
{
    for (size_t i = 0; conns && conns[i]; i++)
        MHD_resume_connection(conns[i]);
    free(conns);
}

/* Makes room in a full feed (lock held): a shared feed grows while the budget allows; else
 * what every reader has sent is dropped once it is half the feed (one move per half). 0 when
 * nothing could be done: the producer waits for the readers. The budget is an atomic, not
 * under stop_lock: that lock is taken before a feed's, never after. */
static int make_room(struct web_feed *f)
{
    if (f->key && f->base == 0 && f->cap < SHARE_MAX) {
        size_t more = f->cap < SHARE_MAX - f->cap ? f->cap : SHARE_MAX - f->cap;
        struct web *w = f->w;
        size_t before = __atomic_fetch_add(&w->shared_bytes, more, __ATOMIC_RELAXED);
        int granted = before + more <= SHARE_TOTAL;
        if (!granted)
            __atomic_fetch_sub(&w->shared_bytes, more, __ATOMIC_RELAXED);
        if (granted) {
            f->reserved += more;
            f->cap += more;
            f->limit = f->cap;
            f->data = xrealloc(f->data, f->cap);
            return 1;
        }
    }
    size_t sent = f->base + f->len;
    for (struct web_stream *s = f->readers; s; s = s->next)
        if (s->pos < sent)
            sent = s->pos;
    size_t drop = sent - f->base;
    if (drop < f->limit / 2)
        return 0;
    memmove(f->data, f->data + drop, f->len - drop);
    f->base += drop;
    f->len -= drop;
    return 1;
}

static int feed_write(void *ctx, const char *p, size_t n)
{
    struct web_feed *f = ctx;
    pthread_mutex_lock(&f->lock);
    while (n > 0) {
        if (f->cancelled || (f->fail_after && f->base + f->len >= f->fail_after)) {
            int rc = f->cancelled ? TCA_ERR : TCA_EDB;
            pthread_mutex_unlock(&f->lock);
            return rc;
        }
        if (f->len == f->limit && !make_room(f)) {
            struct MHD_Connection **conns = take_waiting(f);
            if (conns) {
                pthread_mutex_unlock(&f->lock);
                resume_all(conns);
                pthread_mutex_lock(&f->lock);
                continue;
            }
            pthread_cond_wait(&f->room, &f->lock);
            continue;
        }
        size_t chunk = f->limit - f->len < n ? f->limit - f->len : n;
        if (f->fail_after && chunk > f->fail_after - (f->base + f->len))
            chunk = f->fail_after - (f->base + f->len);
        memcpy(f->data + f->len, p, chunk);
        f->len += chunk;
        p += chunk;
        n -= chunk;
    }
    struct MHD_Connection **conns = take_waiting(f);
    pthread_mutex_unlock(&f->lock);
    resume_all(conns);
    return 0;
}

/* Waits for one of the WEB_MAX_PRODUCERS slots: past that many exports at once, each more
 * only slows every other down (2 cores), so the rest wait their turn, holding no store
 * connection and no CPU. 0, or -1 when every download left meanwhile. */
static int take_slot(struct web_feed *f)
{
    struct web *w = f->w;
    pthread_mutex_lock(&w->stop_lock);
    while (w->producers >= WEB_MAX_PRODUCERS)
        pthread_cond_wait(&w->producers_cond, &w->stop_lock);
    w->producers++;
    pthread_mutex_unlock(&w->stop_lock);
    pthread_mutex_lock(&f->lock);
    int cancelled = f->cancelled;
    pthread_mutex_unlock(&f->lock);
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
    struct web_feed *f = arg;
    char err[256] = "";
    /* a pooled store connection, owned by this thread until it is given back */
    struct web_req pooled = {.w = f->w, .route = -1};
    /* and, for the chatters export (the only one that reads profiles), a second one, so it
     * reads them beside the stays (it goes on with one if none can be had) */
    struct web_req aside = {.w = f->w, .route = -1};
    struct report_sink sink = {.write = feed_write, .ctx = f};
    int rc = take_slot(f) ? TCA_ERR : 0;
    if (rc)
        snprintf(err, sizeof err, "export cancelled before it started");
    else if (!web_store(&pooled))
        rc = tca_fail(err, sizeof err, TCA_EDB, "the store is unavailable");
    if (!rc) {
        metrics_add(web_metrics_registry(f->w->metrics), TM_HTTP_EXPORT_RUNS, 0, 0, 1);
        struct store *second = f->x.kind == REPORT_EXPORT_CHATTERS ? web_store(&aside) : NULL;
        rc = report_export_run_aside(pooled.st, second, f->user_id, &f->x, &f->o, &sink, err,
                                     sizeof err);
    }
    if (rc && f->fail_after && f->base + f->len >= f->fail_after)
        snprintf(err, sizeof err, "export failed: test failure after %zu bytes", f->fail_after);
    web_release(&pooled);
    free(pooled.resp); /* a 503 from an unavailable store goes nowhere */
    web_release(&aside);
    free(aside.resp);
    give_slot(f->w);
    pthread_mutex_lock(&f->lock);
    f->finished = 1;
    f->failed = rc != 0;
    snprintf(f->err, sizeof f->err, "%s", err);
    struct MHD_Connection **conns = take_waiting(f);
    pthread_mutex_unlock(&f->lock);
    resume_all(conns);
    feed_release(f);
    return NULL;
}

static ssize_t read_chunk(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct web_stream *s = cls;
    struct web_feed *f = s->f;
    (void)pos;
    pthread_mutex_lock(&f->lock);
    size_t avail = f->base + f->len - s->pos;
    if (avail == 0 || f->cut) {
        ssize_t end = 0;
        if (f->cut) {
            log_warn("export session=%lld cut after %zu bytes: the gateway is stopping",
                     (long long)f->x.session_id, s->pos);
            end = MHD_CONTENT_READER_END_WITH_ERROR;
        } else if (f->finished && f->failed) {
            /* logged here, at the boundary; no final chunk, so the client knows */
            log_error("export session=%lld cut after %zu bytes: %s", (long long)f->x.session_id,
                      s->pos, f->err);
            end = MHD_CONTENT_READER_END_WITH_ERROR;
        } else if (f->finished) {
            end = MHD_CONTENT_READER_END_OF_STREAM;
        } else {
            s->suspended = 1;
            MHD_suspend_connection(s->conn);
        }
        pthread_mutex_unlock(&f->lock);
        return end;
    }
    size_t n = avail < max ? avail : max;
    memcpy(buf, f->data + (s->pos - f->base), n);
    s->pos += n;
    pthread_cond_signal(&f->room);
    pthread_mutex_unlock(&f->lock);
    return (ssize_t)n;
}

/* MHD is done with the response (sent, failed or the client left). The last reader to go
 * stops the producer: nobody reads what it would make. */
static void response_gone(void *cls)
{
    struct web_stream *s = cls;
    struct web_feed *f = s->f;
    pthread_mutex_lock(&f->lock);
    if (s->prev)
        s->prev->next = s->next;
    else
        f->readers = s->next;
    if (s->next)
        s->next->prev = s->prev;
    if (!f->readers)
        f->cancelled = 1;
    pthread_cond_signal(&f->room);
    pthread_mutex_unlock(&f->lock);
    free(s);
    feed_release(f);
}

/* A running feed r may read from the start (w->stop_lock held), with a reference taken and
 * r added as a reader; NULL when none. */
static struct web_feed *join(struct web *w, const char *key, struct web_stream *s)
{
    for (struct web_feed *f = w->feeds; f; f = f->next) {
        if (!f->key || strcmp(f->key, key) != 0)
            continue;
        pthread_mutex_lock(&f->lock);
        int open = f->base == 0 && !f->cancelled && !f->cut && !(f->finished && f->failed);
        if (open) {
            f->refs++;
            s->f = f;
            s->next = f->readers;
            if (s->next)
                s->next->prev = s;
            f->readers = s;
        }
        pthread_mutex_unlock(&f->lock);
        if (open)
            return f;
    }
    return NULL;
}

static struct web_feed *feed_new(struct web_req *r, const struct report_export *x,
                                 const struct report_options *o, char *key)
{
    struct web_feed *f = xcalloc(1, sizeof *f);
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->room, NULL);
    f->w = r->w;
    f->key = key;
    f->user_id = r->user_id;
    f->x = *x;
    if (x->capture_channel) {
        snprintf(f->capture_channel, sizeof f->capture_channel, "%s", x->capture_channel);
        f->x.capture_channel = f->capture_channel;
    }
    f->o = *o;
    /* a shared feed grows past this from the shared budget (make_room) */
    f->cap = f->limit = RING_SIZE;
    f->data = xmalloc(RING_SIZE);
    f->fail_after = r->w->o.export_fail_after;
    f->refs = 2; /* the producer and its first reader */
    return f;
}

int web_reply_export(struct web_req *r, const struct report_export *x,
                     const struct report_options *o, int64_t captures, const char *ctype,
                     const char *filename)
{
    struct web_stream *s = xcalloc(1, sizeof *s);
    s->conn = r->conn;
    char *request = web_request_key(r);
    char *key = request ? xasprintf("%lld\x1e%s", (long long)captures, request) : NULL;
    free(request);
    struct web_feed *f = NULL;
    pthread_mutex_lock(&r->w->stop_lock);
    int stopping = r->w->stopping;
    /* a test's failing export must really fail: never joined */
    if (!stopping && key && !r->w->o.export_fail_after)
        f = join(r->w, key, s);
    pthread_mutex_unlock(&r->w->stop_lock);
    if (stopping) {
        web_error(r, 503, "unavailable", "the gateway is stopping");
        free(key);
        free(s);
        return TCA_ERR;
    }
    if (f) {
        free(key);
        metrics_add(web_metrics_registry(r->w->metrics), TM_HTTP_EXPORT_SHARED, 0, 0, 1);
    } else {
        f = feed_new(r, x, o, key);
        s->f = f;
        f->readers = s;
        pthread_mutex_lock(&r->w->stop_lock);
        f->next = r->w->feeds;
        if (f->next)
            f->next->prev = f;
        r->w->feeds = f;
        pthread_mutex_unlock(&r->w->stop_lock);
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int started = pthread_create(&t, &attr, produce, f) == 0;
        pthread_attr_destroy(&attr);
        if (!started) {
            pthread_mutex_lock(&f->lock);
            f->refs = 1;
            pthread_mutex_unlock(&f->lock);
            response_gone(s);
            web_error(r, 503, "unavailable", "cannot start the export");
            return TCA_ERR;
        }
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

/* Waits (stop_lock held) until no feed is left or deadline_ms (CLOCK_REALTIME) passed. */
static void wait_feeds(struct web *w, int64_t deadline_ms)
{
    while (w->feeds) {
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
    wait_feeds(w, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + grace_ms);
    /* Past the grace time, cut what is left: a suspended connection must be resumed before
     * the daemon stops, and a cancelled producer ends at its next write. */
    size_t n = 0;
    for (struct web_feed *f = w->feeds; f; f = f->next)
        n++;
    struct MHD_Connection ***conns = xcalloc(n ? n : 1, sizeof *conns);
    n = 0;
    for (struct web_feed *f = w->feeds; f; f = f->next) {
        pthread_mutex_lock(&f->lock);
        f->cancelled = 1;
        f->cut = 1;
        pthread_cond_signal(&f->room);
        conns[n++] = take_waiting(f);
        pthread_mutex_unlock(&f->lock);
    }
    pthread_mutex_unlock(&w->stop_lock);
    for (size_t i = 0; i < n; i++)
        resume_all(conns[i]);
    free(conns);
    pthread_mutex_lock(&w->stop_lock);
    wait_feeds(w, 0);
    pthread_mutex_unlock(&w->stop_lock);
}
