/*
 * The profile feed (profile_feed.h): a producer (the caller's thread) fills chunks of ids, a
 * reader thread pulls them through store_profiles_pull on its own connection. Must never hold
 * more than its SLOTS chunks, and never let the reader see a chunk before it is handed over.
 */
#include "report/profile_feed.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* 4 x 4,096 ids (128 KB): a chunk is a few milliseconds of either read, enough that the
 * threads rarely wait on the lock, and small beside what the reads themselves keep. */
enum { CHUNK = 4096, SLOTS = 4 };

struct rp_profile_feed {
    struct store *aside;
    unsigned fields;
    store_profile_fn fn;
    void *ctx;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int64_t ids[SLOTS][CHUNK];
    size_t len[SLOTS];
    size_t head;   /* chunks handed over (the producer fills ids[head % SLOTS]) */
    size_t tail;   /* chunks the reader took (it reads ids[(tail - 1) % SLOTS]) */
    size_t filled; /* ids in the chunk being filled */
    int done;      /* no more chunks will come */
    int failed;    /* the reader stopped: pushes are dropped */
    int64_t last;
    int any;
    int rc;
    char err[256];
};

/* The reader's next chunk: the one it read is given back first. */
static const int64_t *next_chunk(void *arg, size_t *n)
{
    struct rp_profile_feed *f = arg;
    pthread_mutex_lock(&f->lock);
    if (f->tail && f->tail <= f->head)
        pthread_cond_signal(&f->changed); /* a slot is free again */
    while (f->tail == f->head && !f->done)
        pthread_cond_wait(&f->changed, &f->lock);
    const int64_t *ids = NULL;
    *n = 0;
    if (f->tail < f->head) {
        ids = f->ids[f->tail % SLOTS];
        *n = f->len[f->tail % SLOTS];
        f->tail++;
    }
    pthread_mutex_unlock(&f->lock);
    return ids;
}

static void *reader(void *arg)
{
    struct rp_profile_feed *f = arg;
    pthread_setname_np(pthread_self(), "tca-profiles"); /* as top and perf show it */
    store_scan_hint(f->aside, 1);
    int rc = store_profiles_pull(f->aside, next_chunk, f, f->fields, f->fn, f->ctx, f->err,
                                 sizeof f->err);
    store_scan_hint(f->aside, 0);
    pthread_mutex_lock(&f->lock);
    f->rc = rc;
    f->failed = rc != 0;
    f->tail = f->head; /* what is left is dropped */
    pthread_cond_signal(&f->changed);
    pthread_mutex_unlock(&f->lock);
    return NULL;
}

struct rp_profile_feed *rp_profile_feed_start(struct store *aside, unsigned fields,
                                              store_profile_fn fn, void *ctx)
{
    struct rp_profile_feed *f = xcalloc(1, sizeof *f);
    *f = (struct rp_profile_feed){.aside = aside, .fields = fields, .fn = fn, .ctx = ctx};
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->changed, NULL);
    if (pthread_create(&f->thread, NULL, reader, f) != 0) {
        pthread_cond_destroy(&f->changed);
        pthread_mutex_destroy(&f->lock);
        free(f);
        return NULL;
    }
    return f;
}

/* Hands the chunk being filled over; waits for a free slot for the next one. */
static void hand_over(struct rp_profile_feed *f, int last)
{
    pthread_mutex_lock(&f->lock);
    if (!f->failed && f->filled) {
        f->len[f->head % SLOTS] = f->filled;
        f->head++;
    }
    f->filled = 0;
    f->done = last;
    pthread_cond_signal(&f->changed);
    /* the reader holds the chunk it reads (tail - 1) until it asks for the next */
    while (!last && !f->failed && f->head - f->tail + (f->tail > 0) >= SLOTS)
        pthread_cond_wait(&f->changed, &f->lock);
    pthread_mutex_unlock(&f->lock);
}

void rp_profile_feed_push(struct rp_profile_feed *f, int64_t id)
{
    if (f->any && id == f->last)
        return;
    f->any = 1;
    f->last = id;
    f->ids[f->head % SLOTS][f->filled++] = id;
    if (f->filled == CHUNK)
        hand_over(f, 0);
}

int rp_profile_feed_end(struct rp_profile_feed *f, char *err, size_t errlen)
{
    hand_over(f, 1);
    pthread_join(f->thread, NULL);
    int rc = f->rc ? tca_fail(err, errlen, f->rc, "%s", f->err) : 0;
    pthread_cond_destroy(&f->changed);
    pthread_mutex_destroy(&f->lock);
    free(f);
    return rc;
}
