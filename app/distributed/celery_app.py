"""The Celery apps of a process: `celery`, the workers' (its tasks are in
`app.distributed.tasks`), and one client app per broker for those that only send tasks by
name (`connect`): a Celery app keeps its connections once used, so a client that talks to
another broker needs an app of its own rather than a reconfigured one."""

from __future__ import annotations

import threading

from celery import Celery

from app.distributed.config import celery_settings

celery = Celery("streamlens", include=["app.distributed.tasks"], set_as_current=False)
_clients: dict[str, Celery] = {}
_lock = threading.Lock()


def worker_app(url: str) -> Celery:
    """The workers' app, set to take jobs from the broker at `url`."""
    celery.conf.update(celery_settings(url))
    return celery


def connect(url: str) -> Celery:
    """A client app for the broker at `url` (JSON only, results read back the same way)."""
    with _lock:
        app = _clients.get(url)
        if app is None:
            app = Celery("streamlens-client", set_as_current=False)
            app.conf.update(celery_settings(url))
            _clients[url] = app
        return app
