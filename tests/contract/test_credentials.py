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
