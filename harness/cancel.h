/*
 * Stopping a run early: a signal handler asks (acs_cancel_request, async-
 * signal-safe); the runner stops taking cases and a running child's
 * process group is stopped (harness/proc.c). The front end decides what
 * the signal means for the exit code.
 */
#ifndef ACMESPEC_CANCEL_H
#define ACMESPEC_CANCEL_H

/* Ask the run to stop, because of signal sig (> 0). Async-signal-safe. */
void acs_cancel_request(int sig);

/* 0 while no stop was asked for, else the signal given to acs_cancel_request. */
int acs_cancel_signal(void);

/* Forget a request (tests, and a front end running a second time). */
void acs_cancel_reset(void);

#endif
