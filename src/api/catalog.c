/* catalog.c - the developments catalogue (F3): public browsing and search
 * (a visitor's position is used for the one request and never stored; a
 * signed-in user's only with the location consent), and staff writes. */
#include "api/api_int.h"
#include "catalog/catalog.h"
#include "privacy/privacy.h"

#include <stdio.h>
#include <string.h>

static const char *const sort_names[] = {"default", "price",    "price_desc",
                                         "opening", "distance", NULL};

/* A comma list of words of set into bits (bit i for set[i]) or, for
 * rooms, of numbers 1..5. */
static int bits_param(api_req_t *r, const char *name, bool rooms, unsigned *out)
{
    char buf[128];
    const char *v;
    int rc = api_query_text(r, name, 100, buf, sizeof(buf), &v);
    *out = 0;
    char *save = NULL;
    for (char *tok = v ? strtok_r(buf, ",", &save) : NULL; rc == 0 && tok;
         tok = strtok_r(NULL, ",", &save)) {
        unsigned bit =
            rooms ? (strlen(tok) == 1 && tok[0] >= '1' && tok[0] <= '5' ? 1u << (tok[0] - '1') : 0)
                  : catalog_sale_bit(tok);
        if (!bit)
            rc = err_set(&r->err, ERR_VALIDATION_FAILED, name,
                         rooms ? "rooms: a comma list of 1..5 (5: five or more)"
                               : "sale_status: a comma list of pending, on_sale, sold_out, "
                                 "last_units");
        *out |= bit;
    }
    return rc;
}

static int sort_param(api_req_t *r, catalog_sort_t *out)
{
    char buf[32];
    const char *v;
    int rc = api_query_text(r, "sort", 16, buf, sizeof(buf), &v);
    *out = CATALOG_SORT_DEFAULT;
    for (int i = 0; rc == 0 && v && sort_names[i]; i++)
        if (strcmp(v, sort_names[i]) == 0) {
            *out = (catalog_sort_t)i;
            return 0;
        }
    return rc < 0 || !v ? rc
                        : err_set(&r->err, ERR_VALIDATION_FAILED, "sort",
                                  "default, price, price_desc, opening or distance");
}

/* The position of a nearby search (GCJ-02, or a device's WGS-84 with
 * datum=wgs84): with the location consent when the visitor is signed in. */
static int position(api_req_t *r, catalog_query_t *q)
{
    bool has_lat, has_lng;
    int64_t radius;
    char db[16];
    const char *datum;
    int rc;
    if ((rc = api_query_double(r, "lat", -90, 90, &q->lat, &has_lat)) < 0 ||
        (rc = api_query_double(r, "lng", -180, 180, &q->lng, &has_lng)) < 0 ||
        (rc = api_query_i64(r, "radius_km", 10, 1, CATALOG_RADIUS_MAX, &radius)) < 0 ||
        (rc = api_query_text(r, "datum", 8, db, sizeof(db), &datum)) < 0)
        return rc;
    if (has_lat != has_lng)
        return err_set(&r->err, ERR_VALIDATION_FAILED, has_lat ? "lng" : "lat",
                       "lat and lng go together");
    if (datum && strcmp(datum, "gcj02") != 0 && strcmp(datum, "wgs84") != 0)
        return err_set(&r->err, ERR_VALIDATION_FAILED, "datum", "gcj02 or wgs84");
    if (datum && datum[0] == 'w')
        catalog_wgs_to_gcj(q->lat, q->lng, &q->lat, &q->lng);
    q->near = has_lat;
    q->radius_km = (int)radius;
    if (q->near && r->session.user_id)
        return privacy_consent_require(r->ctx, r->session.user_id, "location", &r->err);
    return 0;
}

