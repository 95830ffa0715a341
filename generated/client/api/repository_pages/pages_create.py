from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.repository_creation import RepositoryCreation
from ...models.repository_info import RepositoryInfo
from typing import cast


def _get_kwargs(
    namespace: str,
    *,
    body: RepositoryCreation,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/namespaces/{namespace}/repositories".format(
            namespace=quote(str(namespace), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | RepositoryInfo | None:
    if response.status_code == 201:
        response_201 = RepositoryInfo.from_dict(response.json())

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
) -> Response[Error | RepositoryInfo]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    namespace: str,
    *,
    client: AuthenticatedClient,
    body: RepositoryCreation,
) -> Response[Error | RepositoryInfo]:
    """Create a repository

     Creates an empty repository in the namespace, with its descriptions and privacy
    (`is_private` left out: the operator's default). Those who may push to the namespace
    may: its owner, administrators, an organization's owners and editors (an access token
    needs scope `repo:write`); the path names the namespace. A repository of that name
    already: 409.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        body (RepositoryCreation): The path names the namespace; a `namespace` here, as Hub's
            clients send, is ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RepositoryInfo]
    """

    kwargs = _get_kwargs(
        namespace=namespace,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    namespace: str,
    *,
    client: AuthenticatedClient,
    body: RepositoryCreation,
) -> Error | RepositoryInfo | None:
    """Create a repository

     Creates an empty repository in the namespace, with its descriptions and privacy
    (`is_private` left out: the operator's default). Those who may push to the namespace
    may: its owner, administrators, an organization's owners and editors (an access token
    needs scope `repo:write`); the path names the namespace. A repository of that name
    already: 409.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        body (RepositoryCreation): The path names the namespace; a `namespace` here, as Hub's
            clients send, is ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RepositoryInfo
    """

    return sync_detailed(
        namespace=namespace,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    namespace: str,
    *,
    client: AuthenticatedClient,
    body: RepositoryCreation,
) -> Response[Error | RepositoryInfo]:
    """Create a repository

     Creates an empty repository in the namespace, with its descriptions and privacy
    (`is_private` left out: the operator's default). Those who may push to the namespace
    may: its owner, administrators, an organization's owners and editors (an access token
    needs scope `repo:write`); the path names the namespace. A repository of that name
    already: 409.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        body (RepositoryCreation): The path names the namespace; a `namespace` here, as Hub's
            clients send, is ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RepositoryInfo]
    """

    kwargs = _get_kwargs(
        namespace=namespace,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    namespace: str,
    *,
    client: AuthenticatedClient,
    body: RepositoryCreation,
) -> Error | RepositoryInfo | None:
    """Create a repository

     Creates an empty repository in the namespace, with its descriptions and privacy
    (`is_private` left out: the operator's default). Those who may push to the namespace
    may: its owner, administrators, an organization's owners and editors (an access token
    needs scope `repo:write`); the path names the namespace. A repository of that name
    already: 409.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        body (RepositoryCreation): The path names the namespace; a `namespace` here, as Hub's
            clients send, is ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RepositoryInfo
    """

    return (
        await asyncio_detailed(
            namespace=namespace,
            client=client,
            body=body,
        )
    ).parsed
