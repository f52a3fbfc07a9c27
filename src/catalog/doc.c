/* doc.c - a development's document: every field as data (its kind and
 * limits), checked and put in canonical form, with the derived fields
 * (labels, BD-09 coordinates, price texts, rooms) and the index keys. */
#include "catalog/catalog_int.h"
#include "core/jread.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
    F_STR,
    F_TEXT,
    F_ENUM,
    F_ENUMS,
    F_STRS,
    F_INT,
    F_NUM,
    F_RANGE,
    F_DATE,
    F_LOC,
    F_LAYOUTS,
    F_IMAGE, /* the id of a catalogue picture (images.c) */
    F_ALBUMS /* {category: [picture id…]} */
} kind_t;

/* the photo albums of a development, by category (domain.md §6.1) */
static const char *const album_kinds[] = {"rendering",  "real",      "show_flat",
                                          "floor_plan", "amenities", NULL};
#define ALBUM_MAX 30

/* code and label; for sets where they are the same, label is NULL */
typedef struct choice {
    const char *code, *label;
} choice_t;

static const choice_t sale_statuses[] = {{"pending", "待售"},
                                         {"on_sale", "在售"},
                                         {"sold_out", "售罄"},
                                         {"last_units", "尾盘"},
                                         {NULL, NULL}};
static const choice_t decorations[] = {
    {"bare", "毛坯"}, {"fitted", "精装"}, {"mixed", "毛坯/精装"}, {NULL, NULL}};
static const choice_t property_types[] = {{"住宅", NULL}, {"商住", NULL},   {"公寓", NULL},
                                          {"别墅", NULL}, {"写字楼", NULL}, {"商铺", NULL},
                                          {NULL, NULL}};
static const choice_t building_types[] = {
    {"超高层", NULL}, {"高层", NULL}, {"小高层", NULL}, {"多层", NULL}, {"洋房", NULL},
    {"低层", NULL},   {"叠拼", NULL}, {"联排", NULL},   {"独栋", NULL}, {NULL, NULL}};
static const choice_t orientations[] = {
    {"南", NULL},   {"北", NULL},   {"东", NULL},   {"西", NULL},   {"东南", NULL}, {"东北", NULL},
    {"西南", NULL}, {"西北", NULL}, {"南北", NULL}, {"东西", NULL}, {NULL, NULL}};

typedef struct field {
    const char *key;
    kind_t kind;
    bool required;
    double min, max; /* length, items or value */
    const choice_t *set;
    bool in_summary;
} field_t;