int api_developments(api_req_t *r)
{
    char qb[CATALOG_Q_MAX * 4 + 1], city[96], district[96], cursor[64];
    int64_t limit;
    catalog_query_t q = {0};
    int rc;
    if ((rc = api_query_text(r, "q", CATALOG_Q_MAX, qb, sizeof(qb), &q.q)) < 0 ||
        (rc = api_query_text(r, "city", 20, city, sizeof(city), &q.city)) < 0 ||
        (rc = api_query_text(r, "district", 20, district, sizeof(district), &q.district)) < 0 ||
        (rc = api_query_text(r, "cursor", 40, cursor, sizeof(cursor), &q.cursor)) < 0 ||
        (rc = api_query_i64(r, "price_min", 0, 1, 10000000, &q.price_min)) < 0 ||
        (rc = api_query_i64(r, "price_max", 0, 1, 10000000, &q.price_max)) < 0 ||
        (rc = api_query_i64(r, "area_min", 0, 1, 100000, &q.area_min)) < 0 ||
        (rc = api_query_i64(r, "area_max", 0, 1, 100000, &q.area_max)) < 0 ||
        (rc = bits_param(r, "rooms", true, &q.rooms)) < 0 ||
        (rc = bits_param(r, "sale_status", false, &q.sale)) < 0 ||
        (rc = sort_param(r, &q.sort)) < 0 ||
        (rc = api_query_i64(r, "limit", 20, 1, CATALOG_PAGE_MAX, &limit)) < 0 ||
        (rc = position(r, &q)) < 0)
        return rc;
    q.limit = (int)limit;
    if ((rc = catalog_search(r->ctx, &q, &r->raw_owned, &r->raw_len, &r->err)) < 0)
        return rc;
    r->status = 200;
    r->raw = r->raw_owned;
    r->raw_type = "application/json; charset=utf-8";
    return 0;
}

static int get(api_req_t *r, bool staff)
{
    int64_t id;
    json_t *out;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 ||
        (rc = catalog_get(r->ctx, id, staff, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_development_get(api_req_t *r)
{
    return get(r, false);
}

int api_admin_development_get(api_req_t *r)
{
    return get(r, true);
}

int api_admin_catalog_imports(api_req_t *r)
{
    int64_t limit;
    json_t *out;
    int rc;
    if ((rc = api_query_i64(r, "limit", 20, 1, 100, &limit)) < 0 ||
        (rc = catalog_imports_list(r->ctx, (int)limit, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_admin_development_create(api_req_t *r)
{
    char who[80];
    json_t *out;
    staff_actor(&r->staff, who);
    int rc = catalog_create(r->ctx, who, r->body, &out, &r->err);
    return rc < 0 ? rc : api_reply(r, 201, out);
}

int api_admin_development_put(api_req_t *r)
{
    char who[80];
    int64_t id;
    json_t *out;
    int rc;
    staff_actor(&r->staff, who);
    if ((rc = api_param_id(r, 0, &id)) < 0 ||
        (rc = catalog_update(r->ctx, who, id, r->body, &out, &r->err)) < 0)
        return rc;
    return api_reply(r, 200, out);
}

int api_admin_development_retire(api_req_t *r)
{
    char who[80];
    int64_t id;
    int rc;
    staff_actor(&r->staff, who);
    if ((rc = api_param_id(r, 0, &id)) < 0 || (rc = catalog_retire(r->ctx, who, id, &r->err)) < 0)
        return rc;
    return api_reply(r, 204, NULL);
}

int api_admin_catalog_image(api_req_t *r)
{
    int64_t id;
    int rc =
        catalog_image_put(r->ctx, (const uint8_t *)r->raw_body.p, r->raw_body.len, &id, &r->err);
    return rc < 0 ? rc : api_reply(r, 201, json_pack("{s:o}", "id", ids_json(id)));
}

int api_catalog_image(api_req_t *r)
{
    int64_t id;
    int rc;
    if ((rc = api_param_id(r, 0, &id)) < 0 ||
        (rc = catalog_image_get(r->ctx, id, &r->raw_owned, &r->raw_len, r->raw_type_buf, &r->err)) <
            0)
        return rc;
    r->status = 200;
    r->raw = r->raw_owned;
    r->raw_type = r->raw_type_buf;
    /* a picture never changes under its id */
    snprintf(r->extra_header[0], sizeof(r->extra_header[0]), "cache-control");
    snprintf(r->extra_header[1], sizeof(r->extra_header[1]), "public, max-age=31536000, immutable");
    return 0;
}
