from enum import StrEnum


class UserExists(StrEnum):
    USERNAME_OR_EMAIL_ALREADY_EXISTS = "Username or email already exists"

    def __str__(self) -> str:
        return str(self.value)
