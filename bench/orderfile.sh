#!/usr/bin/env bash
# Writes scripts/portico.order, the list of functions that scripts/build-release lays out first
# in the binary: those that Portico runs from start-up through serving each kind of traffic.
# Run it again when idle RSS in bench/run.sh creeps up after code changes, then rebuild.
#
# The kernel maps a binary's code about 64 KiB around each page a process touches, so where the
# functions that run sit decides how much of the binary is resident, not only how many there
# are. See bench/README.md, "Idle memory".
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

OUT=$REPO_DIR/scripts/portico.order
REQUESTS=300

usage() {
    cat <<EOF
usage: bench/orderfile.sh [--out FILE]

Starts the two bench backends and Portico (local mode, --workers 1) under callgrind, from the
first instruction; sends HTTP/1.1 (plain and TLS, keep-alive and a new connection each time),
HTTP/1.0, HTTP/2 over TLS and h2c, an unrouted host and the admin endpoints; stops Portico and
writes the functions of the portico binary that ran, the busiest first, to FILE (default
scripts/portico.order). Any build of portico will do: the names do not depend on the layout.
EOF
}

while (($# > 0)); do
    case $1 in
    --out) OUT=${2:?}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) log "unknown argument $1"; usage >&2; exit 2 ;;
    esac
    shift
done

# Sends every kind of traffic the proxy serves, a few hundred requests of the steady kinds.
drive_traffic() {
    local http="http://127.0.0.1:$PORTICO_HTTP/" https="https://127.0.0.1:$PORTICO_HTTPS/" i
    h2load --h1 -c 4 -n "$REQUESTS" -H ":authority: bench.local" "$http" >/dev/null 2>&1 || true
    h2load --h1 -c 4 -n "$REQUESTS" -H ":authority: bench.local" "$https" >/dev/null 2>&1 || true
    h2load -c 4 -m 10 -n "$REQUESTS" -H ":authority: bench.local" "$https" >/dev/null 2>&1 || true
    h2load -c 2 -m 10 -n 50 -H ":authority: bench.local" "$http" >/dev/null 2>&1 || true
    for ((i = 0; i < 10; i++)); do
        curl -s -o /dev/null --max-time 10 -H "Host: bench.local" -H "Connection: close" "$http" || true
        curl -sk -o /dev/null --max-time 10 --resolve "bench.local:$PORTICO_HTTPS:127.0.0.1" \
            -H "Connection: close" "https://bench.local:$PORTICO_HTTPS/" || true
        curl -s -o /dev/null --max-time 10 -0 -H "Host: bench.local" "$http" || true
        curl -s -o /dev/null --max-time 10 -X POST --data-binary "posted body" -H "Host: bench.local" "$http" || true
        curl -s -o /dev/null --max-time 10 -H "Host: nowhere.local" "$http" || true
    done
    for path in healthz readyz metrics; do
        curl -s -o /dev/null --max-time 10 "http://127.0.0.1:$PORTICO_ADMIN/$path" || true
    done
}

main() {
    require_tools nginx h2load openssl curl ss nm
    command -v valgrind >/dev/null 2>&1 || die "valgrind is missing: sudo apt-get install valgrind"
    ensure_portico 0 || die "no portico binary at $(portico_binary) (scripts/build-release, or set PORTICO_BIN)"
    bench_init
    # Names stay mangled: the linker matches them as they are in the object files.
    start_portico_under_callgrind --demangle=no --callgrind-out-file="$BENCH_TMP/callgrind.out" ||
        die "portico did not start under callgrind"
    drive_traffic

    # callgrind writes its file when the program exits; SIGTERM is Portico's graceful stop.
    kill -TERM "$PORTICO_PID"
    local deadline=$((SECONDS + 120))
    while kill -0 "$PORTICO_PID" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.5; done
    [[ -s "$BENCH_TMP/callgrind.out" ]] || die "callgrind wrote no file"

    # Functions of the portico binary by instructions they ran, kept only where the binary
    # defines the symbol (a name the linker cannot find is ignored anyway).
    local stripped="$BENCH_TMP/portico-nodebug"
    nm --defined-only "$stripped" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | sort -u >"$BENCH_TMP/defined.txt"
    callgrind_annotate --threshold=100 --show-percs=no "$BENCH_TMP/callgrind.out" 2>/dev/null |
        awk -v obj="[$stripped]" '
            $NF == obj && $1 ~ /^[0-9,]+$/ {
                name = $2; sub(/^[^:]*:/, "", name); print name
            }' >"$BENCH_TMP/ran.txt"
    awk 'NR == FNR { defined[$1] = 1; next } ($1 in defined) && !seen[$1]++' \
        "$BENCH_TMP/defined.txt" "$BENCH_TMP/ran.txt" >"$BENCH_TMP/ordered.txt"

    # The linker moves sections, not functions. A function compiled into a section of its own
    # moves alone and comes first. One that shares a section (most of the standard library is
    # one 1.5 MB section of Swift.o) drags the whole section along: it comes after, so that
    # those sections sit together instead of scattering the others. A local name that several
    # objects define in shared sections (merged thunks such as `objectdestroyTm`) is left out:
    # the order applies to every symbol of that name, and most of those objects never run.
    # The link map says which is which.
    local map=${PORTICO_MAP:-$(dirname "$(readlink -f "$(portico_binary)")")/../../portico.map}
    if [[ -s "$map" ]]; then
        section_costs "$map" >"$BENCH_TMP/costs.txt"
        local kind
        : >"$OUT"
        for kind in alone shared many; do
            awk -v kind="$kind" 'NR == FNR { k[$1] = $2; next } k[$1] == kind' \
                "$BENCH_TMP/costs.txt" "$BENCH_TMP/ordered.txt" >>"$OUT"
        done
        log "$(wc -l <"$OUT") of the $(wc -l <"$BENCH_TMP/ran.txt") functions that ran written to $OUT" \
            "($(awk 'NR == FNR { k[$1] = $2; next } k[$1] == "alone"' "$BENCH_TMP/costs.txt" "$OUT" | wc -l) move alone)"
    else
        cp "$BENCH_TMP/ordered.txt" "$OUT"
        log "no link map at $map (scripts/build-release writes it; or set PORTICO_MAP):" \
            "$(wc -l <"$OUT") functions written to $OUT in the order they ran"
    fi
}

# Reads an lld link map and prints, for every symbol in a code section, its name and how it
# moves: "alone" when every section holding a symbol of that name adds up to no more than about
# the symbol itself (twice its size plus padding), "shared" when its one definition shares a
# section with others, "many" when several definitions do.
section_costs() {
    awk '
        function hex(s,    i, n) {
            n = 0; s = tolower(s)
            for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
            return n
        }
        /:\(/ { section = ($0 ~ /:\(\.text/) ? hex($3) : -1; next }   # an input section; paths may hold spaces
        NF == 5 && section >= 0 { cost[$5] += section; size[$5] = hex($3); count[$5]++ }
        END {
            for (name in cost) {
                if (cost[name] <= 2 * size[name] + 256) print name, "alone"
                else if (count[name] == 1) print name, "shared"
                else print name, "many"
            }
        }
    ' "$1"
}

main
