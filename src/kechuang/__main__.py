"""``python -m kechuang``: the ``kechuang`` command."""

from kechuang.cli import app

app(prog_name="kechuang")
