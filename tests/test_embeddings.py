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


def _tiny_bert_weights(vocabulary: int, width: int = 8, inner: int = 16) -> dict[str, np.ndarray]:
    """Random float16 weights of a one-layer BERT of width ``width``."""
    shapes = {
        "embeddings.word_embeddings.weight": (vocabulary, width),
        "embeddings.position_embeddings.weight": (64, width),
        "embeddings.token_type_embeddings.weight": (2, width),
        "embeddings.LayerNorm.weight": (width,),
        "embeddings.LayerNorm.bias": (width,),
        "encoder.layer.0.attention.output.dense.weight": (width, width),
        "encoder.layer.0.attention.output.dense.bias": (width,),
        "encoder.layer.0.intermediate.dense.weight": (inner, width),
        "encoder.layer.0.intermediate.dense.bias": (inner,),
        "encoder.layer.0.output.dense.weight": (width, inner),
        "encoder.layer.0.output.dense.bias": (width,),
    }
    for name in ("query", "key", "value"):
        shapes[f"encoder.layer.0.attention.self.{name}.weight"] = (width, width)
        shapes[f"encoder.layer.0.attention.self.{name}.bias"] = (width,)
    for name in ("attention.output.LayerNorm", "output.LayerNorm"):
        shapes[f"encoder.layer.0.{name}.weight"] = (width,)
        shapes[f"encoder.layer.0.{name}.bias"] = (width,)
    rng = np.random.default_rng(3)
    return {name: (rng.standard_normal(shape) * 0.5).astype(np.float16) for name, shape in shapes.items()}


def _tiny_bert(folder: Path, weights: dict[str, np.ndarray]) -> Path:
    """A model folder: BERT config of width 8, the bundled tokenizer, ``weights`` in model.safetensors."""
    from safetensors.numpy import save_file

    bundled = resolve_model_path("all-MiniLM-L6-v2")
    folder.mkdir()
    (folder / "tokenizer.json").write_bytes((bundled / "tokenizer.json").read_bytes())
    config = {"model_type": "bert", "hidden_act": "gelu", "hidden_size": 8, "num_attention_heads": 2}
    config |= {"num_hidden_layers": 1, "max_position_embeddings": 64, "layer_norm_eps": 1e-12}
    (folder / "config.json").write_text(json.dumps(config))
    save_file(weights, str(folder / "model.safetensors"))
    return folder


def test_the_numpy_encoder_reads_float16_weights(tmp_path: Path) -> None:
    vocabulary = json.loads((resolve_model_path("all-MiniLM-L6-v2") / "config.json").read_text())["vocab_size"]
    half = _tiny_bert_weights(vocabulary)
    widened = {name: value.astype(np.float32) for name, value in half.items()}
    texts = ["Who is Denisenko?", "Minsk and Brest", "drone"]
    vectors = NumpyBertEncoder(_tiny_bert(tmp_path / "f16", half)).encode(texts)
    assert vectors.dtype == np.float32 and vectors.shape == (3, 8)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # The same values saved as float32 give the same vectors.
    assert np.array_equal(vectors, NumpyBertEncoder(_tiny_bert(tmp_path / "f32", widened)).encode(texts))
