/* catalog.c - `wlk developments import FILE.jsonl`: one development per
 * line (the API's fields, with an ext_id), each line checked and written
 * whole or not at all, a progress bar, a report of every bad line by its
 * number. Idempotent: a line whose development is unchanged writes
 * nothing. --if-empty loads only into an empty catalogue (`make run`'s
 * demo). */
#include "catalog/catalog.h"
#include "cli/cli_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BAR 30

static void bar(const cli_t *cli, long done, long total, long lines)
{
    int pct = total > 0 ? (int)(100 * done / total) : 100, full = pct * BAR / 100;
    char b[BAR + 1];
    memset(b, '#', (size_t)full);
    memset(b + full, '-', (size_t)(BAR - full));
    b[BAR] = '\0';
    fprintf(cli->out, "import: [%s] %3d%%  %ld lines\n", b, pct, lines);
    fflush(cli->out);
}

static bool blank(const char *s)
{
    return s[strspn(s, " \t\r\n")] == '\0';
}

typedef struct tally {
    long lines, created, updated, unchanged, bad;
} tally_t;

static void refused(const cli_t *cli, long number, err_t *e, tally_t *t)
{
    t->bad++;
    fprintf(cli->err, "line %ld: %s%s%s: %s\n", number, err_string(e->code),
            e->has_field ? " " : "", e->has_field ? e->field : "", e->message);
    err_clear(e);
}

/* Imports the batch and frees its lines. */
static void flush(app_ctx_t *c, const cli_t *cli, catalog_line_t *b, size_t *n, tally_t *t)
{
    catalog_import_batch(c, "cli", b, *n);
    for (size_t i = 0; i < *n; i++) {
        if (b[i].err.code)
            refused(cli, b[i].number, &b[i].err, t);
        else
            (*(long *[]){&t->created, &t->updated, &t->unchanged}[b[i].outcome])++;
        free((char *)b[i].text);
    }
    *n = 0;
}

int cli_developments_import(app_ctx_t *c, const cli_t *cli)
{
    int64_t have = 0;
    err_t e = {0};
    if (cli_has(cli, "if-empty")) {
        if (catalog_count(c, &have, &e) < 0)
            return cli_fail(cli, "developments import", &e);
        if (have > 0) {
            fprintf(cli->out, "import: the catalogue has %lld developments; nothing imported\n",
                    (long long)have);
            return 0;
        }
    }
    FILE *f = fopen(cli->file, "r");
    struct stat sb;
    if (!f || fstat(fileno(f), &sb) < 0) {
        fprintf(cli->err, "wlk developments import: cannot read %s\n", cli->file);
        if (f)
            fclose(f);
        return 1;
    }
    tally_t t = {0};
    char *line = NULL;
    size_t cap = 0, nb = 0;
    ssize_t n;
    long step = sb.st_size / 10 + 1, next = step;
    catalog_line_t *batch = calloc(CATALOG_BATCH, sizeof(*batch));
    while ((n = getline(&line, &cap, f)) >= 0) {
        t.lines++;
        if (n > CATALOG_LINE_MAX) {
            flush(c, cli, batch, &nb, &t); /* reports stay in line order */
            err_set(&e, ERR_PAYLOAD_TOO_LARGE, NULL, "a line over %d bytes", CATALOG_LINE_MAX);
            refused(cli, t.lines, &e, &t);
        } else if (!blank(line)) {
            batch[nb++] =
                (catalog_line_t){.text = strdup(line), .len = (size_t)n, .number = t.lines};
        }
        if (nb == CATALOG_BATCH)
            flush(c, cli, batch, &nb, &t);
        if (ftell(f) >= next && ftell(f) < sb.st_size) {
            bar(cli, ftell(f), sb.st_size, t.lines);
            next += step;
        }
    }
    flush(c, cli, batch, &nb, &t);
    free(batch);
    free(line);
    fclose(f);
    bar(cli, sb.st_size, sb.st_size, t.lines);
    fprintf(cli->out, "import: %ld lines: %ld created, %ld updated, %ld unchanged, %ld refused\n",
            t.lines, t.created, t.updated, t.unchanged, t.bad);
    return t.bad ? 1 : 0;
}
