/* unit.h - what every cmocka test file includes. */
#ifndef WLK_UNIT_H
#define WLK_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#endif
