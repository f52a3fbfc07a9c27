/* geo.c - coordinates: GCJ-02 (the datum of Chinese maps, which the
 * catalogue stores) to BD-09 (Baidu's, derived on write) and back,
 * WGS-84 (what a device's GPS gives) to GCJ-02, and distances. */
#include "catalog/catalog.h"

#include <math.h>

/* BD-09 is GCJ-02 turned and stretched a little around the origin, then
 * shifted: the published transform of Baidu's map API. */
#define BD_K    (M_PI * 3000.0 / 180.0)
#define BD_DX   0.0065
#define BD_DY   0.006
#define EARTH_M 6371008.8

void catalog_gcj_to_bd(double lat, double lng, double *bd_lat, double *bd_lng)
{
    double z = sqrt(lng * lng + lat * lat) + 0.00002 * sin(lat * BD_K);
    double t = atan2(lat, lng) + 0.000003 * cos(lng * BD_K);
    *bd_lng = z * cos(t) + BD_DX;
    *bd_lat = z * sin(t) + BD_DY;
}

void catalog_bd_to_gcj(double bd_lat, double bd_lng, double *lat, double *lng)
{
    double x = bd_lng - BD_DX, y = bd_lat - BD_DY;
    double z = sqrt(x * x + y * y) - 0.00002 * sin(y * BD_K);
    double t = atan2(y, x) - 0.000003 * cos(x * BD_K);
    *lng = z * cos(t);
    *lat = z * sin(t);
}

/* GCJ-02 is WGS-84 moved by a smooth, published offset (some hundreds of
 * metres) computed on the Krasovsky 1940 ellipsoid; outside China the two
 * are the same. */
#define KRASOVSKY_A  6378245.0
#define KRASOVSKY_EE 0.00669342162296594323

static double offset_lat(double x, double y)
{
    double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));
    r += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
    r += (20.0 * sin(y * M_PI) + 40.0 * sin(y / 3.0 * M_PI)) * 2.0 / 3.0;
    r += (160.0 * sin(y / 12.0 * M_PI) + 320.0 * sin(y * M_PI / 30.0)) * 2.0 / 3.0;
    return r;
}

static double offset_lng(double x, double y)
{
    double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));
    r += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
    r += (20.0 * sin(x * M_PI) + 40.0 * sin(x / 3.0 * M_PI)) * 2.0 / 3.0;
    r += (150.0 * sin(x / 12.0 * M_PI) + 300.0 * sin(x / 30.0 * M_PI)) * 2.0 / 3.0;
    return r;
}

void catalog_wgs_to_gcj(double lat, double lng, double *gcj_lat, double *gcj_lng)
{
    if (!catalog_in_china(lat, lng)) {
        *gcj_lat = lat;
        *gcj_lng = lng;
        return;
    }
    double dlat = offset_lat(lng - 105.0, lat - 35.0), dlng = offset_lng(lng - 105.0, lat - 35.0);
    double rad = lat / 180.0 * M_PI, magic = 1 - KRASOVSKY_EE * sin(rad) * sin(rad);
    double sq = sqrt(magic);
    dlat = dlat * 180.0 / ((KRASOVSKY_A * (1 - KRASOVSKY_EE)) / (magic * sq) * M_PI);
    dlng = dlng * 180.0 / (KRASOVSKY_A / sq * cos(rad) * M_PI);
    *gcj_lat = lat + dlat;
    *gcj_lng = lng + dlng;
}

double catalog_distance_m(double lat1, double lng1, double lat2, double lng2)
{
    double p1 = lat1 * M_PI / 180, p2 = lat2 * M_PI / 180;
    double dp = p2 - p1, dl = (lng2 - lng1) * M_PI / 180;
    double h = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    return 2 * EARTH_M * asin(fmin(1.0, sqrt(h)));
}

bool catalog_in_china(double lat, double lng)
{
    return isfinite(lat) && isfinite(lng) && lat >= 3.0 && lat <= 54.0 && lng >= 73.0 &&
           lng <= 136.0;
}
