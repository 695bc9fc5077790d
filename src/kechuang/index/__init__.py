"""kechuang.index — the composite-index engine: pure numpy/pandas, usable alone as a library.

One module per pipeline verb (``denominate``, ``impute``, ``screen``, ``treat``, ``normalise``, ``weights``,
``aggregate``), the validated YAML ``spec``, the ``pipeline`` that builds a :class:`Result` from
(iData, iMeta, spec), ``results`` (ranks, growth, CAGR, change decomposition), ``analysis`` (statistics,
data availability, Cronbach's alpha, correlations, PCA), ``audit`` (the JRC-style statistical audit, see
docs/index-audit.md) and ``io`` (COINr iData/iMeta, CSV or XLSX)::

    from kechuang.index import build, load_spec, read_idata, read_imeta

    meta = read_imeta("iMeta.csv")
    result = build(read_idata("iData.csv", meta), meta, load_spec("spec.yaml"))
    result.scores, result.ranks, result.stages["Treated"], result.weights
"""

from kechuang.index.errors import ComputationError, IndexInputError, SpecError
from kechuang.index.io import read_idata, read_imeta, validate_idata, validate_imeta
from kechuang.index.pipeline import Result, build, regenerate
from kechuang.index.spec import Spec, dump_spec, example_spec, load_spec, parse_spec

__all__ = [
    "ComputationError",
    "IndexInputError",
    "SpecError",
    "read_idata",
    "read_imeta",
    "validate_idata",
    "validate_imeta",
    "Result",
    "build",
    "regenerate",
    "Spec",
    "dump_spec",
    "example_spec",
    "load_spec",
    "parse_spec",
]
