#!/usr/bin/env bash
# An MIT Kerberos KDC (Debian's krb5-kdc) for the Kerberos federation tests: its own realm, config and database in DIR.
#
#   scripts/peers/kdc.sh install                install the KDC's Debian packages when missing (prefetch.sh)
#   scripts/peers/kdc.sh start DIR PORT REALM   make the realm (first time) and start its KDC on 127.0.0.1:PORT (TCP);
#                                               prints DIR/krb5.conf (a client's KRB5_CONFIG, the JVM's java.security.krb5.conf)
#   scripts/peers/kdc.sh keytab DIR PRINCIPAL FILE   a principal with a random key (made when missing), exported to FILE
#   scripts/peers/kdc.sh kinit DIR PRINCIPAL KEYTAB CCACHE   a ticket for PRINCIPAL from KEYTAB into the cache CCACHE
#   scripts/peers/kdc.sh stop DIR
#
# krb5.conf: TCP only (udp_preference_limit 1), no DNS (dns_lookup_*, rdns and dns_canonicalize_hostname false: the
# service principal is hive/<the name the client dialled>), [domain_realm] mapping localhost and 127.0.0.1 to REALM.
# The master key is random and stashed in DIR. Installs krb5-kdc, krb5-admin-server (kadmin.local) and krb5-user
# when missing (needs root), as haproxy.sh does.
set -euo pipefail

log() { printf '[kdc] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { sed -n '4,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

ensure_installed() {
  if command -v krb5kdc >/dev/null 2>&1 && command -v kadmin.local >/dev/null 2>&1 && command -v kinit >/dev/null 2>&1; then return; fi
  [[ $EUID -eq 0 ]] || die "the KDC is not installed and we are not root: apt-get install krb5-kdc krb5-admin-server krb5-user"
  (
    exec 9>/tmp/.lakegate-krb5-install.lock
    flock 9
    if ! command -v krb5kdc >/dev/null 2>&1 || ! command -v kinit >/dev/null 2>&1; then
      log "installing Debian's krb5-kdc, krb5-admin-server and krb5-user"
      apt-get update >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends krb5-kdc krb5-admin-server krb5-user >&2
    fi
  )
}

env_for() { # DIR
  export KRB5_CONFIG="$1/krb5.conf" KRB5_KDC_PROFILE="$1/kdc.conf"
}

cmd_start() {
  [[ $# -eq 3 && "$2" =~ ^[0-9]+$ && "$3" =~ ^[A-Z0-9.-]+$ ]] || usage
  ensure_installed
  mkdir -p "$1"
  local dir port="$2" realm="$3" pid
  dir="$(cd "$1" && pwd)"
  if [[ -f "$dir/kdc.pid" ]] && kill -0 "$(cat "$dir/kdc.pid")" 2>/dev/null; then echo "$dir/krb5.conf"; return 0; fi
  cat >"$dir/krb5.conf" <<CONF
[libdefaults]
  default_realm = $realm
  dns_lookup_realm = false
  dns_lookup_kdc = false
  rdns = false
  dns_canonicalize_hostname = false
  udp_preference_limit = 1
[realms]
  $realm = {
    kdc = 127.0.0.1:$port
  }
[domain_realm]
  localhost = $realm
  127.0.0.1 = $realm
CONF
  cat >"$dir/kdc.conf" <<CONF
[kdcdefaults]
  kdc_tcp_listen = 127.0.0.1:$port
  kdc_listen = 127.0.0.1:$port
[realms]
  $realm = {
    database_name = $dir/principal
    key_stash_file = $dir/stash
    acl_file = $dir/kadm5.acl
    supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
  }
CONF
  env_for "$dir"
  if [[ ! -f "$dir/principal" ]]; then
    kdb5_util create -s -r "$realm" -P "$(head -c 24 /dev/urandom | base64)" >/dev/null
  fi
  log "starting the KDC of $realm on 127.0.0.1:$port"
  setsid krb5kdc -n -P "$dir/kdc.krb5.pid" </dev/null >"$dir/kdc.log" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$dir/kdc.pid"
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$dir/krb5.conf"; return 0; fi
    kill -0 "$pid" 2>/dev/null || { cat "$dir/kdc.log" >&2; die "the KDC exited"; }
    sleep 0.1
  done
  die "the KDC does not listen on $port"
}

cmd_keytab() {
  [[ $# -eq 3 ]] || usage
  env_for "$1"
  kadmin.local -q "getprinc $2" 2>/dev/null | grep -q '^Principal:' || kadmin.local -q "addprinc -randkey $2" >/dev/null
  rm -f "$3"
  kadmin.local -q "ktadd -k $3 $2" >/dev/null
  chmod 600 "$3"
}

cmd_kinit() {
  [[ $# -eq 4 ]] || usage
  env_for "$1"
  KRB5CCNAME="$4" kinit -k -t "$3" "$2"
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  [[ -f "$1/kdc.pid" ]] || return 0
  local pid
  pid="$(cat "$1/kdc.pid")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$1/kdc.pid"
}

case "${1:-}" in
  install) shift; [[ $# -eq 0 ]] || usage; ensure_installed ;;
  start) shift; cmd_start "$@" ;;
  keytab) shift; cmd_keytab "$@" ;;
  kinit) shift; cmd_kinit "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) usage ;;
esac
