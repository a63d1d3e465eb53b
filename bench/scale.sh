#!/usr/bin/env bash
# Portico at scale (local mode, 127.0.0.1 only): a generated manifest folder of 10,000 Ingresses
# (20,000 hosts, 100,000 paths), time to readiness, memory, lookup cost under load against a
# one-route table, and route changes under load. See bench/README.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034 # read by lib.sh (portico_binary)
REPO_DIR=$(dirname "$BENCH_DIR")
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

MODE=all
INGRESSES=10000
ROUNDS=3
DURATION=10
CHURN_DURATION=20
CHURN_ROUNDS=3
SWAPS=200
SWAP_INTERVAL_MS=50
BUILD=0
GENERATE_DIR=""

usage() {
    cat <<EOF
usage: bench/scale.sh [scale|churn|all] [--ingresses N] [--rounds N] [--duration S] [--churn-rounds N] [--quick] [--build]
       bench/scale.sh --generate-only DIR [--ingresses N]

  scale   readiness time and RSS on N Ingresses (2 hosts and 10 paths each), then wrk req/s
          against a host of the big table vs a one-route table (alternating rounds)
  churn   during a ${CHURN_DURATION} s wrk run, rewrite one Ingress file every ${SWAP_INTERVAL_MS} ms (${SWAPS} swaps);
          failed requests, throughput vs a steady run just before it (median over rounds),
          write-to-serving latency
  all     both (default)
  --ingresses N    Ingresses to generate (default $INGRESSES)
  --rounds N       rounds for the big-vs-small comparison (default $ROUNDS)
  --duration S     seconds per comparison run (default $DURATION)
  --churn-rounds N steady-then-churn pairs (default $CHURN_ROUNDS)
  --quick          1 round of 3 s, 1 churn round of 8 s with 60 swaps
  --build          build portico if missing
  --generate-only DIR   only write the manifest folder (backend ports 18081/18082)
Environment: PORTICO_BIN, PORTICO_EXTRA_ARGS, KEEP_TMP=1 (see bench/run.sh).
EOF
}

while (($# > 0)); do
    case $1 in
    scale | churn | all) MODE=$1 ;;
    --ingresses) INGRESSES=${2:?}; shift ;;
    --rounds) ROUNDS=${2:?}; shift ;;
    --duration) DURATION=${2:?}; shift ;;
    --churn-rounds) CHURN_ROUNDS=${2:?}; shift ;;
    --quick) ROUNDS=1 DURATION=3 CHURN_DURATION=8 SWAPS=60 CHURN_ROUNDS=1 ;;
    --build) BUILD=1 ;;
    --generate-only) GENERATE_DIR=${2:?}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) log "unknown argument $1"; usage >&2; exit 2 ;;
    esac
    shift
done
[[ "$INGRESSES" =~ ^[1-9][0-9]*$ && "$ROUNDS" =~ ^[1-9][0-9]*$ && "$DURATION" =~ ^[1-9][0-9]*$ &&
    "$CHURN_ROUNDS" =~ ^[1-9][0-9]*$ ]] ||
    die "--ingresses, --rounds, --duration and --churn-rounds take positive integers"

# --- manifests ---------------------------------------------------------------------------------

