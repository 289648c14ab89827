/*
 * Clocks and sleeps, in one place: monotonic time for every bound and
 * poll, wall-clock time for timestamps, and sleeps that resume after a
 * signal interrupts them.
 */
#ifndef ACMESPEC_CLOCK_H
#define ACMESPEC_CLOCK_H

#include <stdint.h>

/* Seconds on the monotonic clock (for deadlines and durations). */
double acs_clock_mono(void);

/* Milliseconds on the monotonic clock. */
int64_t acs_clock_mono_ms(void);

/* Seconds since the epoch, with fractions (for timestamps). */
double acs_clock_real(void);

/* Sleep ms milliseconds (nothing for ms <= 0), resuming after EINTR. */
void acs_sleep_ms(long ms);

/* Sleep s seconds (nothing for s <= 0), resuming after EINTR. */
void acs_sleep_s(double s);

#endif
