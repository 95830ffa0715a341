from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset


T = TypeVar("T", bound="Readiness")


@_attrs_define
class Readiness:
    """Whether the index can serve, and what of it cannot.

    Attributes:
        ready (bool):
        database (str): `ok`, or `unreachable` (why it does not answer goes to the server's log, not to
            whoever asks).
        migrations (str): `ok`, `unknown` (no database), or what is pending.
    """

    ready: bool
    database: str
    migrations: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ready = self.ready

        database = self.database

        migrations = self.migrations

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ready": ready,
                "database": database,
                "migrations": migrations,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        ready = d.pop("ready")

        database = d.pop("database")

        migrations = d.pop("migrations")

        readiness = cls(
            ready=ready,
            database=database,
            migrations=migrations,
        )

        readiness.additional_properties = d
        return readiness

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
