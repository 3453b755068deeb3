"""Chat-model backends behind LangChain's ``BaseChatModel``: embedded (llama.cpp), Ollama, OpenAI-compatible, none.

``BRIEF_LLM`` (or ``--llm``) picks one: ``embedded`` (default: Qwen2.5-Coder-1.5B-Instruct in-process),
``embedded:smollm2`` (the small SmolLM2-135M fallback), ``embedded:FILE.gguf``, ``none`` (extractive answers, no
model), ``ollama:MODEL`` or ``openai:MODEL`` (with ``BRIEF_LLM_BASE_URL`` for any OpenAI-compatible server).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import Any, TypeVar

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from index import Settings

from .errors import ConfigError, LLMError
from .model_pack import QWEN_CODER_1_5B, SMOLLM2_135M, ModelPack, pack_path
from .prompt_state import restore_state, save_state, state_path

__all__ = ["EmbeddedChatModel", "describe_backend", "is_reader", "llm_error", "make_chat_model"]

logger = logging.getLogger(__name__)
_ROLES = {"human": "user", "ai": "assistant", "system": "system"}
_Chat = TypeVar("_Chat", bound=BaseChatModel)
_ANSWER_TOKENS = 160
"""The longest reply any backend writes: an answer is one or two sentences."""
_LONGEST_CONTEXT = 8192
"""The window used when a prompt does not fit in ``n_ctx`` (both packed models were trained on at least this)."""
_PACKS: dict[str, ModelPack] = {"": QWEN_CODER_1_5B, "qwen": QWEN_CODER_1_5B, "smollm2": SMOLLM2_135M}


class EmbeddedChatModel(BaseChatModel):
    """A GGUF chat model running in-process with llama.cpp; loaded on first use, greedy decoding.

    The model is a pack (``pack``: Qwen2.5-Coder-1.5B-Instruct by default, or ``smollm2``), assembled and checked
    against its published digest in ``model_cache`` on first use, or a GGUF file named by ``model_path``.

    ``n_threads`` comes from ``BRIEF_LLM_THREADS`` (two by default: on an idle 2-core machine the 1.5B reader answers
    1.5 times faster with two threads than with one; when another process holds a core, one can be faster).
    ``n_ctx`` (``BRIEF_LLM_CONTEXT``) is 2048: a reader prompt is about 400-700 tokens; a longer
    one (long sentences, a long question) reloads the model once with the model's full 8,192-token window.
    """

    model_path: str = ""
    pack: str = ""
    model_cache: str = ""
    max_tokens: int = _ANSWER_TOKENS
    n_threads: int = 2
    n_ctx: int = 2048
    _llama: Any = PrivateAttr(default=None)
    _context: int = PrivateAttr(default=0)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)
    _state: Path | None = PrivateAttr(default=None)
    _unsaved: bool = PrivateAttr(default=False)

    @property
    def _llm_type(self) -> str:
        return "embedded-llama-cpp"

    @property
    def model_name(self) -> str:
        """Name shown to users."""
        name = Path(self.model_path).name if self.model_path else _PACKS[self.pack].name
        return f"{name} (embedded)"

    @property
    def reads(self) -> bool:
        """Whether the model reads well enough for its answers and refusals to be trusted (the 135M one does not)."""
        return self.model_path != "" or _PACKS[self.pack] is not SMOLLM2_135M

    def model_file(self) -> Path:
        """The GGUF file to load: ``model_path``, or the pack's verified file (assembled on first use)."""
        if self.model_path:
            path = Path(self.model_path).expanduser()
            if not path.is_file():
                raise ConfigError(
                    f"The embedded model file {path} does not exist; name a .gguf file, or use --llm embedded"
                )
            return path
        return pack_path(_PACKS[self.pack], self._cache())

    def _model(self) -> Any:
        if self._llama is None:
            # llama.cpp's OpenMP threads (BRIEF_LLM_THREADS > 1) sleep while they wait instead of spinning.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            try:
                from llama_cpp import Llama
            except ImportError:
                raise ConfigError("llama-cpp-python is not installed: pip install llama-cpp-python") from None
            path = self.model_file()
            self._context = self._context or self.n_ctx
            self._llama = Llama(
                model_path=str(path),
                n_ctx=self._context,
                n_batch=512,
                n_threads=self.n_threads,
                n_threads_batch=self.n_threads,
                verbose=False,
                seed=0,
            )
            # A pack's prompt state is kept in the cache (a model named by its path keeps none: its file may change).
            self._state = None if self.model_path else state_path(self._cache(), path, self._context)
            self._unsaved = self._state is not None and not restore_state(self._llama, self._state)
        return self._llama

    def _cache(self) -> Path:
        # Without a cache named, the configured one (BRIEF_MODEL_CACHE, or BRIEF_HOME/models), never the working folder.
        return Path(self.model_cache) if self.model_cache else Settings().models_path

    def warm_up(self) -> None:
        """Load the model and run one tiny completion now, so the first question pays for neither.

        The completion replaces a loaded prompt state, so the state is loaded again after it.
        """
        with self._lock:
            llama = self._model()
            llama.create_chat_completion(messages=[{"role": "user", "content": "Hello"}], max_tokens=1, temperature=0.0)
            if self._state is not None and not self._unsaved:
                restore_state(llama, self._state)

    def take_counters(self) -> dict[str, float] | None:
        """llama.cpp's counters since loading or the last call, which restarts them; None before loading.

        Prompt tokens read and tokens written, and the seconds spent on each.
        """
        if self._llama is None:
            return None
        import llama_cpp

        with self._lock:
            context = self._llama._ctx.ctx
            data = llama_cpp.llama_perf_context(context)
            llama_cpp.llama_perf_context_reset(context)
        return {
            "prompt_tokens": data.n_p_eval,
            "prompt_s": data.t_p_eval_ms / 1000,
            "written_tokens": data.n_eval,
            "write_s": data.t_eval_ms / 1000,
        }

    @staticmethod
    def _messages(messages: list[BaseMessage]) -> list[dict[str, str]]:
        return [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(chunk.text for chunk in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        with self._lock:
            arguments: dict[str, Any] = {
                "messages": self._messages(messages),
                "max_tokens": int(kwargs.get("max_tokens", self.max_tokens)),
                "temperature": 0.0,
                "repeat_penalty": 1.1,
                "stop": stop,
                "stream": True,
            }
            try:
                completion = iter(self._model().create_chat_completion(**arguments))
                first = next(completion, None)
            except ValueError as error:
                if "context window" not in str(error) or self._context >= _LONGEST_CONTEXT:
                    raise
                self._context, self._llama = _LONGEST_CONTEXT, None
                completion = iter(self._model().create_chat_completion(**arguments))
                first = next(completion, None)
            for part in chain([first] if first is not None else [], completion):
                token = part["choices"][0].get("delta", {}).get("content")
                if token:
                    if run_manager:
                        run_manager.on_llm_new_token(token)
                    yield ChatGenerationChunk(message=AIMessageChunk(content=token))
            if self._unsaved and self._state is not None:
                # The first reply of a process with no saved state: save it, so the next process starts warm.
                self._unsaved = False
                try:
                    save_state(self._llama, self._state)
                except OSError as error:
                    logger.warning("Could not save the prompt state to %s: %s", self._state, error)


def make_chat_model(spec: str, settings: Settings) -> BaseChatModel | None:
    """The chat model named by ``spec``; ``None`` for the extractive ``none`` backend."""
    kind, _, model = spec.partition(":")
    if kind == "none":
        return None
    if kind == "embedded":
        named = model.lower()
        if named in _PACKS:
            return EmbeddedChatModel(
                pack=named,
                model_cache=str(settings.models_path),
                n_threads=settings.llm_threads,
                n_ctx=settings.llm_context,
            )
        if not named.endswith(".gguf"):
            raise ConfigError(f"Unknown embedded model {model!r}: use embedded, embedded:smollm2 or embedded:FILE.gguf")
        return EmbeddedChatModel(model_path=model, n_threads=settings.llm_threads, n_ctx=settings.llm_context)
    if kind not in ("ollama", "openai"):
        raise ConfigError(f"Unknown LLM backend {spec!r}: use embedded, none, ollama:MODEL or openai:MODEL")
    if not model:
        raise ConfigError(f"BRIEF_LLM={spec!r} needs a model name, e.g. {kind}:llama3.2")
    if kind == "ollama":
        try:
            from langchain_ollama import ChatOllama
        except ImportError:
            raise ConfigError("The ollama backend needs: pip install 'brief[ollama]'") from None
        return _ollama_chat_model(ChatOllama)(
            model=model,
            base_url=settings.llm_base_url or "http://localhost:11434",
            temperature=0.0,
            num_predict=_ANSWER_TOKENS,
            client_kwargs={"timeout": settings.llm_timeout},
        )
    if kind == "openai":
        try:
            from langchain_openai import ChatOpenAI
        except ImportError:
            raise ConfigError("The openai backend needs: pip install 'brief[openai]'") from None
        return _served_chat_model(ChatOpenAI)(
            model=model,
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key or os.environ.get("OPENAI_API_KEY") or "not-needed",  # type: ignore[arg-type]
            temperature=0.0,
            timeout=settings.llm_timeout,
            max_retries=0,
            max_completion_tokens=_ANSWER_TOKENS,
        )
    raise ConfigError(f"Unknown LLM backend {spec!r}: use embedded, none, ollama:MODEL or openai:MODEL")


def _served_chat_model(chat_openai: type[_Chat]) -> type[_Chat]:
    """``ChatOpenAI``, sending its reply limit as ``max_tokens``.

    OpenAI-compatible servers read ``max_tokens``; llama.cpp's ignores the newer ``max_completion_tokens`` that
    ``ChatOpenAI`` sends instead. With it, a served model writes no longer replies than the embedded one.
    """

    class ServedChatModel(chat_openai):  # type: ignore[valid-type,misc]
        def _get_request_payload(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
            payload: dict[str, Any] = super()._get_request_payload(*args, **kwargs)
            if "max_completion_tokens" in payload:
                payload["max_tokens"] = payload.pop("max_completion_tokens")
            return payload

    return ServedChatModel


def _ollama_chat_model(chat_ollama: type[_Chat]) -> type[_Chat]:
    """``ChatOllama``, taking a call's reply limit ``max_tokens`` as Ollama's ``num_predict``.

    ChatOllama passes a call's extra arguments to the Ollama client, which rejects ``max_tokens``; with this, every
    backend takes the limit the answer path binds (an overview's bullets are shorter than an answer).
    """

    class OllamaChatModel(chat_ollama):  # type: ignore[valid-type,misc]
        def _chat_params(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
            limit = kwargs.pop("max_tokens", None)
            params: dict[str, Any] = super()._chat_params(*args, **kwargs)
            if limit is not None:
                params["options"] = {**params["options"], "num_predict": limit}
            return params

    return OllamaChatModel


def is_reader(model: BaseChatModel | None) -> bool:
    """Whether ``model`` reads the evidence well enough to decide answerability with the checks (not the 135M one)."""
    return model is not None and bool(getattr(model, "reads", True))


def describe_backend(spec: str, model: BaseChatModel | None, settings: Settings) -> str:
    """The name of the active model, as shown with every answer."""
    if model is None:
        return "none (extractive)"
    if isinstance(model, EmbeddedChatModel):
        return model.model_name
    url = settings.llm_base_url or ("http://localhost:11434" if spec.startswith("ollama:") else "api.openai.com")
    return f"{spec} at {url}"


def llm_error(spec: str, settings: Settings, error: Exception) -> LLMError:
    """A clear error for a backend that failed or could not be reached."""
    url = settings.llm_base_url or ("http://localhost:11434" if spec.startswith("ollama:") else "the OpenAI API")
    return LLMError(
        f"The LLM backend {spec!r} at {url} failed: {type(error).__name__}: {error}. "
        "Check that the server is running and reachable, or use --llm none for extractive answers."
    )
