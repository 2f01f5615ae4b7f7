"""Structured JSON logs with a request id on every line written while a request is handled."""

import contextvars
import json
import logging
import re
import time
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        payload = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "")
        if request_id:
            payload["request_id"] = request_id
        for key in ("method", "path", "status", "duration_ms", "user_id"):
            if hasattr(record, key):
                payload[key] = getattr(record, key)
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


class RequestIdMiddleware:
    """Takes X-Request-ID from the proxy (when well-formed) or makes one; echoes it; logs one line a request."""

    logger = logging.getLogger("tcms.request")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        request.request_id = request_id
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response.headers["X-Request-ID"] = request_id
            user = getattr(request, "user", None)
            self.logger.info(
                "%s %s %s", request.method, request.path, response.status_code,
                extra={"request_id": request_id, "method": request.method, "path": request.path,
                       "status": response.status_code,
                       "duration_ms": round((time.monotonic() - started) * 1000, 1),
                       "user_id": getattr(user, "pk", None)},
            )
            return response
        finally:
            request_id_var.reset(token)
