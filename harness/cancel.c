/* Stopping a run early (harness/cancel.h). */
#include "harness/cancel.h"

#include <signal.h>

static volatile sig_atomic_t cancel_sig;

void acs_cancel_request(int sig)
{
	__atomic_store_n(&cancel_sig, sig, __ATOMIC_SEQ_CST);
}

int acs_cancel_signal(void)
{
	return (int)__atomic_load_n(&cancel_sig, __ATOMIC_SEQ_CST);
}

void acs_cancel_reset(void)
{
	__atomic_store_n(&cancel_sig, 0, __ATOMIC_SEQ_CST);
}
