/*
 * The steps of the mock client engine that both drivers run (see flow.h),
 * fourth part: fetching and polling an order.
 */
#include <stdlib.h>
#include <string.h>

#include "mockclient/flow.h"

void acs_flow_step_fetch_order(struct acs_acme_session *s, const struct acs_flow_io *io,
                               const struct acs_flow_poll_order_opts *o,
                               struct acs_flow_result *res)
{
	struct acs_acme_order *order = o->order;
	const struct acs_acme_resp *r;
	int ok;

	(void)s;
	acs_flow_res_begin(res);
	if (o->get) {
		if (io->get(io->ctx, order->url, &res->resp, &res->err) != 0) {
			acs_flow_res_fail_err(res, ACS_FLOW_HARNESS, &res->err);
			return;
		}
	} else if (acs_flow_res_post(io, order->url, &o->who, o->payload, "order", res) != 0) {
		return;
	}
	r = res->resp;
	ok = o->any_2xx ? r->http->status / 100 == 2 : r->http->status == 200;
	if (!ok || !json_is_object(r->json)) {
		acs_flow_res_status(res, "order", "200 with a JSON object");
		return;
	}
	if (o->keep != NULL) {
		/* the order is kept (and checked against its first form) on every fetch */
		if (o->keep(o->ctx, r->json, &res->err) != 0) {
			acs_flow_res_fail_err(res, ACS_FLOW_OUTCOME, &res->err);
			res->malformed = res->err.code == ACS_E_PARSE;
		}
		return;
	}
	json_decref(order->obj);
	order->obj = json_incref(r->json);
}

/* One poll of an order. */
struct order_poll {
	struct acs_acme_session *s;
	const struct acs_flow_io *io;
	const struct acs_flow_poll_order_opts *o;
	struct acs_flow_result *res;
};

static int order_poll_fetch(void *ctx, const struct acs_acme_resp **r, struct acs_err *err)
{
	struct order_poll *op = ctx;

	acs_flow_step_fetch_order(op->s, op->io, op->o, op->res);
	if (op->res->kind != ACS_FLOW_DONE)
		return acs_err_set(err, op->res->err.code != 0 ? op->res->err.code : ACS_E_STATE,
		                   "order fetch failed");
	*r = op->res->resp;
	return 0;
}

void acs_flow_step_poll_order(struct acs_acme_session *s, const struct acs_flow_io *io,
                              const struct acs_flow_poll_order_opts *o, struct acs_flow_result *res)
{
	struct order_poll op = {s, io, o, res};
	char *e;

	acs_flow_res_begin(res);
	acs_flow_res_poll(res, "order", order_poll_fetch, &op, o->until, o->waiting, &o->wait,
	                  o->deadline);
	if (res->kind != ACS_FLOW_DONE || !o->invalid_fails ||
	    strcmp(json_string_value(json_object_get(o->order->obj, "status")), "invalid") != 0)
		return;
	e = json_dumps(json_object_get(o->order->obj, "error"), JSON_COMPACT);
	acs_flow_res_fail(res, ACS_FLOW_OUTCOME, NULL, ACS_E_STATE, "order is invalid%s%.300s",
	                  e != NULL ? ": " : "", e != NULL ? e : "");
	free(e);
}
