"""The LLM layer: tiers, structured JSON completions, budgets, a cache and the call ledger.

One repair retry per call, a request-hash cache and the ``llm_calls`` ledger in DuckDB, and a deterministic
provider for offline use. litellm is imported lazily (it takes seconds).
"""

from careeros.llm.client import LLMClient, complete_structured, default_client, parse_output
from careeros.llm.models import (
    TIERS,
    CallStatus,
    LLMError,
    NoDeterministicHandlerError,
    OutputInvalidError,
    StructuredResult,
    Tier,
)
from careeros.llm.prompts import PromptSafetyError, UntrustedText, quote_untrusted, render_messages
from careeros.llm.providers import (
    DeterministicProvider,
    LiteLLMProvider,
    Provider,
    ProviderRequest,
    TierConfig,
    register_deterministic,
    unregister_deterministic,
)
from careeros.llm.store import usage_summary

__all__ = [
    "TIERS", "CallStatus", "DeterministicProvider", "LLMClient", "LLMError", "LiteLLMProvider",
    "NoDeterministicHandlerError", "OutputInvalidError", "PromptSafetyError", "Provider", "ProviderRequest",
    "StructuredResult", "Tier", "TierConfig", "UntrustedText", "complete_structured", "default_client",
    "parse_output", "quote_untrusted", "register_deterministic", "render_messages", "unregister_deterministic",
    "usage_summary",
]
