"""`worker`: run recordings, imports and analyses handed out through a broker (Celery)."""

from __future__ import annotations

import os
import socket
import sys

from app.cli.common import EXIT_FAILED, EXIT_OK
from app.config import Settings

DEFAULT_CONCURRENCY = 4


def register(sub, common) -> None:
    p = sub.add_parser(
        "worker",
        parents=[common],
        help="run jobs from a broker: recordings, imports, analyses (Celery worker)",
        description="Take jobs from the broker and run them here, into the library given by "
        "--db (PostgreSQL when several machines share it). Jobs are JSON only; a pickled "
        "message is refused. Ctrl-C stops the running recordings cleanly, then exits.",
    )
    p.add_argument(
        "--broker",
        help="redis://:PASSWORD@HOST:6379/0 or amqp://USER:PASSWORD@HOST/ (env STREAMLENS_BROKER)",
    )
    p.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        help=f"jobs at a time (default {DEFAULT_CONCURRENCY}); recordings share one speech "
        "model and batch their decoding",
    )
    p.add_argument("--name", help="this worker's name (default: worker-PID@HOST)")
    p.set_defaults(handler=cmd_worker)


def cmd_worker(args, settings: Settings) -> int:
    from celery.signals import worker_shutting_down

    from app.distributed import runtime
    from app.distributed.celery_app import worker_app
    from app.distributed.config import QUEUE, require_broker
    from app.errors import UsageError
    from storage.urls import display_url

    url = require_broker(args.broker)
    if args.concurrency < 1:
        raise UsageError("--concurrency must be 1 or more.")
    name = args.name or f"worker-{os.getpid()}@{socket.gethostname()}"
    celery = worker_app(url)
    worker_runtime = runtime.install(settings, url, name)
    _ = worker_runtime.library  # migrated and checked before any job arrives
    worker_shutting_down.connect(lambda **_: worker_runtime.stop_all(), weak=False)
    print(
        f"Worker {name}: {args.concurrency} jobs at a time from {display_url(url)} into "
        f"{display_url(settings.db_url)}; archive in {settings.archive_dir}.",
        file=sys.stderr,
        flush=True,
    )
    worker = celery.Worker(
        hostname=name,
        pool="threads",  # one process: its sessions share the model and the decoding service
        concurrency=args.concurrency,
        queues=[QUEUE],
        loglevel="DEBUG" if args.verbose else "INFO",
        without_mingle=True,
        without_gossip=True,
        quiet=True,
    )
    worker.start()
    return EXIT_OK if not worker.exitcode else EXIT_FAILED
