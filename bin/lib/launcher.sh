# Sourced by the launchers in bin/: finds a java, builds the project's jar when it is missing, and runs a command of
# it. A launcher needs only:
#   source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/launcher.sh"
#   rolemesh_exec <command> "$@"
# Build output goes to stderr: parents read launcher stdout (the simulator prints its port there).

ROLEMESH_REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
ROLEMESH_JAR=$ROLEMESH_REPO/target/rolemesh.jar

# The oldest Java the project runs on (its classes are compiled for 21).
ROLEMESH_MIN_JAVA=21

# Prints the java to use: $JAVA_HOME's, else the one on PATH, else the newest JDK in /usr/lib/jvm; it must be Java
# 21 or newer. Otherwise says in one line which Java it found and that 21+ is needed, and fails.
rolemesh_find_java() {
  local candidate major found=""
  if [ -n "${JAVA_HOME:-}" ]; then
    if [ ! -x "$JAVA_HOME/bin/java" ]; then
      echo "rolemesh: JAVA_HOME=$JAVA_HOME has no bin/java; RoleMesh needs Java $ROLEMESH_MIN_JAVA or newer" >&2
      return 1
    fi
    major=$(rolemesh_java_major "$JAVA_HOME/bin/java")
    if [ "$major" -lt "$ROLEMESH_MIN_JAVA" ]; then
      echo "rolemesh: found Java $major at JAVA_HOME=$JAVA_HOME; RoleMesh needs Java $ROLEMESH_MIN_JAVA or newer" \
        "(point JAVA_HOME at a JDK $ROLEMESH_MIN_JAVA+)" >&2
      return 1
    fi
    printf '%s\n' "$JAVA_HOME/bin/java"
    return 0
  fi
  # PATH first, then the system's JDKs, newest first by the version in their release files (their directory names
  # do not sort by version: java-17-openjdk, temurin-25-jdk).
  for candidate in "$(command -v java 2>/dev/null)" $(for jdk in /usr/lib/jvm/*/bin/java; do
      [ -x "$jdk" ] && printf '%s %s\n' "$(rolemesh_java_major "$jdk")" "$jdk"; done | sort -rn | cut -d' ' -f2); do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    major=$(rolemesh_java_major "$candidate")
    if [ "$major" -ge "$ROLEMESH_MIN_JAVA" ]; then
      printf '%s\n' "$candidate"
      return 0
    fi
    found=${found:-"Java $major at $(readlink -f "$candidate")"}
  done
  echo "rolemesh: found ${found:-no java}; RoleMesh needs Java $ROLEMESH_MIN_JAVA or newer (install a JDK" \
    "$ROLEMESH_MIN_JAVA+ or set JAVA_HOME to one)" >&2
  return 1
}

# Prints the feature release of a java (25 for 25.0.3, 8 for 1.8.0): from its JDK's release file, which needs no
# JVM start, else from `java -version`; 0 when neither says.
rolemesh_java_major() {
  local release version
  release=$(dirname "$(dirname "$(readlink -f "$1")")")/release
  version=$(sed -n 's/^JAVA_VERSION="\([0-9.]*\).*/\1/p' "$release" 2>/dev/null)
  if [ -z "$version" ]; then
    version=$("$1" -version 2>&1 | sed -n 's/.*version "\([0-9.]*\).*/\1/p' | head -1)
  fi
  version=${version#1.}
  version=${version%%.*}
  printf '%s\n' "${version:-0}"
}

# Builds target/rolemesh.jar with the repository's Maven wrapper when it is missing or older than the sources (say,
# after a git pull); $1 is the java to build with.
rolemesh_ensure_jar() {
  if [ -f "$ROLEMESH_JAR" ] && [ -z "$(find "$ROLEMESH_REPO/src/main" "$ROLEMESH_REPO/pom.xml" -newer "$ROLEMESH_JAR" -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  local java_home
  java_home=$(cd "$(dirname "$(readlink -f "$1")")/.." && pwd)
  echo "rolemesh: building $ROLEMESH_JAR ..." >&2
  (cd "$ROLEMESH_REPO" && JAVA_HOME=$java_home ./mvnw -q -B -DskipTests package) >&2 || {
    echo "rolemesh: build failed" >&2
    return 1
  }
}

# Replaces the shell with `java -jar rolemesh.jar <command> <args...>`; extra JVM flags come from $JAVA_OPTS. The JDK
# AOT cache that bin/rolemesh-aot writes (target/rolemesh.aot) is used while it is newer than the jar, so a rebuild
# retires it; ROLEMESH_AOT=off ignores it.
rolemesh_exec() {
  local java major aot=() unsafe=() heap=()
  java=$(rolemesh_find_java) || exit 1
  rolemesh_ensure_jar "$java" || exit 1
  major=$(rolemesh_java_major "$java")
  # JDK 23+ hides sun.misc.Unsafe's memory access by default; Netty then sets up a java.lang.foreign fallback at
  # every start (about 0.2 s on one core) and takes slower paths after. JDKs before 23 refuse the flag.
  if [ "$major" -ge 23 ]; then
    unsafe=(--sun-misc-unsafe-memory-access=allow)
  fi
  # Heap for the proxies (gateway, node agent). Their live data is the open connections, about 19 KiB per stream,
  # which stay for the whole stream, while the garbage is per chunk. A small young generation copies fewer new
  # connections per collection: at 9,000 streams on one core the longest pause fell from 330 to 110 ms. Without a
  # cap the old generation only grew (peak RSS 386, 553, 721 MiB over three rounds of 9,000 streams); 384 MiB has
  # room for roughly 15,000 streams and kept the process under 490 MiB. Out of memory, the process exits for its
  # supervisor to restart rather than limp on. $JAVA_OPTS comes later: JAVA_OPTS=-Xmx1g raises the cap.
  case "${1:-}" in gateway|node-agent) heap=(-Xmn32m -Xmx384m -XX:+ExitOnOutOfMemoryError) ;; esac
  if [ "$major" -ge 25 ] && [ "${ROLEMESH_AOT:-on}" != off ] \
      && [ "$ROLEMESH_REPO/target/rolemesh.aot" -nt "$ROLEMESH_JAR" ] && [[ "${JAVA_OPTS:-}" != *AOTCache* ]]; then
    aot=("-XX:AOTCache=$ROLEMESH_REPO/target/rolemesh.aot")
  fi
  # shellcheck disable=SC2086 # JAVA_OPTS holds several flags on purpose
  exec "$java" --enable-native-access=ALL-UNNAMED "${unsafe[@]}" "${heap[@]}" "${aot[@]}" ${JAVA_OPTS:-} -jar "$ROLEMESH_JAR" "$@"
}