/* clang-format off */
static const field_t fields[] = {
    /* key                kind       req    min  max        set             summary */
    {"ext_id",           F_STR,     false, 1,   64,        NULL,           true},
    {"name",             F_STR,     true,  1,   60,        NULL,           true},
    {"alias",            F_STR,     false, 0,   60,        NULL,           true},
    {"city",             F_STR,     true,  1,   20,        NULL,           true},
    {"district",         F_STR,     true,  1,   20,        NULL,           true},
    {"subarea",          F_STR,     false, 0,   20,        NULL,           true},
    {"address",          F_STR,     false, 0,   120,       NULL,           true},
    {"sales_address",    F_STR,     false, 0,   120,       NULL,           false},
    {"metro",            F_STR,     false, 0,   60,        NULL,           true},
    {"location",         F_LOC,     false, 0,   0,         NULL,           true},
    {"property_type",    F_ENUM,    false, 0,   0,         property_types, true},
    {"building_types",   F_ENUMS,   false, 0,   4,         building_types, false},
    {"sale_status",      F_ENUM,    true,  0,   0,         sale_statuses,  true},
    {"price_avg",        F_INT,     false, 1,   10000000,  NULL,           true},
    {"total_price",      F_RANGE,   false, 1,   100000,    NULL,           true},
    {"area",             F_RANGE,   false, 1,   100000,    NULL,           true},
    {"opening",          F_DATE,    false, 0,   0,         NULL,           true},
    {"handover",         F_DATE,    false, 0,   0,         NULL,           false},
    {"developer",        F_STR,     false, 0,   60,        NULL,           false},
    {"property_company", F_STR,     false, 0,   60,        NULL,           false},
    {"permits",          F_STRS,    false, 1,   20,        NULL,           false},
    {"tenure_years",     F_INT,     false, 1,   99,        NULL,           false},
    {"plot_ratio",       F_NUM,     false, 0,   30,        NULL,           false},
    {"green_ratio",      F_NUM,     false, 0,   100,       NULL,           false},
    {"units",            F_INT,     false, 1,   1000000,   NULL,           false},
    {"parking_ratio",    F_STR,     false, 0,   20,        NULL,           false},
    {"property_fee",     F_NUM,     false, 0,   1000,      NULL,           false},
    {"decoration",       F_ENUM,    false, 0,   0,         decorations,    true},
    {"tags",             F_STRS,    false, 1,   8,         NULL,           true},
    {"overview",         F_TEXT,    false, 0,   2000,      NULL,           false},
    /* 客户归属 (domain.md §8): days a buyer stays a consultant's */
    {"visit_protection_days", F_INT, false, 0,  365,       NULL,           false},
    {"deal_protection_days",  F_INT, false, 0,  730,       NULL,           false},
    {"layouts",          F_LAYOUTS, false, 0,   50,        NULL,           false},
    {"albums",           F_ALBUMS,  false, 0,   0,         NULL,           false},
};
static const field_t layout_fields[] = {
    {"id",               F_STR,     false, 1,   20,        NULL,           true},
    {"name",             F_STR,     true,  1,   20,        NULL,           true},
    {"rooms",            F_INT,     true,  1,   9,         NULL,           true},
    {"halls",            F_INT,     false, 0,   5,         NULL,           true},
    {"baths",            F_INT,     false, 0,   5,         NULL,           true},
    {"area",             F_NUM,     true,  5,   2000,      NULL,           true},
    {"orientation",      F_ENUM,    false, 0,   0,         orientations,   true},
    {"price_total",      F_INT,     false, 1,   100000,    NULL,           true},
    {"sale_status",      F_ENUM,    false, 0,   0,         sale_statuses,  true},
    {"tags",             F_STRS,    false, 1,   4,         NULL,           true},
    {"image",            F_IMAGE,   false, 0,   0,         NULL,           true},
};
/* clang-format on */
#define NFIELDS  (sizeof(fields) / sizeof(fields[0]))
#define NLFIELDS (sizeof(layout_fields) / sizeof(layout_fields[0]))

/* derived on output: accepted back (a client may send what it read) and ignored */
static const char *const derived[] = {
    "id",         "location_bd09", "sale_status_label", "decoration_label",
    "price_text", "price_notice",  "total_price_text",  "rooms",
    "retired",    "created_at",    "updated_at",        "distance_m",
    NULL};
static const char *const layout_derived[] = {"sale_status_label", "price_text", NULL};

static bool is_derived(const char *key, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(key, *set) == 0)
            return true;
    return false;
}

static int bad(err_t *e, const char *prefix, const char *key, const char *msg)
{
    char f[64];
    snprintf(f, sizeof(f), "%s%s%s", prefix ? prefix : "", prefix ? "." : "", key);
    return err_set(e, ERR_VALIDATION_FAILED, f, "%s", msg);
}

static const choice_t *choose(const choice_t *set, const char *v)
{
    for (; set->code; set++)
        if (strcmp(v, set->code) == 0 || (set->label && strcmp(v, set->label) == 0))
            return set;
    return NULL;
}

static double round2(double v)
{
    return round(v * 100.0) / 100.0;
}

/* Strings, enums and lists of them. */
static int check_string(const json_t *in, const char *prefix, const field_t *f, json_t *out,
                        err_t *e)
{
    const char *v;
    size_t min = f->kind == F_ENUM ? 1 : (size_t)f->min,
           max = f->kind == F_ENUM ? 20 : (size_t)f->max;
    int rc = f->kind == F_TEXT ? jread_text(in, prefix, f->key, false, min, max, &v, e)
                               : jread_str(in, prefix, f->key, false, min, max, &v, e);
    if (rc < 0)
        return rc;
    if (f->kind != F_ENUM) {
        json_object_set_new(out, f->key, v && *v ? json_string(v) : json_null());
        return 0;
    }
    const choice_t *ch = choose(f->set, v);
    if (!ch)
        return bad(e, prefix, f->key, "not one of the documented values");
    json_object_set_new(out, f->key, json_string(ch->code));
    if (ch->label) {
        char lk[48];
        snprintf(lk, sizeof(lk), "%s_label", f->key);
        json_object_set_new(out, lk, json_string(ch->label));
    }
    return 0;
}

