/*
 * The export row pipe (row_pipe.h): the scan thread fills chunks of rows, the caller's thread
 * writes them. Must never hold more than SLOTS chunks, never let the writer see a chunk
 * before it is handed over, and never leave the scan thread waiting once the writer stopped.
 */
#include "report/row_pipe.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <pthread.h>
#include <stdlib.h>

/* 4 x 512 rows of 208 bytes (416 KB): a chunk is about half a millisecond of either side. */
enum { CHUNK = 512, SLOTS = 4 };

struct pipe {
    struct store *st;
    int64_t session_id;
    int64_t *total;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct store_export_row rows[SLOTS][CHUNK];
    size_t len[SLOTS];
    size_t head, tail; /* chunks handed over; chunks the writer is done with */
    size_t filled;     /* rows in the chunk being filled */
    int done;          /* the scan ended */
    int stop;          /* the writer stopped: the scan ends at its next row */
    int rc;
    char err[256];
};

/* Hands the chunk being filled over; waits for a free slot (or the writer's stop). */
static int hand_over(struct pipe *p)
{
    pthread_mutex_lock(&p->lock);
    p->len[p->head % SLOTS] = p->filled;
    p->head++;
    p->filled = 0;
    pthread_cond_signal(&p->changed);
    while (!p->stop && p->head - p->tail >= SLOTS)
        pthread_cond_wait(&p->changed, &p->lock);
    int stop = p->stop;
    pthread_mutex_unlock(&p->lock);
    return stop ? TCA_EINVAL : 0; /* any non-zero: the writer's own code is what returns */
}

static int queue_row(void *ctx, const struct store_export_row *row)
{
    struct pipe *p = ctx;
    p->rows[p->head % SLOTS][p->filled++] = *row;
    return p->filled == CHUNK ? hand_over(p) : 0;
}

static void *scan(void *arg)
{
    struct pipe *p = arg;
    pthread_setname_np(pthread_self(), "tca-rows"); /* as top and perf show it */
    int rc =
        store_export_session(p->st, p->session_id, p->total, queue_row, p, p->err, sizeof p->err);
    pthread_mutex_lock(&p->lock);
    if (p->filled) {
        p->len[p->head % SLOTS] = p->filled;
        p->head++;
    }
    p->rc = rc;
    p->done = 1;
    pthread_cond_signal(&p->changed);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* The next chunk to write (the previous one given back), or NULL when the scan ended. */
static const struct store_export_row *next_chunk(struct pipe *p, size_t *n, int taken)
{
    pthread_mutex_lock(&p->lock);
    if (taken) {
        p->tail++;
        pthread_cond_signal(&p->changed);
    }
    while (p->tail == p->head && !p->done)
        pthread_cond_wait(&p->changed, &p->lock);
    const struct store_export_row *rows = NULL;
    if (p->tail < p->head) {
        rows = p->rows[p->tail % SLOTS];
        *n = p->len[p->tail % SLOTS];
    }
    pthread_mutex_unlock(&p->lock);
    return rows;
}

int rp_export_rows_beside(struct store *st, int64_t session_id, int64_t *total, store_export_fn fn,
                          void *ctx, char *err, size_t errlen)
{
    struct pipe *p = xcalloc(1, sizeof *p);
    p->st = st;
    p->session_id = session_id;
    p->total = total;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    pthread_t thread;
    int rc = 0;
    if (pthread_create(&thread, NULL, scan, p) != 0) {
        rc = store_export_session(st, session_id, total, fn, ctx, err, errlen);
        goto out;
    }
    size_t n = 0;
    const struct store_export_row *rows;
    int taken = 0;
    while (!rc && (rows = next_chunk(p, &n, taken)) != NULL) {
        for (size_t i = 0; i < n && !rc; i++)
            rc = fn(ctx, &rows[i]);
        taken = 1;
    }
    if (rc) { /* the writer stopped: free the scan thread, whatever it waits on */
        pthread_mutex_lock(&p->lock);
        p->stop = 1;
        pthread_cond_signal(&p->changed);
        pthread_mutex_unlock(&p->lock);
    }
    pthread_join(thread, NULL);
    if (!rc && p->rc)
        rc = tca_fail(err, errlen, p->rc, "%s", p->err);
out:
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->lock);
    free(p);
    return rc;
}
