from enum import StrEnum


class UserProfileType(StrEnum):
    USER = "User"

    def __str__(self) -> str:
        return str(self.value)