static int check_list(const json_t *v, const char *prefix, const field_t *f, json_t *out, err_t *e)
{
    if (!json_is_array(v) || json_array_size(v) > (size_t)f->max)
        return bad(e, prefix, f->key, "a list of at most the documented number of texts");
    json_t *list = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        const char *s = json_string_value(item);
        size_t n = s ? jread_utf8_len(s, json_string_length(item)) : 0;
        const choice_t *ch = s && f->set ? choose(f->set, s) : NULL;
        bool ok = f->set ? ch != NULL : (n >= 1 && n <= 40 && strpbrk(s, "\r\n\t") == NULL);
        if (!ok) {
            json_decref(list);
            return bad(e, prefix, f->key,
                       f->set ? "not one of the documented values"
                              : "each item a text of 1 to 40 characters");
        }
        json_array_append_new(list, json_string(f->set ? ch->code : s));
    }
    json_object_set_new(out, f->key, list);
    return 0;
}

static int check_number(const json_t *v, const char *prefix, const field_t *f, json_t *out,
                        err_t *e)
{
    if (f->kind == F_INT) {
        if (!json_is_integer(v) || json_integer_value(v) < (json_int_t)f->min ||
            json_integer_value(v) > (json_int_t)f->max)
            return bad(e, prefix, f->key, "an integer in the documented range, or null");
        json_object_set_new(out, f->key, json_integer(json_integer_value(v)));
        return 0;
    }
    double d = json_number_value(v);
    if (!json_is_number(v) || !isfinite(d) || d < f->min || d > f->max)
        return bad(e, prefix, f->key, "a number in the documented range, or null");
    json_object_set_new(out, f->key, json_real(round2(d)));
    return 0;
}

