/* webembed.c - build tool: turns the web client (web/ and the vendored
 * view library in build/vendor/web) into generated C for the binary.
 * Every file but the HTML pages gets a content-hashed name under /assets/;
 * import specifiers and the HTML's src/href are rewritten to those names
 * (a module's hash covers the hashed names of what it imports, so a change
 * anywhere renames every module that depends on it); each page gets
 * <link rel="modulepreload"> for the modules it loads; gzip and brotli
 * variants are made here, once. An unresolvable import or asset reference
 * and an import cycle fail the build.
 * Usage: webembed WEB_DIR VENDOR_DIR OUT.c */
#include <brotli/encode.h>
#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

enum { K_OTHER, K_JS, K_CSS, K_HTML };

typedef struct buf {
    char *p;
    size_t len, cap;
} buf_t;

typedef struct file {
    char *web;  /* path as the client names it: "/app/main.js", "/vendor/preact.js" */
    char *disk; /* where it is read from */
    int kind;
    buf_t data;        /* after rewriting */
    char *url;         /* what is served: "/assets/app/main.<hash>.js", or the page's path */
    char etag[17];     /* 16 hex digits of the SHA-256 of data */
    size_t glen, blen; /* the compressed variants kept (0: none) */
    int state;         /* 0 new, 1 in progress (cycle check), 2 done */
    int *deps;         /* static imports (indices), for modulepreload */
    int ndeps;
} file_t;

static file_t *files;
static int nfiles, capfiles;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "webembed: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (p == NULL)
        die("out of memory");
    return p;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (d == NULL)
        die("out of memory");
    return d;
}

static void put(buf_t *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(buf_t *b, const char *s)
{
    put(b, s, strlen(s));
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int kind_of(const char *path)
{
    if (ends_with(path, ".js"))
        return K_JS;
    if (ends_with(path, ".css"))
        return K_CSS;
    if (ends_with(path, ".html"))
        return K_HTML;
    return K_OTHER;
}

static const char *content_type(const char *path)
{
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".txt", "text/plain; charset=utf-8"},
        {".json", "application/json"},
        {".webmanifest", "application/manifest+json"},
    };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (ends_with(path, types[i][0]))
            return types[i][1];
    die("%s: no content type for this extension", path);
    return NULL;
}

static buf_t read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    buf_t b = {0};
    char chunk[65536];
    size_t n;
    if (f == NULL)
        die("%s: %s", path, strerror(errno));
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        put(&b, chunk, n);
    fclose(f);
    if (b.p == NULL)
        put(&b, "", 0);
    return b;
}

static void add_file(const char *web, const char *disk)
{
    if (nfiles == capfiles) {
        capfiles = capfiles ? capfiles * 2 : 64;
        files = xrealloc(files, sizeof(*files) * (size_t)capfiles);
    }
    file_t *f = &files[nfiles++];
    memset(f, 0, sizeof(*f));
    f->web = xstrdup(web);
    f->disk = xstrdup(disk);
    f->kind = kind_of(web);
    content_type(web); /* fails early on an unknown extension */
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds every file under dir (no dot files), named prefix + relative path. */
static void walk(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        die("%s: %s", dir, strerror(errno));
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        if (de->d_name[0] == '.')
            continue;
        names = xrealloc(names, sizeof(*names) * (n + 1));
        names[n++] = xstrdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_names); /* the same output for the same tree */
    for (size_t i = 0; i < n; i++) {
        char disk[4096], web[4096];
        struct stat st;
        snprintf(disk, sizeof(disk), "%s/%s", dir, names[i]);
        snprintf(web, sizeof(web), "%s/%s", prefix, names[i]);
        if (stat(disk, &st) != 0)
            die("%s: %s", disk, strerror(errno));
        if (S_ISDIR(st.st_mode))
            walk(disk, web);
        else if (S_ISREG(st.st_mode))
            add_file(web, disk);
        free(names[i]);
    }
    free(names);
}

static int find(const char *web)
{
    for (int i = 0; i < nfiles; i++)
        if (strcmp(files[i].web, web) == 0)
            return i;
    return -1;
}

