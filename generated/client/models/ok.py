from enum import StrEnum


class Ok(StrEnum):
    OK = "OK"

    def __str__(self) -> str:
        return str(self.value)
