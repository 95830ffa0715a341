from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.registration import Registration
from ...models.user_created import UserCreated
from ...models.user_exists import UserExists
from typing import cast


def _get_kwargs(
    *,
    body: Registration,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/users/",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | Error | UserExists | UserCreated | None:
    if response.status_code == 201:
        response_201 = UserCreated(response.json())

        return response_201

    if response.status_code == 400:

        def _parse_response_400(data: object) -> Error | UserExists:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_registration_error_type_0 = Error.from_dict(data)

                return componentsschemas_registration_error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, str):
                raise TypeError()
            componentsschemas_registration_error_type_1 = UserExists(data)

            return componentsschemas_registration_error_type_1

        response_400 = _parse_response_400(response.json())

        return response_400

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Error.from_dict(response.json())

        return response_415

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | Error | UserExists | UserCreated]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: Registration,
) -> Response[Error | Error | UserExists | UserCreated]:
    """Register an account

     Creates an account. Unless the operator turned email confirmation off, the account stays
    inactive until the code mailed to its address is confirmed
    (`GET /v1/users/confirm`). Unknown fields, such as the `auth` field the Docker client
    sends, are ignored.

    `docker login` (Docker 1.x) calls this first, and logs in with `GET /v1/users/` only
    when the answer is the exact "already exists" body. So a username or an email that
    belongs to an account is answered with that body before any other field is judged;
    only then must the fields meet the rules of a new account (schema
    `RegistrationRules`): a username matching `^[a-z0-9_]{4,30}$` (not `library`), a
    password of at least 5 characters without control characters, a valid email address
    of at most 254 characters.

    Args:
        body (Registration): What a Docker client sends to register, and also to log in (`docker
            login` registers
            first), so only lengths are bounded here: the username and the email are looked up
            first, and one that belongs to an account is answered "Username or email already
            exists" whatever the other fields hold (the Docker 1.9 prompt sends `"email": ""` for
            an existing account; a mistyped password may be shorter than 5 characters). A new
            account's fields must then meet `RegistrationRules`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Error | UserExists | UserCreated]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: Registration,
) -> Error | Error | UserExists | UserCreated | None:
    """Register an account

     Creates an account. Unless the operator turned email confirmation off, the account stays
    inactive until the code mailed to its address is confirmed
    (`GET /v1/users/confirm`). Unknown fields, such as the `auth` field the Docker client
    sends, are ignored.

    `docker login` (Docker 1.x) calls this first, and logs in with `GET /v1/users/` only
    when the answer is the exact "already exists" body. So a username or an email that
    belongs to an account is answered with that body before any other field is judged;
    only then must the fields meet the rules of a new account (schema
    `RegistrationRules`): a username matching `^[a-z0-9_]{4,30}$` (not `library`), a
    password of at least 5 characters without control characters, a valid email address
    of at most 254 characters.

    Args:
        body (Registration): What a Docker client sends to register, and also to log in (`docker
            login` registers
            first), so only lengths are bounded here: the username and the email are looked up
            first, and one that belongs to an account is answered "Username or email already
            exists" whatever the other fields hold (the Docker 1.9 prompt sends `"email": ""` for
            an existing account; a mistyped password may be shorter than 5 characters). A new
            account's fields must then meet `RegistrationRules`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Error | UserExists | UserCreated
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: Registration,
) -> Response[Error | Error | UserExists | UserCreated]:
    """Register an account

     Creates an account. Unless the operator turned email confirmation off, the account stays
    inactive until the code mailed to its address is confirmed
    (`GET /v1/users/confirm`). Unknown fields, such as the `auth` field the Docker client
    sends, are ignored.

    `docker login` (Docker 1.x) calls this first, and logs in with `GET /v1/users/` only
    when the answer is the exact "already exists" body. So a username or an email that
    belongs to an account is answered with that body before any other field is judged;
    only then must the fields meet the rules of a new account (schema
    `RegistrationRules`): a username matching `^[a-z0-9_]{4,30}$` (not `library`), a
    password of at least 5 characters without control characters, a valid email address
    of at most 254 characters.

    Args:
        body (Registration): What a Docker client sends to register, and also to log in (`docker
            login` registers
            first), so only lengths are bounded here: the username and the email are looked up
            first, and one that belongs to an account is answered "Username or email already
            exists" whatever the other fields hold (the Docker 1.9 prompt sends `"email": ""` for
            an existing account; a mistyped password may be shorter than 5 characters). A new
            account's fields must then meet `RegistrationRules`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Error | UserExists | UserCreated]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: Registration,
) -> Error | Error | UserExists | UserCreated | None:
    """Register an account

     Creates an account. Unless the operator turned email confirmation off, the account stays
    inactive until the code mailed to its address is confirmed
    (`GET /v1/users/confirm`). Unknown fields, such as the `auth` field the Docker client
    sends, are ignored.

    `docker login` (Docker 1.x) calls this first, and logs in with `GET /v1/users/` only
    when the answer is the exact "already exists" body. So a username or an email that
    belongs to an account is answered with that body before any other field is judged;
    only then must the fields meet the rules of a new account (schema
    `RegistrationRules`): a username matching `^[a-z0-9_]{4,30}$` (not `library`), a
    password of at least 5 characters without control characters, a valid email address
    of at most 254 characters.

    Args:
        body (Registration): What a Docker client sends to register, and also to log in (`docker
            login` registers
            first), so only lengths are bounded here: the username and the email are looked up
            first, and one that belongs to an account is answered "Username or email already
            exists" whatever the other fields hold (the Docker 1.9 prompt sends `"email": ""` for
            an existing account; a mistyped password may be shorter than 5 characters). A new
            account's fields must then meet `RegistrationRules`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Error | UserExists | UserCreated
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
