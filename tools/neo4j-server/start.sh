#!/usr/bin/env bash
# Start a local Neo4j 5 Community server (no Docker) for Coalition Mapper.
#
#   tools/neo4j-server/start.sh [PORT]      # PORT: else $NEO4J_BOLT_PORT, else 7687
#
# Bolt listens on 127.0.0.1 only. Auth is on: user neo4j, password $NEO4J_PASSWORD
# (default coalition-test); NEO4J_AUTH=none switches auth off. Data lives in a fresh
# temp dir (or $NEO4J_DATA_DIR, which stop.sh then keeps). The first run builds the
# launcher with Maven (about 165 MB from Maven Central into ~/.m2); later runs need no
# network. Prints progress on stderr and the URI neo4j://127.0.0.1:PORT as the only,
# last line of stdout. Already running on PORT: just prints the URI. One server per
# port; state and log in .run/neo4j-PORT.*. Stop with stop.sh PORT.
# Env: NEO4J_JAVA_OPTS (default -Xms256m -Xmx1g), NEO4J_START_TIMEOUT (seconds, 120),
# NEO4J_CDS=0 to not use a class-data-sharing archive.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN="$HERE/.run"
PORT="${1:-${NEO4J_BOLT_PORT:-7687}}"
TIMEOUT="${NEO4J_START_TIMEOUT:-120}"
URI="neo4j://127.0.0.1:$PORT"
JAR="$HERE/target/coalition-neo4j-server.jar"   # finds target/lib/*.jar via its manifest
STATE="$RUN/neo4j-$PORT"                        # .pid .log .datadir .datadir-owned .cds
LOG="$STATE.log"

