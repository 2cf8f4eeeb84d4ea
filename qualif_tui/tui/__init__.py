"""The Textual face of qualif."""
