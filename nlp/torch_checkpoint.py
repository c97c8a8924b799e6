"""Reading a PyTorch checkpoint (`.pt`) into numpy arrays, without torch.

A checkpoint is a pickle whose tensors point at raw storages kept beside it: in a zip
(`*/data.pkl` + `*/data/<key>`, torch ≥ 1.6) or, in the older format that Resemblyzer's
`pretrained.pt` uses, after the pickle in the same file (each storage an int64 element
count then its bytes). Unpickling a checkpoint with `pickle` would run whatever callables
it names, so this unpickler resolves only the few globals a checkpoint of plain tensors
needs (ordered dicts, storage types, the tensor and parameter rebuilders) and refuses any
other: a file that needs more is not a weights file this app can use.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from nlp.errors import ModelUnavailable

_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C  # torch.serialization.MAGIC_NUMBER
_STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


@dataclass(frozen=True)
class _StorageType:
    dtype: np.dtype


class _Storage:
    """A storage the pickle refers to by key; its bytes are attached once read."""

    def __init__(self, dtype: np.dtype, numel: int) -> None:
        self.dtype = np.dtype(dtype)
        self.numel = numel
        self.array: np.ndarray | None = None


@dataclass
class _PendingTensor:
    """A tensor whose storage may not be read yet (legacy files keep storages after the
    pickle); made a numpy array once every storage is there."""

    storage: _Storage
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]

    def to_numpy(self) -> np.ndarray:
        data = self.storage.array
        if data is None:
            raise ModelUnavailable("The checkpoint refers to a storage it does not contain.")
        if not self.shape:
            return data[self.offset].copy()
        item = data.itemsize
        view = np.lib.stride_tricks.as_strided(
            data[self.offset :], shape=self.shape, strides=[s * item for s in self.stride]
        )
        return np.array(view)


def _rebuild_tensor(storage, offset, shape, stride, *_ignored) -> _PendingTensor:
    return _PendingTensor(storage, int(offset), tuple(shape), tuple(stride))


def _rebuild_parameter(data, *_ignored):
    return data


_ALLOWED: dict[tuple[str, str], Callable[..., Any] | type] = {
    ("collections", "OrderedDict"): OrderedDict,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch", "Size"): tuple,
}


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file: BinaryIO, storages: dict[str, _Storage]) -> None:
        super().__init__(file, encoding="latin1")
        self.storages = storages

    def find_class(self, module: str, name: str):
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(np.dtype(_STORAGE_DTYPES[name]))
        try:
            return _ALLOWED[module, name]
        except KeyError:
            raise ModelUnavailable(
                f"The checkpoint needs {module}.{name}, which a file of plain weights does "
                "not: it was not loaded."
            ) from None

    def persistent_load(self, pid):
        # Legacy: ("storage", type, key, location, numel, view_metadata); zip: no view.
        if not isinstance(pid, tuple) or not pid or pid[0] != "storage":
            raise ModelUnavailable(f"The checkpoint refers to an unknown object {pid!r}.")
        storage_type, key, _location, numel = pid[1:5]
        if not isinstance(storage_type, _StorageType):
            raise ModelUnavailable("The checkpoint holds a storage of an unsupported type.")
        key = str(key)
        if key not in self.storages:
            self.storages[key] = _Storage(storage_type.dtype, int(numel))
        if len(pid) > 5 and pid[5] is not None:
            raise ModelUnavailable("The checkpoint uses storage views, which are not supported.")
        return self.storages[key]


def read_checkpoint(path: Path) -> Any:
    """The object saved in `path` by `torch.save`, every tensor a numpy array."""
    try:
        if zipfile.is_zipfile(path):
            obj, storages = _read_zip(Path(path))
        else:
            with open(path, "rb") as f:
                obj, storages = _read_legacy(f)
    except ModelUnavailable:
        raise
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError) as exc:
        raise ModelUnavailable(f"Cannot read the checkpoint {path}: {exc}") from None
    del storages
    return _materialise(obj)


def _read_zip(path: Path) -> tuple[Any, dict[str, _Storage]]:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        pickles = [n for n in names if n.endswith("/data.pkl") or n == "data.pkl"]
        if not pickles:
            raise ModelUnavailable(f"{path} is a zip without a data.pkl: not a checkpoint.")
        prefix = pickles[0][: -len("data.pkl")]
        storages: dict[str, _Storage] = {}
        obj = _RestrictedUnpickler(io.BytesIO(archive.read(pickles[0])), storages).load()
        for key, storage in storages.items():
            raw = archive.read(f"{prefix}data/{key}")
            storage.array = _storage_array(raw, storage)
    return obj, storages


def _read_legacy(f: BinaryIO) -> tuple[Any, dict[str, _Storage]]:
    magic = _plain_load(f)
    if magic != _LEGACY_MAGIC:
        raise ModelUnavailable("Not a PyTorch checkpoint (no magic number).")
    _plain_load(f)  # protocol version
    _plain_load(f)  # system info: endianness, type sizes
    storages: dict[str, _Storage] = {}
    obj = _RestrictedUnpickler(f, storages).load()
    keys = _plain_load(f)
    for key in keys:
        storage = storages[str(key)]
        numel = int(np.frombuffer(f.read(8), dtype="<i8")[0])
        raw = f.read(numel * storage.dtype.itemsize)
        storage.array = _storage_array(raw, storage)
    return obj, storages


def _plain_load(f: BinaryIO) -> Any:
    """A header pickle: numbers, strings, lists and dicts only."""
    return _RestrictedUnpickler(f, {}).load()


def _storage_array(raw: bytes, storage: _Storage) -> np.ndarray:
    array = np.frombuffer(raw, dtype=storage.dtype.newbyteorder("<"))
    if array.size < storage.numel:
        raise ModelUnavailable("The checkpoint is truncated.")
    return array


def _materialise(obj: Any) -> Any:
    if isinstance(obj, _PendingTensor):
        return obj.to_numpy()
    if isinstance(obj, dict):
        return type(obj)((k, _materialise(v)) for k, v in obj.items())
    if isinstance(obj, list | tuple):
        return type(obj)(_materialise(v) for v in obj)
    return obj
