from enum import StrEnum


class GroupMemberType(StrEnum):
    USER = "User"

    def __str__(self) -> str:
        return str(self.value)
