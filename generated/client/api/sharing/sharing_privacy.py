from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error import Error
from ...models.repository_privacy import RepositoryPrivacy
from ...models.repository_visibility import RepositoryVisibility
from typing import cast


def _get_kwargs(
    namespace: str,
    repository: str,
    *,
    body: RepositoryPrivacy,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/repositories/{namespace}/{repository}/privacy".format(
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
) -> Error | RepositoryVisibility | None:
    if response.status_code == 200:
        response_200 = RepositoryVisibility.from_dict(response.json())

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
) -> Response[Error | RepositoryVisibility]:
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
    body: RepositoryPrivacy,
) -> Response[Error | RepositoryVisibility]:
    """Make a repository private or public

     A private repository is read only by its owner, administrators and its collaborators;
    to anyone else it is missing (404 wherever it is asked for, and never found by
    search). Only the owner and administrators may change it (an access token: of scope
    `repo:admin`). New repositories are public unless the operator set
    `HUBINDEX_DEFAULT_PRIVACY=private`.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        body (RepositoryPrivacy):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RepositoryVisibility]
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
    body: RepositoryPrivacy,
) -> Error | RepositoryVisibility | None:
    """Make a repository private or public

     A private repository is read only by its owner, administrators and its collaborators;
    to anyone else it is missing (404 wherever it is asked for, and never found by
    search). Only the owner and administrators may change it (an access token: of scope
    `repo:admin`). New repositories are public unless the operator set
    `HUBINDEX_DEFAULT_PRIVACY=private`.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        body (RepositoryPrivacy):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RepositoryVisibility
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
    body: RepositoryPrivacy,
) -> Response[Error | RepositoryVisibility]:
    """Make a repository private or public

     A private repository is read only by its owner, administrators and its collaborators;
    to anyone else it is missing (404 wherever it is asked for, and never found by
    search). Only the owner and administrators may change it (an access token: of scope
    `repo:admin`). New repositories are public unless the operator set
    `HUBINDEX_DEFAULT_PRIVACY=private`.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        body (RepositoryPrivacy):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RepositoryVisibility]
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
    body: RepositoryPrivacy,
) -> Error | RepositoryVisibility | None:
    """Make a repository private or public

     A private repository is read only by its owner, administrators and its collaborators;
    to anyone else it is missing (404 wherever it is asked for, and never found by
    search). Only the owner and administrators may change it (an access token: of scope
    `repo:admin`). New repositories are public unless the operator set
    `HUBINDEX_DEFAULT_PRIVACY=private`.

    Args:
        namespace (str): A username, or `library`. Example: foobar.
        repository (str):  Example: bar.
        body (RepositoryPrivacy):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RepositoryVisibility
    """

    return (
        await asyncio_detailed(
            namespace=namespace,
            repository=repository,
            client=client,
            body=body,
        )
    ).parsed