static int check_range(const json_t *v, const char *prefix, const field_t *f, json_t *out, err_t *e)
{
    static const char *const keys[] = {"min", "max", NULL};
    const json_t *lo = json_object_get(v, "min"), *hi = json_object_get(v, "max");
    if (!json_is_object(v) || jread_keys(v, NULL, keys, e) < 0 || !json_is_integer(lo) ||
        !json_is_integer(hi)) {
        err_clear(e);
        return bad(e, prefix, f->key, "{\"min\",\"max\"}: integers, or null");
    }
    json_int_t a = json_integer_value(lo), b = json_integer_value(hi);
    if (a < (json_int_t)f->min || b > (json_int_t)f->max || a > b)
        return bad(e, prefix, f->key, "min <= max, both in the documented range");
    json_object_set_new(out, f->key, json_pack("{s:I, s:I}", "min", a, "max", b));
    return 0;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* "2027-03-15", "2027-03" or "2027-Q2" into a date object; key: yyyymmdd
 * of the period's first day. */
static json_t *parse_date(const char *s, int64_t *key)
{
    static const char *const quarters[] = {"第一季度", "第二季度", "第三季度", "第四季度"};
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m = 0, d = 0, q = 0, n = 0;
    size_t len = strlen(s);
    char text[48];
    const char *precision;
    if (len == 10 && sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10)
        precision = "day";
    else if (len == 7 && s[5] == 'Q' && sscanf(s, "%4d-Q%1d%n", &y, &q, &n) == 2 && n == 7)
        precision = "quarter";
    else if (len == 7 && sscanf(s, "%4d-%2d%n", &y, &m, &n) == 2 && n == 7)
        precision = "month";
    else
        return NULL;
    if (s[4] != '-' || y < 1990 || y > 2100)
        return NULL;
    if (q) {
        if (q > 4)
            return NULL;
        snprintf(text, sizeof(text), "%d年%s", y, quarters[q - 1]);
        m = (q - 1) * 3 + 1;
    } else if (m < 1 || m > 12) {
        return NULL;
    } else if (d) {
        if (d > mdays[m - 1] + (m == 2 && leap(y)))
            return NULL;
        snprintf(text, sizeof(text), "%d年%d月%d日", y, m, d);
    } else {
        snprintf(text, sizeof(text), "%d年%d月", y, m);
    }
    *key = (int64_t)y * 10000 + m * 100 + (d ? d : 1);
    return json_pack("{s:s, s:s, s:s}", "date", s, "precision", precision, "text", text);
}

static int check_date(const json_t *v, const char *prefix, const field_t *f, json_t *out,
                      int64_t *key, err_t *e)
{
    const json_t *s = json_is_object(v) ? json_object_get(v, "date") : v;
    json_t *d = NULL;
    *key = CATALOG_UNKNOWN_KEY;
    if (json_is_string(s) && strcmp(json_string_value(s), "待定") != 0 &&
        !(d = parse_date(json_string_value(s), key)))
        return bad(e, prefix, f->key, "\"YYYY-MM-DD\", \"YYYY-MM\", \"YYYY-Qn\" or null (待定)");
    if (!d && !json_is_null(s) && !json_is_string(s))
        return bad(e, prefix, f->key, "\"YYYY-MM-DD\", \"YYYY-MM\", \"YYYY-Qn\" or null (待定)");
    json_object_set_new(out, f->key,
                        d ? d : json_pack("{s:n, s:n, s:s}", "date", "precision", "text", "待定"));
    return 0;
}

static int check_location(const json_t *v, const char *prefix, const field_t *f, json_t *out,
                          catalog_keys_t *k, err_t *e)
{
    static const char *const keys[] = {"lat", "lng", NULL};
    const json_t *a = json_object_get(v, "lat"), *b = json_object_get(v, "lng");
    if (!json_is_object(v) || jread_keys(v, NULL, keys, e) < 0 || !json_is_number(a) ||
        !json_is_number(b) || !catalog_in_china(json_number_value(a), json_number_value(b))) {
        err_clear(e);
        return bad(e, prefix, f->key, "{\"lat\",\"lng\"} in GCJ-02 within China, or null");
    }
    double lat = round(json_number_value(a) * 1e6) / 1e6,
           lng = round(json_number_value(b) * 1e6) / 1e6;
    double blat, blng;
    catalog_gcj_to_bd(lat, lng, &blat, &blng);
    json_object_set_new(out, f->key, json_pack("{s:f, s:f}", "lat", lat, "lng", lng));
    json_object_set_new(
        out, "location_bd09",
        json_pack("{s:f, s:f}", "lat", round(blat * 1e6) / 1e6, "lng", round(blng * 1e6) / 1e6));
    k->has_location = true;
    k->lat_e6 = (int64_t)llround(lat * 1e6);
    k->lng_e6 = (int64_t)llround(lng * 1e6);
    return 0;
}

static bool picture_id(const json_t *v)
{
    const char *s = json_string_value(v);
    size_t n = s ? strlen(s) : 0;
    return n >= 1 && n <= 19 && strspn(s, "0123456789") == n && s[0] != '0';
}

static int check_image(const json_t *v, const char *prefix, const field_t *f, json_t *out, err_t *e)
{
    if (!picture_id(v))
        return bad(e, prefix, f->key, "the id of a picture (POST /v1/admin/catalog/images)");
    json_object_set(out, f->key, (json_t *)v);
    return 0;
}

static int check_albums(const json_t *v, const field_t *f, json_t *out, err_t *e)
{
    if (!json_is_object(v))
        return bad(e, NULL, f->key, "{category: [picture id…]}");
    json_t *albums = json_object();
    json_object_set_new(out, f->key, albums);
    for (int i = 0; album_kinds[i]; i++)
        json_object_set_new(albums, album_kinds[i], json_array());
    const char *key;
    const json_t *list;
    json_object_foreach((json_t *)v, key, list)
    {
        char field[48];
        snprintf(field, sizeof(field), "albums.%s", key);
        json_t *dst = json_object_get(albums, key);
        if (!dst)
            return err_set(e, ERR_VALIDATION_FAILED, field,
                           "rendering, real, show_flat, floor_plan or amenities");
        if (!json_is_array(list) || json_array_size(list) > ALBUM_MAX)
            return err_set(e, ERR_VALIDATION_FAILED, field, "at most 30 picture ids");
        size_t j;
        const json_t *id;
        json_array_foreach(list, j, id)
        {
            if (!picture_id(id))
                return err_set(e, ERR_VALIDATION_FAILED, field, "picture ids");
            json_array_append(dst, (json_t *)id);
        }
    }
    return 0;
}

static int check_fields(const json_t *in, const char *prefix, const field_t *fs, size_t n,
                        const char *const *skip, json_t *out, catalog_keys_t *k, err_t *e);

static int check_layouts(const json_t *v, const field_t *f, json_t *out, catalog_keys_t *k,
                         err_t *e)
{
    if (!json_is_array(v) || json_array_size(v) > (size_t)f->max)
        return bad(e, NULL, f->key, "a list of at most 50 layouts");
    json_t *list = json_array();
    json_object_set_new(out, f->key, list);
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        char prefix[32];
        snprintf(prefix, sizeof(prefix), "layouts[%zu]", i);
        if (!json_is_object(item))
            return err_set(e, ERR_VALIDATION_FAILED, prefix, "a layout object");
        json_t *l = json_object();
        json_array_append_new(list, l);
        int rc = check_fields(item, prefix, layout_fields, NLFIELDS, layout_derived, l, NULL, e);
        if (rc < 0)
            return rc;
        const char *id = json_string_value(json_object_get(l, "id"));
        for (size_t j = 0; id && j < i; j++)
            if (json_equal(json_object_get(json_array_get(list, j), "id"),
                           json_object_get(l, "id")))
                return bad(e, prefix, "id", "another layout of this development has this id");
        json_int_t rooms = json_integer_value(json_object_get(l, "rooms"));
        k->rooms_mask |= 1u << ((rooms > 5 ? 5 : rooms) - 1);
        json_int_t total = json_integer_value(json_object_get(l, "price_total"));
        char t[32] = "待定";
        if (total)
            snprintf(t, sizeof(t), "%lld万/套", (long long)total);
        json_object_set_new(l, "price_text", json_string(t));
    }
    return 0;
}