die() { echo "neo4j-server: $*" >&2; exit 1; }
say() { echo "neo4j-server: $*" >&2; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
our_pid() { # $1 is a live process running our launcher
    [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null &&
        tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q -- "-jar $JAR"
}

[[ "$PORT" =~ ^[0-9]+$ ]] || die "bad port '$PORT'"
mkdir -p "$RUN"
# One start.sh per port at a time (e.g. parallel test workers): the others wait, then
# find it running. fd 9 is closed for the server itself (9>&- below).
if command -v flock >/dev/null; then exec 9>"$STATE.lock"; flock 9; fi

wait_ready() { # $1 pid
    local deadline=$((SECONDS + TIMEOUT))
    while ((SECONDS < deadline)); do
        if ! kill -0 "$1" 2>/dev/null; then
            local why
            why=$(grep -v '^\s' "$LOG" | grep -m1 -iE 'error|exception|unrecognized|invalid' || tail -n 1 "$LOG")
            die "server exited during start-up: ${why:0:300} (log: $LOG)"
        fi
        if grep -q '^READY' "$LOG" 2>/dev/null && port_open "$PORT"; then
            return 0
        fi
        sleep 0.3
    done
    return 1
}

# Already running on this port?
if [[ -f "$STATE.pid" ]]; then
    pid=$(cat "$STATE.pid")
    if our_pid "$pid"; then
        wait_ready "$pid" || die "server pid $pid does not answer on 127.0.0.1:$PORT; run stop.sh $PORT"
        echo "$URI"
        exit 0
    fi
    say "removing stale state of a server that is gone (pid $pid)"
    "$HERE/stop.sh" "$PORT" >/dev/null 2>&1 9>&- || true
fi

command -v java >/dev/null || die "java not found on PATH (Java 17+ is needed)"
jv=$(java -version 2>&1) || die "java does not run: $(head -n 1 <<<"$jv")"
jver=$(sed -n 's/.*version "\([0-9]*\).*/\1/p' <<<"$jv" | head -n 1)
[[ -n "$jver" && "$jver" -ge 17 ]] || die "Java 17+ is needed, found: $(head -n 1 <<<"$jv")"
port_open "$PORT" && die "port 127.0.0.1:$PORT is already in use by another process"

# Build when needed: target/coalition-neo4j-server.jar + dependency jars in target/lib.
stamp="$HERE/target/.built"
stale() { [[ ! -f "$stamp" || "$HERE/pom.xml" -nt "$stamp" || -n "$(find "$HERE/src" -newer "$stamp" -type f)" ]]; }
running=()  # a rebuild replaces target/lib under running servers: not while they run
if stale; then
    for f in "$RUN"/neo4j-*.pid; do [[ -e "$f" ]] && our_pid "$(cat "$f")" && running+=("$(basename "$f" .pid)"); done
fi
if ((${#running[@]} > 0)) && [[ -f "$JAR" && -f "$stamp" ]]; then
    say "pom.xml or src changed, but ${running[*]} still run from target/: using the old build"
elif stale; then
    # One build at a time (servers on other ports may be starting too).
    if command -v flock >/dev/null; then exec 8>"$RUN/build.lock"; flock 8; fi
    if stale; then
        command -v mvn >/dev/null || die "mvn (Maven) not found on PATH; it is needed to build the launcher"
        say "building launcher with Maven (log: $RUN/build.log)"
        rm -rf "$HERE/target/lib" "$HERE/target/classes" "$HERE"/target/*.jsa*
        # Offline first (fast, works without network once ~/.m2 is filled), then online.
        if ! mvn -B -q -o -f "$HERE/pom.xml" package >"$RUN/build.log" 2>&1; then
            say "offline build failed, fetching from Maven Central (first run: ~165 MB)"
            mvn -B -q -f "$HERE/pom.xml" package >"$RUN/build.log" 2>&1 ||
                die "Maven build failed (network or compile error): $(sed 's/\x1b\[[0-9;]*m//g' "$RUN/build.log" | grep -m1 '\[ERROR\]' | cut -c1-300) (full log: $RUN/build.log)"
        fi
        touch "$stamp"
    fi
    exec 8>&-
fi

if [[ -n "${NEO4J_DATA_DIR:-}" ]]; then
    data="$NEO4J_DATA_DIR"; owned=0
    mkdir -p "$data" 2>/dev/null || die "cannot create NEO4J_DATA_DIR $data"
else
    data=$(mktemp -d "${TMPDIR:-/tmp}/coalition-neo4j.XXXXXX") || die "mktemp failed"; owned=1
fi
echo "$data" >"$STATE.datadir"
echo "$owned" >"$STATE.datadir-owned"

read -r -a jopts <<<"${NEO4J_JAVA_OPTS:--Xms256m -Xmx1g}"
# AppCDS (about 1.5 s faster starts): one archive per JDK build. Without one, this
# server dumps the classes it loaded when it exits; stop.sh keeps that dump only after
# a clean exit. A stale archive is ignored by the JVM.
cds=()
rm -f "$STATE.cds"
if [[ "${NEO4J_CDS:-1}" == 1 ]]; then
    jsa="$HERE/target/neo4j-classes-$(cksum <<<"$jv" | cut -d' ' -f1).jsa"
    if [[ -s "$jsa" ]]; then
        cds=(-XX:SharedArchiveFile="$jsa")
    else
        cds=(-XX:ArchiveClassesAtExit="$jsa.$PORT.tmp")
        echo "$jsa" >"$STATE.cds"
    fi
    cds+=(-Xlog:cds=off -Xlog:cds+dynamic=off)
fi
# New session (setsid) so a Ctrl-C in the caller's terminal does not stop the server;
# stdin/stdout/stderr detached so a caller capturing our output does not hang.
setsid=(); command -v setsid >/dev/null && setsid=(setsid)
"${setsid[@]}" java "${jopts[@]}" ${cds[@]+"${cds[@]}"} \
    -XX:-OmitStackTraceInFastThrow \
    --add-opens=java.base/java.nio=ALL-UNNAMED \
    --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
    -Dio.netty.tryReflectionSetAccessible=true \
    -jar "$JAR" "$data" "$PORT" \
    </dev/null >"$LOG" 2>&1 9>&- &
pid=$!
echo "$pid" >"$STATE.pid"
say "started pid $pid, data in $data, waiting for Bolt on 127.0.0.1:$PORT"

if ! wait_ready "$pid"; then
    "$HERE/stop.sh" "$PORT" >/dev/null 2>&1 9>&- || true
    die "timed out after ${TIMEOUT}s waiting for Bolt on 127.0.0.1:$PORT (log: $LOG)"
fi
echo "$URI"
