#!/usr/bin/env bash
# Install the Debian packages the tests and the demo need, if they are missing.
#
#   scripts/install-system-deps.sh          dovecot-imapd, libmagic1, isync, python3-venv,
#                                           libpython3.11-testsuite, chromium, prometheus
#   scripts/install-system-deps.sh --rgw    the above plus a one-node Ceph RADOS Gateway
#
# Idempotent: does nothing when everything is installed. Needs root and apt-get; without
# them it only reports what is missing (exit 0 if nothing is, 1 otherwise).
# The tests start their own Dovecot on high loopback ports; the system dovecot service
# that the package installs is stopped and disabled so it never holds 143/993.
# prometheus is only for promtool (the alert-rule tests); its service is stopped too.
set -euo pipefail

want_rgw=0
for arg in "$@"; do
  case "$arg" in
    --rgw) want_rgw=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

# python3-venv: the virtualenv is built on Debian's python3, which carries the CVE-2024-6923
# fix; libpython3.11-testsuite: CPython's real-world edge-case messages (test_email/data)
# that the parser and ingest tests replay; chromium: the web app's browser tests drive it
# through Playwright (no browser download); prometheus: promtool for the alert-rule tests.
packages=(dovecot-imapd libmagic1 isync python3-venv libpython3.11-testsuite chromium prometheus)
if [ "$want_rgw" = 1 ]; then
  packages+=(radosgw ceph-mon ceph-osd ceph-common)
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

stop_system_dovecot() {
  # The package's service may have been started by the install (no policy-rc.d) or by
  # the init system at boot; either way it is not ours.
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 || true
  elif command -v service >/dev/null 2>&1; then
    service dovecot stop >/dev/null 2>&1 || true
  fi
  if [ -x /usr/sbin/update-rc.d ]; then
    update-rc.d dovecot disable >/dev/null 2>&1 || true
  fi
  # A master started from the system config (not one of the tests' own instances,
  # which always run with -c <their own file>).
  if [ -f /run/dovecot/master.pid ]; then
    pid=$(cat /run/dovecot/master.pid 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      doveadm stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    fi
  fi
}

stop_system_prometheus() {
  # Only promtool is wanted; the server the package may have started is not ours.
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now prometheus.service >/dev/null 2>&1 || true
  elif command -v service >/dev/null 2>&1; then
    service prometheus stop >/dev/null 2>&1 || true
  fi
}

if [ "${#missing[@]}" -eq 0 ]; then
  echo "system packages present: ${packages[*]}"
  if dpkg-query -W -f='${Status}' dovecot-core 2>/dev/null | grep -q "install ok installed" \
     && [ "$(id -u)" = 0 ]; then
    stop_system_dovecot
  fi
  exit 0
fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "missing system packages: ${missing[*]} (run as root on Debian/Ubuntu to install)" >&2
  exit 1
fi

echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
stop_system_dovecot
stop_system_prometheus
echo "system packages installed: ${missing[*]}"
