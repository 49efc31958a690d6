"""The campaign admin tests use the public site's running campaign."""

from tests.public.conftest import campaign  # noqa: F401  (a fixture, shared)
