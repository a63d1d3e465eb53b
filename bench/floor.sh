#!/usr/bin/env bash
# What SwiftNIO itself costs a request, next to nginx, HAProxy and Portico in the same run: how
# much of Portico's CPU per request is the stack it is built on, and how much is Portico's own.
# See bench/README.md ("Floors of the stack").
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

ROUNDS=3
DURATION=8
WARMUP=2
BUILD=0

usage() {
    cat <<EOF
usage: bench/floor.sh [--rounds N] [--duration S] [--build]

Starts the bench backends, nginx, HAProxy and Portico as bench/run.sh does, and two programs
built on SwiftNIO alone (bench/floor/): nio-relay-floor, which relays bytes between each client
connection and its own backend connection with no HTTP parsing, and nio-h2-floor, which serves
HTTP/2 over TLS 1.3 and answers every stream itself, with no upstream. Runs scenario (a)
(HTTP/1.1 keep-alive, wrk, 64 connections) and (e) (HTTP/2 over TLS 1.3, h2load, 16 x 10
streams) in alternating order and prints CPU microseconds per request and requests/s.
  --rounds N      rounds (default $ROUNDS)
  --duration S    seconds per run (default $DURATION)
  --build         rebuild the floor programs (they are built when missing)
EOF
}

while (($# > 0)); do
    case $1 in
    --rounds) ROUNDS=${2:?}; shift ;;
    --duration) DURATION=${2:?}; shift ;;
    --build) BUILD=1 ;;
    -h | --help) usage; exit 0 ;;
    *) log "unknown argument $1"; usage >&2; exit 2 ;;
    esac
    shift
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ && "$DURATION" =~ ^[1-9][0-9]*$ ]] || die "--rounds and --duration take positive integers"

start_floors() {
    HTTP_PORT[nio-relay-floor]=$(free_port)
    spawn "$BENCH_TMP/nio-relay-floor.log" "$FLOOR_BIN_DIR/nio-relay-floor" "${HTTP_PORT[nio-relay-floor]}" \
        "$BACKEND1_PORT" "$BACKEND2_PORT"
    MEASURE_PIDS[nio-relay-floor]=$SPAWNED_PID
    HTTPS_PORT[nio-h2-floor]=$(free_port)
    spawn "$BENCH_TMP/nio-h2-floor.log" "$FLOOR_BIN_DIR/nio-h2-floor" "${HTTPS_PORT[nio-h2-floor]}" \
        "$BENCH_TMP/bench.crt" "$BENCH_TMP/bench.key"
    MEASURE_PIDS[nio-h2-floor]=$SPAWNED_PID
    wait_port "${HTTP_PORT[nio-relay-floor]}" || die "nio-relay-floor did not start: $(cat "$BENCH_TMP/nio-relay-floor.log")"
    wait_port "${HTTPS_PORT[nio-h2-floor]}" || die "nio-h2-floor did not start: $(cat "$BENCH_TMP/nio-h2-floor.log")"
}

