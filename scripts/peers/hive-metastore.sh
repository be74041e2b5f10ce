#!/usr/bin/env bash
# Apache Hive standalone metastore 4.0.1 (Thrift, on PostgreSQL) for the federation tests (kind hive).
#
#   scripts/peers/hive-metastore.sh lib                     ensure the metastore's jars; prints the lib dir
#   scripts/peers/hive-metastore.sh start DIR PORT DB_URL [KEYSTORE]   start (or reuse) the metastore of DIR; prints thrift://127.0.0.1:PORT
#   scripts/peers/hive-metastore.sh stop DIR | writer ARGS... | tls-keystore DIR NAME | custom-auth OUT_DIR   (below)
#   scripts/peers/hive-metastore.sh credential FILE ALIAS PASSWORD_FILE   a Hadoop credential keystore (below)
#
# tls-keystore DIR NAME: a fresh self-signed key and certificate (EC P-256, CN=localhost, SAN dns:localhost and
# ip:127.0.0.1, valid 2 days) made with the JDK's keytool: DIR/NAME.p12 (PKCS12), its random password in
# DIR/NAME.password (mode 600), the certificate as PEM in DIR/NAME.pem (what a TLS client trusts); prints that PEM's path.
# start with KEYSTORE (such a .p12, its password beside it): the metastore serves Thrift over TLS only
# (metastore.use.SSL, metastore.keystore.path/password/type), as HMS's hive.metastore.use.SSL=true does.
#
# writer: peers/iceberg-hive-writer/HiveWriter.java in Java's source-file mode, on that folder's pom's jars (cached in
# ${LAKEGATE_CACHE}/iceberg-hive-writer-<version>/lib as the metastore's are; `writer-lib` fetches them alone) and the
# metastore's; ARGS are the writer's (THRIFT_URI DB TABLE append N | read); its stdout is the writer's.
# lib: Maven Central's org.apache.hive:hive-standalone-metastore-server, its runtime dependencies and the PostgreSQL
# JDBC driver (peers/hive-metastore/pom.xml, through `mvn dependency:copy-dependencies`, local repo ~/.m2) into
# ${LAKEGATE_CACHE:-$HOME/.cache/lakegate}/hive-metastore-<version>/lib, once per pom (sha256 stamp), one copy at a time
# (flock). Central has no bin/ scripts: this script builds the classpath and runs HiveMetaStore's main class itself.
# The distribution's tar.gz (also from Central) gives the one file kept from it, the PostgreSQL schema script
# hive-schema-4.0.0.postgres.sql (what `schematool -dbType postgres -initSchema` runs), saved beside the jars.
#
# start: DB_URL is an empty PostgreSQL database, postgres://USER@HOST:PORT/NAME (no password: the test clusters of
# scripts/peers/postgres.sh trust loopback). Its schema is made once by Hive's own script, run with psql (a JVM less than
# schematool, same SQL): only that schema has the transaction tables (HIVE_LOCKS, NEXT_LOCK_ID, TXNS, ...) behind the
# lock/check_lock/unlock/heartbeat calls; DataNucleus' autoCreateAll makes the JDO tables only (the old embedded Derby
# had no locks). Then DIR/conf/metastore-site.xml (Thrift on 127.0.0.1:PORT, that database, schema verification on,
# warehouse DIR/warehouse, no notification auth, no background tasks that a test does not need), and
# `java -cp DIR/conf:lib/* org.apache.hadoop.hive.metastore.HiveMetaStore` in its own session. Log DIR/metastore.log,
# pid DIR/metastore.pid. Ready when the port accepts connections (HMS 4 opens it once it serves). The URI is the last
# stdout line; progress goes to stderr.
# HMS_AUTH_USER and HMS_AUTH_PASSWORD_FILE (a file holding the password; letters, digits and -_.+= only, it goes into
# the XML as is): the metastore takes password logins only (SASL PLAIN: metastore.authentication=CONFIG with that user
# and password, metastore.execute.setugi=false, which CONFIG needs; metastore.sasl.enabled stays false, it is Kerberos').
# HMS_AUTH_MODE=LDAP (HMS_LDAP_URL ldap://127.0.0.1:PORT, HMS_LDAP_USER_DN_PATTERN uid=%s,ou=...): password logins
# checked by a simple bind to that LDAP server as the pattern's DN (metastore.authentication=LDAP,
# metastore.authentication.ldap.url and .userDNPattern, setugi false; scripts/peers/ldap.sh is such a server); no
# HMS_AUTH_USER. Further LDAP settings, each optional (HMS_LDAP_USER_DN_PATTERN or HMS_LDAP_BASE_DN needed):
# HMS_LDAP_BASE_DN (.baseDN: with no pattern HMS binds as uid=LOGIN,BASE_DN, and searches the subtree for the login
# with a bind user), HMS_LDAP_BIND_DN and HMS_LDAP_BIND_PASSWORD_FILE (.binddn and .bindpw: HMS binds as that DN,
# searches the login's DN under the base, then binds as it), HMS_LDAP_GROUP_FILTER, HMS_LDAP_GROUP_DN_PATTERN,
# HMS_LDAP_GROUP_MEMBERSHIP_KEY and HMS_LDAP_GROUP_CLASS_KEY (.groupFilter, .groupDNPattern, .groupMembershipKey,
# .groupClassKey: a login not in one of the groups is refused), HMS_LDAP_CA_PEM (a PEM certificate for an ldaps://
# URL: imported with keytool into DIR/conf/ldap-truststore.jks, the JVM's javax.net.ssl.trustStore),
# HMS_LDAP_BIND_CREDENTIAL_PROVIDER (instead of the password file: a keystore made by `credential FILE
# metastore.authentication.ldap.bindpw PASSWORD_FILE`, as hadoop.security.credential.provider.path localjceks://file/...;
# no .bindpw in the XML: MetastoreConf.getPassword reads the provider at every login, so a new FILE needs no restart).
# HMS_AUTH_MODE=CUSTOM (with HMS_AUTH_USER and HMS_AUTH_PASSWORD_FILE): metastore.authentication=CUSTOM
# with metastore.custom.authentication.class=dev.lakegate.peers.PasswordFileAuthenticator, which `custom-auth OUT_DIR`
# compiles (javac, against the metastore's jars) from peers/hive-metastore/PasswordFileAuthenticator.java into OUT_DIR;
# HMS_CUSTOM_AUTH_CLASSPATH=OUT_DIR goes first on the metastore's classpath. The class reads the password file at
# every login (lakegate.auth.user, lakegate.auth.password-file in the site file: the password is not in the XML).
# HMS_KERBEROS_PRINCIPAL (hive/localhost@REALM), HMS_KERBEROS_KEYTAB and HMS_KRB5_CONF (scripts/peers/kdc.sh's): a
# kerberized metastore (hadoop.security.authentication=kerberos, also in DIR/conf/core-site.xml for Hadoop's
# UserGroupInformation; metastore.sasl.enabled, its principal and keytab; the JVM's java.security.krb5.conf): SASL GSSAPI.
# Env: HMS_JAVA_HOME (a JDK 17+; default the newest JDK 17-23 under /usr/lib/jvm or JAVA_HOME: Hadoop fails on 24+), HMS_HEAP (default 512m),
# HMS_START_TIMEOUT (default 180 s).
set -euo pipefail

