"""kechuang (科创): plan monitoring and evaluation for a district S&T innovation plan."""

__version__ = "0.1.0"

