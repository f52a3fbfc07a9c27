/* idcard.c - the 18-digit resident identity card number (GB 11643-1999):
 * region, birth date, sequence (its parity is the holder's sex) and the
 * ISO 7064 MOD 11-2 check character; ages from the birth date. Pure. */
#include "identity/identity.h"

#include <stdio.h>
#include <string.h>

/* the first two digits: provinces, Hong Kong/Macao/Taiwan (81-83), 91 abroad */
static bool province(int p)
{
    static const int known[] = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34,
                                35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
                                53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (known[i] == p)
            return true;
    return false;
}

static bool valid_date(int y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return y >= 1900 && m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1] + (m == 2 && leap);
}

char identity_id_check_char(const char *first17)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (first17[i] - '0') * w[i];
    return "10X98765432"[sum % 11];
}

int identity_id_parse(const char *s, int today, identity_id_t *out)
{
    memset(out, 0, sizeof(*out));
    if (s == NULL || strlen(s) != 18)
        return IDENTITY_ID_LENGTH;
    for (int i = 0; i < 17; i++)
        if (s[i] < '0' || s[i] > '9')
            return IDENTITY_ID_DIGITS;
    char last = s[17] == 'x' ? 'X' : s[17];
    if (!(last == 'X' || (last >= '0' && last <= '9')))
        return IDENTITY_ID_DIGITS;
    if (!province((s[0] - '0') * 10 + (s[1] - '0')))
        return IDENTITY_ID_REGION;
    int y, m, d;
    if (sscanf(s + 6, "%4d%2d%2d", &y, &m, &d) != 3 || !valid_date(y, m, d) ||
        y * 10000 + m * 100 + d > today)
        return IDENTITY_ID_BIRTH;
    if (identity_id_check_char(s) != last)
        return IDENTITY_ID_CHECKSUM;
    memcpy(out->number, s, 17);
    out->number[17] = last;
    out->birth = y * 10000 + m * 100 + d;
    out->male = (s[16] - '0') % 2 == 1;
    snprintf(out->masked, sizeof(out->masked), "%.2s**************%.2s", s, out->number + 16);
    return 0;
}

int identity_age(int birth, int today)
{
    int age = today / 10000 - birth / 10000;
    if (today % 10000 < birth % 10000) /* not yet had this year's birthday */
        age--;
    return age;
}

const char *identity_id_problem(int rc)
{
    switch (rc) {
    case IDENTITY_ID_LENGTH:
        return "18 characters";
    case IDENTITY_ID_DIGITS:
        return "17 digits and a digit or X";
    case IDENTITY_ID_REGION:
        return "no such region code";
    case IDENTITY_ID_BIRTH:
        return "no such birth date";
    case IDENTITY_ID_CHECKSUM:
        return "the check character does not match";
    default:
        return "an ID card number";
    }
}
