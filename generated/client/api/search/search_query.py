from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.search_results import SearchResults
from ...types import UNSET, Unset
from typing import cast


def _get_kwargs(
    *,
    q: str,
    n: int | Unset = 25,
    page: int | Unset = 1,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["q"] = q

    params["n"] = n

    params["page"] = page

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/search",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | SearchResults | None:
    if response.status_code == 200:
        response_200 = SearchResults.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | SearchResults]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    q: str,
    n: int | Unset = 25,
    page: int | Unset = 1,
) -> Response[Error | SearchResults]:
    """Search repositories

     Case-insensitive match of `q` (trimmed) on repository names and descriptions. Best
    matches come first (exact name, then name prefix, then substring in the name, then
    in the description only); within each, the most starred first, then the most pulled,
    then by name. A blank `q` matches every repository. Anonymous callers see public
    repositories; an account, the private repositories it may read too (not with a
    `repo:public_read` access token); an organization access token, those its resources
    list.

    A search counts at most 1,000 matches and pages through the first 1,000 in that
    order: `num_results` is exact below 1,000 and is 1,000 when at least that many match;
    a page past them is empty (200), like any page past the end.

    Args:
        q (str):
        n (int | Unset):  Default: 25.
        page (int | Unset):  Default: 1.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | SearchResults]
    """

    kwargs = _get_kwargs(
        q=q,
        n=n,
        page=page,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    q: str,
    n: int | Unset = 25,
    page: int | Unset = 1,
) -> Error | SearchResults | None:
    """Search repositories

     Case-insensitive match of `q` (trimmed) on repository names and descriptions. Best
    matches come first (exact name, then name prefix, then substring in the name, then
    in the description only); within each, the most starred first, then the most pulled,
    then by name. A blank `q` matches every repository. Anonymous callers see public
    repositories; an account, the private repositories it may read too (not with a
    `repo:public_read` access token); an organization access token, those its resources
    list.

    A search counts at most 1,000 matches and pages through the first 1,000 in that
    order: `num_results` is exact below 1,000 and is 1,000 when at least that many match;
    a page past them is empty (200), like any page past the end.

    Args:
        q (str):
        n (int | Unset):  Default: 25.
        page (int | Unset):  Default: 1.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | SearchResults
    """

    return sync_detailed(
        client=client,
        q=q,
        n=n,
        page=page,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    q: str,
    n: int | Unset = 25,
    page: int | Unset = 1,
) -> Response[Error | SearchResults]:
    """Search repositories

     Case-insensitive match of `q` (trimmed) on repository names and descriptions. Best
    matches come first (exact name, then name prefix, then substring in the name, then
    in the description only); within each, the most starred first, then the most pulled,
    then by name. A blank `q` matches every repository. Anonymous callers see public
    repositories; an account, the private repositories it may read too (not with a
    `repo:public_read` access token); an organization access token, those its resources
    list.

    A search counts at most 1,000 matches and pages through the first 1,000 in that
    order: `num_results` is exact below 1,000 and is 1,000 when at least that many match;
    a page past them is empty (200), like any page past the end.

    Args:
        q (str):
        n (int | Unset):  Default: 25.
        page (int | Unset):  Default: 1.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | SearchResults]
    """

    kwargs = _get_kwargs(
        q=q,
        n=n,
        page=page,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    q: str,
    n: int | Unset = 25,
    page: int | Unset = 1,
) -> Error | SearchResults | None:
    """Search repositories

     Case-insensitive match of `q` (trimmed) on repository names and descriptions. Best
    matches come first (exact name, then name prefix, then substring in the name, then
    in the description only); within each, the most starred first, then the most pulled,
    then by name. A blank `q` matches every repository. Anonymous callers see public
    repositories; an account, the private repositories it may read too (not with a
    `repo:public_read` access token); an organization access token, those its resources
    list.

    A search counts at most 1,000 matches and pages through the first 1,000 in that
    order: `num_results` is exact below 1,000 and is 1,000 when at least that many match;
    a page past them is empty (200), like any page past the end.

    Args:
        q (str):
        n (int | Unset):  Default: 25.
        page (int | Unset):  Default: 1.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | SearchResults
    """

    return (
        await asyncio_detailed(
            client=client,
            q=q,
            n=n,
            page=page,
        )
    ).parsed
