# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 and exports OPENLEDGER_TEST_PG_URL.
# Source, don't run. Order: a URL the caller set; a server already answering (the project's
# machines run one with trust auth); a local cluster that is installed but stopped; otherwise
# install Debian's package (needs root) and start it with a password we set.
# shellcheck shell=bash

pg_answers() {
  pg_isready -q -h 127.0.0.1 -p 5432 -t 3 2>/dev/null
}

ensure_postgres() {
  if [ -n "${OPENLEDGER_TEST_PG_URL:-}" ]; then
    say "PostgreSQL for tests: $OPENLEDGER_TEST_PG_URL (from the environment)"
    return
  fi
  export OPENLEDGER_TEST_PG_URL="postgres://postgres@127.0.0.1:5432/postgres"
  if command -v pg_isready >/dev/null 2>&1 && pg_answers; then
    if psql "$OPENLEDGER_TEST_PG_URL" -qtAc 'select 1' >/dev/null 2>&1; then
      say "PostgreSQL for tests: the server on 127.0.0.1:5432"
      return
    fi
  fi
  if [ "$(id -u)" -ne 0 ]; then
    die "no PostgreSQL answers on 127.0.0.1:5432 and we are not root to install one; start one and set OPENLEDGER_TEST_PG_URL"
  fi
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    say "installing PostgreSQL (Debian package)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  local version
  version="$(ls /etc/postgresql | sort -V | tail -1)"
  [ -n "$version" ] || die "postgresql installed but no cluster found under /etc/postgresql"
  say "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
  for _ in $(seq 1 30); do pg_answers && break; sleep 1; done
  pg_answers || die "PostgreSQL $version did not start (see /var/log/postgresql/)"
  # A fresh Debian cluster wants a password over TCP: give the postgres role one for the tests.
  if ! psql "$OPENLEDGER_TEST_PG_URL" -qtAc 'select 1' >/dev/null 2>&1; then
    su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'openledger'\"" >/dev/null
    export OPENLEDGER_TEST_PG_URL="postgres://postgres:openledger@127.0.0.1:5432/postgres"
  fi
  psql "$OPENLEDGER_TEST_PG_URL" -qtAc 'select 1' >/dev/null || die "cannot log in to PostgreSQL at $OPENLEDGER_TEST_PG_URL"
}

# Databases left behind by killed test runs (see testkit/src/pg.rs for the prefix).
drop_stale_test_databases() {
  psql "$OPENLEDGER_TEST_PG_URL" -qtAc \
    "select datname from pg_database where datname like 'openledger\_test\_%'" 2>/dev/null |
    while read -r db; do
      [ -n "$db" ] && psql "$OPENLEDGER_TEST_PG_URL" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
    done
}
