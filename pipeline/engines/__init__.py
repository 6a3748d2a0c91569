"""Batch engines: the streaming multi-process batch, resume, progress and Spark."""
