"""Fixtures shared with the public tests."""

from tests.public.conftest import campaign  # noqa: F401  (the running campaign fixture)