static int check_field(const json_t *in, const char *prefix, const field_t *f, json_t *out,
                       catalog_keys_t *k, err_t *e)
{
    const json_t *v = json_object_get(in, f->key);
    if (!v || json_is_null(v)) {
        if (f->required)
            return bad(e, prefix, f->key, "required");
        if (f->kind == F_DATE)
            return check_date(json_null(), prefix, f, out, &(int64_t){0}, e);
        if (f->kind == F_ALBUMS) {
            json_t *none = json_object();
            int rc = check_albums(none, f, out, e);
            json_decref(none);
            return rc;
        }
        json_object_set_new(out, f->key,
                            f->kind == F_STRS || f->kind == F_ENUMS || f->kind == F_LAYOUTS
                                ? json_array()
                                : json_null());
        return 0;
    }
    switch (f->kind) {
    case F_STR:
    case F_TEXT:
    case F_ENUM:
        return check_string(in, prefix, f, out, e);
    case F_ENUMS:
    case F_STRS:
        return check_list(v, prefix, f, out, e);
    case F_INT:
    case F_NUM:
        return check_number(v, prefix, f, out, e);
    case F_RANGE:
        return check_range(v, prefix, f, out, e);
    case F_DATE:
        return check_date(v, prefix, f, out,
                          strcmp(f->key, "opening") == 0 ? &k->opening_key : &(int64_t){0}, e);
    case F_LOC:
        return check_location(v, prefix, f, out, k, e);
    case F_LAYOUTS:
        return check_layouts(v, f, out, k, e);
    case F_IMAGE:
        return check_image(v, prefix, f, out, e);
    case F_ALBUMS:
        return check_albums(v, f, out, e);
    }
    return 0;
}

