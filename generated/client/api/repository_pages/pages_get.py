from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.repository_info import RepositoryInfo
from typing import cast


def _get_kwargs(
    namespace: str,
    repository: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v2/repositories/{namespace}/{repository}".format(
            namespace=quote(str(namespace), safe=""),
            repository=quote(str(repository), safe=""),
        ),
    }

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
) -> Response[Error | RepositoryInfo]:
    """Get a repository's page (the path older clients call)

     The same as `GET /v2/namespaces/{namespace}/repositories/{repository}`.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RepositoryInfo]
    """

    kwargs = _get_kwargs(
        namespace=namespace,
        repository=repository,
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
) -> Error | RepositoryInfo | None:
    """Get a repository's page (the path older clients call)

     The same as `GET /v2/namespaces/{namespace}/repositories/{repository}`.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.

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
    ).parsed


async def asyncio_detailed(
    namespace: str,
    repository: str,
    *,
    client: AuthenticatedClient,
) -> Response[Error | RepositoryInfo]:
    """Get a repository's page (the path older clients call)

     The same as `GET /v2/namespaces/{namespace}/repositories/{repository}`.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RepositoryInfo]
    """

    kwargs = _get_kwargs(
        namespace=namespace,
        repository=repository,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    namespace: str,
    repository: str,
    *,
    client: AuthenticatedClient,
) -> Error | RepositoryInfo | None:
    """Get a repository's page (the path older clients call)

     The same as `GET /v2/namespaces/{namespace}/repositories/{repository}`.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.

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
        )
    ).parsed
