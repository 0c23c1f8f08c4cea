#!/usr/bin/env bash
# Measures how many connections the bus still holds after its first-byte deadline when
# SOCKETS clients connect and never send a byte. See bench/README.md.
# Environment: SOCKETS (default 5000), FIRST_BYTE (seconds, default 10),
# BIN (a lienthong binary; default: build and use target/release/lienthong).
set -euo pipefail

SOCKETS=${SOCKETS:-5000}
FIRST_BYTE=${FIRST_BYTE:-10}
HOST=127.0.0.1
PORT=18180
ADMIN=127.0.0.1:19190

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d -t lienthong-silent-XXXXXX)
bus_pid=""

say() { printf '%s\n' "$*" >&2; }
fail() {
    say "silent-sockets: $*"
    exit 1
}
cleanup() {
    if [[ -n $bus_pid ]] && kill -0 "$bus_pid" 2>/dev/null; then
        kill "$bus_pid" 2>/dev/null || true
        wait "$bus_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

command -v curl >/dev/null || fail "curl is missing (Debian: apt-get install -y curl)"
# The clients' sockets are this shell's file descriptors.
ulimit -n $((SOCKETS + 256)) 2>/dev/null ||
    fail "cannot raise the file-descriptor limit to $((SOCKETS + 256)) (ulimit -n)"

if [[ -z ${BIN:-} ]]; then
    say "building (cargo build --release)"
    (cd "$root" && cargo build --release --locked) >&2
    BIN=$root/target/release/lienthong
fi

# Room for every socket, so that the deadline (not the connection cap) is measured.
cat >"$work/bus.toml" <<EOF
[server]
listen = "$HOST:$PORT"
admin_listen = "$ADMIN"
first_byte_timeout = "${FIRST_BYTE}s"
max_connections = $((SOCKETS + 100))
[storage]
data_dir = "$work/data"
EOF
"$BIN" serve --config "$work/bus.toml" >"$work/bus.log" 2>&1 &
bus_pid=$!
for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "http://$ADMIN/healthz" 2>/dev/null && break
    kill -0 "$bus_pid" 2>/dev/null || { tail -n 20 "$work/bus.log" >&2; fail "the bus exited"; }
    sleep 0.1
done
curl -fsS -o /dev/null "http://$ADMIN/healthz" || fail "the bus did not start within 30 s"

# Descriptors the bus holds, and API connections it has established.
bus_fds() { find "/proc/$bus_pid/fd" -mindepth 1 -maxdepth 1 | wc -l; }
established() { ss -Htn state established "( sport = :$PORT )" | wc -l; }

baseline=$(bus_fds)
say "opening $SOCKETS silent connections"
sockets=()
for _ in $(seq 1 "$SOCKETS"); do
    exec {fd}<>"/dev/tcp/$HOST/$PORT"
    sockets+=("$fd")
done
sleep 0.5
held_open=$(($(bus_fds) - baseline))
established_open=$(established)
say "waiting for the first-byte deadline (${FIRST_BYTE}s) and a second more"
sleep $((FIRST_BYTE + 1))
held_after=$(($(bus_fds) - baseline))
established_after=$(established)
closed=$(curl -fsS "http://$ADMIN/metrics" |
    awk '/^lienthong_connection_deadlines_total\{listener="api",phase="first_byte"\}/ { print $2 }')
for fd in "${sockets[@]}"; do
    exec {fd}>&-
done

printf '| silent sockets | first_byte_timeout | held by the bus at once | held after the deadline | established after | closed by first_byte deadline |\n'
printf '| --- | --- | --- | --- | --- | --- |\n'
printf '| %s | %ss | %s fds (%s established) | %s fds | %s | %s |\n' \
    "$SOCKETS" "$FIRST_BYTE" "$held_open" "$established_open" "$held_after" \
    "$established_after" "${closed:-0}"