static int check_fields(const json_t *in, const char *prefix, const field_t *fs, size_t n,
                        const char *const *skip, json_t *out, catalog_keys_t *k, err_t *e)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)in, key, v)
    {
        size_t i = 0;
        while (i < n && strcmp(fs[i].key, key) != 0)
            i++;
        if (i == n && !is_derived(key, skip))
            return bad(e, prefix, key, "unknown field");
    }
    for (size_t i = 0; i < n; i++) {
        int rc = check_field(in, prefix, &fs[i], out, k, e);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The derived prices, the rooms of the layouts, and an area range taken
 * from them when none is given. */
static void derive(json_t *out, catalog_keys_t *k)
{
    const json_t *p = json_object_get(out, "price_avg"), *t = json_object_get(out, "total_price");
    char text[64] = "待定";
    k->has_price = json_is_integer(p);
    k->price_avg = json_integer_value(p);
    k->price_key = k->has_price ? k->price_avg : CATALOG_UNKNOWN_KEY;
    if (k->has_price)
        snprintf(text, sizeof(text), "%lld元/㎡", (long long)k->price_avg);
    json_object_set_new(out, "price_text", json_string(text));
    json_object_set_new(out, "price_notice", json_string(CATALOG_PRICE_NOTICE));
    strcpy(text, "待定");
    if (json_is_object(t))
        snprintf(text, sizeof(text), "%lld-%lld万/套",
                 (long long)json_integer_value(json_object_get(t, "min")),
                 (long long)json_integer_value(json_object_get(t, "max")));
    json_object_set_new(out, "total_price_text", json_string(text));
    json_t *rooms = json_array();
    for (int r = 0; r < 5; r++)
        if (k->rooms_mask & (1u << r))
            json_array_append_new(rooms, json_integer(r + 1));
    json_object_set_new(out, "rooms", rooms);
    const json_t *layouts = json_object_get(out, "layouts");
    if (json_is_null(json_object_get(out, "area")) && json_array_size(layouts) > 0) {
        double lo = 1e9, hi = 0;
        size_t i;
        json_t *l;
        json_array_foreach(layouts, i, l)
        {
            double a = json_number_value(json_object_get(l, "area"));
            lo = fmin(lo, a);
            hi = fmax(hi, a);
        }
        json_object_set_new(
            out, "area",
            json_pack("{s:I, s:I}", "min", (json_int_t)floor(lo), "max", (json_int_t)ceil(hi)));
    }
    const json_t *area = json_object_get(out, "area");
    k->has_area = json_is_object(area);
    k->area_min = json_integer_value(json_object_get(area, "min"));
    k->area_max = json_integer_value(json_object_get(area, "max"));
}

static void lower_into(char *dst, size_t cap, size_t *o, const char *s)
{
    for (; s && *s && *o + 2 < cap; s++)
        dst[(*o)++] = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
    dst[(*o)++] = '\n';
    dst[*o] = '\0';
}

int catalog_doc_check(const json_t *in, json_t **out, catalog_keys_t *k, err_t *e)
{
    memset(k, 0, sizeof(*k));
    k->opening_key = CATALOG_UNKNOWN_KEY;
    if (!json_is_object(in))
        return err_set(e, ERR_VALIDATION_FAILED, "", "a development object");
    json_t *doc = json_object();
    int rc = check_fields(in, NULL, fields, NFIELDS, derived, doc, k, e);
    if (rc < 0) {
        json_decref(doc);
        return rc;
    }
    derive(doc, k);
    k->ext_id = json_string_value(json_object_get(doc, "ext_id"));
    k->name = json_string_value(json_object_get(doc, "name"));
    k->city = json_string_value(json_object_get(doc, "city"));
    k->district = json_string_value(json_object_get(doc, "district"));
    k->sale_bit = catalog_sale_bit(json_string_value(json_object_get(doc, "sale_status")));
    const char *alias = json_string_value(json_object_get(doc, "alias"));
    size_t o = 0;
    lower_into(k->search, sizeof(k->search), &o, k->name);
    lower_into(k->search, sizeof(k->search), &o, alias);
    char ini[128];
    catalog_initials(k->name, ini, sizeof(ini));
    lower_into(k->search, sizeof(k->search), &o, ini);
    if (alias) {
        catalog_initials(alias, ini, sizeof(ini));
        lower_into(k->search, sizeof(k->search), &o, ini);
    }
    *out = doc;
    return 0;
}

unsigned catalog_sale_bit(const char *s)
{
    for (unsigned i = 0; s && sale_statuses[i].code; i++)
        if (strcmp(s, sale_statuses[i].code) == 0 || strcmp(s, sale_statuses[i].label) == 0)
            return 1u << i;
    return 0;
}

void catalog_doc_summary(json_t *doc)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (!fields[i].in_summary)
            json_object_del(doc, fields[i].key);
}
