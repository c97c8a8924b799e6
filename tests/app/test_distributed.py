"""Celery workers: configuration, jobs as JSON, leases, dispatch, and refusing pickles.

Real Redis on 127.0.0.1 (tests/fixtures/redis.py) and real `python main.py worker`
processes; nothing of Celery is mocked."""

from __future__ import annotations

import json
import pickle
import time
from pathlib import Path

import pytest

from app.distributed import jobs
from app.distributed.config import (
    BROKER_ENV,
    QUEUE,
    VISIBILITY_ENV,
    broker_url,
    celery_settings,
    require_broker,
)
from app.distributed.lease import UNACKED_INDEX_KEY, LeaseKeeper
from app.errors import SettingsError, UsageError
from app.importer import ImportItem
from app.session import RecordingJob
from storage import Library
from tests.fixtures import redis as redis_fixture
from tests.fixtures.redis_workers import Worker, wait_until_listening, worker_env

redis_server = pytest.fixture(scope="module")(redis_fixture.redis_server_fixture)


# --- configuration -----------------------------------------------------------------------


def test_workers_accept_json_only_and_acknowledge_late(monkeypatch):
    monkeypatch.delenv(VISIBILITY_ENV, raising=False)
    conf = celery_settings("redis://:secret@10.0.0.5:6379/0")
    assert conf["accept_content"] == ["json"] and conf["result_accept_content"] == ["json"]
    assert conf["task_serializer"] == conf["result_serializer"] == "json"
    assert conf["task_acks_late"] and conf["task_reject_on_worker_lost"]
    assert conf["worker_prefetch_multiplier"] == 1
    # Longer than the heartbeat after which another host's recording counts as interrupted.
    transport = conf["broker_transport_options"]
    assert transport["visibility_timeout"] >= 120
    # The sweep's lock, left by a worker killed while holding it, holds the sweeps up for
    # less than a visibility timeout (kombu's own default is 300 s).
    assert transport["unacked_mutex_expire"] < transport["visibility_timeout"]
    assert celery_settings("amqp://u:p@host//")["result_backend"] == "rpc://"


def test_the_broker_comes_from_the_flag_or_the_environment(monkeypatch):
    monkeypatch.delenv(BROKER_ENV, raising=False)
    assert broker_url(None) is None
    with pytest.raises(UsageError, match="--broker"):
        require_broker(None)
    monkeypatch.setenv(BROKER_ENV, "redis://:pw@127.0.0.1:6379/0")
    assert broker_url(None) == "redis://:pw@127.0.0.1:6379/0"
    assert broker_url("amqp://u:p@h//") == "amqp://u:p@h//"
    with pytest.raises(UsageError) as bad:
        broker_url("http://user:hunter2@example.org/")
    assert "hunter2" not in str(bad.value)
    monkeypatch.setenv(VISIBILITY_ENV, "soon")
    with pytest.raises(SettingsError):
        celery_settings("redis://127.0.0.1")


def test_jobs_travel_as_json_and_come_back_equal():
    job = RecordingJob(url="https://example.org/live", mode="monitor", duration_s=90.0, name="x")
    assert jobs.recording_job_from_json(json.loads(json.dumps(jobs.recording_job_to_json(job))))
    assert jobs.recording_job_from_json(jobs.recording_job_to_json(job)) == job
    item = ImportItem("/shared/a.mp3", "media", Path("/shared/a.srt"), (Path("/shared/a.csv"),))
    data = json.loads(json.dumps(jobs.import_item_to_json(item)))
    assert jobs.import_item_from_json(data) == item


# --- on a real broker --------------------------------------------------------------------


def test_a_running_job_renews_its_lease_and_a_finished_one_stays_gone(redis_server):
    import redis

    client = redis.Redis.from_url(redis_server.url(1))
    client.zadd(UNACKED_INDEX_KEY, {"running-tag": 1.0})
    keeper = LeaseKeeper(redis_server.url(1))
    keeper.renew(["running-tag", "acknowledged-tag"])
    assert client.zscore(UNACKED_INDEX_KEY, "running-tag") > time.time() - 5
    assert client.zscore(UNACKED_INDEX_KEY, "acknowledged-tag") is None  # not brought back
    keeper.close()
    client.flushdb()


def test_queued_recordings_are_json_messages_on_the_broker(redis_server, monkeypatch):
    import redis

    from app.distributed.dispatch import queue_recordings

    url = redis_server.url(2)
    queued = queue_recordings(url, [RecordingJob(url="http://127.0.0.1:9/a.mp3", mode="monitor")])
    [raw] = redis.Redis.from_url(url).lrange(QUEUE, 0, -1)
    message = json.loads(raw)
    assert message["content-type"] == "application/json"
    assert message["headers"]["task"] == jobs.RECORD_TASK
    assert message["headers"]["id"] == queued[0].task_id
    redis.Redis.from_url(url).flushdb()


