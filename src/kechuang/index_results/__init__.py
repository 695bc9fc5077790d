"""Stored index builds: runs of the index engine on a data snapshot (with hashes), their scores, ranks,
framework and change decompositions, and the published official series they are compared with."""
