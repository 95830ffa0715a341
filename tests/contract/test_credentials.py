"""The suites' credentials and codes are genuine: what they hand a case gets past refusals."""

import schemathesis

from tests.contract.credentials import Credentials


def _drawn(*, kept: bool) -> str:
    return next(
        code
        for code in (f"drawn-{number}" for number in range(100))
        if Credentials.keeps_drawn(code) is kept
    )


def test_about_half_the_confirm_cases_get_a_genuine_code(
    api_schema: schemathesis.BaseSchema,
) -> None:
    confirm = api_schema["/v1/users/confirm"]["GET"]
    substituted = confirm.Case(query={"code": _drawn(kept=False)})
    kept = confirm.Case(query={"code": _drawn(kept=True)})

    assert substituted.call().status_code == 200  # the hook put a genuine code in
    assert substituted.call().status_code == 404  # the same code again: single use
    assert kept.call().status_code == 404
    assert kept.query == {"code": _drawn(kept=True)}


def test_a_token_for_the_case_passes_the_registry_check(
    api_schema: schemathesis.BaseSchema, conformance_credentials: Credentials
) -> None:
    repository = {"namespace": "someone", "repository": "app"}
    create = api_schema["/v1/repositories/{namespace}/{repository}/"]["PUT"]
    created = create.Case(path_parameters=repository, body=[], media_type="application/json")
    created.headers = {"Authorization": conformance_credentials.header(created)}
    assert created.call().status_code == 200
    check = api_schema["/v1/repositories/{namespace}/{repository}/auth"]["PUT"]
    case = check.Case(path_parameters=repository)
    case.headers = {"Authorization": conformance_credentials.header(case)}

    assert case.call().status_code == 200


def test_a_signed_token_passes_the_management_api(
    api_schema: schemathesis.BaseSchema, conformance_credentials: Credentials
) -> None:
    create = api_schema["/v2/access-tokens"]["POST"]
    case = create.Case(
        body={"token_label": "conformance", "scopes": ["repo:read"]},
        media_type="application/json",
    )
    case.headers = {"Authorization": conformance_credentials.header(case)}
    assert case.headers["Authorization"].startswith("Bearer ")
    created = case.call()
    assert created.status_code == 201, created.text
    get = api_schema["/v2/access-tokens/{uuid}"]["GET"]
    fetched = get.Case(path_parameters={"uuid": created.json()["uuid"]})
    fetched.headers = {"Authorization": conformance_credentials.header(fetched)}

    assert fetched.call().status_code == 200


def test_a_signed_token_manages_a_repositorys_webhooks(
    api_schema: schemathesis.BaseSchema, conformance_credentials: Credentials
) -> None:
    repository = {"namespace": "someone", "repository": "hooked"}
    create = api_schema["/v1/repositories/{namespace}/{repository}/"]["PUT"]
    created = create.Case(path_parameters=repository, body=[], media_type="application/json")
    created.headers = {"Authorization": conformance_credentials.header(created)}
    assert created.call().status_code == 200
    webhook = api_schema["/v2/repositories/{namespace}/{repository}/webhooks"]["POST"]
    case = webhook.Case(
        path_parameters=repository, body={"name": "ci"}, media_type="application/json"
    )
    case.headers = {"Authorization": conformance_credentials.header(case)}
    assert case.headers["Authorization"].startswith("Bearer ")
    made = case.call()
    assert made.status_code == 201, made.text
    hooks = api_schema["/v2/repositories/{namespace}/{repository}/webhooks/{webhook_id}/hooks"]
    hook = hooks["POST"].Case(
        path_parameters={**repository, "webhook_id": made.json()["id"]},
        body={"hook_url": "http://127.0.0.1:9/hook"},  # the discard port: nothing answers
        media_type="application/json",
    )
    hook.headers = {"Authorization": conformance_credentials.header(hook)}
    added = hook.call()
    assert added.status_code == 201, added.text
    test = api_schema[
        "/v2/repositories/{namespace}/{repository}/webhooks/{webhook_id}/hooks/{hook_id}/test"
    ]["POST"]
    sent = test.Case(
        path_parameters={
            **repository,
            "webhook_id": made.json()["id"],
            "hook_id": added.json()["id"],
        }
    )
    sent.headers = {"Authorization": conformance_credentials.header(sent)}

    response = sent.call()

    assert response.status_code == 202, response.text
    assert response.json()["event"] == "test"
