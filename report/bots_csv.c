/*
 * The known-bots CSV import: outside input, so every field is checked, sizes are capped and
 * every error names its line. Also the known-bots list as JSON. Must never accept a row it
 * cannot store exactly, nor read past len (the text need not be NUL-terminated).
 */
#include "report/report.h"
#include "report/csv_record.h"
#include "base/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_row(const struct csv_record *l, size_t line_no, void *slot, char *err,
                     size_t errlen)
{
    struct store_known_bot *b = slot;
    int rc = report_csv_login(l->field[0], 0, line_no, b->login, err, errlen);
    if (rc)
        return rc;
    const char *kind = l->n > 1 && l->field[1][0] ? l->field[1] : "lurker";
    if (strcmp(kind, "service") != 0 && strcmp(kind, "lurker") != 0)
        return tca_fail(err, errlen, TCA_EINVAL, "line %zu: kind is service or lurker", line_no);
    strcpy(b->kind, kind);
    return report_csv_user_id(l->n > 2 ? l->field[2] : "", line_no, &b->user_id, err, errlen);
}

int report_bots_csv_parse(const char *text, size_t len, struct store_known_bot **out, size_t *n,
                          char *err, size_t errlen)
{
    static const struct csv_import rules = {
        .max_bytes = REPORT_BOTS_CSV_MAX,
        .max_rows = REPORT_BOTS_MAX_ROWS,
        .max_fields = 3,
        .field_max = 64,
        .rows_are = "bots",
    };
    void *rows;
    int rc = report_csv_rows(text, len, &rules, sizeof **out, check_row, &rows, n, err, errlen);
    *out = rows;
    return rc;
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