/* Joins base's directory and a relative path, resolving "." and "..". */
static void join(const char *base, const char *rel, char *out, size_t cap)
{
    char tmp[4096];
    const char *slash = strrchr(base, '/');
    snprintf(tmp, sizeof(tmp), "%.*s/%s", (int)(slash - base), base, rel);
    char *segs[256];
    int n = 0;
    for (char *s = strtok(tmp, "/"); s; s = strtok(NULL, "/")) {
        if (strcmp(s, ".") == 0)
            continue;
        if (strcmp(s, "..") == 0) {
            if (n == 0)
                die("%s: '%s' leaves the web root", base, rel);
            n--;
            continue;
        }
        if (n == 256)
            die("%s: path too deep", base);
        segs[n++] = s;
    }
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, cap - len, "/%s", segs[i]);
}

/* The file an import specifier names: relative ("./x.js"), rooted
 * ("/lib/x.js") or bare ("preact/hooks": the vendored package). */
static int resolve(const file_t *from, const char *spec)
{
    char path[4096];
    if (strncmp(spec, "./", 2) == 0 || strncmp(spec, "../", 3) == 0)
        join(from->web, spec, path, sizeof(path));
    else if (spec[0] == '/')
        snprintf(path, sizeof(path), "%s", spec);
    else
        snprintf(path, sizeof(path), "/vendor/%s.js", spec);
    int i = find(path);
    if (i < 0)
        die("%s: cannot resolve import '%s' (looked for %s)", from->web, spec, path);
    return i;
}

static void finish(int i);

static bool ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$';
}

/* Whether the character before a keyword can start an import clause:
 * "from" follows a space, "}" or "*" (`import {a} from`, minified
 * `}from"x"`, `export*from"x"`); "import" anything but a name, a quote or
 * a dot. So name="from" in a template is not taken for an import. */
static bool clause_boundary(const char *s, size_t p, const char *kw)
{
    if (p == 0)
        return true;
    char c = s[p - 1];
    if (kw[0] == 'f')
        return c == ' ' || c == '\t' || c == '\n' || c == '}' || c == '*';
    return !ident_char(c) && c != '"' && c != '\'' && c != '`' && c != '.';
}

/* After keyword kw at p (at a clause boundary): spaces, then an optional
 * "(" when paren_ok, then a quote. Returns the quote's offset or 0. */
static size_t spec_start(const char *s, size_t len, size_t p, const char *kw, bool paren_ok)
{
    size_t k = strlen(kw);
    if (p + k >= len || memcmp(s + p, kw, k) != 0 || !clause_boundary(s, p, kw) ||
        ident_char(s[p + k]))
        return 0;
    size_t q = p + k;
    while (q < len && (s[q] == ' ' || s[q] == '\t' || s[q] == '\n'))
        q++;
    if (paren_ok && q < len && s[q] == '(') {
        q++;
        while (q < len && s[q] == ' ')
            q++;
    }
    return q < len && (s[q] == '"' || s[q] == '\'') ? q : 0;
}

/* Rewrites the import specifiers of a module to hashed names. */
static void rewrite_js(file_t *f, const buf_t *src)
{
    const char *s = src->p;
    size_t len = src->len, copied = 0;
    buf_t out = {0};
    for (size_t p = 0; p < len; p++) {
        size_t q = spec_start(s, len, p, "from", false);
        bool dynamic = false;
        if (q == 0) {
            q = spec_start(s, len, p, "import", true);
            dynamic = q != 0 && memchr(s + p, '(', q - p) != NULL;
        }
        if (q == 0)
            continue;
        const char *end = memchr(s + q + 1, s[q], len - q - 1);
        if (end == NULL)
            die("%s: unterminated import specifier", f->web);
        char spec[1024];
        size_t sl = (size_t)(end - (s + q + 1));
        if (sl == 0 || sl >= sizeof(spec))
            die("%s: bad import specifier", f->web);
        memcpy(spec, s + q + 1, sl);
        spec[sl] = '\0';
        int j = resolve(f, spec);
        finish(j);
        if (!dynamic) {
            f->deps = xrealloc(f->deps, sizeof(int) * (size_t)(f->ndeps + 1));
            f->deps[f->ndeps++] = j;
        }
        put(&out, s + copied, q + 1 - copied);
        puts_(&out, files[j].url);
        copied = (size_t)(end - s);
        p = copied;
    }
    put(&out, s + copied, len - copied);
    f->data = out;
}

