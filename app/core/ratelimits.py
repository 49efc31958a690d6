"""Rate limits per client address, counted in the ``limits`` library's storage (memory for one
process, Redis shared by every worker and server: RATELIMIT_STORAGE_URI / REDIS_URL).

Each limit is one call to the storage where the route asks for it. This replaces Flask-Limiter,
whose hooks ran on every request of the site and, on a limited route, resolved, filtered and
evaluated the route's limits and computed headers: about a fifth of a public answer's cost
(issue #13). Over a limit the visitor gets the site's 429 page (the API its JSON error) and a
Retry-After header.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from functools import lru_cache, wraps

from flask import Flask, abort, current_app, make_response, request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import STRATEGIES, RateLimiter

from app.core.errors import error_page

EXTENSION = "ratelimits"


def init_app(app: Flask) -> None:
    """One storage and strategy per app, from RATELIMIT_STORAGE_URI and RATELIMIT_STRATEGY."""
    storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    app.extensions[EXTENSION] = STRATEGIES[app.config["RATELIMIT_STRATEGY"]](storage)


@lru_cache(maxsize=64)
def _item(text: str) -> RateLimitItem:
    return parse(text)


def client_address() -> str:
    """The client's address (its X-Forwarded-For one behind TRUSTED_PROXIES: see create_app)."""
    return request.remote_addr or "127.0.0.1"


def hit(scope: str, config_key: str) -> None:
    """Count this request of the client's address against ``config[config_key]`` (e.g. "120 per
    minute") under ``scope``; over it, abort with 429 and the seconds until one is allowed again."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    limiter: RateLimiter = current_app.extensions[EXTENSION]
    item = _item(current_app.config[config_key])
    address = client_address()
    if limiter.hit(item, scope, address):
        return
    reset_at = limiter.get_window_stats(item, scope, address).reset_time
    response = make_response(error_page(429))
    response.headers["Retry-After"] = str(max(1, math.ceil(reset_at - time.time())))
    abort(response)


def limit(config_key: str, *, methods: Iterable[str] | None = None) -> Callable:
    """Decorate a view: each request (of ``methods``, default all) counts against ``config[config_key]``,
    per address and per view (two views with the same setting count apart)."""
    allowed = frozenset(methods) if methods else None

    def decorate(view: Callable) -> Callable:
        scope = f"{view.__module__}.{view.__name__}:{config_key}"

        @wraps(view)
        def limited(*args, **kwargs):
            if allowed is None or request.method in allowed:
                hit(scope, config_key)
            return view(*args, **kwargs)

        return limited

    return decorate

