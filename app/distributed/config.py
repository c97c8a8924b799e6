"""The broker and how Celery talks to it.

Delivery and failure (the settings below, and why):

- **Late acknowledgement, one at a time.** `task_acks_late`: a job's message is acknowledged
  when the job ends, not when it starts, so a worker that dies mid-recording (`kill -9`, a
  power cut) leaves it unacknowledged and the broker hands it to another worker, which
  continues the same recording (`runtime.run_recording`). `task_reject_on_worker_lost`
  does the same for a pool process that dies. `worker_prefetch_multiplier = 1`: a worker
  reserves no more jobs than it runs (`--concurrency`), so nothing waits behind a recording
  that lasts hours while another worker is idle.
- **Visibility timeout vs. job length.** Redis has no real acknowledgement: an unacknowledged
  message comes back to the queue once it is `visibility_timeout` old. A recording lasts
  longer than any sensible timeout, so instead of a timeout longer than the longest job
  (which would also leave a dead worker's job waiting that long) each running job renews its
  lease (`lease.LeaseKeeper`, every `visibility/4`): while its worker lives the message stays
  invisible; when it dies, it comes back within `visibility_timeout` plus a sweep
  (`unacked_restore_interval`). The default, 180 s, is longer than the heartbeat after which
  a recording of another host counts as interrupted (`storage.recordings.STALE_HEARTBEAT`,
  2 min), so the worker that takes the job over finds it interrupted and goes on with it.
  The sweep runs under a lock on Redis that expires on its own (`unacked_mutex_expire`,
  kombu's default 5 min): a worker killed while it held the lock would hold every sweep up
  that long (a CI run waited in vain for the jobs of a worker killed at that moment), so it
  expires after a third of the visibility timeout here.
  A redelivered job whose recording still beats (a lease lost to a network split) waits
  for it to end or die rather than recording the stream twice. RabbitMQ (amqp://) returns
  a dead worker's messages as soon as its connection drops; raise its `consumer_timeout`
  (30 min by default) above the longest recording.
- **JSON only.** `accept_content = ["json"]`: a worker refuses a pickled message (pickle runs
  code as it loads: anyone who can write to the broker could run code on the workers), and
  so does a client reading results.
"""

from __future__ import annotations

import os

from app.errors import SettingsError, UsageError
from storage.urls import hide_passwords

BROKER_ENV = "STREAMLENS_BROKER"
VISIBILITY_ENV = "STREAMLENS_BROKER_VISIBILITY_S"
DEFAULT_VISIBILITY_S = 180
QUEUE = "streamlens"
RESULT_EXPIRES_S = 7 * 24 * 3600
SCHEMES = ("redis", "rediss", "amqp", "amqps")


def broker_url(flag: str | None = None) -> str | None:
    """The broker from `--broker`, else `STREAMLENS_BROKER`; None when neither is set."""
    url = (flag or os.environ.get(BROKER_ENV) or "").strip()
    if not url:
        return None
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in SCHEMES:
        raise UsageError(
            f"The broker {hide_passwords(url)!r} is not a Redis or RabbitMQ URL "
            "(redis://:PASSWORD@HOST:6379/0 or amqp://USER:PASSWORD@HOST/)."
        )
    return url


def require_broker(flag: str | None = None) -> str:
    url = broker_url(flag)
    if url is None:
        raise UsageError(f"No broker: give --broker URL or set {BROKER_ENV}.")
    return url


def visibility_timeout_s() -> int:
    raw = os.environ.get(VISIBILITY_ENV, "").strip()
    if not raw:
        return DEFAULT_VISIBILITY_S
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 2:
        raise SettingsError(f"{VISIBILITY_ENV} must be a whole number of seconds, 2 or more.")
    return value


def is_redis(url: str) -> bool:
    return url.split("://", 1)[0].lower() in ("redis", "rediss")


def celery_settings(url: str) -> dict:
    """Celery's configuration for the broker at `url` (see the module's docstring)."""
    visibility = visibility_timeout_s()
    transport = {
        "visibility_timeout": visibility,
        # How often a worker looks for messages whose lease lapsed (a dead worker's jobs).
        "unacked_restore_interval": max(1, visibility // 6),
        "unacked_restore_throttle": 1,
        # A sweep takes milliseconds; its lock outlives a worker killed while holding it
        # only this long.
        "unacked_mutex_expire": max(2, visibility // 3),
    }
    return {
        "broker_url": url,
        # Results (a recording's id when it starts, its outcome) go back the same way.
        "result_backend": url if is_redis(url) else "rpc://",
        "broker_transport_options": transport if is_redis(url) else {},
        "result_backend_transport_options": transport if is_redis(url) else {},
        "broker_connection_retry_on_startup": True,
        "task_serializer": "json",
        "result_serializer": "json",
        "event_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_track_started": True,
        "task_default_queue": QUEUE,
        "result_expires": RESULT_EXPIRES_S,
        "result_extended": True,
        "worker_hijack_root_logger": False,  # our handlers (they hide passwords) stay
        "worker_redirect_stdouts": False,
        "worker_send_task_events": False,
    }
