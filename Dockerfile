# replag, built from this repository. The image runs the demo by default (docker-compose.yml);
# give it other arguments to run against real AWS: run --config /etc/replag/replag.yaml
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY agent agent
COPY lab lab
COPY exporter exporter
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
WORKDIR /opt/replag
COPY --from=build /src/exporter/target/replag.jar ./
COPY --from=build /src/exporter/target/lib ./lib
EXPOSE 9478
ENTRYPOINT ["java", "-jar", "/opt/replag/replag.jar"]
CMD ["demo", "--port", "9478", "--listen-host", "0.0.0.0"]
