/*
 * The known-bots CSV import: outside input, so every field is checked, sizes are capped and
 * every error names its line. Also the known-bots list as JSON. Must never accept a row it
 * cannot store exactly, nor read past len (the text need not be NUL-terminated).
 */
#include "report/report.h"
#include "report/csv_record.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FIELDS 3
#define FIELD_MAX 64

static void trim(char *s)
{
    size_t n = strlen(s), a = 0;
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    while (s[a] && isspace((unsigned char)s[a]))
        a++;
    memmove(s, s + a, n - a + 1);
}

static int check_row(struct csv_record *l, size_t line_no, struct store_known_bot *b, char *err,
                     size_t errlen)
{
    memset(b, 0, sizeof *b);
    for (size_t i = 0; i < l->n; i++)
        trim(l->field[i]);
    const char *login = l->field[0];
    size_t n = strlen(login);
    if (n == 0 || n > 25)
        return tca_fail(err, errlen, TCA_EINVAL, "line %zu: a login has 1 to 25 characters",
                        line_no);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)login[i];
        if (!(isascii(c) && (isalnum(c) || c == '_')))
            return tca_fail(err, errlen, TCA_EINVAL,
                            "line %zu: a login has only letters, digits and _", line_no);
        b->login[i] = (char)tolower(c);
    }
    const char *kind = l->n > 1 && l->field[1][0] ? l->field[1] : "lurker";
    if (strcmp(kind, "service") != 0 && strcmp(kind, "lurker") != 0)
        return tca_fail(err, errlen, TCA_EINVAL, "line %zu: kind is service or lurker", line_no);
    strcpy(b->kind, kind);
    if (l->n > 2 && l->field[2][0]) {
        const char *id = l->field[2];
        size_t k = strlen(id);
        if (k > 18)
            return tca_fail(err, errlen, TCA_EINVAL, "line %zu: user_id is too long", line_no);
        for (size_t i = 0; i < k; i++)
            if (!isdigit((unsigned char)id[i]))
                return tca_fail(err, errlen, TCA_EINVAL, "line %zu: user_id is a decimal number",
                                line_no);
        b->user_id = strtoll(id, NULL, 10);
        if (b->user_id <= 0)
            return tca_fail(err, errlen, TCA_EINVAL, "line %zu: user_id must be positive", line_no);
    }
    return 0;
}

int report_bots_csv_parse(const char *text, size_t len, struct store_known_bot **out, size_t *n,
                          char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    if (len > REPORT_BOTS_CSV_MAX)
        return tca_fail(err, errlen, TCA_ELIMIT, "the file is larger than %d bytes",
                        REPORT_BOTS_CSV_MAX);
    if (memchr(text, '\0', len))
        return tca_fail(err, errlen, TCA_EINVAL, "the file holds a NUL byte: not CSV text");
    size_t pos = 0, line_no = 1, cap = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) /* a UTF-8 byte-order mark */
        pos = 3;
    struct store_known_bot *rows = NULL;
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
        rc = report_csv_record(text, len, &pos, &line_no, MAX_FIELDS, FIELD_MAX, &l, err, errlen);
        if (rc)
            break;
        if (first && strcasecmp(l.field[0], "login") == 0) {
            first = 0;
            continue;
        }
        first = 0;
        if (*n == REPORT_BOTS_MAX_ROWS) {
            rc = tca_fail(err, errlen, TCA_ELIMIT, "line %zu: more than %d bots", at,
                          REPORT_BOTS_MAX_ROWS);
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

int report_bots(struct store *st, int64_t user_id, json_t **out, char *err, size_t errlen)
{
    *out = NULL;
    struct store_known_bot *bots;
    size_t n;
    int rc = store_bot_list(st, user_id, &bots, &n, err, errlen);
    if (rc)
        return rc;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)bots[i].user_id);
        json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:b}", "login", bots[i].login, "kind",
                                           bots[i].kind, "id",
                                           bots[i].user_id ? json_string(id) : json_null(),
                                           "builtin", bots[i].builtin));
    }
    free(bots);
    *out = a;
    return 0;
}
