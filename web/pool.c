/*
 * Store connections and Twitch clients for request threads: a mutex-guarded free list of
 * each, so a request borrows one for its lifetime and returns it. A connection is opened
 * only when the list is empty, so the pool grows to the number of concurrent requests
 * (the MHD threads, the heavy-request workers, the download producers and the sweeper). Never
 * shares one between two requests.
 */
#include "web/internal.h"

#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>

struct store *web_store(struct web_req *r)
{
    if (r->st)
        return r->st;
    struct web *w = r->w;
    pthread_mutex_lock(&w->pool_lock);
    if (w->n_stores > 0)
        r->st = w->stores[--w->n_stores];
    pthread_mutex_unlock(&w->pool_lock);
    if (!r->st) {
        char err[256];
        if (store_open(w->o.db_path, &r->st, err, sizeof err)) {
            r->st = NULL;
            web_error(r, 503, "unavailable", "the store is unavailable");
        }
    }
    return r->st;
}

struct twitch_client *web_twitch(struct web_req *r)
{
    if (r->tw)
        return r->tw;
    struct web *w = r->w;
    pthread_mutex_lock(&w->pool_lock);
    if (w->n_clients > 0)
        r->tw = w->clients[--w->n_clients];
    pthread_mutex_unlock(&w->pool_lock);
    if (!r->tw)
        r->tw = twitch_client_new(&w->o.twitch);
    return r->tw;
}

void web_release(struct web_req *r)
{
    struct web *w = r->w;
    if (!r->st && !r->tw)
        return;
    pthread_mutex_lock(&w->pool_lock);
    if (r->st) {
        if (w->n_stores == w->cap_stores) {
            w->cap_stores = w->cap_stores ? w->cap_stores * 2 : 8;
            w->stores = xreallocarray(w->stores, w->cap_stores, sizeof *w->stores);
        }
        w->stores[w->n_stores++] = r->st;
    }
    if (r->tw) {
        if (w->n_clients == w->cap_clients) {
            w->cap_clients = w->cap_clients ? w->cap_clients * 2 : 8;
            w->clients = xreallocarray(w->clients, w->cap_clients, sizeof *w->clients);
        }
        w->clients[w->n_clients++] = r->tw;
    }
    pthread_mutex_unlock(&w->pool_lock);
    r->st = NULL;
    r->tw = NULL;
}

void web_pool_free(struct web *w)
{
    for (size_t i = 0; i < w->n_stores; i++)
        store_close(w->stores[i]);
    for (size_t i = 0; i < w->n_clients; i++)
        twitch_client_free(w->clients[i]);
    free(w->stores);
    free(w->clients);
    w->stores = NULL;
    w->clients = NULL;
    w->n_stores = w->n_clients = 0;
}
