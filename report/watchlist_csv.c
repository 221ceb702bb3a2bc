/*
 * The watchlist CSV import and export. Outside input: every field is checked, sizes are
 * capped and every error names its line, as in the known-bots import (report/bots_csv.c):
 * both walk the file with report_csv_each (report/csv_record.c). Must never accept a row it cannot
 * store exactly.
 */
#include "report/watchlist_csv.h"
#include "base/csv.h"
#include "base/err.h"
#include "report/csv_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

static int check_row(const struct csv_record *l, size_t line_no, void *slot, char *err,
                     size_t errlen)
{
    struct store_watch *w = slot;
    int rc = report_csv_login(l->field[0], 1, line_no, w->login, err, errlen);
    if (!rc)
        rc = report_csv_user_id(l->n > 1 ? l->field[1] : "", line_no, &w->user_id, err, errlen);
    if (rc)
        return rc;
    if (!w->login[0] && !w->user_id)
        return tca_fail(err, errlen, TCA_EINVAL, "line %zu: a login or a user_id is needed",
                        line_no);
    const char *reason = l->n > 2 ? l->field[2] : "";
    const char *note = l->n > 3 ? l->field[3] : "";
    if (strlen(reason) >= sizeof w->reason || strlen(note) >= sizeof w->note)
        return tca_fail(err, errlen, TCA_EINVAL, "line %zu: reason (31) or note (255) too long",
                        line_no);
    if (!printable(reason) || !printable(note))
        return tca_fail(err, errlen, TCA_EINVAL, "line %zu: control characters in reason or note",
                        line_no);
    memcpy(w->reason, reason, strlen(reason) + 1); /* lengths checked above */
    memcpy(w->note, note, strlen(note) + 1);
    return 0;
}

int report_watchlist_csv_parse(const char *text, size_t len, struct store_watch **out, size_t *n,
                               char *err, size_t errlen)
{
    static const struct csv_import rules = {
        .max_bytes = REPORT_WATCHLIST_CSV_MAX,
        .max_rows = REPORT_WATCHLIST_MAX_ROWS,
        .max_fields = 4,
        .field_max = CSV_RECORD_FIELD_MAX,
        .rows_are = "accounts",
    };
    void *rows;
    int rc = report_csv_rows(text, len, &rules, sizeof **out, check_row, &rows, n, err, errlen);
    *out = rows;
    return rc;
}

int report_watchlist_csv_write(struct buf *b, const struct store_watch *w, size_t n, char *err,
                               size_t errlen)
{
    int rc = csv_field(b, "login", 0) | csv_field(b, "user_id", 0) | csv_field(b, "reason", 0) |
             csv_field(b, "note", 1);
    for (size_t i = 0; i < n && !rc; i++) {
        char id[24] = "";
        if (w[i].user_id)
            snprintf(id, sizeof id, "%lld", (long long)w[i].user_id);
        rc = csv_field(b, w[i].login, 0) | csv_field(b, id, 0) | csv_field(b, w[i].reason, 0) |
             csv_field(b, w[i].note, 1);
    }
    return rc ? tca_fail(err, errlen, TCA_ELIMIT, "the watchlist export is too large") : 0;
}