# Writes N Ingresses (one file each, so that one can be rewritten alone), and per Ingress a
# Service with two EndpointSlices (one per backend port), in files of 1,000 Services.
# Ingress i lives in namespace team-(i mod 100) and has hosts app-i.team-T.example.com and
# api-i.team-T.example.com with five paths each (four Prefix, one Exact).
generate_manifests() {
    local dir=$1 count=$2 port1=$3 port2=$4
    mkdir -p "$dir"
    write_ingress_class "$dir"
    awk -v n="$count" -v dir="$dir" -v p1="$port1" -v p2="$port2" '
        function path(out, p, type, svc) {
            printf "          - path: %s\n            pathType: %s\n            backend: {service: {name: %s, port: {number: 80}}}\n", p, type, svc > out
        }
        function slice(out, ns, svc, name, port) {
            printf "---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: %s\n  namespace: %s\n  labels: {kubernetes.io/service-name: %s}\naddressType: IPv4\nports:\n  - {name: http, port: %d, protocol: TCP}\nendpoints:\n  - addresses: [\"127.0.0.1\"]\n    conditions: {ready: true}\n", name, ns, svc, port > out
        }
        BEGIN {
            for (i = 0; i < n; i++) {
                ns = "team-" (i % 100)
                svc = "svc-" i
                if (i % 1000 == 0) {
                    if (services != "") close(services)
                    services = sprintf("%s/services-%03d.yaml", dir, i / 1000)
                }
                printf "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: %s\n  namespace: %s\nspec:\n  ports:\n    - {name: http, port: 80, targetPort: http, protocol: TCP}\n", svc, ns > services
                slice(services, ns, svc, svc "-a", p1)
                slice(services, ns, svc, svc "-b", p2)
                out = sprintf("%s/ingress-%05d.yaml", dir, i)
                printf "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: ing-%d\n  namespace: %s\nspec:\n  ingressClassName: portico\n  rules:\n", i, ns > out
                printf "    - host: app-%d.%s.example.com\n      http:\n        paths:\n", i, ns > out
                path(out, "/", "Prefix", svc); path(out, "/api/v1", "Prefix", svc); path(out, "/api/v2/items", "Prefix", svc)
                path(out, "/static", "Prefix", svc); path(out, "/healthz", "Exact", svc)
                printf "    - host: api-%d.%s.example.com\n      http:\n        paths:\n", i, ns > out
                path(out, "/v1", "Prefix", svc); path(out, "/v1/users", "Prefix", svc); path(out, "/v2", "Prefix", svc)
                path(out, "/docs", "Prefix", svc); path(out, "/status", "Exact", svc)
                close(out)
            }
        }'
}

write_ingress_class() {
    cat >"$1/00-class.yaml" <<EOF
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: portico
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
spec:
  controller: ${PORTICO_CONTROLLER_NAME:-portico.dev/ingress-controller}
EOF
}

# The one-route table: Ingress ing-0 with host app-0.team-0.example.com and the path "/".
generate_small_manifests() {
    local dir=$1 port1=$2 port2=$3
    generate_manifests "$dir" 1 "$port1" "$port2"
    ingress_zero_yaml >"$dir/ingress-00000.yaml"
}

# Ingress ing-0: the stable host app-0 (the load's target) with the path "/". Given a
# generation K (the churn), also a probe host with the path /gen-K, so a request to /gen-K gets
# 404 until generation K serves, and a path /bit-I for each bit I set in K, so that a reader can
# learn which generation serves without knowing it beforehand (read_serving_generation).
GENERATION_BITS=12
ingress_zero_yaml() {
    local generation=${1:-}
    cat <<EOF
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ing-0
  namespace: team-0
spec:
  ingressClassName: portico
  rules:
    - host: app-0.team-0.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend: {service: {name: svc-0, port: {number: 80}}}
EOF
    [ -n "$generation" ] || return 0
    cat <<EOF
    - host: probe-0.team-0.example.com
      http:
        paths:
          - path: /gen-$generation
            pathType: Prefix
            backend: {service: {name: svc-0, port: {number: 80}}}
EOF
    local bit
    for ((bit = 0; bit < GENERATION_BITS; bit++)); do
        ((generation >> bit & 1)) || continue
        printf '          - path: /bit-%d\n            pathType: Prefix\n            backend: {service: {name: svc-0, port: {number: 80}}}\n' "$bit"
    done
}

# Replaces a file atomically (write aside, then rename), as kubectl-style tools and editors do,
# so that the watcher never reads half a file.
replace_file() {
    local path=$1 content=$2
    printf '%s\n' "$content" >"$path.tmp"
    mv -f "$path.tmp" "$path"
}

# --- measurements ------------------------------------------------------------------------------

# Sets NOW_US to microseconds since the epoch, without starting a process.
now_us() {
    NOW_US=${EPOCHREALTIME/./}
}

