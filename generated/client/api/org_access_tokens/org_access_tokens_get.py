from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.org_access_token import OrgAccessToken
from typing import cast
from uuid import UUID


def _get_kwargs(
    org_name: str,
    access_token_id: UUID,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v2/orgs/{org_name}/access-tokens/{access_token_id}".format(
            org_name=quote(str(org_name), safe=""),
            access_token_id=quote(str(access_token_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | OrgAccessToken | None:
    if response.status_code == 200:
        response_200 = OrgAccessToken.from_dict(response.json())

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
) -> Response[Error | OrgAccessToken]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    org_name: str,
    access_token_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[Error | OrgAccessToken]:
    """Get an organization access token

     The token with its resources, without its secret. Owners of the organization may,
    and administrators.

    Args:
        org_name (str):  Example: foobar.
        access_token_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrgAccessToken]
    """

    kwargs = _get_kwargs(
        org_name=org_name,
        access_token_id=access_token_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    org_name: str,
    access_token_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Error | OrgAccessToken | None:
    """Get an organization access token

     The token with its resources, without its secret. Owners of the organization may,
    and administrators.

    Args:
        org_name (str):  Example: foobar.
        access_token_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrgAccessToken
    """

    return sync_detailed(
        org_name=org_name,
        access_token_id=access_token_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    org_name: str,
    access_token_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[Error | OrgAccessToken]:
    """Get an organization access token

     The token with its resources, without its secret. Owners of the organization may,
    and administrators.

    Args:
        org_name (str):  Example: foobar.
        access_token_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrgAccessToken]
    """

    kwargs = _get_kwargs(
        org_name=org_name,
        access_token_id=access_token_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    org_name: str,
    access_token_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Error | OrgAccessToken | None:
    """Get an organization access token

     The token with its resources, without its secret. Owners of the organization may,
    and administrators.

    Args:
        org_name (str):  Example: foobar.
        access_token_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrgAccessToken
    """

    return (
        await asyncio_detailed(
            org_name=org_name,
            access_token_id=access_token_id,
            client=client,
        )
    ).parsed
