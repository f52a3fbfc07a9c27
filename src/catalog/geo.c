/* geo.c - coordinates: GCJ-02 (the datum of Chinese maps, which the
 * catalogue stores) to BD-09 (Baidu's, derived on write) and back, and
 * distances. */
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