# One HTTP/1.1 request over bash's /dev/tcp: sets PROBE_STATUS to the status code, or 000 when
# the connection fails. It starts no process and no subshell, so the probe loop stays cheap.
probe_status() {
    local port=$1 host=$2 path=$3 fd
    PROBE_STATUS=000
    if { exec {fd}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
        printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$host" >&"$fd"
        local line=""
        IFS=' ' read -r -t 2 _ line _ <&"$fd" || true
        exec {fd}>&-
        PROBE_STATUS=${line:-000}
    fi
}

# Sets SERVING_GEN to the generation of ing-0 that serves now, or -1 when it cannot tell: one
# probe per bit (/bit-I answers 200 when bit I is set), then /gen-K to confirm, which also
# catches a table swapped in the middle of the reading.
read_serving_generation() {
    local port=$1 host=$2 bit generation=0
    SERVING_GEN=-1
    for ((bit = 0; bit < GENERATION_BITS; bit++)); do
        probe_status "$port" "$host" "/bit-$bit"
        case $PROBE_STATUS in
        200) generation=$((generation | 1 << bit)) ;;
        404) ;;
        *) return 0 ;;
        esac
    done
    probe_status "$port" "$host" "/gen-$generation"
    [[ "$PROBE_STATUS" == 200 ]] && SERVING_GEN=$generation
    return 0
}

# Durations of READS readings of the serving generation, in microseconds, to FILE: the floor
# under every write-to-serving figure measured under the same load.
probe_floor() {
    local port=$1 host=$2 reads=$3 file=$4 i t0
    : >"$file"
    for ((i = 0; i < reads; i++)); do
        now_us
        t0=$NOW_US
        read_serving_generation "$port" "$host"
        now_us
        echo $((NOW_US - t0)) >>"$file"
        sleep 0.02
    done
}

