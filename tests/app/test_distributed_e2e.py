"""End to end on real servers: two `python main.py worker` processes, a Redis broker and a
PostgreSQL library of the tests' own, four loopback streams handed out by
`record --queue`. One worker is killed (`kill -9`) while it records; its recordings are
marked interrupted, go back to the queue, and the other worker continues each on the same
timeline: nothing committed is lost and the words spoken after the gap are there."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from storage import Library
from tests.conftest import ROOT, normalise, wer
from tests.fixtures import postgres, servers, speech
from tests.fixtures import redis as redis_fixture
from tests.fixtures.redis_workers import Worker, wait_until_listening, worker_env

pytestmark = pytest.mark.slow

redis_server = pytest.fixture(scope="module")(redis_fixture.redis_server_fixture)

BEFORE = "Good morning and welcome to the show. Today the city council will vote on the budget."
AFTER = "Later we will hear from local farmers about the long summer drought."
# Silence between: the worker is killed once BEFORE is committed, before AFTER begins.
GAP_S = 12.0
STREAMS = 4
# The timeline of each recording: the programme (~28 s), the stretch between the kill and
# the other worker going on (visibility 6 s + a sweep + a start), and a margin.
DURATION_S = 48


@pytest.fixture(scope="module")
def stations(tmp_path_factory):
    """Four loopback radios (Icecast-style, paced MP3 on 127.0.0.1): BEFORE, silence, AFTER,
    then silence forever. A radio plays on from where its listener was cut (the fixture's
    behaviour), so the words after a worker dies are all there for the next one."""
    folder = tmp_path_factory.mktemp("stations")
    before = speech.speak(BEFORE, folder / "before.wav")
    wav = speech.concat(
        [
            speech.silence(2.0, folder / "lead.wav"),
            before,
            speech.silence(GAP_S, folder / "gap.wav"),
            speech.speak(AFTER, folder / "after.wav"),
            speech.silence(2.0, folder / "tail.wav"),
        ],
        folder / "programme.wav",
    )
    programme = servers.encode_mp3(wav, folder / "programme.mp3")
    filler = servers.encode_mp3(speech.silence(5.0, folder / "quiet.wav"), folder / "quiet.mp3")
    radios = [servers.IcecastServer(programme, filler) for _ in range(STREAMS)]
    after_at = 2.0 + speech.duration_s(before) + GAP_S  # where AFTER begins in the programme
    yield [radio.url for radio in radios], after_at
    for radio in radios:
        radio.close()


def noted_gap(note: str) -> tuple[float, float]:
    """The stretch, in whole seconds of the recording, that its "Nobody listened from … to …"
    note names."""
    found = re.search(r"Nobody listened from (\d+):(\d\d):(\d\d) to (\d+):(\d\d):(\d\d)", note)
    assert found, note
    h1, m1, s1, h2, m2, s2 = (int(part) for part in found.groups())
    return h1 * 3600 + m1 * 60 + s1, h2 * 3600 + m2 * 60 + s2


def wait_for(condition, timeout: float, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what()}")


def test_two_workers_record_four_streams_and_one_survives_a_kill_9(
    redis_server, migrated_postgres_url, stations, tmp_path
):
    urls, after_at = stations
    broker = redis_server.url(5)
    env = worker_env(broker, migrated_postgres_url, tmp_path / "shared", tmp_path / "cache")
    env["STREAMLENS_SPEAKERS"] = "off"  # about workers, not voices: four streams on two cores
    workers = [Worker(env, f"w{i}@test", tmp_path / f"w{i}.log", concurrency=4) for i in (1, 2)]
    library = Library(migrated_postgres_url)
    client = None
    try:
        wait_until_listening(broker, workers)
        client = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "record", *urls, "--queue",
             "--mode", "monitor", "--duration", str(DURATION_S)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

        said: dict[int, str] = {}

        def all_heard_before():
            for r in library.recordings.list():
                said[r.id] = " ".join(s.text for s in library.segments.for_recording(r.id))
            return len(said) == STREAMS and all("council" in t.lower() for t in said.values())

        wait_for(all_heard_before, 90, lambda: f"the first words on every stream: {said}")
        victim_pid = library.recordings.list()[0].pid
        [victim] = [w for w in workers if w.pid == victim_pid]
        [survivor] = [w for w in workers if w is not victim]
        victim_ids = [r.id for r in library.recordings.list() if r.worker == victim.name]
        committed = {  # what the victim had committed when it was killed
            rid: {s.id: normalise(s.text) for s in library.segments.for_recording(rid) if s.final}
            for rid in victim_ids
        }
        os.kill(victim.pid, signal.SIGKILL)
        victim.proc.wait()

        out, err = client.communicate(timeout=150)
        assert client.returncode == 0, err
        shown = out + err + survivor.output() + victim.output()
        assert "continued after its worker stopped" in err

        recordings = library.recordings.list()
        assert len(recordings) == STREAMS
        for recording in recordings:
            assert recording.status == "complete", recording.error
            text = " ".join(s.text for s in library.segments.for_recording(recording.id))
            assert wer(BEFORE + " " + AFTER, text) <= 0.25, text
            if recording.id in victim_ids:
                assert recording.worker == survivor.name
                assert "Nobody listened from" in recording.error
                kept = {
                    s.id: normalise(s.text) for s in library.segments.for_recording(recording.id)
                }
                assert committed[recording.id]  # something was committed before the kill
                for segment_id, text in committed[recording.id].items():
                    assert kept.get(segment_id) == text  # nothing committed was lost

        # The continued recordings go on on their wall-clock timeline: the radio played on
        # from the cut, so AFTER comes later there than on the others, by no more than the
        # stretch the recording notes nobody listened. (A timeline restarted where the
        # victim's audio ended would put AFTER earlier, not later.) How much later depends on
        # how fast the survivor took over, which varies with the machine's load.
        def drought_at(recording_id: int) -> float:
            segments = library.segments.for_recording(recording_id)
            return min(s.start_s for s in segments if "drought" in s.text.lower())

        for recording in recordings:
            shift = drought_at(recording.id) - after_at
            if recording.id in victim_ids:
                unheard_from, unheard_to = noted_gap(recording.error)
                assert 0.5 < shift < unheard_to - unheard_from + 2.0, (shift, recording.error)
            else:
                assert abs(shift) < 4.0

        run = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "search", '"summer drought"'],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        assert all(f"#{r.id}" in run.stdout for r in recordings), run.stdout
        listing = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "recordings"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        shown += run.stdout + run.stderr + listing.stdout + listing.stderr
        for password in (redis_fixture.PASSWORD, postgres.PASSWORD):
            assert password not in shown
    finally:
        if client is not None and client.poll() is None:
            client.kill()
        for worker in workers:
            worker.stop()
        library.close()
