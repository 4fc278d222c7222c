"""Token counts with a real tokenizer (tiktoken ``cl100k_base``), offline.

tiktoken normally downloads its encodings; litellm ships ``cl100k_base`` in its
package, so we point ``TIKTOKEN_CACHE_DIR`` there (found without importing litellm,
which takes seconds) and nothing is fetched.

>>> count_tokens("hello world")
2
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigurationError

if TYPE_CHECKING:
    import tiktoken

ENCODING_NAME = "cl100k_base"
_ENCODING_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
# tiktoken names its cache files by the SHA-1 of the encoding's URL.
ENCODING_FILE = hashlib.sha1(_ENCODING_URL.encode()).hexdigest()
_BUNDLED_FOLDER = ("litellm_core_utils", "tokenizers")
_REINSTALL = "Reinstall the tokenizer files: pip install --force-reinstall 'litellm==1.106.2' tiktoken"

_lock = threading.Lock()
_encoding: "tiktoken.Encoding | None" = None


def bundled_cache_dir() -> Path | None:
    """The folder of litellm's package that holds the ``cl100k_base`` file, or ``None``."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in map(Path, spec.submodule_search_locations):
        candidate = root.joinpath(*_BUNDLED_FOLDER)
        if (candidate / ENCODING_FILE).is_file():
            return candidate
        # The layout of litellm's package may move between releases; the file name does not.
        for found in root.rglob(ENCODING_FILE):
            return found.parent
    return None


def encoding() -> "tiktoken.Encoding":
    """The ``cl100k_base`` encoding, loaded once without touching the network."""
    global _encoding
    if _encoding is not None:
        return _encoding
    with _lock:
        if _encoding is None:
            _encoding = _load()
    return _encoding


def _load() -> "tiktoken.Encoding":
    current = os.environ.get("TIKTOKEN_CACHE_DIR")
    if not (current and (Path(current) / ENCODING_FILE).is_file()):
        folder = bundled_cache_dir()
        if folder is None:
            raise ConfigurationError(
                f"cannot count tokens: the {ENCODING_NAME} tokenizer file is not in litellm's package "
                "and downloading it is disabled", hint=_REINSTALL)
        # litellm sets the same variable to the same folder when it is imported.
        os.environ["TIKTOKEN_CACHE_DIR"] = str(folder)
    try:
        import tiktoken

        return tiktoken.get_encoding(ENCODING_NAME)
    except Exception as exc:  # tiktoken raises plain ValueError/OSError/ImportError here
        raise ConfigurationError(f"cannot load the {ENCODING_NAME} tokenizer: {exc}", hint=_REINSTALL) from exc


def count_tokens(text: str) -> int:
    """How many ``cl100k_base`` tokens ``text`` holds (special-token text counts as plain text)."""
    return len(encoding().encode(text or "", disallowed_special=()))


def truncate_tokens(text: str, limit: int) -> tuple[str, bool]:
    """``text`` cut to at most ``limit`` tokens, and whether it was cut."""
    tokens = encoding().encode(text or "", disallowed_special=())
    if len(tokens) <= limit:
        return text, False
    return encoding().decode(tokens[:max(limit, 0)]), True
