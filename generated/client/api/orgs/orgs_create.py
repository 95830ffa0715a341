from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.organization import Organization
from ...models.organization_creation import OrganizationCreation
from typing import cast


def _get_kwargs(
    *,
    body: OrganizationCreation,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/orgs",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | Organization | None:
    if response.status_code == 201:
        response_201 = Organization.from_dict(response.json())

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
) -> Response[Error | Organization]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: OrganizationCreation,
) -> Response[Error | Organization]:
    """Create an organization (administrators only)

     Creates an organization named `orgname` whose one member is `owner`, as its owner.
    Users and organizations share one namespace: a name that is a user's or an
    organization's already is refused (409). Only an administrator, signed in with the
    account's password, may do this; `hubindex orgs create` does the same.

    Args:
        body (OrganizationCreation):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Organization]
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
    client: AuthenticatedClient,
    body: OrganizationCreation,
) -> Error | Organization | None:
    """Create an organization (administrators only)

     Creates an organization named `orgname` whose one member is `owner`, as its owner.
    Users and organizations share one namespace: a name that is a user's or an
    organization's already is refused (409). Only an administrator, signed in with the
    account's password, may do this; `hubindex orgs create` does the same.

    Args:
        body (OrganizationCreation):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Organization
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: OrganizationCreation,
) -> Response[Error | Organization]:
    """Create an organization (administrators only)

     Creates an organization named `orgname` whose one member is `owner`, as its owner.
    Users and organizations share one namespace: a name that is a user's or an
    organization's already is refused (409). Only an administrator, signed in with the
    account's password, may do this; `hubindex orgs create` does the same.

    Args:
        body (OrganizationCreation):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Organization]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: OrganizationCreation,
) -> Error | Organization | None:
    """Create an organization (administrators only)

     Creates an organization named `orgname` whose one member is `owner`, as its owner.
    Users and organizations share one namespace: a name that is a user's or an
    organization's already is refused (409). Only an administrator, signed in with the
    account's password, may do this; `hubindex orgs create` does the same.

    Args:
        body (OrganizationCreation):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Organization
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
