#!/usr/bin/env bash
# Run Pebble, a test ACME server, on the gateway of the Docker network that
# the test containers use, with pebble-challtestsrv as its DNS resolver.
#
#   pebble.sh start          create the network moat-test when missing, start
#                            pebble-challtestsrv and pebble unless both run,
#                            wait for the ACME directory, print the env lines
#                            (progress goes to stderr, so
#                            eval "$(pebble.sh start)" sets the variables)
#   pebble.sh stop           stop the processes this script started
#   pebble.sh env            print the export lines the tests read
#   pebble.sh status         print whether both processes run
#   pebble.sh add-a NAME IP  make the DNS resolver return the IPv4 address IP
#                            for NAME, so Pebble fetches HTTP-01 challenges
#                            for NAME from port 80 of that container
#   pebble.sh roots          write the root and intermediate certificates that
#                            sign issued certificates to issuer-root.pem and
#                            print its path
#
# Containers cannot reach the host's 127.0.0.1, so both servers listen on the
# network's gateway address. Environment read by "start":
#   MOAT_PEBBLE_ALWAYS_VALID=1  pass every challenge without fetching it
#                               (PEBBLE_VA_ALWAYS_VALID)
#   PEBBLE_WFE_NONCEREJECT      percentage of valid nonces that Pebble rejects
#                               as bad; default 0 here (Pebble's own default
#                               is 5), so test runs do not fail at random
#   PEBBLE_AUTHZREUSE           percentage of orders that reuse a valid
#                               authorization; default 0 here (Pebble's own
#                               default is 50), so nearly every order fetches
#                               its challenge. Pebble 2.4 still reuses one in
#                               100 times at 0 (rand.Intn(100) > percentage).
#
# Pebble keeps accounts, orders and its issuing CA in memory: every start
# begins with a new CA and no accounts.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
state="$repo/.cache/testbed/pebble"
network=moat-test

acme_port=14000
management_port=15000
dns_port=8053
challtestsrv_port=8055

api_ca_key="$state/api-ca.key"
api_ca_cert="$state/api-ca.pem"
api_key="$state/api.key"
api_cert="$state/api.pem"
config="$state/pebble-config.json"
gateway_file="$state/gateway"
issuer_bundle="$state/issuer-root.pem"
pebble_pidfile="$state/pebble.pid"
pebble_log="$state/pebble.log"
challtestsrv_pidfile="$state/challtestsrv.pid"
challtestsrv_log="$state/challtestsrv.log"

# Run curl without any proxy from the environment, because every URL here is
# on a local bridge address. The time limit keeps a listener that accepts but
# never replies from hanging the script.
local_curl() {
    curl --noproxy '*' --silent --show-error --fail --max-time 10 "$@"
}

require_docker() {
    if ! docker info >/dev/null 2>&1; then
        echo "pebble: no Docker daemon responds; run scripts/testbed/docker.sh start first" >&2
        exit 1
    fi
}

# Create the network when missing and print its IPv4 gateway address.
network_gateway() {
    if ! docker network inspect "$network" >/dev/null 2>&1; then
        echo "pebble: creating Docker network $network" >&2
        docker network create "$network" >/dev/null
    fi
    local gateway
    gateway=$(docker network inspect -f '{{range .IPAM.Config}}{{.Gateway}} {{end}}' "$network" |
        tr ' ' '\n' | grep -E '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' | head -n 1 || true)
    if [[ -z $gateway ]]; then
        # Docker 20.10 leaves Gateway empty in the inspect output of a network
        # created with --subnet but without --gateway. The host's end of the
        # bridge carries the gateway address, so read it from there.
        local bridge id
        bridge=$(docker network inspect -f '{{index .Options "com.docker.network.bridge.name"}}' "$network")
        if [[ -z $bridge || $bridge == "<no value>" ]]; then
            id=$(docker network inspect -f '{{.Id}}' "$network")
            bridge="br-${id:0:12}"
        fi
        gateway=$(ip -4 -o addr show dev "$bridge" 2>/dev/null |
            awk '{ sub("/.*", "", $4); print $4; exit }')
    fi
    if [[ -z $gateway ]]; then
        echo "pebble: Docker network $network has no IPv4 gateway address; recreate it with: docker network rm $network" >&2
        exit 1
    fi
    echo "$gateway"
}

