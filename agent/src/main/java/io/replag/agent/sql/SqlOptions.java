package io.replag.agent.sql;

import io.replag.agent.config.Secret;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a replication set reaches its SQL endpoints (PostgreSQL, MySQL, MariaDB; RDS, Aurora or
 * self-managed): the options the {@code postgres:} and {@code mysql:} sections share.
 *
 * @param database       database holding the canary table
 * @param user           login role (see docs/configuration.md for the least grants)
 * @param password       password, from {@code ${ENV}} or a file; empty with IAM auth
 * @param iamAuth        sign an RDS IAM authentication token per connection instead of a password
 * @param tls            TLS mode and trust
 * @param table          canary table, optionally schema-qualified
 * @param createTable    create the table on the primary if absent (else operators create it)
 * @param connectTimeout TCP connect timeout
 * @param cloudWatch     the RDS identifiers whose CloudWatch figures to read, per replica region
 * @param serverClock    time canaries on the servers' clocks ({@code clock: server}, the default) rather than replag's
 * @param serverClockError the bound of each server's clock error (RDS keeps time with Amazon Time Sync), added on
 *                       both sides of every server reading
 */
public record SqlOptions(String database, String user, Optional<Secret> password, boolean iamAuth,
                         Tls tls, String table, boolean createTable, Duration connectTimeout, RdsCloudWatch.Targets cloudWatch,
                         boolean serverClock, Duration serverClockError) implements io.replag.agent.spi.StoreOptions {

    public static final Duration DEFAULT_SERVER_CLOCK_ERROR = Duration.ofMillis(1);

    public static final String DEFAULT_TABLE = "replag_canary";

    public SqlOptions {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(cloudWatch, "cloudWatch");
        Objects.requireNonNull(serverClockError, "serverClockError");
    }

    public long serverClockErrorMicros() {
        return serverClockError.toNanos() / 1_000;
    }

    /** TLS as in libpq's sslmode (MySQL's ssl-mode alike): disable, require (encrypt, trust any), verify-ca, verify-full. */
    public record Tls(String mode, Optional<String> caFile) {
        public static final Tls DISABLED = new Tls("disable", Optional.empty());
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        // each store names its own defaults (its provider starts from them)
        private String database = "replag";
        private String user = "replag";
        private Optional<Secret> password = Optional.empty();
        private boolean iamAuth;
        private Tls tls = Tls.DISABLED;
        private String table = DEFAULT_TABLE;
        private boolean createTable = true;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private RdsCloudWatch.Targets cloudWatch = RdsCloudWatch.Targets.NONE;
        private boolean serverClock = true;
        private Duration serverClockError = DEFAULT_SERVER_CLOCK_ERROR;

        public Builder database(String v) { database = v; return this; }
        public Builder user(String v) { user = v; return this; }
        public Builder password(Secret v) { password = Optional.ofNullable(v); return this; }
        public Builder iamAuth(boolean v) { iamAuth = v; return this; }
        public Builder tls(Tls v) { tls = v; return this; }
        public Builder table(String v) { table = v; return this; }
        public Builder createTable(boolean v) { createTable = v; return this; }
        public Builder connectTimeout(Duration v) { connectTimeout = v; return this; }
        public Builder cloudWatch(RdsCloudWatch.Targets v) { cloudWatch = v; return this; }
        public Builder serverClock(boolean v) { serverClock = v; return this; }
        public Builder serverClockError(Duration v) { serverClockError = v; return this; }

        public SqlOptions build() {
            return new SqlOptions(database, user, password, iamAuth, tls, table, createTable, connectTimeout, cloudWatch,
                    serverClock, serverClockError);
        }
    }
}
