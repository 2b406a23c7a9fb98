"""Streaming change detectors for concept drift: Page-Hinkley, ADWIN and DDM.

A model's errors, read in time order (0/1 misclassification indicators, or absolute errors of a
regressor), form a stream whose mean should stay put while the concept does.  Each detector below
reads such a stream once and reports every point at which it decides the mean has changed; like
the detectors of the ``river`` library, whose behaviour these functions reproduce value for
value, each one forgets everything and starts afresh after a detection.

* **Page-Hinkley** (Page, 1954, *Biometrika* 41; Hinkley, 1971, *Biometrika* 58): cumulative
  sums, with a forgetting factor, of each value's deviation from the running mean, less (or
  plus) a tolerance; a change is signalled when a sum climbs ``threshold`` above its lowest
  point (or falls that far below its highest).
* **ADWIN** (Bifet and Gavaldà, 2007, SIAM Data Mining): a window kept in exponential-histogram
  buckets is cut wherever an older and a newer part have means further apart than a
  Bernstein-type bound, and the oldest buckets are dropped until no cut holds.
* **DDM** (Gama, Medas, Castillo and Rodrigues, 2004, SBIA): the error rate ``p`` of a 0/1
  stream and its binomial deviation ``s`` are compared with ``p`` and ``s`` where ``p + s`` was
  lowest; a rise by a few such ``s`` is a warning, then a drift.

Between two detections nothing is forgotten, so each stretch is computed with array operations:
the Page-Hinkley sums are a linear recurrence (an exponentially weighted mean), running means and
extremes are ``numpy`` accumulations.  ADWIN relies on one fact: until a bucket is dropped the
buckets are a fixed function of the number of values seen (level ``i`` holds consecutive,
aligned blocks of ``2**i`` values, summed pairwise), so the window at every clock tick is rebuilt
from per-level block sums and all ticks are tested together.  The arithmetic follows river's
order of operations, so ADWIN's decisions agree with river's to the last bit; Page-Hinkley and
DDM take the running mean from cumulative sums where river updates it value by value, which can
move a statistic in its last digits but not, in practice, a detection.
"""

from __future__ import annotations

from mlaudit.stats.changepoint._adwin import adwin
from mlaudit.stats.changepoint._ddm import ddm
from mlaudit.stats.changepoint._page_hinkley import page_hinkley
from mlaudit.stats.changepoint._stream import ChangePoint

__all__ = ["ChangePoint", "adwin", "ddm", "page_hinkley"]
