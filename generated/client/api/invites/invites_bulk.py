from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.invite_bulk_request import InviteBulkRequest
from ...models.invite_bulk_result import InviteBulkResult
from ...types import UNSET, Unset
from typing import cast


def _get_kwargs(
    *,
    body: InviteBulkRequest,
    x_analytics_client_feature: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_analytics_client_feature, Unset):
        headers["X-Analytics-Client-Feature"] = x_analytics_client_feature

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/invites/bulk",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | InviteBulkResult | None:
    if response.status_code == 202:
        response_202 = InviteBulkResult.from_dict(response.json())

        return response_202

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
) -> Response[Error | InviteBulkResult]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: InviteBulkRequest,
    x_analytics_client_feature: str | Unset = UNSET,
) -> Response[Error | InviteBulkResult]:
    """Invite users to an organization

     Invites each of `invitees` (a Docker ID, or an email address) to the organization
    `org`, with `role` (`member` if absent) and, if `team` names one of its teams, into
    that team. Each invitee is answered its own status: `invited` (with the invitation),
    `existing_org_member`, `already_invited` (an invitation of the same invitee, or of
    the same account by another name, is pending) or `invalid_email_or_docker_id` (no
    account of that name, or not an address). With `dry_run`, every status is decided and
    nothing is written or sent. The invitee is mailed (an account's confirmed addresses,
    for a Docker ID). An invitation is pending 14 days. At most 100 invitees a request.
    Owners of the organization may, and administrators, signed in with the account's
    password.

    Args:
        x_analytics_client_feature (str | Unset):
        body (InviteBulkRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | InviteBulkResult]
    """

    kwargs = _get_kwargs(
        body=body,
        x_analytics_client_feature=x_analytics_client_feature,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: InviteBulkRequest,
    x_analytics_client_feature: str | Unset = UNSET,
) -> Error | InviteBulkResult | None:
    """Invite users to an organization

     Invites each of `invitees` (a Docker ID, or an email address) to the organization
    `org`, with `role` (`member` if absent) and, if `team` names one of its teams, into
    that team. Each invitee is answered its own status: `invited` (with the invitation),
    `existing_org_member`, `already_invited` (an invitation of the same invitee, or of
    the same account by another name, is pending) or `invalid_email_or_docker_id` (no
    account of that name, or not an address). With `dry_run`, every status is decided and
    nothing is written or sent. The invitee is mailed (an account's confirmed addresses,
    for a Docker ID). An invitation is pending 14 days. At most 100 invitees a request.
    Owners of the organization may, and administrators, signed in with the account's
    password.

    Args:
        x_analytics_client_feature (str | Unset):
        body (InviteBulkRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | InviteBulkResult
    """

    return sync_detailed(
        client=client,
        body=body,
        x_analytics_client_feature=x_analytics_client_feature,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: InviteBulkRequest,
    x_analytics_client_feature: str | Unset = UNSET,
) -> Response[Error | InviteBulkResult]:
    """Invite users to an organization

     Invites each of `invitees` (a Docker ID, or an email address) to the organization
    `org`, with `role` (`member` if absent) and, if `team` names one of its teams, into
    that team. Each invitee is answered its own status: `invited` (with the invitation),
    `existing_org_member`, `already_invited` (an invitation of the same invitee, or of
    the same account by another name, is pending) or `invalid_email_or_docker_id` (no
    account of that name, or not an address). With `dry_run`, every status is decided and
    nothing is written or sent. The invitee is mailed (an account's confirmed addresses,
    for a Docker ID). An invitation is pending 14 days. At most 100 invitees a request.
    Owners of the organization may, and administrators, signed in with the account's
    password.

    Args:
        x_analytics_client_feature (str | Unset):
        body (InviteBulkRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | InviteBulkResult]
    """

    kwargs = _get_kwargs(
        body=body,
        x_analytics_client_feature=x_analytics_client_feature,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: InviteBulkRequest,
    x_analytics_client_feature: str | Unset = UNSET,
) -> Error | InviteBulkResult | None:
    """Invite users to an organization

     Invites each of `invitees` (a Docker ID, or an email address) to the organization
    `org`, with `role` (`member` if absent) and, if `team` names one of its teams, into
    that team. Each invitee is answered its own status: `invited` (with the invitation),
    `existing_org_member`, `already_invited` (an invitation of the same invitee, or of
    the same account by another name, is pending) or `invalid_email_or_docker_id` (no
    account of that name, or not an address). With `dry_run`, every status is decided and
    nothing is written or sent. The invitee is mailed (an account's confirmed addresses,
    for a Docker ID). An invitation is pending 14 days. At most 100 invitees a request.
    Owners of the organization may, and administrators, signed in with the account's
    password.

    Args:
        x_analytics_client_feature (str | Unset):
        body (InviteBulkRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | InviteBulkResult
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            x_analytics_client_feature=x_analytics_client_feature,
        )
    ).parsed