# Checks that a host of the table is routed (200 and a backend's 64-byte body).
check_host() {
    local port=$1 host=$2 path=$3 body
    body=$(curl -fsS --max-time 5 -H "Host: $host" "http://127.0.0.1:$port$path" 2>/dev/null) || return 1
    [[ ${#body} == "$BENCH_BODY_LENGTH" && "$body" == portico-bench* ]]
}

wrk_run() { # PORT HOST PATH SECONDS OUT
    wrk -t2 -c64 -d"$4s" --latency -H "Host: $2" "http://127.0.0.1:$1$3" >"$5" 2>&1 || true
}

median() { # numbers on stdin -> median
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

scale_mode() {
    local big="$BENCH_TMP/big" small="$BENCH_TMP/small"
    log "generating $INGRESSES Ingresses ($((INGRESSES * 2)) hosts, $((INGRESSES * 10)) paths)"
    local t0 t1
    now_us; t0=$NOW_US
    generate_manifests "$big" "$INGRESSES" "$BACKEND1_PORT" "$BACKEND2_PORT"
    now_us; t1=$NOW_US
    log "generated $(find "$big" -type f | wc -l) files, $(du -sh "$big" | cut -f1), in $(((t1 - t0) / 1000)) ms"
    generate_small_manifests "$small" "$BACKEND1_PORT" "$BACKEND2_PORT"

    start_portico "$big" portico-big 600 || die "portico did not become ready on $INGRESSES Ingresses"
    local big_pid=$PORTICO_PID big_port=$PORTICO_HTTP ready_ms=$PORTICO_READY_MS
    local big_idle build_ms
    # The first table's build alone (translation, certificates, swap), from Portico's own
    # gauge: readiness also counts reading and decoding 10,000 files.
    build_ms=$(curl -fs --max-time 2 "http://127.0.0.1:$PORTICO_ADMIN/metrics" |
        awk '$1 == "portico_table_build_duration_seconds" { printf "%.0f", $2 * 1000 }')
    # shellcheck disable=SC2046 # a word list of PIDs
    big_idle=$(status_kib VmRSS $(pid_and_children "$big_pid"))
    local mid=$((INGRESSES / 2))
    local big_host="app-$mid.team-$((mid % 100)).example.com" path=/api/v1/users/42
    check_host "$big_port" "$big_host" "$path" || die "portico (big table) does not route $big_host$path"
    probe_status "$big_port" nope.example.com /
    [[ "$PROBE_STATUS" != 200 ]] || die "portico (big table) routes an unknown host"
    start_portico "$small" portico-small 120 || die "portico did not become ready on one route"
    local small_pid=$PORTICO_PID small_port=$PORTICO_HTTP small_host=app-0.team-0.example.com
    check_host "$small_port" "$small_host" "$path" || die "portico (one route) does not route $small_host$path"
    log "ready on $INGRESSES Ingresses in $ready_ms ms; idle RSS $big_idle KiB; checks ok"

    local round
    for ((round = 1; round <= ROUNDS; round++)); do
        local order=(big small)
        ((round % 2 == 0)) && order=(small big)
        local which
        for which in "${order[@]}"; do
            local out="$RESULTS_DIR/scale-$which-round$round.txt"
            if [[ "$which" == big ]]; then wrk_run "$big_port" "$big_host" "$path" "$DURATION" "$out"; else
                wrk_run "$small_port" "$small_host" "$path" "$DURATION" "$out"; fi
            printf '%s\t%s\n' "$which" "$(parse_wrk "$out")" >>"$RESULTS_DIR/scale.tsv"
            log "round $round $which: $(parse_wrk "$out" | awk '{ print $2 " req/s, p99 " $4 " ms, errors " $5 }')"
        done
    done
    local big_rps small_rps
    big_rps=$(awk -F'\t' '$1 == "big" { split($2, f, " "); print f[2] }' "$RESULTS_DIR/scale.tsv" | median)
    small_rps=$(awk -F'\t' '$1 == "small" { split($2, f, " "); print f[2] }' "$RESULTS_DIR/scale.tsv" | median)
    # shellcheck disable=SC2046 # word lists of PIDs
    {
        printf '\nScale: %s Ingresses, %s hosts, %s paths (local mode, --workers 1)\n' "$INGRESSES" $((INGRESSES * 2)) $((INGRESSES * 10))
        printf '  time to readiness           %s ms (reading the folder, then building the table)\n' "$ready_ms"
        printf '  table build                 %s ms (portico_table_build_duration_seconds; target < 1000)\n' "${build_ms:--}"
        printf '  RSS idle after ready        %s KiB\n' "$big_idle"
        printf '  RSS peak (VmHWM, end)       %s KiB   (one-route instance: %s KiB)\n' \
            "$(status_kib VmHWM $(pid_and_children "$big_pid"))" "$(status_kib VmHWM $(pid_and_children "$small_pid"))"
        printf '  wrk req/s, big table        %s (median of %s)\n' "$big_rps" "$ROUNDS"
        printf '  wrk req/s, one route        %s\n' "$small_rps"
        printf '  big / one-route             %s   (target >= 0.95)\n' "$(ratio_of "$big_rps" "$small_rps")"
    } | tee -a "$RESULTS_DIR/summary.txt"
    kill -TERM "$small_pid" "$big_pid" 2>/dev/null || true
}

ratio_of() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.3f\n", a / b }'
}

# "median [min-max]" of the numbers given (just the number for one), "-" when none is numeric.
spread_of() {
    printf '%s\n' "$@" | awk '
        $1 ~ /^[0-9.]+$/ { v[++n] = $1 + 0 }
        END {
            if (n == 0) { print "-"; exit }
            for (i = 2; i <= n; i++) { x = v[i]; j = i - 1; while (j > 0 && v[j] > x) { v[j + 1] = v[j]; j-- } v[j + 1] = x }
            med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
            if (n == 1) print fmt(med); else printf "%s [%s-%s]\n", fmt(med), fmt(v[1]), fmt(v[n])
        }
        function fmt(x) { return (x >= 100) ? sprintf("%.1f", x) : sprintf("%.3g", x) }'
}

# Drives one wrk run's worth of intervals: SWAPS intervals of SWAP_INTERVAL_MS, reading which
# generation serves (read_serving_generation) every PROBE_INTERVAL_MS throughout. In "rewrite"
# mode each interval starts by rewriting ing-0 to the next generation; in "steady" mode nothing
# is written. Both runs thus carry the same probing load, and only the rewrites differ.
#
# A write K counts as serving once generation K or a later one serves (a later one includes
# K's change): when a reading finds generation S serving, every write up to S not yet counted
# gets its latency, written to LATENCIES in microseconds, one per line. (Before, only the newest
# write's path was probed, so under a write every 50 ms most writes were counted only when the
# writing stopped: that measured the rest of the run, seconds, not the watcher.)
PROBE_INTERVAL_MS=10
printf -v PROBE_SLEEP '%d.%03d' $((PROBE_INTERVAL_MS / 1000)) $((PROBE_INTERVAL_MS % 1000))
# Probes (and in rewrite mode rewrites) for one run. BASE is the generation serving when it
# starts; a rewrite run writes generations BASE+1 .. BASE+SWAPS.
churn_driver() {
    local mode=$1 port=$2 probe_host=$3 latencies=$4 base=$5
    local start next k latest=$base served=$base
    local -a written=()
    # Reads the serving generation; every write up to it not yet counted has its latency.
    record_served() {
        local j
        read_serving_generation "$port" "$probe_host"
        ((SERVING_GEN > served && SERVING_GEN <= latest)) || return 0
        now_us
        for ((j = served + 1; j <= SERVING_GEN; j++)); do echo $((NOW_US - written[j])) >>"$latencies"; done
        served=$SERVING_GEN
    }
    : >"$latencies"
    # Start once wrk is connected, and end well before it stops.
    local lead_us=$(((CHURN_DURATION * 1000000 - SWAPS * SWAP_INTERVAL_MS * 1000) / 2))
    ((lead_us > 0)) || lead_us=1000000
    now_us
    start=$((NOW_US + lead_us))
    while now_us; ((NOW_US < start)); do sleep 0.01; done
    for ((k = 1; k <= SWAPS; k++)); do
        if [[ "$mode" == rewrite ]]; then
            latest=$((base + k))
            replace_file "$CHURN_FILE" "$(ingress_zero_yaml "$latest")"
            now_us
            written[latest]=$NOW_US
        fi
        next=$((start + k * SWAP_INTERVAL_MS * 1000))
        while now_us; ((NOW_US < next)); do
            record_served
            sleep "$PROBE_SLEEP"
        done
    done
    # After the last write there is no next one: give the newest generation up to 5 s.
    local t_end=$((SECONDS + 5))
    while ((served < latest && SECONDS < t_end)); do
        record_served
        sleep 0.05
    done
}

# Rewrites ing-0 every SWAP_INTERVAL_MS during a wrk run and measures how long each write takes
# to serve; a steady run with the same probing, before it, is the throughput baseline.
churn_mode() {
    local dir="$BENCH_TMP/churn"
    generate_manifests "$dir" "$INGRESSES" "$BACKEND1_PORT" "$BACKEND2_PORT"
    CHURN_FILE="$dir/ingress-00000.yaml"
    replace_file "$CHURN_FILE" "$(ingress_zero_yaml 0)"
    start_portico "$dir" portico-churn 600 || die "portico did not become ready for the churn test"
    local port=$PORTICO_HTTP host=app-0.team-0.example.com probe_host=probe-0.team-0.example.com
    check_host "$port" "$host" / || die "portico does not route $host"
    local deadline=$((SECONDS + 30))
    while probe_status "$port" "$probe_host" /gen-0; [[ "$PROBE_STATUS" != 200 ]]; do
        ((SECONDS < deadline)) || die "the probe host never served /gen-0"
        sleep 0.05
    done
    # One wrk run of CHURN_DURATION with the churn driver beside it, in MODE (steady|rewrite).
    driven_wrk_run() {
        local mode=$1 wrk_file=$2 driver_latencies=$3 driver_base=$4
        wrk_run "$port" "$host" / "$CHURN_DURATION" "$wrk_file" &
        local wrk_pid=$!
        BENCH_PIDS+=("$wrk_pid")
        churn_driver "$mode" "$port" "$probe_host" "$driver_latencies" "$driver_base"
        wait "$wrk_pid" || true
    }
    # What changes cost on their own: the same rewrites with no traffic, Portico's CPU time over
    # them (from /proc), and how many tables it published. Translation work is what the
    # throughput ratio below pays for, and this figure moves far less between runs than req/s.
    local cost_swaps=100 cost_cpu0 cost_cpu1 cost_gen0 cost_gen1 k
    table_generation() {
        curl -fs --max-time 2 "http://127.0.0.1:$PORTICO_ADMIN/metrics" |
            awk '$1 == "portico_table_generation" { printf "%d", $2 }'
    }
    log "change cost: $cost_swaps rewrites every ${SWAP_INTERVAL_MS} ms with no traffic"
    cost_gen0=$(table_generation)
    cost_cpu0=$(cpu_ticks "$PORTICO_PID")
    for ((k = 1; k <= cost_swaps; k++)); do
        replace_file "$CHURN_FILE" "$(ingress_zero_yaml "$k")"
        sleep "$(awk -v ms="$SWAP_INTERVAL_MS" 'BEGIN { printf "%.3f", ms / 1000 }')"
    done
    local cost_deadline=$((SECONDS + 30))
    while probe_status "$port" "$probe_host" "/gen-$cost_swaps"; [[ "$PROBE_STATUS" != 200 ]]; do
        ((SECONDS < cost_deadline)) || die "the last change-cost rewrite never served"
        sleep 0.05
    done
    sleep 1
    cost_cpu1=$(cpu_ticks "$PORTICO_PID")
    cost_gen1=$(table_generation)
    local cost_line
    cost_line=$(awk -v t=$((cost_cpu1 - cost_cpu0)) -v hz="$CLK_TCK" -v n=$((cost_gen1 - cost_gen0)) -v w="$cost_swaps" \
        'BEGIN { printf "%.2f CPU s for %d rewrites, %d tables published (%.0f CPU ms per table)", t / hz, w, n, (n > 0 ? t / hz * 1000 / n : 0) }')

    # Steady and churn runs alternate, so that the machine's drift hits both alike; each round's
    # ratio compares a churn run with the steady run just before it.
    local round base=$cost_swaps steady_file churn_file
    local -a ratios=() steady_rpss=() churn_rpss=() steady_p99s=() churn_p99s=()
    local failed=0 latencies="$RESULTS_DIR/churn-latency-us.txt"
    : >"$latencies"
    for ((round = 1; round <= CHURN_ROUNDS; round++)); do
        steady_file="$RESULTS_DIR/churn-steady-$round.txt"
        churn_file="$RESULTS_DIR/churn-load-$round.txt"
        log "round $round: steady run, ${CHURN_DURATION}s reading the serving generation every ${PROBE_INTERVAL_MS} ms, no rewrites"
        driven_wrk_run steady "$steady_file" "$RESULTS_DIR/churn-steady-latency-us.txt" "$base"
        if ((round == 1)); then
            probe_floor "$port" "$probe_host" 100 "$RESULTS_DIR/churn-probe-floor-us.txt"
        fi

        log "round $round: churn run, ${CHURN_DURATION}s with $SWAPS rewrites every ${SWAP_INTERVAL_MS} ms and the same probing"
        driven_wrk_run rewrite "$churn_file" "$RESULTS_DIR/churn-latency-$round-us.txt" "$base"
        cat "$RESULTS_DIR/churn-latency-$round-us.txt" >>"$latencies"
        base=$((base + SWAPS))

        local steady_rps steady_p99 churn_rps churn_p99 churn_err
        read -r _ steady_rps _ steady_p99 _ <<<"$(parse_wrk "$steady_file")"
        read -r _ churn_rps _ churn_p99 churn_err <<<"$(parse_wrk "$churn_file")"
        steady_rpss+=("$steady_rps") churn_rpss+=("$churn_rps")
        steady_p99s+=("$steady_p99") churn_p99s+=("$churn_p99")
        ratios+=("$(ratio_of "$churn_rps" "$steady_rps")")
        failed=$((failed + churn_err))
        log "round $round: steady $steady_rps req/s, churn $churn_rps req/s, ratio ${ratios[-1]}"
    done

    local writes=$((SWAPS * CHURN_ROUNDS)) served p50 p99
    served=$(wc -l <"$latencies")
    read -r p50 p99 < <(sort -n "$latencies" | awk -v total="$writes" '
        { v[++n] = $1 / 1000 }
        # Writes that never served rank above all measured ones.
        function pct(q,  r) { r = int(q * total + 0.999999); if (r < 1) r = 1
            if (r > n) return "never"; return sprintf("%.0f", v[r]) }
        END { print pct(0.50), pct(0.99) }')
    {
        printf '\nChange under load: %s Ingresses, %s round(s) of a steady run then %s rewrites of one Ingress every %s ms, %s s of wrk (64 connections) each\n' \
            "$INGRESSES" "$CHURN_ROUNDS" "$SWAPS" "$SWAP_INTERVAL_MS" "$CHURN_DURATION"
        printf '  steady runs           %s req/s, p99 %s ms (median [min-max]; the same probing, no rewrites)\n' \
            "$(spread_of "${steady_rpss[@]}")" "$(spread_of "${steady_p99s[@]}")"
        printf '  during rewrites       %s req/s, p99 %s ms, failed %s (non-2xx + socket errors, all rounds)\n' \
            "$(spread_of "${churn_rpss[@]}")" "$(spread_of "${churn_p99s[@]}")" "$failed"
        printf '  throughput vs steady  %s (each churn run against the steady run before it)\n' "$(spread_of "${ratios[@]}")"
        printf '  write -> serving      median %s ms, p99 %s ms (%s of %s writes served; a write serves when it or a later one does; a reading every %s ms)\n' \
            "$p50" "$p99" "$served" "$writes" "$PROBE_INTERVAL_MS"
        printf '  change cost, no load  %s\n' "$cost_line"
        printf '  one reading           %s after the first steady run (%s probes): the floor of the line above\n' \
            "$(sort -n "$RESULTS_DIR/churn-probe-floor-us.txt" | awk '{ v[NR] = $1 / 1000 } END { i = int(NR * 0.99 + 0.999999); printf "median %.1f ms, p99 %.1f ms", v[int((NR + 1) / 2)], v[i] }')" \
            $((GENERATION_BITS + 1))
    } | tee -a "$RESULTS_DIR/summary.txt"
}

main() {
    if [[ -n "$GENERATE_DIR" ]]; then
        [[ ! -e "$GENERATE_DIR" ]] || die "$GENERATE_DIR exists; give a new folder"
        generate_manifests "$GENERATE_DIR" "$INGRESSES" 18081 18082
        log "wrote $(find "$GENERATE_DIR" -type f | wc -l) files to $GENERATE_DIR"
        return 0
    fi
    require_tools nginx wrk curl ss awk openssl pgrep
    bench_init
    RESULTS_DIR="$BENCH_DIR/results/scale-$(date +%Y%m%d-%H%M%S)"
    mkdir -p "$RESULTS_DIR"
    if ! ensure_portico "$BUILD"; then
        printf 'portico: not built (no binary at %s; build it, set PORTICO_BIN, or pass --build)\n' "$(portico_binary)" |
            tee "$RESULTS_DIR/summary.txt"
        return 0
    fi
    start_backends
    case $MODE in
    scale) scale_mode ;;
    churn) churn_mode ;;
    all) scale_mode; churn_mode ;;
    esac
    log "results in $RESULTS_DIR"
}

main
