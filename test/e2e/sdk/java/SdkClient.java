// A client built on the Java SDK (io.dapr:dapr-sdk, see pom.xml) for the SDK end-to-end test, run as a
// single source file. It drives the sidecar (DAPR_GRPC_PORT / DAPR_HTTP_PORT) and prints one JSON
// report: each step's outcome, or the Dapr error code and ErrorInfo reason it failed with.

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dapr.client.DaprClient;
import io.dapr.client.DaprClientBuilder;
import io.dapr.client.DaprPreviewClient;
import io.dapr.client.domain.HttpExtension;
import io.dapr.client.domain.State;
import io.dapr.client.domain.StateOptions;
import io.dapr.client.domain.TransactionalStateOperation;
import io.dapr.exceptions.DaprErrorDetails;
import io.dapr.exceptions.DaprException;
import io.dapr.utils.TypeRef;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

public class SdkClient {
  private static final Map<String, Object> report = new TreeMap<>();

  public static void main(String[] args) throws Exception {
    String appId = args[0];
    try (DaprClient client = new DaprClientBuilder().build(); DaprPreviewClient preview = new DaprClientBuilder().buildPreviewClient()) {
      step("state", () -> {
        client.saveState("statestore", "java-k", "v1").block();
        State<String> first = client.getState("statestore", "java-k", String.class).block();
        Object stale = failure(() -> client.saveState("statestore", "java-k", "999", "v2", null).block());
        client.saveState("statestore", "java-k", first.getEtag(), "v2", null).block();
        State<String> second = client.getState("statestore", "java-k", String.class).block();
        Object staleDelete = failure(() -> client.deleteState("statestore", "java-k", first.getEtag(), null).block());
        client.deleteState("statestore", "java-k", second.getEtag(), null).block();
        State<String> gone = client.getState("statestore", "java-k", String.class).block();
        return Map.of("first", first.getValue(), "staleSave", stale, "second", second.getValue(), "etagChanged", !second.getEtag().equals(first.getEtag()),
            "staleDelete", staleDelete, "afterDeleteIsNull", gone.getValue() == null);
      });
      step("bulkAndTransaction", () -> {
        client.executeStateTransaction("statestore", List.of(
            new TransactionalStateOperation<>(TransactionalStateOperation.OperationType.UPSERT, new State<>("java-t1", "t1", "")),
            new TransactionalStateOperation<>(TransactionalStateOperation.OperationType.UPSERT, new State<>("java-t2", "t2", "")))).block();
        Map<String, Object> out = new TreeMap<>();
        for (State<String> s : client.getBulkState("statestore", List.of("java-t1", "java-t2", "java-missing"), String.class).block()) {
          out.put(s.getKey(), s.getValue() == null ? "" : s.getValue());
        }
        return out;
      });
      step("publish", () -> {
        client.publishEvent("pubsub", "java-orders", Map.of("order", 1)).block();
        return client.publishEvents("pubsub", "java-orders", "application/json", List.of(Map.of("n", 1), Map.of("n", 2))).block().getFailedEntries().size();
      });
      step("invoke", () -> {
        byte[] out = client.invokeMethod(appId, "orders", "hello".getBytes(), HttpExtension.POST, Map.of("content-type", "text/plain")).block();
        return new ObjectMapper().readValue(out, Map.class);
      });
      step("metadata", () -> {
        var m = client.getMetadata().block();
        return Map.of("appId", m.getId(), "components", m.getComponents().stream().map(c -> c.getName()).sorted().toList());
      });
      step("secrets", () -> client.getSecret("secretstore", "db-password").block());
      step("configuration", () -> {
        var item = client.getConfiguration("configstore", "greeting").block();
        return Map.of("value", item.getValue(), "version", item.getVersion());
      });
      step("lock", () -> Map.of(
          "first", preview.tryLock("lockstore", "java-resource", "owner-a", 60).block(),
          "second", preview.tryLock("lockstore", "java-resource", "owner-b", 60).block(),
          "unlock", preview.unlock("lockstore", "java-resource", "owner-a").block().name()));
      step("missingStore", () -> failure(() -> client.getState("no-such-store", "k", String.class).block()));
    }
    System.out.println(new ObjectMapper().writeValueAsString(report));
    System.out.flush();
    // The SDK leaves non-daemon threads behind after close.
    System.exit(0);
  }

  private static void step(String name, Callable<Object> fn) {
    try {
      report.put(name, fn.call());
    } catch (Exception err) {
      report.put(name, Map.of("failed", String.valueOf(err)));
    }
  }

  /** The Dapr error code (the SDK's reading) and the ErrorInfo reason of what `fn` throws. */
  private static Object failure(Runnable fn) {
    try {
      fn.run();
      return "no error";
    } catch (DaprException err) {
      DaprErrorDetails details = err.getErrorDetails();
      String reason = details == null ? null : details.get(DaprErrorDetails.ErrorDetailType.ERROR_INFO, "reason", TypeRef.STRING);
      Map<String, Object> out = new TreeMap<>();
      out.put("errorCode", err.getErrorCode());
      out.put("reason", reason == null ? "" : reason);
      return out;
    }
  }
}
