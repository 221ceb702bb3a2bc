/*
 * The watchlist CSV import and export. Outside input: every field is checked, sizes are
 * capped and every error names its line, as in the known-bots import (report/bots_csv.c),
 * whose record reader this shares. Must never accept a row it cannot store exactly.
 */
#include "report/watchlist_csv.h"
#include "base/csv.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "report/csv_record.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FIELDS 4

static void trim(char *s)
{
    size_t n = strlen(s), a = 0;
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    while (s[a] && isspace((unsigned char)s[a]))
        a++;
    memmove(s, s + a, n - a + 1);
}

static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

static int check_row(struct csv_record *l, size_t line_no, struct store_watch *w, char *err,
                     size_t errlen)
{
    memset(w, 0, sizeof *w);
    for (size_t i = 0; i < l->n; i++)
        trim(l->field[i]);
    const char *login = l->field[0];
    size_t n = strlen(login);
    if (n > 25)
        return tca_fail(err, errlen, TCA_EINVAL, "line %zu: a login has 1 to 25 characters",
                        line_no);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)login[i];
        if (!(isascii(c) && (isalnum(c) || c == '_')))
            return tca_fail(err, errlen, TCA_EINVAL,
                            "line %zu: a login has only letters, digits and _", line_no);
        w->login[i] = (char)tolower(c);
    }
    if (l->n > 1 && l->field[1][0]) {
        const char *id = l->field[1];
        size_t k = strlen(id);
        if (k > 18)
            return tca_fail(err, errlen, TCA_EINVAL, "line %zu: user_id is too long", line_no);
        for (size_t i = 0; i < k; i++)
            if (!isdigit((unsigned char)id[i]))
                return tca_fail(err, errlen, TCA_EINVAL, "line %zu: user_id is a decimal number",
                                line_no);
        w->user_id = strtoll(id, NULL, 10);
        if (w->user_id <= 0)
            return tca_fail(err, errlen, TCA_EINVAL, "line %zu: user_id must be positive", line_no);
    }
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
    *out = NULL;
    *n = 0;
    if (len > REPORT_WATCHLIST_CSV_MAX)
        return tca_fail(err, errlen, TCA_ELIMIT, "the file is larger than %d bytes",
                        REPORT_WATCHLIST_CSV_MAX);
    if (memchr(text, '\0', len))
        return tca_fail(err, errlen, TCA_EINVAL, "the file holds a NUL byte: not CSV text");
    size_t pos = 0, line_no = 1, cap = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) /* a UTF-8 byte-order mark */
        pos = 3;
    struct store_watch *rows = NULL;
    int rc = 0, first = 1;
    while (pos < len && !rc) {
        size_t at = line_no;
        if (text[pos] == '#' || text[pos] == '\n' || text[pos] == '\r') {
            while (pos < len && text[pos] != '\n')
                pos++;
            pos += pos < len;
            line_no++;
            continue;
        }
        struct csv_record l;
        rc = report_csv_record(text, len, &pos, &line_no, MAX_FIELDS, CSV_RECORD_FIELD_MAX, &l, err,
                               errlen);
        if (rc)
            break;
        if (first && strcasecmp(l.field[0], "login") == 0) {
            first = 0;
            continue;
        }
        first = 0;
        if (*n == REPORT_WATCHLIST_MAX_ROWS) {
            rc = tca_fail(err, errlen, TCA_ELIMIT, "line %zu: more than %d accounts", at,
                          REPORT_WATCHLIST_MAX_ROWS);
            break;
        }
        rows = xgrow(rows, &cap, *n, sizeof *rows, 64);
        rc = check_row(&l, at, &rows[*n], err, errlen);
        if (!rc)
            (*n)++;
    }
    if (rc) {
        free(rows);
        *n = 0;
        return rc;
    }
    *out = rows;
    return 0;
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
