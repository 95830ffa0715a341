from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.sign_in import SignIn
from ...models.signed_in import SignedIn
from typing import cast


def _get_kwargs(
    *,
    body: SignIn,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/users/login",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | SignedIn | None:
    if response.status_code == 200:
        response_200 = SignedIn.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

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
) -> Response[Error | SignedIn]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SignIn,
) -> Response[Error | SignedIn]:
    """Sign in with a username and a password

     Answers a signed token for `Authorization: Bearer`, valid for
    `HUBINDEX_BEARER_TTL_SECONDS` (10 minutes unless the operator changed it). `password`
    may be a personal access token of the account instead; the token then carries that
    access token's scope. A wrong password is counted by the login limits, as on the v1
    paths.

    Args:
        body (SignIn): An account's username and its password or one of its access tokens.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | SignedIn]
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
    body: SignIn,
) -> Error | SignedIn | None:
    """Sign in with a username and a password

     Answers a signed token for `Authorization: Bearer`, valid for
    `HUBINDEX_BEARER_TTL_SECONDS` (10 minutes unless the operator changed it). `password`
    may be a personal access token of the account instead; the token then carries that
    access token's scope. A wrong password is counted by the login limits, as on the v1
    paths.

    Args:
        body (SignIn): An account's username and its password or one of its access tokens.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | SignedIn
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SignIn,
) -> Response[Error | SignedIn]:
    """Sign in with a username and a password

     Answers a signed token for `Authorization: Bearer`, valid for
    `HUBINDEX_BEARER_TTL_SECONDS` (10 minutes unless the operator changed it). `password`
    may be a personal access token of the account instead; the token then carries that
    access token's scope. A wrong password is counted by the login limits, as on the v1
    paths.

    Args:
        body (SignIn): An account's username and its password or one of its access tokens.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | SignedIn]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: SignIn,
) -> Error | SignedIn | None:
    """Sign in with a username and a password

     Answers a signed token for `Authorization: Bearer`, valid for
    `HUBINDEX_BEARER_TTL_SECONDS` (10 minutes unless the operator changed it). `password`
    may be a personal access token of the account instead; the token then carries that
    access token's scope. A wrong password is counted by the login limits, as on the v1
    paths.

    Args:
        body (SignIn): An account's username and its password or one of its access tokens.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | SignedIn
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
