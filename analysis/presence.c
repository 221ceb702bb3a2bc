/* The presence diff: one merge of two sorted id lists. Must stay allocation-light: it runs
 * on every capture of every channel. */
#include "analysis/presence.h"
#include "base/xalloc.h"

#include <stdlib.h>

void an_presence_diff(const int64_t *open, size_t n_open, const struct chatter *now, size_t n_now,
                      struct an_presence_diff *out)
{
    size_t i = 0, j = 0, nj = 0, nl = 0;
    /* Worst cases are bounded by the inputs, so one allocation each is enough. */
    out->joined = xmalloc((n_now ? n_now : 1) * sizeof *out->joined);
    out->left = xmalloc((n_open ? n_open : 1) * sizeof *out->left);
    while (i < n_open && j < n_now) {
        if (open[i] == now[j].id) {
            i++;
            j++;
        } else if (open[i] < now[j].id) {
            out->left[nl++] = open[i++];
        } else {
            out->joined[nj++] = now[j++].id;
        }
    }
    while (i < n_open)
        out->left[nl++] = open[i++];
    while (j < n_now)
        out->joined[nj++] = now[j++].id;
    out->n_joined = nj;
    out->n_left = nl;
}

void an_presence_diff_free(struct an_presence_diff *d)
{
    free(d->joined);
    free(d->left);
    d->joined = d->left = NULL;
    d->n_joined = d->n_left = 0;
}
