/*
 * Reading a CSV import (RFC 4180: quoted fields may hold commas, doubled quotes and line
 * breaks), shared by the known-bots and watchlist imports so both follow the same rules: the
 * record reader, the walk over the file with its caps, and the login and id checks. Must never
 * read past len (the text need not be NUL-terminated) nor truncate a field silently.
 */
#include "report/csv_record.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int report_csv_record(const char *t, size_t len, size_t *pos, size_t *line_no, size_t max_fields,
                      size_t field_max, struct csv_record *out, char *err, size_t errlen)
{
    size_t i = *pos, start_line = *line_no;
    memset(out, 0, sizeof *out);
    for (;;) {
        if (out->n == max_fields)
            return tca_fail(err, errlen, TCA_EINVAL, "line %zu: more than %zu fields", start_line,
                            max_fields);
        char *f = out->field[out->n++];
        size_t fl = 0;
        int quoted = i < len && t[i] == '"';
        if (quoted) {
            i++;
            for (;;) {
                if (i >= len)
                    return tca_fail(err, errlen, TCA_EINVAL, "line %zu: unterminated quote",
                                    start_line);
                if (t[i] == '"') {
                    if (i + 1 < len && t[i + 1] == '"') {
                        i++;
                    } else {
                        i++;
                        break;
                    }
                } else if (t[i] == '\n') {
                    (*line_no)++;
                }
                if (fl + 1 >= field_max)
                    return tca_fail(err, errlen, TCA_EINVAL, "line %zu: field too long",
                                    start_line);
                f[fl++] = t[i++];
            }
        } else {
            while (i < len && t[i] != ',' && t[i] != '\n' && t[i] != '\r') {
                if (t[i] == '"')
                    return tca_fail(err, errlen, TCA_EINVAL,
                                    "line %zu: quote inside an unquoted field", start_line);
                if (fl + 1 >= field_max)
                    return tca_fail(err, errlen, TCA_EINVAL, "line %zu: field too long",
                                    start_line);
                f[fl++] = t[i++];
            }
        }
        f[fl] = '\0';
        if (i < len && t[i] == ',') {
            i++;
            continue;
        }
        if (i < len && t[i] == '\r')
            i++;
        if (i < len && t[i] == '\n') {
            i++;
            (*line_no)++;
        } else if (i < len) {
            return tca_fail(err, errlen, TCA_EINVAL, "line %zu: unexpected text after a quote",
                            start_line);
        }
        *pos = i;
        return 0;
    }
}

static void trim(char *s)
{
    size_t n = strlen(s), a = 0;
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    while (s[a] && isspace((unsigned char)s[a]))
        a++;
    memmove(s, s + a, n - a + 1);
}

/* A blank line or a # comment: skipped whole, quotes and all. */
static int skippable(const char *text, size_t len, size_t *pos, size_t *line_no)
{
    if (text[*pos] != '#' && text[*pos] != '\n' && text[*pos] != '\r')
        return 0;
    while (*pos < len && text[*pos] != '\n')
        (*pos)++;
    *pos += *pos < len;
    (*line_no)++;
    return 1;
}

int report_csv_each(const char *text, size_t len, const struct csv_import *rules,
                    report_csv_row_fn row_fn, void *ctx, char *err, size_t errlen)
{
    if (len > rules->max_bytes)
        return tca_fail(err, errlen, TCA_ELIMIT, "the file is larger than %zu bytes",
                        rules->max_bytes);
    if (memchr(text, '\0', len))
        return tca_fail(err, errlen, TCA_EINVAL, "the file holds a NUL byte: not CSV text");
    size_t pos = 0, line_no = 1, rows = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) /* a UTF-8 byte-order mark */
        pos = 3;
    int first = 1;
    while (pos < len) {
        size_t at = line_no;
        if (skippable(text, len, &pos, &line_no))
            continue;
        struct csv_record row;
        int rc = report_csv_record(text, len, &pos, &line_no, rules->max_fields, rules->field_max,
                                   &row, err, errlen);
        if (rc)
            return rc;
        /* the header is recognised before trimming, as it always was */
        if (first && strcasecmp(row.field[0], "login") == 0) {
            first = 0;
            continue;
        }
        first = 0;
        if (rows == rules->max_rows)
            return tca_fail(err, errlen, TCA_ELIMIT, "line %zu: more than %zu %s", at,
                            rules->max_rows, rules->rows_are);
        for (size_t i = 0; i < row.n; i++)
            trim(row.field[i]);
        rc = row_fn(&row, at, ctx, err, errlen);
        if (rc)
            return rc;
        rows++;
    }
    return 0;
}

struct collect {
    report_csv_check_fn check;
    size_t elem, n, cap;
    unsigned char *rows;
};

static int collect_row(struct csv_record *row, size_t line_no, void *ctx, char *err, size_t errlen)
{
    struct collect *c = ctx;
    c->rows = xgrow(c->rows, &c->cap, c->n, c->elem, 64);
    unsigned char *slot = c->rows + c->n * c->elem;
    memset(slot, 0, c->elem);
    int rc = c->check(row, line_no, slot, err, errlen);
    if (!rc)
        c->n++;
    return rc;
}

int report_csv_rows(const char *text, size_t len, const struct csv_import *rules, size_t elem,
                    report_csv_check_fn check, void **rows, size_t *n, char *err, size_t errlen)
{
    struct collect c = {.check = check, .elem = elem};
    *rows = NULL;
    *n = 0;
    int rc = report_csv_each(text, len, rules, collect_row, &c, err, errlen);
    if (rc) {
        free(c.rows);
        return rc;
    }
    *rows = c.rows;
    *n = c.n;
    return 0;
}

int report_csv_login(const char *field, int optional, size_t line_no, char *out, char *err,
                     size_t errlen)
{
    size_t n = strlen(field);
    if ((n == 0 && !optional) || n > 25)
        return tca_fail(err, errlen, TCA_EINVAL, "line %zu: a login has 1 to 25 characters",
                        line_no);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)field[i];
        if (!(isascii(c) && (isalnum(c) || c == '_')))
            return tca_fail(err, errlen, TCA_EINVAL,
                            "line %zu: a login has only letters, digits and _", line_no);
        out[i] = (char)tolower(c);
    }
    out[n] = '\0';
    return 0;
}

int report_csv_user_id(const char *field, size_t line_no, int64_t *id, char *err, size_t errlen)
{
    *id = 0;
    size_t k = strlen(field);
    if (k == 0)
        return 0;
    if (k > 18)
        return tca_fail(err, errlen, TCA_EINVAL, "line %zu: user_id is too long", line_no);
    for (size_t i = 0; i < k; i++)
        if (!isdigit((unsigned char)field[i]))
            return tca_fail(err, errlen, TCA_EINVAL, "line %zu: user_id is a decimal number",
                            line_no);
    *id = strtoll(field, NULL, 10);
    if (*id <= 0)
        return tca_fail(err, errlen, TCA_EINVAL, "line %zu: user_id must be positive", line_no);
    return 0;
}