# One request through TARGET must come back as SCENARIO's load will see it: a 200 with a 64-byte
# body (from a backend, except from nio-h2-floor, which answers itself), over HTTP/2 for (e).
check_target() {
    local scenario=$1 target=$2 url body
    if [[ "$scenario" == a ]]; then
        url="http://127.0.0.1:${HTTP_PORT[$target]}/"
        body=$(curl -fs --max-time 5 -H "Host: bench.local" "$url") || die "$target: (a) request failed"
    else
        url="https://127.0.0.1:${HTTPS_PORT[$target]}/"
        body=$(curl -fsk --http2 --max-time 5 -H "Host: bench.local" -w '%{http_version}' "$url") ||
            die "$target: (e) request failed"
        [[ "${body: -1}" == 2 ]] || die "$target: (e) answered over HTTP/${body: -1}, not HTTP/2"
        body=${body%2}
    fi
    ((${#body} == BENCH_BODY_LENGTH)) || die "$target: ($scenario) answered a ${#body}-byte body, not $BENCH_BODY_LENGTH"
}

# Runs SCENARIO against TARGET for SECONDS; with RECORD, appends "scenario target cpu_us rps errors".
measure() {
    local scenario=$1 target=$2 seconds=$3 record=${4:-} out="$BENCH_TMP/load.txt" cpu0 cpu1 parsed
    # shellcheck disable=SC2086 # MEASURE_PIDS holds a word list of PIDs.
    cpu0=$(cpu_ticks ${MEASURE_PIDS[$target]})
    if [[ "$scenario" == a ]]; then
        wrk -t2 -c64 -d"${seconds}s" --latency -H "Host: bench.local" "http://127.0.0.1:${HTTP_PORT[$target]}/" >"$out" 2>&1 || true
        parsed=$(parse_wrk "$out")
    else
        h2load -c16 -m10 -t1 -D "$seconds" --log-file="$out.requests" -H ":authority: bench.local" \
            "https://127.0.0.1:${HTTPS_PORT[$target]}/" >"$out" 2>&1 || true
        parsed=$(parse_h2load "$out" "$out.requests")
    fi
    # shellcheck disable=SC2086
    cpu1=$(cpu_ticks ${MEASURE_PIDS[$target]})
    [[ -n "$record" ]] || return 0
    local requests rps p50 p99 errors
    read -r requests rps p50 p99 errors <<<"$parsed"
    ((requests > 0)) || die "$target: ($scenario) completed no request"
    awk -v s="$scenario" -v t="$target" -v n="$requests" -v c=$((cpu1 - cpu0)) -v hz="$(getconf CLK_TCK)" \
        -v r="$rps" -v e="$errors" 'BEGIN { printf "%s\t%s\t%.2f\t%.0f\t%d\n", s, t, c / hz * 1e6 / n, r, e }' >>"$record"
}

# Measures SCENARIO once on each TARGET, starting ROUND places into the list, so that over the
# rounds each target runs at each place (the machine's drift within a round cancels).
run_round() {
    local scenario=$1 round=$2
    shift 2
    local targets=("$@") n=$# i target
    for ((i = 0; i < n; i++)); do
        target=${targets[$(((i + round) % n))]}
        log "round $((round + 1))/$ROUNDS: ($scenario) $target"
        measure "$scenario" "$target" "$DURATION" "$RESULTS"
    done
}

# "median [min-max]" of column COL for SCENARIO and TARGET.
summary() {
    local scenario=$1 target=$2 col=$3
    awk -F'\t' -v s="$scenario" -v t="$target" -v c="$col" '$1 == s && $2 == t { print $c }' "$RESULTS" | sort -n |
        awk '{ v[NR] = $1 } END {
            if (NR == 0) { print "-"; exit }
            med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            f = (med >= 1000) ? "%.0f" : "%.1f"
            if (NR == 1) printf f "\n", med; else printf f " [" f "-" f "]\n", med, v[1], v[NR]
        }'
}

report() {
    local scenario=$1 reference=$2 title=$3
    shift 3
    local reference_cpu target cpu errors
    reference_cpu=$(summary "$scenario" "$reference" 3 | awk '{ print $1 }')
    printf '\n%s\n' "$title"
    printf '  %-16s %-24s %-10s %-26s %s\n' target "CPU us/request" "/ $reference" "requests/s" errors
    for target in "$@"; do
        cpu=$(summary "$scenario" "$target" 3)
        errors=$(awk -F'\t' -v s="$scenario" -v t="$target" '$1 == s && $2 == t { e += $5 } END { print e + 0 }' "$RESULTS")
        printf '  %-16s %-24s %-10s %-26s %s\n' "$target" "$cpu" \
            "$(awk -v a="${cpu%% *}" -v b="$reference_cpu" 'BEGIN { printf "%.2f", a / b }')" \
            "$(summary "$scenario" "$target" 4)" "$errors"
    done
}

main() {
    require_tools nginx haproxy wrk h2load openssl curl ss swift
    ensure_portico 0 || die "no portico binary at $(portico_binary) (scripts/build-release, or set PORTICO_BIN)"
    build_floors "$BUILD"
    bench_init
    gen_cert "$BENCH_TMP"
    start_backends
    start_nginx_proxy
    start_haproxy
    write_bench_manifests "$BENCH_TMP/manifests" "$BENCH_TMP/bench.crt" "$BENCH_TMP/bench.key" \
        "$BACKEND1_PORT" "$BACKEND2_PORT"
    start_portico "$BENCH_TMP/manifests" portico 60 || die "portico did not start"
    HTTP_PORT[portico]=$PORTICO_HTTP
    HTTPS_PORT[portico]=$PORTICO_HTTPS
    MEASURE_PIDS[portico]=$PORTICO_PID
    start_floors

    local a_targets=(nginx haproxy nio-relay-floor portico) e_targets=(haproxy nginx nio-h2-floor portico) target
    for target in "${a_targets[@]}"; do check_target a "$target"; done
    for target in "${e_targets[@]}"; do check_target e "$target"; done
    log "every target answers; warming up"
    for target in "${a_targets[@]}"; do measure a "$target" "$WARMUP"; done
    for target in "${e_targets[@]}"; do measure e "$target" "$WARMUP"; done

    RESULTS="$BENCH_TMP/floor.tsv"
    : >"$RESULTS"
    local round
    for ((round = 0; round < ROUNDS; round++)); do
        run_round a "$round" "${a_targets[@]}"
        run_round e "$round" "${e_targets[@]}"
    done

    printf 'Floors of the stack: %d rounds of %d s, median [min-max]; %s\n' "$ROUNDS" "$DURATION" "$(date -u '+%Y-%m-%d %H:%M UTC')"
    report a nginx "(a) HTTP/1.1 keep-alive, 64 connections (wrk)" "${a_targets[@]}"
    report e haproxy "(e) HTTP/2 over TLS 1.3, 16 connections x 10 streams (h2load)" "${e_targets[@]}"
}

main
