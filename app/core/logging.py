"""Plain, one-line-per-event logs a sysadmin can grep."""

from __future__ import annotations

import logging

from flask import Flask, g, has_request_context, request


class RequestFormatter(logging.Formatter):
    """Adds the method, path and remote address of the current request when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        if has_request_context():
            record.req = f"{request.method} {request.path} from {request.remote_addr}"
            record.user = getattr(g, "log_user", "-")
        else:
            record.req, record.user = "-", "-"
        return super().format(record)


def configure(app: Flask) -> None:
    """Send the app's logs to stderr as: time level logger [request] [user] message."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        RequestFormatter("%(asctime)s %(levelname)s %(name)s [%(req)s] [user=%(user)s] %(message)s")
    )
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    app.logger.propagate = False
