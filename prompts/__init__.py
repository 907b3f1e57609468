"""Prompt templates of careeros (``prompts/``), importable as ``careeros_prompts``; see ``careeros.resources``."""