HIVE_VERSION=4.0.1
MIN_JAVA=17

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$SCRIPT_DIR/../../peers/hive-metastore/pom.xml"
CACHE_ROOT="${LAKEGATE_CACHE:-$HOME/.cache/lakegate}"
PEER_HOME="$CACHE_ROOT/hive-metastore-$HIVE_VERSION"
LIB_DIR="$PEER_HOME/lib"
WRITER_DIR="$SCRIPT_DIR/../../peers/iceberg-hive-writer"
WRITER_HOME="$CACHE_ROOT/iceberg-hive-writer-1.11.0"
MAIN_CLASS=org.apache.hadoop.hive.metastore.HiveMetaStore
# HMS 4.0.1's schema version is 4.0.0 (its VERSION row; schema verification compares it).
SCHEMA_SCRIPT=hive-schema-4.0.0.postgres.sql

PEER=hive-metastore
# shellcheck source=scripts/peers/lib.sh
source "$SCRIPT_DIR/lib.sh"

# Hadoop's UserGroupInformation calls Subject.getSubject, which JDK 24+ refuses (no SecurityManager): a JDK 17-23.
MAX_JAVA=23
find_java_home() {
  local dir major best="" best_major=0
  if [[ -n "${HMS_JAVA_HOME:-}" ]]; then find_jdk HMS_JAVA_HOME "$MIN_JAVA"; return; fi
  for dir in /usr/lib/jvm/*/ ${JAVA_HOME:+"$JAVA_HOME/"}; do
    dir="${dir%/}"
    [[ -L "$dir" ]] && continue
    major="$(java_major "$dir")"
    if [[ -n "$major" ]] && (( major >= MIN_JAVA && major <= MAX_JAVA && major > best_major )); then best="$dir"; best_major=$major; fi
  done
  [[ -n "$best" ]] || die "the Hive metastore needs a JDK $MIN_JAVA-$MAX_JAVA and none was found under /usr/lib/jvm (set HMS_JAVA_HOME)"
  echo "$best"
}

# The one file kept from the distribution's tar.gz (when the pom fetched it): the PostgreSQL schema script.
keep_schema_script() { # DIR
  [[ -f "$1/hive-standalone-metastore-server-$HIVE_VERSION-bin.tar.gz" ]] || return 0
  tar -xzf "$1/hive-standalone-metastore-server-$HIVE_VERSION-bin.tar.gz" -O \
    "apache-hive-metastore-$HIVE_VERSION-bin/scripts/metastore/upgrade/postgres/$SCHEMA_SCRIPT" >"$1/$SCHEMA_SCRIPT"
  rm -f "$1"/*.tar.gz
}

ensure_lib() { # [POM HOME] (default: the metastore's)
  local pom="${1:-$POM}" home="${2:-$PEER_HOME}"
  maven_lib "$pom" "$home" "$home/lib" "the jars of $pom" keep_schema_script
}

running_pid() { # DIR -> pid of its live metastore, or nothing
  live_pid "$1/metastore.pid" "$MAIN_CLASS"
}

# HMS 4 logs no line once its Thrift server serves; it opens the port only then (after the schema and the default
# database exist), so the port accepting connections is the signal.
is_ready() { # PORT LOGFILE
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && grep -q 'Starting DB backed MetaStore Server' "$2"
}

find_psql() {
  local p
  for p in /usr/lib/postgresql/*/bin/psql "$(command -v psql || true)"; do [[ -x "$p" ]] && { echo "$p"; return; }; done
  die "psql not found (scripts/peers/postgres.sh installs Debian's postgresql)"
}