# Print the gateway address that the running servers listen on.
recorded_gateway() {
    if [[ ! -f $gateway_file ]]; then
        echo "pebble: not started; run $0 start" >&2
        exit 1
    fi
    cat "$gateway_file"
}

# Succeed when PIDFILE names a live process running EXECUTABLE. Checking the
# executable guards against a PID that the kernel has reused since.
pid_alive() {
    local pidfile=$1 executable=$2 pid
    [[ -f $pidfile ]] || return 1
    pid=$(cat "$pidfile")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == "$executable" ]]
}

running() {
    pid_alive "$pebble_pidfile" /usr/bin/pebble &&
        pid_alive "$challtestsrv_pidfile" /usr/bin/pebble-challtestsrv
}

# Make the CA and server certificate for Pebble's own API, unless both exist
# and the server certificate already names GATEWAY.
make_api_certificate() {
    local gateway=$1
    if [[ -f $api_ca_cert && -f $api_ca_key && -f $api_cert && -f $api_key ]] &&
        openssl x509 -in "$api_cert" -noout -ext subjectAltName 2>/dev/null |
        grep -qE "IP Address:${gateway//./\\.}(,|$)"; then
        return 0
    fi
    echo "pebble: making a CA and server certificate for the API (SAN IP $gateway)"
    # umask 077 creates both private keys with mode 0600.
    (
        umask 077
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
            -keyout "$api_ca_key" -out "$api_ca_cert" -days 3650 \
            -subj "/CN=moat-nodered test Pebble API CA" \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
            -keyout "$api_key" -out "$state/api.csr" \
            -subj "/CN=pebble" 2>/dev/null
    )
    openssl x509 -req -in "$state/api.csr" -CA "$api_ca_cert" -CAkey "$api_ca_key" \
        -CAcreateserial -out "$api_cert" -days 825 \
        -extfile <(printf '%s\n' \
            "basicConstraints=critical,CA:FALSE" \
            "keyUsage=critical,digitalSignature" \
            "extendedKeyUsage=serverAuth" \
            "subjectAltName=IP:$gateway,IP:127.0.0.1,DNS:localhost,DNS:pebble") 2>/dev/null
    rm -f "$state/api.csr" "$state/api-ca.srl"
    chmod 0644 "$api_ca_cert" "$api_cert"
}

write_config() {
    local gateway=$1
    cat >"$config" <<EOF
{
  "pebble": {
    "listenAddress": "$gateway:$acme_port",
    "managementListenAddress": "$gateway:$management_port",
    "certificate": "$api_cert",
    "privateKey": "$api_key",
    "httpPort": 80,
    "tlsPort": 443,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": false
  }
}
EOF
}

# Print the log's last lines and fail when the process in PIDFILE has exited.
check_alive() {
    local name=$1 pidfile=$2 executable=$3 log=$4
    # Right after the fork the child can still be the shell or setsid, before
    # it executes the server, so a process that still exists is not yet
    # reported as exited.
    if ! pid_alive "$pidfile" "$executable" && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        echo "pebble: $name exited; last lines of $log:" >&2
        tail -n 20 "$log" >&2
        stop_processes >&2
        exit 1
    fi
}

print_env() {
    local gateway=$1
    echo "export MOAT_ACME_DIRECTORY=https://$gateway:$acme_port/dir"
    echo "export MOAT_ACME_CA_BUNDLE=$api_ca_cert"
    echo "export MOAT_PEBBLE_MANAGEMENT=https://$gateway:$management_port"
    echo "export MOAT_CHALLTESTSRV=http://$gateway:$challtestsrv_port"
    echo "export MOAT_TEST_GATEWAY=$gateway"
}

