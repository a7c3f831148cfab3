"""Schemathesis checks of the Dapr error contract, loaded through SCHEMATHESIS_HOOKS by openapi-fuzz.test.ts."""
import json

import schemathesis


@schemathesis.check
def dapr_error_on_5xx(ctx, response, case):
    """A 5xx answer is a Dapr error: a JSON object with a non-empty string errorCode (no crash page, no bare 500).

    The one exception is daprd's own: a failed configuration unsubscribe answers {"message": ...}.
    """
    # A HEAD answer never has a body (HTTP), whatever its status.
    if response.status_code < 500 or case.method.upper() == "HEAD":
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"{response.status_code} whose body is not JSON: {response.content[:300]!r}")
    if isinstance(body, dict) and body.get("errorCode") == "ERR_INTERNAL":
        # The catch-all for an exception no core caught: a crash of the handler, not an answer.
        raise AssertionError(f"{response.status_code} ERR_INTERNAL (an uncaught error in the sidecar): {body.get('message')}")
    if isinstance(body, dict) and isinstance(body.get("errorCode"), str) and body["errorCode"]:
        return None
    if case.path.endswith("/unsubscribe") and isinstance(body, dict) and isinstance(body.get("message"), str):
        return None
    raise AssertionError(f"{response.status_code} without a Dapr errorCode: {response.content[:300]!r}")
