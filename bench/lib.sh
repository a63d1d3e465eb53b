# shellcheck shell=bash
# shellcheck disable=SC2034 # Globals set here are read by the scripts that source this file.
# Shared helpers for bench/run.sh and bench/scale.sh: process lifecycle, ports, certificates,
# backends, Portico start-up and /proc measurements. Sourced, never run on its own.
#
# Everything listens on 127.0.0.1 only, every process lives in one temporary directory and is
# killed by the EXIT trap that bench_init installs.

BENCH_PIDS=()
BENCH_TMP=""
BENCH_PORTS_TAKEN=" "
CLK_TCK=$(getconf CLK_TCK)
BENCH_BODY_LENGTH=64

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Exits with the apt-get line when a tool the benchmark drives is missing.
require_tools() {
    local missing=() tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
    done
    if ((${#missing[@]} > 0)); then
        log "missing: ${missing[*]}"
        log "install them with: sudo apt-get install nginx-light haproxy wrk nghttp2-client openssl curl iproute2 procps"
        exit 1
    fi
}

# Creates the temporary directory and installs the trap that kills everything on exit.
bench_init() {
    BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/portico-bench.XXXXXX")
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

bench_cleanup() {
    local pid
    for pid in "${BENCH_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${BENCH_PIDS[@]}"; do
        local waited=0
        while kill -0 "$pid" 2>/dev/null && ((waited < 50)); do
            sleep 0.1
            waited=$((waited + 1))
        done
        kill -KILL "$pid" 2>/dev/null || true
    done
    if [[ -n "$BENCH_TMP" && -d "$BENCH_TMP" ]]; then
        if [[ "${KEEP_TMP:-0}" == 1 ]]; then
            log "kept $BENCH_TMP"
        else
            rm -rf "$BENCH_TMP"
        fi
    fi
}

# Starts a command in the background and records its PID for the trap in BENCH_PIDS and
# SPAWNED_PID. (Not called in $(...): the PID must reach the trap in this shell.)
spawn() {
    local logfile=$1
    shift
    "$@" >"$logfile" 2>&1 &
    SPAWNED_PID=$!
    BENCH_PIDS+=("$SPAWNED_PID")
}

# Prints a free TCP port on 127.0.0.1 below the ephemeral range, so that client sockets of the
# load generators can never take it.
free_port() {
    local port attempt
    for attempt in $(seq 1 200); do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
        [[ "$BENCH_PORTS_TAKEN" == *" $port "* ]] && continue
        if [[ -z "$(ss -Htln "sport = :$port" 2>/dev/null)" ]]; then
            BENCH_PORTS_TAKEN+="$port "
            echo "$port"
            return 0
        fi
    done
    die "no free port found after $attempt attempts"
}

# Waits until a TCP port on 127.0.0.1 accepts connections (bounded: 10 s).
wait_port() {
    local port=$1 deadline=$((SECONDS + 10))
    while ((SECONDS < deadline)); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        sleep 0.05
    done
    return 1
}

# ECDSA P-256 self-signed certificate for bench.local (and 127.0.0.1) in DIR:
# bench.crt, bench.key, and bench.pem (both, for HAProxy).
gen_cert() {
    local dir=$1
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$dir/bench.key" -out "$dir/bench.crt" -days 2 -subj "/CN=bench.local" \
        -addext "subjectAltName=DNS:bench.local,IP:127.0.0.1" >/dev/null 2>&1 ||
        die "openssl could not generate the certificate"
    cat "$dir/bench.crt" "$dir/bench.key" >"$dir/bench.pem"
}

# The 64-byte body of backend N: identical length for every backend, distinct content.
backend_body() {
    local text="portico-bench backend $1 "
    while ((${#text} < BENCH_BODY_LENGTH)); do text+="."; done
    printf '%s' "${text:0:BENCH_BODY_LENGTH}"
}

# The part of an nginx.conf every nginx here shares (one worker, in the foreground, all state
# under DIR, keep-alive without a request limit), up to and including the opening of `http {`.
nginx_preamble() {
    local dir=$1
    cat <<EOF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    client_body_temp_path $dir/tmp-body;
    proxy_temp_path $dir/tmp-proxy;
    fastcgi_temp_path $dir/tmp-fastcgi;
    uwsgi_temp_path $dir/tmp-uwsgi;
    scgi_temp_path $dir/tmp-scgi;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
EOF
}

# Starts one fixed-response nginx backend (1 worker, keep-alive, no request limit per
# connection) with a stub_status server on a separate port. Sets BACKEND_PORT, BACKEND_STATUS
# and BACKEND_PID.
start_backend() {
    local name=$1 dir="$BENCH_TMP/$1"
    mkdir -p "$dir"
    BACKEND_PORT=$(free_port)
    BACKEND_STATUS=$(free_port)
    cat >"$dir/nginx.conf" <<EOF
$(nginx_preamble "$dir")
    server {
        listen 127.0.0.1:$BACKEND_PORT backlog=4096;
        location / { default_type text/plain; return 200 "$(backend_body "${name#backend}")"; }
    }
    server {
        listen 127.0.0.1:$BACKEND_STATUS;
        location / { stub_status; }
    }
}
EOF
    spawn "$dir/stdout.log" nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
    wait_port "$BACKEND_PORT" || die "backend $name did not start: $(cat "$dir/error.log" "$dir/stdout.log")"
}

# Both backends: sets BACKEND1_PORT, BACKEND2_PORT, BACKEND_STATUS_PORTS.
start_backends() {
    start_backend backend1
    BACKEND1_PORT=$BACKEND_PORT
    BACKEND_STATUS_PORTS="$BACKEND_STATUS"
    start_backend backend2
    BACKEND2_PORT=$BACKEND_PORT
    BACKEND_STATUS_PORTS+=" $BACKEND_STATUS"
    log "backends on 127.0.0.1:$BACKEND1_PORT and 127.0.0.1:$BACKEND2_PORT (stub_status on $BACKEND_STATUS_PORTS)"
}

# Total `accepts` of both backends' stub_status. Each read is itself one accepted connection,
# which backend_new_connections subtracts.
backend_accepts() {
    local port total=0 accepts
    for port in $BACKEND_STATUS_PORTS; do
        accepts=$(curl -fsS --max-time 5 "http://127.0.0.1:$port/" | awk 'NR == 3 { print $1 }')
        total=$((total + ${accepts:-0}))
    done
    echo "$total"
}

# New backend connections between two backend_accepts readings, without the readings' own.
backend_new_connections() {
    local before=$1 after=$2 readers
    readers=$(wc -w <<<"$BACKEND_STATUS_PORTS")
    echo $((after - before - readers))
}

# The kernel's count of accepted TCP connections (all sockets of this network namespace).
passive_opens() {
    awk '/^Tcp:/ { if (!n) { for (i = 1; i <= NF; i++) if ($i == "PassiveOpens") col = i; n = 1 } else print $col }' /proc/net/snmp
}

# The PIDs of a process and its direct children (nginx master and workers).
pid_and_children() {
    local pid=$1
    echo "$pid"
    pgrep -P "$pid" || true
}

# utime + stime in clock ticks, summed over PIDs.
cpu_ticks() {
    local pid total=0 fields
    for pid in "$@"; do
        [[ -r "/proc/$pid/stat" ]] || continue
        # Fields after the ")" that closes the command name start at field 3 (state).
        fields=$(sed 's/.*) //' "/proc/$pid/stat")
        read -r -a f <<<"$fields"
        total=$((total + f[11] + f[12]))
    done
    echo "$total"
}

# A /proc/PID/status field in KiB (VmRSS, VmHWM), summed over PIDs.
status_kib() {
    local field=$1 pid total=0 value
    shift
    for pid in "$@"; do
        value=$(awk -v f="$field:" '$1 == f { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
        total=$((total + ${value:-0}))
    done
    echo "$total"
}

# Generates a manifest folder for the bench: an IngressClass, the TLS Secret, a Service and
# one EndpointSlice per backend (the backends listen on different ports of 127.0.0.1, so each
# slice carries its own port for the Service's named port), and an Ingress for bench.local.
write_bench_manifests() {
    local dir=$1 cert=$2 key=$3 port1=$4 port2=$5
    mkdir -p "$dir"
    local crt_b64 key_b64
    crt_b64=$(base64 -w0 <"$cert")
    key_b64=$(base64 -w0 <"$key")
    cat >"$dir/00-class.yaml" <<EOF
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: portico
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
spec:
  controller: ${PORTICO_CONTROLLER_NAME:-portico.dev/ingress-controller}
EOF
    cat >"$dir/10-bench.yaml" <<EOF
apiVersion: v1
kind: Secret
metadata:
  name: bench-tls
  namespace: bench
type: kubernetes.io/tls
data:
  tls.crt: $crt_b64
  tls.key: $key_b64
---
apiVersion: v1
kind: Service
metadata:
  name: echo
  namespace: bench
spec:
  ports:
    - name: http
      port: 80
      targetPort: http
      protocol: TCP
---
$(endpoint_slice_yaml bench echo echo-1 "$port1")
---
$(endpoint_slice_yaml bench echo echo-2 "$port2")
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: bench
  namespace: bench
  annotations:
    # nginx and HAProxy serve bench.local on both ports; so must Portico (no 308 to HTTPS).
    portico.dev/ssl-redirect: "false"
spec:
  ingressClassName: portico
  tls:
    - hosts: [bench.local]
      secretName: bench-tls
  rules:
    - host: bench.local
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: echo
                port:
                  number: 80
EOF
}

# One EndpointSlice with one ready endpoint on 127.0.0.1:PORT for the named port "http".
endpoint_slice_yaml() {
    local namespace=$1 service=$2 name=$3 port=$4
    cat <<EOF
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: $name
  namespace: $namespace
  labels:
    kubernetes.io/service-name: $service
addressType: IPv4
ports:
  - name: http
    port: $port
    protocol: TCP
endpoints:
  - addresses: ["127.0.0.1"]
    conditions:
      ready: true
EOF
}

# Where the portico binary is: PORTICO_BIN, else the release build that the Dockerfile ships
# (scripts/build-release), kept apart in .build-static so that it does not fight the ordinary
# release build over flags.
portico_binary() {
    echo "${PORTICO_BIN:-$REPO_DIR/.build-static/release/portico}"
}

# Builds portico when asked to and it is missing; prints nothing. Returns 1 when there is no
# binary to run.
ensure_portico() {
    local build=$1 bin
    bin=$(portico_binary)
    if [[ ! -x "$bin" && "$build" == 1 ]]; then
        log "building portico (scripts/build-release, into .build-static)"
        "$REPO_DIR/scripts/build-release" >/dev/null || {
            log "portico did not build"
            return 1
        }
    fi
    [[ -x "$bin" ]]
}

# The proxies Portico is measured against, by target name: ports, PIDs whose CPU and memory
# count, whether the target serves ("ok" or why not) and whether its TLS listener does.
declare -A HTTP_PORT HTTPS_PORT MEASURE_PIDS STATE TLS_STATE

# nginx as the reference proxy: 1 worker, upstream keep-alive, HTTP/1.1 upstream, HTTP and TLS
# 1.3 (with HTTP/2) listeners with full handshakes only; also a stub_status server and a
# listener that does resume TLS sessions, the positive control of the resumption check.
start_nginx_proxy() {
    local dir="$BENCH_TMP/nginx"
    mkdir -p "$dir"
    HTTP_PORT[nginx]=$(free_port)
    HTTPS_PORT[nginx]=$(free_port)
    NGINX_STATUS_PORT=$(free_port)
    RESUMPTION_CONTROL_PORT=$(free_port)
    cat >"$dir/nginx.conf" <<EOF
$(nginx_preamble "$dir")
    ssl_protocols TLSv1.3;
    ssl_certificate $BENCH_TMP/bench.crt;
    ssl_certificate_key $BENCH_TMP/bench.key;
    # Forced full handshakes: no session cache, no tickets (checked with openssl s_client).
    ssl_session_cache off;
    ssl_session_tickets off;

    upstream bench_backends {
        server 127.0.0.1:$BACKEND1_PORT;
        server 127.0.0.1:$BACKEND2_PORT;
        keepalive 512;
        keepalive_requests 100000000;
        keepalive_timeout 300s;
    }
    # Any other host: 404 from the proxy itself, never the backends.
    server {
        listen 127.0.0.1:${HTTP_PORT[nginx]} default_server backlog=4096;
        listen 127.0.0.1:${HTTPS_PORT[nginx]} ssl http2 default_server backlog=4096;
        server_name _;
        return 404;
    }
    server {
        listen 127.0.0.1:${HTTP_PORT[nginx]};
        listen 127.0.0.1:${HTTPS_PORT[nginx]} ssl http2;
        server_name bench.local;
        location / {
            proxy_pass http://bench_backends;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
        }
    }
    server {
        listen 127.0.0.1:$NGINX_STATUS_PORT;
        location / { stub_status; }
    }
    # Positive control for the resumption check: a listener that does resume sessions.
    server {
        listen 127.0.0.1:$RESUMPTION_CONTROL_PORT ssl;
        ssl_session_cache shared:control:1m;
        ssl_session_tickets on;
        location / { return 200 "control\n"; }
    }
}
EOF
    spawn "$dir/stdout.log" nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
    local master=$SPAWNED_PID
    wait_port "${HTTP_PORT[nginx]}" || die "nginx did not start: $(cat "$dir/error.log" "$dir/stdout.log")"
    sleep 0.2
    MEASURE_PIDS[nginx]=$(pid_and_children "$master" | tr '\n' ' ')
    STATE[nginx]=ok
    TLS_STATE[nginx]=ok
}

# HAProxy: 1 thread, `http-reuse always`, the same listeners as nginx and full handshakes only.
start_haproxy() {
    local dir="$BENCH_TMP/haproxy"
    mkdir -p "$dir"
    HTTP_PORT[haproxy]=$(free_port)
    HTTPS_PORT[haproxy]=$(free_port)
    HAPROXY_STATS_PORT=$(free_port)
    cat >"$dir/haproxy.cfg" <<EOF
global
    nbthread 1
    maxconn 8000
    # Forced full handshakes: no session cache, no tickets (checked with openssl s_client).
    tune.ssl.cachesize 0
    ssl-default-bind-options ssl-min-ver TLSv1.3 no-tls-tickets

defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 60s
    http-reuse always

frontend bench
    bind 127.0.0.1:${HTTP_PORT[haproxy]}
    bind 127.0.0.1:${HTTPS_PORT[haproxy]} ssl crt $BENCH_TMP/bench.pem alpn h2,http/1.1
    acl bench_host req.hdr(host) -m reg -i ^bench\.local(:[0-9]+)?$
    http-request return status 404 content-type text/plain string "not found" unless bench_host
    default_backend backends

backend backends
    balance roundrobin
    http-reuse always
    server b1 127.0.0.1:$BACKEND1_PORT
    server b2 127.0.0.1:$BACKEND2_PORT

frontend stats
    bind 127.0.0.1:$HAPROXY_STATS_PORT
    stats enable
    stats uri /stats
EOF
    haproxy -c -f "$dir/haproxy.cfg" >"$dir/check.log" 2>&1 || die "haproxy config: $(cat "$dir/check.log")"
    spawn "$dir/stdout.log" haproxy -db -f "$dir/haproxy.cfg"
    local pid=$SPAWNED_PID
    wait_port "${HTTP_PORT[haproxy]}" || die "haproxy did not start: $(cat "$dir/stdout.log")"
    MEASURE_PIDS[haproxy]=$pid
    STATE[haproxy]=ok
    TLS_STATE[haproxy]=ok
}

# Builds bench/floor's programs (see bench/floor.sh) when one is missing or REBUILD is 1, and
# sets FLOOR_BIN_DIR to where they are. They get the compiler flags of scripts/build-release
# that change the code (static Swift runtime, no run-time exclusivity checks, cross-module
# optimization): what Portico gets.
build_floors() {
    local rebuild=${1:-0} bin_dir package="$BENCH_DIR/floor"
    bin_dir=$(swift build --package-path "$package" -c release --show-bin-path)
    if ((rebuild == 1)) || [[ ! -x "$bin_dir/nio-relay-floor" || ! -x "$bin_dir/nio-h2-floor" ]]; then
        log "building bench/floor (release; a few minutes the first time)"
        swift build --package-path "$package" -c release --static-swift-stdlib \
            -Xswiftc -enforce-exclusivity=unchecked -Xswiftc -cross-module-optimization >&2 ||
            die "bench/floor did not build"
    fi
    FLOOR_BIN_DIR=$bin_dir
}

# Starts the bench backends, then Portico under callgrind on the bench manifests, and waits for
# it like start_portico. It runs a copy of the binary without DWARF (valgrind cannot read the
# DWARF 5 of a Swift 6 build; the symbol table is enough), left at $BENCH_TMP/portico-nodebug.
# Arguments go to valgrind, after --tool=callgrind.
start_portico_under_callgrind() {
    gen_cert "$BENCH_TMP"
    start_backends
    write_bench_manifests "$BENCH_TMP/manifests" "$BENCH_TMP/bench.crt" "$BENCH_TMP/bench.key" \
        "$BACKEND1_PORT" "$BACKEND2_PORT"
    local stripped="$BENCH_TMP/portico-nodebug" wrapper="$BENCH_TMP/portico-under-callgrind"
    strip --strip-debug -o "$stripped" "$(portico_binary)"
    {
        echo '#!/usr/bin/env bash'
        printf 'exec valgrind --tool=callgrind'
        printf ' %q' "$@" "$stripped"
        printf ' "$@"\n'
    } >"$wrapper"
    chmod +x "$wrapper"
    PORTICO_BIN=$wrapper start_portico "$BENCH_TMP/manifests" portico 300
}

# Starts portico in local mode on a manifest folder and waits (bounded) for /readyz.
# Sets PORTICO_PID, PORTICO_HTTP, PORTICO_HTTPS, PORTICO_ADMIN and PORTICO_READY_MS.
# Returns 1 when it does not become ready.
start_portico() {
    local manifests=$1 name=${2:-portico} timeout=${3:-60} bin
    bin=$(portico_binary)
    PORTICO_HTTP=$(free_port)
    PORTICO_HTTPS=$(free_port)
    PORTICO_ADMIN=$(free_port)
    local start_ns
    start_ns=$(date +%s%N)
    # No drain delay: nothing balances across a benchmark's Portico, so it may stop at once.
    # shellcheck disable=SC2086 # PORTICO_EXTRA_ARGS is a word list on purpose.
    spawn "$BENCH_TMP/$name.log" "$bin" run --manifests "$manifests" \
        --http-port "$PORTICO_HTTP" --https-port "$PORTICO_HTTPS" --admin-port "$PORTICO_ADMIN" \
        --workers 1 --no-access-log --log-level warning --shutdown-drain-delay 0s ${PORTICO_EXTRA_ARGS:-}
    PORTICO_PID=$SPAWNED_PID
    local deadline=$((SECONDS + timeout))
    while ((SECONDS < deadline)); do
        if curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$PORTICO_ADMIN/readyz"; then
            PORTICO_READY_MS=$((($(date +%s%N) - start_ns) / 1000000))
            return 0
        fi
        kill -0 "$PORTICO_PID" 2>/dev/null || break
        sleep 0.05
    done
    log "$name did not become ready in ${timeout}s; its log:"
    tail -n 20 "$BENCH_TMP/$name.log" >&2 || true
    return 1
}

# Parses wrk --latency output into "requests rps p50_ms p99_ms errors".
parse_wrk() {
    awk '
        function ms(v) {
            if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
            if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
            if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
            return v + 0
        }
        /requests in/ { requests = $1 }
        /^Requests\/sec:/ { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        /Socket errors:/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
        /Non-2xx or 3xx responses:/ { errors += $5 }
        END { printf "%d %.1f %.3f %.3f %d\n", requests, rps, p50, p99, errors }
    ' "$1"
}

# Parses h2load output and its --log-file into "requests rps p50_ms p99_ms errors".
parse_h2load() {
    local out=$1 requests_log=$2 p50 p99
    read -r p50 p99 < <(awk -F'\t' '{ print $3 }' "$requests_log" | sort -n | awk '
        { v[NR] = $1 }
        END {
            if (NR == 0) { print "0 0"; exit }
            i50 = int(NR * 0.50); if (i50 < 1) i50 = 1
            i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
            printf "%.3f %.3f\n", v[i50] / 1000, v[i99] / 1000
        }')
    awk -v p50="$p50" -v p99="$p99" '
        /^finished in/ { gsub(/,/, ""); rps = $4 }
        /^requests:/ { gsub(/,/, ""); succeeded = $8; failed = $10; errored = $12 }
        /^status codes:/ { gsub(/,/, ""); non2xx = $5 + $7 + $9 }
        END { printf "%d %.1f %s %s %d\n", succeeded, rps, p50, p99, failed + errored + non2xx }
    ' "$out"
}