# DB_URL (postgres://USER@HOST:PORT/NAME) -> "HOST PORT NAME USER"
parse_db_url() {
  [[ "$1" =~ ^postgres(ql)?://([A-Za-z0-9_]+)@([0-9.]+|localhost):([0-9]+)/([A-Za-z_][A-Za-z0-9_]*)$ ]] ||
    die "DB_URL must be postgres://USER@HOST:PORT/NAME (no password), not $1"
  echo "${BASH_REMATCH[3]} ${BASH_REMATCH[4]} ${BASH_REMATCH[5]} ${BASH_REMATCH[2]}"
}

# Hive's schema script on the database, once (its VERSION table marks it done; the script ends by filling it).
init_schema() { # HOST PORT NAME USER
  local psql=() done
  psql=("$(find_psql)" -X -q -v ON_ERROR_STOP=1 -h "$1" -p "$2" -U "$4" -d "$3")
  done="$("${psql[@]}" -tAc "SELECT 1 FROM information_schema.tables WHERE table_name = 'VERSION'")"
  [[ "$done" == "1" ]] && return 0
  log "creating the metastore schema in $3 ($SCHEMA_SCRIPT)"
  "${psql[@]}" -1 -f "$LIB_DIR/$SCHEMA_SCRIPT" >/dev/null
}

write_config() { # DIR PORT HOST PGPORT NAME USER [KEYSTORE]
  local tls="" auth=""
  if [[ "${HMS_AUTH_MODE:-}" == LDAP ]]; then
    [[ "${HMS_LDAP_URL:-}" =~ ^ldaps?://127\.0\.0\.1:[0-9]+$ && ( "${HMS_LDAP_USER_DN_PATTERN:-}" =~ ^[A-Za-z]+=%s(,[A-Za-z]+=[A-Za-z0-9_.-]+)+$ ||
      ( -z "${HMS_LDAP_USER_DN_PATTERN:-}" && "${HMS_LDAP_BASE_DN:-}" =~ ^$DN$ ) ) ]] ||
      die "HMS_AUTH_MODE=LDAP needs HMS_LDAP_URL (ldap://127.0.0.1:PORT) and HMS_LDAP_USER_DN_PATTERN (uid=%s,ou=...,dc=...) or HMS_LDAP_BASE_DN"
    auth="  <property><name>metastore.authentication</name><value>LDAP</value></property>
  <property><name>metastore.authentication.ldap.url</name><value>$HMS_LDAP_URL</value></property>
$(ldap_properties)
  <property><name>metastore.execute.setugi</name><value>false</value></property>"
  elif [[ "${HMS_AUTH_MODE:-}" == CUSTOM ]]; then
    [[ "${HMS_AUTH_USER:-}" =~ ^[A-Za-z0-9_.-]+$ && -f "${HMS_AUTH_PASSWORD_FILE:-}" && -d "${HMS_CUSTOM_AUTH_CLASSPATH:-}" ]] ||
      die "HMS_AUTH_MODE=CUSTOM needs HMS_AUTH_USER, HMS_AUTH_PASSWORD_FILE and HMS_CUSTOM_AUTH_CLASSPATH (custom-auth's OUT_DIR)"
    auth="  <property><name>metastore.authentication</name><value>CUSTOM</value></property>
  <property><name>metastore.custom.authentication.class</name><value>dev.lakegate.peers.PasswordFileAuthenticator</value></property>
  <property><name>lakegate.auth.user</name><value>$HMS_AUTH_USER</value></property>
  <property><name>lakegate.auth.password-file</name><value>$(abs_dir "$(dirname "$HMS_AUTH_PASSWORD_FILE")")/$(basename "$HMS_AUTH_PASSWORD_FILE")</value></property>
  <property><name>metastore.execute.setugi</name><value>false</value></property>"
  elif [[ -n "${HMS_AUTH_MODE:-}" && "$HMS_AUTH_MODE" != CONFIG ]]; then
    die "HMS_AUTH_MODE must be CONFIG, LDAP or CUSTOM, not $HMS_AUTH_MODE"
  elif [[ -n "${HMS_AUTH_USER:-}" ]]; then
    [[ "$HMS_AUTH_USER" =~ ^[A-Za-z0-9_.-]+$ && -f "${HMS_AUTH_PASSWORD_FILE:-}" ]] ||
      die "HMS_AUTH_USER must be a plain user name and HMS_AUTH_PASSWORD_FILE a file holding the password"
    [[ "$(cat "$HMS_AUTH_PASSWORD_FILE")" =~ ^[A-Za-z0-9_.+=-]+$ ]] || die "the password of HMS_AUTH_PASSWORD_FILE must be letters, digits and -_.+= only"
    auth="  <property><name>metastore.authentication</name><value>CONFIG</value></property>
  <property><name>metastore.authentication.config.username</name><value>$HMS_AUTH_USER</value></property>
  <property><name>metastore.authentication.config.password</name><value>$(cat "$HMS_AUTH_PASSWORD_FILE")</value></property>
  <property><name>metastore.execute.setugi</name><value>false</value></property>"
  fi
  if [[ -n "${7:-}" ]]; then
    tls="  <property><name>metastore.use.SSL</name><value>true</value></property>
  <property><name>metastore.keystore.path</name><value>$7</value></property>
  <property><name>metastore.keystore.password</name><value>$(cat "${7%.p12}.password")</value></property>
  <property><name>metastore.keystore.type</name><value>PKCS12</value></property>"
  fi
  mkdir -p "$1/conf" "$1/warehouse"
  (umask 077; : >"$1/conf/metastore-site.xml")
  cat >"$1/conf/metastore-site.xml" <<XML
<?xml version="1.0"?>
<configuration>
  <property><name>metastore.thrift.port</name><value>$2</value></property>
  <property><name>metastore.thrift.bind.host</name><value>127.0.0.1</value></property>
  <property><name>javax.jdo.option.ConnectionURL</name><value>jdbc:postgresql://$3:$4/$5</value></property>
  <property><name>javax.jdo.option.ConnectionDriverName</name><value>org.postgresql.Driver</value></property>
  <property><name>javax.jdo.option.ConnectionUserName</name><value>$6</value></property>
  <property><name>javax.jdo.option.ConnectionPassword</name><value></value></property>
  <property><name>datanucleus.schema.autoCreateAll</name><value>false</value></property>
  <property><name>metastore.schema.verification</name><value>true</value></property>
  <property><name>metastore.warehouse.dir</name><value>file://$1/warehouse</value></property>
  <property><name>metastore.warehouse.external.dir</name><value>file://$1/warehouse</value></property>
  <property><name>metastore.event.db.notification.api.auth</name><value>false</value></property>
  <property><name>metastore.metrics.enabled</name><value>false</value></property>
  <property><name>metastore.compactor.initiator.on</name><value>false</value></property>
  <property><name>metastore.housekeeping.threads.on</name><value>false</value></property>
  <property><name>metastore.stats.auto.gather</name><value>false</value></property>
$tls
$auth
$(kerberos_properties)
</configuration>
XML
  if [[ -n "${HMS_KERBEROS_PRINCIPAL:-}" ]]; then
    printf '%s\n' '<?xml version="1.0"?>' '<configuration>' \
      '  <property><name>hadoop.security.authentication</name><value>kerberos</value></property>' '</configuration>' >"$1/conf/core-site.xml"
  fi
  cat >"$1/conf/log4j2.properties" <<'PROPS'
status = WARN
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d %p %c{1}: %m%n
rootLogger.level = WARN
rootLogger.appenderRef.console.ref = console
logger.hms.name = org.apache.hadoop.hive.metastore.HiveMetaStore
logger.hms.level = INFO
PROPS
}

# Plain RDNs (dc=example,dc=com), an LDAP attribute or object class name, a group name.
DN='[A-Za-z]+=[A-Za-z0-9_.-]+(,[A-Za-z]+=[A-Za-z0-9_.-]+)*'
NAME='^[A-Za-z][A-Za-z0-9-]*$'

# The LDAP mode's optional settings (HMS 4.0.1's MetastoreConf names, metastore.authentication.ldap.*), each checked.
ldap_properties() {
  local p=metastore.authentication.ldap pair key value
  [[ -z "${HMS_LDAP_USER_DN_PATTERN:-}" ]] || echo "  <property><name>$p.userDNPattern</name><value>$HMS_LDAP_USER_DN_PATTERN</value></property>"
  [[ -z "${HMS_LDAP_BASE_DN:-}" ]] || echo "  <property><name>$p.baseDN</name><value>$HMS_LDAP_BASE_DN</value></property>"
  if [[ -n "${HMS_LDAP_BIND_DN:-}" && -n "${HMS_LDAP_BIND_CREDENTIAL_PROVIDER:-}" ]]; then
    [[ "$HMS_LDAP_BIND_DN" =~ ^$DN$ && -f "$HMS_LDAP_BIND_CREDENTIAL_PROVIDER" ]] || die "HMS_LDAP_BIND_CREDENTIAL_PROVIDER needs plain RDNs in HMS_LDAP_BIND_DN and a file made by credential"
    echo "  <property><name>$p.binddn</name><value>$HMS_LDAP_BIND_DN</value></property>
  <property><name>hadoop.security.credential.provider.path</name><value>localjceks://file$(abs_dir "$(dirname "$HMS_LDAP_BIND_CREDENTIAL_PROVIDER")")/$(basename "$HMS_LDAP_BIND_CREDENTIAL_PROVIDER")</value></property>"
  elif [[ -n "${HMS_LDAP_BIND_DN:-}" ]]; then
    [[ "$HMS_LDAP_BIND_DN" =~ ^$DN$ && -f "${HMS_LDAP_BIND_PASSWORD_FILE:-}" && "$(cat "$HMS_LDAP_BIND_PASSWORD_FILE")" =~ ^[A-Za-z0-9_.+=-]+$ ]] ||
      die "HMS_LDAP_BIND_DN needs plain RDNs and HMS_LDAP_BIND_PASSWORD_FILE a file holding the password (letters, digits and -_.+= only)"
    echo "  <property><name>$p.binddn</name><value>$HMS_LDAP_BIND_DN</value></property>
  <property><name>$p.bindpw</name><value>$(cat "$HMS_LDAP_BIND_PASSWORD_FILE")</value></property>"
  fi
  [[ -z "${HMS_LDAP_GROUP_FILTER:-}" || "$HMS_LDAP_GROUP_FILTER" =~ ^[A-Za-z0-9_-]+(,[A-Za-z0-9_-]+)*$ ]] || die "HMS_LDAP_GROUP_FILTER must be group names, comma-separated"
  [[ -z "${HMS_LDAP_GROUP_DN_PATTERN:-}" || "$HMS_LDAP_GROUP_DN_PATTERN" =~ ^[A-Za-z]+=%s(,[A-Za-z]+=[A-Za-z0-9_.-]+)+$ ]] || die "HMS_LDAP_GROUP_DN_PATTERN must be like cn=%s,ou=groups,dc=..."
  for pair in groupFilter:"${HMS_LDAP_GROUP_FILTER:-}" groupDNPattern:"${HMS_LDAP_GROUP_DN_PATTERN:-}" \
    groupMembershipKey:"${HMS_LDAP_GROUP_MEMBERSHIP_KEY:-}" groupClassKey:"${HMS_LDAP_GROUP_CLASS_KEY:-}"; do
    key="${pair%%:*}"
    value="${pair#*:}"
    [[ -n "$value" ]] || continue
    [[ "$key" == group*Key && ! "$value" =~ $NAME ]] && die "HMS_LDAP_GROUP_*_KEY must be an attribute or object class name, not $value"
    echo "  <property><name>$p.$key</name><value>$value</value></property>"
  done
}

# HMS_LDAP_CA_PEM: the certificate an ldaps:// directory shows, as a JKS truststore of that one certificate (its
# password random and dropped: the JVM reads a JKS truststore's certificates without one) for javax.net.ssl.trustStore.
ldap_truststore() { # DIR JAVA_HOME -> the truststore's path, or nothing
  [[ -n "${HMS_LDAP_CA_PEM:-}" ]] || return 0
  [[ -f "$HMS_LDAP_CA_PEM" ]] || die "no certificate file $HMS_LDAP_CA_PEM (HMS_LDAP_CA_PEM)"
  rm -f "$1/conf/ldap-truststore.jks"
  "$2/bin/keytool" -importcert -noprompt -alias ldap -file "$HMS_LDAP_CA_PEM" -storetype JKS -keystore "$1/conf/ldap-truststore.jks" \
    -storepass "$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" >/dev/null 2>&1 || die "keytool could not import $HMS_LDAP_CA_PEM"
  echo "$1/conf/ldap-truststore.jks"
}

# HMS_KERBEROS_PRINCIPAL (hive/localhost@REALM), HMS_KERBEROS_KEYTAB and HMS_KRB5_CONF: a kerberized metastore (SASL GSSAPI).
kerberos_properties() {
  [[ -n "${HMS_KERBEROS_PRINCIPAL:-}" ]] || return 0
  echo "  <property><name>hadoop.security.authentication</name><value>kerberos</value></property>
  <property><name>metastore.sasl.enabled</name><value>true</value></property>
  <property><name>metastore.kerberos.principal</name><value>$HMS_KERBEROS_PRINCIPAL</value></property>
  <property><name>metastore.kerberos.keytab.file</name><value>$HMS_KERBEROS_KEYTAB</value></property>"
}

cmd_start() {
  local dir port pid java_home db keystore="" truststore
  [[ $# -eq 3 || $# -eq 4 ]] || usage
  if [[ $# -eq 4 ]]; then
    [[ "$4" == *.p12 && -f "$4" && -f "${4%.p12}.password" ]] || die "KEYSTORE must be a .p12 made by tls-keystore (its .password beside it): $4"
    keystore="$(abs_dir "$(dirname "$4")")/$(basename "$4")"
  fi
  port="$2"
  read -r -a db <<<"$(parse_db_url "$3")"
  check_port "$port"
  java_home="$(find_java_home)"
  ensure_lib
  mkdir -p "$1"
  dir="$(abs_dir "$1")"
  lock_dir "$dir"
  if reuse_running "$dir" "$dir/metastore.port" "$port" "thrift://127.0.0.1:$port" is_ready "$port" "$dir/metastore.log"; then return 0; fi
  init_schema "${db[@]}"
  write_config "$dir" "$port" "${db[@]}" "$keystore"
  truststore="$(ldap_truststore "$dir" "$java_home")"
  log "starting the Hive metastore $HIVE_VERSION on 127.0.0.1:$port${keystore:+ (TLS)}${HMS_AUTH_USER:+ (password logins)}${HMS_AUTH_MODE:+ ($HMS_AUTH_MODE)} (PostgreSQL database ${db[2]} on ${db[0]}:${db[1]})"
  # Small heap, serial GC and C1 only: a test metastore on a shared 2-core machine starts faster so. Hive 4 and
  # DataNucleus reflect into the JDK: the --add-opens are those of Hive's own JDK 17 launcher.
  setsid "$java_home/bin/java" -Xms64m "-Xmx${HMS_HEAP:-512m}" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true "-Dlog4j.configurationFile=$dir/conf/log4j2.properties" \
    "-Djava.io.tmpdir=$dir" ${HMS_KRB5_CONF:+"-Djava.security.krb5.conf=$HMS_KRB5_CONF"} \
    ${truststore:+"-Djavax.net.ssl.trustStore=$truststore" -Djavax.net.ssl.trustStoreType=JKS} \
    --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
    --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
    --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.sql/java.sql=ALL-UNNAMED \
    -cp "$dir/conf:${HMS_CUSTOM_AUTH_CLASSPATH:+$HMS_CUSTOM_AUTH_CLASSPATH:}$LIB_DIR/*" "$MAIN_CLASS" -p "$port" </dev/null >"$dir/metastore.log" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$dir/metastore.pid"
  echo "$port" >"$dir/metastore.port"
  ready_or_die "$pid" "$dir/metastore.log" "${HMS_START_TIMEOUT:-180}" "thrift://127.0.0.1:$port" is_ready "$port" "$dir/metastore.log"
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  stop_server "$1" running_pid pid metastore.pid
}

# Iceberg Java's HiveCatalog (HMS locks on) as a writer: the writer's jars first, then the metastore's (its HMS client).
cmd_writer() {
  local java_home
  java_home="$(find_java_home)"
  ensure_lib
  ensure_lib "$WRITER_DIR/pom.xml" "$WRITER_HOME"
  exec "$java_home/bin/java" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    --add-opens=java.base/java.lang=ALL-UNNAMED -cp "$WRITER_HOME/lib/*:$LIB_DIR/*" "$WRITER_DIR/HiveWriter.java" "$@" 9>&-
}

# A fresh self-signed key per call (never reused, never committed): the test's own temporary directory holds it.
cmd_tls_keystore() {
  local java_home dir name password
  [[ $# -eq 2 && "$2" =~ ^[A-Za-z0-9_-]+$ ]] || usage
  java_home="$(find_java_home)"
  mkdir -p "$1"
  dir="$(abs_dir "$1")"
  name="$2"
  rm -f "$dir/$name.p12" "$dir/$name.pem"
  password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
  (umask 077; printf '%s' "$password" >"$dir/$name.password")
  "$java_home/bin/keytool" -genkeypair -noprompt -alias hms -keyalg EC -groupname secp256r1 -validity 2 \
    -dname "CN=localhost" -ext "SAN=dns:localhost,ip:127.0.0.1" \
    -storetype PKCS12 -keystore "$dir/$name.p12" -storepass:file "$dir/$name.password" >&2
  "$java_home/bin/keytool" -exportcert -rfc -alias hms -keystore "$dir/$name.p12" -storetype PKCS12 \
    -storepass:file "$dir/$name.password" -file "$dir/$name.pem" >&2
  echo "$dir/$name.pem"
}

# Hadoop's `hadoop credential create ALIAS -value V -provider localjceks://file/FILE` (its CredentialShell, in the
# metastore's jars), into a new file renamed onto FILE: a keystore under Hadoop's default keystore password.
cmd_credential() { # FILE ALIAS PASSWORD_FILE
  local java_home dir
  [[ $# -eq 3 && "$2" =~ ^[A-Za-z0-9_.-]+$ && -f "$3" ]] || usage
  java_home="$(find_java_home)"
  ensure_lib
  mkdir -p "$(dirname "$1")"
  dir="$(abs_dir "$(dirname "$1")")"
  rm -f "$dir/.$(basename "$1").new"
  "$java_home/bin/java" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$LIB_DIR/*" org.apache.hadoop.security.alias.CredentialShell \
    create "$2" -value "$(cat "$3")" -provider "localjceks://file$dir/.$(basename "$1").new" >&2 9>&-
  mv -f "$dir/.$(basename "$1").new" "$dir/$(basename "$1")"
  echo "$dir/$(basename "$1")"
}

# The CUSTOM mode's provider, compiled against the metastore's jars (the JDK's javac; a second or so).
cmd_custom_auth() {
  local java_home
  [[ $# -eq 1 ]] || usage
  java_home="$(find_java_home)"
  [[ -x "$java_home/bin/javac" ]] || die "the CUSTOM login's provider needs javac and $java_home has none (install the full JDK)"
  ensure_lib
  mkdir -p "$1"
  "$java_home/bin/javac" -nowarn -d "$1" -cp "$LIB_DIR/*" "$SCRIPT_DIR/../../peers/hive-metastore/PasswordFileAuthenticator.java" >&2
  abs_dir "$1"
}

case "${1:-}" in
  custom-auth) shift; cmd_custom_auth "$@" ;;
  credential) shift; cmd_credential "$@" ;;
  tls-keystore) shift; cmd_tls_keystore "$@" ;;
  lib) shift; [[ $# -eq 0 ]] || usage; ensure_lib; echo "$LIB_DIR" ;;
  writer-lib) shift; [[ $# -eq 0 ]] || usage; ensure_lib "$WRITER_DIR/pom.xml" "$WRITER_HOME"; echo "$WRITER_HOME/lib" ;;
  writer) shift; cmd_writer "$@" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) usage ;;
esac
