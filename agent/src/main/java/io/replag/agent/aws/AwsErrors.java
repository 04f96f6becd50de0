package io.replag.agent.aws;

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
    private static final Map<String, String> COMMON = Map.ofEntries(
            Map.entry("ThrottlingException", "throttled"), Map.entry("Throttling", "throttled"),
            Map.entry("RequestLimitExceeded", "throttled"), Map.entry("TooManyRequestsException", "throttled"),
            Map.entry("AccessDeniedException", "access_denied"), Map.entry("AccessDenied", "access_denied"),
            Map.entry("UnrecognizedClientException", "auth_failed"), Map.entry("InvalidSignatureException", "auth_failed"),
            Map.entry("IncompleteSignatureException", "auth_failed"), Map.entry("ExpiredTokenException", "auth_failed"),
            Map.entry("ExpiredToken", "auth_failed"), Map.entry("InvalidClientTokenId", "auth_failed"));

    private AwsErrors() {
    }

    /**
     * {@code no_credentials}; the store's own meaning of the code; a shared one; else by HTTP
     * status (403 {@code access_denied}, 404 {@code not_found}, 503 {@code throttled}, 5xx
     * {@code server_error}); else {@code aws_<code>} or {@code http_<status>}. Empty for a
     * failure that is not an AWS one.
     */
    public static Optional<String> reason(Throwable failure, Map<String, String> storeCodes) {
        Throwable t = AwsCredentials.unwrap(failure);
        Optional<String> credentials = AwsCredentials.errorReason(t);
        if (credentials.isPresent() || !(t instanceof AwsServiceException aws)) {
            return credentials;
        }
        String code = aws.awsErrorDetails() == null || aws.awsErrorDetails().errorCode() == null ? "" : aws.awsErrorDetails().errorCode();
        String known = storeCodes.getOrDefault(code, COMMON.get(code));
        if (known != null) {
            return Optional.of(known);
        }
        return Optional.of(switch (aws.statusCode()) {
            case 403 -> "access_denied";
            case 404 -> "not_found";
            case 503 -> "throttled";
            default -> aws.statusCode() >= 500 ? "server_error" : code.isEmpty() ? "http_" + aws.statusCode() : "aws_" + code;
        });
    }
}
