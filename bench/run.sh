#!/usr/bin/env bash
# Measures the unified API of the demo with wrk: a cached lookup, the same lookup
# bypassing the cache, and the same lookup through an nginx proxy_cache for comparison.
# See bench/README.md. Environment: DURATION (seconds per run, default 10).
set -euo pipefail

DURATION=${DURATION:-10}
THREADS=2
CONNECTIONS=32
WIDE_CONNECTIONS=128
BUS=127.0.0.1:18080
ADMIN=127.0.0.1:19090
NGINX=127.0.0.1:18081
LOOKUP=/v1/enterprises/1200123459
AUTHORIZATION="ApiKey demo-key"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d -t lienthong-bench-XXXXXX)
results=$(mktemp -d -t lienthong-bench-results-XXXXXX)
bus_pid=""
nginx_pid=""

say() { printf '%s\n' "$*" >&2; }
fail() {
    say "bench: $*"
    exit 1
}

stop() {
    local pid=$1
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
}

cleanup() {
    stop "$nginx_pid"
    stop "$bus_pid"
    rm -rf "$work"
}
trap cleanup EXIT

# Waits until `curl` succeeds on $1, while process $2 is still running (log in $3).
wait_for() {
    local url=$1 pid=$2 log=$3
    for _ in $(seq 1 300); do
        if curl -fsS -o /dev/null "$url" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 20 "$log" >&2 || true
            fail "the process serving $url exited"
        fi
        sleep 0.1
    done
    tail -n 20 "$log" >&2 || true
    fail "$url did not answer within 30 s"
}

# Latency as wrk prints it (`850.00us`, `1.20ms`, `2.01s`) in milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
        else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
        else { printf "nan" }
    }'
}

# Requests the business-registry simulator has received so far.
partner_requests() {
    curl -fsS "$registry/__sim/stats" | sed -n 's/^{"requests":\([0-9]*\).*/\1/p'
}

# Runs wrk against URL $2 with extra arguments, saving its output as $results/$1.txt
# and the number of requests that reached the partner as $results/$1.partner.
measure() {
    local name=$1 url=$2 before after
    shift 2
    say "measuring $name: $url (${DURATION}s)"
    before=$(partner_requests)
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" "$url" \
        >"$results/$name.txt"
    after=$(partner_requests)
    echo $((after - before)) >"$results/$name.partner"
}

# "requests/s p50_ms p99_ms errors partner_requests" from a saved measurement.
summary() {
    local file=$results/$1.txt rps p50 p99 errors
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$file")
    p50=$(awk '$1 == "50%" { print $2 }' "$file")
    p99=$(awk '$1 == "99%" { print $2 }' "$file")
    errors=$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
        /Socket errors:/ { for (i = 3; i <= NF; i++) { gsub(/,/, "", $i); if ($i ~ /^[0-9]+$/) n += $i } }
        END { print n + 0 }' "$file")
    [[ -n $rps && -n $p50 && -n $p99 ]] || fail "cannot read wrk output $file"
    printf '%s %s %s %s %s\n' "$rps" "$(to_ms "$p50")" "$(to_ms "$p99")" "$errors" \
        "$(cat "$results/$1.partner")"
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'
}

# --- tools -------------------------------------------------------------------------
command -v wrk >/dev/null || fail "wrk is missing (Debian: apt-get install -y wrk)"
command -v curl >/dev/null || fail "curl is missing (Debian: apt-get install -y curl)"
# Debian installs nginx in /usr/sbin, which is not on every user's PATH.
nginx_bin=$(PATH=$PATH:/usr/sbin command -v nginx || true)
if [[ -z $nginx_bin ]]; then
    if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
        say "installing nginx"
        DEBIAN_FRONTEND=noninteractive apt-get install -y nginx >&2
        nginx_bin=/usr/sbin/nginx
    else
        fail "nginx is missing (Debian: sudo apt-get install -y nginx)"
    fi
fi

# --- the bus -----------------------------------------------------------------------
say "building (cargo build --release)"
(cd "$root" && cargo build --release) >&2
bus_log=$work/bus.log
mkdir -p "$work/data"
"$root/target/release/lienthong" demo --listen "$BUS" --admin-listen "$ADMIN" \
    --latency-median-ms 0 --latency-p99-ms 0 --data-dir "$work/data" >"$bus_log" 2>&1 &
bus_pid=$!
wait_for "http://$ADMIN/healthz" "$bus_pid" "$bus_log"
# The demo prints where each simulator listens: "sim    business-registry    http://…".
registry=$(awk '$1 == "sim" && $2 == "business-registry" { print $3 }' "$bus_log")
[[ -n $registry ]] || fail "cannot find the business-registry simulator in $bus_log"
curl -fsS -o /dev/null -H "Authorization: $AUTHORIZATION" "http://$BUS$LOOKUP" ||
    fail "the warm-up lookup failed"

