"""Errors for ids that are not in the data, with close matches for "did you mean …?"."""

from __future__ import annotations


class UnknownIdError(LookupError):
    """An id that is not in the data; `value` is what was asked, `suggestions` close matches."""

    kind = "id"

    def __init__(self, value: str, suggestions: list[str]) -> None:
        self.value = value
        self.suggestions = suggestions
        hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"Unknown {self.kind} {value!r}.{hint}")


class UnknownAccountError(UnknownIdError):
    """An account id that is not in the warehouse."""

    kind = "account"


class UnknownCustomerError(UnknownIdError):
    """A customer id that is not in the revenue data."""

    kind = "customer"


__all__ = ["UnknownAccountError", "UnknownCustomerError", "UnknownIdError"]