def test_stop_requests_reach_the_recordings_they_name(library_url):
    library = Library(library_url)
    first = library.recordings.create(url="http://a", mode="live", task_id="t-1", worker="w1")
    second = library.recordings.create(url="http://b", mode="live")
    library.recordings.request_stop(first.id)
    assert library.recordings.stop_requested([first.id, second.id]) == {first.id}
    assert library.recordings.find_by_task_id("t-1").worker == "w1"
    library.recordings.finish(first.id, "interrupted", "The recording process stopped.")
    again = library.recordings.reopen(first.id, worker="w2")
    assert (again.status, again.worker, again.error) == ("recording", "w2", None)
    library.close()


@pytest.fixture(scope="module")
def worker(redis_server, tmp_path_factory):
    """One `python main.py worker` on broker database 3, its library on SQLite."""
    folder = tmp_path_factory.mktemp("worker")
    url = redis_server.url(3)
    env = worker_env(url, f"sqlite:///{folder / 'library.db'}", folder, folder / "cache")
    process = Worker(env, "test-worker@localhost", folder / "worker.log", concurrency=2)
    process.env, process.url, process.folder = env, url, folder
    try:
        wait_until_listening(url, [process])
        yield process
    finally:
        process.stop()


def test_a_worker_refuses_a_pickled_task_without_running_it(worker, tmp_path):
    """A broker someone else can write to must not run code on the workers: the pickle
    below would create `marker` as it is loaded; the worker refuses to load it, drops the
    message, and goes on with the next (JSON) one."""
    from kombu import Connection, Queue

    from app.distributed.celery_app import connect

    url = worker.url
    marker = tmp_path / "marker"

    class Payload:
        def __reduce__(self):
            return (Path.touch, (marker,))

    body = pickle.dumps(((Payload(),), {}, {"callbacks": None, "errbacks": None}))
    with Connection(url) as conn:
        conn.Producer().publish(
            body,
            routing_key=QUEUE,
            declare=[Queue(QUEUE)],
            content_type="application/x-python-serialize",
            content_encoding="binary",
            headers={"task": jobs.PING_TASK, "id": "pickled-1", "lang": "py"},
        )
    # The next message is taken only after the pickled one was dealt with.
    answer = connect(url).send_task(jobs.PING_TASK, queue=QUEUE).get(timeout=60)
    assert answer == "test-worker@localhost"
    assert not marker.exists()
    import redis

    client = redis.Redis.from_url(url)
    assert client.llen(QUEUE) == 0 and client.hlen("unacked") == 0  # dropped, not retried
    log = worker.output()
    assert "ContentDisallowed" in log or "disallowed" in log.lower(), log[-3000:]
    assert redis_fixture.PASSWORD not in log


def radio_transcripts(folder: str, count: int) -> list[Path]:
    """`count` transcripts in WavePulse's JSON shape (one a day of a station's news), twelve
    segments each, written here: the data in ../shared is not in every checkout."""
    import json

    from tests.app.helpers import DAY_TOPICS

    out = []
    for day in range(count):
        stories = DAY_TOPICS[day].split("; ") * 4
        segments = [
            {"text": f" In local news, {story}.", "start": i * 6.0, "end": i * 6.0 + 5.5,
             "speaker": "SPEAKER_00"}
            for i, story in enumerate(stories)
        ]  # fmt: skip
        path = Path(folder) / f"AK_KSRM_2024_07_{11 + day:02d}_08_00.json"
        path.write_text(json.dumps(segments), encoding="utf-8")
        out.append(path)
    return out


