from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.org_access_token_created import OrgAccessTokenCreated
from ...models.org_access_token_creation import OrgAccessTokenCreation
from typing import cast


def _get_kwargs(
    org_name: str,
    *,
    body: OrgAccessTokenCreation,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/orgs/{org_name}/access-tokens".format(
            org_name=quote(str(org_name), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | OrgAccessTokenCreated | None:
    if response.status_code == 201:
        response_201 = OrgAccessTokenCreated.from_dict(response.json())

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
) -> Response[Error | OrgAccessTokenCreated]:
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
    body: OrgAccessTokenCreation,
) -> Response[Error | OrgAccessTokenCreated]:
    """Create an organization access token

     Creates an access token of the organization, for machines: the password of `docker
    login -u ORG` and of every v1 call that takes Basic credentials, with the
    organization's name as the username. It allows what its `resources` list and nothing
    else: each names one repository of the organization (`ORG/REPO`, which need not exist
    yet) and its scopes, `repo-pull` (read it, even while private) and `repo-push` (also
    create it and push to it); `*/*/public` with `repo-pull` names the public
    repositories, which everyone may read anyway. No organization access token deletes a
    repository or manages anything. The secret is answered in `token`, the only time it
    is shown. Owners of the organization may, and administrators, signed in with the
    account's password.

    Args:
        org_name (str):  Example: foobar.
        body (OrgAccessTokenCreation):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrgAccessTokenCreated]
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
    body: OrgAccessTokenCreation,
) -> Error | OrgAccessTokenCreated | None:
    """Create an organization access token

     Creates an access token of the organization, for machines: the password of `docker
    login -u ORG` and of every v1 call that takes Basic credentials, with the
    organization's name as the username. It allows what its `resources` list and nothing
    else: each names one repository of the organization (`ORG/REPO`, which need not exist
    yet) and its scopes, `repo-pull` (read it, even while private) and `repo-push` (also
    create it and push to it); `*/*/public` with `repo-pull` names the public
    repositories, which everyone may read anyway. No organization access token deletes a
    repository or manages anything. The secret is answered in `token`, the only time it
    is shown. Owners of the organization may, and administrators, signed in with the
    account's password.

    Args:
        org_name (str):  Example: foobar.
        body (OrgAccessTokenCreation):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrgAccessTokenCreated
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
    body: OrgAccessTokenCreation,
) -> Response[Error | OrgAccessTokenCreated]:
    """Create an organization access token

     Creates an access token of the organization, for machines: the password of `docker
    login -u ORG` and of every v1 call that takes Basic credentials, with the
    organization's name as the username. It allows what its `resources` list and nothing
    else: each names one repository of the organization (`ORG/REPO`, which need not exist
    yet) and its scopes, `repo-pull` (read it, even while private) and `repo-push` (also
    create it and push to it); `*/*/public` with `repo-pull` names the public
    repositories, which everyone may read anyway. No organization access token deletes a
    repository or manages anything. The secret is answered in `token`, the only time it
    is shown. Owners of the organization may, and administrators, signed in with the
    account's password.

    Args:
        org_name (str):  Example: foobar.
        body (OrgAccessTokenCreation):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrgAccessTokenCreated]
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
    body: OrgAccessTokenCreation,
) -> Error | OrgAccessTokenCreated | None:
    """Create an organization access token

     Creates an access token of the organization, for machines: the password of `docker
    login -u ORG` and of every v1 call that takes Basic credentials, with the
    organization's name as the username. It allows what its `resources` list and nothing
    else: each names one repository of the organization (`ORG/REPO`, which need not exist
    yet) and its scopes, `repo-pull` (read it, even while private) and `repo-push` (also
    create it and push to it); `*/*/public` with `repo-pull` names the public
    repositories, which everyone may read anyway. No organization access token deletes a
    repository or manages anything. The secret is answered in `token`, the only time it
    is shown. Owners of the organization may, and administrators, signed in with the
    account's password.

    Args:
        org_name (str):  Example: foobar.
        body (OrgAccessTokenCreation):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrgAccessTokenCreated
    """

    return (
        await asyncio_detailed(
            org_name=org_name,
            client=client,
            body=body,
        )
    ).parsed
