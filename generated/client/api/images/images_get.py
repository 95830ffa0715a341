from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.image_record import ImageRecord
from ...models.images_get_x_docker_token import ImagesGetXDockerToken
from ...types import UNSET, Unset
from typing import cast


def _get_kwargs(
    namespace: str,
    repository: str,
    *,
    x_docker_token: ImagesGetXDockerToken | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_docker_token, Unset):
        headers["X-Docker-Token"] = str(x_docker_token)

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/repositories/{namespace}/{repository}/images".format(
            namespace=quote(str(namespace), safe=""),
            repository=quote(str(repository), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | list[ImageRecord] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for componentsschemas_image_record_list_item_data in _response_200:
            componentsschemas_image_record_list_item = ImageRecord.from_dict(
                componentsschemas_image_record_list_item_data
            )

            response_200.append(componentsschemas_image_record_list_item)

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
) -> Response[Error | list[ImageRecord]]:
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
    x_docker_token: ImagesGetXDockerToken | Unset = UNSET,
) -> Response[Error | list[ImageRecord]]:
    """List the images of a repository

     Every image recorded for the repository, with its checksum once one is known. A
    registry checks a token it was handed by calling this with `Authorization: Token ...`:
    any unexpired token for this repository is accepted. A delete token, after its
    deletion, is answered the list the repository held when it was deleted (so that the
    registry knows which layers to remove); anyone else then gets 404. With
    `X-Docker-Token: true` the answer carries a read token and the registry endpoints.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        x_docker_token (ImagesGetXDockerToken | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | list[ImageRecord]]
    """

    kwargs = _get_kwargs(
        namespace=namespace,
        repository=repository,
        x_docker_token=x_docker_token,
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
    x_docker_token: ImagesGetXDockerToken | Unset = UNSET,
) -> Error | list[ImageRecord] | None:
    """List the images of a repository

     Every image recorded for the repository, with its checksum once one is known. A
    registry checks a token it was handed by calling this with `Authorization: Token ...`:
    any unexpired token for this repository is accepted. A delete token, after its
    deletion, is answered the list the repository held when it was deleted (so that the
    registry knows which layers to remove); anyone else then gets 404. With
    `X-Docker-Token: true` the answer carries a read token and the registry endpoints.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        x_docker_token (ImagesGetXDockerToken | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | list[ImageRecord]
    """

    return sync_detailed(
        namespace=namespace,
        repository=repository,
        client=client,
        x_docker_token=x_docker_token,
    ).parsed


async def asyncio_detailed(
    namespace: str,
    repository: str,
    *,
    client: AuthenticatedClient,
    x_docker_token: ImagesGetXDockerToken | Unset = UNSET,
) -> Response[Error | list[ImageRecord]]:
    """List the images of a repository

     Every image recorded for the repository, with its checksum once one is known. A
    registry checks a token it was handed by calling this with `Authorization: Token ...`:
    any unexpired token for this repository is accepted. A delete token, after its
    deletion, is answered the list the repository held when it was deleted (so that the
    registry knows which layers to remove); anyone else then gets 404. With
    `X-Docker-Token: true` the answer carries a read token and the registry endpoints.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        x_docker_token (ImagesGetXDockerToken | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | list[ImageRecord]]
    """

    kwargs = _get_kwargs(
        namespace=namespace,
        repository=repository,
        x_docker_token=x_docker_token,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    namespace: str,
    repository: str,
    *,
    client: AuthenticatedClient,
    x_docker_token: ImagesGetXDockerToken | Unset = UNSET,
) -> Error | list[ImageRecord] | None:
    """List the images of a repository

     Every image recorded for the repository, with its checksum once one is known. A
    registry checks a token it was handed by calling this with `Authorization: Token ...`:
    any unexpired token for this repository is accepted. A delete token, after its
    deletion, is answered the list the repository held when it was deleted (so that the
    registry knows which layers to remove); anyone else then gets 404. With
    `X-Docker-Token: true` the answer carries a read token and the registry endpoints.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        x_docker_token (ImagesGetXDockerToken | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | list[ImageRecord]
    """

    return (
        await asyncio_detailed(
            namespace=namespace,
            repository=repository,
            client=client,
            x_docker_token=x_docker_token,
        )
    ).parsed
