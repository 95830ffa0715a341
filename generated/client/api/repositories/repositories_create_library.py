from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.empty import Empty
from ...models.error import Error
from ...models.image_entry import ImageEntry
from ...models.repositories_create_library_x_docker_token import (
    RepositoriesCreateLibraryXDockerToken,
)
from ...types import UNSET, Unset
from typing import cast


def _get_kwargs(
    repository: str,
    *,
    body: list[ImageEntry],
    x_docker_token: RepositoriesCreateLibraryXDockerToken | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_docker_token, Unset):
        headers["X-Docker-Token"] = str(x_docker_token)

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/repositories/{repository}/".format(
            repository=quote(str(repository), safe=""),
        ),
    }

    _kwargs["json"] = []
    for componentsschemas_image_list_item_data in body:
        componentsschemas_image_list_item = componentsschemas_image_list_item_data.to_dict()
        _kwargs["json"].append(componentsschemas_image_list_item)

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Empty | Error | None:
    if response.status_code == 200:
        response_200 = Empty(response.json())

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

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Error.from_dict(response.json())

        return response_415

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
) -> Response[Empty | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    repository: str,
    *,
    client: AuthenticatedClient,
    body: list[ImageEntry],
    x_docker_token: RepositoriesCreateLibraryXDockerToken | Unset = UNSET,
) -> Response[Empty | Error]:
    """Create a library repository

     `PUT /v1/repositories/library/{repository}/`: creates a repository in the `library`
    namespace. Administrators only.

    Args:
        repository (str):  Example: bar.
        x_docker_token (RepositoriesCreateLibraryXDockerToken | Unset):
        body (list[ImageEntry]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Empty | Error]
    """

    kwargs = _get_kwargs(
        repository=repository,
        body=body,
        x_docker_token=x_docker_token,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    repository: str,
    *,
    client: AuthenticatedClient,
    body: list[ImageEntry],
    x_docker_token: RepositoriesCreateLibraryXDockerToken | Unset = UNSET,
) -> Empty | Error | None:
    """Create a library repository

     `PUT /v1/repositories/library/{repository}/`: creates a repository in the `library`
    namespace. Administrators only.

    Args:
        repository (str):  Example: bar.
        x_docker_token (RepositoriesCreateLibraryXDockerToken | Unset):
        body (list[ImageEntry]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Empty | Error
    """

    return sync_detailed(
        repository=repository,
        client=client,
        body=body,
        x_docker_token=x_docker_token,
    ).parsed


async def asyncio_detailed(
    repository: str,
    *,
    client: AuthenticatedClient,
    body: list[ImageEntry],
    x_docker_token: RepositoriesCreateLibraryXDockerToken | Unset = UNSET,
) -> Response[Empty | Error]:
    """Create a library repository

     `PUT /v1/repositories/library/{repository}/`: creates a repository in the `library`
    namespace. Administrators only.

    Args:
        repository (str):  Example: bar.
        x_docker_token (RepositoriesCreateLibraryXDockerToken | Unset):
        body (list[ImageEntry]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Empty | Error]
    """

    kwargs = _get_kwargs(
        repository=repository,
        body=body,
        x_docker_token=x_docker_token,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    repository: str,
    *,
    client: AuthenticatedClient,
    body: list[ImageEntry],
    x_docker_token: RepositoriesCreateLibraryXDockerToken | Unset = UNSET,
) -> Empty | Error | None:
    """Create a library repository

     `PUT /v1/repositories/library/{repository}/`: creates a repository in the `library`
    namespace. Administrators only.

    Args:
        repository (str):  Example: bar.
        x_docker_token (RepositoriesCreateLibraryXDockerToken | Unset):
        body (list[ImageEntry]):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Empty | Error
    """

    return (
        await asyncio_detailed(
            repository=repository,
            client=client,
            body=body,
            x_docker_token=x_docker_token,
        )
    ).parsed
