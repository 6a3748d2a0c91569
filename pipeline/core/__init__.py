"""The pure core: read sentences, resolve findings, classify legs, build the record (no spaCy)."""
