from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from typing import cast


def _get_kwargs(
    org_name: str,
    group_name: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/v2/orgs/{org_name}/groups/{group_name}".format(
            org_name=quote(str(org_name), safe=""),
            group_name=quote(str(group_name), safe=""),
        ),
    }

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
    org_name: str,
    group_name: str,
    *,
    client: AuthenticatedClient,
) -> Response[Any | Error]:
    """Delete a team

     Deletes the team, its memberships and its permissions on repositories. Owners and
    administrators may.

    Args:
        org_name (str):  Example: foobar.
        group_name (str): A team's name, unique within its organization. Example: developers.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        org_name=org_name,
        group_name=group_name,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    org_name: str,
    group_name: str,
    *,
    client: AuthenticatedClient,
) -> Any | Error | None:
    """Delete a team

     Deletes the team, its memberships and its permissions on repositories. Owners and
    administrators may.

    Args:
        org_name (str):  Example: foobar.
        group_name (str): A team's name, unique within its organization. Example: developers.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return sync_detailed(
        org_name=org_name,
        group_name=group_name,
        client=client,
    ).parsed


async def asyncio_detailed(
    org_name: str,
    group_name: str,
    *,
    client: AuthenticatedClient,
) -> Response[Any | Error]:
    """Delete a team

     Deletes the team, its memberships and its permissions on repositories. Owners and
    administrators may.

    Args:
        org_name (str):  Example: foobar.
        group_name (str): A team's name, unique within its organization. Example: developers.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        org_name=org_name,
        group_name=group_name,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    org_name: str,
    group_name: str,
    *,
    client: AuthenticatedClient,
) -> Any | Error | None:
    """Delete a team

     Deletes the team, its memberships and its permissions on repositories. Owners and
    administrators may.

    Args:
        org_name (str):  Example: foobar.
        group_name (str): A team's name, unique within its organization. Example: developers.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return (
        await asyncio_detailed(
            org_name=org_name,
            group_name=group_name,
            client=client,
        )
    ).parsed
