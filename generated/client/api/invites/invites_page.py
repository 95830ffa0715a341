from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.invite_page import InvitePage
from ...types import UNSET, Unset
from typing import cast


def _get_kwargs(
    org_name: str,
    *,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["page"] = page

    params["page_size"] = page_size

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v2/orgs/{org_name}/invites".format(
            org_name=quote(str(org_name), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | InvitePage | None:
    if response.status_code == 200:
        response_200 = InvitePage.from_dict(response.json())

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
) -> Response[Error | InvitePage]:
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
) -> Response[Error | InvitePage]:
    """List an organization's pending invitations

     One page of the organization's pending invitations, newest first: neither accepted,
    declined nor cancelled, and not expired. Docker Hub answers them in `data`; hubindex
    pages them as every list (`page`, `page_size`), with `count`, `next` and `previous`.
    Owners of the organization may, and administrators.

    Args:
        org_name (str):  Example: foobar.
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | InvitePage]
    """

    kwargs = _get_kwargs(
        org_name=org_name,
        page=page,
        page_size=page_size,
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
) -> Error | InvitePage | None:
    """List an organization's pending invitations

     One page of the organization's pending invitations, newest first: neither accepted,
    declined nor cancelled, and not expired. Docker Hub answers them in `data`; hubindex
    pages them as every list (`page`, `page_size`), with `count`, `next` and `previous`.
    Owners of the organization may, and administrators.

    Args:
        org_name (str):  Example: foobar.
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | InvitePage
    """

    return sync_detailed(
        org_name=org_name,
        client=client,
        page=page,
        page_size=page_size,
    ).parsed


async def asyncio_detailed(
    org_name: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
) -> Response[Error | InvitePage]:
    """List an organization's pending invitations

     One page of the organization's pending invitations, newest first: neither accepted,
    declined nor cancelled, and not expired. Docker Hub answers them in `data`; hubindex
    pages them as every list (`page`, `page_size`), with `count`, `next` and `previous`.
    Owners of the organization may, and administrators.

    Args:
        org_name (str):  Example: foobar.
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | InvitePage]
    """

    kwargs = _get_kwargs(
        org_name=org_name,
        page=page,
        page_size=page_size,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    org_name: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
) -> Error | InvitePage | None:
    """List an organization's pending invitations

     One page of the organization's pending invitations, newest first: neither accepted,
    declined nor cancelled, and not expired. Docker Hub answers them in `data`; hubindex
    pages them as every list (`page`, `page_size`), with `count`, `next` and `previous`.
    Owners of the organization may, and administrators.

    Args:
        org_name (str):  Example: foobar.
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | InvitePage
    """

    return (
        await asyncio_detailed(
            org_name=org_name,
            client=client,
            page=page,
            page_size=page_size,
        )
    ).parsed
