/*
 * Server-Sent Events of a session: GET /api/v1/sessions/{session}/events answers
 * text/event-stream and sends "event: capture" as soon as a capture lands in the session, so
 * the dashboard updates without waiting for its next poll (polling stays as its fallback).
 *
 * One watcher thread looks at the capture count of each watched session every
 * EVENTS_TICK_MS (one cheap store read per session, whichever process wrote the capture) and
 * queues an event into the streams that need one. A stream with nothing to send is suspended
 * from its content reader (libmicrohttpd's way: returning 0 without suspending would spin)
 * and resumed by the watcher. MHD functions are never called while events->lock is held.
 * Streams are capped (EVENTS_MAX); a client past the cap gets 503 and keeps polling. Must
 * never block an MHD thread, and never send anything but the capture count.
 */
#include "web/internal.h"

#include "base/clock.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EVENTS_TICK_MS 200
#define EVENTS_BEAT_MS 15000 /* a comment line keeps proxies and the connection timeout quiet */
#define EVENTS_MAX 64
#define EVENTS_OUT 512

enum stream_state { RUNNING, SUSPENDING, SUSPENDED };

struct stream {
    struct stream *next;
    struct web_events *ev;
    struct MHD_Connection *conn;
    int64_t session_id;
    int64_t captures; /* the count last announced */
    int64_t next_beat_ms;
    enum stream_state state;
    int resume_asked; /* the watcher had data while the reader was suspending */
    char out[EVENTS_OUT];
    size_t out_len, out_off;
};

struct web_events {
    struct web *w;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct stream *streams;
    size_t n;
    int stopping;
    pthread_t thread;
    int started;
};

/* Appends text to the stream's pending bytes; drops it when full (the next event or the
 * client's poll catches up: an event only says "look again"). */
static void queue(struct stream *s, const char *text)
{
    size_t len = strlen(text);
    if (s->out_off == s->out_len)
        s->out_off = s->out_len = 0;
    if (s->out_len + len <= sizeof s->out) {
        memcpy(s->out + s->out_len, text, len);
        s->out_len += len;
    }
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *s = cls;
    struct web_events *ev = s->ev;
    (void)pos;
    pthread_mutex_lock(&ev->lock);
    if (s->out_len > s->out_off) {
        size_t n = s->out_len - s->out_off;
        if (n > max)
            n = max;
        memcpy(buf, s->out + s->out_off, n);
        s->out_off += n;
        pthread_mutex_unlock(&ev->lock);
        return (ssize_t)n;
    }
    if (ev->stopping) {
        pthread_mutex_unlock(&ev->lock);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    s->state = SUSPENDING;
    pthread_mutex_unlock(&ev->lock);
    MHD_suspend_connection(s->conn);
    pthread_mutex_lock(&ev->lock);
    int resume = s->resume_asked;
    s->resume_asked = 0;
    s->state = resume ? RUNNING : SUSPENDED;
    pthread_mutex_unlock(&ev->lock);
    if (resume)
        MHD_resume_connection(s->conn);
    return 0;
}

/* Called by MHD when the connection ends: a suspended connection never ends, so nobody can
 * be resuming this stream now. */
static void stream_free(void *cls)
{
    struct stream *s = cls;
    struct web_events *ev = s->ev;
    pthread_mutex_lock(&ev->lock);
    for (struct stream **p = &ev->streams; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            ev->n--;
            break;
        }
    pthread_mutex_unlock(&ev->lock);
    free(s);
}

/* Marks s to be resumed; returns 1 when the caller must call MHD_resume_connection. */
static int wake_stream(struct stream *s)
{
    if (s->state == SUSPENDED) {
        s->state = RUNNING;
        return 1;
    }
    if (s->state == SUSPENDING)
        s->resume_asked = 1;
    return 0;
}

/* One look at every watched session: new captures become events, quiet streams get a
 * heartbeat, and the streams with something to send are resumed. */
static void tick(struct web_events *ev)
{
    struct web_req shadow = {.w = ev->w, .route = -1};
    pthread_mutex_lock(&ev->lock);
    size_t n = ev->n;
    int64_t *ids = xmalloc((n ? n : 1) * sizeof *ids);
    int64_t *counts = xmalloc((n ? n : 1) * sizeof *counts);
    size_t k = 0;
    for (struct stream *s = ev->streams; s && k < n; s = s->next)
        ids[k++] = s->session_id;
    pthread_mutex_unlock(&ev->lock);
    for (size_t i = 0; i < k; i++) {
        struct store_session ss;
        char err[128];
        counts[i] = -1;
        if (web_store(&shadow) && store_session_get(shadow.st, ids[i], &ss, err, sizeof err) == 0)
            counts[i] = ss.captures;
    }
    web_release(&shadow);
    free(shadow.resp); /* a 503 from an exhausted store goes nowhere */

    struct MHD_Connection **resume = xmalloc((n ? n : 1) * sizeof *resume);
    size_t n_resume = 0;
    int64_t now = clock_mono_ms();
    pthread_mutex_lock(&ev->lock);
    for (struct stream *s = ev->streams; s; s = s->next) {
        int64_t count = -1;
        for (size_t i = 0; i < k; i++)
            if (ids[i] == s->session_id)
                count = counts[i];
        if (count >= 0 && count != s->captures) {
            char line[96];
            snprintf(line, sizeof line, "event: capture\ndata: {\"captures\":%lld}\n\n",
                     (long long)count);
            queue(s, line);
            s->captures = count;
            /* the client asks for the summary next: it must not get the cached one */
            web_summary_forget(ev->w, s->session_id);
        }
        if (now >= s->next_beat_ms) {
            queue(s, ": keep-alive\n\n");
            s->next_beat_ms = now + EVENTS_BEAT_MS;
        }
        if (s->out_len > s->out_off && n_resume < n && wake_stream(s))
            resume[n_resume++] = s->conn;
    }
    pthread_mutex_unlock(&ev->lock);
    for (size_t i = 0; i < n_resume; i++)
        MHD_resume_connection(resume[i]);
    free(resume);
    free(ids);
    free(counts);
}

static void *watch(void *arg)
{
    struct web_events *ev = arg;
    pthread_mutex_lock(&ev->lock);
    while (!ev->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += EVENTS_TICK_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&ev->wake, &ev->lock, &until);
        if (ev->stopping)
            break;
        pthread_mutex_unlock(&ev->lock);
        tick(ev);
        pthread_mutex_lock(&ev->lock);
    }
    pthread_mutex_unlock(&ev->lock);
    return NULL;
}

