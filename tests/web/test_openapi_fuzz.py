"""Schemathesis against the app's own OpenAPI document: no 5xx, no reply off its schema.

Every operation is called with generated parameters and bodies, as the administrator
(who may call everything) over a seeded store, in process; each reply is checked against
the document (status code declared, content type, schema) and must not be a server error.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from web_support import START, seed_repository

from chatsession import InMemoryChatSessionRepository, ManualClock
from chatsession.web import TrustedHeader, create_app

repository = InMemoryChatSessionRepository()
seed_repository(repository)
# a trusted header: the fuzzer's calls need no scrypt work (Basic is tested elsewhere)
app = create_app(repository, clock=ManualClock(START),
                 authenticator=TrustedHeader(repository, "X-Remote-User"))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@schema.parametrize()
@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_the_api_keeps_its_own_openapi_document(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"X-Remote-User": "admin"}, checks=CHECKS)
