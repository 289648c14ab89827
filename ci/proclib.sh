#!/usr/bin/env bash
# Processes a CI script started (sourced by ci/pebble.sh and ci/caddy.sh):
#
#   proc_kill PID              TERM, wait up to 5 s, then KILL; reaps it
#   proc_watchdog PARENT CHILD a background watcher that TERMs CHILD when
#                              PARENT dies without running its traps
#                              (SIGKILL from a test runner's timeout); its
#                              pid lands in PROC_WATCHDOG_PID

PROC_WATCHDOG_PID=

proc_kill() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

proc_watchdog() {
  local parent=$1 child=$2
  (
    trap - EXIT INT TERM
    while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do
      sleep 1
    done
    kill -TERM "$child" 2>/dev/null || true
  ) </dev/null >/dev/null 2>&1 &
  PROC_WATCHDOG_PID=$!
}
