#!/usr/bin/env bash
# A throwaway one-node Ceph RADOS Gateway for a whole test run.
#
#   scripts/rgw.sh start DIR   start it in the background; state in DIR; prints the env lines
#   scripts/rgw.sh env DIR     print MAILLEDGER_TEST_RGW_* lines (eval-able with export)
#   scripts/rgw.sh stop DIR    stop it and its daemons
#
# Tests reuse a gateway named by MAILLEDGER_TEST_RGW_* instead of starting their own:
#   scripts/rgw.sh start /tmp/rgw && set -a && . /tmp/rgw/rgw.env && set +a
# Needs: scripts/install-system-deps.sh --rgw, run from the repository root's virtualenv.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  sed -n '2,11p' "$0"; exit 2
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$repo/.venv/bin/python}

case "$cmd" in
  start)
    mkdir -p "$dir"
    if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      cat "$dir/rgw.env"; exit 0
    fi
    rm -f "$dir/rgw.env"
    # exec: the recorded pid is the server itself; no shell keeps our stdout open.
    (cd "$repo" && exec setsid "$python" -m tests.harness.rgw serve --env-file "$dir/rgw.env") \
        >"$dir/rgw.log" 2>&1 </dev/null &
    echo $! >"$dir/pid"
    for _ in $(seq 1 900); do
      [ -f "$dir/rgw.env" ] && { cat "$dir/rgw.env"; exit 0; }
      kill -0 "$(cat "$dir/pid")" 2>/dev/null || { cat "$dir/rgw.log" >&2; exit 1; }
      sleep 0.1
    done
    echo "RGW did not start in 90 s" >&2; cat "$dir/rgw.log" >&2; exit 1 ;;
  env)
    cat "$dir/rgw.env" ;;
  stop)
    if [ -f "$dir/pid" ]; then
      pid=$(cat "$dir/pid")
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$dir/pid" "$dir/rgw.env"
    fi ;;
  *) echo "unknown command: $cmd" >&2; exit 2 ;;
esac
