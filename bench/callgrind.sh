#!/usr/bin/env bash
# Instructions per proxied request, counted by valgrind's callgrind: a figure that stays put on
# a noisy machine, where req/s and CPU time move by 10% from run to run. See bench/README.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

REQUESTS=5000
CONNECTIONS=8
SCHEME=http
HTTP2=0
CLOSE=0
CLOSE_SECONDS=10
FLOOR=0
OUT=""

usage() {
    cat <<EOF
usage: bench/callgrind.sh [--requests N] [--connections N] [--https | --http2] [--close] [--floor] [--out FILE]

Starts the two bench backends and Portico (local mode, --workers 1) under callgrind, with
instrumentation off until start-up is done; sends N keep-alive GETs with h2load --h1 (after a
warm-up of 400; HTTP/2: 10 streams per connection), and prints the instructions Portico ran per
request. The callgrind file is
kept (--out, default bench/results/callgrind.out) for callgrind_annotate.

  --requests N     requests counted (default $REQUESTS)
  --connections N  h2load client connections (default $CONNECTIONS)
  --https          over TLS 1.3 instead of plain HTTP
  --close          a new connection per request, as in scenario (b) (with --https: (d)):
                   wrk with Connection: close for $CLOSE_SECONDS s instead of h2load, and the
                   requests it completed count (--requests is ignored)
  --http2          HTTP/2 over TLS 1.3, as in scenario (e)
  --floor          count bench/floor's program instead of Portico: nio-relay-floor for plain
                   HTTP, nio-h2-floor with --http2 (see bench/floor.sh)
  --out FILE       where the callgrind file goes
EOF
}

while (($# > 0)); do
    case $1 in
    --requests) REQUESTS=${2:?}; shift ;;
    --connections) CONNECTIONS=${2:?}; shift ;;
    --https) SCHEME=https ;;
    --close) CLOSE=1 ;;
    --http2) SCHEME=https HTTP2=1 ;;
    --floor) FLOOR=1 ;;
    --out) OUT=${2:?}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) log "unknown argument $1"; usage >&2; exit 2 ;;
    esac
    shift
done

# Starts PROGRAM (a bench/floor program) under callgrind with the remaining arguments given to
# valgrind, after the backends, in place of Portico: sets PORTICO_PID and the port it serves
# (PORTICO_HTTP for the relay, PORTICO_HTTPS for the HTTP/2 floor).
start_floor_under_callgrind() {
    local program=$1 stripped
    shift
    gen_cert "$BENCH_TMP"
    start_backends
    stripped="$BENCH_TMP/$(basename "$program")-nodebug"
    strip --strip-debug -o "$stripped" "$program"
    local port
    port=$(free_port)
    if ((HTTP2 == 1)); then
        PORTICO_HTTPS=$port
        spawn "$BENCH_TMP/floor.log" valgrind --tool=callgrind "$@" "$stripped" "$port" "$BENCH_TMP/bench.crt" "$BENCH_TMP/bench.key"
    else
        PORTICO_HTTP=$port
        spawn "$BENCH_TMP/floor.log" valgrind --tool=callgrind "$@" "$stripped" "$port" "$BACKEND1_PORT" "$BACKEND2_PORT"
    fi
    PORTICO_PID=$SPAWNED_PID
    for _ in 1 2 3 4 5 6; do
        wait_port "$port" && return 0
        kill -0 "$PORTICO_PID" 2>/dev/null || break
    done
    tail -n 20 "$BENCH_TMP/floor.log" >&2 || true
    return 1
}

