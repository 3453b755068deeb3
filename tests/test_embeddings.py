"""The embedder: backend choice, the numpy encoder against torch, and which calls load torch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from benchmarks import generate_briefs
from index import ConfigError, SentenceTransformerEmbeddings
from index.embeddings import SMALL_CALL, NumpyBertEncoder, resolve_model_path


def test_unknown_embedding_backend_is_refused() -> None:
    with pytest.raises(ConfigError, match="Unknown embedding backend"):
        SentenceTransformerEmbeddings(backend="cuda")


def test_the_numpy_encoder_refuses_models_it_cannot_run_exactly(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "mpnet", "hidden_act": "gelu"}))
    assert not NumpyBertEncoder.supports(tmp_path)
    with pytest.raises(ConfigError, match="cannot run the model"):
        _ = SentenceTransformerEmbeddings(str(tmp_path), backend="numpy").light


@pytest.mark.integration
def test_numpy_and_torch_encoders_give_the_same_vectors() -> None:
    bundled = resolve_model_path("all-MiniLM-L6-v2")
    assert NumpyBertEncoder.supports(bundled)
    texts = [text for _, text in generate_briefs(3)]
    texts += ["Who is Denisenko?", "drone", "Kyiv", "A" * 3000, "Минск и Брест", ""]
    light = SentenceTransformerEmbeddings(backend="numpy").embed_documents(texts)
    heavy = SentenceTransformerEmbeddings(backend="torch").embed_documents(texts)
    assert np.abs(np.asarray(light) - np.asarray(heavy)).max() < 1e-5


@pytest.mark.integration
def test_small_calls_never_load_torch_and_large_ones_do() -> None:
    embeddings = SentenceTransformerEmbeddings()
    embeddings.embed_query("Who is Denisenko?")
    embeddings.embed_documents([f"Sentence number {n} about Minsk." for n in range(SMALL_CALL - 1)])
    assert embeddings._model is None and embeddings.light is not None
    embeddings.embed_documents([f"Sentence number {n} about Minsk." for n in range(SMALL_CALL)])
    assert embeddings._model is not None
