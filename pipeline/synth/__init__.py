"""Seeded synthetic venous duplex reports with gold labels computed from a sampled truth."""
from .generator import TEMPLATES, generate, generate_detailed, write_jsonl
from .gold_model import Finding, Truth, compute_gold

__all__ = ["TEMPLATES", "Finding", "Truth", "compute_gold", "generate", "generate_detailed", "write_jsonl"]
