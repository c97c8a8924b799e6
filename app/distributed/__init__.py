"""Past one machine: Celery workers run the same jobs the desktop runs (recordings, imports,
analyses) against a shared library (PostgreSQL) and a shared data folder.

- `config`: the broker URL and the Celery settings (JSON only, late acknowledgement).
- `celery_app`: the one Celery app; `tasks`: what a worker runs; `runtime`: the worker
  process's library, running sessions and stop requests; `lease`: keeps a running job's
  message from being handed to another worker.
- `jobs`: jobs as plain JSON data; `dispatch`: the client side (`record --queue`, the
  scheduler, `import --queue`).
"""
