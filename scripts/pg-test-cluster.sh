#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster.
#
#   scripts/pg-test-cluster.sh COMMAND [ARG...]
#
# Creates a cluster with Debian's PostgreSQL server binaries (initdb, pg_ctl)
# in a temporary directory, listening only on a unix socket in a private
# directory (no TCP), runs COMMAND with the environment below, then stops
# the cluster and removes the directory, whatever COMMAND's outcome.  Exits
# with COMMAND's exit status.
#
# Environment given to COMMAND:
#   TRYTOND_DATABASE_URI  postgresql://postgres@/?host=<socket dir>&port=<port>
#                         (trytond keeps the query string and replaces the
#                         path with the database name; psycopg/libpq read
#                         host=<directory> as a unix socket directory)
#   PGHOST PGPORT PGUSER  the same, for psql, pg_dump, pg_restore...
#   PATH                  with the server's bin directory first
#
# Every database created in the cluster has the btree_gist extension, as
# the DMS's PostgreSQL set-up asks.
#
# Settings (environment):
#   PG_BINDIR   server binaries (default /usr/lib/postgresql/15/bin, else the
#               newest /usr/lib/postgresql/*/bin)
#   PG_PORT     port number, which only names the socket file
#               (default: a random one in 20000-29999)
#   PG_TMPDIR   where the temporary directory is made (default $TMPDIR or /tmp)
#
# As root, the server runs as the `postgres` system user (PostgreSQL refuses
# to run as root); otherwise as the current user.  The superuser role is
# always `postgres`, trusted on the socket.  Durability is switched off
# (fsync, synchronous_commit, full_page_writes): the data is thrown away.
set -euo pipefail

if [ $# -eq 0 ]; then
    sed -n '2,30p' "$0" >&2
    exit 2
fi

if [ -z "${PG_BINDIR:-}" ]; then
    if [ -x /usr/lib/postgresql/15/bin/initdb ]; then
        PG_BINDIR=/usr/lib/postgresql/15/bin
    else
        PG_BINDIR=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null \
            | sort -V | tail -n 1 || true)
    fi
fi
if [ -z "$PG_BINDIR" ] || [ ! -x "$PG_BINDIR/initdb" ] \
        || [ ! -x "$PG_BINDIR/pg_ctl" ]; then
    echo "pg-test-cluster: PostgreSQL server binaries not found" \
        "(looked for /usr/lib/postgresql/15/bin/initdb)." >&2
    echo "pg-test-cluster: install Debian's server package:" \
        "apt-get install postgresql-15 (.ci/run does it)." >&2
    exit 3
fi

PG_PORT=${PG_PORT:-$((20000 + RANDOM % 10000))}
tmp=$(mktemp -d "${PG_TMPDIR:-${TMPDIR:-/tmp}}/dms-pg.XXXXXX")
data="$tmp/data"
sockets="$tmp/sockets"
mkdir -p "$data" "$sockets"

if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
        echo "pg-test-cluster: running as root needs the 'postgres'" \
            "system user (made by the postgresql-common package)." >&2
        rm -rf "$tmp"
        exit 3
    fi
    chown -R postgres: "$tmp"
    chmod 755 "$tmp"
    as_server() { (cd "$tmp" && runuser -u postgres -- "$@"); }
else
    as_server() { (cd "$tmp" && "$@"); }
fi

started=
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -n "$started" ]; then
        as_server "$PG_BINDIR/pg_ctl" stop -D "$data" -m immediate -s \
            >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

as_server "$PG_BINDIR/initdb" -D "$data" -U postgres --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 --no-instructions >"$tmp/initdb.log" 2>&1 \
    || { cat "$tmp/initdb.log" >&2; exit 4; }

started=1
as_server "$PG_BINDIR/pg_ctl" start -D "$data" -w -t 60 -s \
    -l "$tmp/server.log" \
    -o "-c listen_addresses='' -c unix_socket_directories='$sockets'" \
    -o "-p $PG_PORT -c fsync=off -c synchronous_commit=off" \
    -o "-c full_page_writes=off -c max_connections=200" \
    || { cat "$tmp/server.log" >&2; exit 4; }

export PGHOST="$sockets" PGPORT="$PG_PORT" PGUSER=postgres
export TRYTOND_DATABASE_URI="postgresql://postgres@/?host=$sockets&port=$PG_PORT"
export PATH="$PG_BINDIR:$PATH"
# What a DBA does once for the DMS: btree_gist lets PostgreSQL hold the
# bookings' no-overlap exclusion constraint.  In both templates, so that
# every database created in the cluster has it: createdb copies template1,
# trytond's tests create theirs from template0.
for template in template1 template0; do
    psql -q -X -d postgres \
        -c "ALTER DATABASE $template ALLOW_CONNECTIONS true" >/dev/null \
        || exit 4
    psql -q -X -d "$template" \
        -c 'CREATE EXTENSION IF NOT EXISTS btree_gist' >/dev/null || exit 4
done
psql -q -X -d postgres \
    -c "ALTER DATABASE template0 ALLOW_CONNECTIONS false" >/dev/null || exit 4
echo "pg-test-cluster: PostgreSQL $("$PG_BINDIR/postgres" -V | awk '{print $3}')" \
    "on $sockets port $PG_PORT" >&2

"$@"
