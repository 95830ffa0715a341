from enum import StrEnum


class EmailConfirmed(StrEnum):
    EMAIL_CONFIRMED = "Email confirmed"

    def __str__(self) -> str:
        return str(self.value)
