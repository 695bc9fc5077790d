"""kechuang (科创): plan monitoring and evaluation for a district S&T innovation plan."""

from kechuang import _moved

__version__ = "0.1.0"

_moved.install()  # old module paths of the re-layering; removed by tools/rewrite_imports.py --remove-shims