static void check_css(const file_t *f, const buf_t *src)
{
    if (strstr(src->p, "@import") || strstr(src->p, "url("))
        die("%s: @import and url() are not supported (inline SVG in the page instead)", f->web);
}

static void closure(int i, bool *seen)
{
    if (seen[i])
        return;
    seen[i] = true;
    for (int k = 0; k < files[i].ndeps; k++)
        closure(files[i].deps[k], seen);
}

static bool asset_like(const char *v)
{
    static const char *const exts[] = {".js", ".css", ".svg", ".png", ".txt", ".webmanifest"};
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
        if (ends_with(v, exts[i]))
            return true;
    return false;
}

/* Rewrites src="/..." and href="/..." naming files of the client; puts the
 * modulepreload links of every module the page loads at the
 * <!--modulepreload--> marker. */
static void rewrite_html(file_t *f, const buf_t *src)
{
    const char *s = src->p;
    buf_t out = {0};
    bool *seen = calloc((size_t)nfiles, 1);
    size_t copied = 0;
    for (size_t p = 0; p < src->len; p++) {
        size_t at;
        if (strncmp(s + p, "src=\"/", 6) == 0)
            at = p + 5;
        else if (strncmp(s + p, "href=\"/", 7) == 0)
            at = p + 6;
        else
            continue;
        const char *end = strchr(s + at, '"');
        if (end == NULL)
            die("%s: unterminated attribute", f->web);
        char v[1024];
        snprintf(v, sizeof(v), "%.*s", (int)(end - (s + at)), s + at);
        int j = find(v);
        if (j < 0) {
            if (asset_like(v))
                die("%s: '%s' is not a file of the client", f->web, v);
            continue; /* a link to a client route */
        }
        finish(j);
        if (files[j].kind == K_JS)
            closure(j, seen);
        put(&out, s + copied, at - copied);
        puts_(&out, files[j].url);
        copied = (size_t)(end - s);
        p = copied;
    }
    put(&out, s + copied, src->len - copied);
    const char *marker = "<!--modulepreload-->";
    char *m = strstr(out.p, marker);
    if (m) {
        buf_t withpre = {0};
        put(&withpre, out.p, (size_t)(m - out.p));
        for (int j = 0; j < nfiles; j++) {
            if (!seen[j])
                continue;
            puts_(&withpre, "<link rel=\"modulepreload\" href=\"");
            puts_(&withpre, files[j].url);
            puts_(&withpre, "\">");
        }
        puts_(&withpre, m + strlen(marker));
        free(out.p);
        out = withpre;
    }
    free(seen);
    f->data = out;
}

static void hash_hex(const buf_t *b, char *out, size_t nhex)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)b->p, b->len);
    for (size_t i = 0; i < nhex / 2; i++)
        sprintf(out + 2 * i, "%02x", h[i]);
    out[nhex] = '\0';
}

/* Rewrites file i (after everything it imports) and names it. */
static void finish(int i)
{
    file_t *f = &files[i];
    if (f->state == 2)
        return;
    if (f->state == 1)
        die("%s: import cycle", f->web);
    f->state = 1;
    buf_t src = read_file(f->disk);
    if (f->kind == K_JS)
        rewrite_js(f, &src);
    else if (f->kind == K_HTML)
        rewrite_html(f, &src);
    else {
        if (f->kind == K_CSS)
            check_css(f, &src);
        f->data = src;
        src.p = NULL;
    }
    free(src.p);
    char *h = f->etag;
    hash_hex(&f->data, h, 16);
    if (f->kind == K_HTML) {
        f->url = xstrdup(f->web);
    } else {
        const char *dot = strrchr(f->web, '.');
        char url[4096];
        snprintf(url, sizeof(url), "/assets%.*s.%.10s%s", (int)(dot - f->web), f->web, h, dot);
        f->url = xstrdup(url);
    }
    f->state = 2;
}

