"""The from-scratch NumPy cores of every chapter, checked against Keras.

One module per chapter's topic: ``activations`` and ``dense`` (Chapter 0), ``rnn``,
``lstm``, ``gru``, ``ngram``, ``conv``, ``rbm``, ``dsn``. Each core reads like its
equations and favours clarity over speed; its argument checks live in the module's
``_<name>_checks.py``.
"""
