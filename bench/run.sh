#!/usr/bin/env bash
# Side-by-side benchmark of Portico against nginx and HAProxy on one machine (127.0.0.1 only).
# See bench/README.md for what it measures and how to read the output.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

ROUNDS=3
DURATION=10
WARMUP=3
SETTLE=2
CONNECTIONS=64
WRK_THREADS=2
BUILD=0
TARGETS="nginx haproxy portico"
SCENARIOS="a b c d e"

usage() {
    cat <<EOF
usage: bench/run.sh [--quick] [--rounds N] [--duration S] [--build] [--targets "nginx haproxy portico"]
                    [--scenarios "a b c d e"] [--connections N]

Runs the scenarios against each target in alternating order and prints medians [min-max].
  --quick         1 round of 3 s (smoke test)
  --rounds N      rounds per scenario (default $ROUNDS)
  --duration S    seconds per run (default $DURATION)
  --build         build portico as the Dockerfile does (release, static Swift runtime) if missing
  --targets LIST  which targets to run (default "$TARGETS")
  --scenarios L   which scenarios to run (default "$SCENARIOS")
  --connections N wrk connections for (a)-(d) (default $CONNECTIONS)
  --settle S      count new backend connections from S seconds into each run (default $SETTLE)
Environment: PORTICO_BIN (default .build-static/release/portico), PORTICO_EXTRA_ARGS (added to
portico's command line), KEEP_TMP=1 (keep the temporary directory).
EOF
}

while (($# > 0)); do
    case $1 in
    --quick) ROUNDS=1 DURATION=3 WARMUP=1 SETTLE=1 ;;
    --rounds) ROUNDS=${2:?}; shift ;;
    --duration) DURATION=${2:?}; shift ;;
    --build) BUILD=1 ;;
    --targets) TARGETS=${2:?}; shift ;;
    --scenarios) SCENARIOS=${2:?}; shift ;;
    --connections) CONNECTIONS=${2:?}; shift ;;
    --settle) SETTLE=${2:?}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) log "unknown argument $1"; usage >&2; exit 2 ;;
    esac
    shift
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ && "$DURATION" =~ ^[1-9][0-9]*$ && "$CONNECTIONS" =~ ^[1-9][0-9]*$ ]] ||
    die "--rounds, --duration and --connections take positive integers"
if [[ ! "$SETTLE" =~ ^[0-9]+$ ]] || ((SETTLE >= DURATION)); then
    die "--settle takes whole seconds below --duration"
fi

declare -A IDLE_RSS_KIB
declare -A SCENARIO_TITLE=(
    [a]="(a) HTTP/1.1 keep-alive, CONN connections (wrk)"
    [b]="(b) HTTP/1.1, new connection per request (wrk, Connection: close)"
    [c]="(c) HTTPS keep-alive, TLS 1.3 (wrk)"
    [d]="(d) HTTPS, full TLS 1.3 handshake per request (wrk, Connection: close, no resumption)"
    [e]="(e) HTTP/2 over TLS 1.3, 16 connections x 10 streams (h2load)"
)

# --- targets -----------------------------------------------------------------------------------

start_portico_target() {
    if ! ensure_portico "$BUILD"; then
        STATE[portico]="not built"
        log "portico: no binary at $(portico_binary) (build it, set PORTICO_BIN, or pass --build)"
        return 0
    fi
    write_bench_manifests "$BENCH_TMP/manifests" "$BENCH_TMP/bench.crt" "$BENCH_TMP/bench.key" \
        "$BACKEND1_PORT" "$BACKEND2_PORT"
    if ! start_portico "$BENCH_TMP/manifests" portico 60; then
        STATE[portico]="did not start"
        return 0
    fi
    HTTP_PORT[portico]=$PORTICO_HTTP
    HTTPS_PORT[portico]=$PORTICO_HTTPS
    MEASURE_PIDS[portico]=$(pid_and_children "$PORTICO_PID" | tr '\n' ' ')
    STATE[portico]=ok
    log "portico ready in ${PORTICO_READY_MS} ms"
    # Its TLS listener may not exist yet: a failed handshake marks the TLS scenarios n/a.
    if ! echo | timeout 5 openssl s_client -connect "127.0.0.1:$PORTICO_HTTPS" -servername bench.local \
        -tls1_3 >/dev/null 2>&1; then
        TLS_STATE[portico]="n/a (TLS not yet in Portico)"
    else
        TLS_STATE[portico]=ok
    fi
}

