"""spaCy components of the duplex pipeline, one per module; factories live in pipeline.factories."""
