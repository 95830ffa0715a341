from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
from uuid import UUID
import datetime

if TYPE_CHECKING:
    from ..models.org_access_token_resource import OrgAccessTokenResource


T = TypeVar("T", bound="OrgAccessTokenCreated")


@_attrs_define
class OrgAccessTokenCreated:
    """An organization access token as created, with its secret.

    Attributes:
        id (UUID):
        label (str):
        description (str):
        created_by (str):
        is_active (bool):
        created_at (datetime.datetime):
        expires_at (datetime.datetime | None):
        last_used_at (datetime.datetime | None):
        resources (list[OrgAccessTokenResource]):
        token (str): The secret, shown this once.
    """

    id: UUID
    label: str
    description: str
    created_by: str
    is_active: bool
    created_at: datetime.datetime
    expires_at: datetime.datetime | None
    last_used_at: datetime.datetime | None
    resources: list[OrgAccessTokenResource]
    token: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.org_access_token_resource import OrgAccessTokenResource  # noqa: PLC0415

        id = str(self.id)

        label = self.label

        description = self.description

        created_by = self.created_by

        is_active = self.is_active

        created_at = self.created_at.isoformat()

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        last_used_at: None | str
        if isinstance(self.last_used_at, datetime.datetime):
            last_used_at = self.last_used_at.isoformat()
        else:
            last_used_at = self.last_used_at

        resources = []
        for resources_item_data in self.resources:
            resources_item = resources_item_data.to_dict()
            resources.append(resources_item)

        token = self.token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "label": label,
                "description": description,
                "created_by": created_by,
                "is_active": is_active,
                "created_at": created_at,
                "expires_at": expires_at,
                "last_used_at": last_used_at,
                "resources": resources,
                "token": token,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.org_access_token_resource import OrgAccessTokenResource  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        label = d.pop("label")

        description = d.pop("description")

        created_by = d.pop("created_by")

        is_active = d.pop("is_active")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        expires_at = _parse_expires_at(d.pop("expires_at"))

        def _parse_last_used_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_used_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_used_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_used_at = _parse_last_used_at(d.pop("last_used_at"))

        resources = []
        _resources = d.pop("resources")
        for resources_item_data in _resources:
            resources_item = OrgAccessTokenResource.from_dict(resources_item_data)

            resources.append(resources_item)

        token = d.pop("token")

        org_access_token_created = cls(
            id=id,
            label=label,
            description=description,
            created_by=created_by,
            is_active=is_active,
            created_at=created_at,
            expires_at=expires_at,
            last_used_at=last_used_at,
            resources=resources,
            token=token,
        )

        org_access_token_created.additional_properties = d
        return org_access_token_created

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
