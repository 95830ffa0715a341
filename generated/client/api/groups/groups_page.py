from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.org_group_page import OrgGroupPage
from ...types import UNSET, Unset
from typing import cast


def _get_kwargs(
    org_name: str,
    *,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
    username: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["page"] = page

    params["page_size"] = page_size

    params["username"] = username

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v2/orgs/{org_name}/groups".format(
            org_name=quote(str(org_name), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | OrgGroupPage | None:
    if response.status_code == 200:
        response_200 = OrgGroupPage.from_dict(response.json())

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
) -> Response[Error | OrgGroupPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    org_name: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
    username: str | Unset = UNSET,
) -> Response[Error | OrgGroupPage]:
    """List an organization's teams

     One page of the organization's teams (groups), by name; with `username`, only the
    teams that user is in. Any member may list them, and administrators.

    Args:
        org_name (str):  Example: foobar.
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.
        username (str | Unset):  Example: foobar.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrgGroupPage]
    """

    kwargs = _get_kwargs(
        org_name=org_name,
        page=page,
        page_size=page_size,
        username=username,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    org_name: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
    username: str | Unset = UNSET,
) -> Error | OrgGroupPage | None:
    """List an organization's teams

     One page of the organization's teams (groups), by name; with `username`, only the
    teams that user is in. Any member may list them, and administrators.

    Args:
        org_name (str):  Example: foobar.
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.
        username (str | Unset):  Example: foobar.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrgGroupPage
    """

    return sync_detailed(
        org_name=org_name,
        client=client,
        page=page,
        page_size=page_size,
        username=username,
    ).parsed


async def asyncio_detailed(
    org_name: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
    username: str | Unset = UNSET,
) -> Response[Error | OrgGroupPage]:
    """List an organization's teams

     One page of the organization's teams (groups), by name; with `username`, only the
    teams that user is in. Any member may list them, and administrators.

    Args:
        org_name (str):  Example: foobar.
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.
        username (str | Unset):  Example: foobar.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrgGroupPage]
    """

    kwargs = _get_kwargs(
        org_name=org_name,
        page=page,
        page_size=page_size,
        username=username,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    org_name: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
    username: str | Unset = UNSET,
) -> Error | OrgGroupPage | None:
    """List an organization's teams

     One page of the organization's teams (groups), by name; with `username`, only the
    teams that user is in. Any member may list them, and administrators.

    Args:
        org_name (str):  Example: foobar.
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.
        username (str | Unset):  Example: foobar.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrgGroupPage
    """

    return (
        await asyncio_detailed(
            org_name=org_name,
            client=client,
            page=page,
            page_size=page_size,
            username=username,
        )
    ).parsed
