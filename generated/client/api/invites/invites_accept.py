from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.org_member import OrgMember
from typing import cast
from uuid import UUID


def _get_kwargs(
    id: UUID,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/invites/{id}/accept".format(
            id=quote(str(id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | OrgMember | None:
    if response.status_code == 200:
        response_200 = OrgMember.from_dict(response.json())

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

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

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
    id: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[Error | OrgMember]:
    """Accept an invitation (beyond Docker Hub)

     Docker Hub publishes no operation for this (its invitee accepts in its web
    interface). The signed-in invitee (the account the invitation names, or, for an
    invitation by email, the account whose confirmed address it is) becomes a member of
    the organization with the invited role, and of the invited team, in one transaction;
    the invitation is deleted. An expired invitation is a 404; an invitee who is a member
    already, a 409 (decline it). Only the invitee may, signed in with the account's
    password.

    Args:
        id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrgMember]
    """

    kwargs = _get_kwargs(
        id=id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: UUID,
    *,
    client: AuthenticatedClient,
) -> Error | OrgMember | None:
    """Accept an invitation (beyond Docker Hub)

     Docker Hub publishes no operation for this (its invitee accepts in its web
    interface). The signed-in invitee (the account the invitation names, or, for an
    invitation by email, the account whose confirmed address it is) becomes a member of
    the organization with the invited role, and of the invited team, in one transaction;
    the invitation is deleted. An expired invitation is a 404; an invitee who is a member
    already, a 409 (decline it). Only the invitee may, signed in with the account's
    password.

    Args:
        id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrgMember
    """

    return sync_detailed(
        id=id,
        client=client,
    ).parsed


async def asyncio_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[Error | OrgMember]:
    """Accept an invitation (beyond Docker Hub)

     Docker Hub publishes no operation for this (its invitee accepts in its web
    interface). The signed-in invitee (the account the invitation names, or, for an
    invitation by email, the account whose confirmed address it is) becomes a member of
    the organization with the invited role, and of the invited team, in one transaction;
    the invitation is deleted. An expired invitation is a 404; an invitee who is a member
    already, a 409 (decline it). Only the invitee may, signed in with the account's
    password.

    Args:
        id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrgMember]
    """

    kwargs = _get_kwargs(
        id=id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: UUID,
    *,
    client: AuthenticatedClient,
) -> Error | OrgMember | None:
    """Accept an invitation (beyond Docker Hub)

     Docker Hub publishes no operation for this (its invitee accepts in its web
    interface). The signed-in invitee (the account the invitation names, or, for an
    invitation by email, the account whose confirmed address it is) becomes a member of
    the organization with the invited role, and of the invited team, in one transaction;
    the invitation is deleted. An expired invitation is a 404; an invitee who is a member
    already, a 409 (decline it). Only the invitee may, signed in with the account's
    password.

    Args:
        id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrgMember
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
        )
    ).parsed
