from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.dedicated_detokenization_body import DedicatedDetokenizationBody
from ...models.dedicated_detokenization_success import DedicatedDetokenizationSuccess
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: DedicatedDetokenizationBody,
    x_friendli_team: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_friendli_team, Unset):
        headers["X-Friendli-Team"] = x_friendli_team

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/dedicated/v1/detokenize",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | DedicatedDetokenizationSuccess | None:
    if response.status_code == 200:
        response_200 = DedicatedDetokenizationSuccess.from_dict(response.json())

        return response_200

    if response.status_code == 422:
        response_422 = cast(Any, None)
        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | DedicatedDetokenizationSuccess]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: DedicatedDetokenizationBody,
    x_friendli_team: None | str | Unset = UNSET,
) -> Response[Any | DedicatedDetokenizationSuccess]:
    """
    Args:
        x_friendli_team (None | str | Unset):
        body (DedicatedDetokenizationBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | DedicatedDetokenizationSuccess]
    """

    kwargs = _get_kwargs(
        body=body,
        x_friendli_team=x_friendli_team,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: DedicatedDetokenizationBody,
    x_friendli_team: None | str | Unset = UNSET,
) -> Any | DedicatedDetokenizationSuccess | None:
    """
    Args:
        x_friendli_team (None | str | Unset):
        body (DedicatedDetokenizationBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | DedicatedDetokenizationSuccess
    """

    return sync_detailed(
        client=client,
        body=body,
        x_friendli_team=x_friendli_team,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: DedicatedDetokenizationBody,
    x_friendli_team: None | str | Unset = UNSET,
) -> Response[Any | DedicatedDetokenizationSuccess]:
    """
    Args:
        x_friendli_team (None | str | Unset):
        body (DedicatedDetokenizationBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | DedicatedDetokenizationSuccess]
    """

    kwargs = _get_kwargs(
        body=body,
        x_friendli_team=x_friendli_team,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: DedicatedDetokenizationBody,
    x_friendli_team: None | str | Unset = UNSET,
) -> Any | DedicatedDetokenizationSuccess | None:
    """
    Args:
        x_friendli_team (None | str | Unset):
        body (DedicatedDetokenizationBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | DedicatedDetokenizationSuccess
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            x_friendli_team=x_friendli_team,
        )
    ).parsed
