from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.collaborator_page import CollaboratorPage
from ...models.error import Error
from ...types import UNSET, Unset
from typing import cast


def _get_kwargs(
    namespace: str,
    repository: str,
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
        "url": "/v2/repositories/{namespace}/{repository}/collaborators".format(
            namespace=quote(str(namespace), safe=""),
            repository=quote(str(repository), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CollaboratorPage | Error | None:
    if response.status_code == 200:
        response_200 = CollaboratorPage.from_dict(response.json())

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
) -> Response[CollaboratorPage | Error]:
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
    page: int | Unset = 1,
    page_size: int | Unset = 10,
) -> Response[CollaboratorPage | Error]:
    """List a repository's collaborators

     One page of the accounts that collaborate on the repository, by username. `count`
    counts them all; `next` and `previous` are the paths of the neighbouring pages, null
    at either end. Only the owner and administrators may list them.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CollaboratorPage | Error]
    """

    kwargs = _get_kwargs(
        namespace=namespace,
        repository=repository,
        page=page,
        page_size=page_size,
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
    page: int | Unset = 1,
    page_size: int | Unset = 10,
) -> CollaboratorPage | Error | None:
    """List a repository's collaborators

     One page of the accounts that collaborate on the repository, by username. `count`
    counts them all; `next` and `previous` are the paths of the neighbouring pages, null
    at either end. Only the owner and administrators may list them.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CollaboratorPage | Error
    """

    return sync_detailed(
        namespace=namespace,
        repository=repository,
        client=client,
        page=page,
        page_size=page_size,
    ).parsed


async def asyncio_detailed(
    namespace: str,
    repository: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
) -> Response[CollaboratorPage | Error]:
    """List a repository's collaborators

     One page of the accounts that collaborate on the repository, by username. `count`
    counts them all; `next` and `previous` are the paths of the neighbouring pages, null
    at either end. Only the owner and administrators may list them.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CollaboratorPage | Error]
    """

    kwargs = _get_kwargs(
        namespace=namespace,
        repository=repository,
        page=page,
        page_size=page_size,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    namespace: str,
    repository: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
) -> CollaboratorPage | Error | None:
    """List a repository's collaborators

     One page of the accounts that collaborate on the repository, by username. `count`
    counts them all; `next` and `previous` are the paths of the neighbouring pages, null
    at either end. Only the owner and administrators may list them.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CollaboratorPage | Error
    """

    return (
        await asyncio_detailed(
            namespace=namespace,
            repository=repository,
            client=client,
            page=page,
            page_size=page_size,
        )
    ).parsed