# --- checks ------------------------------------------------------------------------------------

# curl through a target: prints "STATUS BODY".
fetch() {
    local url=$1 host=$2
    shift 2
    local body status
    body=$(curl -sk --max-time 5 -o - -w '\n%{http_code}' -H "Host: $host" "$@" "$url" 2>/dev/null) || true
    status=${body##*$'\n'}
    body=${body%$'\n'*}
    printf '%s %s' "$status" "$body"
}

# Checks that Host bench.local gets 200 and a 64-byte backend body (from both backends) and
# that another host is not routed to the backends. Marks the target failed otherwise.
check_routing() {
    local target=$1 scheme port extra
    for scheme in http https; do
        if [[ "$scheme" == https && "${TLS_STATE[$target]}" != ok ]]; then continue; fi
        if [[ "$scheme" == http ]]; then port=${HTTP_PORT[$target]}; else port=${HTTPS_PORT[$target]}; fi
        local url="$scheme://127.0.0.1:$port/check" seen="" i response status body
        # Ten requests: round robin alternates, and even a random balancer misses one of two
        # backends ten times in a row only 0.2% of the time.
        for i in 1 2 3 4 5 6 7 8 9 10; do
            response=$(fetch "$url" bench.local)
            status=${response%% *}
            body=${response#* }
            if [[ "$status" != 200 || ${#body} != "$BENCH_BODY_LENGTH" || "$body" != portico-bench* ]]; then
                log "$target: $scheme Host bench.local gave status $status body '${body:0:80}'"
                STATE[$target]="failed routing check"
                return 0
            fi
            seen+="${body:22:1}"
        done
        if [[ "$seen" != *1* || "$seen" != *2* ]]; then
            log "$target: $scheme requests did not reach both backends (saw backends: $seen)"
            STATE[$target]="failed routing check"
            return 0
        fi
        response=$(fetch "$url" wrong.example)
        if [[ "${response#* }" == portico-bench* ]]; then
            log "$target: $scheme Host wrong.example was routed to a backend"
            STATE[$target]="failed routing check"
            return 0
        fi
        extra=""
        [[ "$scheme" == https ]] && extra=" (TLS 1.3, without SNI, as wrk and h2load connect)"
        log "$target: $scheme routing ok$extra, wrong host gets status ${response%% *}"
    done
}

# Whether a TLS server resumes a session: one connection saves its session (after reading a
# response, so TLS 1.3 tickets have arrived), a second offers it. Prints "reused" or "new".
tls_resumption() {
    local port=$1 session="$BENCH_TMP/session-$1.pem" out
    rm -f "$session"
    printf 'GET / HTTP/1.1\r\nHost: bench.local\r\nConnection: close\r\n\r\n' |
        timeout 5 openssl s_client -connect "127.0.0.1:$port" -servername bench.local -tls1_3 \
            -sess_out "$session" -ign_eof >/dev/null 2>&1 || true
    if [[ ! -s "$session" ]]; then
        echo new
        return 0
    fi
    out=$(printf 'GET / HTTP/1.1\r\nHost: bench.local\r\nConnection: close\r\n\r\n' |
        timeout 5 openssl s_client -connect "127.0.0.1:$port" -servername bench.local -tls1_3 \
            -sess_in "$session" -ign_eof 2>/dev/null || true)
    if grep -q '^Reused' <<<"$out"; then echo reused; else echo new; fi
}

# (d) must measure full handshakes: the check must see resumption on the control listener
# (so it can fail) and none on any target; a target that resumes gets n/a for (d).
check_full_handshakes() {
    local control
    control=$(tls_resumption "$RESUMPTION_CONTROL_PORT")
    if [[ "$control" != reused ]]; then
        die "the resumption check saw no resumption on the control listener, so it cannot be trusted"
    fi
    log "resumption check: control listener (tickets on) resumes, as it must"
    local target
    for target in $TARGETS; do
        [[ "${STATE[$target]}" == ok && "${TLS_STATE[$target]}" == ok ]] || continue
        if [[ "$(tls_resumption "${HTTPS_PORT[$target]}")" == reused ]]; then
            D_STATE[$target]="n/a (server resumes TLS sessions)"
            log "$target: resumes TLS sessions; (d) would not measure full handshakes"
        else
            D_STATE[$target]=ok
            log "$target: no TLS session resumption: every (d) connection is a full handshake"
        fi
    done
}
declare -A D_STATE

# (e) needs HTTP/2 over TLS: a target whose TLS listener does not select ALPN h2 gets n/a.
check_http2() {
    local target=$1
    [[ "${STATE[$target]}" == ok && "${TLS_STATE[$target]}" == ok ]] || return 0
    if echo | timeout 5 openssl s_client -connect "127.0.0.1:${HTTPS_PORT[$target]}" -servername bench.local \
        -tls1_3 -alpn h2 2>/dev/null | grep -q '^ALPN protocol: h2'; then
        H2_STATE[$target]=ok
    else
        H2_STATE[$target]="n/a (TLS listener does not offer HTTP/2, ALPN h2)"
        log "$target: no ALPN h2 on its TLS listener; (e) is skipped"
    fi
}
declare -A H2_STATE

# --- runs --------------------------------------------------------------------------------------

# Drives SCENARIO's load against TARGET for SECONDS, output in OUT (h2load's per-request log
# in OUT.requests). A failing load generator leaves its output for parsing; it does not stop
# the benchmark.
load() {
    local scenario=$1 target=$2 seconds=$3 out=$4
    local http="http://127.0.0.1:${HTTP_PORT[$target]}/"
    local https="https://127.0.0.1:${HTTPS_PORT[$target]}/"
    local wrk=(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${seconds}s" --latency -H "Host: bench.local")
    case $scenario in
    a) "${wrk[@]}" "$http" >"$out" 2>&1 || true ;;
    b) "${wrk[@]}" -H "Connection: close" "$http" >"$out" 2>&1 || true ;;
    c) "${wrk[@]}" "$https" >"$out" 2>&1 || true ;;
    d) "${wrk[@]}" -H "Connection: close" "$https" >"$out" 2>&1 || true ;;
    e) h2load -c16 -m10 -t1 -D "$seconds" --log-file="$out.requests" -H ":authority: bench.local" "$https" >"$out" 2>&1 || true ;;
    esac
}

# Runs one scenario against one target and appends a line to the results file.
run_one() {
    local round=$1 scenario=$2 target=$3
    local out="$RESULTS_DIR/raw/$target-$scenario-round$round.txt"
    local cpu0 cpu1 acc0 acc1 po0 po1 parsed
    # shellcheck disable=SC2086 # MEASURE_PIDS holds a word list of PIDs.
    cpu0=$(cpu_ticks ${MEASURE_PIDS[$target]})
    acc0=$(backend_accepts)
    po0=$(passive_opens)
    # Backend connections are counted from SETTLE seconds into the run: the end of the previous
    # run dropped its in-flight requests, whose upstream connections the proxy had to close, and
    # refilling those is not a reuse failure.
    load "$scenario" "$target" "$DURATION" "$out" &
    local load_pid=$!
    sleep "$SETTLE"
    local acc_mid
    acc_mid=$(backend_accepts)
    wait "$load_pid" || true
    po1=$(passive_opens)
    acc1=$(backend_accepts)
    # shellcheck disable=SC2086
    cpu1=$(cpu_ticks ${MEASURE_PIDS[$target]})
    if [[ "$scenario" == e ]]; then parsed=$(parse_h2load "$out" "$out.requests"); else parsed=$(parse_wrk "$out"); fi
    local requests rps p50 p99 errors
    read -r requests rps p50 p99 errors <<<"$parsed"
    local backend_new
    backend_new=$(backend_new_connections "$acc_mid" "$acc1")
    # Accepted connections during the run minus the backends' accepts: the proxy's accepts.
    local client_conns=$((po1 - po0 - $(backend_new_connections "$acc0" "$acc1")))
    awk -v r="$round" -v s="$scenario" -v t="$target" -v req="$requests" -v rps="$rps" -v p50="$p50" \
        -v p99="$p99" -v err="$errors" -v ticks=$((cpu1 - cpu0)) -v hz="$CLK_TCK" -v bn="$backend_new" \
        -v cc="$client_conns" -v window="$(((DURATION - SETTLE) * 1000 / DURATION))" 'BEGIN {
            if (req <= 0) { printf "%s\t%s\t%s\t%d\t%s\t%s\t%s\tNA\tNA\tNA\t%d\n", r, s, t, req, rps, p50, p99, err; exit }
            # Requests in the counted window are estimated as the run'"'"'s share of the duration.
            printf "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%.2f\t%.3f\t%.4f\t%d\n", r, s, t, req, rps, p50, p99,
                ticks * 1e6 / hz / req, bn * 1000 / (req * window / 1000), cc / req, err
        }' >>"$RESULTS_DIR/runs.tsv"
    log "round $round ($scenario) $target: $requests requests, $rps req/s, p99 ${p99} ms, errors $errors, backend conns +$backend_new, client conns $client_conns"
}

