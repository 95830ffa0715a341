from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.org_member import OrgMember
from ...models.org_member_addition import OrgMemberAddition
from typing import cast


def _get_kwargs(
    org_name: str,
    *,
    body: OrgMemberAddition,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/orgs/{org_name}/members".format(
            org_name=quote(str(org_name), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | OrgMember | None:
    if response.status_code == 201:
        response_201 = OrgMember.from_dict(response.json())

        return response_201

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

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | OrgMember]:
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
    body: OrgMemberAddition,
) -> Response[Error | OrgMember]:
    """Add a user to an organization

     Adds the user `member` to the organization with `role` (`member` if absent). Docker
    Hub adds members by invitation (`POST /v2/invites/bulk`, which hubindex serves too);
    hubindex also lets an owner add a user directly. Owners and administrators may.

    Args:
        org_name (str):  Example: foobar.
        body (OrgMemberAddition):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrgMember]
    """

    kwargs = _get_kwargs(
        org_name=org_name,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    org_name: str,
    *,
    client: AuthenticatedClient,
    body: OrgMemberAddition,
) -> Error | OrgMember | None:
    """Add a user to an organization

     Adds the user `member` to the organization with `role` (`member` if absent). Docker
    Hub adds members by invitation (`POST /v2/invites/bulk`, which hubindex serves too);
    hubindex also lets an owner add a user directly. Owners and administrators may.

    Args:
        org_name (str):  Example: foobar.
        body (OrgMemberAddition):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrgMember
    """

    return sync_detailed(
        org_name=org_name,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    org_name: str,
    *,
    client: AuthenticatedClient,
    body: OrgMemberAddition,
) -> Response[Error | OrgMember]:
    """Add a user to an organization

     Adds the user `member` to the organization with `role` (`member` if absent). Docker
    Hub adds members by invitation (`POST /v2/invites/bulk`, which hubindex serves too);
    hubindex also lets an owner add a user directly. Owners and administrators may.

    Args:
        org_name (str):  Example: foobar.
        body (OrgMemberAddition):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrgMember]
    """

    kwargs = _get_kwargs(
        org_name=org_name,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    org_name: str,
    *,
    client: AuthenticatedClient,
    body: OrgMemberAddition,
) -> Error | OrgMember | None:
    """Add a user to an organization

     Adds the user `member` to the organization with `role` (`member` if absent). Docker
    Hub adds members by invitation (`POST /v2/invites/bulk`, which hubindex serves too);
    hubindex also lets an owner add a user directly. Owners and administrators may.

    Args:
        org_name (str):  Example: foobar.
        body (OrgMemberAddition):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrgMember
    """

    return (
        await asyncio_detailed(
            org_name=org_name,
            client=client,
            body=body,
        )
    ).parsed