main() {
    require_tools nginx h2load openssl curl ss
    ((CLOSE == 0)) || require_tools wrk
    ((CLOSE == 0 || HTTP2 == 0)) || die "--close is for HTTP/1.1 (--http2 keeps its connections)"
    if ! command -v valgrind >/dev/null 2>&1 || ! command -v callgrind_control >/dev/null 2>&1; then
        die "valgrind is missing: sudo apt-get install valgrind"
    fi
    local program
    if ((FLOOR == 1)); then
        ((CLOSE == 0)) && [[ "$SCHEME" == http || "$HTTP2" == 1 ]] ||
            die "--floor is for plain keep-alive HTTP (nio-relay-floor) or --http2 (nio-h2-floor)"
        build_floors 0
        program=$FLOOR_BIN_DIR/nio-relay-floor
        ((HTTP2 == 0)) || program=$FLOOR_BIN_DIR/nio-h2-floor
    else
        ensure_portico 0 || die "no portico binary at $(portico_binary) (build it, set PORTICO_BIN, or run bench/run.sh --build)"
        program=$(portico_binary)
    fi
    mkdir -p "$BENCH_DIR/results"
    OUT=${OUT:-$BENCH_DIR/results/callgrind.out}
    bench_init
    if ((FLOOR == 1)); then
        start_floor_under_callgrind "$program" --instr-atstart=no --callgrind-out-file="$BENCH_TMP/callgrind.%p" ||
            die "$program did not start under callgrind"
    else
        start_portico_under_callgrind --instr-atstart=no --callgrind-out-file="$BENCH_TMP/callgrind.%p" ||
            die "portico did not start under callgrind"
    fi

    local port
    if [[ "$SCHEME" == https ]]; then port=$PORTICO_HTTPS; else port=$PORTICO_HTTP; fi
    local url="$SCHEME://127.0.0.1:$port/" load=(h2load --h1 -c "$CONNECTIONS" -H ":authority: bench.local")
    ((HTTP2 == 0)) || load=(h2load -m 10 -c "$CONNECTIONS" -H ":authority: bench.local")
    if ((CLOSE == 1)); then
        # wrk cannot stop after N requests; it runs for a time and says how many completed.
        local close_load=(wrk -t1 -c "$CONNECTIONS" -H "Host: bench.local" -H "Connection: close")
        "${close_load[@]}" -d 3s "$url" >/dev/null 2>&1 || true
        callgrind_control -i on "$PORTICO_PID" >/dev/null
        "${close_load[@]}" -d "${CLOSE_SECONDS}s" "$url" >"$BENCH_TMP/wrk.txt" 2>&1 || true
        callgrind_control -i off "$PORTICO_PID" >/dev/null
        callgrind_control -d "$PORTICO_PID" >/dev/null
        REQUESTS=$(awk '/requests in/ { print $1 }' "$BENCH_TMP/wrk.txt")
        ((${REQUESTS:-0} > 0)) || die "wrk completed no request: $(cat "$BENCH_TMP/wrk.txt")"
        ! grep -q "Non-2xx" "$BENCH_TMP/wrk.txt" || die "wrk saw errors: $(cat "$BENCH_TMP/wrk.txt")"
    else
        "${load[@]}" -n 400 "$url" >/dev/null 2>&1 || true
        callgrind_control -i on "$PORTICO_PID" >/dev/null
        "${load[@]}" -n "$REQUESTS" "$url" >"$BENCH_TMP/h2load.txt" 2>&1 || true
        callgrind_control -i off "$PORTICO_PID" >/dev/null
        callgrind_control -d "$PORTICO_PID" >/dev/null

        local succeeded
        succeeded=$(awk '/^requests:/ { print $8 }' "$BENCH_TMP/h2load.txt")
        [[ "$succeeded" == "$REQUESTS" ]] || die "only ${succeeded:-0} of $REQUESTS requests succeeded: $(cat "$BENCH_TMP/h2load.txt")"
    fi
    local dump
    dump=$(find "$BENCH_TMP" -maxdepth 1 -name 'callgrind.*.1' -print -quit)
    [[ -n "$dump" ]] || die "callgrind wrote no dump"
    cp "$dump" "$OUT"
    local total
    total=$(callgrind_annotate "$OUT" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
    if ((CLOSE == 1)); then
        printf '%s: %s requests, each on a new connection, %s at a time (%s)\n' \
            "$program" "$REQUESTS" "$CONNECTIONS" "$SCHEME"
    else
        printf '%s: %s keep-alive requests over %s connections (%s%s)\n' \
            "$program" "$REQUESTS" "$CONNECTIONS" "$SCHEME" "$( ((HTTP2 == 0)) || echo ", HTTP/2")"
    fi
    printf 'instructions per request: %d\n' $((total / REQUESTS))
    printf 'callgrind file: %s (callgrind_annotate --inclusive=yes %s | less)\n' "$OUT" "$OUT"
}

main
