"""Rule data of the dvt pipeline (JSON), installed as the package ``pipeline.patterns``."""
