"""spaCy set-up: the tokenizer, one component per module, their factories and Doc extensions; ``build`` assembles them."""
