/* score.c - review scores: means in tenths, rounded half up, in integers
 * (no floating point between the stored scores and what is shown). */
#include "reviews/reviews.h"

const char *const reviews_dimension_keys[REVIEWS_DIMENSIONS + 1] = {
    "price", "location", "transport", "amenities", "environment", NULL};
const char *const reviews_dimensions[REVIEWS_DIMENSIONS] = {"price", "location", "transport",
                                                            "amenities", "environment"};

int64_t reviews_mean_tenths(int64_t sum, int64_t count)
{
    return count > 0 ? (20 * sum + count) / (2 * count) : 0;
}
