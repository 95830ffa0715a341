from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.user_profile import UserProfile
from typing import cast


def _get_kwargs(
    username: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v2/users/{username}".format(
            username=quote(str(username), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | UserProfile | None:
    if response.status_code == 200:
        response_200 = UserProfile.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | UserProfile]:
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
) -> Response[Error | UserProfile]:
    """A user's public profile

     The account, as Docker Hub's older `GET /v2/users/{username}/` answers it (the npm
    package `docker-hub-api` calls it as `user`): its id, its name and when it joined.
    hubindex keeps no names, places, companies or pictures: those fields are empty. An
    account whose email address is not confirmed yet, or an organization's name, is no
    user here (404).

    Args:
        username (str):  Example: foobar.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | UserProfile]
    """

    kwargs = _get_kwargs(
        username=username,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    username: str,
    *,
    client: AuthenticatedClient,
) -> Error | UserProfile | None:
    """A user's public profile

     The account, as Docker Hub's older `GET /v2/users/{username}/` answers it (the npm
    package `docker-hub-api` calls it as `user`): its id, its name and when it joined.
    hubindex keeps no names, places, companies or pictures: those fields are empty. An
    account whose email address is not confirmed yet, or an organization's name, is no
    user here (404).

    Args:
        username (str):  Example: foobar.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | UserProfile
    """

    return sync_detailed(
        username=username,
        client=client,
    ).parsed


async def asyncio_detailed(
    username: str,
    *,
    client: AuthenticatedClient,
) -> Response[Error | UserProfile]:
    """A user's public profile

     The account, as Docker Hub's older `GET /v2/users/{username}/` answers it (the npm
    package `docker-hub-api` calls it as `user`): its id, its name and when it joined.
    hubindex keeps no names, places, companies or pictures: those fields are empty. An
    account whose email address is not confirmed yet, or an organization's name, is no
    user here (404).

    Args:
        username (str):  Example: foobar.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | UserProfile]
    """

    kwargs = _get_kwargs(
        username=username,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    username: str,
    *,
    client: AuthenticatedClient,
) -> Error | UserProfile | None:
    """A user's public profile

     The account, as Docker Hub's older `GET /v2/users/{username}/` answers it (the npm
    package `docker-hub-api` calls it as `user`): its id, its name and when it joined.
    hubindex keeps no names, places, companies or pictures: those fields are empty. An
    account whose email address is not confirmed yet, or an organization's name, is no
    user here (404).

    Args:
        username (str):  Example: foobar.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | UserProfile
    """

    return (
        await asyncio_detailed(
            username=username,
            client=client,
        )
    ).parsed