def test_import_fans_items_out_to_the_workers(worker):
    """`import --queue`: each transcript a job; the worker imports it into the library."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    files = radio_transcripts(worker.env["STREAMLENS_DATA_DIR"], 3)
    run = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "import", *map(str, files), "--queue",
         "--no-analysis"],
        cwd=ROOT, env=worker.env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("imported") == 3, run.stdout
    library = Library(worker.env["STREAMLENS_DB"])
    recordings = library.recordings.list()
    assert len(recordings) == 3 and all(r.segment_count > 10 for r in recordings)
    library.close()


def test_the_scheduler_hands_a_due_recording_to_the_workers(redis_server, workdir):
    """With a broker, a due schedule becomes a job on the queue (with its schedule links)
    and a run `started`, `handed to the workers`; nothing records in the scheduler."""
    import threading
    from datetime import UTC, datetime, timedelta

    import redis

    from app.config import load_settings
    from app.scheduler import RecordingScheduler
    from app.schedules import once
    from tests.app.helpers import open_library

    url = redis_server.url(4)
    settings = load_settings(db=str(workdir / "library.db"), data_dir=str(workdir / "data"))
    library = open_library(workdir)
    scheduler = RecordingScheduler(settings, library, broker=url)
    start = (datetime.now(UTC) - timedelta(seconds=1)).isoformat(timespec="seconds")
    spec = once("http://127.0.0.1:9/radio.mp3", start, 60, timezone="UTC")
    runner = threading.Thread(target=scheduler.execute, args=(spec,))
    runner.start()
    client = redis.Redis.from_url(url)
    try:
        deadline = time.monotonic() + 20
        while client.llen(QUEUE) == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        [raw] = client.lrange(QUEUE, 0, -1)
    finally:
        scheduler.shutdown()  # stops following; the job stays queued for the workers
        runner.join(10)
    message = json.loads(raw)
    assert message["content-type"] == "application/json"
    import base64

    args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
    assert args[0]["url"] == spec.url and 55 <= args[0]["duration_s"] <= 60
    assert kwargs["recording_options"]["schedule_id"] == spec.id
    [run] = library.schedule_runs.list()
    assert run.status == "started" and run.detail == "handed to the workers"
    assert library.recordings.list() == []
    client.flushdb()


def test_an_unreachable_broker_is_an_error_in_words_without_its_password(run_cli):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run_cli(
        "record", "http://127.0.0.1:9/radio.mp3", "--queue",
        "--broker", f"redis://:hunter2-secret@127.0.0.1:{port}/0",
    )  # fmt: skip
    assert result.returncode == 1
    assert "error: Cannot reach the broker redis://:***@127.0.0.1" in result.stderr
    assert "hunter2" not in result.stdout + result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow  # loads the punctuation, summary and entity models (~20 s)
def test_a_worker_runs_an_analysis_job(worker):
    """`analyse ID --queue`: a worker makes the summaries, keywords and entities of a
    stored transcript, and the command prints what it did."""
    import re
    import subprocess
    import sys

    from tests.conftest import ROOT

    files = radio_transcripts(worker.env["STREAMLENS_DATA_DIR"], 1)
    run = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "import", str(files[0]), "--no-analysis"],
        cwd=ROOT, env=worker.env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    recording_id = int(re.search(r"#(\d+)", run.stdout)[1])  # imported now, or before
    run = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "analyse", str(recording_id), "--queue"],
        cwd=ROOT, env=worker.env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"#{recording_id}: "), run.stdout
    assert "summaries" in run.stdout and "keywords and entities" in run.stdout
    library = Library(worker.env["STREAMLENS_DB"])
    assert library.summaries.for_recording(recording_id)
    library.close()


@pytest.mark.slow
def test_a_worker_stopped_with_sigterm_closes_its_recording_complete(
    redis_server, icecast, tmp_path
):
    """Celery's warm shutdown: the worker's recording ends as Ctrl-C on `record` ends one,
    complete with its text, and its job is acknowledged, not handed to another worker."""
    import signal
    import subprocess
    import sys

    import redis

    from tests.conftest import ROOT

    url = redis_server.url(6)
    env = worker_env(url, f"sqlite:///{tmp_path / 'library.db'}", tmp_path, tmp_path / "cache")
    env["STREAMLENS_SPEAKERS"] = "off"
    process = Worker(env, "stopping@localhost", tmp_path / "worker.log", concurrency=1)
    library = Library(env["STREAMLENS_DB"])
    try:
        wait_until_listening(url, [process])
        queued = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "record", icecast.url, "--queue",
             "--no-wait", "--mode", "monitor", "--duration", "120"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert queued.returncode == 0, queued.stderr

        def heard() -> bool:
            return any(
                "welcome" in s.text.lower()
                for r in library.recordings.list()
                for s in library.segments.for_recording(r.id)
            )

        deadline = time.monotonic() + 90
        while not heard():
            assert time.monotonic() < deadline, process.output()
            time.sleep(0.5)
        process.proc.send_signal(signal.SIGTERM)
        assert process.proc.wait(60) == 0, process.output()
        [recording] = library.recordings.list()
        assert recording.status == "complete", recording.error
        assert recording.duration_s < 100  # stopped, not run to its end
        assert "welcome" in " ".join(
            s.text.lower() for s in library.segments.for_recording(recording.id)
        )
        broker = redis.Redis.from_url(url)
        assert broker.llen(QUEUE) == 0 and broker.hlen("unacked") == 0  # not handed on
        broker.close()
    finally:
        process.stop()
        library.close()
