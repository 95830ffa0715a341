from enum import StrEnum


class UserCreated(StrEnum):
    USER_CREATED = "User Created"

    def __str__(self) -> str:
        return str(self.value)
