"""mlaudit.checks.leakage: is the model's measured quality real?

Training rows found again in the evaluation data, a feature that gives the label away, an
identifier that predicts the label, a feature recorded after the label.  The checks are imported
one module at a time, when an audit runs them (:mod:`mlaudit.checks._index`); importing this
package registers none of them.
"""
