"""Keras 3 layers and models that the chapters build (one module per chapter), each with ``get_config`` so
it saves and loads."""
