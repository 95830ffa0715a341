from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.repository_info import RepositoryInfo
from ...models.repository_page_change import RepositoryPageChange
from typing import cast


def _get_kwargs(
    namespace: str,
    repository: str,
    *,
    body: RepositoryPageChange,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v2/repositories/{namespace}/{repository}".format(
            namespace=quote(str(namespace), safe=""),
            repository=quote(str(repository), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | RepositoryInfo | None:
    if response.status_code == 200:
        response_200 = RepositoryInfo.from_dict(response.json())

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
    repository: str,
    *,
    client: AuthenticatedClient,
    body: RepositoryPageChange,
) -> Response[Error | RepositoryInfo]:
    """Set a repository's descriptions

     Sets the short `description` (at most 100 characters, shown by search) and the
    `full_description` (Markdown, at most 25,000 characters), either or both; a field left
    out is kept. Only the owner and administrators may (an access token: of scope
    `repo:admin`).

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        body (RepositoryPageChange):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RepositoryInfo]
    """

    kwargs = _get_kwargs(
        namespace=namespace,
        repository=repository,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    namespace: str,
    repository: str,
    *,
    client: AuthenticatedClient,
    body: RepositoryPageChange,
) -> Error | RepositoryInfo | None:
    """Set a repository's descriptions

     Sets the short `description` (at most 100 characters, shown by search) and the
    `full_description` (Markdown, at most 25,000 characters), either or both; a field left
    out is kept. Only the owner and administrators may (an access token: of scope
    `repo:admin`).

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        body (RepositoryPageChange):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RepositoryInfo
    """

    return sync_detailed(
        namespace=namespace,
        repository=repository,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    namespace: str,
    repository: str,
    *,
    client: AuthenticatedClient,
    body: RepositoryPageChange,
) -> Response[Error | RepositoryInfo]:
    """Set a repository's descriptions

     Sets the short `description` (at most 100 characters, shown by search) and the
    `full_description` (Markdown, at most 25,000 characters), either or both; a field left
    out is kept. Only the owner and administrators may (an access token: of scope
    `repo:admin`).

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        body (RepositoryPageChange):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RepositoryInfo]
    """

    kwargs = _get_kwargs(
        namespace=namespace,
        repository=repository,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    namespace: str,
    repository: str,
    *,
    client: AuthenticatedClient,
    body: RepositoryPageChange,
) -> Error | RepositoryInfo | None:
    """Set a repository's descriptions

     Sets the short `description` (at most 100 characters, shown by search) and the
    `full_description` (Markdown, at most 25,000 characters), either or both; a field left
    out is kept. Only the owner and administrators may (an access token: of scope
    `repo:admin`).

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        body (RepositoryPageChange):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RepositoryInfo
    """

    return (
        await asyncio_detailed(
            namespace=namespace,
            repository=repository,
            client=client,
            body=body,
        )
    ).parsed
