# replag, built from this repository, as two images:
#   docker build -t replag .                      production (the default, last stage): the exporter
#                                                 alone, no lab, runs `run --config /etc/replag/replag.yaml`
#   docker build --target demo -t replag-demo .   the demo: the exporter with the in-process lab and
#                                                 its control API (docker-compose.yml uses it)
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY agent agent
COPY lab lab
COPY exporter exporter
COPY tools tools
RUN mvn -B -q -DskipTests package

# The demo. Its lab servers run in-process (PostgreSQL, S3); MariaDB and DynamoDB need Debian's
# mariadb-server and Node.js, which this image does not add: the demo says so and runs without them.
FROM eclipse-temurin:17-jre AS demo
WORKDIR /opt/replag
COPY --from=build /src/tools/target/replag-tools.jar ./
COPY --from=build /src/tools/target/lib ./lib
EXPOSE 9478
ENTRYPOINT ["java", "-jar", "/opt/replag/replag-tools.jar"]
# 0.0.0.0 inside the container so that Prometheus in the next one reaches it; compose publishes
# the port on the host's loopback only
CMD ["demo", "--port", "9478", "--listen-host", "0.0.0.0"]

# Production: what users run against AWS. No embedded database, s3proxy, Jetty or lab API.
FROM eclipse-temurin:17-jre AS run
WORKDIR /opt/replag
COPY --from=build /src/exporter/target/replag.jar ./
COPY --from=build /src/exporter/target/lib ./lib
USER 65534:65534
EXPOSE 9478
ENTRYPOINT ["java", "-jar", "/opt/replag/replag.jar"]
CMD ["run", "--config", "/etc/replag/replag.yaml"]
