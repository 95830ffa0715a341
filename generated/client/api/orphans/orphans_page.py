from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.orphan_image_page import OrphanImagePage
from ...types import UNSET, Unset
from typing import cast


def _get_kwargs(
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
        "url": "/v2/images/orphans",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | OrphanImagePage | None:
    if response.status_code == 200:
        response_200 = OrphanImagePage.from_dict(response.json())

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

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | OrphanImagePage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
) -> Response[Error | OrphanImagePage]:
    """List orphan images (administrators only)

     One page of the image ids no repository lists any more, each with when a repository
    last listed it, the longest unlisted first: the layers a v1 registry may remove. A
    repository's list only grows (pushes merge into it), so an id leaves it when the
    repository is deleted; an id listed again is no orphan. Only administrators may list
    them; `hubindex images orphans` prints them all.

    Args:
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrphanImagePage]
    """

    kwargs = _get_kwargs(
        page=page,
        page_size=page_size,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
) -> Error | OrphanImagePage | None:
    """List orphan images (administrators only)

     One page of the image ids no repository lists any more, each with when a repository
    last listed it, the longest unlisted first: the layers a v1 registry may remove. A
    repository's list only grows (pushes merge into it), so an id leaves it when the
    repository is deleted; an id listed again is no orphan. Only administrators may list
    them; `hubindex images orphans` prints them all.

    Args:
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrphanImagePage
    """

    return sync_detailed(
        client=client,
        page=page,
        page_size=page_size,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
) -> Response[Error | OrphanImagePage]:
    """List orphan images (administrators only)

     One page of the image ids no repository lists any more, each with when a repository
    last listed it, the longest unlisted first: the layers a v1 registry may remove. A
    repository's list only grows (pushes merge into it), so an id leaves it when the
    repository is deleted; an id listed again is no orphan. Only administrators may list
    them; `hubindex images orphans` prints them all.

    Args:
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrphanImagePage]
    """

    kwargs = _get_kwargs(
        page=page,
        page_size=page_size,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    page_size: int | Unset = 10,
) -> Error | OrphanImagePage | None:
    """List orphan images (administrators only)

     One page of the image ids no repository lists any more, each with when a repository
    last listed it, the longest unlisted first: the layers a v1 registry may remove. A
    repository's list only grows (pushes merge into it), so an id leaves it when the
    repository is deleted; an id listed again is no orphan. Only administrators may list
    them; `hubindex images orphans` prints them all.

    Args:
        page (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrphanImagePage
    """

    return (
        await asyncio_detailed(
            client=client,
            page=page,
            page_size=page_size,
        )
    ).parsed
