from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.pages_page_listed_ordering import PagesPageListedOrdering
from ...models.repository_page import RepositoryPage
from ...types import UNSET, Unset
from typing import cast


def _get_kwargs(
    namespace: str,
    *,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
    name: str | Unset = UNSET,
    ordering: PagesPageListedOrdering | Unset = PagesPageListedOrdering.NAME,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["page"] = page

    params["page_size"] = page_size

    params["name"] = name

    json_ordering: str | Unset = UNSET
    if not isinstance(ordering, Unset):
        json_ordering = ordering.value

    params["ordering"] = json_ordering

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v2/repositories/{namespace}".format(
            namespace=quote(str(namespace), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | RepositoryPage | None:
    if response.status_code == 200:
        response_200 = RepositoryPage.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | RepositoryPage]:
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
    page: int | Unset = 1,
    page_size: int | Unset = 10,
    name: str | Unset = UNSET,
    ordering: PagesPageListedOrdering | Unset = PagesPageListedOrdering.NAME,
) -> Response[Error | RepositoryPage]:
    """List a namespace's repositories (the path older clients call)

     The same as `GET /v2/namespaces/{namespace}/repositories`.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.
        name (str | Unset):
        ordering (PagesPageListedOrdering | Unset):  Default: PagesPageListedOrdering.NAME.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RepositoryPage]
    """

    kwargs = _get_kwargs(
        namespace=namespace,
        page=page,
        page_size=page_size,
        name=name,
        ordering=ordering,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    namespace: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
    name: str | Unset = UNSET,
    ordering: PagesPageListedOrdering | Unset = PagesPageListedOrdering.NAME,
) -> Error | RepositoryPage | None:
    """List a namespace's repositories (the path older clients call)

     The same as `GET /v2/namespaces/{namespace}/repositories`.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.
        name (str | Unset):
        ordering (PagesPageListedOrdering | Unset):  Default: PagesPageListedOrdering.NAME.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RepositoryPage
    """

    return sync_detailed(
        namespace=namespace,
        client=client,
        page=page,
        page_size=page_size,
        name=name,
        ordering=ordering,
    ).parsed


async def asyncio_detailed(
    namespace: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
    name: str | Unset = UNSET,
    ordering: PagesPageListedOrdering | Unset = PagesPageListedOrdering.NAME,
) -> Response[Error | RepositoryPage]:
    """List a namespace's repositories (the path older clients call)

     The same as `GET /v2/namespaces/{namespace}/repositories`.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.
        name (str | Unset):
        ordering (PagesPageListedOrdering | Unset):  Default: PagesPageListedOrdering.NAME.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RepositoryPage]
    """

    kwargs = _get_kwargs(
        namespace=namespace,
        page=page,
        page_size=page_size,
        name=name,
        ordering=ordering,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    namespace: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
    name: str | Unset = UNSET,
    ordering: PagesPageListedOrdering | Unset = PagesPageListedOrdering.NAME,
) -> Error | RepositoryPage | None:
    """List a namespace's repositories (the path older clients call)

     The same as `GET /v2/namespaces/{namespace}/repositories`.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.
        name (str | Unset):
        ordering (PagesPageListedOrdering | Unset):  Default: PagesPageListedOrdering.NAME.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RepositoryPage
    """

    return (
        await asyncio_detailed(
            namespace=namespace,
            client=client,
            page=page,
            page_size=page_size,
            name=name,
            ordering=ordering,
        )
    ).parsed
