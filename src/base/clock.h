/* The one monotonic clock for timings (stage times, rates, progress). */
#ifndef LE_BASE_CLOCK_H
#define LE_BASE_CLOCK_H

/* Seconds on CLOCK_MONOTONIC: only differences mean anything. */
double le_now_seconds(void);

#endif
