"""Keeping a running job's message invisible on Redis while its worker lives.

Kombu's Redis transport keeps each unacknowledged message in a hash (`unacked`) and its
delivery time in a sorted set (`unacked_index`); a sweep puts back on the queue every
message delivered more than `visibility_timeout` ago. A job renews its lease by setting
that time to now (`ZADD … XX`: only while the entry exists, so a message already
acknowledged or restored is left alone). When the worker dies the renewals stop and the
message comes back one visibility timeout later. RabbitMQ needs none of this.
"""

from __future__ import annotations

import logging
import time

from app.distributed.config import is_redis

log = logging.getLogger(__name__)

UNACKED_INDEX_KEY = "unacked_index"  # kombu.transport.redis.Channel.unacked_index_key


class LeaseKeeper:
    def __init__(self, broker_url: str) -> None:
        self._client = None
        if is_redis(broker_url):
            import redis

            self._client = redis.Redis.from_url(broker_url, socket_timeout=10)

    def renew(self, delivery_tags: list[str]) -> None:
        """Mark these messages delivered now; a failure is logged (the next renewal retries)."""
        if self._client is None or not delivery_tags:
            return
        now = time.time()
        try:
            self._client.zadd(UNACKED_INDEX_KEY, dict.fromkeys(delivery_tags, now), xx=True)
        except Exception as exc:  # the broker may be briefly away: renew again next time
            log.warning("Could not renew the jobs' lease on the broker: %s", exc)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
