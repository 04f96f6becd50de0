package io.replag.agent.aws;

import io.replag.agent.spi.Reason;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

import java.util.Map;
import java.util.Optional;

/**
 * The {@code reason} of a failed AWS call, one mapping for every AWS-backed store and for the
 * CloudWatch reads of the SQL stores: a store passes only the error codes that mean something of
 * its own ({@code ResourceNotFoundException} is DynamoDB's missing table, {@code NoSuchBucket}
 * S3's missing bucket); the codes all AWS services share are mapped here.
 */
public final class AwsErrors {
    private static final Map<String, Reason> COMMON = Map.ofEntries(
            Map.entry("ThrottlingException", Reason.THROTTLED), Map.entry("Throttling", Reason.THROTTLED),
            Map.entry("RequestLimitExceeded", Reason.THROTTLED), Map.entry("TooManyRequestsException", Reason.THROTTLED),
            Map.entry("AccessDeniedException", Reason.ACCESS_DENIED), Map.entry("AccessDenied", Reason.ACCESS_DENIED),
            Map.entry("UnrecognizedClientException", Reason.AUTH_FAILED), Map.entry("InvalidSignatureException", Reason.AUTH_FAILED),
            Map.entry("IncompleteSignatureException", Reason.AUTH_FAILED), Map.entry("ExpiredTokenException", Reason.AUTH_FAILED),
            Map.entry("ExpiredToken", Reason.AUTH_FAILED), Map.entry("InvalidClientTokenId", Reason.AUTH_FAILED));

    private AwsErrors() {
    }

    /**
     * {@code no_credentials}; the store's own meaning of the code; a shared one; else by HTTP
     * status (403 {@code access_denied}, 404 {@code not_found}, 503 {@code throttled}, 5xx
     * {@code server_error}); else {@code aws_<code>} or {@code http_<status>}. Empty for a
     * failure that is not an AWS one.
     */
    public static Optional<Reason> reason(Throwable failure, Map<String, Reason> storeCodes) {
        Throwable t = AwsCredentials.unwrap(failure);
        Optional<Reason> credentials = AwsCredentials.errorReason(t);
        if (credentials.isPresent() || !(t instanceof AwsServiceException aws)) {
            return credentials;
        }
        String code = aws.awsErrorDetails() == null || aws.awsErrorDetails().errorCode() == null ? "" : aws.awsErrorDetails().errorCode();
        Reason known = storeCodes.getOrDefault(code, COMMON.get(code));
        if (known != null) {
            return Optional.of(known);
        }
        return Optional.of(switch (aws.statusCode()) {
            case 403 -> Reason.ACCESS_DENIED;
            case 404 -> Reason.of("not_found");
            case 503 -> Reason.THROTTLED;
            default -> Reason.of(aws.statusCode() >= 500 ? "server_error"
                    : code.isEmpty() ? "http_" + aws.statusCode() : "aws_" + label(code));
        });
    }

    /** An AWS error code as label words: ThrottlingException -> throttling_exception. */
    private static String label(String code) {
        String words = code.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return words.length() > 30 ? words.substring(0, 30) : words;
    }
}
