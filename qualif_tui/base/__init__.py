"""Base: text folding and French geography, used by every layer above."""
