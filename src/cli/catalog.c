/* catalog.c - `wlk developments import FILE.jsonl`: one development per
 * line (the API's fields, with an ext_id), each line checked and written
 * whole or not at all, a progress bar, a report of every bad line by its
 * number, and the run's record (progress after every batch, its counts
 * and first refused lines) that the staff console shows. Idempotent: a
 * line whose development is unchanged writes nothing. --if-empty loads
 * only into an empty catalogue (`make run`'s demo). */
#include "catalog/catalog.h"
#include "cli/cli_int.h"
#include "core/ids.h"

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

static void refused(const cli_t *cli, long number, err_t *e, catalog_import_t *t)
{
    catalog_import_problem(t, number, e);
    fprintf(cli->err, "line %ld: %s%s%s: %s\n", number, err_string(e->code),
            e->has_field ? " " : "", e->has_field ? e->field : "", e->message);
    err_clear(e);
}

/* A picture file named by a line, relative to the import file's folder,
 * into the catalogue: its id. */
static int picture(app_ctx_t *c, const char *dir, const char *name, const char *field, json_t **id,
                   err_t *e)
{
    char path[1200];
    if (!name || !*name || strstr(name, "..") || name[0] == '/')
        return err_set(e, ERR_VALIDATION_FAILED, field, "a file beside the import file");
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(e, ERR_VALIDATION_FAILED, field, "cannot read %s", name);
    uint8_t *buf = malloc(CATALOG_IMAGE_MAX + 1);
    if (!buf)
        abort();
    size_t n = fread(buf, 1, CATALOG_IMAGE_MAX + 1, f);
    fclose(f);
    int64_t pid;
    int rc = catalog_image_put(c, buf, n, &pid, e);
    free(buf);
    if (rc < 0) {
        snprintf(e->field, sizeof(e->field), "%s", field);
        e->has_field = true;
        return rc;
    }
    *id = ids_json(pid);
    return 0;
}

/* The pictures a line names by file (layouts[].image_file, albums entries
 * {"file": …}) stored and replaced by their ids. *out: the line again
 * (new), or NULL when it names none. */
static int resolve_files(app_ctx_t *c, const char *dir, const char *line, size_t len, char **out,
                         err_t *e)
{
    *out = NULL;
    if (!memmem(line, len, "\"image_file\"", 12) && !memmem(line, len, "\"file\"", 6))
        return 0;
    json_t *doc = json_loadb(line, len, 0, NULL), *id;
    int rc = 0;
    size_t i, j;
    json_t *l, *pic;
    char field[64];
    json_array_foreach(json_object_get(doc, "layouts"), i, l)
    {
        const json_t *f = json_object_get(l, "image_file");
        if (rc < 0 || !f)
            continue;
        snprintf(field, sizeof(field), "layouts[%zu].image_file", i);
        if ((rc = picture(c, dir, json_string_value(f), field, &id, e)) == 0) {
            json_object_set_new(l, "image", id);
            json_object_del(l, "image_file");
        }
    }
    const char *kind;
    json_t *album;
    json_object_foreach(json_object_get(doc, "albums"), kind, album)
    {
        json_array_foreach(album, j, pic)
        {
            const json_t *f = json_object_get(pic, "file");
            if (rc < 0 || !f)
                continue;
            snprintf(field, sizeof(field), "albums.%s[%zu]", kind, j);
            if ((rc = picture(c, dir, json_string_value(f), field, &id, e)) == 0)
                json_array_set_new(album, j, id);
        }
    }
    if (rc == 0 && doc)
        *out = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return rc;
}

/* Imports the batch and frees its lines. */
static void flush(app_ctx_t *c, const cli_t *cli, catalog_line_t *b, size_t *n, catalog_import_t *t)
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
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s", cli->file);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    FILE *f = fopen(cli->file, "r");
    struct stat sb;
    if (!f || fstat(fileno(f), &sb) < 0) {
        fprintf(cli->err, "wlk developments import: cannot read %s\n", cli->file);
        if (f)
            fclose(f);
        return 1;
    }
    const char *base = strrchr(cli->file, '/');
    int64_t run;
    if (catalog_import_begin(c, base ? base + 1 : cli->file, "cli", sb.st_size, &run, &e) < 0) {
        fclose(f);
        return cli_fail(cli, "developments import", &e);
    }
    catalog_import_t t = {0};
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
            char *resolved = NULL;
            if (resolve_files(c, dir, line, (size_t)n, &resolved, &e) < 0) {
                flush(c, cli, batch, &nb, &t);
                refused(cli, t.lines, &e, &t);
            } else {
                char *text = resolved ? resolved : strdup(line);
                batch[nb++] =
                    (catalog_line_t){.text = text, .len = strlen(text), .number = t.lines};
            }
        }
        if (nb == CATALOG_BATCH) {
            flush(c, cli, batch, &nb, &t);
            t.bytes_read = ftell(f);
            if (catalog_import_update(c, run, &t, "running", &e) < 0)
                err_clear(&e); /* the record lags; the import goes on */
        }
        if (ftell(f) >= next && ftell(f) < sb.st_size) {
            bar(cli, ftell(f), sb.st_size, t.lines);
            next += step;
        }
    }
    flush(c, cli, batch, &nb, &t);
    free(batch);
    free(line);
    fclose(f);
    t.bytes_read = sb.st_size;
    int rc = catalog_import_update(c, run, &t, "done", &e);
    json_decref(t.problems);
    if (rc < 0)
        return cli_fail(cli, "developments import", &e);
    bar(cli, sb.st_size, sb.st_size, t.lines);
    fprintf(cli->out, "import: %ld lines: %ld created, %ld updated, %ld unchanged, %ld refused\n",
            t.lines, t.created, t.updated, t.unchanged, t.refused);
    return t.refused ? 1 : 0;
}
