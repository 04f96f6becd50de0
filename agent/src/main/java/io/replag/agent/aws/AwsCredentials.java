package io.replag.agent.aws;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

import java.util.Optional;
import java.util.concurrent.CompletionException;

/**
 * The credentials of one AWS-backed store: given ones (the lab), a role to assume, or the default
 * chain (environment, profile, container or instance role).
 *
 * <p>The async SDK asks a credentials provider for credentials on the calling thread, here the
 * engine's event loop, and the default chain may block there on the first call (profile file,
 * container or instance metadata). So {@link #ready()} loads them once on a worker first, and
 * again only after a failure; afterwards the providers refresh them in the background.
 */
public final class AwsCredentials {
    private final Vertx vertx;
    private final AwsCredentialsProvider provider;
    private volatile Future<Void> ready;

    public AwsCredentials(Vertx vertx, Optional<AwsCredentialsProvider> given, Optional<String> roleArn) {
        this.vertx = vertx;
        this.provider = given.orElseGet(() -> roleArn.<AwsCredentialsProvider>map(arn -> StsAssumeRoleCredentialsProvider.builder()
                        .stsClient(StsClient.create())
                        .refreshRequest(r -> r.roleArn(arn).roleSessionName("replag"))
                        .asyncCredentialUpdateEnabled(true).build())
                .orElseGet(() -> DefaultCredentialsProvider.builder().asyncCredentialUpdateEnabled(true).build()));
    }

    public AwsCredentialsProvider provider() {
        return provider;
    }

    /** Completes once credentials are loaded (off the event loop). */
    public Future<Void> ready() {
        Future<Void> current = ready;
        if (current == null || current.failed()) {
            current = vertx.executeBlocking(() -> {
                provider.resolveCredentials();
                return null;
            }, false);
            ready = current;
        }
        return current;
    }

    /** The cause inside the SDK's {@link CompletionException} wrapper. */
    public static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** {@code no_credentials} when the chain found none; empty otherwise. */
    public static Optional<io.replag.agent.spi.Reason> errorReason(Throwable failure) {
        Throwable t = unwrap(failure);
        return t instanceof SdkClientException && t.getMessage() != null && t.getMessage().startsWith("Unable to load credentials")
                ? Optional.of(io.replag.agent.spi.Reason.of("no_credentials")) : Optional.empty();
    }
}
