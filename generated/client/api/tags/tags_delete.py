from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from typing import cast


def _get_kwargs(
    namespace: str,
    repository: str,
    tag: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/v2/repositories/{namespace}/{repository}/tags/{tag}".format(
            namespace=quote(str(namespace), safe=""),
            repository=quote(str(repository), safe=""),
            tag=quote(str(tag), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Error | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

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
) -> Response[Any | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    namespace: str,
    repository: str,
    tag: str,
    *,
    client: AuthenticatedClient,
) -> Response[Any | Error]:
    """Delete a repository's tag

     Forgets the tag. The image it named stays in the repository's image list (another tag,
    or a pull by id, may need it): only deleting the repository takes ids out of the list.
    Deleting is Docker Hub's delete permission: the repository's owner, administrators,
    and those granted `admin` on it (an organization's owners and editors, a team with
    `admin`), not collaborators or teams with `write`; a signed token got with an access
    token needs scope `repo:admin`.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        tag (str): A tag, as Docker names them. Example: latest.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        namespace=namespace,
        repository=repository,
        tag=tag,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    namespace: str,
    repository: str,
    tag: str,
    *,
    client: AuthenticatedClient,
) -> Any | Error | None:
    """Delete a repository's tag

     Forgets the tag. The image it named stays in the repository's image list (another tag,
    or a pull by id, may need it): only deleting the repository takes ids out of the list.
    Deleting is Docker Hub's delete permission: the repository's owner, administrators,
    and those granted `admin` on it (an organization's owners and editors, a team with
    `admin`), not collaborators or teams with `write`; a signed token got with an access
    token needs scope `repo:admin`.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        tag (str): A tag, as Docker names them. Example: latest.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return sync_detailed(
        namespace=namespace,
        repository=repository,
        tag=tag,
        client=client,
    ).parsed


async def asyncio_detailed(
    namespace: str,
    repository: str,
    tag: str,
    *,
    client: AuthenticatedClient,
) -> Response[Any | Error]:
    """Delete a repository's tag

     Forgets the tag. The image it named stays in the repository's image list (another tag,
    or a pull by id, may need it): only deleting the repository takes ids out of the list.
    Deleting is Docker Hub's delete permission: the repository's owner, administrators,
    and those granted `admin` on it (an organization's owners and editors, a team with
    `admin`), not collaborators or teams with `write`; a signed token got with an access
    token needs scope `repo:admin`.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        tag (str): A tag, as Docker names them. Example: latest.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        namespace=namespace,
        repository=repository,
        tag=tag,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    namespace: str,
    repository: str,
    tag: str,
    *,
    client: AuthenticatedClient,
) -> Any | Error | None:
    """Delete a repository's tag

     Forgets the tag. The image it named stays in the repository's image list (another tag,
    or a pull by id, may need it): only deleting the repository takes ids out of the list.
    Deleting is Docker Hub's delete permission: the repository's owner, administrators,
    and those granted `admin` on it (an organization's owners and editors, a team with
    `admin`), not collaborators or teams with `write`; a signed token got with an access
    token needs scope `repo:admin`.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        tag (str): A tag, as Docker names them. Example: latest.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return (
        await asyncio_detailed(
            namespace=namespace,
            repository=repository,
            tag=tag,
            client=client,
        )
    ).parsed
