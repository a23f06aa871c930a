"""dlcourse: the helper package of the course *Deep Learning Architectures, built in Keras*.

Chapters show the ideas; this package holds only the plumbing around them, one module per job:

* :mod:`dlcourse.data` - offline, checksummed data loaders with fixed splits;
* :mod:`dlcourse.training` - seeding, the quick/full scale setting, compact progress, a timed ``fit``;
* :mod:`dlcourse.plots` - learning curves, image and weight grids, confusion matrices;
* :mod:`dlcourse.widgets` - the interactive demo helper;
* :mod:`dlcourse.reference` - from-scratch NumPy versions of each architecture's core;
* :mod:`dlcourse.layers` - Keras layers the chapters build;
* :mod:`dlcourse.exercises` - exercise checkers, one module per chapter.

Importing ``dlcourse`` imports nothing else and changes nothing: import the module you need.
"""

__version__ = "0.1.0"
