#!/usr/bin/env bash
# Stop a server started by start.sh:  tools/neo4j-server/stop.sh [PORT]
# PORT: else $NEO4J_BOLT_PORT, else the only server running from this folder.
# SIGTERM (clean shutdown), SIGKILL after 60 s, then remove its temp data dir (not a
# $NEO4J_DATA_DIR given by the user). The log .run/neo4j-PORT.log is kept.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN="$HERE/.run"
JAR="$HERE/target/coalition-neo4j-server.jar"

PORT="${1:-${NEO4J_BOLT_PORT:-}}"
if [[ -z "$PORT" ]]; then
    ports=()
    for f in "$RUN"/neo4j-*.pid; do
        [[ -e "$f" ]] && p=${f##*/neo4j-} && ports+=("${p%.pid}")
    done
    if ((${#ports[@]} == 0)); then
        echo "neo4j-server: not running" >&2
        exit 0
    elif ((${#ports[@]} > 1)); then
        echo "neo4j-server: several servers (ports ${ports[*]}); say which: stop.sh PORT" >&2
        exit 1
    fi
    PORT=${ports[0]}
fi
STATE="$RUN/neo4j-$PORT"

pid=$(cat "$STATE.pid" 2>/dev/null || true)
clean=0
# Only signal the pid if it still runs our launcher (pids get reused).
if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-jar $JAR"; then
    kill -TERM "$pid"
    for _ in $(seq 600); do
        kill -0 "$pid" 2>/dev/null || { clean=1; break; }
        sleep 0.1
    done
    if ((!clean)); then
        echo "neo4j-server: pid $pid ignored SIGTERM for 60 s, killing it" >&2
        kill -KILL "$pid" 2>/dev/null
        sleep 0.5
    fi
    echo "neo4j-server: stopped pid $pid (port $PORT)" >&2
else
    echo "neo4j-server: not running on port $PORT" >&2
fi

# Class-data-sharing dump written at exit (see start.sh): keep it only after a clean exit.
if [[ -f "$STATE.cds" ]]; then
    jsa=$(cat "$STATE.cds")
    if ((clean)) && [[ -s "$jsa.$PORT.tmp" && ! -s "$jsa" ]]; then
        mv -f "$jsa.$PORT.tmp" "$jsa"
    else
        rm -f "$jsa.$PORT.tmp"
    fi
fi

data=$(cat "$STATE.datadir" 2>/dev/null || true)
if [[ -n "$data" && "$(cat "$STATE.datadir-owned" 2>/dev/null)" == 1 && -d "$data" ]]; then
    rm -rf -- "$data"
fi
rm -f "$STATE.pid" "$STATE.datadir" "$STATE.datadir-owned" "$STATE.cds"
exit 0