struct web_events *web_events_new(struct web *w)
{
    struct web_events *ev = xcalloc(1, sizeof *ev);
    ev->w = w;
    pthread_mutex_init(&ev->lock, NULL);
    pthread_cond_init(&ev->wake, NULL);
    ev->started = pthread_create(&ev->thread, NULL, watch, ev) == 0;
    return ev;
}

void web_events_stop(struct web_events *ev)
{
    if (!ev)
        return;
    pthread_mutex_lock(&ev->lock);
    ev->stopping = 1;
    pthread_cond_signal(&ev->wake);
    pthread_mutex_unlock(&ev->lock);
    if (ev->started)
        pthread_join(ev->thread, NULL);
    ev->started = 0;
    /* every stream ends: resumed, its reader sees stopping and ends the body */
    pthread_mutex_lock(&ev->lock);
    size_t n = 0;
    struct MHD_Connection **resume = xmalloc((ev->n ? ev->n : 1) * sizeof *resume);
    for (struct stream *s = ev->streams; s; s = s->next)
        if (wake_stream(s))
            resume[n++] = s->conn;
    pthread_mutex_unlock(&ev->lock);
    for (size_t i = 0; i < n; i++)
        MHD_resume_connection(resume[i]);
    free(resume);
}

void web_events_free(struct web_events *ev)
{
    if (!ev)
        return;
    web_events_stop(ev);
    pthread_cond_destroy(&ev->wake);
    pthread_mutex_destroy(&ev->lock);
    free(ev);
}

void web_api_session_events(struct web_req *r)
{
    struct store_session s;
    struct web_events *ev = r->w->events;
    if (web_own_session(r, 0, &s) < 0)
        return;
    struct stream *st = xcalloc(1, sizeof *st);
    st->ev = ev;
    st->conn = r->conn;
    st->session_id = s.id;
    st->captures = s.captures;
    st->next_beat_ms = clock_mono_ms() + EVENTS_BEAT_MS;
    char hello[96];
    /* retry: how long a browser waits before reconnecting after a drop */
    snprintf(hello, sizeof hello, "retry: 3000\nevent: hello\ndata: {\"captures\":%lld}\n\n",
             (long long)s.captures);
    queue(st, hello);
    pthread_mutex_lock(&ev->lock);
    int full = ev->n >= EVENTS_MAX || ev->stopping;
    if (!full) {
        st->next = ev->streams;
        ev->streams = st;
        ev->n++;
    }
    pthread_mutex_unlock(&ev->lock);
    if (full) {
        free(st);
        r->retry_after = 30;
        web_error(r, 503, "unavailable", "too many event streams: poll instead");
        return;
    }
    r->event_resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, reader, st, stream_free);
    if (!r->event_resp) { /* no response: nothing will free the stream, so unlink it here */
        stream_free(st);
        web_error(r, 500, "internal", "could not start the event stream");
        return;
    }
    r->status = 200;
    r->ctype = "text/event-stream";
    r->cache_control = "no-cache";
}
