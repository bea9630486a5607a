"""Hooks for the Schemathesis run of tests/schemathesis/main.rs.

Cursors: a `cursor` is an opaque token the API hands out with a page, and any
other string is refused (400); generated ones are left out of requests.

NDJSON bodies: the document gives an NDJSON body the schema of the JSON
array the same operation reads; this sends each element as one line.
"""

import json

import schemathesis

try:
    # Hypothesis names a filter by parsing its lambda's source file; on
    # CPython 3.11 that parse can fail deep in the call stack with
    # "SystemError: AST constructor recursion depth mismatch" (a CPython
    # bug), which aborts the whole phase. The name is only for messages.
    from hypothesis.internal import lambda_sources as _lambda_sources

    _describe = _lambda_sources.lambda_description

    def _lambda_description(f):
        try:
            return _describe(f)
        except (SystemError, RecursionError):
            return "lambda"

    _lambda_sources.lambda_description = _lambda_description
except (ImportError, AttributeError):
    pass


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    if isinstance(value, list):
        lines = [json.dumps(item, ensure_ascii=True) for item in value]
        return ("\n".join(lines) + "\n").encode("utf-8")
    return (json.dumps(value, ensure_ascii=True) + "\n").encode("utf-8")


@schemathesis.hook
def map_query(ctx, query):
    if query and "cursor" in query:
        query = dict(query)
        del query["cursor"]
    return query


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    """PUT /v1/customers/{id}: a body `id` must equal the path's (else 422
    `id_mismatch`), which a schema cannot say; generated bodies get the
    path's id so the rest of the record is what is tested."""
    if (
        case.method.upper() == "PUT"
        and case.path == "/v1/customers/{id}"
        and isinstance(case.body, dict)
        and "id" in case.body
        and case.path_parameters
        and "id" in case.path_parameters
    ):
        case.body["id"] = case.path_parameters["id"]
