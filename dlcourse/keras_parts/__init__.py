"""The custom Keras 3 parts the chapters build, one module per chapter.

Layers (``JordanCell``, ``DSNModule``, ``MaxOverRealFrames``), models (``RBM``,
``DeepStackingNetwork``), callbacks and model builders. Each layer and model has
``get_config`` built on ``super().get_config()``, so it saves and loads.
"""