static buf_t gzip_of(const buf_t *in)
{
    z_stream z = {0};
    buf_t out = {0};
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        die("deflateInit2 failed");
    out.cap = deflateBound(&z, in->len) + 1;
    out.p = xrealloc(NULL, out.cap);
    z.next_in = (unsigned char *)in->p;
    z.avail_in = (uInt)in->len;
    z.next_out = (unsigned char *)out.p;
    z.avail_out = (uInt)out.cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        die("deflate failed");
    out.len = z.total_out;
    deflateEnd(&z);
    return out;
}

static buf_t brotli_of(const buf_t *in)
{
    buf_t out = {0};
    size_t n = BrotliEncoderMaxCompressedSize(in->len) + 1024;
    out.p = xrealloc(NULL, n);
    if (!BrotliEncoderCompress(BROTLI_MAX_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, in->len,
                               (const uint8_t *)in->p, &n, (uint8_t *)out.p))
        die("brotli failed");
    out.len = n;
    return out;
}

static void c_string(FILE *o, const char *name, int i, const buf_t *b)
{
    fprintf(o, "static const char %s%d[] =\n    \"", name, i);
    for (size_t k = 0; k < b->len; k++) {
        fprintf(o, "\\x%02x", (unsigned char)b->p[k]);
        if (k % 64 == 63 && k + 1 < b->len)
            fprintf(o, "\"\n    \"");
    }
    fprintf(o, "\";\n");
}

static int *order;

static int cmp_url(const void *a, const void *b)
{
    return strcmp(files[*(const int *)a].url, files[*(const int *)b].url);
}

int main(int argc, char **argv)
{
    if (argc != 4)
        die("usage: webembed WEB_DIR VENDOR_DIR OUT.c");
    if (sodium_init() < 0)
        die("sodium_init failed");
    walk(argv[1], "");
    walk(argv[2], "/vendor");
    for (int i = 0; i < nfiles; i++)
        finish(i);
    order = xrealloc(NULL, sizeof(int) * (size_t)nfiles);
    for (int i = 0; i < nfiles; i++)
        order[i] = i;
    qsort(order, (size_t)nfiles, sizeof(int), cmp_url); /* http_asset_find bisects */
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", argv[3]);
    FILE *o = fopen(tmp, "w");
    if (o == NULL)
        die("%s: %s", tmp, strerror(errno));
    fprintf(o, "/* Generated by scripts/webembed.c from web/ and build/vendor/web: do not edit. "
               "*/\n#include \"http/static.h\"\n\n");
    size_t raw = 0, gz = 0;
    for (int k = 0; k < nfiles; k++) {
        file_t *f = &files[order[k]];
        buf_t g = gzip_of(&f->data), b = brotli_of(&f->data);
        c_string(o, "raw", k, &f->data);
        /* a variant that saves less than 5% is not worth a Vary round trip */
        bool use_g = g.len * 20 < f->data.len * 19, use_b = use_g && b.len < g.len;
        if (use_g)
            c_string(o, "gz", k, &g);
        if (use_b)
            c_string(o, "br", k, &b);
        raw += f->data.len;
        gz += use_g ? g.len : f->data.len;
        f->glen = use_g ? g.len : 0;
        f->blen = use_b ? b.len : 0;
        free(g.p);
        free(b.p);
    }
    fprintf(o, "\nconst http_asset_t http_assets[] = {\n");
    for (int k = 0; k < nfiles; k++) {
        file_t *f = &files[order[k]];
        fprintf(o, "    {\"%s\", \"%s\", \"W/\\\"%s\\\"\", %d,\n", f->url, content_type(f->web),
                f->etag, f->kind != K_HTML);
        fprintf(o, "     raw%d, %zu, ", k, f->data.len);
        if (f->glen)
            fprintf(o, "gz%d, %zu, ", k, f->glen);
        else
            fprintf(o, "NULL, 0, ");
        if (f->blen)
            fprintf(o, "br%d, %zu},\n", k, f->blen);
        else
            fprintf(o, "NULL, 0},\n");
    }
    fprintf(o, "};\nconst size_t http_assets_count = %d;\n", nfiles);
    if (fclose(o) != 0 || rename(tmp, argv[3]) != 0)
        die("%s: %s", argv[3], strerror(errno));
    fprintf(stderr, "webembed: %d files, %zu bytes, %zu compressed\n", nfiles, raw, gz);
    return 0;
}
