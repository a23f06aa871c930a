"""From-scratch NumPy implementations of each architecture's core, checked against Keras in the chapters and
in ``tests/``. One module per chapter: ``dense`` (Chapter 0), ``rnn``, ``lstm``, ``gru``, ``conv``, ``rbm``,
``dsn``. They favour clarity over speed."""
