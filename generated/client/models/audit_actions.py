from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
    from ..models.audit_actions_actions import AuditActionsActions


T = TypeVar("T", bound="AuditActions")


@_attrs_define
class AuditActions:
    """
    Attributes:
        actions (AuditActionsActions): The action groups by name (`repo`, `org`, `account`).
    """

    actions: AuditActionsActions
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.audit_actions_actions import AuditActionsActions  # noqa: PLC0415

        actions = self.actions.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "actions": actions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_actions_actions import AuditActionsActions  # noqa: PLC0415

        d = dict(src_dict)
        actions = AuditActionsActions.from_dict(d.pop("actions"))

        audit_actions = cls(
            actions=actions,
        )

        audit_actions.additional_properties = d
        return audit_actions

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
