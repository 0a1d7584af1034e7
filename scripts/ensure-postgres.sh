#!/usr/bin/env bash
# Makes sure the PostgreSQL in CMHUB_TEST_PG answers. A local cluster that
# is installed but stopped is started. With CI=true an unreachable server
# fails the run; elsewhere the PostgreSQL tests are skipped with a notice.
set -u
url=${CMHUB_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
ready() { command -v pg_isready >/dev/null && pg_isready -q -d "$url" 2>/dev/null; }
ready && exit 0
if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  for v in $(ls /etc/postgresql); do
    echo "starting PostgreSQL $v"
    pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>&1 || true
  done
  for _ in $(seq 1 30); do ready && exit 0; sleep 1; done
fi
if [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is required in CI but does not answer at $url" >&2
  exit 1
fi
echo "NOTICE: PostgreSQL does not answer at $url; its tests will be skipped (set CMHUB_TEST_PG)" >&2
exit 0
