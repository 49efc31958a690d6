"""Rate limits that hold across workers and servers: gunicorn processes sharing a real Redis."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack

import pytest

from tests.servers import gunicorn, redis_server

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _post_logins(bases: list[str], count: int) -> list[int]:
    """Failed sign-ins from one address, sent to each server in turn (one browser session: cookies know no port)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    token = CSRF.search(opener.open(f"{bases[0]}/login").read().decode()).group(1)
    codes = []
    for n in range(count):
        base = bases[n % len(bases)]
        body = urllib.parse.urlencode({"username": f"nobody{n}", "password": "wrong-password-x",
                                       "csrf_token": token}).encode()
        try:
            codes.append(opener.open(f"{base}/login", data=body).status)
        except urllib.error.HTTPError as error:
            codes.append(error.code)
    return codes


def test_thirty_sign_ins_from_one_address_across_four_workers_let_exactly_the_limit_through(app, database_url, tmp_path):
    # `app` empties the tables afterwards: the servers' failed sign-ins would throttle 127.0.0.1 in later tests
    with redis_server(tmp_path) as redis_url, gunicorn({
        "DATABASE_URL": database_url, "SECRET_KEY": "shared-by-all-workers", "REDIS_URL": redis_url,
        "FLASK_LOGIN_RATE_LIMIT": "10 per minute", "FLASK_PASSWORD_HASH_TIME_COST": "1",
        "FLASK_PASSWORD_HASH_MEMORY_KIB": "1024",
    }, tmp_path, workers=4) as base:
        codes = _post_logins([base], 30)
    assert codes.count(401) == 10 and codes.count(429) == 20, codes


@pytest.mark.parametrize(("storage", "let_through"), [("redis", 10), ("memory://", 20)])
def test_two_app_servers_share_the_sign_in_limit_only_through_redis(app, database_url, tmp_path, storage, let_through):
    # two servers behind one load balancer: with Redis the limit is the bank's; in memory, each server's own
    with ExitStack() as stack:
        uri = stack.enter_context(redis_server(tmp_path)) if storage == "redis" else storage
        env = {"DATABASE_URL": database_url, "SECRET_KEY": "shared-by-all-servers", "RATELIMIT_STORAGE_URI": uri,
               "FLASK_LOGIN_RATE_LIMIT": "10 per minute", "FLASK_PASSWORD_HASH_TIME_COST": "1",
               "FLASK_PASSWORD_HASH_MEMORY_KIB": "1024"}
        servers = []
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            servers.append(stack.enter_context(gunicorn(env, tmp_path / name, workers=1)))
        codes = _post_logins(servers, 30)
    assert codes.count(401) == let_through and codes.count(429) == 30 - let_through, codes
