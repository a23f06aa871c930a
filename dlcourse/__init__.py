"""The helper package of the course *Deep Learning Architectures, built in Keras*.

The chapters show the ideas and display the from-scratch code they teach; this package
holds that code and the plumbing around it, one module per job:

* :mod:`dlcourse.reference` - the from-scratch NumPy cores each chapter shows and checks
  against Keras;
* :mod:`dlcourse.keras_parts` - the custom Keras layers, models and callbacks the
  chapters build;
* :mod:`dlcourse.exercises` - exercise checkers, one module per chapter;
* :mod:`dlcourse.data` - offline, checksummed data loaders with fixed splits;
* :mod:`dlcourse.training` - seeding, the quick/full scale, compact progress, timed fit;
* :mod:`dlcourse.plots` - learning curves, image and weight grids, confusion matrices;
* :mod:`dlcourse.widgets` - the interactive demo helper;
* :mod:`dlcourse.source` - shows a function's code on the page, from the package itself;
* :mod:`dlcourse.results` - committed results files of the longer runs, with provenance.

Importing ``dlcourse`` imports nothing else and changes nothing: import the module you
need.
"""

__version__ = "0.1.0"
