"""The base of domain errors. Pure Python."""

from __future__ import annotations


class CodedError(Exception):
    """A refused request whose ``code`` names the reason; views and commands turn codes into messages."""

    def __init__(self, code: str, **params) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
