#!/usr/bin/env bash
# The Debian servers the tests and the cluster use.
#   scripts/servers.sh install    install PostgreSQL, Redis, nginx, Chromium + Chinese font
#   scripts/servers.sh postgres   start Debian's PostgreSQL cluster; print an admin URL
set -euo pipefail

install() {
  local missing=()
  command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v chromium >/dev/null || missing+=(chromium)
  [ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || missing+=(fonts-wqy-zenhei)
  command -v curl >/dev/null || missing+=(curl)
  if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

postgres() {
  local version
  version=$(ls /etc/postgresql | sort -V | tail -1)
  pg_ctlcluster "$version" main start >&2 2>/dev/null || true
  for _ in $(seq 1 30); do pg_isready -q -h localhost && break; sleep 1; done
  su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
  echo "postgresql+psycopg2://postgres:postgres@localhost:5432/postgres"
}

case "${1:-}" in
  install) install ;;
  postgres) postgres ;;
  *) echo "usage: $0 install|postgres" >&2; exit 2 ;;
esac
