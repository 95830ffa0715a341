from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.user_update import UserUpdate
from typing import cast


def _get_kwargs(
    username: str,
    *,
    body: UserUpdate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/users/{username}/".format(
            username=quote(str(username), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Error | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

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
) -> Response[Any | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    username: str,
    *,
    client: AuthenticatedClient,
    body: UserUpdate,
) -> Response[Any | Error]:
    """Change a password or add an email address

     A new `password` replaces the old one. A new `email` is added to the account; the
    addresses it had stay. An address belongs to one account only, and an account has a
    limited number of addresses (an unconfirmed one whose code has expired no longer
    counts, nor belongs to anyone). Only the user themself or an administrator may do this.

    Args:
        username (str):  Example: foobar.
        body (UserUpdate): At least one of `email` and `password`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        username=username,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    username: str,
    *,
    client: AuthenticatedClient,
    body: UserUpdate,
) -> Any | Error | None:
    """Change a password or add an email address

     A new `password` replaces the old one. A new `email` is added to the account; the
    addresses it had stay. An address belongs to one account only, and an account has a
    limited number of addresses (an unconfirmed one whose code has expired no longer
    counts, nor belongs to anyone). Only the user themself or an administrator may do this.

    Args:
        username (str):  Example: foobar.
        body (UserUpdate): At least one of `email` and `password`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return sync_detailed(
        username=username,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    username: str,
    *,
    client: AuthenticatedClient,
    body: UserUpdate,
) -> Response[Any | Error]:
    """Change a password or add an email address

     A new `password` replaces the old one. A new `email` is added to the account; the
    addresses it had stay. An address belongs to one account only, and an account has a
    limited number of addresses (an unconfirmed one whose code has expired no longer
    counts, nor belongs to anyone). Only the user themself or an administrator may do this.

    Args:
        username (str):  Example: foobar.
        body (UserUpdate): At least one of `email` and `password`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        username=username,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    username: str,
    *,
    client: AuthenticatedClient,
    body: UserUpdate,
) -> Any | Error | None:
    """Change a password or add an email address

     A new `password` replaces the old one. A new `email` is added to the account; the
    addresses it had stay. An address belongs to one account only, and an account has a
    limited number of addresses (an unconfirmed one whose code has expired no longer
    counts, nor belongs to anyone). Only the user themself or an administrator may do this.

    Args:
        username (str):  Example: foobar.
        body (UserUpdate): At least one of `email` and `password`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return (
        await asyncio_detailed(
            username=username,
            client=client,
            body=body,
        )
    ).parsed