measure hit "http://$BUS$LOOKUP" -H "Authorization: $AUTHORIZATION"
# More concurrent requests make larger audit batches: one commit serves more answers.
CONNECTIONS=$WIDE_CONNECTIONS measure wide "http://$BUS$LOOKUP" -H "Authorization: $AUTHORIZATION"
measure miss "http://$BUS" -s "$root/bench/distinct.lua"
measure bypass "http://$BUS$LOOKUP" -H "Authorization: $AUTHORIZATION" -H "Cache-Control: no-cache"

# --- nginx proxy_cache in front of the bus -----------------------------------------
nginx_dir=$work/nginx
mkdir -p "$nginx_dir"
# Workers may run as another user when started by root: let them reach their paths.
chmod 755 "$work" "$nginx_dir"
cat >"$nginx_dir/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $nginx_dir/nginx.pid;
error_log $nginx_dir/error.log warn;
events {
    worker_connections 1024;
}
http {
    access_log off;
    client_body_temp_path $nginx_dir/client_body;
    proxy_temp_path $nginx_dir/proxy_temp;
    fastcgi_temp_path $nginx_dir/fastcgi_temp;
    uwsgi_temp_path $nginx_dir/uwsgi_temp;
    scgi_temp_path $nginx_dir/scgi_temp;
    proxy_cache_path $nginx_dir/cache levels=1:2 keys_zone=bench:10m max_size=64m inactive=1h use_temp_path=off;
    upstream bus {
        server $BUS;
        keepalive 32;
    }
    server {
        listen $NGINX;
        location / {
            proxy_pass http://bus;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Authorization "$AUTHORIZATION";
            proxy_cache bench;
            proxy_cache_valid 200 1h;
            proxy_cache_lock on;
            # The bus marks answers for its client only; this cache serves one client.
            proxy_ignore_headers Cache-Control Expires Set-Cookie Vary;
            add_header X-Cache-Status \$upstream_cache_status always;
        }
    }
}
EOF
"$nginx_bin" -p "$nginx_dir" -c "$nginx_dir/nginx.conf" -e "$nginx_dir/error.log" \
    >"$nginx_dir/stdout.log" 2>&1 &
nginx_pid=$!
wait_for "http://$NGINX$LOOKUP" "$nginx_pid" "$nginx_dir/error.log"
cache_status=$(curl -fsS -o /dev/null -D - "http://$NGINX$LOOKUP" |
    awk -F': *' 'tolower($1) == "x-cache-status" { gsub(/\r/, "", $2); print $2 }')
[[ $cache_status == HIT ]] || fail "nginx does not serve the lookup from its cache ($cache_status)"

measure nginx "http://$NGINX$LOOKUP"

# --- report ------------------------------------------------------------------------
hit=$(summary hit)
wide=$(summary wide)
miss=$(summary miss)
bypass=$(summary bypass)
proxied=$(summary nginx)
read -r hit_rps hit_p50 hit_p99 hit_errors hit_partner <<<"$hit"
read -r wide_rps wide_p50 wide_p99 wide_errors wide_partner <<<"$wide"
read -r miss_rps miss_p50 miss_p99 miss_errors miss_partner <<<"$miss"
read -r bypass_rps bypass_p50 bypass_p99 bypass_errors bypass_partner <<<"$bypass"
read -r nginx_rps nginx_p50 nginx_p99 nginx_errors nginx_partner <<<"$proxied"

row() { printf '%-20s %12s %10s %10s %8s %14s\n' "$@"; }
echo
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s; hit, bypass and nginx: GET $LOOKUP;"
echo "miss: a different enterprise code per request (404 not found, one partner call each)"
row "" "requests/s" "p50 ms" "p99 ms" "non-2xx" "partner calls"
row "bus hit" "$hit_rps" "$hit_p50" "$hit_p99" "$hit_errors" "$hit_partner"
row "bus hit -c$WIDE_CONNECTIONS" "$wide_rps" "$wide_p50" "$wide_p99" "$wide_errors" "$wide_partner"
row "bus miss" "$miss_rps" "$miss_p50" "$miss_p99" "$miss_errors" "$miss_partner"
row "bus bypass" "$bypass_rps" "$bypass_p50" "$bypass_p99" "$bypass_errors" "$bypass_partner"
row "nginx hit" "$nginx_rps" "$nginx_p50" "$nginx_p99" "$nginx_errors" "$nginx_partner"
echo
echo "bus hit / nginx hit, requests/s: $(ratio "$hit_rps" "$nginx_rps")"
echo "miss / hit, requests/s:          $(ratio "$miss_rps" "$hit_rps")"
echo "miss / hit, p50 latency:         $(ratio "$miss_p50" "$hit_p50")"
echo
echo "raw wrk outputs: $results"
# The miss run's answers are 404 by design: count only socket errors there.
if ((hit_errors + wide_errors + bypass_errors + nginx_errors > 0)); then
    say "bench: some requests failed (non-2xx or socket errors); see the raw outputs"
fi
