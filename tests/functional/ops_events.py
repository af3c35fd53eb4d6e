"""API Gateway events for the ops API, as Lambda receives them: REST (payload 1.0) and HTTP API (2.0)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

CALLER = "arn:aws:iam::123456789012:user/sre-on-call"
AT = datetime.fromisoformat("2026-11-27T14:00:10+00:00")


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def rest_event(
    method: str,
    path: str,
    body: Any = None,
    query: dict[str, str] | None = None,
    caller: str | None = CALLER,
    at: datetime = AT,
) -> dict[str, Any]:
    identity: dict[str, Any] = {"sourceIp": "203.0.113.10"}
    if caller is not None:
        identity["userArn"] = caller
    headers = {"host": "abc123.execute-api.us-east-2.amazonaws.com", "content-type": "application/json"}
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/v1{path}",
            "stage": "v1",
            "requestId": "req-1",
            "requestTimeEpoch": _ms(at),
            "accountId": "123456789012",
            "apiId": "abc123",
            "identity": identity,
        },
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


def http_event(
    method: str,
    path: str,
    body: Any = None,
    query: dict[str, str] | None = None,
    caller: str | None = CALLER,
    at: datetime = AT,
) -> dict[str, Any]:
    authorizer = {"iam": {"userArn": caller, "accountId": "123456789012"}} if caller is not None else {}
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": urlencode(query or {}),
        "headers": {"host": "abc123.execute-api.us-east-2.amazonaws.com", "content-type": "application/json"},
        "queryStringParameters": query,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "authorizer": authorizer,
            "domainName": "abc123.execute-api.us-east-2.amazonaws.com",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.10"},
            "requestId": "req-2",
            "routeKey": "$default",
            "stage": "$default",
            "timeEpoch": _ms(at),
        },
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


def answer_of(response: dict[str, Any]) -> tuple[int, Any]:
    return int(response["statusCode"]), json.loads(response["body"])