# Whether TARGET can run SCENARIO; prints the reason when it cannot.
unavailable_reason() {
    local scenario=$1 target=$2
    if [[ "${STATE[$target]}" != ok ]]; then echo "${STATE[$target]}"; return; fi
    if [[ "$scenario" =~ [cde] && "${TLS_STATE[$target]}" != ok ]]; then echo "${TLS_STATE[$target]}"; return; fi
    if [[ "$scenario" == d && "${D_STATE[$target]:-ok}" != ok ]]; then echo "${D_STATE[$target]}"; return; fi
    if [[ "$scenario" == e && "${H2_STATE[$target]:-ok}" != ok ]]; then echo "${H2_STATE[$target]}"; return; fi
    echo ""
}

# Rounds in rotating target order (A B C, B C A, C A B, ...) so that drift hits every target.
# A short unmeasured warm-up per scenario and target first fills connection pools and caches,
# so that "new backend connections" measures reuse, not the first fill.
run_all() {
    local targets=() round scenario i n
    read -r -a targets <<<"$TARGETS"
    n=${#targets[@]}
    for scenario in $SCENARIOS; do
        for ((i = 0; i < n; i++)); do
            [[ -z "$(unavailable_reason "$scenario" "${targets[$i]}")" ]] || continue
            log "warm-up ($scenario) ${targets[$i]}: ${WARMUP}s, not measured"
            load "$scenario" "${targets[$i]}" "$WARMUP" "$RESULTS_DIR/raw/${targets[$i]}-$scenario-warmup.txt"
        done
    done
    for ((round = 1; round <= ROUNDS; round++)); do
        for scenario in $SCENARIOS; do
            for ((i = 0; i < n; i++)); do
                local target=${targets[$(((i + round - 1) % n))]}
                [[ -z "$(unavailable_reason "$scenario" "$target")" ]] || continue
                run_one "$round" "$scenario" "$target"
            done
        done
    done
}

# --- report ------------------------------------------------------------------------------------

# Prints "median [min-max]" of column COL for one scenario and target, or "-" without data.
stat_of() {
    local scenario=$1 target=$2 col=$3
    awk -F'\t' -v s="$scenario" -v t="$target" -v c="$col" '
        $2 == s && $3 == t && $c != "NA" { v[++n] = $c + 0 }
        END {
            if (n == 0) { print "-"; exit }
            for (i = 2; i <= n; i++) { x = v[i]; j = i - 1; while (j > 0 && v[j] > x) { v[j + 1] = v[j]; j-- } v[j + 1] = x }
            med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
            if (n == 1) printf "%s\n", fmt(med); else printf "%s [%s-%s]\n", fmt(med), fmt(v[1]), fmt(v[n])
        }
        function fmt(x) { return (x >= 1000) ? sprintf("%.0f", x) : (x >= 10) ? sprintf("%.1f", x) : sprintf("%.3g", x) }
    ' "$RESULTS_DIR/runs.tsv"
}

median_of() {
    stat_of "$@" | awk '{ print $1 }'
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f\n", a / b }'
}

print_report() {
    local scenario target reason
    printf '\nPortico benchmark, %s, %s round(s) x %s s, %s wrk connections, %s CPUs\n' \
        "$(date '+%Y-%m-%d %H:%M')" "$ROUNDS" "$DURATION" "$CONNECTIONS" "$(nproc)"
    printf 'Load average before: %s, after: %s (other work on the machine skews every figure)\n' \
        "$LOAD_BEFORE" "$(cut -d' ' -f1-3 /proc/loadavg)"
    printf 'CPU: %s; %s; %s; wrk %s; h2load %s\n' \
        "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" "$(nginx -v 2>&1)" \
        "$(haproxy -v 2>&1 | awk 'NR == 1 { print "HAProxy " $3 }')" \
        "$(wrk --version 2>&1 | awk 'NR == 1 { print $2 }')" "$(h2load --version 2>&1 | awk '{ print $2 }')"
    printf 'Medians over rounds, [min-max] when more than one round. CPU = proxy utime+stime per request.\n'
    for scenario in $SCENARIOS; do
        printf '\n%s\n' "${SCENARIO_TITLE[$scenario]/CONN/$CONNECTIONS}"
        printf '  %-8s %-24s %-22s %-22s %-20s %-18s %-12s %s\n' target "req/s" "p50 ms" "p99 ms" \
            "CPU us/req" "backend conn/1k" "client conn/req" " errors"
        for target in $TARGETS; do
            reason=$(unavailable_reason "$scenario" "$target")
            if [[ -n "$reason" ]]; then
                printf '  %-8s %s\n' "$target" "$reason"
                continue
            fi
            printf '  %-8s %-24s %-22s %-22s %-20s %-18s %-12s %s\n' "$target" \
                "$(stat_of "$scenario" "$target" 5)" "$(stat_of "$scenario" "$target" 6)" \
                "$(stat_of "$scenario" "$target" 7)" "$(stat_of "$scenario" "$target" 8)" \
                "$(stat_of "$scenario" "$target" 9)" "$(stat_of "$scenario" "$target" 10)" \
                "$(stat_of "$scenario" "$target" 11)"
        done
        if [[ " $TARGETS " == *" portico "* && " $TARGETS " == *" nginx "* ]]; then
            printf '  portico / nginx: req/s %s, p99 %s, CPU/req %s' \
                "$(ratio "$(median_of "$scenario" portico 5)" "$(median_of "$scenario" nginx 5)")" \
                "$(ratio "$(median_of "$scenario" portico 7)" "$(median_of "$scenario" nginx 7)")" \
                "$(ratio "$(median_of "$scenario" portico 8)" "$(median_of "$scenario" nginx 8)")"
            if [[ " $TARGETS " == *" haproxy "* ]]; then
                printf '; portico / haproxy CPU/req %s' \
                    "$(ratio "$(median_of "$scenario" portico 8)" "$(median_of "$scenario" haproxy 8)")"
            fi
            printf '\n'
        fi
        if [[ "$scenario" == [bd] ]]; then
            for target in $TARGETS; do
                [[ -z "$(unavailable_reason "$scenario" "$target")" ]] || continue
                if awk -v c="$(median_of "$scenario" "$target" 10)" 'BEGIN { exit !(c != "-" && c < 0.9) }'; then
                    printf '  WARNING: %s accepted %s connections per request, not 1: this is not a connection per request\n' \
                        "$target" "$(median_of "$scenario" "$target" 10)"
                fi
            done
        fi
    done
    printf '\nMemory (KiB, summed over the measured processes: nginx master + worker, haproxy, portico)\n'
    printf '  %-8s %-14s %s\n' target "idle RSS" "peak RSS (VmHWM, whole run)"
    for target in $TARGETS; do
        if [[ "${STATE[$target]}" != ok ]]; then
            printf '  %-8s %s\n' "$target" "${STATE[$target]}"
            continue
        fi
        printf '  %-8s %-14s %s\n' "$target" "${IDLE_RSS_KIB[$target]}" "${PEAK_RSS_KIB[$target]}"
    done
    print_targets
}

# The project's targets for Portico, with a verdict where there is data.
print_targets() {
    printf '\nTargets for Portico (from the issue)\n'
    local s
    verdict_line() { printf '  %-62s %s\n' "$1" "$2"; }
    compare() { # compare A OP B -> PASS/FAIL/-
        awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN {
            if (a == "-" || a == "" || b == "-" || b == "") { print "-"; exit }
            ok = (op == "<=") ? (a + 0 <= b + 0) : (op == ">=") ? (a + 0 >= b + 0) : (a + 0 < b + 0)
            printf "%s (%s %s %s)\n", ok ? "PASS" : "FAIL", a, op, b }'
    }
    for s in a b c d; do
        [[ " $SCENARIOS " == *" $s "* ]] || continue
        verdict_line "($s) CPU/req <= nginx" "$(compare "$(median_of "$s" portico 8)" "<=" "$(median_of "$s" nginx 8)")"
    done
    if [[ " $SCENARIOS " == *" e "* ]]; then
        verdict_line "(e) CPU/req <= haproxy" "$(compare "$(median_of e portico 8)" "<=" "$(median_of e haproxy 8)")"
    fi
    for s in $SCENARIOS; do
        verdict_line "($s) req/s >= nginx" "$(compare "$(median_of "$s" portico 5)" ">=" "$(median_of "$s" nginx 5)")"
        verdict_line "($s) p99 <= nginx" "$(compare "$(median_of "$s" portico 7)" "<=" "$(median_of "$s" nginx 7)")"
    done
    local peak_limit="-" idle="-" peak="-"
    if [[ "${STATE[nginx]:-}" == ok && -n "${PEAK_RSS_KIB[nginx]:-}" ]]; then peak_limit=$((PEAK_RSS_KIB[nginx] * 3 / 2)); fi
    if [[ "${STATE[portico]:-}" == ok ]]; then
        idle=${IDLE_RSS_KIB[portico]}
        peak=${PEAK_RSS_KIB[portico]}
    fi
    verdict_line "peak RSS <= 1.5 x nginx (KiB)" "$(compare "$peak" "<=" "$peak_limit")"
    verdict_line "idle RSS <= 30 MiB (KiB)" "$(compare "$idle" "<=" 30720)"
    for s in a c e; do
        [[ " $SCENARIOS " == *" $s "* ]] || continue
        verdict_line "($s) new backend connections per 1,000 requests < 1" "$(compare "$(median_of "$s" portico 9)" "<" 1)"
    done
}

# --- main --------------------------------------------------------------------------------------

main() {
    require_tools nginx haproxy wrk h2load openssl curl ss pgrep awk
    bench_init
    RESULTS_DIR="$BENCH_DIR/results/run-$(date +%Y%m%d-%H%M%S)"
    mkdir -p "$RESULTS_DIR/raw"
    : >"$RESULTS_DIR/runs.tsv"
    LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
    log "temporary directory $BENCH_TMP, results in $RESULTS_DIR"
    gen_cert "$BENCH_TMP"
    start_backends
    local target
    for target in $TARGETS; do
        case $target in
        nginx) start_nginx_proxy ;;
        haproxy) start_haproxy ;;
        portico) start_portico_target ;;
        *) die "unknown target $target" ;;
        esac
    done
    for target in $TARGETS; do
        [[ "${STATE[$target]}" == ok ]] || continue
        # shellcheck disable=SC2086
        IDLE_RSS_KIB[$target]=$(status_kib VmRSS ${MEASURE_PIDS[$target]})
        check_routing "$target"
        if [[ " $SCENARIOS " == *" e "* ]]; then check_http2 "$target"; fi
    done
    if [[ " $SCENARIOS " == *" d "* ]]; then check_full_handshakes; fi
    run_all
    declare -gA PEAK_RSS_KIB
    for target in $TARGETS; do
        [[ "${STATE[$target]}" == ok ]] || continue
        # shellcheck disable=SC2086
        PEAK_RSS_KIB[$target]=$(status_kib VmHWM ${MEASURE_PIDS[$target]})
    done
    print_report | tee "$RESULTS_DIR/summary.txt"
    log "raw outputs and runs.tsv in $RESULTS_DIR"
}

main
