# RoleMesh in a container: the one jar, its launchers and a Java runtime.
#   docker build -t rolemesh .
#   docker run --rm -p 8000:8000 -v $PWD/configs/models.yaml:/etc/rolemesh/models.yaml:ro rolemesh
# deploy/docker/compose.yaml runs a gateway, a node agent and simulated backends as a demo.

FROM docker.io/library/eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN ./mvnw -B -ntp -q dependency:go-offline
COPY src src
RUN ./mvnw -B -ntp -q -DskipTests package

FROM docker.io/library/eclipse-temurin:25-jre
# The launchers look for the jar at target/rolemesh.jar beside bin/ and never rebuild it here (no sources).
COPY bin /opt/rolemesh/bin
COPY --from=build /src/target/rolemesh.jar /opt/rolemesh/target/rolemesh.jar
RUN useradd --system --home-dir /var/lib/rolemesh --create-home --shell /usr/sbin/nologin rolemesh \
    && mkdir -p /etc/rolemesh && chmod 0755 /opt/rolemesh/bin/*
USER rolemesh
WORKDIR /opt/rolemesh
ENV ROLE_MESH_STATE_DIR=/var/lib/rolemesh
VOLUME /var/lib/rolemesh
EXPOSE 8000
# SIGTERM drains (gateway.shutdown_grace_s, 30 s by default): give the container longer than that to stop,
# e.g. docker stop -t 45 or stop_grace_period in compose. SIGHUP (docker kill -s HUP) reloads the config.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/rolemesh/bin/rolemesh"]
CMD ["gateway", "--config", "/etc/rolemesh/models.yaml", "--host", "0.0.0.0"]
