"""The embedded model's last prompt, read once and kept on disk, so a new process need not read it again.

A cold ``brief ask`` spends most of its time reading its first prompt, the fixed instructions included. After its
first reply a process saves llama.cpp's state (the tokens read and their attention cache, about 20 MB) in the model
cache; a new process loads it, and llama.cpp then reads only the part of its own prompt that differs. The file is
named by the model file, the llama.cpp build and the context window; one that fails to load is deleted and the
prompt read as usual.
"""

from __future__ import annotations

import ctypes
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["restore_state", "save_state", "state_path"]

logger = logging.getLogger(__name__)


def state_path(cache: Path, model_file: Path, context: int) -> Path:
    """Where the prompt state of ``model_file`` with a ``context``-token window is kept in the model cache."""
    import llama_cpp

    return cache / f"{model_file.name}.llama-cpp-{llama_cpp.__version__}.ctx{context}.state.npz"


def restore_state(llama: Any, path: Path) -> bool:
    """Load the saved state into ``llama``; False (and the file deleted) when there is none or it does not fit."""
    if not path.is_file():
        return False
    import llama_cpp

    try:
        with np.load(path) as saved:
            tokens, data = saved["tokens"], saved["state"].tobytes()
        if len(tokens) >= llama.n_ctx():
            raise ValueError(f"{len(tokens)} tokens do not fit a {llama.n_ctx()}-token window")
        buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        if llama_cpp.llama_state_set_data(llama._ctx.ctx, buffer, len(data)) != len(data):
            raise ValueError("llama.cpp did not take it")
        # As llama-cpp-python's load_state does, without touching its 300 MB table of logits: they are recomputed
        # before the next token is chosen.
        llama.input_ids[: len(tokens)] = tokens
        llama.n_tokens = len(tokens)
        llama._requires_eval = True
        return True
    except Exception as error:  # a file from another build or a torn write: read the prompt as usual
        logger.warning("The saved prompt state %s could not be loaded (%s); it is deleted", path, error)
        llama.reset()
        path.unlink(missing_ok=True)
        return False


def save_state(llama: Any, path: Path) -> None:
    """Save the tokens ``llama`` has read and their cache to ``path`` (written whole, then renamed into place)."""
    import llama_cpp

    context = llama._ctx.ctx  # llama-cpp-python's own save_state also copies the logits: 150 MB per 250 tokens
    size = llama_cpp.llama_state_get_size(context)
    buffer = (ctypes.c_uint8 * size)()
    written = llama_cpp.llama_state_get_data(context, buffer, size)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    with partial.open("wb") as file:
        tokens = np.array(llama.input_ids[: llama.n_tokens])
        np.savez(file, tokens=tokens, state=np.frombuffer(buffer, np.uint8, written))
    os.replace(partial, path)
