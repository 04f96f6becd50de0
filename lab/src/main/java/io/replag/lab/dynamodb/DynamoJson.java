package io.replag.lab.dynamodb;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** DynamoDB's wire JSON for items ({@code {"pk": {"S": "x"}, "n": {"N": "1"}}}) as the SDK's values, for the lab's change tap. */
final class DynamoJson {
    private DynamoJson() {
    }

    static Map<String, AttributeValue> item(JsonObject json) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        json.forEach(e -> item.put(e.getKey(), value((JsonObject) e.getValue())));
        return item;
    }

    static AttributeValue value(JsonObject v) {
        String type = v.fieldNames().iterator().next();
        Object x = v.getValue(type);
        return switch (type) {
            case "S" -> AttributeValue.fromS((String) x);
            case "N" -> AttributeValue.fromN(String.valueOf(x));
            case "B" -> AttributeValue.fromB(SdkBytes.fromByteArray(Base64.getDecoder().decode((String) x)));
            case "BOOL" -> AttributeValue.fromBool((Boolean) x);
            case "NULL" -> AttributeValue.fromNul(true);
            case "SS" -> AttributeValue.fromSs(strings((JsonArray) x));
            case "NS" -> AttributeValue.fromNs(strings((JsonArray) x));
            case "BS" -> AttributeValue.fromBs(strings((JsonArray) x).stream()
                    .map(b -> SdkBytes.fromByteArray(Base64.getDecoder().decode(b))).toList());
            case "L" -> AttributeValue.fromL(((JsonArray) x).stream().map(o -> value((JsonObject) o)).toList());
            case "M" -> AttributeValue.fromM(item((JsonObject) x));
            default -> throw new IllegalArgumentException("unknown DynamoDB attribute type " + type);
        };
    }

    private static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>();
        a.forEach(o -> out.add(String.valueOf(o)));
        return out;
    }
}