start() {
    require_docker
    local gateway
    gateway=$(network_gateway)

    if running; then
        if [[ $(cat "$gateway_file" 2>/dev/null) == "$gateway" ]]; then
            echo "pebble: already running on $gateway" >&2
            print_env "$gateway"
            return 0
        fi
        echo "pebble: running on $(cat "$gateway_file"), but $network now has gateway $gateway; restarting" >&2
    fi
    # Also clears a half-started pair, such as a resolver whose Pebble exited.
    stop_processes >&2

    mkdir -p "$state"
    make_api_certificate "$gateway" >&2
    write_config "$gateway"
    echo "$gateway" >"$gateway_file"
    rm -f "$issuer_bundle"

    local started
    started=$(date +%s%N)
    echo "pebble: starting pebble-challtestsrv (DNS $gateway:$dns_port, log: $challtestsrv_log)" >&2
    # Empty -defaultIPv4/-defaultIPv6 leave names without an add-a record
    # unresolved, instead of pointing them at the host's loopback. The
    # challenge listeners are off because the containers serve the challenges.
    # setsid detaches both servers from this shell, so they outlive it until
    # "stop" ends them by PID.
    setsid pebble-challtestsrv \
        -dns01 "$gateway:$dns_port" \
        -management "$gateway:$challtestsrv_port" \
        -http01 "" -https01 "" -tlsalpn01 "" \
        -defaultIPv4 "" -defaultIPv6 "" \
        >"$challtestsrv_log" 2>&1 </dev/null &
    echo $! >"$challtestsrv_pidfile"

    local always_valid=0
    [[ ${MOAT_PEBBLE_ALWAYS_VALID:-0} == 1 ]] && always_valid=1
    echo "pebble: starting pebble (ACME $gateway:$acme_port, always valid: $always_valid, log: $pebble_log)" >&2
    (
        export PEBBLE_VA_NOSLEEP=1
        export PEBBLE_WFE_NONCEREJECT=${PEBBLE_WFE_NONCEREJECT:-0}
        export PEBBLE_AUTHZREUSE=${PEBBLE_AUTHZREUSE:-0}
        if ((always_valid)); then
            export PEBBLE_VA_ALWAYS_VALID=1
        else
            unset PEBBLE_VA_ALWAYS_VALID
        fi
        setsid pebble -config "$config" -dnsserver "$gateway:$dns_port" \
            >"$pebble_log" 2>&1 </dev/null &
        echo $! >"$pebble_pidfile"
    )

    for _ in $(seq 1 60); do
        check_alive pebble-challtestsrv "$challtestsrv_pidfile" /usr/bin/pebble-challtestsrv "$challtestsrv_log"
        check_alive pebble "$pebble_pidfile" /usr/bin/pebble "$pebble_log"
        if local_curl --max-time 2 --cacert "$api_ca_cert" -o /dev/null "https://$gateway:$acme_port/dir" 2>/dev/null &&
            curl --noproxy '*' --silent --max-time 2 -o /dev/null "http://$gateway:$challtestsrv_port/"; then
            echo "pebble: ready after $((($(date +%s%N) - started) / 1000000)) ms" >&2
            print_env "$gateway"
            return 0
        fi
        sleep 0.5
    done
    echo "pebble: timed out after 30 s waiting for https://$gateway:$acme_port/dir; see $pebble_log" >&2
    stop_processes >&2
    exit 1
}

# Stop one process by the PID in PIDFILE, then remove the PID file.
stop_process() {
    local name=$1 pidfile=$2 executable=$3 pid
    if [[ ! -f $pidfile ]]; then
        return 0
    fi
    pid=$(cat "$pidfile")
    if pid_alive "$pidfile" "$executable"; then
        echo "pebble: stopping $name (PID $pid)"
        kill "$pid"
        for _ in $(seq 1 20); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.25
        done
    else
        echo "pebble: $name (PID $pid) was no longer running"
    fi
    rm -f "$pidfile"
}

stop_processes() {
    stop_process pebble "$pebble_pidfile" /usr/bin/pebble
    stop_process pebble-challtestsrv "$challtestsrv_pidfile" /usr/bin/pebble-challtestsrv
}

stop() {
    if [[ ! -f $pebble_pidfile && ! -f $challtestsrv_pidfile ]]; then
        echo "pebble: not started by this script; nothing to stop"
        return 0
    fi
    local gateway
    gateway=$(cat "$gateway_file" 2>/dev/null || echo GATEWAY)
    stop_processes
    rm -f "$issuer_bundle"
    echo "pebble: stopped. Pebble kept its accounts in memory, so before certbot uses a new"
    echo "pebble: start, remove its account directory for this server:"
    echo "pebble:   /etc/letsencrypt/accounts/$gateway:$acme_port (or under certbot's --config-dir)"
}

add_a() {
    local name=${1:-} address=${2:-}
    if [[ -z $name || -z $address ]]; then
        echo "usage: $0 add-a NAME IP" >&2
        exit 2
    fi
    if [[ ! $name =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?\.?$ ]]; then
        echo "pebble: invalid host name '$name'" >&2
        exit 2
    fi
    if [[ ! $address =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]]; then
        echo "pebble: invalid IPv4 address '$address'" >&2
        exit 2
    fi
    running || { echo "pebble: not running; run $0 start" >&2; exit 1; }
    local gateway
    gateway=$(recorded_gateway)
    # add-a appends to the addresses that NAME already has, and Pebble would
    # try an address from an earlier run first, so clear them before adding.
    local_curl -o /dev/null -X POST \
        -d "{\"host\":\"$name\"}" \
        "http://$gateway:$challtestsrv_port/clear-a"
    local_curl -o /dev/null -X POST \
        -d "{\"host\":\"$name\",\"addresses\":[\"$address\"]}" \
        "http://$gateway:$challtestsrv_port/add-a"
    echo "pebble: $name resolves to $address"
}

roots() {
    running || { echo "pebble: not running; run $0 start" >&2; exit 1; }
    local gateway management
    gateway=$(recorded_gateway)
    management="https://$gateway:$management_port"
    {
        local_curl --cacert "$api_ca_cert" "$management/roots/0"
        local_curl --cacert "$api_ca_cert" "$management/intermediates/0"
    } >"$issuer_bundle.tmp"
    mv "$issuer_bundle.tmp" "$issuer_bundle"
    echo "$issuer_bundle"
}

status() {
    if running; then
        echo "pebble: running on $(cat "$gateway_file")" \
            "(pebble PID $(cat "$pebble_pidfile"), pebble-challtestsrv PID $(cat "$challtestsrv_pidfile"))"
        return 0
    fi
    if pid_alive "$pebble_pidfile" /usr/bin/pebble; then
        echo "pebble: only pebble runs (PID $(cat "$pebble_pidfile")); run $0 start to restart both"
    elif pid_alive "$challtestsrv_pidfile" /usr/bin/pebble-challtestsrv; then
        echo "pebble: only pebble-challtestsrv runs (PID $(cat "$challtestsrv_pidfile")); run $0 start to restart both"
    else
        echo "pebble: not running"
    fi
    exit 1
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env)
        running || { echo "pebble: not running; run $0 start" >&2; exit 1; }
        print_env "$(recorded_gateway)"
        ;;
    status) status ;;
    add-a) add_a "${2:-}" "${3:-}" ;;
    roots) roots ;;
    *) echo "usage: $0 start|stop|env|status|add-a NAME IP|roots" >&2; exit 2 ;;
esac
